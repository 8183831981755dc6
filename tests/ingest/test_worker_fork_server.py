"""Workers are forked from a warm fork server (analysis/fork_server.py,
analysis/preload.py): a fresh worker after a crash has the model already
loaded, and yet a worker is as clean as a spawned one was. It holds none of
the parent's files or database connections, and sees the parent's
environment as it is when the worker starts, not as it was when the server
started."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from intake.analysis.fork_server import is_fork_server
from intake.analysis.workers import ProcessAnalyser
from tests.ingest.test_workers import GOOD, doc
from tests.support import faults


def _ppid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        stat = fh.read()
    return int(stat[stat.rindex(")") + 2:].split()[1])


def test_a_worker_comes_from_the_fork_server_and_holds_none_of_the_parents_files(tmp_path: Path):
    db = tmp_path / "store.sqlite"
    conn = sqlite3.connect(db)  # what a replay holds while its workers run
    conn.execute("create table t (x)")
    secret = tmp_path / "held-open.txt"
    secret.write_text("only the parent reads this")
    fh = secret.open()
    a = ProcessAnalyser(None, analyse_fn=faults.report_open_files)
    try:
        out = a.analyse(doc(GOOD), None)
        worker = a._proc.pid
        server = _ppid(worker)
        assert server != os.getpid()
        assert is_fork_server(server)
        assert _ppid(server) == os.getpid()  # the server is this process's child, a fresh interpreter
        held_by_worker = set(out.outcome.exception.detail.split("\n"))
        for path in (str(db), str(secret)):
            assert path in faults.open_files(os.getpid())  # the probe can see such a file
            assert path not in held_by_worker
            assert path not in faults.open_files(server)
    finally:
        a.close()
        fh.close()
        conn.close()


def test_a_worker_sees_the_environment_of_its_start_not_of_the_servers(monkeypatch):
    first = ProcessAnalyser(None, analyse_fn=faults.report_environment)
    try:
        monkeypatch.setenv("INTAKE_TEST_PROBE", "one")
        assert first.analyse(doc(GOOD), None).outcome.exception.detail == "one"
    finally:
        first.close()
    # The server was running before this change: a worker started now sees it.
    monkeypatch.setenv("INTAKE_TEST_PROBE", "two")
    second = ProcessAnalyser(None, analyse_fn=faults.report_environment)
    try:
        assert second.analyse(doc(GOOD), None).outcome.exception.detail == "two"
    finally:
        second.close()
    monkeypatch.delenv("INTAKE_TEST_PROBE")
    third = ProcessAnalyser(None, analyse_fn=faults.report_environment)
    try:
        assert third.analyse(doc(GOOD), None).outcome.exception.detail == "<unset>"
    finally:
        third.close()


def test_a_crashed_worker_is_replaced_from_the_same_warm_server():
    a = ProcessAnalyser(None, analyse_fn=faults.sigkill_on_marker)
    try:
        assert a.analyse(doc(GOOD), None).outcome.status == "parsed"
        before = a._proc.pid
        server = _ppid(before)
        bad = a.analyse(doc(b"SIGKILL " + GOOD), None)
        assert bad.outcome.exception.code == "parser_crashed"
        assert a.analyse(doc(GOOD), None).outcome.status == "parsed"
        assert a._proc.pid != before and _ppid(a._proc.pid) == server
    finally:
        a.close()


_PROBE = """
import sys
from multiprocessing import forkserver
from intake.analysis.fork_server import is_fork_server
from intake.cli import _start_workers_early
_start_workers_early(sys.argv[1:])
pid = forkserver._forkserver._forkserver_pid
print("none" if pid is None else "server" if is_fork_server(pid) else "other")
"""


def test_a_replay_starts_its_fork_server_before_it_reads_anything_and_an_inline_one_never(tmp_path: Path):
    """`intake replay` starts the workers' fork server first thing, so the
    model loads beside the replay's own start-up; a replay that analyses in
    its own process (--inline) or only prints its help starts none."""
    import subprocess
    import sys

    def server_after(*argv: str) -> str:
        out = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=120,
                             cwd=Path(__file__).resolve().parents[2], env={**os.environ, "INTAKE_INLINE_ANALYSIS": ""})
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert server_after("replay", "--inline", "x.mbox") == "none"
    assert server_after("replay", "--help") == "none"
    assert server_after("replay", "x.mbox") == "server"
