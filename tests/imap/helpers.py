"""Helpers shared by the IMAP tests: synthetic report e-mails, inbox
tables, config files, and small store queries."""

from __future__ import annotations

import email
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import func, select

from intake.config.settings import load_settings
from intake.ingest.imap.inbox_runner import InboxRunner
from intake.ingest.processing.local_processor import LocalProcessor
from intake.store.models import MailboxFolder, MailboxUid, Message

from .dovecot import Dovecot

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


SETTINGS = load_settings()


def runner(cfg, store, factory=None):
    return InboxRunner(cfg, store, SETTINGS, factory)


def stored_message_ids(store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Message.message_id)))


def message_ids(raws) -> set[str]:
    return {"".join(email.message_from_bytes(r)["Message-ID"].split()) for r in raws}


class HookedProcessor(LocalProcessor):
    """The real local processor, committing one message at a time, with a
    callback after the n-th message is committed: lets a test act (append
    mail, restart the server, crash) at an exact point of processing."""

    def __init__(self, store, cfg, at: int, hook):
        super().__init__(store, SETTINGS, workers=1, actor=f"system:imap:{cfg.name}", batch=1,
                         on_done=self._count)
        self.at, self.hook, self.calls = at, hook, 0

    def _count(self, inbound_id, outcome):
        self.calls += 1
        if self.calls == self.at:
            self.hook()


def write_config(path: Path, table: dict, db: Path) -> Path:
    lines = ["[store]", f'url = "sqlite:///{db}"', "", "[[inbox]]", *toml_lines(table)]
    path.write_text("\n".join(lines) + "\n")
    return path


def toml_lines(table: dict) -> list[str]:
    """The key = value lines of a TOML table."""
    out = []
    for k, v in table.items():
        if isinstance(v, str):
            out.append(f"{k} = {toml_str(v)}")
        elif isinstance(v, list):
            out.append(f"{k} = [{', '.join(toml_str(x) for x in v)}]")
        else:
            out.append(f"{k} = {str(v).lower() if isinstance(v, bool) else v}")
    return out


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


INTAKE = str(Path(sys.executable).with_name("intake"))


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    """Polls until true; the timeout is a hang guard, not a speed assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def count_messages(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(Message.id)))


def unacknowledged(store) -> int:
    with store.session() as s:
        return s.scalar(
            select(func.count(MailboxUid.id)).join(MailboxFolder, MailboxFolder.id == MailboxUid.folder_pk)
            .where(MailboxUid.acknowledged.is_(False), MailboxUid.uidvalidity == MailboxFolder.uidvalidity))


def start_daemon(conf: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([INTAKE, "daemon", "--config", str(conf)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
