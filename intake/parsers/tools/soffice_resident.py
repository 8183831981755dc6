"""One LibreOffice kept running per worker process, instead of one start
per document (a start costs one to three seconds; a conversion by a running
LibreOffice a tenth of that).

It runs behind soffice_bridge.py, under the Python named by
parsing.soffice_python (one with Debian's python3-uno), and is spoken to
over that bridge's stdin and stdout: no port, no network. Started on the
first document that needs it, with a private profile; restarted after
parsing.soffice_restart_after conversions (LibreOffice's memory grows with
use); killed with its whole process group when a conversion passes
parsing.convert_timeout_s, so the next document gets a fresh one. When no
such Python is there, the caller converts the old way (soffice.py).

It never outlives the worker: the bridge runs in a session of its own (a
Ctrl-C at the terminal is the worker's to handle, not LibreOffice's), and
the kernel ends it when the process that started it ends, however that
happens (soffice_bridge.py: PR_SET_PDEATHSIG); a test kills replays and
workers with SIGKILL and looks for what is left."""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

BRIDGE = Path(__file__).with_name("soffice_bridge.py")
# The kernel's "parent died" signal follows the thread that started the
# child, not the process: one thread that lives as long as the process
# starts every bridge, so a review-app request thread that retires does not
# take LibreOffice with it.
# One per process id: a forked child has none of its parent's threads.
_spawners: dict[int, ThreadPoolExecutor] = {}


def _spawner() -> ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _spawners:
        _spawners[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="soffice-start")
    return _spawners[pid]


class Unavailable(Exception):
    """No resident LibreOffice can be had; ``permanent`` when retrying is
    pointless (the Python has no UNO bridge, or does not exist)."""

    def __init__(self, why: str, permanent: bool):
        super().__init__(why)
        self.why, self.permanent = why, permanent


class Timeout(Exception):
    pass


class Died(Exception):
    pass


class Failed(Exception):
    """LibreOffice, alive, could not open or save the document."""


class ResidentOffice:
    def __init__(self, python: str, soffice: str, start_timeout_s: float):
        self.owner = os.getpid()
        self.profile = Path(tempfile.mkdtemp(prefix=f"intake-soffice-{self.owner}-"))
        self.conversions = 0
        self.pipe = ""
        self._buf = b""
        try:
            self.proc = _spawner().submit(
                subprocess.Popen, [python, "-I", str(BRIDGE), soffice, str(self.profile), str(self.owner)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={**os.environ, "HOME": str(self.profile)}, start_new_session=True).result()
        except OSError:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise Unavailable("python_missing", permanent=True) from None
        try:
            ready = self._read(start_timeout_s)
        except (Timeout, Died):
            self.kill()
            raise Unavailable("start_failed", permanent=False) from None
        if not ready.get("ok"):
            self.kill()
            # No UNO bridge in that Python, or no LibreOffice where it says:
            # the same every time.
            permanent = ready.get("error") == "no_uno" or ready.get("kind") == "FileNotFoundError"
            raise Unavailable(str(ready.get("error")), permanent=permanent)
        self.office_pid = int(ready.get("pid") or 0)
        self.pipe = str(ready.get("pipe") or "")

    def _read(self, timeout_s: float) -> dict:
        deadline = time.monotonic() + timeout_s
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise Died()
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            raise Died() from None

    def convert(self, src: Path, dst: Path, infilter: str | None, export: str, timeout_s: float) -> None:
        request = {"in": str(src), "out": str(dst), "infilter": infilter, "filter": export}
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Died() from None
        reply = self._read(timeout_s)
        self.conversions += 1
        if reply.get("ok"):
            return
        if reply.get("dead"):
            raise Died()
        raise Failed(str(reply.get("kind")))

    def usable(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def close(self) -> None:
        """Let LibreOffice shut down cleanly (stdin closed), else kill it."""
        if self.owner != os.getpid():
            return  # a forked child must not stop its parent's LibreOffice
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def kill(self) -> None:
        if self.owner != os.getpid():
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
        if self.pipe.startswith("intake_"):
            # A LibreOffice killed (or even stopped) leaves its pipe's socket file.
            for d in ("/tmp", "/var/tmp"):
                try:
                    os.unlink(os.path.join(d, f"OSL_PIPE_{os.getuid()}_{self.pipe}"))
                except OSError:
                    pass
