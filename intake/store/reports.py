"""The "Reports" list: every report with a record, most urgent
first, then the one waiting longest (or the youngest child first), with
filters by level, agency, indicator, an officer's change and when received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from intake.store.models import DocumentRow, Message, Triage, TriageIndicator
from intake.store.queue import filter_params

SORTS = ("level_oldest", "level_newest", "level_youngest")
_RANK = case((Triage.level == "urgent", 0), (Triage.level == "high", 1), (Triage.level == "routine", 2), else_=3)


@dataclass
class ReportFilter:
    level: str | None = None
    agency: str | None = None
    indicator: str | None = None
    changed: str | None = None  # "yes": an officer changed the level; "no": the suggestion stands
    received_from: datetime | None = None
    received_to: datetime | None = None  # exclusive
    sort: str = "level_oldest"

    def as_params(self) -> dict[str, str]:
        return filter_params(self, "level_oldest")


@dataclass
class ReportRow:
    document_pk: int
    document_id: str
    filename: str | None
    kind: str
    status: str
    template: str | None
    agency: str | None
    received_at: datetime | None
    level: str
    suggested_level: str
    youngest_age: int | None
    reasons: list
    overridden_by: str | None
    indicators: list[str] = field(default_factory=list)


@dataclass
class ReportPage:
    rows: list[ReportRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _narrowed(q, f: ReportFilter):
    q = q.where(DocumentRow.disposed_at.is_(None))
    if f.level:
        q = q.where(Triage.level == f.level)
    if f.agency:
        q = q.where(DocumentRow.agency == f.agency)
    if f.changed == "yes":
        q = q.where(Triage.override_level.is_not(None))
    elif f.changed == "no":
        q = q.where(Triage.override_level.is_(None))
    if f.received_from:
        q = q.where(Message.first_seen_at >= f.received_from)
    if f.received_to:
        q = q.where(Message.first_seen_at < f.received_to)
    if f.indicator:
        q = q.where(Triage.document_pk.in_(select(TriageIndicator.document_pk).where(
            TriageIndicator.indicator == f.indicator, TriageIndicator.status == "counted")))
    return q


def _base(cols):
    return (select(*cols).select_from(Triage).join(DocumentRow, DocumentRow.id == Triage.document_pk)
            .join(Message, Message.id == DocumentRow.message_pk))


def list_reports(session, f: ReportFilter, page: int = 1, page_size: int = 50) -> ReportPage:
    page = max(1, page)
    total = session.scalar(_narrowed(_base([func.count(Triage.id)]), f)) or 0
    if f.sort == "level_youngest":
        order = (_RANK, Triage.youngest_age.is_(None), Triage.youngest_age, Message.first_seen_at, DocumentRow.id)
    elif f.sort == "level_newest":
        order = (_RANK, Message.first_seen_at.desc(), DocumentRow.id.desc())
    else:
        order = (_RANK, Message.first_seen_at, DocumentRow.id)
    rows = session.execute(_narrowed(_base([
        DocumentRow.id, DocumentRow.public_id, DocumentRow.filename, DocumentRow.kind, DocumentRow.status,
        DocumentRow.template, DocumentRow.agency, Message.first_seen_at, Triage.level, Triage.suggested_level,
        Triage.youngest_age, Triage.reasons, Triage.overridden_by, Triage.override_level]), f)
        .order_by(*order).limit(page_size).offset((page - 1) * page_size)).all()
    out = [ReportRow(*r[:12], r[12] if r[13] else None) for r in rows]
    by_pk = {r.document_pk: r for r in out}
    if by_pk:
        for pk, ind in session.execute(select(TriageIndicator.document_pk, TriageIndicator.indicator).distinct()
                                       .where(TriageIndicator.document_pk.in_(list(by_pk)),
                                              TriageIndicator.status == "counted")
                                       .order_by(TriageIndicator.document_pk, TriageIndicator.indicator)):
            by_pk[pk].indicators.append(ind)
    return ReportPage(out, total, page, page_size)


def level_counts(session, f: ReportFilter) -> dict[str, int]:
    f2 = ReportFilter(**{**f.__dict__, "level": None})
    return dict(session.execute(_narrowed(_base([Triage.level, func.count(Triage.id)]), f2)
                                .group_by(Triage.level)).all())


def agencies(session) -> list[str]:
    return sorted({a for a in session.scalars(select(DocumentRow.agency).distinct()
                                              .join(Triage, Triage.document_pk == DocumentRow.id)) if a})


def untriaged_count(session) -> int:
    """Reports with a record but no triage (a fault, or stored before issue
    18 until they are reprocessed)."""
    return session.scalar(select(func.count(DocumentRow.id)).where(
        DocumentRow.status.in_(("parsed", "exception")), DocumentRow.disposed_at.is_(None),
        ~DocumentRow.id.in_(select(Triage.document_pk)))) or 0
