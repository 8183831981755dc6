"""Writing what analysis found about one document: status, record, queue
items, content dedup, mentions and entity resolution.

``apply_analysis`` is the one place this happens, for a document seen for
the first time and for a document analysed again (reprocess). On a
reprocess, what officers decided stays decided: their field corrections stay
on top of the new parser values (records.py), their decision on the
document (approved, rejected, not a report, duplicate or not) keeps its
status, and a queue item they already dealt with is not raised again with
the same code. Entity decisions (merge/split) are anchored on mentions and
replayed by resolution.

Mentions are resolved into entities only for documents whose record is in
use (``parsed``, or a ``duplicate`` whose counts the statistics skip). An
exception document's mentions wait, unresolved, until an officer approves
it; a leaflet (``not_a_report``) never feeds the entity graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from intake.exception_codes import POSSIBLE_DUPLICATE, REJECTED_BY_OFFICER, UNKNOWN_TEMPLATE
from intake.store import repository as repo
from intake.store.dedup import find_content_duplicate, forget_document
from intake.store.document_facts import facts_of
from intake.store.entities.graph import insert_mentions
from intake.store.entities.resolve import RESOLVED_STATUSES, resolve_document, unresolve_document
from intake.store.models import DocumentRow, ExceptionItem, MentionRow, Message
from intake.store.records import drop_record, field_values, write_record
from intake.store.triage import write_triage
from intake.types import DocumentAnalysis, ExceptionInfo, Mention

# Officer decisions that fix a document's status whatever a reprocess says.
DECIDED_STATUS = {"approved": "parsed", "rejected": "exception", "not_a_report": "not_a_report",
                  "duplicate": "duplicate"}
_WS = re.compile(r"\s+")
_SENDER = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)")


@dataclass
class AnalysisChange:
    """What applying an analysis changed: counts and codes for the audit
    log, never values."""

    status_before: str | None
    status_after: str
    template_before: str | None
    template_after: str | None
    fields_changed: list[str] = field(default_factory=list)
    mentions_before: int = 0
    mentions_after: int = 0
    opened: list[str] = field(default_factory=list)
    closed: int = 0

    def as_audit(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [], 0) or k.startswith("status")}


def agency_of(values: dict, from_addr: str | None) -> str | None:
    """The submitting agency as the queue shows and filters it: the
    record's submitter.agency, else the sender's mail domain."""
    agency = values.get("submitter.agency")
    if isinstance(agency, str) and agency.strip():
        return _WS.sub(" ", agency).strip()[:300]
    m = _SENDER.search(from_addr or "")
    return m.group(1).casefold()[:300] if m else None


def _possible_duplicate(match) -> ExceptionInfo:
    return ExceptionInfo(
        POSSIBLE_DUPLICATE,
        f"Looks like document {match.document_pk} (similarity {match.score:.2f}) but not close "
        "enough to be sure. Compare the two: the same report, or a different report.",
    )


def _officer_dealt_with(session, document: DocumentRow) -> set[str]:
    return set(session.scalars(
        select(ExceptionItem.code).where(ExceptionItem.document_pk == document.id,
                                         ExceptionItem.status.in_(("resolved", "dismissed")),
                                         ExceptionItem.resolved_by.like("user:%"))
    ))


def _supersede_open_items(session, document: DocumentRow, actor: str) -> int:
    """Open items give way to what the new analysis finds. Status
    "superseded", not "resolved": nobody dealt with them."""
    items = session.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == document.id,
                                                        ExceptionItem.status == "open")).all()
    now = datetime.now(timezone.utc)
    for it in items:
        it.status, it.resolved_by, it.resolved_at = "superseded", actor, now
        it.resolution = "superseded by reprocessing"
    return len(items)


def _mention_rows(document: DocumentRow, mentions: list[Mention]) -> list[MentionRow]:
    return [MentionRow(document_pk=document.id, field=m.field, type=m.type, text=m.text, value=m.value,
                       start=m.start, end=m.end, recogniser=m.recogniser, pattern=m.pattern,
                       context=m.context, score=m.score, attrs=dict(m.attrs))
            for m in mentions]


class NewMention:
    """A mention of a document being stored, before its row exists: the
    columns resolution reads and sets, as plain attributes. Inserted with
    entity_graph.insert_mentions; an ORM object per mention would cost its
    instrumentation for nothing (nothing reads them back as objects)."""

    __slots__ = ("document_pk", "field", "type", "text", "value", "start", "end", "recogniser", "pattern",
                 "context", "score", "attrs", "entity_pk")

    def __init__(self, document_pk: int, m: Mention):
        self.document_pk, self.field, self.type, self.text, self.value = (
            document_pk, m.field, m.type, m.text, m.value)
        self.start, self.end, self.recogniser, self.pattern, self.context, self.score = (
            m.start, m.end, m.recogniser, m.pattern, m.context, m.score)
        self.attrs = dict(m.attrs)
        self.entity_pk = None


def replace_mentions(session, document: DocumentRow, mentions: list[Mention], *, fresh: bool = False) -> list[MentionRow]:
    """``fresh``: a document being stored, which has no mentions yet; the
    new rows are inserted with the next flush (with their entities, when
    resolve_document runs)."""
    if not fresh:
        old = session.scalars(select(MentionRow).where(MentionRow.document_pk == document.id)).all()
        if old:
            unresolve_document(session, document)
            for m in old:
                session.delete(m)
            session.flush()
    if fresh:
        return [NewMention(document.id, m) for m in mentions]
    rows = _mention_rows(document, mentions)
    if rows:
        session.add_all(rows)
        session.flush()
    # fresh: the rows stay out of the session; resolve_document (or
    # apply_analysis, for a document whose mentions wait) inserts them in one
    # statement with their entities set.
    return rows


def resolve_if_in_use(session, document: DocumentRow) -> None:
    """Resolve the document's mentions if its record is in use; detach them
    if not (after a rejection, say)."""
    mentions = list(session.scalars(
        select(MentionRow).where(MentionRow.document_pk == document.id).order_by(MentionRow.id)))
    if not mentions:
        return
    if document.status in RESOLVED_STATUSES:
        resolve_document(session, document, mentions)
    elif any(m.entity_pk is not None for m in mentions):
        unresolve_document(session, document)


def _utc(dt: datetime | None) -> datetime | None:
    # As the column reads back (models.UTCDateTime): facts of a document
    # being stored must equal those read from the store.
    if dt is None:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def apply_analysis(session, document: DocumentRow, analysis: DocumentAnalysis, *, actor: str,
                   reprocess: bool = False) -> AnalysisChange:
    """Without ``reprocess`` the document is being stored (message_writes):
    nothing of it exists yet, so nothing is looked up or replaced, and its
    rows go in with as few flushes as the ids they need allow."""
    fresh = not reprocess
    out = analysis.outcome
    before_values = field_values(document.record) if reprocess and document.record is not None else {}
    change = AnalysisChange(status_before=document.status if reprocess else None, status_after=out.status,
                            template_before=document.template if reprocess else None,
                            template_after=out.record.template if out.record else None)
    dealt_with: set[str] = set()
    if reprocess:
        dealt_with = _officer_dealt_with(session, document)
        change.closed = _supersede_open_items(session, document, actor)
        change.mentions_before = session.scalar(
            select(func.count(MentionRow.id)).where(MentionRow.document_pk == document.id)) or 0
        if document.duplicate_reason == "content" and document.review_state != "duplicate":
            document.duplicate_of_id, document.duplicate_reason = None, None

    document.status = out.status
    document.template = out.record.template if out.record else None
    document.template_version = out.record.version if out.record else None
    document.reader = out.reader or None
    document.ocr_confidence = out.ocr_confidence
    document.text = out.text or None
    document.exception_code = out.exception.code if out.exception else None
    document.exception_detail = out.exception.detail if out.exception else None
    if reprocess:
        document.processed_at = datetime.now(timezone.utc)
    msg = session.get(Message, document.message_pk)
    if fresh:
        # The parser's values are the record's values (no officer has
        # corrected anything yet), so the agency goes in with the insert.
        values = {k: fv.value for k, fv in out.record.fields.items()} if out.record is not None else {}
        document.agency = agency_of(values, msg.from_addr if msg else None)
    session.flush()

    if out.record is not None:
        record = write_record(session, document, out.record, fresh=fresh)
        if fresh:
            set_committed_value(document, "record", record)
        else:
            session.refresh(document, ["record"])
            values = field_values(record)
    else:
        if fresh:
            set_committed_value(document, "record", None)
        else:
            drop_record(session, document)
            session.refresh(document, ["record"])
        values = {}
    change.fields_changed = sorted(k for k in set(values) | set(before_values)
                                   if values.get(k) != before_values.get(k)) if reprocess else []
    if not fresh:
        document.agency = agency_of(values, msg.from_addr if msg else None)

    items = ([out.exception] if out.exception else []) + list(out.warnings)
    related: int | None = None
    if out.status == "parsed":
        match = find_content_duplicate(session, document, out.record, out.text, fresh=fresh,
                                       keys=analysis.content_keys)
        if match is not None and match.decision == "duplicate" and document.review_state != "distinct":
            document.status, document.duplicate_of_id, document.duplicate_reason = (
                "duplicate", match.document_pk, "content")
        elif match is not None and match.decision == "possible_duplicate":
            items.append(_possible_duplicate(match))
            related = match.document_pk
    elif not fresh:
        forget_document(session, document.id)

    if document.template_override and document.review_state is None and document.status == "parsed":
        # An officer chose the template: the mapping waits for their
        # approval before the record is used and its entities linked.
        document.status = "exception"
        document.exception_code = UNKNOWN_TEMPLATE
        document.exception_detail = (f"Mapped on {document.template_override}, the template an officer chose. "
                                     "Check every field against the original, correct what is wrong, then approve.")
        items.insert(0, ExceptionInfo(UNKNOWN_TEMPLATE, document.exception_detail))
    decided = DECIDED_STATUS.get(document.review_state or "")
    if decided is not None:
        document.status = decided
        if document.review_state == "rejected":
            document.exception_code = REJECTED_BY_OFFICER
            document.exception_detail = f"Rejected by {document.reviewed_by}: {document.review_reason or ''}"
        elif decided != "exception":
            document.exception_code = document.exception_detail = None
    for info in items:
        if info.code in dealt_with:
            continue
        item = repo.open_exception(session, info, document=document, flush=False)
        if info.code == POSSIBLE_DUPLICATE:
            item.related_document_pk = related
        change.opened.append(info.code)
    change.status_after = document.status

    rows = replace_mentions(session, document, analysis.mentions, fresh=fresh)
    entities = None
    change.mentions_after = len(rows)
    if document.status in RESOLVED_STATUSES and rows:
        if fresh:
            facts = facts_of(values, msg.from_addr if msg else None, _utc(msg.date if msg else None),
                             _utc(msg.first_seen_at if msg else None))
            entities = resolve_document(session, document, rows, fresh=True, facts=facts, values=values)
        else:
            resolve_document(session, document, rows)
    elif fresh:
        insert_mentions(session, rows)
    if fresh:
        # After resolution (recurrence counts this document), from what is
        # in hand: the record's values and its mention rows. A document
        # with no record has no triage.
        if out.record is not None:
            write_triage(session, document, analysis.indicators, known=(values, rows, entities))
    else:
        session.flush()
        write_triage(session, document, analysis.indicators)  # after resolution: recurrence counts this document
    return change
