"""Reports as e-mails through the real pipeline (in-process analysis)."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

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


def build_triage_store(folder: Path, texts: list[str], users: dict[str, str]) -> Path:
    """A store holding ``body_message(n, text)`` for each text, run through
    the real pipeline, and the named users (the review tests' password):
    built once as a template, copied for each test
    (tests/support/shared_stores.py)."""
    from intake.analysis.workers import InlineAnalyser
    from intake.config.settings import load_settings
    from intake.ingest.processing.one_message import Pipeline
    from intake.store import users as users_store
    from intake.store.db import open_store
    from tests.review.conftest import PASSWORD

    db = folder / "triage.sqlite"
    settings = load_settings(db_url=f"sqlite:///{db}")
    store = open_store(settings)
    try:
        with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as p:
            for n, text in enumerate(texts):
                p.process(body_message(n, text))
        with store.transaction() as s:
            for name, role in users.items():
                users_store.add_user(s, name, role, PASSWORD)
    finally:
        store.close()
    return db


def seed_store(settings, tmp_path_factory, name: str, texts: list[str], users: dict[str, str]):
    """Put this test's copy of triage template ``name`` where the ``store``
    fixture opens it (a module overrides ``settings`` with this)."""
    from intake.store.db import sqlite_path
    from tests.support.shared_stores import copy_store, template

    db = template(name, tmp_path_factory, lambda out: build_triage_store(out, texts, users))
    copy_store(db, sqlite_path(settings.store_url))
    return settings


def document_ids(store, count: int) -> list[str]:
    """Public ids of the documents of ``body_message(0..count-1)``, in that order."""
    from sqlalchemy import select

    from intake.store.models import DocumentRow, Message

    with store.session() as s:
        rows = dict(s.execute(select(Message.message_id, DocumentRow.public_id).join(DocumentRow)).all())
    return [rows[f"<triage-{n}@example.org>"] for n in range(count)]
