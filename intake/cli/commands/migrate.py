"""`intake migrate [--check]`: create a store, or bring an older one up to
this intake's schema, explicitly (no other command changes the schema).

Safe when several processes start at once: the schema lock (store/db.py)
lets one work and the others find it done. Back the store up first
(docs/operations.md)."""

from __future__ import annotations

from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK
from intake.store.db import (
    CURRENT,
    EMPTY,
    OLD,
    SchemaState,
    Store,
    head_revision,
    make_engine,
    safe_url,
    schema_state,
    sqlite_path,
)
from intake.store.store_keys import ENCRYPTING, store_state


def register(sub, common) -> None:
    p = sub.add_parser("migrate", parents=[common],
                       help="create the store or upgrade its schema (back it up first)",
                       description="Create a new store, or upgrade an older one to this intake's schema. "
                                   "Other commands refuse a store that needs this. With --check, only say "
                                   "whether it is needed (exit 1 when it is).")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 0 when the store is current, 1 when it needs migrating")
    p.set_defaults(func=run)


def _state(url: str, password: str | None) -> SchemaState | None:
    """The store's state without creating or changing anything; None when
    a SQLite file does not exist yet."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = make_engine(url, password, read_only=path is not None)
    try:
        return schema_state(engine)
    finally:
        engine.dispose()


def run(args, settings) -> int:
    url = settings.store_url
    shown = safe_url(url)
    before = _state(url, settings.store_password)
    if args.check:
        if before is None:
            print(f"{shown}: no store yet; `intake migrate` creates it")
            return EXIT_FAILED
        if before.state == CURRENT:
            print(f"{shown}: current (schema {before.revision})")
            return EXIT_OK
        if before.state in (EMPTY, OLD):
            print(f"{shown}: {'empty' if before.state == EMPTY else f'at schema {before.revision}'}; "
                  f"`intake migrate` brings it to {before.head}")
            return EXIT_FAILED
        # newer or foreign: the same refusal every command gives.
        Store(url, settings.store_password, upgrade=False, create=False, write=False,
              source=settings.store_url_source).close()
        return EXIT_FAILED
    # Schema work reads no content: it needs no store key.
    with Store(url, settings.store_password, upgrade=True, source=settings.store_url_source,
               key_purpose="unchecked") as store:
        from intake.ingest.processing import job_queue

        if job_queue.uses_job_queue(store, settings):
            # The job queue's tables too: only migrate changes the schema
            # (replay and workers still create them on a store migrated by
            # an older intake).
            job_queue.ensure_schema(store, settings)
    head = head_revision()
    if before is None or before.state == EMPTY:
        print(f"{shown}: created at schema {head}")
    elif before.state == CURRENT:
        print(f"{shown}: already current (schema {head})")
    else:
        print(f"{shown}: upgraded from schema {before.revision} to {head}")
    if store_state(store.engine) == ENCRYPTING:
        print(f"{shown}: this schema encrypts more columns: run `intake keys encrypt-existing` now (other commands "
              "refuse the store until it has run; docs/security.md)")
    return EXIT_OK
