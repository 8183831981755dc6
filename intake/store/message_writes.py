"""Saving one message and everything found in it, in one transaction.

The pipeline (ingest/) reads and analyses; this module writes: raw blob,
message, sighting, documents (byte duplicates first), records, queue items,
content dedup, mentions, entity resolution and the audit entry. The caller
commits; a unique-constraint race with another process surfaces as
IntegrityError, after which the message is known and ``record_sighting``
applies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

from sqlalchemy import insert, select

from intake.exception_codes import MESSAGE_ID_CLASH, NO_REPORT_CONTENT, PIPELINE_FAILED, UNVERIFIED_SENDER
from intake.store import repository as repo
from intake.store.document_writes import agency_of, apply_analysis
from intake.store.models import DocumentRow, Inbound, Message, Sighting
from intake.store.origins import source_of
from intake.types import Document, DocumentAnalysis, ExceptionInfo, IntakeError, RawMessage

_CLASH = "intake.message_clash"  # session.info: record_sighting's answer for save_message


class HeaderFacts(Protocol):
    """What the store keeps of a message's headers (ingest's MessageHeaders)."""

    message_id: str | None
    from_addr: str | None
    to_addrs: str | None
    subject: str | None
    date: Any


@dataclass
class DocumentSummary:
    public_id: str
    status: str
    exception_code: str | None = None


@dataclass
class MessageOutcome:
    message_pk: int | None  # None: a message that was disposed of (nothing stored again)
    new: bool  # False: the message was already stored (a sighting at most)
    clash: bool = False  # same Message-ID as an earlier, different message
    documents: list[DocumentSummary] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # message-level exception codes


class NeedsAnalysis(Exception):
    """A document was skipped before the commit as a byte duplicate, but the
    copy it duplicated has gone since (disposed of): analyse these indexes
    and save again."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"documents {indexes} need analysis")
        self.indexes = indexes


def record_sighting(session, raw: RawMessage, message_id: str | None, content_sha256: str,
                    actor: str) -> MessageOutcome | None:
    """If the message is already stored: note where it was read again and
    return its outcome; else None."""
    m, clash, disposed = repo.find_message_clash_disposed(session, message_id, content_sha256)
    # save_message, next in this transaction, needs the clash: asked here.
    session.info[_CLASH] = (message_id, content_sha256, clash)
    if m is None:
        if disposed:
            # Disposed of under the retention policy: read again from an
            # archive or a mailbox, it is known and stays gone.
            repo.audit(session, actor, "message.seen_again_disposed", "message", None)
            return MessageOutcome(message_pk=None, new=False)
        return None
    repo.ensure_blob(session, raw.sha256, raw.data)
    if repo.add_sighting(session, m, raw.origin, raw.sha256):
        repo.audit(session, actor, "message.seen_again", "message", m.id)
    return MessageOutcome(message_pk=m.id, new=False,
                          documents=[DocumentSummary(d.public_id, d.status, d.exception_code)
                                     for d in m.documents])


def outcome_of(session, inbound_id: int) -> MessageOutcome:
    """What became of a message already processed (replaying the same
    archive again, a worker finding its job done). A message that is held
    by another worker, or whose processing failed, is an IntakeError."""
    row = session.get(Inbound, inbound_id)
    if row is None or (row.state == "done" and row.message_pk is None):
        # Only retention removes custody rows: a disposed message read again
        # (store/retention.py forget_disposed_arrival). It stays gone.
        return MessageOutcome(message_pk=None, new=False)
    if row is None or row.state != "done" or row.message_pk is None:
        state = row.state if row is not None else "missing"
        raise IntakeError(PIPELINE_FAILED, f"inbound message {inbound_id} is {state}, not processed; "
                          "`intake status` shows the queue")
    m = session.get(Message, row.message_pk)
    return MessageOutcome(message_pk=m.id, new=False,
                          documents=[DocumentSummary(d.public_id, d.status, d.exception_code) for d in m.documents])


def stored_document_shas(session, shas: Sequence[str]) -> set[str]:
    """Which of these document hashes already have a stored first copy.
    One statement loading no document rows: it runs for every message, in
    the thread that feeds the analysis workers."""
    if not shas:
        return set()
    return set(session.scalars(select(DocumentRow.sha256).distinct()
                               .where(DocumentRow.sha256.in_(sorted(set(shas))),
                                      DocumentRow.duplicate_of_id.is_(None))))


_INSERT_SIGHTING = insert(Sighting.__table__)


