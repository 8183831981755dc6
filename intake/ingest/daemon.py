"""`intake daemon`: one APScheduler job per inbox, IDLE watchers, signals,
and the processing of what the passes received.

Custody first: a pass only takes mail into the store and
acknowledges it, so a message APPENDed to a watched folder is in the store
within seconds however long the backlog. Processing runs beside the passes,
in one thread driving N analysis worker processes (ingest/processing/local_processor.py),
woken after every pass that received mail.

Jobs never overlap for one inbox (max_instances=1 plus the runner's own
lock, which the IDLE watcher shares) and missed runs coalesce into one. A
failed pass schedules a one-off retry after an exponential backoff, so an
hourly cron inbox is retried in seconds, not an hour; the regular job skips
while the backoff lasts. SIGTERM/SIGINT set a stop flag that every pass
checks between messages: the current message is finished and committed,
the connection logged out, and the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from intake.ingest.imap.idle import IdleWatcher
from intake.ingest.imap.inbox_runner import InboxRunner
from intake.ingest.inbox_config import InboxConfig
from intake.logs import log_fault
from intake.store.db import Store

log = logging.getLogger(__name__)


class Daemon:
    def __init__(self, inboxes: list[InboxConfig], store: Store, settings=None,
                 processor_factory: Callable | None = None, stop: threading.Event | None = None):
        self.inboxes = inboxes
        self.store = store
        self.stop = stop or threading.Event()
        self.runners = {
            ib.name: InboxRunner(ib, store, settings, stop=self.stop, process=False) for ib in inboxes
        }
        self.processor = (processor_factory or _default_processor)(store, settings)
        self._processing = threading.Thread(target=self._process, name="intake-processing", daemon=True)
        for name, runner in self.runners.items():
            runner.on_retry = lambda delay, name=name: self._schedule_retry(name, delay)
        self.watchers: dict[str, IdleWatcher] = {}
        self.settings = settings
        self.metrics_server = None
        self.scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            executors={"default": ThreadPoolExecutor(max(2, 2 * len(inboxes)))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def _job(self, name: str, retry: bool = False) -> None:
        runner = self.runners[name]
        if self.stop.is_set() or (not retry and runner.in_backoff()):
            return
        runner.run_pass(wait=False)

    def _process(self) -> None:
        """Work through received mail until stopped; a store fault pauses
        processing (the passes carry on taking custody) and retries."""
        while not self.stop.is_set():
            try:
                self.processor.run(self.stop, follow=True)
            except Exception as exc:  # noqa: BLE001 - processing must come back, not die
                log_fault(log, "processing stopped; retrying in 30 s", exc)
                self.stop.wait(30)

    def _schedule_retry(self, name: str, delay: float) -> None:
        when = datetime.now(timezone.utc) + timedelta(seconds=delay)
        try:
            self.scheduler.add_job(self._job, "date", run_date=when, args=[name, True],
                                   id=f"{name}:retry", replace_existing=True)
        except Exception:  # noqa: BLE001 - scheduler shutting down; the next run retries
            pass

    def start(self) -> None:
        self._start_metrics()
        now = datetime.now(timezone.utc)
        for ib in self.inboxes:
            self.scheduler.add_job(self._job, ib.schedule.trigger(), args=[ib.name],
                                   id=ib.name, name=f"poll {ib.name}", next_run_time=now)
        self.scheduler.start()
        from intake.ingest.processing import job_queue

        if job_queue.uses_job_queue(self.store, self.settings):
            # PostgreSQL: the passes queue each message's processing as a
            # job; `intake worker` processes (here or on other machines) do it.
            log.info("processing runs in `intake worker` processes (job queue on PostgreSQL)")
        else:
            for runner in self.runners.values():
                runner.after_pass = self.processor.wake.set
            self._processing.start()
        for ib in self.inboxes:
            if ib.idle:
                w = IdleWatcher(self.runners[ib.name], self.stop)
                self.watchers[ib.name] = w
                w.start()
        log.info("daemon started: %d inbox(es): %s", len(self.inboxes),
                 ", ".join(f"{ib.name} [{ib.schedule.text}{', idle' if ib.idle else ''}]" for ib in self.inboxes))

    def shutdown(self) -> None:
        self.stop.set()
        # wait=True: let a running pass finish its current message and log out.
        self.scheduler.shutdown(wait=True)
        for w in self.watchers.values():
            w.join(timeout=60)
        self.processor.wake.set()
        if self._processing.is_alive():
            self._processing.join(timeout=120)
        for r in self.runners.values():
            r.close()
        if self.metrics_server is not None:
            self.metrics_server.close()
            self.metrics_server = None
        log.info("daemon stopped")

    def _start_metrics(self) -> None:
        cfg = self.settings.model.metrics if self.settings is not None else None
        if cfg is None or not cfg.port:
            return
        from intake.metrics import MetricsServer

        # A port in use is a start-up failure (OSError), reported in one line
        # by the CLI, before any inbox is polled.
        self.metrics_server = MetricsServer(self.store, cfg.host, cfg.port)

    def run_forever(self) -> int:
        install_signal_handlers(self.stop)
        self.start()
        try:
            while not self.stop.wait(1.0):
                pass
        finally:
            self.shutdown()
        return 0


def _default_processor(store: Store, settings):
    from intake.ingest.processing.local_processor import LocalProcessor, worker_count

    return LocalProcessor(store, settings, workers=worker_count(settings), actor="system:daemon")


def install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum, _frame):
        if not stop.is_set():
            log.info("received %s: finishing the current message, then stopping",
                     signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
