"""Every route × every role × anonymous: the status each gets, and no
report content in any refused answer. Plus CSRF, security headers,
sessions and the sign-in lock-out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from intake.store.models import DocumentRow, Entity, ExceptionItem, MentionRow, Message, ReviewSession, User
from tests.review.conftest import PASSWORD

ROLES = {"officer": "olive", "analyst": "anna", "admin": "adam"}
ALL = {"officer", "analyst", "admin"}
WORK = {"officer", "admin"}
ADMIN = {"admin"}


def _ids(store) -> dict[str, str]:
    with store.session() as s:
        def doc(*where):
            return s.scalars(select(DocumentRow.public_id).where(*where).order_by(DocumentRow.id).limit(1)).first()

        parsed = doc(DocumentRow.status == "parsed", DocumentRow.template.is_not(None),
                     DocumentRow.template != "free_text", DocumentRow.kind == "attachment")
        pdf = doc(DocumentRow.media_type == "application/pdf", DocumentRow.status == "parsed")
        unknown = doc(DocumentRow.exception_code == "unknown_template")
        dup = doc(DocumentRow.id.in_(select(ExceptionItem.document_pk).where(ExceptionItem.code == "possible_duplicate")))
        ents = s.execute(select(Entity.public_id, Entity.type, func.count(MentionRow.id))
                         .join(MentionRow, MentionRow.entity_pk == Entity.id)
                         .where(Entity.type == "PERSON").group_by(Entity.id)
                         .having(func.count(MentionRow.id) >= 2).order_by(Entity.id)).all()
        other = s.scalars(select(Entity.public_id).where(Entity.type == "PERSON", Entity.public_id != ents[0][0],
                                                          Entity.document_count > 0).limit(1)).first()
        mention = s.scalars(select(MentionRow.id).join(Entity, MentionRow.entity_pk == Entity.id)
                            .where(Entity.public_id == ents[0][0]).order_by(MentionRow.id).limit(1)).first()
        org = s.scalars(select(Entity.public_id).where(Entity.type == "ORGANISATION", Entity.document_count > 0)
                        .order_by(Entity.id).limit(1)).first()
    assert all([parsed, pdf, unknown, dup, ents, other, mention, org])
    return {"doc": parsed, "pdf": pdf, "unknown": unknown, "dup": dup, "ent": ents[0][0], "other": other,
            "mention": str(mention), "org": org}


def _content(store) -> list[str]:
    """Values that must never appear in a refused answer."""
    with store.session() as s:
        subjects = [x for x in s.scalars(select(Message.subject).where(Message.subject.is_not(None))) if x]
        senders = [x for x in s.scalars(select(Message.from_addr)) if x]
        names = [x for x in s.scalars(select(DocumentRow.filename).where(DocumentRow.filename.is_not(None))) if x]
        people = list(s.scalars(select(Entity.display).where(Entity.type.in_(("PERSON", "VRM", "PHONE")))))
    return sorted({v for v in subjects + senders + names + people if len(v) >= 5})


# (method, path, form, roles allowed, status when allowed)
ROUTES = [
    ("GET", "/", {}, ALL, 303),
    ("GET", "/queue", {}, ALL, 200),
    ("GET", "/reprocessing", {}, ALL, 200),
    ("GET", "/queue?reason=ambiguous_value&sort=newest", {}, ALL, 200),
    ("GET", "/documents/{doc}", {}, ALL, 200),
    ("GET", "/documents/{pdf}/pages/1.png", {}, ALL, 200),
    ("GET", "/entities", {}, ALL, 200),
    ("GET", "/entities?q=AB12", {}, ALL, 200),
    ("GET", "/entities/{ent}", {}, ALL, 200),
    ("GET", "/search?q=report", {}, ALL, 200),
    ("GET", "/documents/{doc}/sources.json", {}, ALL, 200),
    ("GET", "/audit", {}, ADMIN, 200),
    ("GET", "/admin/users", {}, ADMIN, 200),
    ("POST", "/queue/reprocess", {"reason": "ambiguous_value"}, WORK, 303),
    ("POST", "/documents/{doc}/fields", {"key": "submitter.role", "value": "Designated Safeguarding Lead"}, WORK, 303),
    ("POST", "/documents/{unknown}/template", {"template": "staffordshire_cse"}, WORK, 303),
    ("POST", "/documents/{doc}/approve", {}, WORK, 303),
    ("POST", "/documents/{doc}/reject", {"reason": "sent to the wrong force"}, WORK, 303),
    ("POST", "/documents/{doc}/not-a-report", {}, WORK, 303),
    ("POST", "/documents/{dup}/duplicate", {"answer": "different"}, WORK, 303),
    ("POST", "/documents/{doc}/reprocess", {}, WORK, 303),
    ("POST", "/documents/{doc}/take-over", {}, WORK, 303),
    ("POST", "/documents/{doc}/release", {}, WORK, 303),
    # fast clearing
    ("GET", "/documents/{dup}/compare", {}, ALL, 200),
    ("GET", "/documents/{doc}/step?to=next&reason=ambiguous_value", {}, ALL, 303),
    ("POST", "/documents/{doc}/choose", {"key": "witnessed_by", "value": "professional"}, WORK, 303),
    ("POST", "/documents/{doc}/notes", {"note": "Rang the school: the form is theirs."}, WORK, 303),
    ("POST", "/documents/{doc}/take", {}, WORK, 303),
    ("POST", "/documents/{doc}/leave", {"to": "next"}, WORK, 303),
    ("POST", "/queue/bulk/confirm", {"q_reason": "possible_duplicate", "doc": "{dup}", "action": "approve"}, WORK, 200),
    ("POST", "/queue/bulk", {"q_reason": "possible_duplicate", "doc": "{dup}", "action": "not_a_report"}, WORK, 200),
    ("POST", "/entities/{ent}/merge", {"other": "{other}", "reason": "same person, confirmed by school"}, WORK, 303),
    ("POST", "/entities/{ent}/split", {"mention": "{mention}", "reason": "a different person"}, WORK, 303),
    ("POST", "/admin/users", {"username": "newuser", "role": "analyst", "password": "a long enough pass 42",
                              "password2": "a long enough pass 42"}, ADMIN, 303),
    ("POST", "/admin/users/oscar", {"action": "unlock"}, ADMIN, 303),
    # retention: the table's documents are not due, so disposal is refused (400)
    ("GET", "/admin/retention", {}, ADMIN, 200),
    ("POST", "/admin/retention/dispose", {"document": "{doc}", "password": PASSWORD}, ADMIN, 400),
    ("POST", "/admin/retention/hold", {"document": "{doc}", "action": "hold", "reason": "court case"}, ADMIN, 303),
    # triage
    ("GET", "/reports", {}, ALL, 200),
    ("GET", "/queue?sort=triage", {}, ALL, 200),
    ("GET", "/reports?level=urgent&sort=level_youngest&indicator=missing", {}, ALL, 200),
    ("POST", "/documents/{doc}/triage", {"level": "high", "reason": "checked with the school"}, WORK, 303),
    # the analyst's views
    ("GET", "/rising", {}, ALL, 200),
    ("GET", "/disruption", {}, ALL, 200),
    ("GET", "/disruption/{org}", {}, ALL, 200),
    ("GET", "/disruption/{org}/s116.pdf", {}, ALL, 200),
    ("GET", "/chart", {}, ALL, 200),
    ("GET", "/chart/data?seed={ent}", {}, ALL, 200),
    ("GET", "/chart/export/graphml", {}, ALL, 200),
    ("GET", "/analysis/plates.csv", {}, ALL, 200),
    # a new form taught from one example: admin only (it changes parsing for everyone)
    ("GET", "/documents/{unknown}/teach", {}, ADMIN, 200),
    ("GET", "/documents/{unknown}/teach/labels.json", {}, ADMIN, 200),
    ("POST", "/documents/{unknown}/teach", {"action": "preview", "name": "A form"}, ADMIN, 400),
    ("GET", "/admin/templates/staffordshire_cse", {}, ADMIN, 200),
    ("POST", "/admin/templates/staffordshire_cse/reprocess", {"doc": "{unknown}"}, ADMIN, 303),
]


def _fill(value: str, ids: dict[str, str]) -> str:
    return value.format(**ids)


def _route_of(path: str) -> str:
    """The app's route template a concrete path of the table exercises."""
    import re

    path = path.split("?")[0]
    path = re.sub(r"\{(doc|pdf|unknown|dup)\}", "{doc_id}", path)
    path = path.replace("{ent}", "{entity_id}").replace("{org}", "{entity_id}").replace("/pages/1.png", "/pages/{n:int}.png")
    path = path.replace("/chart/export/graphml", "/chart/export/{fmt}")
    path = re.sub(r"^/admin/templates/[a-z_]+", "/admin/templates/{template_id}", path)
    return re.sub(r"^/admin/users/[a-z]+$", "/admin/users/{username}", path)


