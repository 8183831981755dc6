"""Build test e-mails with the stdlib, including the malformed kinds real
mailboxes hold."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

NARRATIVE = (
    "Joe Bloggs, a 20 year old male known as JB, frequents the chicken shop on Mare Street. "
    "Young females aged about 14 also attend. He drives a silver Vauxhall Astra AB12 CDE "
    "and uses 07700 900123. This happens after school on Thursday and Friday."
)


def message(subject: str = "Intelligence report", body: str = NARRATIVE,
            sender: str = "Sam Teacher <sam.teacher@school.example.org>",
            msgid: str | None = None, attachments: list[tuple[str, bytes, str]] = (),
            date: datetime | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "mase-intel@example.police.uk"
    m["Subject"] = subject
    m["Date"] = format_datetime(date or datetime(2026, 3, 4, 14, 30, tzinfo=timezone.utc))
    m["Message-ID"] = msgid or make_msgid(domain="school.example.org")
    m.set_content(body)
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m


def forward(inner: EmailMessage, depth: int = 1, note: str = "FYI, see below.") -> EmailMessage:
    current = inner
    for i in range(depth):
        outer = EmailMessage()
        outer["From"] = f"Forwarder {i} <fwd{i}@agency.example.org>"
        outer["To"] = "mase-intel@example.police.uk"
        outer["Subject"] = "Fwd: " + str(current["Subject"])
        outer["Date"] = current["Date"]
        outer["Message-ID"] = make_msgid(domain="agency.example.org")
        outer.set_content(note)
        outer.add_attachment(current)  # message/rfc822
        current = outer
    return current
