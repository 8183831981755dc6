"""The SQLite writer thread (ingest/processing/commit_writer.py): batches committed in the
order handed over, all of them before close returns, and a fault raised in
the processor's thread rather than lost in the writer's."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from intake.ingest.processing.commit_writer import Writer


def test_batches_are_committed_in_order_and_all_before_close():
    done: list[int] = []

    def commit(batch):
        time.sleep(0.01)  # slower than the feed: the queue fills and put waits
        done.extend(batch)

    w = Writer(commit)
    for i in range(0, 60, 3):
        w.put([i, i + 1, i + 2])
    w.close()
    assert done == list(range(60))


def test_a_commit_fault_is_raised_in_the_processors_thread():
    started = threading.Event()

    def commit(batch):
        started.set()
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    w = Writer(commit)
    w.put([1])
    started.wait(5)
    with pytest.raises(OperationalError):
        for _ in range(100):
            w.check()
            time.sleep(0.05)
    with pytest.raises(OperationalError):
        w.close()
