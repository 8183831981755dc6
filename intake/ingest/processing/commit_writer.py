"""The local processor's one writer on SQLite (ingest/processing/local_processor.py): the
store has one writer at a time, so one thread commits the finished
messages, several per transaction, while the processor's thread goes on
walking messages and feeding the analysis workers."""

from __future__ import annotations

import queue
import threading
from typing import Callable


class Writer:
    """A thread that commits the batches of finished messages handed to it
    (``commit(batch)``), in the order given (dedup and resolution then give
    what a one-at-a-time run gives). At most two batches wait, so a slow store
    holds back the feed rather than memory filling with analysed messages.
    A fault that stops processing (the store gone: OperationalError) is
    raised in the processor's thread at its next check."""

    def __init__(self, commit: Callable[[list], None]):
        self.commit = commit
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        # Batches handed over but not committed (the one whose commit failed
        # and every one after it): their rows are still claimed by this
        # process, which may go on (the daemon's next pass), so the
        # processor hands them back rather than leave them stuck until a
        # restart.
        self.unfinished: list[list] = []
        self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                self.unfinished.append(batch)  # the processor stops and hands these back
                continue
            try:
                self.commit(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the processor's thread
                self._error = exc
                self.unfinished.append(batch)

    def check(self) -> None:
        if self._error is not None:
            raise self._error

    def put(self, batch: list) -> None:
        while True:
            if self._error is not None:
                self.unfinished.append(batch)  # refused, so handed back like the others
                raise self._error
            try:
                self._queue.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self._thread.join()
        self.check()
