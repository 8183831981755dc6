"""Triage in the store: the suggestion written where a document's analysis
is written (store/document_writes.py apply_analysis), an officer's change of
level (audited, kept through reprocessing), and what the review app and the
export read.

The level that stands is the officer's when they set one, else the
suggestion; the suggestion is recomputed whenever the record is analysed
again, so the page can show both."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import case, delete, insert, select, update

from intake.exception_codes import TRIAGE_CHANGE_REFUSED
from intake.logs import log_fault
from intake.store import repository as repo
from intake.store.models import DocumentRow, Entity, MentionRow, Message, Notification, Triage, TriageIndicator
from intake.store.records import field_values
from intake.triage.analysis import facts_of
from intake.triage.catalogue import LEVELS, load
from intake.triage.indicators import IndicatorMatch, match_fields, text_fields
from intake.triage.level import Recurring, TriageResult, decide

log = logging.getLogger(__name__)

# Documents whose record stands for a report (a leaflet or an unreadable
# file has no record to triage).
_TRIAGED_STATUSES = ("parsed", "exception", "duplicate")


class TriageError(ValueError):
    """An officer's change that cannot be made; the message says why."""

    code = TRIAGE_CHANGE_REFUSED


def received_date(values: dict, message: Message | None) -> date | None:
    """What "recent" is measured against: the report's own date, else the
    e-mail's, else when intake first saw it."""
    v = values.get("report_datetime")
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v).date()
        except ValueError:
            pass
    if message is not None:
        when = message.date or message.first_seen_at
        return when.date() if when else None
    return None


def _recurring(session, mentions: list[MentionRow], types: tuple[str, ...]) -> list[Recurring]:
    pks = {m.entity_pk for m in mentions if m.entity_pk is not None and (not types or m.type in types)}
    if not pks:
        return []
    rows = session.execute(select(Entity.type, Entity.document_count, Entity.agency_count)
                           .where(Entity.id.in_(pks), Entity.merged_into_id.is_(None))).all()
    return [Recurring(t, d or 0, a or 0) for t, d, a in rows]


def _recurring_known(session, mentions, types: tuple[str, ...], entities: dict | None) -> list[Recurring]:
    """_recurring from the entities resolution just counted (``entities``,
    by id, counts updated in place); read when not given."""
    if entities is None:
        return _recurring(session, mentions, types)
    pks = {m.entity_pk for m in mentions if m.entity_pk is not None and (not types or m.type in types)}
    out = []
    for pk in sorted(pks):
        e = entities.get(pk) or session.get(Entity, pk)
        if e is not None and e.merged_into_id is None:
            out.append(Recurring(e.type, e.document_count or 0, e.agency_count or 0))
    return out


def compute(session, document: DocumentRow, matches: list[IndicatorMatch] | None = None,
            known: tuple[dict, list, dict | None] | None = None) -> TriageResult | None:
    """``known``: (record values, mention rows in order, their entities by
    id or None) of a document being stored, which the caller has in hand:
    nothing is read back."""
    if known is not None:
        if document.status not in _TRIAGED_STATUSES:
            return None
        cat = load()
        values, mentions, entities = known
        if matches is None:
            matches = match_fields(values, cat)
        message = session.get(Message, document.message_pk)
        return decide(matches, values, facts_of(mentions), received_date(values, message),
                      _recurring_known(session, mentions, cat.recurrence_types, entities), text_fields(values), cat)
    if document.record is None or document.status not in _TRIAGED_STATUSES:
        return None
    cat = load()
    values = field_values(document.record)
    mentions = list(session.scalars(select(MentionRow).where(MentionRow.document_pk == document.id)
                                    .order_by(MentionRow.id)))
    if matches is None:
        matches = match_fields(values, cat)
    message = session.get(Message, document.message_pk)
    return decide(matches, values, facts_of(mentions), received_date(values, message),
                  _recurring(session, mentions, cat.recurrence_types), text_fields(values), cat)


