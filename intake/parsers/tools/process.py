"""Run an external tool (soffice, pdftoppm, tesseract) with a time limit,
and kill its whole process group when the limit passes: soffice forks a
child that would otherwise outlive us and hold the profile lock."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence

from intake.exception_codes import TOOL_MISSING
from intake.types import IntakeError


class ToolTimeout(Exception):
    pass


def run_tool(
    argv: Sequence[str],
    timeout_s: float,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    what: str = "tool",
) -> subprocess.CompletedProcess[bytes]:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise IntakeError(
            TOOL_MISSING,
            f"The {what} program ({argv[0]}) is not installed or not on PATH; "
            "install it or set its path under [parsing] in the config.",
        ) from None
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ToolTimeout(what) from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        pass
