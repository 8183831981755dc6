"""Admins' pages: the audit log (read and filtered), users (add,
disable or enable, unlock, change role), and retention (what is due, legal
holds, disposal). Reading the audit log is itself audited; disposal asks
for the admin's password again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from starlette.routing import Route

from intake.review.web import Ctx, page, parse_day, redirect
from intake.store import audit_log, retention, review_actions
from intake.store import users as users_store
from intake.store.documents import get_document

PAGE = 100



@page("admin")
def audit_page(ctx: Ctx):
    until = parse_day(ctx.get("until"))
    f = audit_log.AuditFilter(actor=ctx.get("actor") or None, action=ctx.get("action") or None,
                              object_type=ctx.get("object_type") or None,
                              object_id=ctx.get("object_id") or None, since=parse_day(ctx.get("since")),
                              until=until + timedelta(days=1) if until else None)
    try:
        n = max(1, int(ctx.get("page") or 1))
    except ValueError:
        n = 1
    rows, total = audit_log.list_audit(ctx.db, f, n, PAGE)
    review_actions.audit_view(ctx.db, ctx.actor, "audit.viewed", "audit", None, page=n)
    params = {k: ctx.get(k) for k in ("actor", "action", "object_type", "object_id", "since", "until") if ctx.get(k)}
    return ctx.render("audit.html", rows=rows, total=total, page_no=n, pages=max(1, -(-total // PAGE)),
                      params=params, choices=audit_log.audit_choices(ctx.db))


def _users(ctx: Ctx, error: str | None = None, status: int = 200):
    ctx.flash_from_query()
    return ctx.render("users.html", status_code=status, users=users_store.list_users(ctx.db),
                      roles=users_store.ROLES, error=error, now=datetime.now(timezone.utc))


@page("admin")
def users_page(ctx: Ctx):
    return _users(ctx)


@page("admin")
def add_user(ctx: Ctx):
    if ctx.get("password") != ctx.get("password2"):
        return _users(ctx, "The two passwords differ.", 400)
    try:
        user = users_store.add_user(ctx.db, ctx.get("username"), ctx.get("role"), ctx.get("password"))
    except users_store.UserError as exc:
        return _users(ctx, str(exc), 400)
    review_actions.audit_view(ctx.db, ctx.actor, "user.added", "user", user.username, role=user.role)
    return redirect("/admin/users", done="user_added")


@page("admin")
def change_user(ctx: Ctx, username: str):
    what = ctx.get("action")
    try:
        if what == "disable":
            if username == ctx.user.username:
                return _users(ctx, "You cannot disable your own account.", 400)
            users_store.set_active(ctx.db, username, False)
        elif what == "enable":
            users_store.set_active(ctx.db, username, True)
        elif what == "unlock":
            users_store.unlock(ctx.db, username)
        elif what == "role":
            if username == ctx.user.username:
                return _users(ctx, "Ask another admin to change your own role.", 400)
            users_store.set_role(ctx.db, username, ctx.get("role"))
        else:
            return _users(ctx, "Unknown action.", 400)
    except users_store.UserError as exc:
        return _users(ctx, str(exc), 400)
    review_actions.audit_view(ctx.db, ctx.actor, f"user.{what}", "user", username,
                  **({"role": ctx.get("role")} if what == "role" else {}))
    return redirect("/admin/users", done="user_changed")


def _retention(ctx: Ctx, error: str | None = None, status: int = 200):
    ctx.flash_from_query()
    years = ctx.app.settings.model.retention.review_after_years
    return ctx.render("retention.html", status_code=status, due=retention.due_documents(ctx.db, years, limit=1000),
                      years=years, error=error)


@page("admin")
def retention_page(ctx: Ctx):
    review_actions.audit_view(ctx.db, ctx.actor, "retention.viewed", "retention", None)
    return _retention(ctx)


@page("admin")
def dispose(ctx: Ctx):
    ids = [v for v in ctx.form.getlist("document") if isinstance(v, str) and v] if ctx.form else []
    if not ids:
        return _retention(ctx, "Choose the documents to dispose of.", 400)
    review = ctx.app.settings.model.review
    again = users_store.authenticate(ctx.db, ctx.user.username, ctx.get("password"),
                                     max_failures=review.login_max_failures,
                                     lockout=timedelta(minutes=review.login_lockout_minutes))
    if again.user is None:
        return _retention(ctx, "The password is not right; nothing was disposed of.", 403)
    years = ctx.app.settings.model.retention.review_after_years
    try:
        docs = retention.check_disposable(ctx.db, ids, years)
    except retention.DisposalError as exc:
        return _retention(ctx, f"Nothing was disposed of: {exc}.", 400)
    out = retention.dispose(ctx.db, docs, actor=ctx.actor.name, years=years, client_addr=ctx.actor.client_addr)
    return redirect("/admin/retention", done="disposed", n=len(out.documents))


@page("admin")
def hold(ctx: Ctx):
    doc = get_document(ctx.db, ctx.get("document").strip())
    if doc is None:
        return _retention(ctx, "No such document.", 404)
    on = ctx.get("action") == "hold"
    try:
        retention.set_hold(ctx.db, doc, on, ctx.actor.name, ctx.get("reason"), client_addr=ctx.actor.client_addr)
    except retention.DisposalError as exc:
        return _retention(ctx, str(exc), 400)
    return redirect("/admin/retention", done="held" if on else "hold_released")


ROUTES = [
    Route("/audit", audit_page, methods=["GET"]),
    Route("/admin/users", users_page, methods=["GET"]),
    Route("/admin/users", add_user, methods=["POST"]),
    Route("/admin/users/{username}", change_user, methods=["POST"]),
    Route("/admin/retention", retention_page, methods=["GET"]),
    Route("/admin/retention/dispose", dispose, methods=["POST"]),
    Route("/admin/retention/hold", hold, methods=["POST"]),
]
