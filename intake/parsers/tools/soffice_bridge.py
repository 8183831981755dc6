"""Keep one LibreOffice running and convert documents on request.

Run by intake/parsers/tools/soffice_resident.py, NOT imported by intake:
it runs under a Python that has LibreOffice's UNO bridge (Debian's
python3-uno, for the system python3), which intake's own environment need
not have. Standard library and uno only.

    python3 -I soffice_bridge.py SOFFICE PROFILE_DIR PARENT_PID

Requests arrive one JSON line at a time on stdin ({"in", "out", "infilter",
"filter"}: paths and LibreOffice filter names) and each gets one JSON line
on stdout. LibreOffice is reached through a named pipe (a socket file only
this user can open, under a random name), never a TCP port: whoever can
talk to LibreOffice's UNO port can make it run code. That is why this is
not unoserver, which listens on TCP for both UNO and its XML-RPC API, with
no authentication, and waits a fixed 7 s at start-up.

Documents are opened hidden, read-only, with macros never run and links
never updated (no network fetches). The bridge ends, and takes LibreOffice
with it, when stdin closes or its parent process dies, however it dies: the
kernel tells it (PR_SET_PDEATHSIG, SIGTERM, taken by a thread of its own
so that a main thread stuck in a call to LibreOffice does not delay it),
and LibreOffice is started as soffice.bin itself, not through the oosplash
launcher, with the kernel told to kill it if the bridge ends first (an
oosplash between them would leave soffice.bin behind when the bridge is
killed outright). Linux only, as intake is."""

import ctypes
import importlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time

START_LIMIT_S = 120.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# soffice.bin asks its launcher to start it again with these exit codes
# (desktop/inc/exithelper.h): a restart after the first start on a new
# profile, or after a crash with restart requested.
RESTART_CODES = (79, 81)
_leftovers: list[str] = []  # the profile and LibreOffice's pipe file, removed on the way out
_offices: list[subprocess.Popen] = []  # every soffice.bin started
_prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before any fork, not in the child


def die_with_parent(parent: int, sig: int) -> None:
    """Have the kernel send ``sig`` to this process when its parent ends.
    A parent that ended before this call would never send it: end now."""
    if _prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        os._exit(5)
    if os.getppid() != parent:
        os._exit(6)


def office_program(soffice: str) -> str:
    """soffice.bin beside the soffice named (through its links), else that
    name as given (an install without the launcher split)."""
    found = shutil.which(soffice) or soffice
    program = os.path.join(os.path.dirname(os.path.realpath(found)), "soffice.bin")
    return program if os.access(program, os.X_OK) else soffice


def office_env() -> dict:
    # What the soffice shell script sets before it starts oosplash.
    env = dict(os.environ)
    env["LO_SAVE_LC_ALL"] = env.get("LC_ALL", "")
    env["LC_ALL"] = "C"
    env["SAL_ENABLE_FILE_LOCKING"] = "1"
    return env


def pipe_paths(name: str) -> list[str]:
    """Where LibreOffice puts the socket of a named pipe (osl: /tmp, else
    /var/tmp). It does not remove it on exit, even a clean one."""
    return [os.path.join(d, f"OSL_PIPE_{os.getuid()}_{name}") for d in ("/tmp", "/var/tmp")]


def _clean_up() -> None:
    for path in _leftovers:
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def _end() -> None:
    """LibreOffice killed and reaped first, then its files removed (one
    still running writes into a profile being removed), then whatever else
    is left in this group (its helpers), this bridge included."""
    for proc in _offices:
        try:
            proc.kill()
            proc.wait(timeout=5)
        except Exception:  # gone already, or will be by the group's SIGKILL
            pass
    _clean_up()
    _kill_group()


def _kill_group() -> None:
    # Started in a session of its own by the client: the group is this
    # bridge, soffice.bin and the helpers it starts (gpg), nothing else.
    try:
        os.killpg(0, signal.SIGKILL)
    except OSError:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    """If intake's worker dies (kill -9, the OOM killer) while LibreOffice
    hangs, nobody would close stdin: end everything here, at once when the
    kernel's SIGTERM arrives (blocked in every other thread, so it waits
    here), or at the next look at who the parent is."""
    while True:
        got = signal.sigtimedwait({signal.SIGTERM}, 1.0)
        if got is not None or os.getppid() != parent:
            _end()