def save_message(session, raw: RawMessage, content_sha256: str, headers: HeaderFacts,
                 problems: Sequence[ExceptionInfo], documents: Sequence[Document],
                 analyses: dict[int, DocumentAnalysis], *, actor: str,
                 signature: dict | None = None, sender: dict | None = None) -> MessageOutcome:
    """``sender``: the verdict of ingest/sender.py's verify_sender, kept on
    the message; a checked sender that failed opens ``unverified_sender``
    (the message is processed all the same)."""
    # The raw message's and every document's bytes in one statement.
    repo.ensure_blobs(session, [(raw.sha256, raw.data)] + [(d.sha256, d.data) for d in documents])
    asked = session.info.pop(_CLASH, None)
    clash = (asked[2] if asked is not None and asked[:2] == (headers.message_id, content_sha256)
             else repo.find_clash(session, headers.message_id, content_sha256))
    msg = Message(
        message_id=headers.message_id, content_sha256=content_sha256, raw_sha256=raw.sha256,
        from_addr=headers.from_addr, to_addrs=headers.to_addrs, subject=headers.subject,
        date=headers.date, origin=raw.origin, source=source_of(raw.origin), signature=signature,
        clash_with_id=clash.id if clash else None, sender_verification=sender,
        status="exception" if problems else "processed",
        exception_code=problems[0].code if problems else None,
        exception_detail=problems[0].detail if problems else None,
    )
    session.add(msg)
    session.flush()
    # A new message has no sighting yet: its raw bytes would have found it
    # (record_sighting) under the same origin. Nothing reads it back as an
    # object: inserted by a statement built once, not by a flush.
    session.execute(_INSERT_SIGHTING, {"message_pk": msg.id, "origin": raw.origin, "raw_sha256": raw.sha256})
    outcome = MessageOutcome(message_pk=msg.id, new=True, clash=clash is not None)
    # The stored first copy of each document's bytes, in one query; a
    # document saved here becomes the first copy of a later one.
    firsts = repo.first_documents_with_shas(session, [d.sha256 for d in documents])
    missing = [i for i, doc in enumerate(documents)
               if i not in analyses and doc.sha256 not in firsts
               and not any(d.sha256 == doc.sha256 for d in documents[:i])]
    if missing:
        raise NeedsAnalysis(missing)
    rows: list[DocumentRow] = []
    for i, doc in enumerate(documents):
        row = _save_document(session, msg, doc, analyses.get(i), actor, firsts)
        rows.append(row)
        outcome.documents.append(DocumentSummary(row.public_id, row.status, row.exception_code))
    placeholder = None
    if not documents:
        # Nothing in the message could be treated as a report. It still
        # appears in the export and the queue: never silently dropped.
        placeholder = _save_placeholder(session, msg, raw, problems)
        outcome.documents.append(DocumentSummary(placeholder.public_id, placeholder.status,
                                                 placeholder.exception_code))
    # A message's own problems sit on its first document (the placeholder
    # when there is nothing else), so every queue item opens on a page
    # where the officer can see the message and all its documents.
    first = placeholder or (rows[0] if rows else None)  # saved in order: the lowest id
    if clash is not None:
        repo.open_exception(session, ExceptionInfo(
            MESSAGE_ID_CLASH,
            f"Another message (#{clash.id}) has the same Message-ID but different content; "
            "both are kept. Check whether one was edited or resent.",
        ), message=msg, document=first, flush=False)
    for problem in problems:
        repo.open_exception(session, problem, message=msg, document=first, flush=False)
        outcome.problems.append(problem.code)
    if sender and sender.get("checked") and sender.get("verified") is False:
        repo.open_exception(session, ExceptionInfo(UNVERIFIED_SENDER, unverified_detail(sender)),
                            message=msg, document=first, flush=False)
        outcome.problems.append(UNVERIFIED_SENDER)

    repo.audit(session, actor, "message.ingested", "message", msg.id,
               documents=dict(Counter(d.status for d in outcome.documents)), problems=outcome.problems)
    return outcome


def unverified_detail(verdict: dict) -> str:
    """The unverified_sender item's text: the evidence and the sender's
    domain, nothing of the content."""
    reasons = "; ".join(verdict.get("reasons") or ["not verified"])
    by = f" (checked by {verdict['authserv_id']})" if verdict.get("authserv_id") else ""
    ignored = verdict.get("ignored_headers") or 0
    extra = (f" {ignored} Authentication-Results header(s) claiming the trusted server sat further down the "
             "message, where the sender could have written them, and were ignored." if ignored else "")
    domain = verdict.get("from_domain") or "unknown"
    return (f"The sender could not be verified{by}: {reasons}. Sender's domain: {domain}.{extra} "
            "The report was processed as usual; confirm it came from who it claims before acting on it.")


def _save_document(session, msg: Message, doc: Document, analysis: DocumentAnalysis | None,
                   actor: str, firsts: dict[str, DocumentRow]) -> DocumentRow:
    """``firsts``: the first stored copy of each sha256 (first_documents_with_shas),
    which learns this document when it is one."""
    row = DocumentRow(
        public_id=repo.document_public_id(msg.content_sha256, msg.message_id, doc.part_path),
        message_pk=msg.id, part_path=doc.part_path, kind=doc.kind, filename=doc.filename,
        media_type=doc.media_type, declared_type=doc.declared_type, sha256=doc.sha256,
        size=len(doc.data), status="parsed",
    )
    first = firsts.get(doc.sha256)
    if first is not None:
        # Byte-identical to a document already stored (earlier in this
        # message, or by another process): the first copy has the record.
        row.status, row.duplicate_of_id, row.duplicate_reason = "duplicate", first.id, "sha256"
        row.agency = first.agency
        session.add(row)
        session.flush()
        return row
    # Inserted by apply_analysis's first flush, with what analysis found.
    session.add(row)
    apply_analysis(session, row, analysis, actor=actor)
    if row.duplicate_of_id is None:  # a content duplicate is no first copy
        firsts.setdefault(doc.sha256, row)
    return row


def _save_placeholder(session, msg: Message, raw: RawMessage, problems: Sequence[ExceptionInfo]) -> DocumentRow:
    info = problems[0] if problems else ExceptionInfo(
        NO_REPORT_CONTENT,
        "The e-mail has no attachment and its text is only a covering note or empty. "
        "Check with the sender whether a form was meant to be attached.",
    )
    row = DocumentRow(
        public_id=repo.document_public_id(msg.content_sha256, msg.message_id, "message"),
        message_pk=msg.id, part_path="message", kind="body", filename=None, media_type="message/rfc822",
        sha256=raw.sha256, size=len(raw.data), status="exception", exception_code=info.code,
        exception_detail=info.detail, agency=agency_of({}, msg.from_addr),
    )
    session.add(row)
    session.flush()
    if not problems:
        repo.open_exception(session, info, document=row, flush=False)
    return row
