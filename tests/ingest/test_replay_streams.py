"""Replay given something that is not a regular file: a named pipe is read
once, as a stream, and what was not read is never reported as success; a
device is refused; nothing hangs without saying so."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from intake.cli import main
from tests.support.mail import NARRATIVE, message

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _mbox_bytes(n: int) -> bytes:
    out = b""
    for i in range(n):
        raw = message(msgid=f"<pipe{i}@example.org>", body=f"Report {i}. " + NARRATIVE).as_bytes()
        out += b"From sender@example.org Wed Mar  4 14:30:00 2026\n" + raw + b"\n"
    return out


class Writer(threading.Thread):
    """Writes to the pipe as another program would, and records whether it
    was cut off (SIGPIPE shows as BrokenPipeError in Python)."""

    def __init__(self, path, data: bytes, chunk: int = 4096):
        super().__init__(daemon=True)
        self.path, self.data, self.chunk = path, data, chunk
        self.broken = False
        self.done = False

    def run(self):
        try:
            with open(self.path, "wb") as fh:
                for i in range(0, len(self.data), self.chunk):
                    fh.write(self.data[i:i + self.chunk])
                    fh.flush()
        except BrokenPipeError:
            self.broken = True
        self.done = True


def test_mbox_on_a_pipe_is_read_message_by_message(tmp_path, capsys):
    fifo = tmp_path / "archive.pipe"
    os.mkfifo(fifo)
    writer = Writer(fifo, _mbox_bytes(5))
    writer.start()
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", str(fifo)]) == 0
    writer.join(10)
    out = capsys.readouterr()
    assert "messages read: 5  new: 5" in out.out
    assert "a pipe; reading it as a stream" in out.err
    assert writer.done and not writer.broken


def test_single_message_on_a_pipe(tmp_path, capsys):
    fifo = tmp_path / "one.pipe"
    os.mkfifo(fifo)
    Writer(fifo, message(msgid="<single@example.org>").as_bytes()).start()
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", str(fifo)]) == 0
    assert "messages read: 1  new: 1" in capsys.readouterr().out


def test_pipe_that_closes_without_data_is_not_success(tmp_path, capsys):
    fifo = tmp_path / "empty.pipe"
    os.mkfifo(fifo)
    Writer(fifo, b"").start()
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", str(fifo)]) == 1
    assert "nothing was read" in capsys.readouterr().err


def test_pipe_carrying_something_else_is_not_success_and_the_writer_finishes(tmp_path, capsys):
    fifo = tmp_path / "junk.pipe"
    os.mkfifo(fifo)
    writer = Writer(fifo, os.urandom(300_000))
    writer.start()
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", str(fifo)]) == 1
    writer.join(10)
    assert "not an mbox" in capsys.readouterr().err
    assert not writer.broken


def test_one_message_over_the_limit_on_a_pipe_is_refused_and_drained(tmp_path):
    from intake.ingest.sources.detect import ArchiveError, iter_archive

    fifo = tmp_path / "big.pipe"
    os.mkfifo(fifo)
    big = message(msgid="<big@example.org>", body="x " * 40_000).as_bytes()
    writer = Writer(fifo, big)
    writer.start()
    with pytest.raises(ArchiveError, match="not stored"):
        list(iter_archive(fifo, max_stream_message=10_000))
    writer.join(10)
    assert writer.done and not writer.broken


def test_pipe_without_a_writer_says_it_is_waiting(tmp_path):
    """It waits (a writer may come), but never silently, and it does go on
    when the writer comes."""
    fifo = tmp_path / "later.pipe"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}",
         str(fifo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "waiting for a writer" not in line and time.monotonic() < deadline:
            line += proc.stderr.readline()
        assert "waiting for a writer" in line
        assert proc.poll() is None
        Writer(fifo, message(msgid="<late@example.org>").as_bytes()).run()
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        assert "messages read: 1  new: 1" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_device_is_refused(tmp_path, capsys):
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", "/dev/null"]) == 1
    assert "character device" in capsys.readouterr().err


def test_pipe_inside_a_folder_is_skipped_with_its_reason_not_waited_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "stray.pipe")
    (folder / "a.eml").write_bytes(message(msgid="<a@example.org>").as_bytes())
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", str(folder)]) == 0
    out = capsys.readouterr()
    assert "messages read: 1  new: 1" in out.out
    assert "stray.pipe" in out.err and "not a regular file" in out.err
