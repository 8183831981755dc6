"""Sign-in security: lock-out that holds when attempts arrive in
parallel, an unknown name that behaves like a known one, a sign-in that
ends the browser's previous session, and the security headers on every
answer, errors included.

These tests use a small store of their own (users only), not the replayed
review store: none of them needs documents."""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from intake.store.models import AuditEntry, ReviewSession, User
from tests.review.conftest import PASSWORD, csrf_of

PARALLEL = 50


def _open(url: str, **review):
    from intake.config.settings import load_settings
    from intake.store import users as users_store
    from intake.store.db import open_store

    settings = load_settings(db_url=url)
    if review:
        settings = settings.updated("review", **review)
    store = open_store(settings)
    with store.transaction() as s:
        for name, role in (("olive", "officer"), ("oscar", "officer")):
            users_store.add_user(s, name, role, PASSWORD)
    return settings, store


def _app(settings, store):
    from intake.review.app import create_app
    from intake.review.config import review_config

    return create_app(settings, store, review_config(settings), background=False)


@pytest.fixture
def small(tmp_path):
    """(settings, store, app) on a fresh SQLite store."""
    settings, store = _open(f"sqlite:///{tmp_path / 'users.sqlite'}")
    app = _app(settings, store)
    yield settings, store, app
    app.state.review.work.close()
    store.close()


class Served:
    """The app served by a real uvicorn on 127.0.0.1, in a thread."""

    def __init__(self, app):
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                                    access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=30)


def _sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    page = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(page.text), "username": username, "password": password,
                                       "next": "/queue"}, follow_redirects=False)


def _parallel_wrong_passwords(url: str, username: str, n: int) -> list[int]:
    """n sign-ins with a wrong password, each from its own browser, sent at
    the same moment; their status codes."""
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def attempt():
        with httpx.Client(base_url=url, timeout=300) as client:
            page = client.get("/login")
            barrier.wait(timeout=120)
            r = client.post("/login", data={"csrf": csrf_of(page.text), "username": username,
                                            "password": "not the password"})
            statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=400)
    return statuses


def _account(store, username: str) -> User:
    with store.session() as s:
        return s.scalar(select(User).where(User.username == username))


def _check_parallel_lock(settings, store):
    app = _app(settings, store)
    served = Served(app)
    try:
        statuses = _parallel_wrong_passwords(served.url, "oscar", PARALLEL)
        assert statuses == [401] * PARALLEL
        # Counted one by one, none lost to another running beside it, and
        # the count stops at the attempt that locked (before: 4, no lock).
        oscar = _account(store, "oscar")
        assert oscar.failed_logins == 5 and oscar.locked_until is not None
        with store.session() as s:
            reasons = Counter(d["reason"] for d in s.scalars(select(AuditEntry.detail).where(
                AuditEntry.action == "login.failed", AuditEntry.object_id == "oscar")))
        assert reasons == {"bad_credentials": 4, "locked": PARALLEL - 4}
        with httpx.Client(base_url=served.url, timeout=60) as client:
            r = _sign_in(client, "oscar", PASSWORD)
            assert r.status_code == 401  # locked: the right password is refused
            assert "intake_session" not in client.cookies
            # Another account is not affected.
            assert _sign_in(client, "olive", PASSWORD).status_code == 303
    finally:
        served.stop()
        app.state.review.work.close()


def test_parallel_wrong_passwords_lock_the_account_sqlite(small, monkeypatch):
    import os

    from intake.review.views import auth

    # How many sign-ins run at once: a burst must queue for its own few
    # threads, not take every worker thread the pages share (40).
    running, most = [0], [0]
    lock = threading.Lock()
    real = auth._authenticate

    def counted(*args):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(auth, "_authenticate", counted)
    settings, store, _ = small
    _check_parallel_lock(settings, store)
    assert 1 <= most[0] <= (os.cpu_count() or 2)


def test_parallel_wrong_passwords_lock_the_account_postgresql(postgres_url):
    settings, store = _open(postgres_url)
    try:
        _check_parallel_lock(settings, store)
    finally:
        store.close()


# --------------------------------------------------------------------------
# an unknown name looks like a known one
# --------------------------------------------------------------------------


@pytest.fixture
def delays(monkeypatch):
    """The delays the sign-in page waits before answering a failure."""
    import asyncio

    slept: list[float] = []

    async def no_sleep(s):
        slept.append(s)

    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    return slept


@pytest.fixture
def verifies(monkeypatch):
    """Every argon2 verify made, by which hash: 'dummy' or 'account'."""
    from intake.store import users as users_store

    made: list[str] = []
    real = users_store._verify

    def counting(stored, password):
        made.append("dummy" if stored == users_store._dummy_hash() else "account")
        return real(stored, password)

    monkeypatch.setattr(users_store, "_verify", counting)
    return made


