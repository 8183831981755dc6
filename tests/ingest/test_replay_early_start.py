"""A replay starts its analysis workers before it reads the archive, so
their start-up (imports, the spaCy model) runs beside the custody of the
messages: the processor takes those workers rather than starting others,
and a run that finds nothing to do stops them."""

from __future__ import annotations

import mailbox
import os
import time
from email.message import EmailMessage
from pathlib import Path

from intake.analysis import workers
from intake.config.settings import load_settings
from tests.ingest.test_workers import GOOD, doc


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[1][0] != "Z"


def test_prestarted_workers_are_handed_out_for_their_settings_only(monkeypatch):
    monkeypatch.delenv("INTAKE_INLINE_ANALYSIS", raising=False)  # the suite's default
    settings, other = load_settings(), load_settings()
    workers.prestart(settings, 2)
    try:
        for a in workers._PRESTARTED:
            a.wait_started()  # started on threads of their own
        pids = [a._proc.pid for a in workers._PRESTARTED]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        assert isinstance(workers.make_analyser(other), workers.ProcessAnalyser)
        assert len(workers._PRESTARTED) == 2  # another configuration's workers are not these
        a = workers.make_analyser(settings)
        assert a._proc.pid in pids and len(workers._PRESTARTED) == 1
        # warmed, and still an ordinary worker: it analyses
        out = a.analyse(doc(GOOD), None)
        assert out.outcome.status == "parsed"
        a.close()
    finally:
        workers.close_prestarted()
    assert workers._PRESTARTED == []
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids)


def test_a_failing_warm_up_costs_nothing(caplog):
    def broken(doc, fallback, settings, template_id=None):
        raise RuntimeError("no model")

    workers.warm_up(None, broken)
    assert "warm-up failed" in caplog.text and "no model" not in caplog.text


PEOPLE = ["Joe Bloggs drives a silver Astra and is seen at the park after school most days.",
          "Kai Brennan is asked to carry packages to Stoke by an older male called Dee.",
          "Mia Walsh goes missing on Fridays and comes back with a new phone and cash.",
          "Tyler Hughes was picked up outside the Oak Tree takeaway in a black BMW."]


def _message(i: int) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"dsl{i}@school{i}.example.org"
    m["To"] = "intake@force.example.police.uk"
    m["Subject"] = f"Concern {i}"
    m["Message-ID"] = f"<prestart-{i}@school.example.org>"
    m["Date"] = f"Mon, 0{i + 2} Mar 2026 09:00:00 +0000"
    m.set_content(PEOPLE[i])
    return m


def test_replay_uses_its_early_workers_and_a_second_replay_leaves_none(tmp_path: Path, monkeypatch, capsys):
    import multiprocessing

    from intake.cli import main

    monkeypatch.delenv("INTAKE_INLINE_ANALYSIS", raising=False)
    starts: list[bool] = []
    real_start = workers.ProcessAnalyser._start

    def counted(self, warm=False):
        starts.append(warm)
        return real_start(self, warm)

    monkeypatch.setattr(workers.ProcessAnalyser, "_start", counted)
    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    for i in range(len(PEOPLE)):
        box.add(_message(i))
    box.close()
    argv = ["replay", "--db", f"sqlite:///{tmp_path / 'i.sqlite'}", "--no-progress", "--workers", "2",
            str(tmp_path / "in.mbox")]
    assert main(argv) == 0
    assert "documents parsed: 4" in capsys.readouterr().out
    # the two workers started warm before the archive was read, and no others
    assert starts == [True, True]
    assert multiprocessing.active_children() == []
    # Nothing new: the early workers are stopped, none is left behind.
    starts.clear()
    assert main(argv) == 0
    assert starts == [True, True]
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []


def test_ctrl_c_while_the_archive_is_read_stops_cleanly_and_a_rerun_finishes(tmp_path: Path):
    """The workers start while the archive is read: an interrupt then
    stops the read and the early workers, keeps what was stored, and a
    rerun completes every message exactly once."""
    import signal
    import sqlite3
    import subprocess
    import sys

    from intake.cli.exit_codes import EXIT_INTERRUPTED

    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    for i in range(120):
        m = _message(i % len(PEOPLE))
        del m["Message-ID"]
        m["Message-ID"] = f"<ctrlc-{i}@school.example.org>"
        m.set_content(PEOPLE[i % len(PEOPLE)] + f" Seen again on day {i} at {i % 24}:00 near bus stop {i}.")
        box.add(m)
    box.close()
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_INLINE_ANALYSIS"}
    env["OMP_THREAD_LIMIT"] = "1"
    db = tmp_path / "i.sqlite"
    argv = [sys.executable, "-m", "intake.cli", "replay", "--db", f"sqlite:///{db}", "--no-progress",
            "--workers", "2", str(tmp_path / "in.mbox")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # wait until the first messages are in custody, then interrupt
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            with sqlite3.connect(db) as con:
                if con.execute("select count(*) from inbound").fetchone()[0] > 0:
                    break
        except sqlite3.Error:
            continue
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode in (EXIT_INTERRUPTED, 0), err[-2000:]
    again = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    with sqlite3.connect(db) as con:
        states = dict(con.execute("select state, count(*) from inbound group by state").fetchall())
        messages = con.execute("select count(*) from messages").fetchone()[0]
    assert sum(states.values()) == 120 and set(states) == {"done"}, states
    assert messages == 120
