"""The plumbing every page shares: who is asking (session cookie → user),
what they may do (roles), CSRF on every change, the store transaction the
page runs in, and rendering.

A page is a plain function ``fn(ctx, **path_params) -> Response`` declared
with ``@page(roles...)``. It runs in a worker thread inside one store
transaction (SQLAlchemy is synchronous), so a template can read lazy
relationships while it renders. An anonymous request never reaches the
function; a request from the wrong role gets a 403 page that says nothing
about the record it asked for.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from intake.logs import log_fault
from intake.review.security import client_addr, tokens_match
from intake.store import repository as repo
from intake.store import users as users_store
from intake.store.review_actions import Actor
from intake.store.review_faults import record_action_failure

log = logging.getLogger(__name__)
ALL_ROLES = ("officer", "analyst", "admin")
WORKERS = ("officer", "admin")  # roles that change records
MAX_FORM_FIELDS = 200
FLASH = {
    "reprocess_requested": "{n} document(s) queued for reprocessing; the Reprocessing page shows their progress.",
    "approved": "Approved: the record is in use and its entities are linked.",
    "rejected": "Rejected: the document has left the queue.",
    "not_a_report": "Marked not a report: the document has left the queue.",
    "duplicate_same": "Marked as the same report: the document is now a duplicate.",
    "duplicate_different": "Kept as a separate report.",
    "corrected": "Field corrected; the original value is kept beside it.",
    "unchanged": "The value was already that; nothing changed.",
    "template_chosen": "Template applied: check the fields, correct what is wrong, then approve.",
    "claimed": "You are now working on this document.",
    "released": "You are no longer marked as working on this document.",
    "merged": "Entities merged.",
    "split": "Mentions split into a new entity.",
    "user_added": "User added.",
    "user_changed": "User updated.",
    # fast clearing: "... and next" lands on the next item
    "approved_next": "Approved. This is the next item under your filters.",
    "rejected_next": "Rejected. This is the next item under your filters.",
    "not_a_report_next": "Marked not a report. This is the next item under your filters.",
    "duplicate_same_next": "Marked as the same report. This is the next item under your filters.",
    "duplicate_different_next": "Kept as a separate report. This is the next item under your filters.",
    "chosen": "Value set; other items are still open on this document.",
    "chosen_approved": "Value set and the document approved.",
    "chosen_approved_next": "Value set and approved. This is the next item under your filters.",
    "queue_empty": "Done. Nothing else is waiting under these filters.",
    "note_added": "Note added.",
    # retention
    "disposed": "{n} document(s) disposed of.",
    "held": "Legal hold set.",
    "hold_released": "Legal hold released.",
}


class NotFound(Exception):
    pass


@dataclass
class Ctx:
    request: Request
    db: Any  # the SQLAlchemy session of this request's transaction
    user: Any  # store.models.User
    login: Any  # store.models.ReviewSession: the CSRF token lives on it
    form: FormData | None
    app: Any  # ReviewApp
    flash: list[str] = field(default_factory=list)

    @property
    def actor(self) -> Actor:
        return Actor(f"user:{self.user.username}", client_addr(self.request))

    @property
    def can_work(self) -> bool:
        return self.user.role in WORKERS

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    def get(self, name: str, default: str = "") -> str:
        v = (self.form.get(name) if self.form is not None else self.request.query_params.get(name))
        return v if isinstance(v, str) else default

    def flash_from_query(self) -> None:
        """A message after a redirect, chosen by key: the URL cannot put
        words of its own on the page."""
        text = FLASH.get(self.request.query_params.get("done", ""))
        if text:
            n = self.request.query_params.get("n", "")
            self.flash.append(text.format(n=n if n.isdigit() else "some"))

    def render(self, template: str, status_code: int = 200, **context) -> HTMLResponse:
        html = self.app.templates.get_template(template).render(
            request=self.request, user=self.user, csrf=self.login.csrf_token, flash=self.flash,
            can_work=self.can_work, is_admin=self.is_admin, url=url, **context)
        return HTMLResponse(html, status_code=status_code)


def parse_day(s: str) -> datetime | None:
    """A yyyy-mm-dd from a date field, as midnight UTC (None if not a date)."""
    try:
        return datetime.fromisoformat(s).replace(tzinfo=timezone.utc) if s else None
    except ValueError:
        return None


def url(path: str, **params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(clean) if clean else "")


def redirect(path: str, **params) -> RedirectResponse:
    return RedirectResponse(url(path, **params), status_code=303)


def _refused(app, request: Request, user, action: str) -> None:
    """A refused request is itself worth an audit entry: who tried what."""
    with app.store.transaction() as db:
        repo.audit(db, f"user:{user.username}", action, "route", f"{request.method} {request.url.path}"[:100],
                   client_addr=client_addr(request))


def _plain(app, request: Request, template: str, status: int, **context) -> HTMLResponse:
    html = app.templates.get_template(template).render(request=request, user=None, csrf=None, flash=[],
                                                        url=url, **context)
    return HTMLResponse(html, status_code=status)


def page(*roles: str, claim: bool = False) -> Callable:
    """Declare a page and the roles that may use it."""
    allowed = roles or ALL_ROLES

    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            app = request.app.state.review
            form = None
            if request.method == "POST":
                form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
            return await run_in_threadpool(_run, app, request, fn, allowed, form)

        endpoint.roles = allowed  # read by the route table test
        return endpoint

    return deco


def _run(app, request: Request, fn: Callable, allowed, form) -> Response:
    # Two transactions: a short one for who is asking (it touches the
    # session), then the page's own. A page that must do slow work (map a
    # document, extract entities) does it before its first write, so the
    # embedded SQLite store is not locked against the pipeline meanwhile.
    with app.store.transaction() as db:
        found = users_store.find_session(db, request.cookies.get(app.cookie_name), idle=app.config.idle,
                                         max_age=app.config.max_age)
    if found is None:
        if request.method == "GET":
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(nxt)}", status_code=303)
        return _plain(app, request, "error.html", 401, title="Signed out",
                      message="Your session has ended. Sign in again; nothing was changed.")
    login, user = found
    if user.role not in allowed:
        _refused(app, request, user, "access.refused")
        return _plain(app, request, "error.html", 403, title="Not allowed",
                      message="Your role does not allow this page or action.")
    if request.method == "POST" and not tokens_match(login.csrf_token, form.get("csrf") if form else None):
        _refused(app, request, user, "csrf.refused")
        return _plain(app, request, "error.html", 403, title="Form expired",
                      message="The form was not accepted (its security token is missing or old). "
                              "Go back, reload the page and try again; nothing was changed.")
    try:
        with app.store.transaction() as db:
            return fn(Ctx(request, db, user, login, form, app), **request.path_params)
    except NotFound:
        return _plain(app, request, "error.html", 404, title="Not found",
                      message="There is no such item, or it has been disposed of.")
    except Exception as exc:  # noqa: BLE001 - any fault: the officer gets a page, never a bare 500
        # The page's transaction has rolled back as the exception left it,
        # so nothing of the action is kept and no lock is held: the next
        # request, from anyone, is answered as usual.
        return _failed(app, request, user, form, exc)


def _failed(app, request: Request, user, form, exc: Exception) -> Response:
    """A fault in intake while a page ran: logged with where it happened
    (no content), recorded as a coded item on the document an officer was
    changing, and a readable page that gives back what they typed."""
    log_fault(log, "review page %s failed", exc, request.url.path.split("/")[1][:20])
    doc_id = request.path_params.get("doc_id")
    if request.method == "POST" and isinstance(doc_id, str):
        try:
            with app.store.transaction() as db:
                record_action_failure(db, doc_id, user.username, request.url.path.rsplit("/", 1)[-1][:40])
        except Exception as again:  # noqa: BLE001 - the store itself may be what failed
            log_fault(log, "recording a failed review action failed", again)
    typed = [(k, v) for k, v in (form.multi_items() if form is not None else [])
             if k != "csrf" and isinstance(v, str) and v.strip()]
    back = f"/documents/{doc_id}" if isinstance(doc_id, str) else "/queue"
    return _plain(app, request, "error.html", 500, title="That did not work",
                  message="intake could not finish this action because of a fault on our side. Nothing of it "
                          "was saved, and the document is as it was. The fault is logged and the document is "
                          "marked in the queue; try again, or carry on with other items.",
                  typed=typed[:MAX_FORM_FIELDS], back=back)
