"""A small store for the analyst views: a handful of e-mailed reports from
four agencies, replayed through the real pipeline once per session (the
same way tests/review/conftest.py builds the review store), built so each
view has something known to find: a hotel named with its address by two
agencies, a plate with its vehicle in three reports, one adult named around
two children, first-hand and second-hand accounts. Each test gets a copy."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.review.conftest import PASSWORD

USERS = {"olive": "officer", "anna": "analyst", "adam": "admin"}

# (sender, day of March 2026, narrative)
REPORTS = [
    ("pat.jones@northfield-academy.example.org", 2,
     "I saw Kayleigh Brooks aged 14 get into a silver Vauxhall Astra AB12 CDE outside the school gates. The driver "
     "is Darren Pike. She told staff he takes her to the Riverside Lodge hotel, 12 Canal Street, Birmingham B1 2AB "
     "where he books a room."),
    ("sam.khan@city-hospital.example.org", 5,
     "Jade Wilson aged 13 attended the emergency department. Her friend told me that a man called Darren Pike "
     "drives a silver Vauxhall Astra AB12 CDE and took Jade to the Riverside Lodge hotel on Friday night. "
     "His phone number is 07700 900461."),
    ("lee.ward@youth-charity.example.org", 9,
     "Kayleigh Brooks was seen at Chicken Palace on Dudley Road with an older male. A worker there said the "
     "silver Vauxhall Astra AB12 CDE collects girls from outside most evenings. The number 07700 900461 was "
     "saved in her phone as Smokey."),
    ("ann.price@social-care.example.org", 12,
     "Mother reports that Tyler Grant has been going missing overnight and comes back with new trainers. "
     "Nothing links this to any other child we know of."),
    ("ann.price@social-care.example.org", 14,
     "A taxi from Star Taxis dropped Jade Wilson at the Riverside Lodge hotel at 2am. Reception staff said she "
     "looked about 13 and was with an adult man."),
]


def _message(n: int, sender: str, day: int, text: str) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "intel@example.police.uk"
    m["Subject"] = "Concern"
    m["Date"] = format_datetime(datetime(2026, 3, day, 9, 30, tzinfo=timezone.utc))
    m["Message-ID"] = f"<analysis-{n}@example.org>"
    m.set_content(f"Hello,\n\n{text}\n\nRegards,\nA worker\n")
    return bytes(m)


@pytest.fixture(scope="session")
def analysis_db_template(tmp_path_factory) -> Path:
    """Built once per session however many modules ask for it
    (tests/support/shared_stores.py); read-only: tests take a copy."""
    from tests.support.shared_stores import template

    return template("analysis", tmp_path_factory, build_analysis_store)


def build_analysis_store(out: Path) -> Path:
    mbox = out / "reports.mbox"
    with mbox.open("wb") as fh:
        for n, (sender, day, text) in enumerate(REPORTS):
            fh.write(b"From MAILER-DAEMON Thu Mar 12 09:30:00 2026\n" + _message(n, sender, day, text) + b"\n")
    db = out / "analysis.sqlite"
    from intake.analysis.workers import InlineAnalyser
    from intake.config.settings import load_settings
    from intake.ingest.processing.one_message import Pipeline
    from intake.ingest.sources.detect import iter_archive
    from intake.store import users as users_store
    from intake.store.db import open_store

    settings = load_settings(db_url=f"sqlite:///{db}")
    store = open_store(settings)
    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as pipe:
        for item in iter_archive(mbox):
            pipe.process(item)
    with store.transaction() as s:
        for name, role in USERS.items():
            users_store.add_user(s, name, role, PASSWORD)
    store.close()
    return db


@pytest.fixture
def analysis_settings(analysis_db_template, tmp_path):
    from intake.config.settings import load_settings
    from tests.support.shared_stores import copy_store

    db = copy_store(analysis_db_template, tmp_path / "analysis.sqlite")
    return load_settings(db_url=f"sqlite:///{db}")


@pytest.fixture
def analysis_store(analysis_settings):
    from intake.store.db import open_store

    store = open_store(analysis_settings)
    yield store
    store.close()


def doc_pks(store) -> list[int]:
    """Document pks in the order REPORTS lists them (one body each)."""
    from sqlalchemy import select

    from intake.store.models import DocumentRow, Message

    with store.session() as s:
        rows = s.execute(select(DocumentRow.id, Message.message_id).join(Message)
                         .order_by(DocumentRow.id)).all()
    by_n = {int(mid.split("-")[1].split("@")[0]): pk for pk, mid in rows}
    return [by_n[n] for n in range(len(REPORTS))]


@pytest.fixture
def analyst(analysis_settings, analysis_store):
    """A TestClient signed in as the analyst."""
    from starlette.testclient import TestClient

    from intake.review.app import create_app
    from intake.review.config import review_config
    from tests.review.conftest import Browser, csrf_of

    app = create_app(analysis_settings, analysis_store, review_config(analysis_settings), background=False)
    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/login")
    r = client.post("/login", data={"csrf": csrf_of(page.text), "username": "anna", "password": PASSWORD,
                                    "next": "/rising"}, follow_redirects=False)
    assert r.status_code == 303
    yield Browser(client, csrf_of(client.get("/rising").text))
    app.state.review.work.close()