def triage_rank(document_pk_column):
    """A sort key over documents: urgent 0, high 1, routine 2, not triaged 3."""
    level = select(Triage.level).where(Triage.document_pk == document_pk_column).scalar_subquery()
    return case((level == "urgent", 0), (level == "high", 1), (level == "routine", 2), else_=3)


def forget_triage(session, document_pk: int) -> None:
    session.execute(delete(TriageIndicator).where(TriageIndicator.document_pk == document_pk))
    session.execute(delete(Notification).where(Notification.document_pk == document_pk))
    session.execute(delete(Triage).where(Triage.document_pk == document_pk))


def move_triage(session, from_pk: int, to_pk: int) -> None:
    """A disposed document's copy takes its place (store/retention.py)."""
    forget_triage(session, to_pk)
    for model in (TriageIndicator, Notification, Triage):
        session.execute(update(model).where(model.document_pk == from_pk).values(document_pk=to_pk))


def write_triage(session, document: DocumentRow, matches: list[IndicatorMatch] | None = None, *,
                 known: tuple[dict, list, dict | None] | None = None) -> Triage | None:
    """Compute and store the suggestion; an officer's level stays. A fault
    here costs the triage (logged, the document shows "not triaged"), never
    the document. ``known``: a document being stored, which has no triage
    yet, with its (record values, mention rows, their entities by id or
    None) in hand; a document with no record has no triage (do not call)."""
    if known is not None:
        _write_new(session, document, matches, known)
        return None
    try:
        with session.begin_nested():
            return _write(session, document, matches)
    except Exception as exc:
        log_fault(log, "triage failed on document %s", exc, document.id)
        return None


def _write_new(session, document: DocumentRow, matches: list[IndicatorMatch] | None,
               known: tuple[dict, list, dict | None]) -> None:
    """A document being stored: the suggestion computed from what is in
    hand, then its row and indicators in two inserts. No savepoint: what
    can fail here is the computation, before anything is written."""
    try:
        result = compute(session, document, matches, known)
    except Exception as exc:
        log_fault(log, "triage failed on document %s", exc, document.id)
        return
    if result is None:
        return
    latest = (datetime(result.latest_event.year, result.latest_event.month, result.latest_event.day,
                       tzinfo=timezone.utc) if result.latest_event else None)
    session.execute(_INSERT_TRIAGE, dict(
        document_pk=document.id, level=result.level, suggested_level=result.level, reasons=result.reasons,
        score=result.score, youngest_age=result.youngest_age, latest_event=latest,
        catalogue_version=load().version, computed_at=datetime.now(timezone.utc)))
    _insert_indicators(session, document, result.matches)


# Built once: a statement object keeps its cache key.
_INSERT_TRIAGE = insert(Triage.__table__)
_INSERT_INDICATORS = insert(TriageIndicator.__table__)


def _insert_indicators(session, document: DocumentRow, matches: list[IndicatorMatch]) -> None:
    if matches:
        # One executemany: the ORM inserts rows one at a time on SQLite when
        # it must learn their ids, which nothing here needs.
        session.execute(_INSERT_INDICATORS, [
            {"document_pk": document.id, "indicator": m.indicator, "rule": m.rule, "field": m.field,
             "start": m.start, "end": m.end, "phrase": m.phrase, "status": m.status} for m in matches])


def _write(session, document: DocumentRow, matches: list[IndicatorMatch] | None) -> Triage | None:
    result = compute(session, document, matches)
    session.execute(delete(TriageIndicator).where(TriageIndicator.document_pk == document.id))
    row = session.scalar(select(Triage).where(Triage.document_pk == document.id))
    if result is None:
        if row is not None and row.override_level is None:
            session.delete(row)
        session.flush()
        return None
    if row is None:
        row = Triage(document_pk=document.id)
        session.add(row)
    row.suggested_level = result.level
    row.level = row.override_level or result.level
    row.reasons = result.reasons
    row.score = result.score
    row.youngest_age = result.youngest_age
    row.latest_event = (datetime(result.latest_event.year, result.latest_event.month, result.latest_event.day,
                                 tzinfo=timezone.utc) if result.latest_event else None)
    row.catalogue_version = load().version
    row.computed_at = datetime.now(timezone.utc)
    session.flush()
    _insert_indicators(session, document, result.matches)
    return row


