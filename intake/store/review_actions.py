"""What an intake officer does to a document, as store operations: correct
a field, choose the template, approve, reject, mark not a report, settle a
possible duplicate, ask for reprocessing. Each is audited (who, what, which
document, from where; never the values) and releases or keeps the claim as
a person would expect.

Callers check roles; these functions check the document's state and
raise ActionError before they write anything, so a refused action leaves
nothing half done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

from sqlalchemy import select

from intake import canonical
from intake.exception_codes import (
    ACTION_REFUSED,
    AMBIGUOUS_VALUE,
    POSSIBLE_DUPLICATE,
    REJECTED_BY_OFFICER,
    UNREADABLE_VALUE,
)
from intake.store import repository as repo
from intake.store.document_writes import AnalysisChange, apply_analysis, replace_mentions, resolve_if_in_use
from intake.store.models import DocumentRow, ExceptionItem, Message, RecordRow, ReviewNote
from intake.store.queue import item_field, release
from intake.store.records import correct_field as _correct
from intake.store.records import current_fields
from intake.store.triage import write_triage
from intake.types import DocumentAnalysis

NOTE_MAX = 4000
_WS = re.compile(r"\s+")


class ActionError(ValueError):
    """The action does not fit the document's state; the message says why
    in words an officer can act on."""

    code = ACTION_REFUSED


@dataclass
class Actor:
    """Who acts, as the audit log names them, and from where."""

    name: str  # "user:jbloggs", "cli:root"
    client_addr: str | None = None

    @property
    def username(self) -> str:
        return self.name.split(":", 1)[-1]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _audit(session, actor: Actor, action: str, doc: DocumentRow, **detail) -> None:
    repo.audit(session, actor.name, action, "document", doc.public_id, client_addr=actor.client_addr, **detail)


def audit_view(session, actor: Actor, what: str, object_type: str, object_id=None, **detail) -> None:
    """A person looked at report content (a document, the queue, an entity)."""
    repo.audit(session, actor.name, what, object_type, object_id, client_addr=actor.client_addr, **detail)


def _close_items(session, doc: DocumentRow, actor: Actor, resolution: str, *, codes: Sequence[str] | None = None,
                 status: str = "resolved") -> list[str]:
    q = select(ExceptionItem).where(ExceptionItem.document_pk == doc.id, ExceptionItem.status == "open")
    if codes is not None:
        q = q.where(ExceptionItem.code.in_(list(codes)))
    closed = []
    for it in session.scalars(q):
        it.status, it.resolved_by, it.resolved_at, it.resolution = status, actor.name, _now(), resolution
        closed.append(it.code)
    session.flush()
    return closed


def _close_copies(session, doc: DocumentRow, actor: Actor, how: str) -> list[str]:
    """The open items of the document's duplicates close with it: the same
    report is not cleared twice. Returns the copies' public ids."""
    copies = session.scalars(select(DocumentRow).where(DocumentRow.duplicate_of_id == doc.id,
                                                       DocumentRow.status == "duplicate")).all()
    closed = []
    for copy in copies:
        if _close_items(session, copy, actor, f"closed with its original {doc.public_id} ({how})"):
            release(session, copy)
            _audit(session, actor, "document.closed_with_original", copy, original=doc.public_id, how=how)
            closed.append(copy.public_id)
    return closed


def _decide(doc: DocumentRow, actor: Actor, state: str, reason: str | None = None) -> None:
    doc.review_state, doc.reviewed_by, doc.reviewed_at, doc.review_reason = state, actor.username, _now(), reason


def check_value(key: str, text: str | None):
    """The officer's text as the field's value; ActionError (naming the
    field) when it does not fit."""
    try:
        return canonical.coerce(key, text)
    except canonical.FieldValueError as exc:
        raise ActionError(f"{canonical.BY_KEY[key].label if key in canonical.BY_KEY else key}: {exc}") from None


def changed_fields(doc: DocumentRow, submitted: dict[str, str]) -> dict[str, str]:
    """The fields of a several-field form whose text the officer changed:
    compared as text with what the form showed, so a field left alone is
    not "corrected" to the same value written another way."""
    live = current_fields(doc.record)
    out = {}
    for key, text in submitted.items():
        f = live.get(key)
        shown = canonical.display((f.value or {}).get("v") if f is not None else None, key)
        if _WS.sub(" ", text or "").strip() != _WS.sub(" ", shown).strip():
            out[key] = text
    return out


