"""Records management: which reports are due for review, legal holds, and
disposal.

A document falls due ``[retention] review_after_years`` after its message
was first received, or on its own ``review_due`` when one is set. A legal
hold stops disposal, whatever is due.

Disposing of a document removes it from the store: its record and field
history, mentions, entity links, content keys and queue items, and its
document blob unless another live document has the same bytes; when it
was the last document of its message, the message too (headers, sightings,
custody rows, queue items) with its raw blob unless something else still
needs it, and the message's content hash goes into ``disposed_messages`` so
the same mail read again is not stored again. Entities left with no mention
anywhere are deleted; the others are recounted and a person's profile is
rebuilt from the mentions that remain, so nothing the disposed report said
about them survives.

Copies: when a copy (a byte-identical document, or a content duplicate) of
the disposed document is still live, the earliest copy takes its place: a
byte copy receives the record and mentions (they were read from the same
bytes), a content copy already has its own and simply stops being a
duplicate. The report that was sent twice stays whole.

The audit entry says what was disposed (public ids and counts), by whom,
under which rule; never content. Long on purpose: disposal is one careful
sequence and reads best in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, func, or_, select, update

from intake.exception_codes import DISPOSAL_REFUSED
from intake.store import repository as repo
from intake.store.dedup import forget_document
from intake.store.entities.graph import person_profile_of_mentions, refresh_stats
from intake.store.entities.resolve import unresolve_document
from intake.store.models import (
    Blob,
    ContentKey,
    DisposedMessage,
    DocumentRow,
    Entity,
    EntityDecisionDocument,
    EntityFact,
    EntityLink,
    ExceptionItem,
    Inbound,
    MailboxUid,
    MentionRow,
    Message,
    RecordRow,
    ReviewNote,
    Sighting,
)
from intake.store.triage import forget_triage, move_triage

# Why a document may be disposed of before it is due; free text could
# carry content into the audit log, so the reason is one of these.
EARLY_REASONS = ("created_in_error", "court_order", "subject_request", "other_lawful_basis")
_ANALYSIS = ("status", "template", "template_version", "reader", "ocr_confidence", "text", "exception_code",
             "exception_detail", "agency")


class DisposalError(ValueError):
    """The disposal was refused; nothing changed."""

    code = DISPOSAL_REFUSED


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def add_years(when: datetime, years: int) -> datetime:
    try:
        return when.replace(year=when.year + years)
    except ValueError:  # 29 February
        return when.replace(year=when.year + years, day=28)


@dataclass
class DueDocument:
    public_id: str
    received: datetime
    due: datetime
    status: str
    template: str | None
    kind: str
    legal_hold: bool
    rule: str


def rule_of(doc: DocumentRow, received: datetime, years: int) -> tuple[datetime, str]:
    if doc.review_due is not None:
        return _aware(doc.review_due), "review date set on the document"
    return add_years(_aware(received), years), f"{years} years after receipt"


def due_documents(session, years: int, now: datetime | None = None, *, limit: int | None = None
                  ) -> list[DueDocument]:
    """Live documents due for review by ``now``, oldest first (held ones
    included, marked: they are due, they just cannot be disposed of)."""
    now = now or datetime.now(timezone.utc)
    cutoff = add_years(now, -years)
    q = (select(DocumentRow, Message.first_seen_at).join(Message, Message.id == DocumentRow.message_pk)
         .where(DocumentRow.disposed_at.is_(None),
                or_(DocumentRow.review_due <= now,
                    (DocumentRow.review_due.is_(None)) & (Message.first_seen_at <= cutoff)))
         .order_by(Message.first_seen_at, DocumentRow.id))
    if limit:
        q = q.limit(limit)
    out = []
    for doc, received in session.execute(q):
        due, rule = rule_of(doc, received, years)
        out.append(DueDocument(doc.public_id, _aware(received), due, doc.status, doc.template, doc.kind,
                               bool(doc.legal_hold), rule))
    return out


def set_hold(session, doc: DocumentRow, on: bool, actor: str, reason: str | None = None,
             client_addr: str | None = None) -> None:
    if on and not (reason or "").strip():
        raise DisposalError("a legal hold needs a reason (it is kept with the document, encrypted like its content)")
    doc.legal_hold = on
    doc.legal_hold_reason = reason.strip() if on and reason else None
    doc.legal_hold_by = actor[:100] if on else None
    doc.legal_hold_at = datetime.now(timezone.utc) if on else None
    repo.audit(session, actor, "document.legal_hold" if on else "document.legal_hold_released", "document",
               doc.public_id, client_addr=client_addr)


# --------------------------------------------------------------------------
# disposal
# --------------------------------------------------------------------------


@dataclass
class Disposal:
    """What one disposal removed: ids and counts for the audit log."""

    documents: list[str] = field(default_factory=list)
    messages: int = 0
    blobs: int = 0
    mentions: int = 0
    entities_removed: int = 0
    entities_recounted: int = 0
    promoted: list[str] = field(default_factory=list)


def check_disposable(session, public_ids: list[str], years: int, *, early: str | None = None,
                     now: datetime | None = None) -> list[DocumentRow]:
    """The documents, or DisposalError naming the first that may not go."""
    if early is not None and early not in EARLY_REASONS:
        raise DisposalError(f"the reason for an early disposal must be one of {', '.join(EARLY_REASONS)}")
    now = now or datetime.now(timezone.utc)
    docs = []
    for pid in dict.fromkeys(public_ids):
        row = session.execute(select(DocumentRow, Message.first_seen_at)
                              .join(Message, Message.id == DocumentRow.message_pk)
                              .where(DocumentRow.public_id == pid)).first()
        if row is None or row[0].disposed_at is not None:
            raise DisposalError(f"no live document {pid}")
        doc, received = row
        if doc.legal_hold:
            raise DisposalError(f"document {pid} is under a legal hold; release it first")
        due, _ = rule_of(doc, received, years)
        if due > now and early is None:
            raise DisposalError(f"document {pid} is not due for review until {due.date().isoformat()}; "
                                f"an early disposal needs a reason ({', '.join(EARLY_REASONS)})")
        docs.append(doc)
    return docs


def dispose(session, docs: list[DocumentRow], *, actor: str, years: int, early: str | None = None,
            client_addr: str | None = None) -> Disposal:
    """Dispose of these documents (already checked) in the caller's
    transaction, with one audit entry each."""
    out = Disposal()
    gone = {d.id for d in docs}
    touched: set[int] = set()
    messages: set[int] = set()
    blobs: set[str] = set()
    for doc in docs:
        received = session.scalar(select(Message.first_seen_at).where(Message.id == doc.message_pk))
        rule = f"early: {early}" if early else rule_of(doc, received, years)[1]
        promoted = _promote_copy(session, doc, gone, touched)
        mentions = session.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)).all()
        touched |= {m.entity_pk for m in mentions if m.entity_pk is not None}
        unresolve_document(session, doc)
        out.mentions += len(mentions)
        for m in mentions:
            session.delete(m)
        forget_document(session, doc.id)
        forget_triage(session, doc.id)
        session.execute(delete(EntityLink).where(EntityLink.document_pk == doc.id))
        session.execute(update(ExceptionItem).where(ExceptionItem.related_document_pk == doc.id)
                        .values(related_document_pk=None))
        sibling = session.scalar(select(DocumentRow.id).where(DocumentRow.message_pk == doc.message_pk,
                                                               DocumentRow.id.notin_(gone)).order_by(DocumentRow.id)
                                 .limit(1))
        if sibling is not None:
            # The message's own items (unverified_sender, broken_mime...) sat
            # on this document: they move to the message's next document.
            session.execute(update(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                        ExceptionItem.message_pk == doc.message_pk,
                                                        ExceptionItem.code.in_(_message_codes()))
                            .values(document_pk=sibling))
        session.execute(delete(ExceptionItem).where(ExceptionItem.document_pk == doc.id))
        session.execute(delete(ReviewNote).where(ReviewNote.document_pk == doc.id))  # officers' notes are content
        session.execute(delete(EntityDecisionDocument).where(EntityDecisionDocument.document_public_id == doc.public_id))
        record = session.scalar(select(RecordRow).where(RecordRow.document_pk == doc.id))
        if record is not None:
            session.delete(record)
        session.execute(update(DocumentRow).where(DocumentRow.duplicate_of_id == doc.id)
                        .values(duplicate_of_id=None))
        session.flush()
        blobs.add(doc.sha256)
        messages.add(doc.message_pk)
        pid, sha_kept = doc.public_id, doc.sha256
        # Rows were moved and deleted in bulk above: forget what the session
        # holds so deleting the row does not try to detach them again.
        session.expire_all()
        session.delete(session.get(DocumentRow, doc.id))
        session.flush()
        out.documents.append(pid)
        if promoted:
            out.promoted.append(promoted)
        repo.audit(session, actor, "document.disposed", "document", pid, client_addr=client_addr, rule=rule,
                   mentions=len(mentions), promoted_copy=promoted, blob_shared=_blob_in_use(session, sha_kept))
    for msg_pk in sorted(messages):
        raw = _dispose_message_if_empty(session, msg_pk, actor, client_addr)
        if raw is not None:
            out.messages += 1
            blobs.add(raw)
    for sha in sorted(blobs):
        if not _blob_in_use(session, sha):
            session.execute(delete(Blob).where(Blob.sha256 == sha))
            out.blobs += 1
    removed, recounted = _tidy_entities(session, touched)
    out.entities_removed, out.entities_recounted = removed, recounted
    session.flush()
    return out


def _promote_copy(session, doc: DocumentRow, gone: set[int], touched: set[int]) -> str | None:
    """The earliest live copy of ``doc`` takes its place (module docstring).
    Returns its public id, or None when there is no copy."""
    copies = session.scalars(select(DocumentRow).where(DocumentRow.duplicate_of_id == doc.id,
                                                       DocumentRow.id.notin_(gone),
                                                       DocumentRow.disposed_at.is_(None))
                             .order_by(DocumentRow.id)).all()
    if not copies:
        return None
    heir, others = copies[0], copies[1:]
    if heir.duplicate_reason == "sha256":
        # Read from the same bytes: the record, mentions and content keys
        # are the heir's as much as they were the disposed copy's.
        for name in _ANALYSIS:
            setattr(heir, name, getattr(doc, name))
        mentions = session.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)).all()
        touched |= {m.entity_pk for m in mentions if m.entity_pk is not None}
        unresolve_document(session, doc)
        session.execute(update(RecordRow).where(RecordRow.document_pk == doc.id).values(document_pk=heir.id))
        session.execute(update(MentionRow).where(MentionRow.document_pk == doc.id).values(document_pk=heir.id))
        session.execute(update(ContentKey).where(ContentKey.document_pk == doc.id).values(document_pk=heir.id))
        move_triage(session, doc.id, heir.id)
        # Queue items about the record go with it; the message's own stay.
        session.execute(update(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                    ExceptionItem.message_pk != doc.message_pk)
                        .values(document_pk=heir.id))
    elif heir.status == "duplicate":
        heir.status = "parsed"
    heir.duplicate_of_id, heir.duplicate_reason = None, None
    for o in others:
        o.duplicate_of_id = heir.id
    session.flush()
    session.expire(heir)
    from intake.store.document_writes import resolve_if_in_use

    resolve_if_in_use(session, heir)
    touched |= {pk for pk in session.scalars(select(MentionRow.entity_pk).where(MentionRow.document_pk == heir.id))
                if pk is not None}
    return heir.public_id


def _message_codes() -> list[str]:
    from intake.exception_codes import CATALOGUE

    return [c.code for c in CATALOGUE.values() if c.scope == "message"]


def forget_disposed_arrival(session, inbound_id: int) -> None:
    """A disposed message read again (an archive replayed, a mailbox copy):
    custody took its bytes before processing could know it was disposed
    of. Drop that custody row and its bytes, so disposal stays complete."""
    row = session.get(Inbound, inbound_id)
    if row is None:
        return
    sha = row.raw_sha256
    session.delete(row)
    session.flush()
    if not _blob_in_use(session, sha):
        session.execute(delete(Blob).where(Blob.sha256 == sha))


def _blob_in_use(session, sha: str) -> bool:
    for col in (DocumentRow.sha256, Message.raw_sha256, Sighting.raw_sha256, Inbound.raw_sha256):
        if session.scalar(select(col).where(col == sha).limit(1)) is not None:
            return True
    return False


def _dispose_message_if_empty(session, msg_pk: int, actor: str, client_addr: str | None) -> str | None:
    """Remove a message none of whose documents is left; its raw sha256."""
    if session.scalar(select(func.count(DocumentRow.id)).where(DocumentRow.message_pk == msg_pk)):
        return None
    msg = session.get(Message, msg_pk)
    if msg is None:
        return None
    raw = msg.raw_sha256
    session.execute(delete(ExceptionItem).where(ExceptionItem.message_pk == msg_pk))
    session.execute(delete(Sighting).where(Sighting.message_pk == msg_pk))
    # Custody rows (inbound) of this message are done with.
    session.execute(delete(Inbound).where(or_(Inbound.message_pk == msg_pk, Inbound.raw_sha256 == raw),
                                          Inbound.state.in_(("done", "failed"))))
    # The mailbox keeps knowing the UID (so it is not fetched again), not the message.
    session.execute(update(MailboxUid).where(MailboxUid.message_pk == msg_pk).values(message_pk=None))
    session.execute(update(Message).where(Message.clash_with_id == msg_pk).values(clash_with_id=None))
    session.add(DisposedMessage(content_sha256=msg.content_sha256))
    session.flush()
    session.expire_all()
    session.delete(session.get(Message, msg_pk))
    session.flush()
    repo.audit(session, actor, "message.disposed", "message", msg_pk, client_addr=client_addr)
    return raw


def _tidy_entities(session, touched: set[int]) -> tuple[int, int]:
    """Delete entities nothing mentions any more (their display, key and
    attributes came from disposed reports); rebuild the rest's profiles and
    counts from the mentions that remain. Returns (removed, recounted)."""
    removed = 0
    pending = set(touched)
    while pending:
        ent = session.get(Entity, pending.pop())
        if ent is None:
            continue
        if session.scalar(select(MentionRow.id).where(MentionRow.entity_pk == ent.id).limit(1)) is not None:
            continue
        if session.scalar(select(Entity.id).where(Entity.merged_into_id == ent.id).limit(1)) is not None:
            continue  # still the target of an officer's merge: kept, with counts of zero
        if ent.merged_into_id is not None:
            pending.add(ent.merged_into_id)
        session.execute(delete(EntityLink).where(or_(EntityLink.a_pk == ent.id, EntityLink.b_pk == ent.id)))
        session.execute(delete(EntityFact).where(EntityFact.entity_pk == ent.id))
        session.delete(ent)
        session.flush()
        touched.discard(ent.id)
        removed += 1
    live = [i for i in touched if session.get(Entity, i) is not None]
    for ent_id in live:
        ent = session.get(Entity, ent_id)
        mentions = list(session.scalars(select(MentionRow).where(MentionRow.entity_pk == ent_id)
                                        .order_by(MentionRow.document_pk, MentionRow.id)))
        if not mentions:
            continue
        ent.display = (mentions[0].value or mentions[0].text)[:2000]
        if ent.type == "PERSON":
            ent.attrs = person_profile_of_mentions(session, mentions).to_attrs()
    refresh_stats(session, live)
    return removed, len(live)


def is_disposed_message(session, content_sha256: str) -> bool:
    return session.scalar(select(DisposedMessage.id).where(DisposedMessage.content_sha256 == content_sha256)
                          .limit(1)) is not None