def test_every_route_of_the_app_is_in_the_table(make_app):
    from starlette.routing import Mount, Route

    app = make_app()
    public = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/healthz")}
    have = set()
    for r in app.routes:
        if isinstance(r, Mount):
            assert r.path == "/static"
            continue
        assert isinstance(r, Route)
        have |= {(m, r.path) for m in r.methods - {"HEAD"}}
    assert have - public == {(m, _route_of(p)) for m, p, *_ in ROUTES}


@pytest.mark.parametrize("who", ["anonymous", "officer", "analyst", "admin"])
@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_route_by_role(login, review_store, who, route):
    method, path, form, allowed, ok_status = route
    ids = _ids(review_store)
    content = _content(review_store)
    b = login(None if who == "anonymous" else ROLES[who])
    url = _fill(path, ids)
    data = {k: _fill(v, ids) for k, v in form.items()}
    r = b.get(url) if method == "GET" else b.post(url, data)
    if who == "anonymous":
        expected = 303 if method == "GET" else 401
    else:
        expected = ok_status if who in allowed else 403
    assert r.status_code == expected, r.text[:500]
    if who == "anonymous" and method == "GET":
        assert r.headers["location"].startswith("/login?next=")
    if r.status_code in (401, 403) or who == "anonymous":
        body = r.text
        leaked = [c for c in content if c in body or c in r.headers.get("location", "")]
        assert leaked == []
    assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    if not url.startswith("/static"):
        assert r.headers["cache-control"] == "no-store"


