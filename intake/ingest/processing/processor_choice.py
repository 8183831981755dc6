"""Which processor works through received mail: the job queue on
PostgreSQL (ingest/processing/job_queue.py, shared by `intake worker` processes on any
number of machines), the local processor otherwise (ingest/processing/local_processor.py)."""

from __future__ import annotations

from intake.store.db import Store


def make_processor(store: Store, settings, *, workers: int, actor: str, on_done=None):
    from intake.ingest.processing import job_queue

    if settings is not None and job_queue.uses_job_queue(store, settings):
        return job_queue.JobQueueProcessor(store, settings, workers=workers, actor=actor)
    from intake.ingest.processing.local_processor import LocalProcessor

    return LocalProcessor(store, settings, workers=workers, actor=actor, on_done=on_done)


def queue_hook(store: Store, settings):
    """A ``(session, inbound_id)`` callback that queues the processing of a
    message in the transaction that takes custody of it, or None when no
    job queue is used."""
    from intake.ingest.processing import job_queue

    if settings is None or not job_queue.uses_job_queue(store, settings):
        return None
    job_queue.ensure_schema(store, settings)
    return lambda session, inbound_id: job_queue.defer(session, store, inbound_id, settings)
