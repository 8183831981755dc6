"""Prometheus metrics (prometheus_client). docs/operations.md lists them
with the alerts worth having.

Two kinds:

- counters and histograms of this process (messages received and processed
  per inbox, documents by status and exception code, time per stage,
  analysis-worker restarts, inbox passes): served by `intake daemon` on
  ``[metrics] port``;
- gauges read from the store at scrape time (documents by status, open queue
  items by code, queue depth, per inbox the last successful pass, failing
  or not, messages handled, stored-but-not-acknowledged): served by the
  daemon too, and written by `intake metrics --textfile PATH` for
  node_exporter's textfile collector, so they work without the daemon.

Labels hold only inbox names (config), statuses, exception codes (the
catalogue), stage names and reasons: never senders, subjects, file names or
any other content. A label value that is not one of ours becomes "other".
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from intake import __version__
from intake.exception_codes import CATALOGUE
from intake.files import write_atomically

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

STATUSES = ("parsed", "exception", "duplicate", "not_a_report")
STAGES = ("mime_walk", "analyse", "commit", "imap_fetch", "imap_after", "inbox_pass")
WORKER_RESTART_REASONS = ("timeout", "crash", "memory")

INFO = Gauge("intake_info", "intake's version (value always 1)", ["version"], registry=REGISTRY)
INFO.labels(__version__).set(1)
MESSAGES_RECEIVED = Counter(
    "intake_messages_received", "Messages fetched from an inbox by this process", ["inbox"], registry=REGISTRY)
MESSAGES_PROCESSED = Counter(
    "intake_messages_processed", "Messages from an inbox run through the pipeline by this process, by outcome "
    "(new, known = already stored, failed = left in the mailbox for the next pass)",
    ["inbox", "outcome"], registry=REGISTRY)
DOCUMENTS = Counter(
    "intake_documents_processed", "Documents stored by this process, by status and exception code",
    ["status", "code"], registry=REGISTRY)
STAGE_SECONDS = Histogram(
    "intake_stage_seconds", "Time per processing stage (analyse is per document, the others per message, "
    "imap_* per batch, inbox_pass per pass)", ["stage"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600))
PASSES = Counter(
    "intake_inbox_passes", "Inbox passes by result (ok, failed, skipped = another process held the inbox)",
    ["inbox", "result"], registry=REGISTRY)
NOTIFICATIONS = Counter(
    "intake_notifications", "Urgent-report notification attempts by channel (email, webhook) and result "
    "(sent, retry = failed and will be tried again, failed = no more attempts)",
    ["channel", "result"], registry=REGISTRY)
WORKER_RESTARTS = Counter(
    "intake_worker_restarts", "Analysis worker processes replaced, by reason (timeout, crash, memory)",
    ["reason"], registry=REGISTRY)


def _one_of(value: str | None, allowed) -> str:
    return value if value in allowed else "other"


def code_label(code: str | None) -> str:
    return "" if not code else _one_of(code, CATALOGUE)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(_one_of(stage, STAGES)).observe(time.perf_counter() - started)


def documents_stored(outcome) -> None:
    """Count the documents of a new message (pipeline.MessageOutcome)."""
    if not getattr(outcome, "new", False):
        return
    for d in outcome.documents:
        DOCUMENTS.labels(_one_of(d.status, STATUSES), code_label(d.exception_code)).inc()


def notification_attempt(channel: str, result: str) -> None:
    NOTIFICATIONS.labels(_one_of(channel, ("email", "webhook")), _one_of(result, ("sent", "retry", "failed"))).inc()


def worker_restarted(reason: str) -> None:
    WORKER_RESTARTS.labels(_one_of(reason, WORKER_RESTART_REASONS)).inc()


class StoreCollector:
    """Gauges read from the store at each scrape. A scrape never raises: a
    store that cannot be read gives intake_store_up 0."""

    def __init__(self, store):
        self.store = store

    def collect(self):
        from intake.store import health
        from intake.store import notifications as outbox

        up = GaugeMetricFamily("intake_store_up", "1 when the store could be read for this scrape")
        try:
            with self.store.session() as s:
                docs = health.documents_by_status(s)
                open_by_code = health.open_exceptions_by_code(s)
                inboxes = health.inboxes(s)
                notices = outbox.counts(s)
        except Exception as exc:  # noqa: BLE001 - monitoring must not take the daemon down
            log.warning("metrics: the store could not be read (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        g = GaugeMetricFamily("intake_documents", "Documents in the store by status", labels=["status"])
        for status in sorted(set(STATUSES) | set(docs)):
            g.add_metric([_one_of(status, STATUSES)], docs.get(status, 0))
        yield g
        g = GaugeMetricFamily("intake_open_exceptions", "Open exception items by code", labels=["code"])
        for code, n in sorted(open_by_code.items()):
            g.add_metric([code_label(code)], n)
        yield g
        queued = sum(n for code, n in open_by_code.items() if code in CATALOGUE and CATALOGUE[code].queued)
        g = GaugeMetricFamily("intake_review_queue_depth", "Open items in the officers' review queue")
        g.add_metric([], queued)
        yield g
        fams = {
            "last_success": GaugeMetricFamily("intake_inbox_last_success_timestamp_seconds",
                                              "When the last pass over the inbox succeeded", labels=["inbox"]),
            "last_attempt": GaugeMetricFamily("intake_inbox_last_attempt_timestamp_seconds",
                                              "When a pass over the inbox was last attempted", labels=["inbox"]),
            "failing": GaugeMetricFamily("intake_inbox_failing", "1 while the inbox's passes fail",
                                         labels=["inbox"]),
            "handled": GaugeMetricFamily("intake_inbox_messages_handled", "Messages handled from the inbox "
                                         "(all processes, since it was first polled)", labels=["inbox"]),
            "unacked": GaugeMetricFamily("intake_inbox_unacknowledged", "Messages stored but not yet "
                                         "moved or marked in the mailbox", labels=["inbox"]),
        }
        for ib in inboxes:
            if ib.last_success is not None:
                fams["last_success"].add_metric([ib.inbox], ib.last_success)
            if ib.last_attempt is not None:
                fams["last_attempt"].add_metric([ib.inbox], ib.last_attempt)
            fams["failing"].add_metric([ib.inbox], 1 if ib.failing else 0)
            fams["handled"].add_metric([ib.inbox], ib.messages_handled)
            fams["unacked"].add_metric([ib.inbox], ib.unacknowledged)
        yield from fams.values()
        g = GaugeMetricFamily("intake_notifications_by_state", "Urgent-report notifications in the store by "
                              "state (pending, sent, failed = gave up: follow up by hand)", labels=["state"])
        for st in ("pending", "sent", "failed"):
            g.add_metric([st], notices.get(st, 0))
        yield g


class _Process:
    """This process's counters, as one collector of a combined registry."""

    def collect(self):
        yield from REGISTRY.collect()


def registry_for(store, with_process: bool = True) -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    if with_process:
        reg.register(_Process())
    if store is not None:
        reg.register(StoreCollector(store))
    return reg


def render(store, with_process: bool = True) -> bytes:
    return generate_latest(registry_for(store, with_process))


class MetricsServer:
    """/metrics over HTTP on a loopback address, in a daemon thread."""

    def __init__(self, store, host: str, port: int):
        from prometheus_client import start_http_server

        self.server, self.thread = start_http_server(port, addr=host, registry=registry_for(store))
        self.port = self.server.server_port
        log.info("metrics served on %s:%d/metrics", host, self.port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_textfile(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Renamed into place: node_exporter never reads half a file."""
    write_atomically(path, lambda fh: fh.write(data), mode=mode, binary=True)
