"""Teaching a form through the review app's routes (no browser): an admin
picks labels on an unknown form, previews, writes the site template and the
document is re-mapped; the file is refused over an existing one unless
confirmed; a site with no template folder is told what to configure; an
officer is pointed to an administrator; every step is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from intake.store.models import AuditEntry, DocumentRow
from tests.review.conftest import PASSWORD, Browser, csrf_of
from tests.review.yos_form import FIRST, LABELS, SECOND, TITLE, make_docx, replay

TID = "westmoor_yos_exploitation"


@pytest.fixture
def site(review_settings, review_store, tmp_path):
    """An app whose settings name a writable site template folder, and the
    first YOS form replayed into the store (an unknown_template)."""
    from starlette.testclient import TestClient

    from intake.review.app import create_app
    from intake.review.config import review_config

    folder = tmp_path / "site-templates"
    folder.mkdir()
    settings = review_settings.updated("parsing", template_dirs=[str(folder)])
    doc = replay(settings, review_store, make_docx(tmp_path / "yos-concern.docx", FIRST), 1)
    app = create_app(settings, review_store, review_config(settings), background=False)

    def sign_in(user: str) -> Browser:
        client = TestClient(app, base_url="http://127.0.0.1")
        page = client.get("/login")
        r = client.post("/login", data={"csrf": csrf_of(page.text), "username": user, "password": PASSWORD,
                                        "next": "/queue"}, follow_redirects=False)
        assert r.status_code == 303
        return Browser(client, csrf_of(client.get("/entities").text))

    yield {"app": app, "folder": folder, "doc": doc, "login": sign_in, "settings": settings, "tmp": tmp_path}
    app.state.review.work.close()


def _line_numbers(html: str) -> dict[str, str]:
    """Printed text -> its line number, from the teach page's list."""
    return {m.group(2): m.group(1) for m in re.finditer(r'<label for="pick-(\d+)">([^<]+)</label>', html)}


def _form(html: str, **extra) -> dict[str, str]:
    from html import unescape

    lines = {unescape(k): v for k, v in _line_numbers(html).items()}
    data = {f"pick-{lines[label]}": key for key, label in LABELS.items()}
    title = re.search(r'<option value="(\d+)"[^>]*>' + re.escape(TITLE), unescape(html))
    data.update({"name": "Westmoor YOS Exploitation Concern Form", "template_id": TID, "title": title.group(1)})
    data.update(extra)
    return data


def test_an_admin_teaches_the_form_and_the_document_is_remapped(site, review_store):
    doc = site["doc"]
    with review_store.session() as s:
        row = s.scalar(select(DocumentRow).where(DocumentRow.public_id == doc))
        assert row.exception_code == "unknown_template"
    admin = site["login"]("adam")
    assert "Teach intake this form" in admin.get(f"/documents/{doc}").text
    page = admin.get(f"/documents/{doc}/teach")
    assert page.status_code == 200
    assert "no writable template folder" not in page.text
    data = _form(page.text)

    preview = admin.post(f"/documents/{doc}/teach", {**data, "action": "preview"})
    assert preview.status_code == 200, preview.text[:2000]
    assert "Write the template and re-map" in preview.text
    assert "Young person&#39;s full name" in preview.text and FIRST.subject_name not in preview.text.split(
        'class="text toml"')[1]
    assert list(site["folder"].iterdir()) == []  # a preview writes nothing

    done = admin.post(f"/documents/{doc}/teach", {**data, "action": "write"})
    assert done.status_code == 303, done.text[:2000]
    assert done.headers["location"].startswith(f"/admin/templates/{TID}?doc={doc}")
    path = site["folder"] / f"{TID}.toml"
    assert path.exists() and "adam" in path.read_text() and doc in path.read_text()
    with review_store.session() as s:
        row = s.scalar(select(DocumentRow).where(DocumentRow.public_id == doc))
        values = {f.key: f.value.get("v") if isinstance(f.value, dict) else f.value for f in row.record.fields
                  if f.origin == "parser"}
        assert row.template == TID and row.status == "parsed"
        assert values["subject.name"] == FIRST.subject_name
        assert values["incident.narrative"] == FIRST.narrative
        actions = [a for a, in s.execute(select(AuditEntry.action).where(AuditEntry.actor == "user:adam"))]
    for a in ("template.teach_viewed", "template.previewed", "template.taught", "document.reprocessed"):
        assert a in actions, a
    shown = admin.get(done.headers["location"])
    assert shown.status_code == 200 and "Template written" in shown.text and TID in shown.text

    # Writing again over the file is refused unless confirmed.
    again = admin.post(f"/documents/{doc}/teach", {**data, "action": "write", "name": "Renamed form"})
    assert again.status_code == 400 and "already exists" in again.text
    assert "Renamed form" not in path.read_text()
    confirmed = admin.post(f"/documents/{doc}/teach", {**data, "action": "write", "name": "Renamed form",
                                                       "overwrite": "yes"})
    assert confirmed.status_code == 303 and "Renamed form" in path.read_text()


