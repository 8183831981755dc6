"""LibreOffice never outlives intake: a real `intake replay` converting .doc
attachments with its resident LibreOffice is killed with SIGKILL, its whole
process group at once, or only its analysis worker, round after round at a
random moment (idle between documents or mid-conversion), or the moment
the worker has started the UNO bridge, before LibreOffice is up (a bridge
then answered a dead worker, died of the broken pipe and left LibreOffice
running: 3 of 3 rounds before the fix). Within a few seconds no process
of that run's LibreOffice is left: soffice.bin, oosplash, the UNO bridge. Every process of a run is found by the run's own
temporary folder, where the worker makes LibreOffice's profile, so other
LibreOffices on the machine do not count."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools import soffice
from tests.security.planted import form_bytes, write_mbox

pytestmark = pytest.mark.slow

INTAKE = str(Path(sys.executable).with_name("intake"))
HAS_UNO = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode == 0
ROUNDS = 5
GONE_WITHIN_S = 5.0


@pytest.fixture(scope="module")
def mbox(tmp_path_factory) -> Path:
    doc = soffice.convert(form_bytes(), ".docx", "doc", ParsingOptions(), "test")
    soffice.stop_resident()
    msgs = []
    for i in range(30):
        m = EmailMessage()
        m["From"] = "dsl@school.example.org"
        m["To"] = "intel@example.police.uk"
        m["Subject"] = f"Referral {i}"
        m["Message-ID"] = f"<soffice-{i}@school.example.org>"
        m.set_content("Please find the form attached.")
        # a distinct .doc each time: the same bytes would be a duplicate, not converted again
        m.add_attachment(doc + b"\0" * i, maintype="application", subtype="msword", filename=f"form{i}.doc")
        msgs.append(m)
    return write_mbox(tmp_path_factory.mktemp("soffice-mail") / "forms.mbox", msgs)


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def _processes(marker: str) -> dict[int, str]:
    """Live processes (zombies excluded) whose command line names ``marker``."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            cmd = _cmdline(pid)
            if marker in cmd and _state(pid) not in ("Z", "?"):
                out[int(pid)] = cmd
    return out


def _worker_starting(run_dir: str, want: str, killed=(), limit_s: float = 120.0) -> int:
    """The analysis worker (its pid names LibreOffice's profile) of the
    first process of this run whose command line has ``want``: the UNO
    bridge ("soffice_bridge.py", the moment the worker starts one, before
    LibreOffice is up) or "soffice.bin" (LibreOffice running)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        for cmd in _processes(run_dir).values():
            if want in cmd and "intake-soffice-" in cmd:
                worker = int(cmd.split("intake-soffice-", 1)[1].split("-", 1)[0])
                if worker not in killed:
                    return worker
        time.sleep(0.02)
    raise AssertionError(f"no {want} started")


def _moment(n: int) -> str:
    """Every other round kills as soon as the bridge exists (a LibreOffice
    starting for a worker already dead: the case that once left one
    behind); the others once LibreOffice runs, at a random moment (idle
    between documents, or mid-conversion)."""
    return "soffice_bridge.py" if n % 2 == 0 else "soffice.bin"


def _left_after(marker: str, limit_s: float = GONE_WITHIN_S) -> dict[int, str]:
    deadline = time.monotonic() + limit_s
    while True:
        left = _processes(marker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _replay(tmp_path: Path, mbox: Path, n: int) -> tuple[subprocess.Popen, str]:
    run_dir = tmp_path / f"run{n}"
    run_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(run_dir), "OMP_THREAD_LIMIT": "1"}
    env.pop("INTAKE_INLINE_ANALYSIS", None)  # analysis in a worker process, as in production
    proc = subprocess.Popen([INTAKE, "replay", "--db", f"sqlite:///{run_dir / 's.sqlite'}", "--no-progress",
                             str(mbox)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    return proc, str(run_dir)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


@pytest.mark.skipif(not HAS_UNO, reason="Debian's python3-uno is not installed")
def test_kill_9_of_the_replays_process_group_leaves_no_libreoffice(tmp_path, mbox):
    rng = random.Random(19)
    for n in range(ROUNDS):
        proc, run_dir = _replay(tmp_path, mbox, n)
        try:
            want = _moment(n)
            _worker_starting(run_dir, want)
            if want == "soffice.bin":
                time.sleep(rng.uniform(0.0, 2.0))
        finally:
            _kill_group(proc)
        assert _left_after(run_dir) == {}, f"round {n + 1} ({want}): LibreOffice outlived the replay"


@pytest.mark.skipif(not HAS_UNO, reason="Debian's python3-uno is not installed")
def test_kill_9_of_the_analysis_worker_alone_leaves_no_libreoffice(tmp_path, mbox):
    rng = random.Random(21)
    proc, run_dir = _replay(tmp_path, mbox, 0)
    killed: list[int] = []
    try:
        for n in range(ROUNDS):
            want = _moment(n)
            worker = _worker_starting(run_dir, want, killed)
            if want == "soffice.bin":
                time.sleep(rng.uniform(0.0, 2.0))
            assert proc.poll() is None and worker != proc.pid
            os.kill(worker, signal.SIGKILL)
            killed.append(worker)
            assert _left_after(f"intake-soffice-{worker}-") == {}, \
                f"round {n + 1} ({want}): LibreOffice outlived its worker"
            assert proc.poll() is None  # the replay goes on with a fresh worker
    finally:
        _kill_group(proc)
    assert _left_after(run_dir) == {}
