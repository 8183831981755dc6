"""Signing in and out.

The sign-in form is protected against cross-site submission by a token
that is both in a cookie and in the form (there is no session yet to hold
one). A failed attempt is answered after a delay that grows with the
name's failures, and the name locks after [review] login_max_failures in a
row; the answer, its delay and the work behind it are the same for an
unknown name, a wrong password, a locked or a disabled account
(store/users.py says how).

Signing in ends the session the browser already had, if any: a cookie
that was valid before a sign-in never works after it.
"""

from __future__ import annotations

import asyncio
import functools
import os
import weakref

import anyio
import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from intake.review.security import client_addr, new_token, tokens_match
from intake.store import repository as repo
from intake.store import users as users_store

LOGIN_COOKIE = "intake_login"
FAILED = ("Sign-in failed: the user name or password is wrong, or the account is locked or disabled. "
          "After repeated failures an account is locked for a while; an admin can unlock it.")


def _safe_next(nxt: str | None) -> str:
    # Only a path on this site: never "//other.host" or "https://…".
    if nxt and nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt:
        return nxt
    return "/"


def _login_page(app, request: Request, error: str | None = None, status: int = 200) -> Response:
    token = new_token()
    html = app.templates.get_template("login.html").render(
        request=request, user=None, csrf=token, flash=[], error=error,
        next=_safe_next(request.query_params.get("next")))
    resp = HTMLResponse(html, status_code=status)
    resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=app.config.secure_cookies,
                    max_age=3600, path="/login")
    return resp


async def login_form(request: Request) -> Response:
    app = request.app.state.review
    return _login_page(app, request)


# Sign-ins run in threads of their own, as many at a time as there are
# cores (each is mostly one argon2 check): a burst of them waits here
# instead of taking every worker thread the pages share. One limiter per
# event loop, as anyio's belong to the loop that made them.
_SIGN_IN_THREADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sign_in_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _SIGN_IN_THREADS.get(loop)
    if limiter is None:
        limiter = _SIGN_IN_THREADS[loop] = anyio.CapacityLimiter(os.cpu_count() or 2)
    return limiter


def failure_delay(failures: int) -> float:
    """Slower with every failure: 0.5 s, 1 s, 2 s … up to 5 s."""
    return min(5.0, 0.5 * 2 ** max(0, failures - 1))


def _authenticate(app, username: str, password: str, addr: str | None, previous: str | None):
    cfg = app.config
    # The password is checked between two short transactions, not inside
    # one: a burst of sign-ins queueing for the hasher must not hold every
    # store connection (or SQLite's write lock) meanwhile.
    with app.store.transaction() as db:
        attempt = users_store.read_attempt(db, username)
    users_store.check_password(attempt, password)
    with app.store.transaction() as db:
        result = users_store.settle_attempt(db, attempt, max_failures=cfg.login_max_failures, lockout=cfg.lockout)
        if result.user is None:
            known = users_store.get_user(db, (username or "").strip().lower())
            # The typed name is recorded only when it is an account: a
            # password typed into the name field must not reach the log.
            repo.audit(db, f"user:{known.username}" if known else "anonymous", "login.failed", "user",
                       known.username if known else None, client_addr=addr, reason=result.reason)
            return None, result.failures
        # In the same transaction as the new one: never two live sessions
        # for one browser, and the old token is dead before the new is sent.
        ended = users_store.end_session(db, previous)
        token, _ = users_store.start_session(db, result.user, addr)
        repo.audit(db, f"user:{result.user.username}", "login", "user", result.user.username, client_addr=addr,
                   **({"ended_previous_session": True} if ended else {}))
        return token, 0


async def login(request: Request) -> Response:
    app = request.app.state.review
    form = await request.form(max_files=0, max_fields=10)
    if not tokens_match(request.cookies.get(LOGIN_COOKIE), form.get("csrf")):
        return _login_page(app, request, "The sign-in form had expired; please try again.", 403)
    attempt = functools.partial(_authenticate, app, str(form.get("username", ""))[:200],
                                str(form.get("password", ""))[:1000], client_addr(request),
                                request.cookies.get(app.cookie_name))
    token, failures = await anyio.to_thread.run_sync(attempt, limiter=_sign_in_limiter())
    if token is None:
        await asyncio.sleep(failure_delay(failures))
        return _login_page(app, request, FAILED, 401)
    resp = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    resp.set_cookie(app.cookie_name, token, httponly=True, samesite="strict", secure=app.config.secure_cookies,
                    path="/")
    resp.delete_cookie(LOGIN_COOKIE, path="/login")
    return resp


def _logout(app, token: str | None, addr: str | None, csrf: str | None) -> bool:
    with app.store.transaction() as db:
        found = users_store.find_session(db, token, idle=app.config.idle, max_age=app.config.max_age)
        if found is None or not tokens_match(found[0].csrf_token, csrf):
            return False
        repo.audit(db, f"user:{found[1].username}", "logout", "user", found[1].username, client_addr=addr)
        users_store.end_session(db, token)
        return True


async def logout(request: Request) -> Response:
    app = request.app.state.review
    form = await request.form(max_files=0, max_fields=10)
    ok = await run_in_threadpool(_logout, app, request.cookies.get(app.cookie_name), client_addr(request),
                                 form.get("csrf"))
    resp = RedirectResponse("/login", status_code=303)
    if ok:
        resp.delete_cookie(app.cookie_name, path="/")
    return resp


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
