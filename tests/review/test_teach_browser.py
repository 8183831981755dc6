"""A new form taught from one example, end to end in real Chromium: a Youth
Offending Service form none of the packaged templates knows arrives as
Word and lands as unknown_template; an admin teaches it on the rendered
original (one label clicked on the page, the rest picked from the list with
the keyboard), previews and writes the site template; the document is
re-mapped; a PDF copy with another young person's details, queued before,
is offered and reprocessed, and a third copy replayed afterwards is mapped
on arrival, both with no exception. Screenshots: tests/output/teach-*.png."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.store.models import DocumentRow
from tests.review.test_browser import _free_port, _page, browser  # noqa: F401  (fixtures)
from tests.review.yos_form import FIRST, LABELS, SECOND, TITLE, make_docx, make_pdf, replay

pytestmark = pytest.mark.slow
OUT = Path(__file__).resolve().parent.parent / "output"
TID = "westmoor_yos_exploitation"


@pytest.fixture
def site(review_settings, review_store, tmp_path):
    import uvicorn

    from intake.review.app import create_app
    from intake.review.config import review_config

    folder = tmp_path / "site-templates"
    folder.mkdir()
    settings = review_settings.updated("parsing", template_dirs=[str(folder)])
    first = replay(settings, review_store, make_docx(tmp_path / "yos-concern.docx", FIRST), 1)
    second = replay(settings, review_store, make_pdf(tmp_path / "yos-concern-2.pdf", SECOND), 2)
    port = _free_port()
    app = create_app(settings, review_store, review_config(settings, port=port), background=True)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                        lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield {"url": f"http://127.0.0.1:{port}", "folder": folder, "first": first, "second": second,
           "settings": settings, "tmp": tmp_path}
    srv.should_exit = True
    thread.join(15)


def _row(store, public_id: str):
    with store.session() as s:
        d = s.scalar(select(DocumentRow).where(DocumentRow.public_id == public_id))
        return d.status, d.template, d.exception_code


def _shot(page, name: str) -> None:
    for img in page.locator("figure.page img").element_handles():
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img)
    page.evaluate("window.scrollTo(0, 0)")
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"teach-{name}.png"), full_page=False)


def test_a_form_is_taught_in_the_browser_and_its_copies_are_mapped(browser, site, review_store):  # noqa: F811
    base, first, second = site["url"], site["first"], site["second"]
    assert _row(review_store, first) == ("exception", None, "unknown_template")
    assert _row(review_store, second) == ("exception", None, "unknown_template")

    page = _page(browser, base, "adam")
    page.goto(f"{base}/documents/{first}")
    page.click("text=Teach intake this form")
    page.wait_for_url(re.compile(rf".*/documents/{first}/teach$"))
    # The labels are drawn over the rendered original (LibreOffice's PDF of the Word file).
    page.wait_for_selector("#teach-form.boxes-ready", timeout=180_000)
    assert page.locator(".tbox").count() >= len(LABELS)

    # One label picked by clicking it on the page: its line's select takes the focus.
    line = page.locator(".teach-lines label", has_text=LABELS["subject.name"])
    n = line.get_attribute("for").split("-")[1]
    page.locator(f".tbox[data-n='{n}']").click()
    assert page.evaluate("document.activeElement.id") == f"pick-{n}"
    page.keyboard.type("Child / young person: name")  # a select takes typed text as a choice
    assert page.locator(f"#pick-{n}").input_value() == "subject.name"
    assert "picked" in page.locator(f".tbox[data-n='{n}']").get_attribute("class")

    # The rest from the list, without the mouse.
    for key, label in LABELS.items():
        if key == "subject.name":
            continue
        sel = page.locator(".teach-lines tr", has=page.locator("label", has_text=label)).locator("select").first
        sel.focus()
        sel.select_option(key)
    page.fill("#name", "Westmoor YOS Exploitation Concern Form")
    page.fill("#template_id", TID)
    assert page.locator("#title option:checked").inner_text() == TITLE
    _shot(page, "picking")

    page.click("button[value=preview]")
    page.wait_for_selector("pre.toml")
    toml = page.locator("pre.toml").inner_text()
    assert f'id = "{TID}"' in toml and LABELS["subject.dob"] in toml and FIRST.subject_name not in toml
    assert list(site["folder"].iterdir()) == []

    page.click("button[value=write]")
    page.wait_for_url(re.compile(rf".*/admin/templates/{TID}\?doc={first}.*"))
    assert (site["folder"] / f"{TID}.toml").exists()
    assert "re-mapped" in page.locator(".flash").inner_text()
    assert _row(review_store, first) == ("parsed", TID, None)
    # The PDF copy queued before is offered for reprocessing.
    assert page.locator(f"input[name=doc][value='{second}']").is_checked()
    _shot(page, "offer")
    page.click("#reprocess-matches button[type=submit]")
    page.wait_for_url(re.compile(r".*/reprocessing.*"))
    deadline = time.monotonic() + 180
    while _row(review_store, second)[1] != TID and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _row(review_store, second) == ("parsed", TID, None)

    # Both records show their own values.
    for doc, filled in ((first, FIRST), (second, SECOND)):
        page.goto(f"{base}/documents/{doc}")
        assert page.locator("#f-subject-name").inner_text().count(filled.subject_name) >= 1
        assert filled.narrative[:40] in page.locator("#f-incident-narrative").inner_text()
        assert page.locator(".items").count() == 0  # nothing needs attention
    _shot(page, "mapped")

    # A third copy arriving now is mapped on arrival.
    third_form = replace(SECOND, subject_name="Kian Doyle", subject_dob="30/01/2011", report_datetime="28/03/2026 09:05",
                         narrative="Kian was found in a flat in Calworth with two older boys and a large amount of "
                                   "cannabis; he would not say how he got there.")
    third = replay(site["settings"], review_store, make_docx(site["tmp"] / "yos-concern-3.docx", third_form), 3)
    assert _row(review_store, third) == ("parsed", TID, None)
    page.goto(f"{base}/documents/{third}")
    assert "Kian Doyle" in page.locator("#f-subject-name").inner_text()
    assert page.errors == []


def test_axe_finds_no_serious_violation_on_the_teaching_pages(browser, site):  # noqa: F811
    from tests.review.conftest import PASSWORD
    from tests.review.test_keyboard_axe import _axe

    base = site["url"]
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)  # only so axe loads
    page = ctx.new_page()
    page.goto(base + "/login")
    page.fill("#username", "adam")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    found = {}
    page.goto(f"{base}/documents/{site['first']}/teach")
    page.wait_for_selector("#teach-form.boxes-ready", timeout=180_000)
    found["teach"] = _axe(page)
    page.click("button[value=preview]")  # nothing picked: refused, with the reason
    page.wait_for_selector("#error-summary")
    found["teach refused"] = _axe(page)
    page.goto(f"{base}/admin/templates/staffordshire_cse")
    found["template"] = _axe(page)
    assert {k: v for k, v in found.items() if v} == {}
