"""The review app's triage pages: the Reports list ordered by level, the
document page's triage panel (indicators highlighted from stored offsets,
escaped), and an officer's change of level (role, CSRF, reason, audit)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from intake.store.models import AuditEntry, DocumentRow, Triage
from tests.review.conftest import PASSWORD, Browser, csrf_of
from tests.triage.helpers import ROUTINE_TEXT, URGENT_TEXT, document_ids, seed_store

HIGH_TEXT = ("Hello,\n\nA Year 10 pupil (15) told us an older man <b onmouseover=alert(1)>Mo</b> films her "
             "on his phone and gives her cash.\n\nThanks\n")


REPORTS = [("routine", ROUTINE_TEXT), ("high", HIGH_TEXT), ("urgent", URGENT_TEXT)]


@pytest.fixture
def settings(settings, tmp_path_factory):
    """The three reports, run through the real pipeline once per session,
    with an officer and an analyst: each test's ``store`` is a copy."""
    return seed_store(settings, tmp_path_factory, "triage-pages", [text for _, text in REPORTS],
                      {"olive": "officer", "anna": "analyst"})


@pytest.fixture
def triage_app(store, settings):
    from intake.review.app import create_app
    from intake.review.config import review_config

    ids = dict(zip([name for name, _ in REPORTS], document_ids(store, len(REPORTS))))
    app = create_app(settings, store, review_config(settings), background=False)
    yield app, ids
    app.state.review.work.close()


def _login(app, username):
    from starlette.testclient import TestClient

    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/login")
    r = client.post("/login", data={"csrf": csrf_of(page.text), "username": username, "password": PASSWORD,
                                    "next": "/reports"}, follow_redirects=False)
    assert r.status_code == 303
    return Browser(client, csrf_of(client.get("/entities").text))


def test_reports_lists_the_urgent_first(triage_app):
    app, ids = triage_app
    html = _login(app, "anna").get("/reports").text
    pos = {k: html.index(f"/documents/{v}") for k, v in ids.items()}
    assert pos["urgent"] < pos["high"] < pos["routine"]
    assert "URGENT" in html and "HIGH" in html and "ROUTINE" in html
    only = _login(app, "anna").get("/reports?level=urgent").text
    assert ids["urgent"] in only and ids["routine"] not in only
    by_indicator = _login(app, "anna").get("/reports?indicator=sexual_images").text
    assert ids["high"] in by_indicator and ids["urgent"] not in by_indicator


def _panel(app, store, public_id, can_work):
    """The document page's triage panel as the app renders it
    (document.html includes templates/_triage.html)."""
    from intake.review.views.triage import triage_panel
    from intake.review.web import url

    with store.session() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == public_id))
        return app.state.review.templates.get_template("_triage.html").render(
            triage=triage_panel(s, doc), doc=doc, csrf="tok", can_work=can_work, url=url)


def test_document_panel_highlights_indicators_escaped(triage_app, store):
    app, ids = triage_app
    html = _panel(app, store, ids["high"], can_work=False)
    assert 'data-indicator="sexual_images"' in html
    mark = re.search(r'<mark class="ind ind-sexual_images"[^>]*data-start="(\d+)" data-end="(\d+)"[^>]*>([^<]*)<', html)
    assert mark and mark.group(3) == "films her"
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(1)&gt;" in html
    # an analyst sees the panel but not the form
    assert 'action="/documents/%s/triage"' % ids["high"] not in html


def test_officer_changes_the_level_with_a_reason(triage_app, store):
    app, ids = triage_app
    officer = _login(app, "olive")
    assert f'action="/documents/{ids["urgent"]}/triage"' in _panel(app, store, ids["urgent"], can_work=True)
    r = officer.post(f"/documents/{ids['urgent']}/triage", {"level": "routine", "reason": ""})
    assert r.status_code == 303 and "triage_refused" in r.headers["location"]
    assert officer.post(f"/documents/{ids['urgent']}/triage", {"level": "routine", "reason": "x"},
                        csrf=False).status_code == 403
    assert _login(app, "anna").post(f"/documents/{ids['urgent']}/triage",
                                    {"level": "routine", "reason": "x"}).status_code == 403
    r = officer.post(f"/documents/{ids['urgent']}/triage", {"level": "high", "reason": "Found safe by patrol."})
    assert r.status_code == 303 and "triage_changed" in r.headers["location"]
    assert "Triage level changed" in officer.get(r.headers["location"]).text
    panel = _panel(app, store, ids["urgent"], can_work=True)
    assert "Found safe by patrol." in panel and "intake suggested urgent" in panel
    with store.session() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == ids["urgent"]))
        row = s.scalar(select(Triage).where(Triage.document_pk == doc.id))
        assert (row.level, row.suggested_level, row.overridden_by) == ("high", "urgent", "user:olive")
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.triage_changed")).all()
        assert [(e.actor, e.detail["before"], e.detail["after"]) for e in entries] == [("user:olive", "urgent", "high")]
    r = officer.post(f"/documents/{ids['urgent']}/triage", {"level": "suggested", "reason": "Mistake."})
    assert "triage_reverted" in r.headers["location"]
    with store.session() as s:
        row = s.scalar(select(Triage).where(Triage.document_pk == doc.id))
        assert row.level == "urgent" and row.override_level is None
