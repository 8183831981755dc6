"""Disposal in the review app: admins only, the password asked again, a
held document refused, the audit entry written, and the document gone from
every page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from intake.store import models
from tests.review.conftest import (  # noqa: F401 - the review app's fixtures, used here by name
    PASSWORD,
    login,
    make_app,
    review_db,
    review_db_template,
    review_settings,
    review_store,
)

pytestmark = pytest.mark.slow


def _make_due(store) -> list[str]:
    with store.transaction() as s:
        msg = s.scalar(select(models.Message).join(models.DocumentRow).where(models.DocumentRow.status == "parsed")
                       .order_by(models.Message.id).limit(1))
        s.execute(update(models.Message).where(models.Message.id == msg.id)
                  .values(first_seen_at=datetime.now(timezone.utc) - timedelta(days=365 * 12)))
        return [d.public_id for d in msg.documents]


def test_an_admin_disposes_of_a_due_document_in_the_review_app(login, review_store):  # noqa: F811
    ids = _make_due(review_store)
    officer = login("olive")
    assert officer.get("/admin/retention").status_code == 403
    admin = login("adam")
    page = admin.get("/admin/retention")
    assert page.status_code == 200 and all(i in page.text for i in ids)
    r = admin.post("/admin/retention/hold", {"document": ids[0], "action": "hold", "reason": "court case"})
    assert r.status_code == 303
    r = admin.post("/admin/retention/dispose", {"document": ids[0], "password": PASSWORD})
    assert r.status_code == 400 and "legal hold" in r.text
    admin.post("/admin/retention/hold", {"document": ids[0], "action": "release"})
    r = admin.post("/admin/retention/dispose", {"document": ids, "password": "not the password"})
    assert r.status_code == 403
    r = admin.post("/admin/retention/dispose", {"document": ids, "password": PASSWORD})
    assert r.status_code == 303 and "done=disposed" in r.headers["location"]
    for i in ids:
        assert admin.get(f"/documents/{i}").status_code == 404
    with review_store.session() as s:
        audit = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "document.disposed")).all()
        assert sorted(a.object_id for a in audit) == sorted(ids)
        assert {a.actor for a in audit} == {"user:adam"} and all(a.client_addr for a in audit)
        assert s.scalar(select(models.DocumentRow).where(models.DocumentRow.public_id.in_(ids))) is None
