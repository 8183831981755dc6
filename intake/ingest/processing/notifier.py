"""The notification loop: find urgent reports without a notification,
send, record the outcome (intake/store/notifications.py), retry failures.

Runs as a thread beside the processor (ingest/processing/local_processor.py wakes it after
every commit, so a notification goes within seconds of the report being
stored) and once after each job on the job queue (ingest/processing/job_queue.py)."""

from __future__ import annotations

import logging
import threading

from intake import metrics
from intake.config.settings import ConfigError
from intake.store import notifications as outbox
from intake.triage.notify import SENDERS, Alert, NotifyConfig, SendError

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, store, cfg: NotifyConfig):
        self.store = store
        self.cfg = cfg
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one pass at a time (thread and a caller's run_once)

    @classmethod
    def from_settings(cls, store, settings) -> "Notifier | None":
        cfg = NotifyConfig.from_settings(settings)
        return cls(store, cfg) if cfg is not None else None

    def run_once(self) -> int:
        """One pass: queue what is new, send what is due. Returns how many
        were sent."""
        with self._lock:
            with self.store.transaction() as s:
                outbox.enqueue(s, self.cfg.channels, list(self.cfg.levels), self.cfg.max_age_minutes)
                due = outbox.due(s)
            sent = 0
            for n in due:
                alert = Alert(n.document_id, self.cfg.link(n.document_id), n.level, tuple(n.reasons), n.stored_at)
                try:
                    SENDERS[n.channel](self.cfg, alert)
                except (SendError, ConfigError) as exc:
                    # ConfigError's text names the variable or file, never the secret.
                    error = str(exc) if isinstance(exc, SendError) else f"config:{exc}"
                    with self.store.transaction() as s:
                        state = outbox.mark_failed(s, n.id, error, self.cfg.retry_seconds, self.cfg.max_attempts)
                    result = "failed" if state == "failed" else "retry"
                    metrics.notification_attempt(n.channel, result)
                    log.warning("notification %s (%s) for document %s: %s, %s", n.id, n.channel, n.document_id,
                                error, "no more attempts" if result == "failed" else "will retry")
                    continue
                with self.store.transaction() as s:
                    outbox.mark_sent(s, n.id)
                metrics.notification_attempt(n.channel, "sent")
                log.info("notification %s (%s) sent for document %s", n.id, n.channel, n.document_id)
                sent += 1
            return sent

    # -- as a thread ------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(self, poll_s: float = 5.0) -> "Notifier":
        def loop():
            while not self._stop.is_set():
                try:
                    self.run_once()
                except Exception as exc:  # noqa: BLE001 - a fault here must not stop processing
                    log.error("notification pass failed: %s", type(exc).__name__)
                self._wake.wait(poll_s)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="intake-notify", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
