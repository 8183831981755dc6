"""Who writes first when one process both takes mail into custody and
processes it (the daemon on SQLite).

SQLite has one writer at a time and no queue: a writer that finds the lock
taken sleeps and retries, so a processing loop that commits back to back
can keep an IMAP pass waiting for seconds, and a message APPENDed during a
backlog would not be in the store's custody promptly. Custody is what must
be quick (the mailbox is only acknowledged after it), processing is bulk
work: so a pass marks itself ``urgent()`` and processing calls
``wait_turn()`` before each transaction. Between processes (a replay beside
the daemon) this does nothing; PostgreSQL does not need it (row locks).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class WritePriority:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._urgent = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        with self._cond:
            self._urgent += 1
        try:
            yield
        finally:
            with self._cond:
                self._urgent -= 1
                if not self._urgent:
                    self._cond.notify_all()

    def wait_turn(self, limit_s: float = 30.0) -> None:
        """Bulk work waits while urgent work is under way, at most
        ``limit_s`` (a pass stuck on a slow server must not stop processing
        for good)."""
        with self._cond:
            self._cond.wait_for(lambda: self._urgent == 0, timeout=limit_s)
