"""`intake daemon`, `intake poll --once`, `intake status`."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import datetime, timezone

from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_STORE_WRITE, EXIT_USAGE
from intake.exception_codes import STORE_FULL, STORE_READ_ONLY
from intake.ingest.inbox_config import load_inboxes, select_inboxes
from intake.store.db import open_store

log = logging.getLogger(__name__)


def _workers_option(p) -> None:
    p.add_argument("--workers", type=int, metavar="N",
                   help="analysis worker processes (default: [workers] processes, 0 = one per core)")


def register(sub, common) -> None:
    p = sub.add_parser("daemon", parents=[common],
                       help="run in the foreground, polling every [[inbox]] (for systemd)")
    _workers_option(p)
    p.set_defaults(func=cmd_daemon, uses=("store", "inbox"))

    p = sub.add_parser("worker", parents=[common],
                       help="process received mail until stopped: job-queue worker on PostgreSQL (run one on any "
                            "number of machines), the local processor on SQLite")
    _workers_option(p)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("poll", parents=[common], help="one pass over the inboxes, then exit (for cron and tests)")
    p.add_argument("--once", action="store_true", default=True,
                   help="one pass and exit (the only mode; the daemon is `intake daemon`)")
    p.add_argument("--inbox", metavar="NAME", help="only this inbox")
    _workers_option(p)
    p.set_defaults(func=cmd_poll, uses=("store", "inbox"))

    p = sub.add_parser("status", parents=[common],
                       help="per inbox: last pass, last error, messages handled, open exceptions; "
                            "exit 1 if an inbox has been failing too long")
    p.add_argument("--inbox", metavar="NAME", help="only this inbox")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--max-failing", metavar="SECONDS", type=int,
                   help="unhealthy when failing longer than this (default: each inbox's unhealthy_after_s)")
    p.add_argument("--max-silence", metavar="SECONDS", type=int,
                   help="also unhealthy when no pass was attempted for this long (catches a stopped daemon)")
    p.set_defaults(func=cmd_status)


def cmd_daemon(args, settings) -> int:
    from intake.ingest.daemon import Daemon

    inboxes = load_inboxes(settings)
    if not inboxes:
        print("intake daemon: no [[inbox]] configured; nothing to do", file=sys.stderr)
        return EXIT_USAGE
    with open_store(settings) as store:
        return Daemon(inboxes, store, settings, processor_factory=_processors(args)).run_forever()


def cmd_worker(args, settings) -> int:
    from intake.ingest.daemon import install_signal_handlers
    from intake.ingest.processing import job_queue
    from intake.ingest.processing.local_processor import LocalProcessor, worker_count

    n = worker_count(settings, args.workers)
    with open_store(settings) as store:
        if job_queue.uses_job_queue(store, settings):
            job_queue.ensure_schema(store, settings)
            job_queue.queue_waiting(store, settings)
            log.info("job-queue worker started: %d at once", n)
            # procrastinate stops on SIGTERM/SIGINT after the jobs in hand.
            job_queue.run_worker(store, settings, concurrency=n, wait=True)
        else:
            stop = threading.Event()
            install_signal_handlers(stop)
            log.info("local processor started: %d worker process(es)", n)
            LocalProcessor(store, settings, workers=n, actor="system:worker").run(stop, follow=True)
    return EXIT_OK


def _processors(args):
    """A factory of processors with the command's --workers."""
    from intake.ingest.processing.local_processor import worker_count
    from intake.ingest.processing.processor_choice import make_processor

    def make(store, settings, cfg=None):
        actor = f"system:imap:{cfg.name}" if cfg is not None else "system:daemon"
        return make_processor(store, settings, workers=worker_count(settings, args.workers), actor=actor)

    return make


