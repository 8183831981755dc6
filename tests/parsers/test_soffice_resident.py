"""The LibreOffice a worker keeps running (parsers/tools/soffice_resident.py),
with real LibreOffice: one process serves many documents, a hang is killed
and the next document still converts, a crash costs a retry on a fresh one,
it dies with its worker, and without a Python that has the UNO bridge each
document gets a LibreOffice of its own, as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from reader_forms import blank, cell_after, document, fill_legacy_fields

from intake.config.settings import Settings
from intake.parsers.readers import read_layout
from intake.parsers.sniff import DOC
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools import soffice
from intake.types import IntakeError

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
HAS_UNO = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode == 0
needs_uno = pytest.mark.skipif(not HAS_UNO, reason="Debian's python3-uno is not installed")


@pytest.fixture(scope="module")
def doc_bytes() -> bytes:
    data = fill_legacy_fields(blank("derbyshire_op_liberty.docx"), texts={"Text2": "Priya Kaur"}, checks={})
    return soffice.convert(data, ".docx", "doc", ParsingOptions(), "test")


def _read(data: bytes, settings=None):
    return read_layout(document(data, DOC, "form.doc"), settings)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _group(pgid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(entry))
    return out


def _pipe_of(group: list[int]) -> Path:
    """The socket file of the resident LibreOffice among ``group`` (it
    outlives LibreOffice unless removed), read from its command line: other
    LibreOffices on the machine have theirs."""
    for pid in group:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        if "--accept=pipe,name=intake_" in cmd:
            name = cmd.split("--accept=pipe,name=", 1)[1].split(";", 1)[0]
            return Path("/tmp") / f"OSL_PIPE_{os.getuid()}_{name}"
    raise AssertionError("no resident LibreOffice in the group")


def _wait_gone(pids, limit_s: float = 15.0) -> list[int]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.2)
    return [p for p in pids if _alive(p)]


@needs_uno
def test_one_libreoffice_serves_document_after_document(doc_bytes):
    assert cell_after(_read(doc_bytes), "Name").text == "Priya Kaur"
    first = soffice.resident_office_pid()
    assert first is not None
    for _ in range(3):
        assert cell_after(_read(doc_bytes), "Name").text == "Priya Kaur"
    assert soffice.resident_office_pid() == first


@needs_uno
def test_a_hung_libreoffice_is_killed_and_the_next_document_converts(doc_bytes):
    soffice.stop_resident()
    _read(doc_bytes)
    pid = soffice.resident_office_pid()
    pgid = os.getpgid(pid)
    office = [p for p in _group(pgid) if p != pgid]  # LibreOffice, not the bridge
    assert office
    pipe = _pipe_of(office)
    assert pipe.exists()
    for p in office:
        os.kill(p, signal.SIGSTOP)  # hangs, as on a hostile document
    settings = Settings(raw={"parsing": {"convert_timeout_s": 2}})
    with pytest.raises(IntakeError) as info:
        _read(doc_bytes, settings)
    assert info.value.code == "conversion_failed"
    assert "convert_timeout_s" in info.value.detail
    assert _wait_gone(office + [pgid]) == []
    assert not pipe.exists()  # nothing left of the killed one
    assert cell_after(_read(doc_bytes), "Name").text == "Priya Kaur"
    assert soffice.resident_office_pid() not in (None, pid)


@needs_uno
def test_a_crashed_libreoffice_is_replaced_for_the_same_document(doc_bytes):
    _read(doc_bytes)
    pid = soffice.resident_office_pid()
    pgid = os.getpgid(pid)
    for p in [p for p in _group(pgid) if p != pgid]:
        os.kill(p, signal.SIGKILL)
    assert cell_after(_read(doc_bytes), "Name").text == "Priya Kaur"
    assert soffice.resident_office_pid() not in (None, pid)


@needs_uno
@pytest.mark.parametrize("busy", [False, True], ids=["idle", "hung-mid-document"])
def test_libreoffice_ends_with_the_worker_that_started_it(doc_bytes, tmp_path, busy):
    src = tmp_path / "form.doc"
    src.write_bytes(doc_bytes)
    script = textwrap.dedent(f"""
        import sys
        from intake.parsers.tools import soffice
        from intake.parsers.support.options import ParsingOptions
        def convert():
            soffice.convert(open({str(src)!r}, "rb").read(), ".doc", "docx", ParsingOptions(), "t", "MS Word 97")
        convert()
        print(soffice.resident_office_pid(), flush=True)
        sys.stdin.readline()
        print("converting", flush=True)
        convert()
    """)
    worker = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=REPO)
    try:
        pid = int(worker.stdout.readline())
        pgid = os.getpgid(pid)
        group = _group(pgid)
        assert pid in group and len(group) >= 2
        pipe = _pipe_of(group)
        assert pipe.exists()
        if busy:
            # LibreOffice hangs on the next document; nobody will read the
            # bridge's stdin again.
            for p in group:
                if p != pgid:
                    os.kill(p, signal.SIGSTOP)
            worker.stdin.write(b"go\n")
            worker.stdin.flush()
            assert worker.stdout.readline() == b"converting\n"
            time.sleep(1)
    finally:
        worker.kill()  # SIGKILL: no clean-up code of its own runs
        worker.wait()
    assert _wait_gone(group) == []
    assert not pipe.exists()
    assert list(Path(tempfile.gettempdir()).glob(f"intake-soffice-{worker.pid}-*")) == []


def test_without_a_uno_python_each_document_starts_libreoffice(doc_bytes, caplog):
    # intake's own virtualenv Python has no UNO bridge.
    settings = Settings(raw={"parsing": {"soffice_python": sys.executable}})
    assert cell_after(_read(doc_bytes, settings), "Name").text == "Priya Kaur"
    assert "python3-uno" in caplog.text
    assert cell_after(_read(doc_bytes, settings), "Name").text == "Priya Kaur"
    off = Settings(raw={"parsing": {"soffice_python": ""}})
    assert cell_after(_read(doc_bytes, off), "Name").text == "Priya Kaur"


def test_a_python_that_is_not_there_falls_back_too(doc_bytes):
    settings = Settings(raw={"parsing": {"soffice_python": "/nonexistent/python3"}})
    assert cell_after(_read(doc_bytes, settings), "Name").text == "Priya Kaur"


@needs_uno
def test_restarted_after_its_quota_of_conversions(doc_bytes):
    settings = Settings(raw={"parsing": {"soffice_restart_after": 2}})
    soffice.stop_resident()
    pids = []
    for _ in range(3):
        _read(doc_bytes, settings)
        pids.append(soffice.resident_office_pid())
    assert pids[0] == pids[1] != pids[2]
    assert _wait_gone([pids[0]]) == []


@needs_uno
def test_an_idle_libreoffice_is_shut_down_and_started_again_when_needed(doc_bytes):
    settings = Settings(raw={"parsing": {"soffice_idle_s": 1.5}})
    _read(doc_bytes, settings)
    pid = soffice.resident_office_pid()
    assert pid is not None
    assert _wait_gone([pid], limit_s=20) == []
    assert soffice.resident_office_pid() is None
    assert cell_after(_read(doc_bytes), "Name").text == "Priya Kaur"
    assert soffice.resident_office_pid() not in (None, pid)


@needs_uno
def test_a_libreoffice_started_by_a_thread_that_ended_serves_the_next_document(doc_bytes):
    """The kernel's parent-death signal follows the thread that started the
    bridge: a review-app request thread that retires must not take the
    process's LibreOffice with it."""
    import threading

    soffice.stop_resident()
    t = threading.Thread(target=_read, args=(doc_bytes,))
    t.start()
    t.join()
    pid = soffice.resident_office_pid()
    assert pid is not None
    time.sleep(2)
    assert _alive(pid)
    assert cell_after(_read(doc_bytes), "Name").text == "Priya Kaur"
    assert soffice.resident_office_pid() == pid
