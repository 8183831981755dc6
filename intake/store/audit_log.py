"""Reading the audit log: who did what to which object, when, from where,
filtered and paged for the admins' page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select

from intake.store.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def list_audit(session, f: AuditFilter, page: int = 1, page_size: int = 100) -> tuple[list[AuditEntry], int]:
    q = select(AuditEntry)
    if f.actor:
        q = q.where(AuditEntry.actor == f.actor)
    if f.action:
        q = q.where(AuditEntry.action == f.action)
    if f.object_type:
        q = q.where(AuditEntry.object_type == f.object_type)
    if f.object_id:
        q = q.where(AuditEntry.object_id == f.object_id)
    if f.since:
        q = q.where(AuditEntry.at >= f.since)
    if f.until:
        q = q.where(AuditEntry.at < f.until)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(AuditEntry.id.desc()).limit(page_size).offset((max(1, page) - 1) * page_size))
    return list(rows), total


def audit_choices(session) -> dict[str, list[str]]:
    return {
        "action": list(session.scalars(select(distinct(AuditEntry.action)).order_by(AuditEntry.action))),
        "object_type": list(session.scalars(select(distinct(AuditEntry.object_type)).order_by(AuditEntry.object_type))),
        "actor": list(session.scalars(select(distinct(AuditEntry.actor)).order_by(AuditEntry.actor).limit(500))),
    }
