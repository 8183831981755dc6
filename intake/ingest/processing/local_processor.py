"""Processing messages the store has taken custody of (store/inbound.py).

One message's work, whoever runs it:

    claim → MIME walk → documents not yet stored → analysis (isolated
    worker process per document: time and memory limits) → one
    transaction: message, documents, records, dedup, mentions, resolution,
    and the inbound row marked done

``MessageJob`` holds a message between those steps; ``commit_job`` is the
transaction (both in ingest/processing/message_steps.py). Two drivers use them:

- ``LocalProcessor``: this machine, on every core. Documents are analysed
  by N long-lived worker processes in parallel while this process walks the
  next messages; results are committed in the order the messages were
  received (so dedup and entity resolution give what a one-at-a-time run
  gives), several messages per transaction. Used on the embedded SQLite
  store, and on PostgreSQL when no job queue is configured.
- ``job_queue.py``: procrastinate tasks on PostgreSQL, so `intake worker`
  processes on any number of machines share the work.

Long on purpose: the processor, the pool of analysis workers it feeds and
the window of messages in flight share one lifecycle (start, drain, abort).
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import OperationalError

from intake import metrics
from intake.analysis.workers import make_analyser
from intake.exception_codes import PIPELINE_FAILED
from intake.ingest.mime_walk import MimeLimits
from intake.ingest.processing.commit_writer import Writer
from intake.ingest.processing.message_steps import (
    MessageJob,
    commit_job,
    commit_one,
    counted,
    documents_to_analyse,
    walk_job,
)
from intake.ingest.processing.notifier import Notifier
from intake.ingest.sender import SenderPolicies
from intake.logs import log_fault
from intake.store import inbound
from intake.store.db import Store
from intake.store.message_writes import (
    MessageOutcome,
)

log = logging.getLogger(__name__)


def worker_count(settings, override: int | None = None) -> int:
    """Analysis worker processes: ``--workers`` if given, else [workers]
    processes; 0 means one per core."""
    n = override if override is not None else int(settings.section("workers").get("processes", 0) or 0) \
        if settings is not None else 1
    return n if n > 0 else (os.cpu_count() or 1)


class AnalysisPool:
    """N threads, each owning one isolated analysis worker process
    (analysis/workers.py); a document goes to whichever is free."""

    def __init__(self, settings, workers: int):
        self.settings = settings
        self.size = max(1, workers)
        # (lane, sequence, item): an urgent report's documents are analysed
        # before the backlog's; in turn within a lane.
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._analysers: list = []
        self._threads = [threading.Thread(target=self._run, name=f"intake-analysis-{i}", daemon=True)
                         for i in range(self.size)]
        for t in self._threads:
            t.start()

    def submit(self, doc, fallback: date | None, urgent: bool = False) -> Future:
        fut: Future = Future()
        self._jobs.put((0 if urgent else 1, next(self._seq), (doc, fallback, fut)))
        return fut

    def _run(self) -> None:
        analyser = make_analyser(self.settings)
        with self._lock:
            self._analysers.append(analyser)
        try:
            while True:
                item = self._jobs.get()[2]
                if item is None:
                    return
                doc, fallback, fut = item
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    with metrics.timed("analyse"):
                        fut.set_result(analyser.analyse(doc, fallback))
                except BaseException as exc:  # the boundary in analyse.py makes this a bug
                    fut.set_exception(exc)
        finally:
            analyser.close()

    def close(self, abort: bool = False) -> None:
        """Finish (or with ``abort``, kill) the analyses in hand and stop."""
        # Documents nobody has started are dropped: their messages are
        # handed back to the queue by the caller.
        while True:
            try:
                item = self._jobs.get_nowait()[2]
            except queue.Empty:
                break
            if item is not None:
                item[2].cancel()
        if abort:
            with self._lock:
                for a in self._analysers:
                    getattr(a, "abort", lambda: None)()
        for _ in self._threads:
            self._jobs.put((2, next(self._seq), None))
        for t in self._threads:
            t.join(30)


# --------------------------------------------------------------------------
# the local processor
# --------------------------------------------------------------------------


@dataclass
class ProcessSummary:
    messages: int = 0
    new: int = 0
    known: int = 0
    failed: int = 0
    documents: Counter = field(default_factory=Counter)
    new_exceptions: int = 0

    def add(self, outcome: MessageOutcome) -> None:
        self.messages += 1
        if outcome.new:
            self.new += 1
            self.documents.update(d.status for d in outcome.documents)
        else:
            self.known += 1


class LocalProcessor:
    """Works through received messages on this machine (see the module
    docstring). ``run`` returns when the queue is empty (or, with
    ``follow``, when ``stop`` is set)."""

    def __init__(self, store: Store, settings, *, workers: int = 1, actor: str = "system:replay",
                 batch: int = 20, batch_seconds: float = 2.0, commit_budget_s: float = 0.25, on_done=None):
        self.store = store
        self.settings = settings
        self.actor = actor
        self.limits = MimeLimits.from_settings(settings)
        self.senders = SenderPolicies(settings)
        # In-process analysis (tests, debugging) shares one spaCy model:
        # one analysis at a time then.
        self.workers = 1 if os.environ.get("INTAKE_INLINE_ANALYSIS") == "1" else max(1, workers)
        self.window = 4 * self.workers + 2
        # While the oldest message waits on a slow analysis (a long scan),
        # results are committed in order, so the others wait too: the window
        # then grows (up to these bounds) so that no worker sits idle.
        self.max_window = 8 * self.window
        self.max_window_bytes = 256 * 1024 * 1024
        self.batch = batch
        self.batch_seconds = batch_seconds
        self.commit_budget_s = commit_budget_s
        self.on_done = on_done  # called with (inbound_id, outcome) after each commit
        self.worker = inbound.worker_name("local")
        self.wake = threading.Event()
        self._pool: AnalysisPool | None = None
        self.notifier = Notifier.from_settings(store, settings)
        # On SQLite one writer thread commits the finished messages, in
        # order, while this thread walks and hands out the next ones: the
        # commit (the store's one writer) then overlaps the analysis instead
        # of pausing the feed of documents to the workers. On PostgreSQL
        # the commits stay in this thread (row locks, no single writer; the
        # job queue commits per job).
        self.background_commit = store.engine.dialect.name == "sqlite"
        self._lock = threading.Lock()  # in_flight and the summary, shared with the writer

    # -- analysis ---------------------------------------------------------

    def _pool_(self) -> AnalysisPool:
        if self._pool is None:
            self._pool = AnalysisPool(self.settings, self.workers)
        return self._pool

    def _submit(self, job: MessageJob, indexes: list[int], in_flight: dict[str, Future],
                urgent: bool = False) -> None:
        for i in indexes:
            doc = job.result.documents[i]
            fut = in_flight.get(doc.sha256)
            if fut is None:
                fut = self._pool_().submit(doc, job.fallback_date, urgent)
                in_flight[doc.sha256] = fut
            job.pending[i] = fut

    def _analyse_now(self, job: MessageJob, indexes: list[int]) -> None:
        futures = {i: self._pool_().submit(job.result.documents[i], job.fallback_date) for i in indexes}
        for i, f in futures.items():
            job.analyses[i] = f.result()

    # -- the loop ---------------------------------------------------------

    def run(self, stop: threading.Event | None = None, *, follow: bool = False) -> ProcessSummary:
        stop = stop or threading.Event()
        summary = ProcessSummary()
        with self.store.transaction() as s:
            inbound.release_stale(s)
        jobs: deque[MessageJob] = deque()
        in_flight: dict[str, Future] = {}
        if self.notifier is not None:
            self.notifier.start()
        writer = (Writer(lambda batch: self._committed(batch, summary, in_flight))
                  if self.background_commit else None)
        try:
            while True:
                if writer is not None:
                    writer.check()
                if not stop.is_set():
                    self._fill(jobs, in_flight, summary)
                if not jobs:
                    if stop.is_set() or not follow:
                        break
                    self.wake.wait(2.0)
                    self.wake.clear()
                    continue
                ready = self._ready(jobs, stop, lambda: self._top_up(jobs, in_flight, summary))
                if ready:
                    if writer is not None:
                        for job in ready:
                            job.collect()
                        writer.put(ready)
                    else:
                        self._committed(ready, summary, in_flight)
                elif stop.is_set():
                    break
        finally:
            try:
                if writer is not None:
                    # What was handed to the writer is analysed: committed
                    # before returning, even on a stop.
                    writer.close()
            finally:
                if writer is not None:
                    jobs.extend(j for batch in writer.unfinished for j in batch)
                self._wind_down(jobs, stop)
        return summary

    def _wind_down(self, jobs: deque, stop: threading.Event) -> None:
        """Messages not analysed yet go back to the queue; workers and the
        notifier stop."""
        left = [j.inbound_id for j in jobs]
        if left:
            with self.store.transaction() as s:
                inbound.release(s, left)
        if self._pool is not None:
            self._pool.close(abort=stop.is_set())
            self._pool = None
        if self.notifier is not None:
            self.notifier.stop()
            self._notify_last()

    def _committed(self, ready: list[MessageJob], summary: ProcessSummary, in_flight: dict) -> None:
        """Commit ``ready`` (in order) and forget their analyses in flight."""
        self._commit(ready, summary)
        if self.notifier is not None:
            self.notifier.wake()  # an urgent report notifies within seconds of its commit
        with self._lock:
            for j in ready:
                for d in j.result.documents:
                    f = in_flight.get(d.sha256)
                    if f is not None and f.done():
                        in_flight.pop(d.sha256, None)

    def _notify_last(self) -> None:
        """A last pass before returning (a replay ends; the daemon stops):
        what was stored urgent is sent now, not at the next start."""
        try:
            self.notifier.run_once()
        except Exception as exc:  # noqa: BLE001 - pending rows stay and are sent next time
            log.error("notification pass failed: %s", type(exc).__name__)

    def _fill(self, jobs: deque, in_flight: dict, summary: ProcessSummary, want: int | None = None) -> None:
        want = self.window - len(jobs) if want is None else want
        if want <= 0:
            return
        self.store.priority.wait_turn()
        with self.store.transaction() as s:
            rows = inbound.claim_next(s, self.worker, want)
            raws = [(r.id, raw, r.source, bool(r.lane)) for r, raw in zip(rows, inbound.raws_of(s, rows))]
        for row_id, raw, source, urgent in raws:
            try:
                job = walk_job(row_id, raw, self.limits, source, self.senders)
                with self._lock:
                    flying = set(in_flight)
                todo = documents_to_analyse(self.store, job, flying)
                with self._lock:
                    self._submit(job, todo, in_flight, urgent)
            except OperationalError:
                raise
            except Exception as exc:  # a fault in intake: the message is kept, visibly failed
                self._failed(row_id, exc, summary)
                continue
            # The urgent lane commits first too, not behind the window's
            # backlog (commit order only matters among reports of a lane).
            if urgent:
                jobs.appendleft(job)
            else:
                jobs.append(job)

    def _top_up(self, jobs: deque, in_flight: dict, summary: ProcessSummary) -> None:
        """More messages for idle workers while the oldest one holds up the
        commits, within the window's bounds."""
        if len(jobs) >= self.max_window or sum(len(j.raw.data) for j in jobs) >= self.max_window_bytes:
            return
        running = {id(f) for j in jobs for f in j.pending.values() if not f.done()}
        if len(running) < self.workers:
            self._fill(jobs, in_flight, summary, want=self.workers - len(running))

    def _ready(self, jobs: deque, stop: threading.Event, top_up=None) -> list[MessageJob]:
        """The oldest jobs whose analyses are all in, up to a batch; waits a
        little for the oldest when none is (feeding idle workers meanwhile)."""
        deadline = time.monotonic() + self.batch_seconds
        while not jobs[0].ready() and time.monotonic() < deadline and not stop.is_set():
            if top_up is not None:
                top_up()
            # Only those still running: wait() returns at once while any
            # future given is done, and a message with one analysis in and
            # one out would spin a core (and the GIL) until the second ends.
            running = [f for f in jobs[0].pending.values() if not f.done()]
            wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
        out = []
        while jobs and jobs[0].ready() and len(out) < self.batch:
            out.append(jobs.popleft())
        return out

    def _commit(self, ready: list[MessageJob], summary: ProcessSummary) -> None:
        for job in ready:
            job.collect()
        left = list(ready)
        while left:
            done, outcomes = self._commit_some(left, summary)
            for job, outcome in zip(left[:done], outcomes):
                if outcome is None:
                    continue
                counted(job, outcome)
                with self._lock:
                    summary.add(outcome)
                if self.on_done is not None:
                    self.on_done(job.inbound_id, outcome)
            left = left[done:]

    def _commit_some(self, jobs: list[MessageJob], summary: ProcessSummary) -> tuple[int, list]:
        """Several messages per transaction (the store is not the
        bottleneck), but a transaction ends once it has held the store for
        ``commit_budget_s``: on SQLite it holds the only write lock, and
        custody of new mail must not wait behind a long batch."""
        self.store.priority.wait_turn()
        outcomes: list = []
        try:
            with metrics.timed("commit"), self.store.transaction() as s:
                t0 = time.monotonic()
                for job in jobs:
                    outcomes.append(commit_job(s, job, self.actor))
                    if time.monotonic() - t0 > self.commit_budget_s:
                        break
            return len(outcomes), outcomes
        except OperationalError:
            raise
        except Exception:
            # One of them needs more (a race, a vanished copy, a fault): each
            # on its own, so one message's trouble costs only that message.
            n = len(outcomes) + 1
            outcomes = []
            for job in jobs[:n]:
                try:
                    outcomes.append(commit_one(self.store, job, self.actor, self._analyse_now))
                except OperationalError:
                    raise
                except Exception as exc:
                    self._failed(job.inbound_id, exc, summary)
                    outcomes.append(None)
            return n, outcomes

    def _failed(self, inbound_id: int, exc: BaseException, summary: ProcessSummary) -> None:
        log_fault(log, "processing failed on inbound message %s", exc, inbound_id)
        with self.store.transaction() as s:
            inbound.fail(s, inbound_id, f"{PIPELINE_FAILED}:{type(exc).__name__}")
        with self._lock:
            summary.failed += 1

