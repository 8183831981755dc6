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
from datetime import date

from sqlalchemy.exc import IntegrityError

from intake import metrics
from intake.ingest.identity import content_sha256
from intake.ingest.mime_walk import MessageHeaders, MimeLimits, WalkResult, walk
from intake.ingest.sender import policy_from_settings, verify_sender  # sender verification (issue 11)
from intake.ingest.workers import Analyser, make_analyser
from intake.store.db import Store
from intake.store.message_writes import (
    MessageOutcome,
    NeedsAnalysis,
    record_sighting,
    save_message,
    stored_document_shas,
)
from intake.types import DocumentAnalysis, ExceptionInfo, RawMessage

log = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, store: Store, settings=None, actor: str = "system:replay",
                 analyser: Analyser | None = None):
        self.store = store
        self.settings = settings
        self.actor = actor
        self.limits = MimeLimits.from_settings(settings)
        self._own_analyser = analyser is None
        self.analyser = analyser or make_analyser(settings)
        # sender verification (issue 11): [sender]; an inbox's runner may set its own
        self.sender_policy = policy_from_settings(settings)

    def close(self) -> None:
        if self._own_analyser:
            self.analyser.close()

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------

    def process(self, raw: RawMessage) -> MessageOutcome:
        key = content_sha256(raw.data)
        with metrics.timed("mime_walk"):
            result = walk(raw.data, self.limits)
        return self._save(raw, key, result)

    def process_unreadable(self, origin: str, data: bytes, code: str, detail: str) -> MessageOutcome:
        """Keep a source item that is not a readable e-mail (a damaged .msg):
        its bytes are stored and it shows in the queue and the export."""
        raw = RawMessage(origin, data)
        # No headers to read: its bytes are its identity.
        result = WalkResult(headers=MessageHeaders(), problems=[ExceptionInfo(code, detail)])
        return self._save(raw, raw.sha256, result)

    # ------------------------------------------------------------------

    def _known(self, raw: RawMessage, mid: str | None, key: str) -> MessageOutcome | None:
        with self.store.transaction() as s:
            return record_sighting(s, raw, mid, key, self.actor)

    def _save(self, raw: RawMessage, key: str, result: WalkResult) -> MessageOutcome:
        mid = result.headers.message_id
        existing = self._known(raw, mid, key)
        if existing is not None:
            return existing
        analyses = self._analyse(result, skip_stored=True)
        for attempt in range(3):
            try:
                with metrics.timed("commit"), self.store.transaction() as s:
                    outcome = save_message(s, raw, key, result.headers, result.problems, result.documents,
                                           analyses, actor=self.actor,
                                           signature=_signature(result),
                                           sender=verify_sender(raw.data, self.sender_policy))  # sender verification (issue 11)
                metrics.documents_stored(outcome)
                log.debug("message %s stored: %s", outcome.message_pk,
                          ", ".join(f"{k}={v}" for k, v in sorted(Counter(
                              d.status for d in outcome.documents).items())))
                return outcome
            except NeedsAnalysis as need:
                # The stored copy a document duplicated has gone (disposed
                # of) since we looked: analyse it now rather than lose it.
                analyses.update(self._analyse(result, only=need.indexes))
            except IntegrityError:
                # Another process committed the same message (or blob) first:
                # it is now known, so this becomes a sighting.
                log.info("concurrent insert detected; re-checking message")
                existing = self._known(raw, mid, key)
                if existing is not None:
                    return existing
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _analyse(self, result: WalkResult, *, skip_stored: bool = False,
                 only: list[int] | None = None) -> dict[int, DocumentAnalysis]:
        """Analyse the documents not already in the store. Slow work happens
        here, outside any transaction."""
        fallback: date | None = result.headers.date.date() if result.headers.date else None
        stored: set[str] = set()
        if skip_stored:
            with self.store.session() as s:
                stored = stored_document_shas(s, [d.sha256 for d in result.documents])
        seen: set[str] = set()
        out: dict[int, DocumentAnalysis] = {}
        for i, doc in enumerate(result.documents):
            if only is not None and i not in only:
                continue
            if doc.sha256 in seen or doc.sha256 in stored:
                continue
            seen.add(doc.sha256)
            with metrics.timed("analyse"):
                out[i] = self.analyser.analyse(doc, fallback)
        return out


def _signature(result: WalkResult) -> dict | None:
    """The message's own S/MIME or PGP signature as the store keeps it."""
    sig = result.signature
    if sig is None:
        return None
    return {"signed": sig.signed, "kind": sig.kind, "signer": sig.signer, "valid": sig.valid,
            "detail": sig.detail, "certificate_sha256": sig.certificate_sha256}
