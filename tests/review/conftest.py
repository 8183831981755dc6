"""A store with real documents for the review tests: the fixture generator's
forms wrapped into the demo mailbox and replayed through the real pipeline
once per session (however many modules import these fixtures), plus a pair
of e-mailed reports close enough to be a possible duplicate; each test gets
its own copy of the file."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct horse battery staple"
USERS = {"olive": "officer", "oscar": "officer", "anna": "analyst", "adam": "admin"}

NARRATIVE = (
    "Kayleigh Brooks aged 14 has been seen getting into a silver Vauxhall Astra AB12 CDE outside Northfield "
    "Academy most evenings after school. The driver is known as Smokey and gives her vapes, zazza and cash. Staff "
    "saw her phone show messages from 07700 900461 asking her to meet at the Riverside Lodge hotel on Friday "
    "night. She has been missing from home twice this month and came back with new clothes."
)
NEAR_COPY = (
    "Kayleigh Brooks aged 14 was seen getting into a silver Vauxhall Astra AB12 CDE outside Northfield "
    "Academy on several evenings after school. A driver known as Smokey gives her vapes, zazza and money. Staff "
    "noticed her phone showing messages from 07700 900461 asking her to meet at the Riverside Lodge on "
    "Friday. She went missing from home twice this month."
)


def _body_message(n: int, sender: str, text: str) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "intel@example.police.uk"
    m["Subject"] = "Concern about a pupil"
    m["Date"] = format_datetime(datetime(2026, 3, 10 + n, 9, 30, tzinfo=timezone.utc))
    m["Message-ID"] = f"<review-near-{n}@example.org>"
    m.set_content(f"Hello,\n\n{text}\n\nRegards,\nPat\n")
    return bytes(m)


@pytest.fixture(scope="session")
def review_db_template(tmp_path_factory) -> Path:
    """The review store's SQLite file, replayed once per session however
    many modules ask for it (tests/support/shared_stores.py). Read-only:
    take a copy (``review_db``) to use it."""
    from tests.support.shared_stores import template

    return template("review", tmp_path_factory, build_review_store)


def build_review_store(out: Path) -> Path:
    """The review store in ``out`` (also used by bench/review_clearing.py)."""
    subprocess.run([sys.executable, str(REPO / "fixtures" / "make_forms.py"), "--quick", "--out", str(out)],
                   check=True, capture_output=True, timeout=600)
    subprocess.run([sys.executable, str(REPO / "fixtures" / "mail" / "make_mailboxes.py"), "--forms",
                    str(out / "forms"), "--out", str(out / "mail")], check=True, capture_output=True, timeout=600)
    mbox = out / "mail" / "demo.mbox"
    with mbox.open("ab") as fh:
        for n, (sender, text) in enumerate([("pat.jones@northfield-academy.example.org", NARRATIVE),
                                            ("pat.jones@northfield-academy.example.org", NEAR_COPY)]):
            fh.write(b"From MAILER-DAEMON Thu Mar 12 09:30:00 2026\n" + _body_message(n, sender, text) + b"\n")
    db = out / "review.sqlite"
    from intake.analysis.workers import InlineAnalyser
    from intake.config.settings import load_settings
    from intake.ingest.processing.one_message import Pipeline
    from intake.ingest.sources.detect import iter_archive
    from intake.store import users as users_store
    from intake.store.db import open_store

    settings = load_settings(db_url=f"sqlite:///{db}")
    store = open_store(settings)
    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as pipe:
        for path in (mbox, out / "mail" / "Maildir", out / "mail" / "eml"):
            for item in iter_archive(path):
                pipe.process(item)
    with store.transaction() as s:
        for name, role in USERS.items():
            users_store.add_user(s, name, role, PASSWORD)
    store.close()
    return db


@pytest.fixture
def review_db(review_db_template, tmp_path) -> str:
    """The URL of this test's own copy of the review store."""
    from tests.support.shared_stores import copy_store

    return f"sqlite:///{copy_store(review_db_template, tmp_path / 'review.sqlite')}"


@pytest.fixture
def review_settings(review_db):
    from intake.config.settings import load_settings

    return load_settings(db_url=review_db)


@pytest.fixture
def review_store(review_settings):
    from intake.store.db import open_store

    store = open_store(review_settings)
    yield store
    store.close()


class Browser:
    """A TestClient signed in as one user (or anonymous), with the page's
    CSRF token at hand."""

    def __init__(self, client, csrf: str | None):
        self.client = client
        self.csrf = csrf

    def get(self, path: str, **kw):
        return self.client.get(path, follow_redirects=False, **kw)

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf and self.csrf:
            data.setdefault("csrf", self.csrf)
        return self.client.post(path, data=data, follow_redirects=False, **kw)


def csrf_of(html: str) -> str | None:
    import re

    m = re.search(r'name="csrf" value="([^"]+)"', html)
    return m.group(1) if m else None


@pytest.fixture
def make_app(review_settings, review_store):
    from intake.review.app import create_app
    from intake.review.config import review_config

    apps = []

    def make(**review):
        settings = review_settings.updated("review", **review) if review else review_settings
        app = create_app(settings, review_store, review_config(settings), background=False)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.review.work.close()


@pytest.fixture
def login(make_app):
    from starlette.testclient import TestClient

    app = make_app()

    def sign_in(username: str | None, password: str = PASSWORD) -> Browser:
        client = TestClient(app, base_url="http://127.0.0.1")
        if username is None:
            return Browser(client, None)
        page = client.get("/login")
        r = client.post("/login", data={"csrf": csrf_of(page.text), "username": username, "password": password,
                                        "next": "/queue"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return Browser(client, csrf_of(client.get("/entities").text))

    return sign_in
