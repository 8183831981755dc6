"""Drive one raw message through everything and commit it.

    raw kept → MIME walk → documents → analysis (worker) → store → dedup → resolve

Every source (archive replay, IMAP) calls `Pipeline.process`. It is
idempotent: the same message again (Message-ID + content hash) only records
a sighting. The caller acknowledges the message to its source only after
`process` returns, i.e. after the commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from intake import metrics
from intake.exception_codes import (
    MESSAGE_ID_CLASH,
    NO_REPORT_CONTENT,
    POSSIBLE_DUPLICATE,
)
from intake.ingest.analyse import DocumentAnalysis
from intake.ingest.identity import content_sha256
from intake.ingest.mime_walk import MimeLimits, WalkResult, walk
from intake.ingest.workers import Analyser, make_analyser
from intake.store import repository as repo
from intake.store.db import Store
from intake.store.dedup import find_content_duplicate
from intake.store.models import DocumentRow, MentionRow, Message
from intake.store.resolve import resolve_document
from intake.types import Document, ExceptionInfo, RawMessage

log = logging.getLogger(__name__)


@dataclass
class DocumentSummary:
    public_id: str
    status: str
    exception_code: str | None = None


@dataclass
class MessageOutcome:
    message_pk: int
    new: bool  # False: the message was already stored (a sighting at most)
    clash: bool = False  # same Message-ID as an earlier, different message
    documents: list[DocumentSummary] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # message-level exception codes


class Pipeline:
    def __init__(self, store: Store, settings=None, actor: str = "system:replay",
                 analyser: Analyser | None = None):
        self.store = store
        self.settings = settings
        self.actor = actor
        self.limits = MimeLimits.from_settings(settings)
        self._own_analyser = analyser is None
        self.analyser = analyser or make_analyser(settings)

    def close(self) -> None:
        if self._own_analyser:
            self.analyser.close()

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------

    def known(self, raw: RawMessage) -> int | None:
        """The stored message's id if this message is already in the store."""
        key = content_sha256(raw.data)
        mid = walk_message_id(raw.data)
        with self.store.session() as s:
            m = repo.find_message(s, mid, key)
            return m.id if m else None

    def process(self, raw: RawMessage) -> MessageOutcome:
        key = content_sha256(raw.data)
        with metrics.timed("mime_walk"):
            result = walk(raw.data, self.limits)
        mid = result.headers.message_id

        existing = self._record_if_known(raw, mid, key)
        if existing is not None:
            return existing

        analyses = self._analyse(result)
        for attempt in range(3):
            try:
                with metrics.timed("commit"):
                    outcome = self._commit(raw, key, result, analyses)
                metrics.documents_stored(outcome)
                return outcome
            except IntegrityError:
                # Another process committed the same message (or blob) first:
                # it is now known, so this becomes a sighting.
                log.info("concurrent insert detected; re-checking message")
                existing = self._record_if_known(raw, mid, key)
                if existing is not None:
                    return existing
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def process_unreadable(self, origin: str, data: bytes, code: str, detail: str) -> MessageOutcome:
        """Keep a source item that is not a readable e-mail (a damaged .msg):
        its bytes are stored and it shows in the queue and the export."""
        raw = RawMessage(origin, data)
        key = raw.sha256  # no headers to read: its bytes are its identity
        existing = self._record_if_known(raw, None, key)
        if existing is not None:
            return existing
        from intake.ingest.mime_walk import MessageHeaders

        result = WalkResult(headers=MessageHeaders(), problems=[ExceptionInfo(code, detail)])
        return self._commit(raw, key, result, {})

    # ------------------------------------------------------------------

    def _record_if_known(self, raw: RawMessage, mid: str | None, key: str) -> MessageOutcome | None:
        with self.store.transaction() as s:
            m = repo.find_message(s, mid, key)
            if m is None:
                return None
            repo.ensure_blob(s, raw.sha256, raw.data)
            if repo.add_sighting(s, m, raw.origin, raw.sha256):
                repo.audit(s, self.actor, "message.seen_again", "message", m.id)
            return MessageOutcome(
                message_pk=m.id,
                new=False,
                documents=[DocumentSummary(d.public_id, d.status, d.exception_code) for d in m.documents],
            )

    def _analyse(self, result: WalkResult) -> dict[int, DocumentAnalysis]:
        """Analyse the documents not already in the store. Slow work happens
        here, outside any transaction."""
        fallback: date | None = result.headers.date.date() if result.headers.date else None
        seen: set[str] = set()
        out: dict[int, DocumentAnalysis] = {}
        with self.store.session() as s:
            for i, doc in enumerate(result.documents):
                if doc.sha256 in seen or repo.first_document_with_sha(s, doc.sha256) is not None:
                    continue
                seen.add(doc.sha256)
                with metrics.timed("analyse"):
                    out[i] = self.analyser.analyse(doc, fallback)
        return out

    def _commit(self, raw: RawMessage, key: str, result: WalkResult,
                analyses: dict[int, DocumentAnalysis]) -> MessageOutcome:
        h = result.headers
        with self.store.transaction() as s:
            repo.ensure_blob(s, raw.sha256, raw.data)
            clash = repo.find_clash(s, h.message_id, key)
            msg = Message(
                message_id=h.message_id,
                content_sha256=key,
                raw_sha256=raw.sha256,
                from_addr=h.from_addr,
                to_addrs=h.to_addrs,
                subject=h.subject,
                date=h.date,
                origin=raw.origin,
                clash_with_id=clash.id if clash else None,
                status="exception" if result.problems else "processed",
                exception_code=result.problems[0].code if result.problems else None,
                exception_detail=result.problems[0].detail if result.problems else None,
            )
            s.add(msg)
            s.flush()
            repo.add_sighting(s, msg, raw.origin, raw.sha256)
            outcome = MessageOutcome(message_pk=msg.id, new=True, clash=clash is not None)
            if clash is not None:
                repo.open_exception(s, ExceptionInfo(
                    MESSAGE_ID_CLASH,
                    f"Another message (#{clash.id}) has the same Message-ID but different content; "
                    "both are kept. Check whether one was edited or resent.",
                ), message=msg)
            for problem in result.problems:
                repo.open_exception(s, problem, message=msg)
                outcome.problems.append(problem.code)

            for i, doc in enumerate(result.documents):
                row = self._store_document(s, msg, doc, analyses.get(i))
                outcome.documents.append(DocumentSummary(row.public_id, row.status, row.exception_code))

            if not result.documents:
                # Nothing in the message could be treated as a report. It still
                # appears in the export and the queue: never silently dropped.
                row = self._store_placeholder(s, msg, raw, result)
                outcome.documents.append(DocumentSummary(row.public_id, row.status, row.exception_code))

            counts = Counter(d.status for d in outcome.documents)
            repo.audit(s, self.actor, "message.ingested", "message", msg.id,
                       documents=dict(counts), problems=outcome.problems)
        log.debug("message %s stored: %s", msg.id,
                 ", ".join(f"{k}={v}" for k, v in sorted(Counter(d.status for d in outcome.documents).items())))
        return outcome

    def _store_document(self, s, msg: Message, doc: Document,
                        analysis: DocumentAnalysis | None) -> DocumentRow:
        repo.ensure_blob(s, doc.sha256, doc.data)
        row = DocumentRow(
            public_id=repo.document_public_id(msg.content_sha256, msg.message_id, doc.part_path),
            message_pk=msg.id,
            part_path=doc.part_path,
            kind=doc.kind,
            filename=doc.filename,
            media_type=doc.media_type,
            declared_type=doc.declared_type,
            sha256=doc.sha256,
            size=len(doc.data),
            status="parsed",
        )
        first = repo.first_document_with_sha(s, doc.sha256)
        if first is not None:
            # Byte-identical to a document already stored (earlier in this
            # message, or by another process): the first copy has the record.
            row.status = "duplicate"
            row.duplicate_of_id = first.id
            row.duplicate_reason = "sha256"
            s.add(row)
            s.flush()
            return row
        if analysis is None:
            # Skipped as a duplicate before the commit, but the first copy has
            # gone since (disposed of): analyse it now rather than lose it.
            analysis = self.analyser.analyse(doc, msg.date.date() if msg.date else None)

        out = analysis.outcome
        row.status = out.status
        row.template = out.record.template if out.record else None
        row.template_version = out.record.version if out.record else None
        row.reader = out.reader or None
        row.ocr_confidence = out.ocr_confidence
        row.text = out.text or None
        if out.exception is not None:
            row.exception_code = out.exception.code
            row.exception_detail = out.exception.detail
        s.add(row)
        s.flush()

        if out.record is not None:
            repo.save_record(s, row, out.record)
        if out.exception is not None:
            repo.open_exception(s, out.exception, document=row)
        for w in out.warnings:
            repo.open_exception(s, w, document=row)

        if out.status == "parsed":
            match = find_content_duplicate(s, row, out.record, out.text)
            if match is not None and match.decision == "duplicate":
                row.status = "duplicate"
                row.duplicate_of_id = match.document_pk
                row.duplicate_reason = "content"
            elif match is not None:
                repo.open_exception(s, ExceptionInfo(
                    POSSIBLE_DUPLICATE,
                    f"Looks like document {match.document_pk} (similarity {match.score:.2f}) but not "
                    "close enough to be sure. Mark it a duplicate or keep it as a separate report.",
                ), document=row)

        mention_rows = [
            MentionRow(document_pk=row.id, field=m.field, type=m.type, text=m.text, value=m.value,
                       start=m.start, end=m.end, recogniser=m.recogniser, score=m.score,
                       attrs=dict(m.attrs))
            for m in analysis.mentions
        ]
        if mention_rows:
            s.add_all(mention_rows)
            s.flush()
            resolve_document(s, row, mention_rows)
        return row

    def _store_placeholder(self, s, msg: Message, raw: RawMessage, result: WalkResult) -> DocumentRow:
        if result.problems:
            info = result.problems[0]
        else:
            info = ExceptionInfo(
                NO_REPORT_CONTENT,
                "The e-mail has no attachment and its text is only a covering note or empty. "
                "Check with the sender whether a form was meant to be attached.",
            )
        row = DocumentRow(
            public_id=repo.document_public_id(msg.content_sha256, msg.message_id, "message"),
            message_pk=msg.id,
            part_path="message",
            kind="body",
            filename=None,
            media_type="message/rfc822",
            sha256=raw.sha256,
            size=len(raw.data),
            status="exception",
            exception_code=info.code,
            exception_detail=info.detail,
        )
        s.add(row)
        s.flush()
        if not result.problems:
            repo.open_exception(s, info, document=row)
        return row


def walk_message_id(data: bytes) -> str | None:
    from email.parser import BytesHeaderParser

    from intake.ingest.headers import decode_header_value

    try:
        value = BytesHeaderParser().parsebytes(data).get("Message-ID")
    except Exception:
        return None
    return decode_header_value(value).strip() or None if value else None
