"""Convert office documents with LibreOffice headless.

A worker process keeps one LibreOffice running (soffice_resident.py) and
hands it every document; when that cannot be had (no Python with the UNO
bridge), each conversion starts LibreOffice afresh, as before.

Each process keeps its own LibreOffice profile: two soffice instances on
one profile lose conversions, and a fresh profile per call costs seconds of
start-up. A conversion that times out is killed with its process group and
its profile thrown away, since a killed soffice can leave it locked."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from intake.exception_codes import CONVERSION_FAILED
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools import soffice_resident as resident
from intake.parsers.tools.process import ToolTimeout, run_tool
from intake.types import IntakeError

log = logging.getLogger(__name__)

# What LibreOffice is given, by media type, and the file suffix it needs to
# open it: one table for the office reader (which converts to .docx) and the
# review app (which converts to PDF to show the original).
SUFFIXES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-word.document.macroenabled.12": ".docm",
    "application/msword": ".doc",
    "application/vnd.ms-word": ".doc",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/vnd.oasis.opendocument.text": ".odt",
}

_lock = threading.Lock()
_profile: dict[int, Path] = {}
# LibreOffice's export filter for each target format callers ask for.
EXPORT_FILTERS = {"docx": "MS Word 2007 XML", "pdf": "writer_pdf_Export", "doc": "MS Word 97",
                  "odt": "writer8", "rtf": "Rich Text Format"}
# Consecutive failed starts of the resident LibreOffice before this process
# gives up on it and converts one document per start.
MAX_START_FAILURES = 3
# A start may take longer than a conversion (a new profile, a loaded machine).
START_LIMIT_S = 60.0


class _Resident:
    """This process's resident LibreOffice, and the configurations (Python,
    soffice) it could not be had with. One left idle for
    parsing.soffice_idle_s is shut down (a daemon with a LibreOffice per
    worker would otherwise hold its memory through a quiet night)."""

    def __init__(self) -> None:
        self.office: resident.ResidentOffice | None = None
        self.key: tuple[str, str] | None = None
        self.disabled: set[tuple[str, str]] = set()
        self.start_failures = 0
        self.last_used = 0.0
        self.idle_s = 0.0
        self._watcher: threading.Thread | None = None

    def used(self, opts: ParsingOptions) -> None:
        self.last_used, self.idle_s = time.monotonic(), opts.soffice_idle_s
        if self.idle_s > 0 and (self._watcher is None or not self._watcher.is_alive()):
            self._watcher = threading.Thread(target=self._watch_idle, name="soffice-idle", daemon=True)
            self._watcher.start()

    def _watch_idle(self) -> None:
        while True:
            time.sleep(max(1.0, min(self.idle_s, 60.0) / 4))
            with _lock:
                if self.office is None or self.idle_s <= 0:
                    return
                if time.monotonic() - self.last_used >= self.idle_s:
                    self.drop(clean=True)
                    return

    def get(self, opts: ParsingOptions) -> resident.ResidentOffice | None:
        key = (opts.soffice_python, opts.soffice)
        if not opts.soffice_python or key in self.disabled:
            return None
        office = self.office
        if (office is not None and self.key == key and office.usable()
                and office.conversions < opts.soffice_restart_after):
            return office
        self.drop(clean=True)
        try:
            self.office = resident.ResidentOffice(opts.soffice_python, opts.soffice,
                                                  max(opts.convert_timeout_s, START_LIMIT_S))
        except resident.Unavailable as exc:
            self.start_failures += 1
            if exc.permanent or self.start_failures >= MAX_START_FAILURES:
                self.disabled.add(key)
                self.start_failures = 0
                log.warning("LibreOffice will be started for every document in this process: no resident "
                            "LibreOffice (%s; parsing.soffice_python needs Debian's python3-uno)", exc.why)
            return None
        self.key, self.start_failures = key, 0
        return self.office

    def drop(self, clean: bool = False) -> None:
        office, self.office = self.office, None
        if office is not None:
            office.close() if clean else office.kill()


_resident = _Resident()
atexit.register(_resident.drop, True)


def stop_resident() -> None:
    """Shut this process's resident LibreOffice down (the next conversion
    starts a fresh one)."""
    with _lock:
        _resident.drop(clean=True)


def resident_office_pid() -> int | None:
    """The running LibreOffice's process id (tests: one process serves many
    documents), or None."""
    office = _resident.office
    return office.office_pid if office is not None and office.usable() else None


def _profile_dir() -> Path:
    pid = os.getpid()
    path = _profile.get(pid)
    if path is None:
        path = Path(tempfile.mkdtemp(prefix=f"intake-soffice-{pid}-"))
        _profile[pid] = path
        atexit.register(shutil.rmtree, path, True)
    return path


def _drop_profile() -> None:
    path = _profile.pop(os.getpid(), None)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def _timed_out(what: str, opts: ParsingOptions) -> IntakeError:
    return IntakeError(
        CONVERSION_FAILED,
        f"LibreOffice did not finish converting the {what} within "
        f"{opts.convert_timeout_s:g} s; open it by hand, or raise "
        "parsing.convert_timeout_s.",
    )


def _not_converted(what: str, why: str) -> IntakeError:
    return IntakeError(
        CONVERSION_FAILED,
        f"LibreOffice could not convert the {what} ({why}); "
        "it may be damaged or password-protected. Open it by hand.",
    )


def convert(data: bytes, in_suffix: str, to: str, opts: ParsingOptions, what: str,
            infilter: str | None = None) -> bytes:
    """Convert ``data`` (a file whose name would end in ``in_suffix``) to
    format ``to`` ("docx", "pdf"); the bytes of the result. ``infilter``
    pins the import filter: without it LibreOffice opens a damaged file as
    plain text and "converts" the garbage."""
    with _lock, tempfile.TemporaryDirectory(prefix="intake-convert-") as tmp:
        src = Path(tmp) / f"input{in_suffix}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        out_dir.mkdir()
        export = EXPORT_FILTERS.get(to.split(":", 1)[0])
        if export is not None:
            result = _convert_resident(src, out_dir / f"input.{to}", infilter, export, opts, what)
            if result is not None:
                return result
        return _convert_once(src, out_dir, to, infilter, opts, what, tmp)


def _convert_resident(src: Path, dst: Path, infilter: str | None, export: str, opts: ParsingOptions,
                      what: str) -> bytes | None:
    """Through the resident LibreOffice; None when there is none to use.
    A LibreOffice that dies on a document gets one more try on a fresh one
    (the one before may have left it broken); a hang is killed."""
    for attempt in (1, 2):
        office = _resident.get(opts)
        if office is None:
            return None
        _resident.used(opts)
        try:
            office.convert(src, dst, infilter, export, opts.convert_timeout_s)
        except resident.Timeout:
            _resident.drop()
            raise _timed_out(what, opts) from None
        except resident.Died:
            _resident.drop()
            if attempt == 2:
                raise _not_converted(what, "LibreOffice stopped while reading it") from None
            continue
        except resident.Failed:
            raise _not_converted(what, "LibreOffice could not open it") from None
        if not dst.exists() or dst.stat().st_size == 0:
            raise _not_converted(what, "LibreOffice wrote nothing")
        return dst.read_bytes()
    return None


def _convert_once(src: Path, out_dir: Path, to: str, infilter: str | None, opts: ParsingOptions,
                  what: str, cwd: str) -> bytes:
    """A LibreOffice started for this one document."""
    profile = _profile_dir()
    argv = [
        opts.soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to", to, "--outdir", str(out_dir), str(src),
    ]
    try:
        proc = run_tool(argv, opts.convert_timeout_s, what="LibreOffice",
                        env={"HOME": str(profile)}, cwd=cwd)
    except ToolTimeout:
        _drop_profile()
        raise _timed_out(what, opts) from None
    produced = sorted(out_dir.glob(f"*.{to.split(':', 1)[0]}"))
    if not produced or produced[0].stat().st_size == 0:
        raise _not_converted(what, f"exit status {proc.returncode}")
    return produced[0].read_bytes()
