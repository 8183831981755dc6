"""The Reports page in real Chromium (Debian's chromium driven by
Playwright): most urgent first, the level as a word and a colour, no console
error (CSP holds), filters work. A screenshot goes to
tests/output/screenshots/triage-reports.png for a person to look at."""

from __future__ import annotations

import pytest

from tests.review.test_browser import _page, _shot, browser  # noqa: F401 - the module-scoped fixture
from tests.triage.helpers import ROUTINE_TEXT, URGENT_TEXT, seed_store
from tests.triage.test_pages import HIGH_TEXT

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings, tmp_path_factory):
    """Four reports run through the real pipeline once per session, and an
    officer: each test's ``store`` is a copy."""
    return seed_store(settings, tmp_path_factory, "triage-reports",
                      [ROUTINE_TEXT, HIGH_TEXT, URGENT_TEXT, ROUTINE_TEXT.replace("park", "canal")],
                      {"olive": "officer"})


@pytest.fixture
def server(store, settings):
    import threading
    import time

    import uvicorn

    from intake.review.app import create_app
    from intake.review.config import review_config
    from tests.review.test_browser import _free_port

    port = _free_port()
    app = create_app(settings, store, review_config(settings, port=port), background=False)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                        lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(15)


def test_reports_page_in_chromium(browser, server):  # noqa: F811
    page = _page(browser, server, "olive")
    page.goto(server + "/reports")
    rows = page.locator("table.reports tbody tr")
    assert rows.count() == 4
    assert [rows.nth(i).locator(".level-badge").inner_text() for i in range(4)] == \
        ["URGENT", "HIGH", "ROUTINE", "ROUTINE"]
    _shot(page, "triage-reports")
    page.select_option("select[name=indicator]", "sexual_images")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.reports tbody tr").count() == 1
    page.click("table.reports tbody tr a")
    page.wait_for_load_state("networkidle")
    assert "/documents/" in page.url
    assert not page.errors, page.errors


def test_triage_panel_in_chromium(browser, server, store):  # noqa: F811
    """The document page's panel (document.html includes _triage.html),
    rendered by the app's templates with the app's stylesheet."""
    from sqlalchemy import select

    from intake.review.views.triage import triage_panel
    from intake.review.web import url
    from intake.store.models import DocumentRow, Triage

    page = _page(browser, server, "olive")
    with store.session() as s:
        doc = s.scalar(select(DocumentRow).join(Triage, Triage.document_pk == DocumentRow.id)
                       .where(Triage.level == "high"))
        app_templates = __import__("intake.review.app", fromlist=["x"])
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        env = Environment(loader=FileSystemLoader(str(app_templates.HERE / "templates")),
                          autoescape=select_autoescape(["html"]))
        env.filters["when"] = lambda dt: dt.strftime("%d/%m/%Y %H:%M") if dt else "–"
        panel = env.get_template("_triage.html").render(triage=triage_panel(s, doc), doc=doc, csrf="x",
                                                         can_work=True, url=url)
    page.set_content('<!doctype html><html><head><link rel="stylesheet" href="/static/app.css"></head>'
                     f'<body><main style="max-width:52rem;padding:1rem">{panel}</main></body></html>')
    page.wait_for_load_state("networkidle")
    marks = page.locator("mark.ind")
    assert marks.count() >= 2
    assert marks.first.get_attribute("data-indicator") in ("sexual_images", "gifts")
    _shot(page, "triage-panel")