def cmd_poll(args, settings) -> int:
    from intake.ingest.daemon import install_signal_handlers
    from intake.ingest.imap.inbox_runner import InboxRunner

    inboxes = select_inboxes(load_inboxes(settings), args.inbox)
    if not inboxes:
        print("intake poll: no [[inbox]] configured; nothing to do", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    install_signal_handlers(stop)
    rc = EXIT_OK
    with open_store(settings) as store:
        for ib in inboxes:
            if stop.is_set():
                break
            runner = InboxRunner(ib, store, settings, processor_factory=_processors(args), stop=stop)
            try:
                outcome = runner.run_pass(wait=True)
            finally:
                runner.close()
            r = outcome.result
            if not outcome.ran:
                print(f"{ib.name}: skipped, another process is polling it")
            elif outcome.error is not None:
                print(f"{ib.name}: FAILED {outcome.error.code}: {outcome.error.detail}", file=sys.stderr)
                write_fault = outcome.error.code in (STORE_FULL, STORE_READ_ONLY)
                rc = EXIT_STORE_WRITE if write_fault or rc == EXIT_STORE_WRITE else EXIT_FAILED
            else:
                print(f"{ib.name}: {r.summary()}" + (" (stopped early)" if r.stopped else ""))
                if r.failed and rc == EXIT_OK:
                    rc = EXIT_FAILED
    return rc


def _processing_queue(store) -> dict:
    """Messages in custody: received (waiting), in progress (and on which
    worker), done, failed."""
    from intake.store import inbound

    with store.session() as s:
        q = inbound.state(s)
    return {"received": q.received, "processing": q.processing, "done": q.done, "failed": q.failed,
            "workers": q.workers or {}}


def _review_queue(store) -> dict:
    """Open items in the officers' queue, counted in the store: the number
    the review app shows, whatever source the documents came from."""
    from intake.exception_codes import CATALOGUE
    from intake.store.health import open_exceptions_by_code

    with store.session() as s:
        by_code = open_exceptions_by_code(s)
    queued = {c: n for c, n in by_code.items() if c not in CATALOGUE or CATALOGUE[c].queued}
    return {"open": sum(queued.values()),
            "blocking": sum(n for c, n in queued.items() if c in CATALOGUE and CATALOGUE[c].blocks),
            "by_code": dict(sorted(queued.items()))}


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def cmd_status(args, settings) -> int:
    from intake.store import inbox_status as status

    inboxes = select_inboxes(load_inboxes(settings), args.inbox)
    now = datetime.now(timezone.utc)
    rows, unhealthy = [], []
    with open_store(settings, write=False) as store:
        queue = _review_queue(store)
        work = _processing_queue(store)
        for ib in inboxes:
            rep = status.report(store, ib.name)
            limit = args.max_failing if args.max_failing is not None else ib.unhealthy_after_s
            failing_for = rep.failing_for(now)
            bad = failing_for is not None and failing_for > limit
            silent = args.max_silence is not None and (
                rep.last_attempt_at is None or (now - rep.last_attempt_at).total_seconds() > args.max_silence)
            bad = bad or silent
            if bad:
                unhealthy.append(ib.name)
            rows.append({
                "inbox": ib.name,
                "healthy": not bad,
                # Failing, not for long enough to be unhealthy: retrying.
                "state": "unhealthy" if bad else "reconnecting" if failing_for is not None else "ok",
                "silent": silent,
                "last_success": _iso(rep.last_success_at),
                "last_attempt": _iso(rep.last_attempt_at),
                "failing_since": _iso(rep.failing_since),
                "last_error": rep.last_error,
                "last_error_at": _iso(rep.last_error_at),
                "messages_handled": rep.messages_handled,
                "open_exceptions": rep.open_exceptions,
                "awaiting_after": rep.unacknowledged,
            })
    if args.json:
        print(json.dumps({"inboxes": rows, "unhealthy": unhealthy, "review_queue": queue,
                          "processing": work}, indent=2))
    else:
        print(f"processing: {work['received']} received and waiting, {work['processing']} in progress, "
              f"{work['done']} done, {work['failed']} failed")
        for who, n in sorted(work["workers"].items()):
            print(f"  in progress on {who}: {n}")
        if work["failed"]:
            print("  failed messages are kept; `intake reprocess --inbound-failed` retries them after a fix")
        print(f"review queue: {queue['open']} open item(s), {queue['blocking']} holding back a record "
              f"(the store's own count, all sources)")
        if not rows:
            print("no [[inbox]] configured")
        for r in rows:
            print(f"{r['inbox']}: {r['state'].upper()}"
                  + (" (no pass attempted recently: is the daemon running?)" if r["silent"] else ""))
            print(f"  last successful pass: {r['last_success'] or 'never'}")
            print(f"  last attempt:         {r['last_attempt'] or 'never'}")
            if r["failing_since"]:
                print(f"  failing since:        {r['failing_since']}")
            if r["last_error"]:
                print(f"  last error:           {r['last_error']} (at {r['last_error_at']})")
            print(f"  messages handled:     {r['messages_handled']}")
            print(f"  open exceptions:      {r['open_exceptions']}")
            if r["awaiting_after"]:
                print(f"  stored, awaiting `after`: {r['awaiting_after']}")
    return EXIT_FAILED if unhealthy else EXIT_OK
