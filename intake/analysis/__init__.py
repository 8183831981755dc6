"""Analysis of one document (read, map, extract), the isolated worker processes that run it,
and reprocessing of stored documents; used by ingest and by the review app."""