def test_a_refused_change_changes_nothing(login, review_store):
    ids = _ids(review_store)
    analyst = login("anna")
    assert analyst.post(f"/documents/{ids['doc']}/approve").status_code == 403
    assert analyst.post(f"/documents/{ids['doc']}/not-a-report").status_code == 403
    with review_store.session() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == ids["doc"]))
        assert doc.review_state is None and doc.status == "parsed"
        from intake.store.models import AuditEntry
        refused = s.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "access.refused",
                                                               AuditEntry.actor == "user:anna")).all()
    assert refused == [f"POST /documents/{ids['doc']}/approve", f"POST /documents/{ids['doc']}/not-a-report"]


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_csrf_is_required_on_every_change(login, review_store, token):
    ids = _ids(review_store)
    officer = login("olive")
    data = {"key": "submitter.role", "value": "Changed"}
    if token is not None:
        data["csrf"] = token
    r = officer.post(f"/documents/{ids['doc']}/fields", data, csrf=False)
    assert r.status_code == 403
    with review_store.session() as s:
        officers = s.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.public_id == ids["doc"]))
        assert officers == 1
        from intake.store.models import RecordField
        assert s.scalar(select(func.count()).select_from(RecordField).where(RecordField.origin == "officer")) == 0


def test_a_token_from_another_session_is_refused(login, review_store):
    ids = _ids(review_store)
    olive, oscar = login("olive"), login("oscar")
    r = olive.post(f"/documents/{ids['doc']}/reprocess", {"csrf": oscar.csrf}, csrf=False)
    assert r.status_code == 403