def _reply(**fields) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class Office:
    def __init__(self, uno, soffice: str, profile: str):
        self.uno = uno
        self.pipe = "intake_" + secrets.token_hex(16)
        _leftovers.extend(pipe_paths(self.pipe))
        url = "file://" + profile  # absolute path from the client
        self.argv = [office_program(soffice), f"-env:UserInstallation={url}", "--headless", "--invisible",
                     "--nocrashreport", "--nodefault", "--nologo", "--nofirststartwizard", "--norestore",
                     "--nolockcheck", f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"]
        self.proc = self._start()
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        no_connect = uno.getClass("com.sun.star.connection.NoConnectException")
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except no_connect:
                if self.proc.poll() in RESTART_CODES and time.monotonic() < deadline:
                    self.proc = self._start()  # what oosplash would have done
                elif self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.1)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def _start(self) -> subprocess.Popen:
        bridge = os.getpid()

        def child() -> None:
            # In the child before exec: SIGTERM is blocked in the bridge
            # (its watcher takes it) and LibreOffice must not inherit that.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            die_with_parent(bridge, signal.SIGKILL)

        proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=office_env(), preexec_fn=child)
        _offices.append(proc)
        return proc

    def _props(self, **values):
        out = []
        for name, value in values.items():
            p = self.uno.createUnoStruct("com.sun.star.beans.PropertyValue")
            p.Name, p.Value = name, value
            out.append(p)
        return tuple(out)

    def convert(self, src: str, dst: str, infilter, export: str) -> None:
        load = {"Hidden": True, "ReadOnly": True,
                "MacroExecutionMode": 0,  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
                "UpdateDocMode": 0}  # com.sun.star.document.UpdateDocMode.NO_UPDATE
        if infilter:
            load["FilterName"] = infilter
        doc = self.desktop.loadComponentFromURL(self.uno.systemPathToFileUrl(src), "_blank", 0,
                                                self._props(**load))
        if doc is None:
            raise ValueError("LibreOffice could not open the file")
        try:
            doc.storeToURL(self.uno.systemPathToFileUrl(dst), self._props(FilterName=export, Overwrite=True))
        finally:
            try:
                doc.close(True)
            except Exception:  # a document that will not close is LibreOffice's to drop
                pass

    def alive(self) -> bool:
        """LibreOffice still running and answering (a crash shows first as
        a broken UNO connection, before the process is reaped)."""
        if self.proc.poll() is not None:
            return False
        try:
            self.desktop.getCurrentComponent()
            return True
        except Exception:
            return False

    def stop(self) -> None:
        try:
            self.desktop.terminate()
        except Exception:  # already gone, or the bridge broke: killed below
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    parent = int(sys.argv[3]) if len(sys.argv) > 3 else os.getppid()
    _leftovers.append(profile)
    # Before any thread starts, so that every thread inherits the mask and
    # only the watcher's sigtimedwait takes the signal.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    if _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0 or os.getppid() != parent:
        # The worker ended before the kernel could be told: nobody needs us.
        _clean_up()
        return 5
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        # By name: uno comes from Debian's python3-uno, not from intake's
        # environment, whose dependency checks read import statements.
        uno = importlib.import_module("uno")
    except ImportError:
        _reply(ok=False, error="no_uno")
        return 3
    try:
        office = Office(uno, soffice, profile)
    except Exception as exc:
        try:
            _reply(ok=False, error="start_failed", kind=type(exc).__name__)
        finally:
            _end()  # a LibreOffice half started goes too
        return 4
    try:
        # Inside the try: a worker gone before the answer (a broken pipe)
        # must not leave this LibreOffice running.
        _reply(ok=True, ready=True, pid=office.proc.pid, pipe=office.pipe)
        for line in sys.stdin:
            req = json.loads(line)
            try:
                office.convert(req["in"], req["out"], req.get("infilter"), req["filter"])
                _reply(ok=True)
            except Exception as exc:
                # The type name only: the message may quote the document.
                dead = not office.alive()
                _reply(ok=False, error="convert_failed", kind=type(exc).__name__, dead=dead)
                if dead:
                    break
    finally:
        office.stop()
        _end()
    return 0


if __name__ == "__main__":
    sys.exit(main())
