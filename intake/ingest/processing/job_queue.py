"""Processing on PostgreSQL as procrastinate tasks, so `intake worker`
processes on any number of machines share the work, with retries and
visibility from an existing engine rather than a queue of our own.

Why procrastinate: it is a maintained job queue that lives in the same
PostgreSQL as the store (no broker to run and secure), claims jobs with
``FOR UPDATE SKIP LOCKED``, retries, records worker heartbeats (so a killed
worker's jobs can be found and retried), and can defer a job inside our own
transaction, so taking custody of a message and queueing its processing
commit together.

One task, ``process_inbound(inbound_id)``: claim the inbound row (stealing it
from a worker that died: procrastinate runs one job per lock at a time, and
a retried stalled job means its first worker is gone), walk, analyse (an
isolated worker process per thread), and commit the results with the row
marked done. A periodic task retries stalled jobs and queues any received
row that has no job (belt and braces: a job is deferred with the receipt).

The procrastinate tables live beside the store's in the same database;
`intake migrate` creates them (store/db.py), and so does the first worker on
a store that lacks them.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import make_url

from intake.store import inbound
from intake.store.db import Store

log = logging.getLogger(__name__)

QUEUE = "intake"
TASK = "intake.process_inbound"
_local = threading.local()
_apps: dict[str, object] = {}
_keks: dict[str, bytes | None] = {}  # store DSN -> its key-encryption key, if encrypted
_lock = threading.Lock()
_notifiers: dict[str, object] = {}  # store DSN -> its Notifier, or None when none is configured
URGENT_PRIORITY = 50


def uses_job_queue(store: Store, settings) -> bool:
    """PostgreSQL and [workers] engine = "procrastinate" (the default there)."""
    engine = settings.section("workers").get("engine", "auto") if settings is not None else "auto"
    return store.dialect == "postgresql" and engine in ("auto", "procrastinate")


def store_dsn(store: Store) -> str:
    """The store's own connection (password included): the job queue lives
    in the same database, whatever the settings' URL says."""
    return store.engine.url.render_as_string(hide_password=False)


def conninfo(dsn: str) -> str:
    return make_url(dsn).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(dsn: str, settings):
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(dsn)))

    @app.task(name=TASK, queue=QUEUE, pass_context=False,
              retry=procrastinate.RetryStrategy(max_attempts=5, wait=10))
    def process_inbound(inbound_id: int) -> None:
        _pipeline(dsn, settings).process_inbound(inbound_id, steal=True)
        _notify(dsn, settings)

    stalled_after = float(settings.section("workers").get("stalled_after_s", 30))

    # Ahead of the messages queued before it, or a backlog would delay the
    # rescue of a dead worker's message until the backlog is done.
    # cron with a sixth column, seconds: every 15 s
    @app.periodic(cron="* * * * * */15", periodic_id="intake-sweep", priority=100)
    @app.task(name="intake.sweep", queue=QUEUE, queueing_lock="intake.sweep", pass_context=True)
    async def sweep(context, timestamp) -> None:
        # A worker killed mid-job (kill -9, OOM, a lost machine) stops
        # sending heartbeats: its jobs are handed to the living.
        for job in await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
            await hand_back(context.app, job)
        from asgiref.sync import sync_to_async
        from procrastinate.exceptions import AlreadyEnqueued

        for i, lane in await sync_to_async(_waiting_ids, thread_sensitive=False)(dsn):
            try:
                await process_inbound.configure(lock=f"inbound:{i}", queueing_lock=f"inbound:{i}",
                                                priority=_priority(lane)).defer_async(inbound_id=i)
            except AlreadyEnqueued:
                pass
        # Failed sends come due again; urgent reports stored by a worker
        # whose own pass failed are picked up here.
        await sync_to_async(_notify, thread_sensitive=False)(dsn, settings)

    app.process_inbound = process_inbound
    return app


async def hand_back(app, job) -> None:
    """A dead worker's job back to the queue; when the message already has a
    newer job queued (queue_waiting deferred one: the queueing lock allows
    one waiting job per message), the dead one is closed as failed instead,
    which frees the message's lock for the newer job."""
    from procrastinate import jobs as pjobs
    from procrastinate.exceptions import UniqueViolation

    try:
        await app.job_manager.retry_job(job)
    except UniqueViolation:
        await app.job_manager.finish_job(job, status=pjobs.Status.FAILED, delete_job=False)


def app_for(store: Store, settings):
    dsn = store_dsn(store)
    with _lock:
        _keks[dsn] = store.kek
        app = _apps.get(dsn)
        if app is None:
            app = _apps[dsn] = make_app(dsn, settings)
        return app


def _store(dsn: str) -> Store:
    # The same key as the store the queue was made for: encrypted stores
    # open for the job's work as they did for the caller.
    return Store(dsn, upgrade=False, create=False, kek=_keks.get(dsn))


def _pipeline(dsn: str, settings):
    """One store and one pipeline (so one analysis worker process) per
    thread procrastinate runs sync tasks on."""
    pipe = getattr(_local, "pipeline", None)
    if pipe is None:
        from intake.ingest.processing.one_message import Pipeline

        pipe = _local.pipeline = Pipeline(_store(dsn), settings, actor="system:worker")
    return pipe