def _attempts(client, username: str, passwords: list[str], delays: list[float], verifies: list[str]):
    """What an outsider sees of each attempt (status, page without its
    token, delay) and how many argon2 verifies each cost."""
    seen, work = [], []
    for password in passwords:
        before_d, before_v = len(delays), len(verifies)
        r = _sign_in(client, username, password)
        page = re.sub(r'name="csrf" value="[^"]+"', "", r.text)
        seen.append((r.status_code, page, delays[before_d:]))
        work.append(len(verifies) - before_v)
    return seen, work


def test_an_unknown_name_is_slowed_and_locked_like_a_known_one(small, delays, verifies, monkeypatch):
    from starlette.testclient import TestClient

    from intake.store import users as users_store

    _, store, app = small
    client = TestClient(app, base_url="http://127.0.0.1")
    stranger = "x" + uuid.uuid4().hex[:10]  # this process's unknown-name table is shared by tests
    # Seven wrong passwords, then the right one (for the stranger: any).
    tries = ["wrong password %d" % i for i in range(7)] + [PASSWORD]
    known, known_work = _attempts(client, "oscar", tries, delays, verifies)
    unknown, unknown_work = _attempts(client, stranger, tries, delays, verifies)
    assert known == unknown
    assert [status for status, _, _ in known] == [401] * 8  # the last: locked, right password or not
    waits = [d[0] for _, _, d in known]
    assert waits == sorted(waits) and waits[0] < waits[4] == waits[-1]
    # The same work for each: one argon2 verify per attempt, locked or not,
    # against a dummy hash made with an account's parameters.
    assert known_work == unknown_work == [1] * 8
    assert verifies.count("dummy") == 8 and verifies.count("account") == 8
    from argon2 import extract_parameters
    assert extract_parameters(users_store._dummy_hash()) == extract_parameters(_account(store, "oscar").password_hash)

    # When the lock ends, both names are again answered alike (the next
    # failure locks again at once: the count was not reset).
    later = users_store._now() + timedelta(minutes=16)
    monkeypatch.setattr(users_store, "_now", lambda: later)
    known_after, _ = _attempts(client, "oscar", ["wrong again"], delays, verifies)
    unknown_after, _ = _attempts(client, stranger, ["wrong again"], delays, verifies)
    assert known_after == unknown_after
    assert _account(store, "oscar").locked_until > later


def test_a_disabled_account_is_refused_like_the_rest(small, delays):
    from starlette.testclient import TestClient

    from intake.store import users as users_store

    _, store, app = small
    with store.transaction() as s:
        users_store.set_active(s, "olive", False)
    client = TestClient(app, base_url="http://127.0.0.1")
    stranger = "x" + uuid.uuid4().hex[:10]
    disabled = [_sign_in(client, "olive", PASSWORD).status_code for _ in range(3)]
    d_disabled = list(delays)
    delays.clear()
    unknown = [_sign_in(client, stranger, PASSWORD).status_code for _ in range(3)]
    assert disabled == unknown == [401] * 3
    assert d_disabled == delays


def test_unknown_names_are_kept_under_a_key_and_bounded():
    from datetime import datetime, timezone

    from intake.store.users import UnknownNames

    names = UnknownNames(cap=3)
    now = datetime.now(timezone.utc)
    until = now + timedelta(minutes=15)
    for n in ("alice", "bob", "carol", "alice"):
        names.count_failure(n, max_failures=5, now=now, until=until)
    assert names.state("alice") == (2, None)
    assert all(isinstance(k, bytes) and len(k) == 32 and b"alice" not in k for k in names._rows)
    names.count_failure("dave", max_failures=5, now=now, until=until)  # bob was the least recently tried
    assert names.state("bob") == (0, None) and names.state("alice") == (2, None)
    results = [names.count_failure("alice", max_failures=5, now=now, until=until) for _ in range(4)]
    assert results == [(3, True), (4, True), (5, True), (5, False)]  # locked at 5; no count while locked
    assert names.state("alice") == (5, until)
    assert names.count_failure("alice", max_failures=5, now=until + timedelta(seconds=1),
                               until=until + timedelta(minutes=16)) == (6, True)  # the lock ended


# --------------------------------------------------------------------------
# sessions
# --------------------------------------------------------------------------


def _session_rows(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(ReviewSession))


