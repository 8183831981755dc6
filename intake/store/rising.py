"""Rising: the entities with the most new reports, and from the most
agencies, over the last 7, 30 or 90 days, beside how many the window
before had. "New" is received by intake in the window (the indexed
messages.first_seen_at), not the date a form says events happened: a
report about last year that arrived today is new intelligence today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import distinct, func, select

from intake.store.analysis_common import counted, intelligence_field, recurrence_types
from intake.store.entities.queries import entities_where_in
from intake.store.models import DocumentRow, Entity, MentionRow, Message

WINDOWS = (7, 30, 90)


@dataclass
class RisingRow:
    entity: Entity
    reports: int  # new reports in the window
    agencies: int  # agencies those came from
    before: int  # reports in the window of the same length before it

    @property
    def change(self) -> int:
        return self.reports - self.before


def _counts(session, since: datetime, until: datetime, types, entity_pks=None, limit: int | None = None):
    docs = func.count(distinct(DocumentRow.id))
    q = (select(MentionRow.entity_pk, docs, func.count(distinct(DocumentRow.agency)))
         .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
         .join(Message, Message.id == DocumentRow.message_pk)
         .where(Message.first_seen_at >= since, Message.first_seen_at < until, MentionRow.entity_pk.is_not(None),
                MentionRow.type.in_(types), intelligence_field(), counted())
         .group_by(MentionRow.entity_pk))
    if entity_pks is not None:
        q = q.where(MentionRow.entity_pk.in_(entity_pks))
    if limit:
        q = q.order_by(docs.desc(), func.count(distinct(DocumentRow.agency)).desc(), MentionRow.entity_pk).limit(limit)
    return session.execute(q).all()


def rising(session, days: int = 30, *, until: datetime | None = None, type_: str | None = None,
           min_reports: int = 1, limit: int = 50) -> list[RisingRow]:
    until = until or datetime.now(timezone.utc)
    since = until - timedelta(days=days)
    types = (type_,) if type_ else recurrence_types()
    top = [r for r in _counts(session, since, until, types, limit=limit) if r[1] >= min_reports]
    ids = [r[0] for r in top]
    before = {pk: n for pk, n, _ in _counts(session, since - timedelta(days=days), since, types, ids)} if ids else {}
    ents = {e.id: e for e in entities_where_in(session, Entity.id, ids)}
    return [RisingRow(ents[pk], n, agencies, before.get(pk, 0)) for pk, n, agencies in top if pk in ents]
