"""The restore drill of docs/operations.md section 6, run as an operator
would: mail read over IMAP from a real Dovecot into a store, the
store backed up and restored, then the `Processed` folder (Dovecot's
Maildir on disk: LF line endings where IMAP gave CRLF) replayed into the
restored store. Nothing is new, nothing clashes, the export is unchanged.
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import textwrap
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.store.db import Store
from intake.store.models import ExceptionItem, Message, Sighting
from tests.imap.conftest import dovecot, dovecot_server, imap_env  # noqa: F401 (fixtures)
from tests.imap.helpers import INTAKE, PASSWORD_ENV, inbox_table, make_message, toml_lines

pytestmark = pytest.mark.slow

REPORT = textwrap.dedent("""\
    Date of report: 04/03/2026
    Name of child: Jordan Pike
    Information: seen getting into a silver car, phone 07700 900123,
    near the shops on the high street.   
    """)


def _mail(i: int, subject: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Referrer {i} <referrer{i}@example.org>"
    m["To"] = "mase-intel@example.com"
    m["Subject"] = subject
    m["Date"] = "Wed, 04 Mar 2026 14:30:00 +0000"
    m["Message-ID"] = f"<drill{i}.{os.getpid()}@example.org>"
    return m


def transport_sensitive_messages() -> list[bytes]:
    """Messages whose parts travel as lines, so their line endings are the
    transport's: a 7bit and a quoted-printable text attachment, a report in
    the body, a folded long subject, a broken multipart."""
    out = []
    m = _mail(1, "Report with a plain text attachment")
    m.set_content("Please find the attached report.\n")
    m.add_attachment(REPORT, subtype="plain", filename="report-7bit.txt", cte="7bit")
    out.append(m)
    m = _mail(2, "Report sent quoted-printable " + "and a subject long enough to be folded " * 3)
    m.set_content("Please find the attached report.\n")
    m.add_attachment(REPORT + "Caf\u00e9 on the corner " * 8 + "\n", subtype="plain",
                     filename="report-qp.txt", cte="quoted-printable")
    out.append(m)
    m = _mail(3, "Report in the body")
    m.set_content(REPORT + "\nThis happens after school on Thursday and Friday.\n")
    out.append(m)
    raws = [x.as_bytes(policy=SMTP) for x in out]
    # A multipart whose boundary matches none of its parts: read as one leaf.
    raws.append((
        "From: Referrer 4 <referrer4@example.org>\nTo: mase-intel@example.com\n"
        f"Subject: Broken multipart\nMessage-ID: <drill4.{os.getpid()}@example.org>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"nothere\"\n\n"
        "--elsewhere\nContent-Type: text/plain\n\n" + REPORT + "--elsewhere--\n"
    ).replace("\n", "\r\n").encode())
    return raws


def _intake(*args: str, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([INTAKE, *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (args, proc.returncode, proc.stderr[-3000:])
    return proc


def _export(url: str, env: dict, out: Path) -> list[dict]:
    _intake("export", "--db", url, "-o", str(out), env=env)
    return [json.loads(line) for line in out.read_text().splitlines()]


def _counts(url: str) -> tuple[int, int, int]:
    store = Store(url)
    try:
        with store.session() as s:
            return (s.scalar(select(func.count(Message.id))),
                    s.scalar(select(func.count(ExceptionItem.id)).where(ExceptionItem.code == "message_id_clash")),
                    s.scalar(select(func.count(Sighting.id))))
    finally:
        store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request):
    return request.param


def test_backup_restore_replay_the_archive(store_kind, imap_env, tmp_path, request):  # noqa: F811 (the fixture imported above)
    raws = [make_message(i) for i in range(6)] + transport_sensitive_messages()
    imap_env.append(raws)
    if store_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    else:
        pg = request.getfixturevalue("postgres_server")
        url = pg.new_database()
    conf = tmp_path / "intake.toml"
    conf.write_text("\n".join(["[[inbox]]", *toml_lines(inbox_table(imap_env))]) + "\n")
    env = dict(os.environ, **{PASSWORD_ENV: imap_env.password})
    _intake("migrate", "--db", url, env=env)
    _intake("poll", "--once", "--config", str(conf), "--db", url, env=env)
    assert imap_env.uids("INBOX") == [] and len(imap_env.uids("Processed")) == len(raws)
    before = _export(url, env, tmp_path / "before.jsonl")
    messages, clashes, _ = _counts(url)
    assert messages == len(raws) and clashes == 0

    # Back up, restore into a new store (section 6 of docs/operations.md).
    if store_kind == "sqlite":
        backup = tmp_path / "backup.sqlite"
        with sqlite3.connect(tmp_path / "live.sqlite") as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
        restored_file = tmp_path / "restored.sqlite"
        restored_file.write_bytes(backup.read_bytes())
        restored = f"sqlite:///{restored_file}"
    else:
        dump = tmp_path / "backup.dump"
        libpq = url.replace("postgresql+psycopg", "postgresql")
        subprocess.run([f"{pg.bindir}/pg_dump", "-Fc", "-d", libpq, "-f", str(dump)], check=True)
        restored = pg.new_database()
        subprocess.run([f"{pg.bindir}/pg_restore", "--no-owner", "-d",
                        restored.replace("postgresql+psycopg", "postgresql"), str(dump)], check=True)
    _intake("migrate", "--check", "--db", restored, env=env)

    # The Processed folder as Dovecot keeps it on disk: LF line endings.
    archive = imap_env.maildir() / ".Processed"
    on_disk = sorted(p for p in (archive / "cur").iterdir()) + sorted((archive / "new").iterdir())
    assert len(on_disk) == len(raws) and all(b"\r\n" not in p.read_bytes() for p in on_disk)
    proc = _intake("replay", "--no-progress", "--inline", str(archive), "--db", restored, env=env)
    assert f"messages read: {len(raws)}  new: 0  already known: {len(raws)}" in proc.stdout, proc.stdout

    messages, clashes, sightings = _counts(restored)
    assert messages == len(raws) and clashes == 0
    assert sightings == 2 * len(raws)  # each message: read over IMAP, and now from the archive
    after = _export(restored, env, tmp_path / "after.jsonl")
    assert after == before
