"""Custody before bulk processing in one process (store/write_priority.py)."""

from __future__ import annotations

import threading
import time

from intake.store.write_priority import WritePriority


def test_bulk_work_waits_while_urgent_work_runs_and_goes_on_after():
    p = WritePriority()
    order: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def urgent():
        with p.urgent():
            inside.set()
            release.wait(5)
            order.append("custody")

    def bulk():
        inside.wait(5)
        p.wait_turn()
        order.append("processing")

    threads = [threading.Thread(target=urgent), threading.Thread(target=bulk)]
    for t in threads:
        t.start()
    inside.wait(5)
    time.sleep(0.2)  # processing had every chance to go first
    assert order == []
    release.set()
    for t in threads:
        t.join(5)
    assert order == ["custody", "processing"]


def test_nested_urgent_work_and_the_limit():
    p = WritePriority()
    with p.urgent():
        with p.urgent():
            pass
        t0 = time.monotonic()
        p.wait_turn(limit_s=0.3)  # a pass stuck on a slow server does not stop processing for good
        assert 0.25 < time.monotonic() - t0 < 3
    t0 = time.monotonic()
    p.wait_turn()
    assert time.monotonic() - t0 < 5  # not the 30 s limit: nothing urgent, no wait