def ensure_schema(store: Store, settings) -> None:
    """The job queue's tables, created once (under an advisory lock, so two
    processes starting together do not race)."""
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('intake:procrastinate-schema'))"))
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
            return
        import procrastinate

        # Straight to psycopg, without parameters: the schema's SQL has "%"
        # signs a parameter-style execute would take for placeholders.
        conn.connection.driver_connection.execute(procrastinate.schema.SchemaManager.get_schema())
        log.info("job queue tables created")


def _priority(lane: int) -> int:
    """procrastinate runs higher priorities first: the urgent lane (the
    pre-screen read the message as urgent) ahead of the backlog,
    behind only the sweep that rescues a dead worker's jobs."""
    return URGENT_PRIORITY if lane else 0


def defer(session, store: Store, inbound_id: int, settings) -> None:
    """Queue the processing of a received message, in the caller's
    transaction (custody and queueing commit together)."""
    app = app_for(store, settings)
    raw = session.connection().connection.driver_connection
    app.process_inbound.configure(lock=f"inbound:{inbound_id}", queueing_lock=f"inbound:{inbound_id}",
                                  priority=_priority(inbound.lane_of_row(session, inbound_id)),
                                  connection=raw).defer(inbound_id=inbound_id)


def _notify(dsn: str, settings) -> None:
    """Send what is due (an urgent report just stored, a retry)."""
    with _lock:
        notifier = _notifiers.get(dsn, False)
        if notifier is False:
            from intake.ingest.processing.notifier import Notifier

            notifier = _notifiers[dsn] = Notifier.from_settings(_store(dsn), settings)
    if notifier is not None:
        try:
            notifier.run_once()
        except Exception as exc:  # noqa: BLE001 - the rows stay pending; the sweep tries again
            log.error("notification pass failed: %s", type(exc).__name__)


def _waiting_ids(dsn: str) -> list[tuple[int, int]]:
    store = _store(dsn)
    try:
        with store.session() as s:
            return inbound.pending_with_lane(s, limit=100_000)
    finally:
        store.close()


def queue_waiting(store: Store, settings) -> int:
    """Defer a job for every received message that has none (after a crash
    between receipt and queueing, or messages received before the queue)."""
    from procrastinate.exceptions import AlreadyEnqueued

    n = 0
    with store.transaction() as s:
        for i in inbound.pending_ids(s, limit=100_000):
            try:
                with s.begin_nested():  # a refused defer must not abort the rest
                    defer(s, store, i, settings)
                n += 1
            except AlreadyEnqueued:
                pass
    return n


def run_worker(store: Store, settings, *, concurrency: int, wait: bool = True,
               install_signal_handlers: bool = True) -> None:
    """Process jobs until stopped (or, without ``wait``, until none is left)."""
    app = app_for(store, settings)
    sec = settings.section("workers")
    heartbeat = float(sec.get("heartbeat_s", 10))
    app.run_worker(queues=[QUEUE], concurrency=concurrency, wait=wait, name=inbound.worker_name("worker"),
                   install_signal_handlers=install_signal_handlers, delete_jobs="successful",
                   update_heartbeat_interval=heartbeat,
                   stalled_worker_timeout=float(sec.get("stalled_after_s", 30)))


class JobQueueProcessor:
    """What replay and `poll --once` use on PostgreSQL in place of the
    local processor: make sure every waiting message has a job, run a worker
    in this process until the queue is empty (workers on other machines
    share the same jobs), and tell what became of the messages."""

    def __init__(self, store: Store, settings, *, workers: int = 1, actor: str = "system:replay", on_done=None):
        self.store = store
        self.settings = settings
        self.workers = max(1, workers)
        self.wake = threading.Event()

    def run(self, stop=None, *, follow: bool = False):
        from intake.ingest.processing.local_processor import ProcessSummary

        with self.store.session() as s:
            waiting = inbound.unfinished_ids(s)
        summary = ProcessSummary()
        if not waiting:
            return summary
        ensure_schema(self.store, self.settings)
        queue_waiting(self.store, self.settings)
        run_worker(self.store, self.settings, concurrency=self.workers, wait=False, install_signal_handlers=False)
        with self.store.session() as s:
            new, known, failed, docs = inbound.outcomes(s, waiting)
        summary.messages, summary.new, summary.known, summary.failed = new + known, new, known, failed
        summary.documents.update(docs)
        return summary

    def close(self) -> None:
        pass


def retry_stalled(store: Store, settings) -> int:
    """Hand back the jobs of workers that stopped sending heartbeats (what
    the periodic sweep does in a running worker), for a replay waiting on
    its messages when no other worker may be left to do it."""
    import asyncio

    app = app_for(store, settings)
    stalled_after = float(settings.section("workers").get("stalled_after_s", 30))

    async def retry() -> int:
        async with app.open_async():
            stalled = list(await app.job_manager.get_stalled_jobs(queue=QUEUE,
                                                                  seconds_since_heartbeat=stalled_after))
            for job in stalled:
                await hand_back(app, job)
            return len(stalled)
    return asyncio.run(retry())
