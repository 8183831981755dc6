"""Entity resolution in the store: graph (find/create, links, counts) <- decisions
(officers' merges and splits) <- resolve (automatic, replays decisions); queries for
the CLI and the review app; ids (stable public entity ids)."""