def set_level(session, document: DocumentRow, level: str | None, reason: str, actor: str,
              client_addr: str | None = None) -> Triage:
    """An officer sets the level (or, with ``level`` None, goes back to the
    suggestion). A reason is required; the audit entry records the levels,
    not the reason's words (they are sealed on the row)."""
    if level is not None and level not in LEVELS:
        raise TriageError(f"The level must be one of: {', '.join(LEVELS)}.")
    reason = (reason or "").strip()
    if not reason:
        raise TriageError("Give a reason for changing the level.")
    row = session.scalar(select(Triage).where(Triage.document_pk == document.id))
    if row is None:
        row = write_triage(session, document)
    if row is None:
        raise TriageError("This document has no record to triage.")
    before = row.level
    row.override_level = level
    row.override_reason = reason[:2000]
    row.overridden_by = actor
    row.overridden_at = datetime.now(timezone.utc)
    row.level = level or row.suggested_level
    session.flush()
    repo.audit(session, actor, "document.triage_changed", "document", document.public_id, client_addr=client_addr,
               before=before, after=row.level, suggested=row.suggested_level, reverted=level is None)
    return row


@dataclass
class TriageView:
    level: str
    suggested_level: str
    reasons: list[str]
    indicators: list[dict]
    overridden_by: str | None
    override_reason: str | None
    overridden_at: datetime | None
    youngest_age: int | None


def triage_view(session, document_pk: int) -> TriageView | None:
    row = session.scalar(select(Triage).where(Triage.document_pk == document_pk))
    if row is None:
        return None
    cat = load()
    inds = session.scalars(select(TriageIndicator).where(TriageIndicator.document_pk == document_pk)
                           .order_by(TriageIndicator.field, TriageIndicator.start, TriageIndicator.id)).all()
    return TriageView(
        level=row.level, suggested_level=row.suggested_level, reasons=list(row.reasons or []),
        indicators=[{"indicator": i.indicator, "label": cat.label(i.indicator), "phrase": i.phrase,
                     "rule": i.rule, "field": i.field, "start": i.start, "end": i.end, "status": i.status}
                    for i in inds],
        overridden_by=row.overridden_by if row.override_level else None,
        override_reason=row.override_reason if row.override_level else None,
        overridden_at=row.overridden_at if row.override_level else None,
        youngest_age=row.youngest_age,
    )


def export_objects(session, document_pks: list[int]) -> dict[int, dict]:
    """The export's ``triage`` key for these documents (docs/export.md)."""
    if not document_pks:
        return {}
    rows = session.scalars(select(Triage).where(Triage.document_pk.in_(document_pks))).all()
    inds: dict[int, list[dict]] = {}
    for i in session.scalars(select(TriageIndicator).where(TriageIndicator.document_pk.in_(document_pks))
                             .order_by(TriageIndicator.document_pk, TriageIndicator.id)):
        inds.setdefault(i.document_pk, []).append(
            {"indicator": i.indicator, "phrase": i.phrase, "rule": i.rule, "field": i.field,
             "start": i.start, "end": i.end, "counted": i.status == "counted", "status": i.status})
    out = {}
    for r in rows:
        obj = {"level": r.level, "suggested_level": r.suggested_level, "reasons": list(r.reasons or []),
               "indicators": inds.get(r.document_pk, [])}
        if r.override_level:
            obj["overridden_by"] = r.overridden_by
            obj["overridden_at"] = r.overridden_at.isoformat() if r.overridden_at else None
            obj["override_reason"] = r.override_reason
        out[r.document_pk] = obj
    return out
