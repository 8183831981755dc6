"""Analysis functions that misbehave, for the worker-isolation tests: faults
the real parsers cannot be made to produce on demand."""

import os
import subprocess
import sys
import time

from intake.analysis.analyse import analyse_document


def hang_on_marker(doc, fallback, settings, template_id=None):
    if b"HANG" in doc.data:
        time.sleep(3600)
    return analyse_document(doc, fallback, settings, template_id=template_id)


def crash_on_marker(doc, fallback, settings, template_id=None):
    if b"CRASH" in doc.data:
        os._exit(139)
    return analyse_document(doc, fallback, settings, template_id=template_id)


def bloat_on_marker(doc, fallback, settings, template_id=None):
    if b"BLOAT" in doc.data:
        hog = bytearray(600 * 1024 * 1024)
        hog[::4096] = b"x" * len(hog[::4096])
        time.sleep(30)
    return analyse_document(doc, fallback, settings, template_id=template_id)


def child_bloat_on_marker(doc, fallback, settings, template_id=None):
    """The memory is the worker's child's (as LibreOffice's would be): a
    process that holds 600 MB until its parent, the worker, is gone."""
    if b"CHILDBLOAT" in doc.data:
        code = ("import os, time\n"
                "parent = os.getppid()\n"
                "hog = bytearray(600 * 1024 * 1024)\n"
                "hog[::4096] = b'x' * len(hog[::4096])\n"
                "deadline = time.time() + 30\n"
                "while os.getppid() == parent and time.time() < deadline:\n"
                "    time.sleep(0.1)\n")
        subprocess.run([sys.executable, "-c", code], check=False)
    return analyse_document(doc, fallback, settings, template_id=template_id)


def sigkill_on_marker(doc, fallback, settings, template_id=None):
    """The worker killed from outside (kill -9, the OOM killer)."""
    if b"SIGKILL" in doc.data:
        os.kill(os.getpid(), 9)
    return analyse_document(doc, fallback, settings, template_id=template_id)


def _probe(detail: str):
    from intake.analysis.analyse import DocumentAnalysis
    from intake.exception_codes import PARSER_CRASHED
    from intake.types import ExceptionInfo, ParseOutcome

    # Any registered code: the tests read the detail.
    return DocumentAnalysis(ParseOutcome(status="exception", exception=ExceptionInfo(PARSER_CRASHED, detail)))


def report_environment(doc, fallback, settings, template_id=None):
    """The worker's view of INTAKE_TEST_PROBE, as the exception's detail."""
    return _probe(os.environ.get("INTAKE_TEST_PROBE", "<unset>"))


def open_files(pid: int | str = "self") -> set[str]:
    """What a process holds open (paths, sockets, pipes)."""
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            held.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return held


def report_open_files(doc, fallback, settings, template_id=None):
    """What the worker holds open, one path per line, as the exception's
    detail."""
    return _probe("\n".join(sorted(open_files())))