def test_login_form_needs_its_csrf_cookie(make_app):
    from starlette.testclient import TestClient

    client = TestClient(make_app(), base_url="http://127.0.0.1")
    r = client.post("/login", data={"csrf": "x", "username": "olive", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "intake_session" not in r.headers.get("set-cookie", "")


def test_lockout_after_repeated_failures_and_unlock(login, review_store, make_app, monkeypatch):
    import asyncio

    from starlette.testclient import TestClient

    from tests.review.conftest import csrf_of

    slept = []

    async def no_sleep(s):
        slept.append(s)

    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    client = TestClient(make_app(), base_url="http://127.0.0.1")
    for _ in range(5):
        page = client.get("/login")
        r = client.post("/login", data={"csrf": csrf_of(page.text), "username": "oscar", "password": "wrong password"},
                        follow_redirects=False)
        assert r.status_code == 401
    assert slept == sorted(slept) and slept[-1] > slept[0]  # the delay grows
    page = client.get("/login")
    r = client.post("/login", data={"csrf": csrf_of(page.text), "username": "oscar", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 401  # locked: even the right password is refused
    unknown = client.post("/login", data={"csrf": csrf_of(client.get("/login").text), "username": "nobody",
                                          "password": PASSWORD}, follow_redirects=False)
    assert unknown.text.count("Sign-in failed") == r.text.count("Sign-in failed") == 1
    with review_store.session() as s:
        assert s.scalar(select(User.locked_until).where(User.username == "oscar")) is not None
    admin = login("adam")
    assert admin.post("/admin/users/oscar", {"action": "unlock"}).status_code == 303
    assert login("oscar").client.get("/queue").status_code == 200


def test_session_expires_after_inactivity(login, review_store):
    b = login("olive")
    assert b.get("/queue").status_code == 200
    with review_store.transaction() as s:
        s.execute(update(ReviewSession).values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=31)))
    r = b.get("/queue")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_logout_ends_the_session_on_the_server(login, review_store):
    b = login("olive")
    cookie = dict(b.client.cookies)
    assert b.post("/logout").status_code == 303
    b.client.cookies.clear()
    for k, v in cookie.items():
        b.client.cookies.set(k, v)
    assert b.get("/queue").status_code == 303  # the old cookie no longer works
    with review_store.session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewSession)) == 0


def test_a_disabled_user_is_signed_out(login, review_store):
    b = login("olive")
    admin = login("adam")
    assert admin.post("/admin/users/olive", {"action": "disable"}).status_code == 303
    assert b.get("/queue").status_code == 303


def test_views_and_changes_are_audited_with_the_callers_address(login, review_store):
    from intake.store.models import AuditEntry

    ids = _ids(review_store)
    b = login("olive")
    b.get(f"/documents/{ids['doc']}")
    b.post(f"/documents/{ids['doc']}/fields", {"key": "submitter.role", "value": "Head of Year"})
    with review_store.session() as s:
        rows = s.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.client_addr, AuditEntry.detail)
                         .where(AuditEntry.object_id == ids["doc"]).order_by(AuditEntry.id)).all()
    actions = [(a, act) for a, act, _, _ in rows]
    assert ("user:olive", "document.viewed") in actions and ("user:olive", "record.field_corrected") in actions
    assert all(addr for _, _, addr, _ in rows)
    assert all("Head of Year" not in str(d) for *_, d in rows)  # the audit log names the field, not the value


def test_nonloopback_binding_needs_tls_or_a_proxy(review_settings):
    from intake.config.settings import ConfigError
    from intake.review.config import review_config

    with pytest.raises(ConfigError, match="needs TLS"):
        review_config(review_settings, host="0.0.0.0")
    assert review_config(review_settings.updated("review", behind_proxy=True), host="0.0.0.0").behind_proxy