def test_signing_in_ends_the_browsers_previous_session(small):
    from starlette.testclient import TestClient

    _, store, app = small
    client = TestClient(app, base_url="http://127.0.0.1")
    assert _sign_in(client, "olive", PASSWORD).status_code == 303
    first = client.cookies["intake_session"]
    assert client.get("/queue", follow_redirects=False).status_code == 200
    # Signing in again, from the same browser: the old cookie is dead.
    assert _sign_in(client, "olive", PASSWORD).status_code == 303
    second = client.cookies["intake_session"]
    assert second != first and _session_rows(store) == 1
    old = TestClient(app, base_url="http://127.0.0.1", cookies={"intake_session": first})
    r = old.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert old.post("/logout", data={"csrf": "x"}, follow_redirects=False).status_code == 303
    assert client.get("/queue", follow_redirects=False).status_code == 200
    # Signing in as someone else ends the first person's session too.
    assert _sign_in(client, "oscar", PASSWORD).status_code == 303
    again = TestClient(app, base_url="http://127.0.0.1", cookies={"intake_session": second})
    assert again.get("/queue", follow_redirects=False).status_code == 303
    with store.session() as s:
        owners = s.scalars(select(User.username).join(ReviewSession, ReviewSession.user_pk == User.id)).all()
        ended = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "login", AuditEntry.detail["ended_previous_session"].as_boolean()))
    assert owners == ["oscar"] and ended == 2


def test_a_failed_sign_in_leaves_the_session_alone(small, delays):
    from starlette.testclient import TestClient

    _, store, app = small
    client = TestClient(app, base_url="http://127.0.0.1")
    assert _sign_in(client, "olive", PASSWORD).status_code == 303
    assert _sign_in(client, "olive", "a wrong password").status_code == 401
    assert client.get("/queue", follow_redirects=False).status_code == 200


# --------------------------------------------------------------------------
# headers on every answer
# --------------------------------------------------------------------------

SECRET = "Kayleigh Brooks 07700 900461"


def _check_headers(r, *, cacheable: bool = False):
    h = r.headers
    assert h["content-security-policy"].startswith("default-src 'none'"), r
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in h["permissions-policy"]
    assert h["cache-control"] == ("private, max-age=3600" if cacheable else "no-store"), r


@pytest.fixture
def faulty(small):
    """The app with two routes that fail: a bare one, and a page that fails
    inside its store transaction after writing."""
    from starlette.routing import Route

    from intake.review.web import ALL_ROLES, page
    from intake.store import repository as repo

    settings, store, app = small

    async def boom(request):
        raise RuntimeError(SECRET)

    @page(*ALL_ROLES)
    def boom_page(ctx):
        repo.audit(ctx.db, "test", "half.written", "test", "1")
        raise ValueError(SECRET)

    app.router.routes += [Route("/boom", boom), Route("/boom-page", boom_page, methods=["GET", "POST"])]
    return store, app


def test_an_unexpected_fault_is_a_readable_page_with_the_headers(faulty):
    from starlette.testclient import TestClient

    store, app = faulty
    client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    r = client.get("/boom")
    assert r.status_code == 500
    _check_headers(r)
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in r.text and '/static/app.css' in r.text
    for leak in (SECRET, "RuntimeError", "Traceback", "boom"):
        assert leak not in r.text
    assert _sign_in(client, "olive", PASSWORD).status_code == 303
    for method in ("GET", "POST"):
        data = {"csrf": csrf_of(client.get("/queue").text)} if method == "POST" else None
        r = client.request(method, "/boom-page", data=data)
        assert r.status_code == 500 and SECRET not in r.text and "ValueError" not in r.text
        _check_headers(r)
        # Signed-out style: no user menu on an error page.
        assert "Sign out" not in r.text
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "half.written")) == 0
    # The app still answers, from the store, as usual.
    assert client.get("/queue").status_code == 200


def test_every_kind_of_answer_carries_the_security_headers(small):
    from starlette.testclient import TestClient

    _, _, app = small
    client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    _check_headers(client.get("/static/app.css"), cacheable=True)
    assert client.get("/static/app.css").status_code == 200
    for r, status in [
        (client.get("/login"), 200),
        (client.get("/healthz"), 200),
        (client.get("/queue"), 303),  # to the sign-in page
        (client.get("/no/such/page"), 404),
        (client.get("/static/no-such-file.css"), 404),  # an error about an asset is not cached
        (client.get("/logout"), 405),
        (client.post("/login", data={"csrf": "forged", "username": "olive", "password": PASSWORD}), 403),
        (client.post("/documents/doc_x/approve", data={"csrf": "x"}), 401),
        (client.post("/login", content=b"x" * (1024 * 1024 + 1),
                     headers={"content-type": "application/x-www-form-urlencoded"}), 413),
    ]:
        assert r.status_code == status, (r.request.url, r.status_code)
        _check_headers(r)
    for path, title in (("/no/such/page", "Not found"), ("/logout", "Not allowed here")):
        r = client.get(path)
        assert f"<h1>{title}</h1>" in r.text and "/static/app.css" in r.text
    assert "POST" in client.get("/logout").headers["allow"]
    signed_in = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    assert _sign_in(signed_in, "oscar", PASSWORD).status_code == 303
    r = signed_in.get("/admin/users")  # an officer on an admin page
    assert r.status_code == 403
    _check_headers(r)
