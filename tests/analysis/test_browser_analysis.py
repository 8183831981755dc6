"""The analyst's pages in real Chromium (Debian's, driven by Playwright as
tests/review/test_browser.py does), on the review store: Rising, the
disruption view down to the draft s116 PDF, and the link chart drawn by
the vendored cytoscape.js, where a click opens the node's page; no console
error (a CSP refusal would be one). Screenshots go to tests/output/screenshots/,
or to docs/img/ with INTAKE_DOCS_SCREENSHOTS=1 (tests/support/screenshots.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.store.models import Entity
from tests.review.conftest import review_db, review_db_template, review_settings, review_store  # noqa: F401
from tests.review.test_browser import _page, browser, server  # noqa: F401
from tests.support.screenshots import docs_shot_path

pytestmark = pytest.mark.slow


def _shot(page, name: str, full: bool = False) -> None:
    page.screenshot(path=str(docs_shot_path(name)), full_page=full)


def _org(store, name: str) -> str:
    with store.session() as s:
        for e in s.scalars(select(Entity).where(Entity.type == "ORGANISATION", Entity.merged_into_id.is_(None))):
            if e.display == name:
                return e.public_id
    raise AssertionError(name)


def test_analyst_uses_rising_disruption_and_the_chart(browser, server, review_store):  # noqa: F811
    page = _page(browser, server, "anna")

    page.goto(f"{server}/rising?days=90")
    rows = page.locator("table.rising tbody tr")
    assert rows.count() >= 10
    assert page.locator("input[name=days][value='90']").is_checked()
    first = rows.first.locator("td").nth(2).inner_text()
    assert int(first) >= int(rows.nth(5).locator("td").nth(2).inner_text())
    _shot(page, "analysis-rising")

    page.goto(f"{server}/disruption")
    table = page.locator("table.businesses tbody tr")
    assert table.count() >= 5
    assert "Oakwood Children's Home" not in page.locator("table.businesses").inner_text()  # partners hidden
    assert page.locator("table.people tbody tr").count() >= 1
    _shot(page, "analysis-disruption")

    page.goto(f"{server}/disruption/{_org(review_store, 'Premier Stay Hotel')}")
    assert page.get_by_role("heading", name="Draft section 116 notice").is_visible()
    page.fill("#s116-address", "1 Hotel Street, Birmingham B1 1AA")
    _shot(page, "analysis-hotel", full=True)
    with page.expect_download() as dl:
        page.click("form.s116-form button[type=submit]")
    path = dl.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert dl.value.suggested_filename == "s116-notice-DRAFT.pdf"

    seed = _org(review_store, "Premier Stay Hotel")
    page.goto(f"{server}/chart?seed={seed}&hops=1")
    page.wait_for_selector("#chart[data-drawn]")
    drawn = int(page.get_attribute("#chart", "data-drawn"))
    assert drawn > 10
    assert re.search(r"\d+ entities, \d+ reports", page.inner_text("#chart-status"))
    assert page.locator("#chart canvas").count() >= 1
    page.locator("#chart").scroll_into_view_if_needed()
    _shot(page, "analysis-chart")
    # Click the seed node on the canvas: its entity page opens.
    pos = page.evaluate("() => { const n = window.intakeChart.nodes('[?seed]')[0]; return n.renderedPosition(); }")
    box = page.locator("#chart").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_url(re.compile(rf".*/entities/{seed}$"))
    # And a report node opens its document.
    page.go_back()
    page.wait_for_selector("#chart[data-drawn]")
    # The report node farthest from any other, so the click cannot land on a neighbour.
    pos = page.evaluate("""() => {
        const cy = window.intakeChart, all = cy.nodes();
        let best = null, gap = -1;
        cy.nodes('[kind = "report"]').forEach(n => {
            const p = n.renderedPosition();
            let d = Infinity;
            all.forEach(o => { if (o !== n) { const q = o.renderedPosition();
                d = Math.min(d, Math.hypot(p.x - q.x, p.y - q.y)); } });
            if (d > gap) { gap = d; best = n; }
        });
        return best.renderedPosition(); }""")
    box = page.locator("#chart").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_url(re.compile(r".*/documents/d_\w+$"))
    assert page.errors == [], page.errors
