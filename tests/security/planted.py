"""A report with planted values: made-up names, an address, phones, a
plate, a subject, a file name and a sender address that occur nowhere else,
so finding any of them (case-insensitively) in a database file, a dump or a
log line means that value leaked.

The report is a real Staffordshire form filled by the fixture generator
(values, ticks and all) plus a body that reads as a report, so the values
reach every table: raw and document blobs, message headers, record fields,
document text, mentions and entities.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import mailbox
import random
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from fixtures.formgen import narratives as nv
from fixtures.formgen import staffordshire
from fixtures.formgen.content import make_content
from fixtures.formgen.fakes import Fakes, Person, Professional
from fixtures.formgen.style import Style

CHILD = Person("Ottoline", "Vexbridge")
ADULT = Person("Barnabus", "Quorrington")
SUBMITTER = Person("Zebedee", "Quillfeather")
SENDER = "zebedee.quillfeather@brackenmoor-academy.example.org"
SENDER_DOMAIN = "brackenmoor-academy.example.org"
SUBJECT = "Concern about Ottoline Vexbridge and Quorrington"
FILENAME = "Vexbridge referral from Quillfeather.docx"
ADDRESS = "17 Wrenfeather Close, Hexleigh, DE22 4XQ"
PHONE = "07700 900461"
PLATE = "KX19 WPD"
ALIAS = "Snorkelhound"

# What must never be found: every distinctive word of the values above,
# the phone's digits and the plate with and without its space.
TOKENS = ["Ottoline", "Vexbridge", "Barnabus", "Quorrington", "Zebedee", "Quillfeather", "brackenmoor",
          "Wrenfeather", "Hexleigh", "Snorkelhound", "900461", "KX19WPD", "KX19 WPD"]


def _facts() -> list[nv.Fact]:
    return [
        nv.Fact([f'{CHILD.first} has been seen with {ADULT.name}, known as "{ALIAS}", who is 27 years old.'],
                [nv.ent("PERSON", ADULT.name), nv.ent("ALIAS", ALIAS), nv.ent("AGE", "27")]),
        nv.Fact([f"{ADULT.first} drives a silver Vauxhall Corsa {PLATE} and collects {CHILD.first} after school."],
                [nv.ent("VEHICLE", "silver vauxhall corsa"), nv.ent("VRM", PLATE.replace(" ", ""))]),
        nv.Fact([f"{CHILD.first} was given a phone by {ADULT.first}; the number is {PHONE}."],
                [nv.ent("PHONE", "+447700900461")]),
        nv.Fact([f"{CHILD.first} has been staying out overnight at {ADDRESS}."], []),
    ]


def form_bytes(seed: int = 11) -> bytes:
    fk = Fakes(random.Random(seed))
    prof = Professional(SUBMITTER, "Designated Safeguarding Lead", "Brackenmoor Academy", PHONE, SENDER)
    content = make_content(fk, facts=_facts(), prof=prof, child=CHILD,
                           when=dt.datetime(2026, 2, 3, 15, 40), dob=dt.date(2011, 5, 9))
    content = dataclasses.replace(
        content, address=ADDRESS, third_party=False, third_party_text="No",
        third_party_details="Not applicable", alleged_offenders=f'{ADULT.name}, known as "{ALIAS}", 27.',
        shared_with=f"{SUBMITTER.name}, DSL, {PHONE}", source_details=f"{SUBMITTER.name}, {PHONE}",
        met_who=f"{CHILD.name}, aged 14.", premises=False, premises_name_address="", premises_concern="")
    data, _fields = staffordshire.fill(content, Style())
    return data


BODY = (f"Dear colleagues, please find my referral attached. {CHILD.name} (14) lives at {ADDRESS}. "
        f"She has been seen getting into a silver Vauxhall Corsa {PLATE} driven by {ADULT.name}, who calls "
        f"himself {ALIAS} and gave her a phone, {PHONE}. I am worried this is grooming and that she is at "
        "risk of sexual exploitation; she has missed school twice this week and seemed frightened when asked "
        f"about it. Please call me on {PHONE}. Regards, {SUBMITTER.name}, Designated Safeguarding Lead.")


def planted_message(msgid: str = "<planted-1@mail.example.net>", extra_headers: list[tuple[str, str]] = (),
                    body_extra: str = "") -> EmailMessage:
    m = EmailMessage()
    for name, value in extra_headers:
        m[name] = value
    m["From"] = f"{SUBMITTER.name} <{SENDER}>"
    m["To"] = "mase-intel@example.police.uk"
    m["Subject"] = SUBJECT
    m["Date"] = format_datetime(dt.datetime(2026, 2, 3, 16, 5, tzinfo=dt.timezone.utc))
    m["Message-ID"] = msgid
    m.set_content(BODY + body_extra)
    m.add_attachment(form_bytes(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename=FILENAME)
    return m


def other_message(n: int, body: str, msgid: str | None = None, attachments=()) -> EmailMessage:
    """A report with nothing planted, from another agency."""
    m = EmailMessage()
    m["From"] = f"Worker {n} <worker{n}@trust.example.com>"
    m["To"] = "mase-intel@example.police.uk"
    m["Subject"] = f"Referral {n}"
    m["Date"] = format_datetime(dt.datetime(2026, 2, 4 + n, 9, 0, tzinfo=dt.timezone.utc))
    m["Message-ID"] = msgid or f"<other-{n}@trust.example.com>"
    m.set_content(body)
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m


def write_mbox(path: Path, messages) -> Path:
    mb = mailbox.mbox(str(path))
    for msg in messages:
        mb.add(msg)
    mb.flush()
    mb.close()
    return path


def found_tokens(data: bytes) -> list[str]:
    low = data.lower()
    return [t for t in TOKENS if t.lower().encode() in low]


def sqlite_bytes(db_path: Path) -> bytes:
    """The database file and its WAL and shared-memory files, all of it."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(db_path) + suffix)
        if p.exists():
            out += p.read_bytes()
    return out


# Words an officer types and places a message is read from: each occurs
# nowhere else, so finding one in a file or a dump means that value leaked.
FREE_TEXT = {
    "origin": "Tamsinwold",      # the folder an archive was replayed from
    "reject": "Drumquaver",      # a reject reason
    "correction": "Ferncaskett",  # a corrected field's typed value
    "note": "Gorsemallow",       # a review note
    "triage": "Hobbledyke",      # the reason for a changed triage level
    "audit": "Inchwarden",       # an audit entry's detail
}


def pg_dump(server, url: str) -> bytes:
    import subprocess

    name = url.rsplit("/", 1)[1]
    return subprocess.run([f"{server.bindir}/pg_dump", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres",
                           name], check=True, capture_output=True).stdout


def words_in(data: bytes, words) -> list[str]:
    """The words found in ``data`` as text, or as hex inside a dump's
    bytea runs (case-insensitive)."""
    low = data.lower()
    return sorted(w for w in words if w.lower().encode() in low or w.lower().encode().hex().encode() in low)