def test_queued_copies_the_template_claims_are_offered_for_reprocessing(site, review_store):
    admin = site["login"]("adam")
    first = site["doc"]
    data = _form(admin.get(f"/documents/{first}/teach").text)
    # A second filled copy arrives before the form is taught: unknown too.
    second = replay(site["settings"].updated("parsing", template_dirs=[]), review_store,
                    make_docx(site["tmp"] / "yos-second.docx", SECOND), 2)
    assert admin.post(f"/documents/{first}/teach", {**data, "action": "write"}).status_code == 303
    offer = admin.get(f"/admin/templates/{TID}")
    assert f'value="{second}"' in offer.text  # the second copy is offered
    assert f'value="{first}"' not in offer.text  # the taught one is done already
    r = admin.post(f"/admin/templates/{TID}/reprocess", {"doc": second})
    assert r.status_code == 303 and "n=1" in r.headers["location"]
    assert site["app"].state.review.work.run_pending() == 1
    with review_store.session() as s:
        row = s.scalar(select(DocumentRow).where(DocumentRow.public_id == second))
        assert (row.template, row.status, row.exception_code) == (TID, "parsed", None)


def test_a_pick_that_cannot_be_a_template_is_refused_with_the_choices_kept(site):
    admin = site["login"]("adam")
    doc = site["doc"]
    data = _form(admin.get(f"/documents/{doc}/teach").text)
    # The same label picked for two fields is impossible through the list
    # (one select a line), but a misspelt key from a hand-made request is not.
    name = next(k for k, v in data.items() if v == "subject.dob")
    bad = {**data, name: "subject.dobb"}
    r = admin.post(f"/documents/{doc}/teach", {**bad, "action": "write"})
    assert r.status_code == 400 and "did you mean subject.dob" in r.text
    assert list(site["folder"].iterdir()) == []
    traversal = admin.post(f"/documents/{doc}/teach", {**data, "template_id": "../../etc/cron", "action": "write"})
    assert traversal.status_code == 400 and list(site["folder"].iterdir()) == []


def test_without_a_folder_the_page_says_what_to_configure(login, review_store):
    from tests.review.test_routes import _ids

    unknown = _ids(review_store)["unknown"]
    admin = login("adam")
    page = admin.get(f"/documents/{unknown}/teach")
    assert page.status_code == 200
    assert "no writable template folder" in page.text and "template_dirs" in page.text
    r = admin.post(f"/documents/{unknown}/teach", {"action": "write", "name": "x"})
    assert r.status_code == 400


def test_an_officer_is_pointed_to_an_administrator(site):
    officer = site["login"]("olive")
    doc = site["doc"]
    page = officer.get(f"/documents/{doc}")
    assert "An administrator can teach it" in page.text and f"/documents/{doc}/teach" not in page.text
    assert officer.get(f"/documents/{doc}/teach").status_code == 403
    assert officer.post(f"/documents/{doc}/teach", {"action": "write", "name": "x"}).status_code == 403
    assert list(site["folder"].iterdir()) == []


def test_teaching_needs_the_csrf_token(site):
    admin = site["login"]("adam")
    doc = site["doc"]
    data = _form(admin.get(f"/documents/{doc}/teach").text)
    r = admin.post(f"/documents/{doc}/teach", {**data, "action": "write"}, csrf=False)
    assert r.status_code == 403 and list(site["folder"].iterdir()) == []


def test_the_pdf_variant_teaches_the_same_template(site, review_store):
    """Taught from the PDF (LibreOffice's print of the form) instead: the
    same labels are offered, and the Word copy is then claimed too."""
    from tests.review.yos_form import make_pdf

    pdf = replay(site["settings"], review_store, make_pdf(site["tmp"] / "yos-print.pdf", SECOND), 5)
    assert _row(review_store, pdf)[2] == "unknown_template"
    admin = site["login"]("adam")
    data = _form(admin.get(f"/documents/{pdf}/teach").text)
    r = admin.post(f"/documents/{pdf}/teach", {**data, "action": "write"})
    assert r.status_code == 303 and "done=taught" in r.headers["location"]
    assert _row(review_store, pdf) == ("parsed", TID, None)
    offer = admin.get(f"/admin/templates/{TID}")
    assert f'value="{site["doc"]}"' in offer.text  # the Word copy, queued before


def _row(store, public_id: str):
    with store.session() as s:
        d = s.scalar(select(DocumentRow).where(DocumentRow.public_id == public_id))
        return d.status, d.template, d.exception_code
