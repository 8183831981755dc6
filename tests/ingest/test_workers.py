"""A document that hangs, crashes or bloats a parser costs one exception,
never the run: the worker is replaced and the next document is analysed."""

from __future__ import annotations

import os

import pytest

from intake.analysis.workers import ProcessAnalyser
from intake.config.settings import load_settings
from intake.types import Document, sha256_hex
from tests.support import faults


def doc(text: bytes) -> Document:
    return Document("body", None, "text/plain", sha256_hex(text), text)


GOOD = b"Joe Bloggs drives a silver Astra and is seen at the park after school most days."


@pytest.mark.parametrize("fn,marker,code,kw", [
    # The limit also covers the fresh worker the good document waits for
    # (it loads spaCy): 3 s failed on a loaded machine; the hang is an hour.
    (faults.hang_on_marker, b"HANG", "parser_timeout", {"timeout_s": 20}),
    (faults.crash_on_marker, b"CRASH", "parser_crashed", {}),
    (faults.bloat_on_marker, b"BLOAT", "resource_limit", {"memory_mb": 300}),
    # A converter's memory is the worker's: the limit is on the whole tree.
    (faults.child_bloat_on_marker, b"CHILDBLOAT", "resource_limit", {"memory_mb": 300}),
])
def test_faulty_document_becomes_exception_and_worker_recovers(fn, marker, code, kw):
    a = ProcessAnalyser(None, analyse_fn=fn, **kw)
    try:
        bad = a.analyse(doc(marker + b" " + GOOD), None)
        assert bad.outcome.status == "exception" and bad.outcome.exception.code == code
        good = a.analyse(doc(GOOD), None)
        assert good.outcome.status == "parsed"
        assert good.outcome.record.fields["incident.narrative"].value.startswith("Joe Bloggs")
    finally:
        a.close()


def test_real_worker_process_parses():
    a = ProcessAnalyser(None)
    try:
        out = a.analyse(doc(GOOD), None)
        assert out.outcome.status == "parsed"
    finally:
        a.close()


@pytest.mark.parametrize("nice", [0, 10])
def test_analysis_workers_run_below_the_process_that_takes_custody(nice):
    """[workers] analysis_nice: a backlog's analysis must not starve the
    daemon's IMAP passes of CPU."""
    settings = load_settings().updated("workers", analysis_nice=nice)
    a = ProcessAnalyser(settings)
    try:
        assert a.analyse(doc(GOOD), None).outcome.status == "parsed"
        worker = a._proc.pid
        assert os.getpriority(os.PRIO_PROCESS, worker) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice)
    finally:
        a.close()


def test_a_killed_worker_is_logged_with_the_signal_and_the_document(caplog):
    """Not "exit None": the signal by name and the document's hash."""
    import logging

    a = ProcessAnalyser(None, analyse_fn=faults.sigkill_on_marker)
    bad = doc(b"SIGKILL " + GOOD)
    try:
        with caplog.at_level(logging.WARNING, logger="intake.analysis.workers"):
            out = a.analyse(bad, None)
        assert out.outcome.exception.code == "parser_crashed"
        died = [r.getMessage() for r in caplog.records if "died (" in r.getMessage()]
        assert died and all("killed by SIGKILL" in m and bad.sha256[:12] in m for m in died), died
        caplog.clear()
        # Killed while idle, between documents: said too, then a fresh worker.
        a.analyse(doc(GOOD), None)
        os.kill(a._proc.pid, 9)
        a._proc.join(5)
        with caplog.at_level(logging.WARNING, logger="intake.analysis.workers"):
            assert a.analyse(doc(GOOD), None).outcome.status == "parsed"
        assert any("killed by SIGKILL" in r.getMessage() and "idle" in r.getMessage() for r in caplog.records)
    finally:
        a.close()


def test_a_worker_killed_by_two_threads_at_once_is_killed_once():
    """The run's stop (abort, on the thread winding the run down) can meet
    the thread analysing on the worker, which finds it dead and kills it
    too: each takes the worker and its pipe or finds them gone, and no pipe
    is closed twice (a second close failed a Ctrl-C'd replay with EBADF)."""
    import threading

    for _ in range(20):
        a = ProcessAnalyser(None, analyse_fn=faults.hang_on_marker)
        a.start()
        barrier, failures = threading.Barrier(3), []

        def kill():
            barrier.wait()
            try:
                a._kill()
            except Exception as exc:  # noqa: BLE001 - collected, asserted below
                failures.append(exc)

        threads = [threading.Thread(target=kill) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert failures == []
        assert a._proc is None and a._conn is None
