"""Fixtures for the IMAP tests: a real Dovecot, a real SQLite store, messages
built with the email package (synthetic people and Ofcom drama numbers)."""

from __future__ import annotations

import sys
import textwrap
from email.message import EmailMessage
from email.policy import SMTP
import uuid
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from dovecot import Dovecot  # noqa: E402

from intake.ingest.inbox_config import parse_inbox  # noqa: E402
from intake.store.db import Store  # noqa: E402

PASSWORD_ENV = "INTAKE_TEST_IMAP_PASSWORD"

NAMES = ["Jordan Pike", "Casey Moor", "Riley Ashdown", "Morgan Feld", "Alex Turnbury"]


def make_message(i: int, attachment: str | None = "txt", tag: str = "") -> bytes:
    """A small report e-mail. ``tag`` makes otherwise equal messages differ."""
    name = NAMES[i % len(NAMES)]
    msg = EmailMessage()
    msg["From"] = f"Referrer {i} <referrer{i}@example.org>"
    msg["To"] = "mase-intel@example.com"
    msg["Subject"] = f"Intelligence report {i}{tag}"
    msg["Date"] = format_datetime(datetime(2026, 3, 4, 14, 30, tzinfo=timezone.utc))
    msg["Message-ID"] = f"<r{i}{tag}.{uuid.uuid4().hex[:12]}@example.org>"
    msg.set_content("Please find the attached intelligence report.\n")
    report = textwrap.dedent(f"""\
        Date of report: 04/03/2026
        Name of child: {name}
        Age: {12 + i % 5}
        Information: seen getting into a silver car, phone 07700 900{i % 1000:03d},
        near the shops on the high street. Report number {i}{tag}.
        """)
    if attachment == "txt":
        msg.add_attachment(report.encode(), maintype="text", subtype="plain", filename=f"report-{i}.txt")
    # CRLF, as on the wire: what the server stores and gives back.
    return msg.as_bytes(policy=SMTP)


@pytest.fixture(scope="session")
def dovecot_server():
    """One server for the tests that do not stop it (stopping takes seconds)."""
    d = Dovecot(spare_users=200)
    d.start()
    try:
        yield d
    finally:
        d.cleanup()


@pytest.fixture
def dovecot(dovecot_server):
    """The shared server seen as a fresh user with an empty mailbox."""
    return dovecot_server.take_user()


@pytest.fixture
def private_dovecot():
    """A server of the test's own, for tests that stop or restart it."""
    d = Dovecot()
    d.start()
    try:
        yield d
    finally:
        d.cleanup()


@pytest.fixture
def imap_env(dovecot, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    return dovecot


def inbox_table(d: Dovecot, **over) -> dict:
    table = {
        "name": "mase",
        "host": "localhost",
        "port": d.tls_port,
        "tls": "implicit",
        "ca_file": str(d.cert),
        "username": d.username,
        "password_env": PASSWORD_ENV,
        "folders": ["INBOX"],
        "after": "move:Processed",
        "schedule": "every 60s",
        "batch_size": 10,
        "backoff_initial_s": 0.2,
        "backoff_max_s": 1.0,
        "timeout_s": 10,
    }
    table.update(over)
    return {k: v for k, v in table.items() if v is not None}


@pytest.fixture
def make_cfg(imap_env):
    def make(**over):
        return parse_inbox(inbox_table(imap_env, **over), 0)
    return make


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'intake.sqlite'}")
    try:
        yield s
    finally:
        s.close()