def check_values(doc: DocumentRow, edits: dict[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """(values, errors) of several edits: every field checked before any is
    written, so a form with one wrong value writes nothing."""
    if doc.record is None:
        raise ActionError("This document has no record yet: choose its template (or free text) first.")
    values, errors = {}, {}
    for key, text in edits.items():
        try:
            values[key] = check_value(key, text)
        except ActionError as exc:
            errors[key] = str(exc)
    return values, errors


def correct_field(session, doc: DocumentRow, key: str, text: str | None, actor: Actor) -> bool:
    """Set one canonical field from the officer's text. Returns False when
    the value is unchanged (nothing written). Raises ActionError when the
    document has no record or the value does not fit the field."""
    if doc.record is None:
        raise ActionError("This document has no record yet: choose its template (or free text) first.")
    value = check_value(key, text)
    live = current_fields(doc.record).get(key)
    if live is not None and (live.value or {}).get("v") == value:
        return False
    _correct(session, doc.record, key, value, actor.username, raw=text)
    _audit(session, actor, "record.field_corrected", doc, field=key, had_value=live is not None)
    return True


def resolve_field_items(session, doc: DocumentRow, key: str, actor: Actor) -> list[str]:
    """An officer set the field an ambiguous or unreadable value was about:
    that item is dealt with."""
    closed = []
    for it in session.scalars(select(ExceptionItem).where(
            ExceptionItem.document_pk == doc.id, ExceptionItem.status == "open",
            ExceptionItem.code.in_((AMBIGUOUS_VALUE, UNREADABLE_VALUE)))):
        if item_field(it.detail)[0] == key:
            it.status, it.resolved_by, it.resolved_at = "resolved", actor.name, _now()
            it.resolution = "the officer set the field"
            closed.append(it.code)
    session.flush()
    return closed


def open_items(session, doc: DocumentRow) -> list[ExceptionItem]:
    return list(session.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                            ExceptionItem.status == "open")))


def add_note(session, doc: DocumentRow, text: str, actor: Actor) -> ReviewNote:
    text = (text or "").strip()
    if not text:
        raise ActionError("Write the note first.")
    if len(text) > NOTE_MAX:
        raise ActionError(f"A note is at most {NOTE_MAX} characters; this one has {len(text)}.")
    note = ReviewNote(document_pk=doc.id, author=actor.username, text=text)
    session.add(note)
    session.flush()
    _audit(session, actor, "document.note_added", doc, note=note.id, chars=len(text))
    return note


def notes_of(session, document_pks: Sequence[int]) -> dict[int, list[ReviewNote]]:
    out: dict[int, list[ReviewNote]] = {}
    if document_pks:
        for n in session.scalars(select(ReviewNote).where(ReviewNote.document_pk.in_(list(document_pks)))
                                 .order_by(ReviewNote.id)):
            out.setdefault(n.document_pk, []).append(n)
    return out


def set_mentions(session, doc: DocumentRow, analysis: DocumentAnalysis, actor: Actor) -> None:
    """After a correction: the record's mentions extracted again from the
    corrected text (the caller ran the extractor), resolved if in use."""
    replace_mentions(session, doc, analysis.mentions)
    resolve_if_in_use(session, doc)
    write_triage(session, doc)  # from the corrected text; an officer's level stays


def choose_template(session, doc: DocumentRow, template_id: str, analysis: DocumentAnalysis,
                    actor: Actor) -> AnalysisChange:
    """The officer says which template the document is written on; the
    caller mapped it (or built an empty record to key in)."""
    doc.template_override = template_id
    change = apply_analysis(session, doc, analysis, actor=actor.name, reprocess=True)
    _audit(session, actor, "document.template_chosen", doc, template=template_id, **change.as_audit())
    return change


def approve(session, doc: DocumentRow, actor: Actor) -> list[str]:
    if doc.record is None:
        raise ActionError("There is no record to approve: choose the template (or free text) and key it in first.")
    if doc.status == "duplicate":
        raise ActionError("This document is a duplicate; open the first copy instead.")
    closed = _close_items(session, doc, actor, "approved")
    _decide(doc, actor, "approved")
    doc.status = "parsed"
    doc.exception_code = doc.exception_detail = None
    rec = session.scalar(select(RecordRow).where(RecordRow.document_pk == doc.id))
    rec.approved_by, rec.approved_at = actor.username, _now()
    resolve_if_in_use(session, doc)
    release(session, doc)
    copies = _close_copies(session, doc, actor, "approved")
    _audit(session, actor, "document.approved", doc, resolved=closed, **({"copies": copies} if copies else {}))
    return closed


def reject(session, doc: DocumentRow, reason: str, actor: Actor) -> list[str]:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Give the reason for rejecting this document.")
    closed = _close_items(session, doc, actor, "rejected", status="dismissed")
    _decide(doc, actor, "rejected", reason[:2000])
    doc.status = "exception"
    doc.exception_code = REJECTED_BY_OFFICER
    doc.exception_detail = f"Rejected by {actor.username}: {reason[:2000]}"
    resolve_if_in_use(session, doc)
    release(session, doc)
    copies = _close_copies(session, doc, actor, "rejected")
    _audit(session, actor, "document.rejected", doc, resolved=closed, **({"copies": copies} if copies else {}))
    return closed


def mark_not_a_report(session, doc: DocumentRow, actor: Actor) -> list[str]:
    closed = _close_items(session, doc, actor, "not a report", status="dismissed")
    _decide(doc, actor, "not_a_report")
    doc.status = "not_a_report"
    resolve_if_in_use(session, doc)
    release(session, doc)
    copies = _close_copies(session, doc, actor, "not a report")
    _audit(session, actor, "document.marked_not_a_report", doc, resolved=closed,
           **({"copies": copies} if copies else {}))
    return closed


