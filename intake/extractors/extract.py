"""Entry point of the extraction stage.

Skeleton: e-mail addresses only, until the recogniser registry (issue 4)."""

from __future__ import annotations

import re
from datetime import date

from intake.types import Mention, Record

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")


def extract_mentions(record: Record, report_date: date | None = None, settings=None) -> list[Mention]:
    out: list[Mention] = []
    for field, text in record.text_fields().items():
        for m in _EMAIL.finditer(text):
            out.append(Mention("EMAIL", m.group(), m.group().lower(), field, m.start(), m.end(), "email"))
    return out
