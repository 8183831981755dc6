"""Logging set-up. Form content is OFFICIAL-SENSITIVE: log codes, counts,
ids and hashes, never names, subjects, addresses or text. Secrets never."""

from __future__ import annotations

import logging
import sys


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
