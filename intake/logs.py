"""Logging set-up. Form content is OFFICIAL-SENSITIVE: log codes, counts,
ids and hashes, never names, subjects, addresses or text. Secrets never."""

from __future__ import annotations

import logging
import sys
import traceback


def setup_logging(verbose: bool = False) -> None:
    root = logging.getLogger()
    if root.handlers:
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Third-party libraries log message content at DEBUG (imapclient logs
    # commands; pdfminer logs text). Keep them quiet even when -v.
    for noisy in ("imapclient", "pdfminer", "pdfplumber", "PIL", "apscheduler.executors",
                  "docx", "extract_msg", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_fault(logger: logging.Logger, what: str, exc: BaseException, *ids: object) -> None:
    """Log a fault in intake itself with where it happened (file, line,
    function of every frame) but without the exception's message or any
    local value: messages of library exceptions can quote the document
    (a KeyError carries the key, a ValueError the text it could not read)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-8:]))
    logger.error("%s: %s at %s", what % ids if ids else what, type(exc).__name__, where or "?")
