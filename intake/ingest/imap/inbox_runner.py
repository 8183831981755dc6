"""A whole pass over one inbox: lock, connect, every folder, status, backoff.

Called by the scheduler, by the IDLE watcher and by `intake poll --once`.
In one process a threading lock keeps passes of the same inbox apart; across
processes InboxLock does.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from imapclient.exceptions import IMAPClientError
from sqlalchemy.exc import SQLAlchemyError

from intake import metrics
from intake.exception_codes import (
    IMAP_CONNECTION_LOST,
    IMAP_FOLDER_UNAVAILABLE,
    IMAP_PASS_CRASHED,
    PIPELINE_FAILED,
    STORE_UNAVAILABLE,
)
from intake.ingest.imap import after
from intake.ingest.imap.connection import session
from intake.ingest.imap.errors import ImapError, safe_reason
from intake.ingest.imap.folder_pass import PassResult, run_folder
from intake.ingest.imap.inbox_lock import InboxLock
from intake.ingest.inbox_config import InboxConfig
from intake.logs import fields, log_fault
from intake.store import inbox_status as status
from intake.store.db import Store, store_fault
from intake.types import IntakeError

# The first retry after a failure, before the configured backoff applies.
QUICK_RETRY_S = 1.5
# For this long into an outage IDLE reconnects every QUICK_RETRY_S (idle.py).
QUICK_WINDOW_S = 60.0

log = logging.getLogger(__name__)


@dataclass
class PassOutcome:
    ran: bool  # False: another pass of this inbox held the lock
    result: PassResult = field(default_factory=PassResult)
    error: IntakeError | None = None
    retry_in: float | None = None  # seconds, when the pass failed

    @property
    def ok(self) -> bool:
        return self.ran and self.error is None and not self.result.failed and not self.result.processing_failed


def default_processor_factory(store: Store, settings, cfg: InboxConfig):
    """What processes a pass's mail when the runner is asked to (`intake
    poll --once`): the local processor, on every core (heavy: spaCy, parsers
    load in its worker processes)."""
    from intake.ingest.processing.local_processor import worker_count
    from intake.ingest.processing.processor_choice import make_processor

    return make_processor(store, settings, workers=worker_count(settings), actor=f"system:imap:{cfg.name}")


class InboxRunner:
    def __init__(self, cfg: InboxConfig, store: Store, settings=None,
                 processor_factory: Callable | None = None, stop: threading.Event | None = None,
                 process: bool = True):
        self.cfg = cfg
        self.store = store
        self.settings = settings
        self.stop = stop or threading.Event()
        # Custody first: a pass only takes mail into the store and
        # acknowledges it. With ``process`` (poll --once, tests) the pass
        # then processes what is waiting; the daemon processes in a thread
        # of its own, so a backlog never delays receiving.
        self.process = process
        self._factory = processor_factory or default_processor_factory
        self._processor = None
        self._queue = False
        self._lock = threading.Lock()
        self.failures = 0
        self.next_attempt_at = 0.0  # time.monotonic()
        # Set by the daemon: schedules a retry after a failed pass, whoever
        # ran it (a scheduled job or the IDLE watcher); wakes processing.
        self.on_retry: Callable[[float], None] | None = None
        self.after_pass: Callable[[], None] | None = None

    @property
    def queue(self):
        """On PostgreSQL: queues each received message's processing in the
        transaction that takes custody of it (ingest/processing/processor_choice.py)."""
        if self._queue is False:
            from intake.ingest.processing.processor_choice import queue_hook

            self._queue = queue_hook(self.store, self.settings)
        return self._queue

    @property
    def processor(self):
        if self._processor is None:
            self._processor = self._factory(self.store, self.settings, self.cfg)
        return self._processor

    def close(self) -> None:
        """Stop the processor's worker processes, if any are running."""
        proc, self._processor = self._processor, None
        if proc is not None and hasattr(proc, "close"):
            proc.close()

    def backoff_delay(self) -> float:
        base = min(self.cfg.backoff_max_s, self.cfg.backoff_initial_s * 2 ** max(0, self.failures - 1))
        if self.failures <= 1:
            # Most failures are a blip (a server restart): the first retry
            # comes quickly, the backoff only after that.
            base = min(base, QUICK_RETRY_S)
        # Jitter so several daemons do not hammer a recovering server in step.
        return base * random.uniform(0.9, 1.1)

    def in_backoff(self) -> bool:
        return time.monotonic() < self.next_attempt_at

    def run_pass(self, wait: bool = False) -> PassOutcome:
        if not self._lock.acquire(blocking=wait):
            return PassOutcome(ran=False)
        try:
            lock = InboxLock(self.store, self.cfg.name)
            try:
                got = lock.acquire()
            except SQLAlchemyError as exc:
                return self._failed(IntakeError(STORE_UNAVAILABLE, f"the store cannot be reached ({type(exc).__name__})"),
                                    PassResult(), record=False)
            if not got:
                log.info("inbox %s: another process is polling it; skipped", self.cfg.name)
                metrics.PASSES.labels(self.cfg.name, "skipped").inc()
                return PassOutcome(ran=False)
            try:
                with metrics.timed("inbox_pass"):
                    outcome = self._run_locked()
                if outcome.ran:
                    metrics.PASSES.labels(self.cfg.name, "ok" if outcome.ok else "failed").inc()
                if self.after_pass is not None and outcome.result.received:
                    self.after_pass()
                return outcome
            finally:
                lock.release()
        finally:
            self._lock.release()

    def _run_locked(self) -> PassOutcome:
        cfg = self.cfg
        result = PassResult()
        if self.stop.is_set():
            return PassOutcome(ran=False)
        started = time.monotonic()
        try:
            status.record_attempt(self.store, cfg.name)
            folder_errors: list[ImapError] = []
            with session(cfg) as client:
                after.prepare(client, cfg)
                for folder in cfg.folders:
                    if self.stop.is_set():
                        result.stopped = True
                        break
                    try:
                        run_folder(client, cfg, folder, self.store, self.stop, result, self.queue)
                    except ImapError as exc:
                        if exc.code != IMAP_FOLDER_UNAVAILABLE:
                            raise
                        # One missing folder must not hold up the others.
                        folder_errors.append(exc)
                    if result.stopped:
                        break
            if self.process and not self.stop.is_set():
                done = self.processor.run(self.stop)
                result.new_messages, result.known = done.new, done.known
                result.processing_failed = done.failed
            if folder_errors:
                raise folder_errors[0]
        except ImapError as exc:
            return self._failed(exc, result)
        except (OSError, IMAPClientError) as exc:
            return self._failed(ImapError(
                IMAP_CONNECTION_LOST,
                f"inbox {cfg.name}: the connection to {cfg.host}:{cfg.port} failed during a pass "
                f"({safe_reason(exc)}); the pass will be retried",
            ), result)
        except SQLAlchemyError as exc:
            # A full disk or a read-only store is named as such: the operator's
            # fix differs from an unreachable server's.
            fault = store_fault(exc)
            if fault is not None and fault.write_fault:
                return self._failed(IntakeError(
                    fault.code, f"{fault.detail}; nothing uncommitted was acknowledged"), result, record=False)
            return self._failed(IntakeError(
                STORE_UNAVAILABLE, f"the store failed during a pass ({type(exc).__name__}); nothing was acknowledged"
            ), result, record=False)
        except Exception as exc:  # noqa: BLE001 - a bug must cost a retry, not the daemon
            log_fault(log, "inbox %s: pass crashed", exc, cfg.name)
            return self._failed(IntakeError(
                IMAP_PASS_CRASHED,
                f"inbox {cfg.name}: the pass stopped on an unexpected {type(exc).__name__}; "
                "nothing unstored was acknowledged; the log names where it failed",
            ), result)
        elapsed = time.monotonic() - started
        if result.processing_failed and not result.failed:
            err = IntakeError(
                PIPELINE_FAILED,
                f"{result.processing_failed} message(s) in the store's custody could not be processed (a fault "
                "in intake; the log names where); they are kept: `intake reprocess --inbound-failed` after the fix",
            )
            self._safe(status.record_failure, self.store, cfg.name, f"{err.code}: {err.detail}", result.handled)
            log.warning("inbox %s: pass done, processing failed for %d message(s)", cfg.name,
                        result.processing_failed)
            self.failures = 0
            return PassOutcome(ran=True, result=result, error=None)
        if result.failed:
            codes = sorted({code for _, _, code in result.failed})
            err = IntakeError(
                PIPELINE_FAILED,
                f"{len(result.failed)} message(s) could not be taken into the store ({', '.join(codes)}); "
                "they stay in the mailbox and are retried on every pass",
            )
            self._safe(status.record_failure, self.store, cfg.name, f"{err.code}: {err.detail}", result.handled)
            log.warning("inbox %s: pass done with failures in %.1fs: %s", cfg.name, elapsed, result.summary())
            self.failures = 0
            return PassOutcome(ran=True, result=result, error=None)
        self._safe(status.record_success, self.store, cfg.name, result.handled)
        if self.failures:
            log.info("inbox %s: recovered after %d failed attempt(s)", cfg.name, self.failures)
        self.failures = 0
        self.next_attempt_at = 0.0
        # An empty pass every minute per inbox would drown the log: DEBUG.
        busy = result.handled or result.acknowledged or result.vanished or result.stopped
        log.log(logging.INFO if busy else logging.DEBUG, "inbox %s: pass done in %.1fs: %s%s",
                cfg.name, elapsed, result.summary(), " (stopped early)" if result.stopped else "",
                extra=fields(inbox=cfg.name, seconds=round(elapsed, 3), handled=result.handled,
                             new=result.new_messages, known=result.known, acknowledged=result.acknowledged,
                             failed=len(result.failed)))
        return PassOutcome(ran=True, result=result)

    def _failed(self, err: IntakeError, result: PassResult, record: bool = True) -> PassOutcome:
        self.failures += 1
        delay = self.backoff_delay()
        self.next_attempt_at = time.monotonic() + delay
        if record:
            self._safe(status.record_failure, self.store, self.cfg.name, f"{err.code}: {err.detail}", result.handled)
        log.warning("inbox %s: pass failed (%s) after %d message(s): %s; retry in %.1fs",
                    self.cfg.name, err.code, result.handled, err.detail, delay,
                    extra=fields(inbox=self.cfg.name, code=err.code, handled=result.handled,
                                 retry_in=round(delay, 1)))
        if self.on_retry is not None and not self.stop.is_set():
            self.on_retry(delay)
        return PassOutcome(ran=True, result=result, error=err, retry_in=delay)

    @staticmethod
    def _safe(fn, *args) -> None:
        try:
            fn(*args)
        except SQLAlchemyError as exc:
            log.error("could not record inbox status (%s)", type(exc).__name__)
