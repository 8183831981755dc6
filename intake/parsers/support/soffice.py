"""Convert office documents with LibreOffice headless.

Each process keeps its own LibreOffice profile: two soffice instances on
one profile lose conversions, and a fresh profile per call costs seconds of
start-up. A conversion that times out is killed with its process group and
its profile thrown away, since a killed soffice can leave it locked."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

from intake.exception_codes import CONVERSION_FAILED
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.process import ToolTimeout, run_tool
from intake.types import IntakeError

_lock = threading.Lock()
_profile: dict[int, Path] = {}


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
                            env={"HOME": str(profile)}, cwd=tmp)
        except ToolTimeout:
            _drop_profile()
            raise IntakeError(
                CONVERSION_FAILED,
                f"LibreOffice did not finish converting the {what} within "
                f"{opts.convert_timeout_s:g} s; open it by hand, or raise "
                "parsing.convert_timeout_s.",
            ) from None
        produced = sorted(out_dir.glob(f"*.{to.split(':', 1)[0]}"))
        if not produced or produced[0].stat().st_size == 0:
            raise IntakeError(
                CONVERSION_FAILED,
                f"LibreOffice could not convert the {what} (exit status {proc.returncode}); "
                "it may be damaged or password-protected. Open it by hand.",
            )
        return produced[0].read_bytes()
