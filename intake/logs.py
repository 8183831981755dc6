"""Logging set-up. Form content is OFFICIAL-SENSITIVE: log codes, counts,
ids and hashes, never names, subjects, addresses or text. Secrets never.

``[logging] format``: "text" (one line per event, ``key=value`` fields at
the end) or "json" (one object per line: level, logger, message, and the
structured fields). Under systemd (``JOURNAL_STREAM`` set) no timestamp of
our own is written: the journal stamps every line. Structured fields are
passed as ``extra=fields(inbox="mase", handled=3)`` and must be ids, codes,
counts or hashes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from typing import Any

FIELDS_ATTR = "intake_fields"
# Third-party libraries log message content at DEBUG (imapclient logs
# commands; pdfminer logs text). Keep them quiet even when -v.
NOISY = ("imapclient", "pdfminer", "pdfplumber", "PIL", "apscheduler.executors",
         "docx", "extract_msg", "alembic.runtime.migration", "alembic.runtime.plugins", "procrastinate")


def fields(**values: Any) -> dict[str, Any]:
    """``log.info("...", extra=fields(inbox=name, handled=n))``."""
    return {FIELDS_ATTR: values}


def under_journald() -> bool:
    return bool(os.environ.get("JOURNAL_STREAM"))


class TextFormatter(logging.Formatter):
    def __init__(self, stamp: bool):
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if stamp else "%(levelname)s %(name)s: %(message)s"
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = getattr(record, FIELDS_ATTR, None)
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return line

    def formatException(self, ei) -> str:
        # A library (APScheduler, a reader's dependency) may log with
        # exc_info: the usual traceback ends with the exception's message,
        # which can quote a document. Type and frames only, as log_fault.
        return f"{ei[0].__name__ if ei and ei[0] else 'exception'} at {where(ei[2] if ei else None)}"


class JsonFormatter(logging.Formatter):
    def __init__(self, stamp: bool):
        super().__init__()
        self.stamp = stamp

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {}
        if self.stamp:
            out["ts"] = self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}"
        out.update(level=record.levelname, logger=record.name, message=record.getMessage())
        extra = getattr(record, FIELDS_ATTR, None)
        if extra:
            out.update({k: v for k, v in extra.items() if k not in out})
        if record.exc_info and record.exc_info[0] is not None:
            # Type only: an exception's message can quote a document.
            out["exception"] = record.exc_info[0].__name__
            out["where"] = where(record.exc_info[2])
        return json.dumps(out, default=str, ensure_ascii=False)


def setup_logging(verbose: bool = False, level: str = "INFO", fmt: str = "text") -> None:
    root = logging.getLogger()
    stamp = not under_journald()
    handler = next((h for h in root.handlers if getattr(h, "_intake", False)), None)
    if handler is None and root.handlers:
        # A host (pytest's capture, an embedding app) set logging up: keep
        # its handlers, only set the level.
        root.setLevel(logging.DEBUG if verbose else level)
        _quiet()
        return
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._intake = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter(stamp) if fmt == "json" else TextFormatter(stamp))
    root.setLevel(logging.DEBUG if verbose else level)
    _quiet()


def _quiet() -> None:
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_fault(logger: logging.Logger, what: str, exc: BaseException, *ids: object) -> None:
    """Log a fault in intake itself with where it happened (file, line,
    function of every frame) but without the exception's message or any
    local value: messages of library exceptions can quote the document
    (a KeyError carries the key, a ValueError the text it could not read)."""
    logger.error("%s: %s at %s", what % ids if ids else what, type(exc).__name__, where(exc.__traceback__))


def where(tb) -> str:
    """File, line and function of the last frames of a traceback: never a
    local value or a message."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    shown = frames[-8:]
    ours = [f for f in frames if _is_intake(f.filename)]
    if ours and ours[-1] not in shown:
        # A library's frames alone (SQLAlchemy runs eight deep) would hide
        # which intake line issued the statement: show intake's last frames
        # and then the library's innermost.
        shown = ours[-4:] + frames[-4:]
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(shown)) or "?"


_PACKAGE = __file__.rsplit("/", 1)[0] + "/"


def _is_intake(filename: str) -> bool:
    return filename.startswith(_PACKAGE)
