"""How fast an officer clears the review queue: per reason, the
number of user actions and the seconds from opening an item to being on
the next one, measured in real Chromium against the app served by uvicorn
on a copy of the review tests' store (the fixture forms, the demo mailbox
and a near-copy e-mail: every queue reason the fixtures raise).

    .venv/bin/python bench/review_clearing.py [--chromium /usr/bin/chromium]

An action is what a person does once: a click, a key press, typing one
value. Each item is opened from its reason's filtered queue with one click
(counted), then cleared with the fewest actions the app offers for it; the
clock runs from that click until the page of the next item (or the emptied
queue) has loaded. The store is built once and cached under bench/.cache/.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache" / "review-clearing"
sys.path.insert(0, str(REPO))

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
USER, PASSWORD = "olive", "correct horse battery staple"


def store_copy(work: Path) -> str:
    from tests.review.conftest import build_review_store

    template = CACHE / "review.sqlite"
    if not template.exists():
        shutil.rmtree(CACHE, ignore_errors=True)
        CACHE.mkdir(parents=True)
        build_review_store(CACHE)
    db = work / "review.sqlite"
    shutil.copyfile(template, db)
    return f"sqlite:///{db}"


def serve(db_url: str):
    import uvicorn

    from intake.config.settings import load_settings
    from intake.review.app import create_app
    from intake.review.config import review_config
    from intake.store.db import open_store

    settings = load_settings(db_url=db_url)
    store = open_store(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(settings, store, review_config(settings, port=port), background=False)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                        lifespan="on"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return srv, store, f"http://127.0.0.1:{port}"


def open_codes(store, public_id: str) -> list[str]:
    from sqlalchemy import select

    from intake.store.models import DocumentRow, ExceptionItem

    with store.session() as s:
        pk = s.scalar(select(DocumentRow.id).where(DocumentRow.public_id == public_id))
        return sorted(s.scalars(select(ExceptionItem.code).where(ExceptionItem.document_pk == pk,
                                                                 ExceptionItem.status == "open")))


def queue_reasons(store) -> list[str]:
    from sqlalchemy import select

    from intake.store.models import ExceptionItem

    with store.session() as s:
        return sorted(set(s.scalars(select(ExceptionItem.code).where(ExceptionItem.status == "open",
                                                                     ExceptionItem.document_pk.is_not(None)))))


class Officer:
    def __init__(self, page):
        self.page = page
        self.actions = 0
        self.server_errors = 0
        page.on("response", self._response)

    def _response(self, r):
        if r.status >= 500:
            self.server_errors += 1

    def key(self, k: str, navigate: bool = True):
        self.actions += 1
        if navigate:
            with self.page.expect_navigation():
                self.page.keyboard.press(k)
        else:
            self.page.keyboard.press(k)

    def type(self, text: str):
        self.actions += 1
        self.page.keyboard.type(text)

    def click(self, selector: str, navigate: bool = True):
        self.actions += 1
        if navigate:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)


def clear_one(o: Officer, store, public_id: str, reason: str) -> None:
    """The fewest actions the app offers for this kind of item."""
    page = o.page
    codes = open_codes(store, public_id)
    if page.locator('[data-choice="1"]').count():
        while page.locator('[data-choice="1"]').count() and f"/documents/{public_id}" in page.url:
            o.key("1")  # set the value, approve, next
    elif page.locator('[data-key="s"]').count() and "possible_duplicate" in codes:
        o.key("s")  # same report, next
    elif "unknown_template" in codes and not page.locator('[data-key="a"]').count():
        o.click("#template", navigate=False)
        o.type("Free")  # the template list jumps to "Free text"
        o.click("form.choose button[type=submit]")
        o.key("a")
    elif page.locator('[data-key="a"]').count():
        o.key("e", navigate=False)  # the field that needs attention, focused
        if not page.evaluate("document.activeElement.value"):
            o.type("Seen with older men at the park most evenings.")
        o.key("Control+Enter")  # save, approve, next
    else:
        o.key("r", navigate=False)  # the reason box, focused
        o.type("Unreadable; asked the sender to resend.")
        o.key("Enter")  # reject and next


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        srv, store, base = serve(store_copy(Path(tmp)))
        rows: dict[str, list[tuple[int, float]]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.set_default_timeout(60_000)
            page.on("dialog", lambda d: d.accept())
            page.goto(base + "/login")
            page.fill("#username", USER)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            o = Officer(page)
            for reason in queue_reasons(store):
                while True:
                    page.goto(f"{base}/queue?reason={reason}")
                    first = page.locator("table.queue a.open").first
                    if not first.count():
                        break
                    o.actions = 0
                    t0 = time.perf_counter()
                    o.click("table.queue a.open >> nth=0")  # open it
                    public_id = page.url.split("/documents/")[1].split("?")[0]
                    if reason not in open_codes(store, public_id):
                        break
                    clear_one(o, store, public_id, reason)
                    page.wait_for_load_state("load")
                    rows.setdefault(reason, []).append((o.actions, time.perf_counter() - t0))
                    if reason in open_codes(store, public_id):
                        print(f"  {reason}: {public_id} still open", file=sys.stderr)
                        break
            browser.close()
        srv.should_exit = True
        store.close()
    print(f"{'reason':<26} {'items':>5} {'actions/item':>13} {'max':>4} {'s/item median':>14} {'max s':>6}")
    for reason, got in sorted(rows.items()):
        acts = [a for a, _ in got]
        secs = [s for _, s in got]
        print(f"{reason:<26} {len(got):>5} {statistics.mean(acts):>13.1f} {max(acts):>4} "
              f"{statistics.median(secs):>14.2f} {max(secs):>6.2f}")
    print(f"server errors (5xx): {o.server_errors}")
    return 0 if o.server_errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