def duplicate_candidate(session, doc: DocumentRow) -> DocumentRow | None:
    """The other document of this document's open possible_duplicate."""
    pk = session.scalar(select(ExceptionItem.related_document_pk).where(
        ExceptionItem.document_pk == doc.id, ExceptionItem.code == POSSIBLE_DUPLICATE,
        ExceptionItem.status == "open").order_by(ExceptionItem.id.desc()).limit(1))
    return session.get(DocumentRow, pk) if pk else None


def original_of(session, doc: DocumentRow) -> DocumentRow | None:
    """The first copy of a document intake (or an officer) found to be a
    duplicate."""
    if doc.status != "duplicate" or doc.duplicate_of_id is None:
        return None
    return session.get(DocumentRow, doc.duplicate_of_id)


def _settle_copy(session, doc: DocumentRow, other: DocumentRow, same: bool, actor: Actor) -> None:
    """A duplicate with items of its own: the same report (its items close
    with it; the original is what is cleared), or a different report after
    all (it becomes a record of its own, its items stay to be dealt with)."""
    if same:
        _close_items(session, doc, actor, f"same report as {other.public_id}")
        _decide(doc, actor, "duplicate")
    else:
        doc.status, doc.duplicate_of_id, doc.duplicate_reason = "parsed", None, None
        doc.review_state = "distinct"
        session.flush()
        resolve_if_in_use(session, doc)
    release(session, doc)
    _audit(session, actor, "document.duplicate_resolved", doc, same=same, other=other.public_id)


def resolve_duplicate(session, doc: DocumentRow, same: bool, actor: Actor) -> None:
    other = duplicate_candidate(session, doc)
    if other is None:
        copy_of = original_of(session, doc)
        if copy_of is not None and doc.duplicate_reason != "sha256":
            return _settle_copy(session, doc, copy_of, same, actor)
        raise ActionError("This document has no open possible-duplicate question.")
    if same:
        _close_items(session, doc, actor, f"same report as {other.public_id}")
        _decide(doc, actor, "duplicate")
        doc.status, doc.duplicate_of_id, doc.duplicate_reason = "duplicate", other.id, "officer"
        doc.exception_code = doc.exception_detail = None
        # Its mentions stay, but a copy does not count twice.
        resolve_if_in_use(session, doc)
        release(session, doc)
    else:
        _close_items(session, doc, actor, f"a different report from {other.public_id}", codes=[POSSIBLE_DUPLICATE])
        if doc.review_state is None:
            doc.review_state = "distinct"
    _audit(session, actor, "document.duplicate_resolved", doc, same=same, other=other.public_id)


def request_reprocess(session, docs: Sequence[DocumentRow], actor: Actor) -> int:
    n = 0
    for doc in docs:
        if doc.duplicate_reason == "sha256":
            continue  # a byte copy has no analysis of its own: its first copy does
        doc.reprocess_requested_at, doc.reprocess_requested_by = _now(), actor.username
        n += 1
    repo.audit(session, actor.name, "documents.reprocess_requested", "document", None,
               client_addr=actor.client_addr, count=n)
    return n


def reprocess_selection(session, *, status: str | None = None, code: str | None = None,
                        template: str | None = None, since: datetime | None = None,
                        ids: Sequence[str] = (), limit: int | None = None) -> list[DocumentRow]:
    """Documents to analyse again, by filter or by public id. Byte copies
    are left out: they share the first copy's analysis."""
    q = select(DocumentRow).where(DocumentRow.disposed_at.is_(None),
                                  (DocumentRow.duplicate_reason.is_(None)) | (DocumentRow.duplicate_reason != "sha256"),
                                  DocumentRow.part_path != "message")
    if ids:
        q = q.where(DocumentRow.public_id.in_(list(ids)))
    if status:
        q = q.where(DocumentRow.status == status)
    if template:
        q = q.where(DocumentRow.template == template)
    if code:
        q = q.where(DocumentRow.id.in_(select(ExceptionItem.document_pk).where(
            ExceptionItem.code == code, ExceptionItem.status == "open")))
    if since:
        q = q.where(DocumentRow.message_pk.in_(select(Message.id).where(Message.first_seen_at >= since)))
    q = q.order_by(DocumentRow.id)
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def pending_reprocess(session, limit: int = 20) -> list[DocumentRow]:
    return list(session.scalars(select(DocumentRow).where(DocumentRow.reprocess_requested_at.is_not(None))
                                .order_by(DocumentRow.reprocess_requested_at, DocumentRow.id).limit(limit)))


def apply_reprocess(session, doc: DocumentRow, analysis: DocumentAnalysis, actor: Actor) -> AnalysisChange:
    change = apply_analysis(session, doc, analysis, actor=actor.name, reprocess=True)
    doc.reprocess_requested_at = doc.reprocess_requested_by = None
    _audit(session, actor, "document.reprocessed", doc, **change.as_audit())
    return change


