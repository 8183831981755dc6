"""One received message through processing, whoever drives it (the local
processor in ingest/processing/local_processor.py, the job queue's tasks in
ingest/processing/job_queue.py, a single call in ingest/processing/one_message.py):

    MIME walk (walk_job) → the documents not stored yet
    (documents_to_analyse) → their analyses → one transaction (commit_job,
    commit_one with its retries): message, documents, records, dedup,
    mentions, resolution, and the inbound row marked done.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from intake import metrics
from intake.ingest.identity import identity_keys
from intake.ingest.mime_walk import MimeLimits, WalkResult, parse_once, walk
from intake.ingest.sender import SenderPolicies, verify_sender
from intake.store import inbound, retention
from intake.store.db import Store
from intake.store.message_writes import (
    MessageOutcome,
    NeedsAnalysis,
    record_sighting,
    save_message,
    stored_document_shas,
)
from intake.types import DocumentAnalysis, RawMessage

log = logging.getLogger(__name__)


@dataclass
class MessageJob:
    inbound_id: int
    raw: RawMessage
    key: str  # content_sha256: the message's identity with its Message-ID
    result: WalkResult
    analyses: dict[int, DocumentAnalysis] = field(default_factory=dict)
    pending: dict[int, Future] = field(default_factory=dict)  # document index -> analysis in flight
    source: str | None = None  # the inbox (config name) or "replay": a metrics label, never content
    sender: dict | None = None  # verify_sender's verdict under the source's policy
    # Other content hashes the message may be stored under (identity.identity_keys).
    legacy_keys: list[str] = field(default_factory=list)

    @property
    def fallback_date(self) -> date | None:
        return self.result.headers.date.date() if self.result.headers.date else None

    def ready(self) -> bool:
        return all(f.done() for f in self.pending.values())

    def collect(self) -> None:
        for i, f in self.pending.items():
            self.analyses[i] = f.result()
        self.pending.clear()


def walk_job(inbound_id: int, raw: RawMessage, limits: MimeLimits, source: str | None = None,
             senders: SenderPolicies | None = None) -> MessageJob:
    with metrics.timed("mime_walk"):
        parsed = parse_once(raw.data, limits)  # the walk and the identity share one parse
        result = walk(raw.data, limits, parsed)
    sender = verify_sender(raw.data, senders.for_source(source)) if senders is not None else None
    key, *legacy = identity_keys(raw.data, parsed)
    return MessageJob(inbound_id, raw, key, result, source=source, sender=sender, legacy_keys=legacy)


def counted(job: MessageJob, outcome: MessageOutcome) -> MessageOutcome:
    metrics.documents_stored(outcome)
    metrics.MESSAGES_PROCESSED.labels(job.source or "replay", "new" if outcome.new else "known").inc()
    return outcome


def documents_to_analyse(store: Store, job: MessageJob, in_flight: set[str] | None = None,
                         only: list[int] | None = None) -> list[int]:
    """Indexes of the job's documents that need analysing: not stored yet,
    not an earlier copy in the same message (nor, given ``in_flight``, in a
    message being analysed now)."""
    with store.session() as s:
        stored = stored_document_shas(s, [d.sha256 for d in job.result.documents])
    seen: set[str] = set()
    out = []
    for i, doc in enumerate(job.result.documents):
        if only is not None and i not in only:
            continue
        if doc.sha256 in seen or doc.sha256 in stored or (in_flight is not None and doc.sha256 in in_flight):
            continue
        seen.add(doc.sha256)
        out.append(i)
    return out


def signature_of(result: WalkResult) -> dict | None:
    """The message's own S/MIME or PGP signature as the store keeps it."""
    sig = result.signature
    if sig is None:
        return None
    return {"signed": sig.signed, "kind": sig.kind, "signer": sig.signer, "valid": sig.valid,
            "detail": sig.detail, "certificate_sha256": sig.certificate_sha256}


def commit_job(session, job: MessageJob, actor: str) -> MessageOutcome:
    """The message's results and its inbound row done, in the caller's
    transaction. Raises NeedsAnalysis (analyse those and call again) and
    IntegrityError (another process stored it first: call again, in a new
    transaction, and it becomes a sighting)."""
    mid = job.result.headers.message_id
    outcome = record_sighting(session, job.raw, mid, job.key, actor)
    for legacy in job.legacy_keys:
        # Stored by an earlier intake under the hash of its bytes as received.
        outcome = outcome or record_sighting(session, job.raw, mid, legacy, actor)
    if outcome is None:
        outcome = save_message(session, job.raw, job.key, job.result.headers, job.result.problems,
                               job.result.documents, job.analyses, actor=actor, signature=signature_of(job.result),
                               sender=job.sender)
    if outcome.message_pk is None:  # disposed of under retention: nothing of it may stay
        retention.forget_disposed_arrival(session, job.inbound_id)
    else:
        inbound.finish(session, job.inbound_id, outcome.message_pk)
    return outcome


def commit_one(store: Store, job: MessageJob, actor: str, analyse) -> MessageOutcome:
    """commit_job in its own transaction, with the retries it asks for.
    ``analyse(job, indexes)`` fills in documents it turns out to need."""
    for attempt in range(3):
        try:
            with metrics.timed("commit"), store.transaction() as s:
                return commit_job(s, job, actor)
        except NeedsAnalysis as need:
            # The stored copy a document duplicated has gone (disposed of)
            # since we looked: analyse it now rather than lose it.
            analyse(job, need.indexes)
        except IntegrityError:
            log.info("concurrent insert detected; re-checking message (inbound %s)", job.inbound_id)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# analysis on N worker processes
# --------------------------------------------------------------------------
