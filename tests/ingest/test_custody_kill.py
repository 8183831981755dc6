"""Custody first, proven by killing things: kill -9 a replay at
random points, round after round, and the final export equals a clean
run's, nothing doubled; kill -9 only an analysis worker and the document is
retried on a fresh one, never left parser_crashed by the kill."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.analysis.fork_server import is_fork_server
from intake.analysis.process_tree import children_of
from intake.store.db import Store
from intake.store.models import DocumentRow, Inbound, Message
from tests.imap.helpers import make_message

pytestmark = pytest.mark.slow
INTAKE = str(Path(sys.executable).with_name("intake"))


def _mbox(path: Path, n: int) -> Path:
    with path.open("wb") as fh:
        for i in range(n):
            raw = make_message(i).replace(b"\r\n", b"\n")
            fh.write(b"From referrer@example.org Thu Mar 12 09:30:00 2026\n" + raw + b"\n")
        # the same mail twice in one archive: one message, one sighting
        fh.write(b"From referrer@example.org Thu Mar 12 09:30:00 2026\n" + raw + b"\n")
    return path


def _env(inline: bool) -> dict:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    env.pop("INTAKE_INLINE_ANALYSIS", None)
    if inline:
        env["INTAKE_INLINE_ANALYSIS"] = "1"
    return env


def _replay(db: str, mbox: Path, inline: bool, **kw) -> subprocess.Popen:
    return subprocess.Popen([INTAKE, "replay", "--db", db, "--workers", "2", "--no-progress", str(mbox)],
                            env=_env(inline), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, **kw)


def _export(db: str) -> list[dict]:
    out = subprocess.run([INTAKE, "export", "--db", db, "--format", "jsonl"], capture_output=True, check=True,
                         env=_env(True))
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    for r in rows:  # where each copy was read differs between runs: a path in a temp folder
        r["message"]["origin"] = r["message"]["origin"].rsplit("#", 1)[-1]
    return sorted(rows, key=lambda r: r["document_id"])


def _fresh(tmp_path: Path, name: str) -> str:
    db = f"sqlite:///{tmp_path / name}"
    Store(db).close()
    return db


def test_kill_9_replay_at_random_points(tmp_path):
    mbox = _mbox(tmp_path / "mail.mbox", 40)
    clean = _fresh(tmp_path, "clean.sqlite")
    t0 = time.monotonic()
    p = _replay(clean, mbox, inline=True)
    assert p.wait(300) == 0, p.stdout.read().decode()[-2000:]
    whole = time.monotonic() - t0
    want = _export(clean)
    assert len(want) == 40

    killed = _fresh(tmp_path, "killed.sqlite")
    rng = random.Random(1534)
    kills = 0
    for _ in range(6):
        p = _replay(killed, mbox, inline=True)
        # Anywhere in a whole run's time, whatever this machine's speed (a
        # fixed range let a fast machine finish most runs first); each run
        # starts where the last one stopped, so later ones are shorter.
        time.sleep(rng.uniform(0.1, 0.8) * whole)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            kills += 1
        p.wait(60)
    assert kills >= 3, "the replays finished before they could be killed: the test proves nothing"
    p = _replay(killed, mbox, inline=True)
    out = p.communicate(timeout=300)[0].decode()
    assert p.returncode == 0, out[-2000:]
    # The resumed run's summary adds up: each of the 41 items it read (the
    # last mail twice) is counted once, new or already known.
    read, new, known = map(int, re.search(r"messages read: (\d+)  new: (\d+)  already known: (\d+)\n", out).groups())
    assert (read, new + known) == (41, 41), out
    assert _export(killed) == want
    st = Store(killed)
    try:
        with st.session() as s:
            assert s.scalar(select(func.count(Message.id))) == 40  # nothing doubled
            assert s.scalar(select(func.count(Inbound.id)).where(Inbound.state != "done")) == 0
    finally:
        st.close()


def _workers(pid: int) -> list[int]:
    """The analysis worker processes of a replay: the children of its
    fork server (analysis/fork_server.py), which is a child of the replay."""
    return [w for k in children_of(pid) if is_fork_server(k) for w in children_of(k)]


NARRATIVE = (
    "Concern raised by the school. {name} (14) was seen on Tuesday getting into a grey Audi near Fenwick Park "
    "with two older males who call themselves the Riverside crew. One goes by the nickname Snipes. Staff were told "
    "she has a new phone from them and goes to a flat above the Station Road takeaway after school. Her mother "
    "says she has been missing overnight twice this month and came back with cash and vapes. {i}\n"
) * 6


def _narrative_mbox(path: Path, n: int) -> Path:
    """Free-text reports: each goes through the model (the slow step), so
    a worker can be caught at work."""
    names = ["Ellie Hartwell", "Jade Morrow", "Kayleigh Dunne", "Tia Blackwood"]
    with path.open("wb") as fh:
        for i in range(n):
            raw = make_message(i, attachment=None).replace(b"\r\n", b"\n")
            raw = raw.replace(b"Please find the attached intelligence report.",
                              NARRATIVE.format(name=names[i % 4], i=i).encode())
            fh.write(b"From referrer@example.org Thu Mar 12 09:30:00 2026\n" + raw + b"\n")
    return path


def _done(db: str) -> int:
    st = Store(db, upgrade=False, create=False)
    try:
        with st.session() as s:
            return s.scalar(select(func.count(Inbound.id)).where(Inbound.state == "done")) or 0
    finally:
        st.close()


def test_kill_9_an_analysis_worker_is_not_a_verdict(tmp_path):
    """Real worker processes (no inline analysis): kill them as they work;
    every document is analysed on a fresh worker and none is parser_crashed."""
    n = 30
    mbox = _narrative_mbox(tmp_path / "mail.mbox", n)
    db = _fresh(tmp_path, "w.sqlite")
    p = _replay(db, mbox, inline=False)
    killed: set[int] = set()
    deadline = time.monotonic() + 240
    while p.poll() is None and time.monotonic() < deadline and len(killed) < 2:
        # once messages are being finished the workers are warm and at work:
        # kill one, then another after a little more progress
        if _done(db) >= 2 + 4 * len(killed):
            for child in _workers(p.pid):
                if child not in killed:
                    try:
                        os.kill(child, signal.SIGKILL)
                        killed.add(child)
                    except ProcessLookupError:
                        pass
                    break
        time.sleep(0.05)
    assert p.wait(240) == 0, p.stdout.read().decode()[-2000:]
    assert killed, "no worker was killed: the test proves nothing"
    st = Store(db)
    try:
        with st.session() as s:
            codes = s.scalars(select(DocumentRow.exception_code)).all()
            assert "parser_crashed" not in codes
            assert s.scalar(select(func.count(Message.id))) == n
            # each analysed to the end (near-identical narratives: the later ones are duplicates of the first)
            assert set(s.scalars(select(DocumentRow.status)).all()) <= {"parsed", "duplicate"}
    finally:
        st.close()
