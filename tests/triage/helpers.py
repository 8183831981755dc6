"""Reports as e-mails through the real pipeline (in-process analysis)."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from intake.types import RawMessage

URGENT_TEXT = (
    "Hello,\n\nKeira Hollins (14) is missing now from her placement. Her friend says she is at "
    "flat 3, 41 Boothen Road ST4 4AB right now with two men, one called Darren Pike, who gave her vodka.\n\n"
    "Regards,\nPat\n")
ROUTINE_TEXT = (
    "Hello,\n\nGroups of pupils have been hanging around the park behind the leisure centre after school. "
    "No adults were seen with them and there is no sign of drugs or alcohol.\n\nRegards,\nPat\n")


def body_message(n: int, text: str, *, when: datetime | None = None, subject: str = "Concern about a pupil",
                 sender: str = "pat.jones@northfield-academy.example.org") -> RawMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "intel@example.police.uk"
    m["Subject"] = subject
    m["Date"] = format_datetime(when or datetime(2026, 5, 14, 9, 30, tzinfo=timezone.utc))
    m["Message-ID"] = f"<triage-{n}@example.org>"
    m.set_content(text)
    return RawMessage(f"eml:/test/triage-{n}.eml", bytes(m))
