"""One message at a time, start to finish: take custody, then process.

    receive (raw kept, inbound row committed) → MIME walk → documents →
    analysis (worker) → one transaction: store, dedup, resolve, inbound done

``Pipeline.process`` is what a caller with one message in hand uses (tests,
tools, the IMAP pass when it processes what it received). Archive replay
and the daemon take custody of everything first and let
processing.LocalProcessor work through it on every core. Either way the
same functions (processing.py) do the work, and it is idempotent: the same
message again (Message-ID + content hash) only records a sighting; the same
message from the same place again adds nothing.
"""

from __future__ import annotations

import logging

from intake import metrics
from intake.analysis.workers import Analyser, make_analyser
from intake.ingest.mime_walk import MessageHeaders, MimeLimits, WalkResult
from intake.ingest.processing.message_steps import (
    MessageJob,
    commit_job,
    commit_one,
    counted,
    documents_to_analyse,
    walk_job,
)
from intake.ingest.sender import SenderPolicies
from intake.store import inbound
from intake.store.db import Store
from intake.store.message_writes import MessageOutcome, outcome_of
from intake.types import ExceptionInfo, RawMessage

log = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, store: Store, settings=None, actor: str = "system:replay",
                 analyser: Analyser | None = None, source: str | None = None):
        self.store = store
        self.settings = settings
        self.actor = actor
        self.source = source
        self.limits = MimeLimits.from_settings(settings)
        self.senders = SenderPolicies(settings)  # sender verification, per inbox
        self._own_analyser = analyser is None
        self._analyser = analyser
        self.worker = inbound.worker_name("pipeline")

    @property
    def analyser(self) -> Analyser:
        # Made when first needed: a Pipeline that only records custody or
        # unreadable files must not take a worker a replay started early.
        if self._analyser is None:
            self._analyser = make_analyser(self.settings)
        return self._analyser

    def close(self) -> None:
        if self._own_analyser and self._analyser is not None:
            self._analyser.close()

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------

    def process(self, raw: RawMessage) -> MessageOutcome:
        with self.store.transaction() as s:
            inbound_id, _ = inbound.receive(s, raw, self.source)
        return self.process_inbound(inbound_id)

    def process_inbound(self, inbound_id: int, steal: bool = False) -> MessageOutcome:
        """Process one received message (or report what became of it if it
        was processed already)."""
        with self.store.transaction() as s:
            row = inbound.claim(s, inbound_id, self.worker, steal=steal)
            if row is None:
                return outcome_of(s, inbound_id)
            raw, source = inbound.raw_of(s, row), row.source
        try:
            job = walk_job(inbound_id, raw, self.limits, source, self.senders)
            self._analyse(job, documents_to_analyse(self.store, job))
            return counted(job, commit_one(self.store, job, self.actor, self._analyse))
        except BaseException:
            # Not processed: handed back, so a rerun (or another worker) does it.
            with self.store.transaction() as s:
                inbound.release(s, [inbound_id])
            raise

    def process_unreadable(self, origin: str, data: bytes, code: str, detail: str) -> MessageOutcome:
        """Keep a source item that is not a readable e-mail (a damaged .msg):
        its bytes are stored and it shows in the queue and the export. One
        transaction: there is nothing to analyse, and a later worker must
        never try to read it as mail."""
        raw = RawMessage(origin, data)
        with self.store.transaction() as s:
            inbound_id, new = inbound.receive(s, raw, self.source)
            if not new:
                return outcome_of(s, inbound_id)
            # No headers to read: its bytes are its identity.
            job = MessageJob(inbound_id, raw, raw.sha256,
                             WalkResult(headers=MessageHeaders(), problems=[ExceptionInfo(code, detail)]))
            return commit_job(s, job, self.actor)

    # ------------------------------------------------------------------

    def _analyse(self, job: MessageJob, indexes: list[int]) -> None:
        """Slow work, outside any transaction."""
        for i in indexes:
            with metrics.timed("analyse"):
                job.analyses[i] = self.analyser.analyse(job.result.documents[i], job.fallback_date)

