"""Source boxes in real Chromium: the document page draws each value's box
over the page image from the served data, "Show on page" and "go to the
field" scroll to the box and highlight it, a click on a box goes to its
field, and page zoom scales the page with its boxes. The screenshot of a
highlighted box (1366×768) goes to tests/output/screenshots/review-source-box.png,
or to docs/img/ with INTAKE_DOCS_SCREENSHOTS=1 (tests/support/screenshots.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.store.models import DocumentRow, ExceptionItem
from tests.review.test_browser import _page, browser, server  # noqa: F401  (fixtures)
from tests.support.screenshots import docs_shot_path

pytestmark = pytest.mark.slow
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _word_document(store) -> str:
    """A Word form with an open item about one of its fields, if there is
    one (the officer's usual way in), else any parsed Word form."""
    with store.session() as s:
        rows = s.execute(select(DocumentRow.public_id, ExceptionItem.detail)
                         .join(ExceptionItem, ExceptionItem.document_pk == DocumentRow.id)
                         .where(DocumentRow.media_type == DOCX, ExceptionItem.status == "open",
                                DocumentRow.template.is_not(None))
                         .order_by(DocumentRow.id)).all()
        for doc, detail in rows:
            if detail.split(":", 1)[0].strip() in ("witnessed_by", "third_party.is_third_party",
                                                   "licensed_premises.involved", "third_party.willing_to_engage"):
                return doc
        return s.scalar(select(DocumentRow.public_id).where(DocumentRow.media_type == DOCX,
                                                            DocumentRow.status == "parsed")
                        .order_by(DocumentRow.id).limit(1))


def _box_in_view(page, key: str) -> dict:
    return page.evaluate("""key => {
        const box = document.querySelector(`.sbox.active[data-key="${key}"]`);
        const panel = document.querySelector('section.original');
        if (!box) return null;
        const b = box.getBoundingClientRect(), p = panel.getBoundingClientRect();
        const img = box.closest('.sbox-frame').querySelector('img').getBoundingClientRect();
        return {inside: b.top >= p.top && b.bottom <= p.bottom && b.left >= p.left - 1 && b.right <= p.right + 1,
                top: b.top, left: b.left, width: b.width, imgWidth: img.width, imgLeft: img.left, imgTop: img.top};
    }""", key)


def test_a_field_is_shown_on_the_page_and_the_page_zooms(browser, server, review_store):  # noqa: F811
    page = _page(browser, server, "olive")
    doc = _word_document(review_store)
    page.goto(f"{server}/documents/{doc}")
    page.wait_for_selector(".sbox-bar.ready", timeout=120_000)
    img = page.locator("figure.page img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 500", arg=img.element_handle())
    assert page.locator(".sbox").count() >= 5

    # "Show on page" on the narrative, far down the record: its box, on
    # page 2, is scrolled into the original's panel and highlighted.
    row = page.locator("#f-incident-narrative")
    row.locator("button.sbox-go").click()
    where = _box_in_view(page, "incident.narrative")
    assert where and where["inside"], where
    assert "page" in page.locator(".sbox-status").inner_text()
    assert page.locator("tr.sbox-current").get_attribute("id") == "f-incident-narrative"

    # "go to the field" on the queue item shows its box too.
    link = page.locator(".items a[href^='#f-']").first
    if link.count():
        key_row = link.get_attribute("href")[1:]
        link.click()
        assert page.locator(".sbox.active").count() >= 1
        assert page.locator("tr.sbox-current").get_attribute("id") == key_row

    # A box clicked on the page brings its field forward.
    page.locator(".sbox[data-key='submitter.name']").first.click()
    assert page.locator("tr.sbox-current").get_attribute("id") == "f-submitter-name"

    # Zoom: the page and its boxes grow together; the box stays on its words.
    row = page.locator("#f-submitter-name")
    row.locator("button.sbox-go").click()
    before = _box_in_view(page, "submitter.name")
    page.click(".sbox-zoom-in")
    page.click(".sbox-zoom-in")
    assert page.locator(".sbox-zoom-level").inner_text() == "150%"
    row.locator("button.sbox-go").click()
    after = _box_in_view(page, "submitter.name")
    assert after["imgWidth"] == pytest.approx(before["imgWidth"] * 1.5, rel=0.02)
    assert after["width"] == pytest.approx(before["width"] * 1.5, rel=0.05)
    assert (after["left"] - after["imgLeft"]) == pytest.approx((before["left"] - before["imgLeft"]) * 1.5, rel=0.05)
    page.click(".sbox-zoom-reset")
    assert page.locator(".sbox-zoom-level").inner_text() == "100%"

    # The picture for the docs: the narrative's box highlighted.
    page.locator("#f-submitter-agency button.sbox-go").click()
    page.locator("#f-submitter-agency").scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    page.screenshot(path=str(docs_shot_path("review-source-box")), full_page=False)
    assert page.errors == []
