"""The review app end to end in real Chromium (Debian's chromium driven by
Playwright; never `playwright install`), served by uvicorn on 127.0.0.1
from a copy of the review store. Screenshots of the queue, a PDF document
page and a Word document page are saved under tests/output/screenshots/
for a person to look at."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.store.models import AuditEntry, DocumentRow, ExceptionItem
from tests.review.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "output" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(review_settings, review_store):
    import uvicorn

    from intake.review.app import create_app
    from intake.review.config import review_config

    port = _free_port()
    app = create_app(review_settings, review_store, review_config(review_settings, port=port), background=True)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                        lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(15)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, base: str, user: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB", timezone_id="Europe/London")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: d.accept())
    page.goto(base + "/queue")
    assert "/login" in page.url
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.errors = errors
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _doc_id(store, **where) -> str:
    with store.session() as s:
        q = select(DocumentRow.public_id).order_by(DocumentRow.id)
        for k, v in where.items():
            q = q.where(getattr(DocumentRow, k) == v)
        return s.scalars(q.limit(1)).first()


def test_officer_clears_the_queue(browser, server, review_store):
    page = _page(browser, server, "olive")
    assert page.url.endswith("/queue")
    assert page.locator("table.queue tbody tr").count() > 5
    assert page.get_by_text("unknown template").first.is_visible()
    _shot(page, "queue")

    # An unknown form: choose its template, correct a field, approve.
    unknown = _doc_id(review_store, exception_code="unknown_template")
    page.goto(f"{server}/documents/{unknown}")
    page.locator("figure.page img").first.wait_for(state="visible")  # the original, rendered
    page.select_option("#template", "free_text")
    page.click("form.choose button[type=submit]")
    page.wait_for_url(re.compile(r".*done=template_chosen"))
    row = page.locator("#f-incident-narrative")
    row.locator("summary").click()
    row.locator("textarea").fill("Kayla Vaughan, 15, was dropped off at a flat on Station Road by a man in a "
                                 "grey Audi A3 KD19 XRT late at night; she carries two phones.")
    row.locator("button[type=submit][value='']").click()  # Save (the other button also approves)
    page.wait_for_url(re.compile(r".*done=corrected"))
    mark = page.locator("#f-incident-narrative mark.ent-VRM")
    assert mark.inner_text() == "KD19 XRT"
    mark.focus()
    assert "VRM found by" in mark.get_attribute("data-why")
    page.click("button[form=record-form][value=approve]")
    page.wait_for_url(re.compile(r".*done=approved"))
    assert page.locator(".status.s-parsed").is_visible()

    # The entity, found by its plate written another way.
    page.goto(f"{server}/entities")
    page.fill("#q", "kd19xrt")
    page.click("form.search button")
    page.wait_for_load_state("networkidle")
    page.click("table.entities a:has-text('KD19XRT')")
    page.wait_for_load_state("networkidle")
    assert unknown[:10] in page.content()

    # A possible duplicate, settled.
    with review_store.session() as s:
        dup_pk = s.scalar(select(ExceptionItem.document_pk).where(ExceptionItem.code == "possible_duplicate"))
        dup = s.get(DocumentRow, dup_pk).public_id
    page.goto(f"{server}/documents/{dup}")
    page.click("button[name=answer][value=same]")  # "Same report, then next"
    page.wait_for_url(re.compile(r".*done=(duplicate_same_next|queue_empty)"))
    with review_store.session() as s:
        assert s.scalar(select(DocumentRow.status).where(DocumentRow.public_id == dup)) == "duplicate"

    # Reprocess a filtered set.
    page.goto(f"{server}/queue?reason=ambiguous_value")
    n = int(re.search(r"(\d+) document", page.locator("h1 .count").inner_text()).group(1))
    assert n >= 1
    page.click("form[action^='/queue/reprocess'] button")
    page.wait_for_url(re.compile(r".*done=reprocess_requested"))
    assert f"{n} document(s) queued" in page.locator(".flash").inner_text()
    assert page.errors == []
    with review_store.session() as s:
        audit = set(s.scalars(select(AuditEntry.action).where(AuditEntry.actor == "user:olive")))
    assert {"document.template_chosen", "record.field_corrected", "document.approved",
            "document.duplicate_resolved", "documents.reprocess_requested", "entities.searched"} <= audit


def test_pdf_and_word_pages_show_the_original_beside_the_record(browser, server, review_store):
    page = _page(browser, server, "olive")
    pdf = _doc_id(review_store, media_type="application/pdf", status="parsed")
    word = _doc_id(review_store, status="parsed",
                   media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for name, doc in (("document-pdf", pdf), ("document-word", word)):
        page.goto(f"{server}/documents/{doc}")
        img = page.locator("figure.page img").first
        img.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 500", arg=img.element_handle())
        assert page.locator("table.fields tr").count() >= 5
        _shot(page, name)
    assert page.errors == []


def test_admin_reads_the_audit_log_and_an_analyst_cannot_edit(browser, server, review_store):
    doc = _doc_id(review_store, status="parsed", kind="attachment")
    analyst = _page(browser, server, "anna")
    analyst.goto(f"{server}/documents/{doc}")
    assert analyst.locator("details.edit").count() == 0  # no correction forms for an analyst
    assert analyst.locator("form[action$='/approve']").count() == 0
    token = re.search(r'name="csrf" value="([^"]+)"', analyst.content()).group(1)
    r = analyst.request.post(f"{server}/documents/{doc}/fields",
                             form={"csrf": token, "key": "submitter.name", "value": "Someone Else"})
    assert r.status == 403

    admin = _page(browser, server, "adam")
    admin.goto(f"{server}/audit?actor=user:anna")
    rows = admin.locator("table.audit tbody tr")
    assert rows.count() >= 2
    text = admin.locator("table.audit").inner_text()
    assert "document.viewed" in text and doc in text
    _shot(admin, "audit")
