"""One process at a time per inbox, across daemons sharing a store.

PostgreSQL: a session advisory lock held on a dedicated connection for the
whole pass; the server frees it if the process dies (even kill -9), because
the connection dies with it. SQLite: an flock on a file next to the
database, which the kernel frees the same way. Both are try-locks: a busy
inbox is skipped, not waited for, since the holder is doing the work.

The lock saves work; it is not what prevents double processing. If it were
ever lost mid-pass (a network blip drops the lock's connection), two passes
would meet the pipeline's idempotency (Message-ID + content hash, unique
constraints) and a MOVE of an already-moved UID does nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from intake.store.db import Store


def advisory_key(inbox: str) -> int:
    digest = hashlib.sha256(f"intake-inbox:{inbox}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file_path(store: Store, inbox: str) -> Path:
    db = make_url(store.url).database
    if db and db != ":memory:" and not db.startswith("file:"):
        p = Path(db)
        return p.with_name(f"{p.name}.inbox-{inbox}.lock")
    tag = hashlib.sha256(store.url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"intake-{tag}.inbox-{inbox}.lock"


class InboxLock:
    def __init__(self, store: Store, inbox: str):
        self.store = store
        self.inbox = inbox
        self._conn = None
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self.store.dialect == "postgresql":
            conn = self.store.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(self.inbox)}).scalar()
            conn.commit()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False
        path = lock_file_path(self.store, self.inbox)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key(self.inbox)})
                conn.commit()
            except Exception:  # noqa: BLE001
                # Never hand a connection that may still hold the lock back to
                # the pool: discard it, and the server frees the lock.
                conn.invalidate()
            finally:
                conn.close()
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
