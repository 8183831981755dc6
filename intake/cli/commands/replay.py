"""`intake replay PATH... [--workers N]`: archived mailboxes through the
pipeline, custody first.

First every message is taken into custody (store/inbound.py: raw bytes and
an inbound row, committed in batches: the replay's checkpoint); then the
received messages are processed on N worker processes
(ingest/processing/local_processor.py). Ctrl-C stops cleanly: what was committed stays, what
was in flight is handed back, and a rerun reads the archive again (adding
nothing it already holds) and processes what is left."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from intake.analysis.workers import close_prestarted, prestart
from intake.cli.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from intake.exception_codes import UNREADABLE_MESSAGE
from intake.ingest.processing import job_queue
from intake.ingest.processing.local_processor import worker_count
from intake.ingest.processing.one_message import Pipeline
from intake.ingest.processing.processor_choice import make_processor, queue_hook
from intake.ingest.sources.detect import ArchiveError, UnreadableFile, is_stream, iter_archive
from intake.store import inbound
from intake.store.db import open_store

# Custody is committed in batches: this many messages or this many seconds.
RECEIVE_BATCH = 200
RECEIVE_SECONDS = 2.0
# How often a replay on the job queue looks whether its messages are done.
WAIT_POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


def register(sub, common) -> None:
    p = sub.add_parser(
        "replay",
        parents=[common],
        help="replay mbox files, Maildir folders, .eml and .msg files through the pipeline",
        description="Read archived mailboxes (detected by content: mbox, Maildir, .eml, "
        "folders of them, Outlook .msg) and process every message. Idempotent: "
        "replaying the same archive again adds nothing.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar (default: when stderr is a terminal)")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    p.add_argument("--no-wait", dest="wait", action="store_false",
                   help="PostgreSQL with the job queue: return once the messages are queued, saying how "
                        "many are pending, rather than waiting for workers to finish them")
    p.add_argument("--workers", type=int, metavar="N", default=None,
                   help="analysis worker processes (default: [workers] processes, 0 = one per core)")
    p.add_argument("--inline", action="store_true",
                   help="analyse documents in this process (no worker isolation; debugging)")
    p.set_defaults(func=run)


class Summary:
    """What this run did: counts cover the messages this run read, and add
    up (read = new + already known + failed + not processed yet), also
    after an interrupted run and with other processes at work on the same
    store; never what earlier runs stored (a second replay of the same
    archive adds and stores nothing, and says so)."""

    def __init__(self) -> None:
        self.read = 0
        self.new = 0
        self.known = 0
        self.docs: Counter[str] = Counter()
        self.unreadable: list[str] = []  # stored now as unreadable_message
        self.unreadable_known = 0  # unreadable, and stored by an earlier run
        self.skipped: list[str] = []
        self.mine: set[int] = set()  # inbound rows of the messages this run read
        self.failed = 0  # processing failed (a fault in intake): kept, shown by `intake status`
        self.pending = 0  # read, not processed yet (interrupted, or another process at work)
        self.earlier: Counter[str] = Counter()  # rows an earlier run left, finished now: new/known
        self.started = datetime.now(timezone.utc)

    def add(self, outcome) -> None:
        if outcome.new:
            self.new += 1
            self.docs.update(d.status for d in outcome.documents)
        else:
            self.known += 1

    def done(self, inbound_id: int, outcome) -> None:
        """A message processed by this run (the local processor says which)."""
        if inbound_id not in self.mine:
            self.earlier["new" if outcome.new else "known"] += 1

    def settle(self, store) -> None:
        """The outcome of every message read, from the store."""
        with store.session() as s:
            out = inbound.run_outcome(s, self.mine, self.started)
        self.new += out.new
        self.known += out.known
        self.failed += out.failed
        self.pending += out.pending
        self.docs.update(out.documents or {})

    def lines(self) -> list[str]:
        d = self.docs
        first = f"messages read: {self.read}  new: {self.new}  already known: {self.known}"
        if self.failed:
            first += f"  failed: {self.failed}"
        if self.pending:
            first += f"  not processed yet: {self.pending}"
        out = [
            first,
            f"documents parsed: {d['parsed']}  exceptions: {d['exception']}  "
            f"duplicates: {d['duplicate']}  not a report: {d['not_a_report']}",
        ]
        if self.earlier:
            out.append(f"left by an earlier run and finished now: {sum(self.earlier.values())} "
                       f"(new: {self.earlier['new']})")
        if self.unreadable:
            out.append(f"unreadable items stored as exceptions: {len(self.unreadable)}")
        if self.unreadable_known:
            out.append(f"unreadable items already stored: {self.unreadable_known}")
        if self.skipped:
            out.append(f"files skipped (not mail): {len(self.skipped)}")
        if self.failed:
            out.append(f"messages whose processing failed (kept; see `intake status`): {self.failed}")
        if self.pending:
            out.append(f"messages not processed yet: {self.pending} (another process is at work on them, "
                       "or a rerun finishes them)")
        return out


def run(args, settings) -> int:
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for p in missing:
            print(f"intake replay: {p}: no such file or folder", file=sys.stderr)
        return EXIT_USAGE
    if args.workers is not None and args.workers < 0:
        print("intake replay: --workers takes a number of processes (0 = one per core)", file=sys.stderr)
        return EXIT_USAGE
    if args.inline:
        os.environ["INTAKE_INLINE_ANALYSIS"] = "1"
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    stop = threading.Event()
    previous = _on_interrupt(stop)
    summary = Summary()
    failed = False
    try:
        with open_store(settings) as store:
            workers = worker_count(settings, args.workers)
            queued = job_queue.uses_job_queue(store, settings)
            if not queued:
                # The workers load their model while the archive is read.
                prestart(settings, workers)
            failed = _receive_all(store, settings, paths, summary, show, stop)
            if queued and not args.wait:
                print(f"intake replay: --no-wait: {_pending(store, summary)} message(s) queued and pending for "
                      "the workers; `intake status` shows the queue", file=sys.stderr)
            elif not stop.is_set():
                _process_all(store, settings, workers, summary, show, stop)
                if queued and not stop.is_set():
                    _wait_for_jobs(store, settings, workers, summary, show, stop)
            summary.settle(store)
    finally:
        close_prestarted()
        signal.signal(signal.SIGINT, previous)
    for line in summary.lines():
        print(line)
    for p in summary.skipped:
        print(f"  skipped: {p}", file=sys.stderr)
    if stop.is_set():
        print("intake replay: interrupted; what was stored stays, and a rerun carries on", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED if failed else EXIT_OK


def _on_interrupt(stop: threading.Event):
    """Ctrl-C once: stop cleanly (commit what is ready, hand the rest back).
    Twice: stop now."""
    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nintake replay: stopping (Ctrl-C again to stop at once)", file=sys.stderr)

    if threading.current_thread() is not threading.main_thread():
        return signal.getsignal(signal.SIGINT)
    return signal.signal(signal.SIGINT, handler)


def _bar(show: bool, desc: str, total: int | None = None, unit: str = "msg"):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True)


def _receive_all(store, settings, paths, summary: Summary, show: bool, stop: threading.Event) -> bool:
    """Custody of every message of every archive; True if one could not be read."""
    failed = False
    queue = queue_hook(store, settings)
    with Pipeline(store, settings, actor="system:replay", source="replay") as pipe:
        for path in paths:
            if stop.is_set():
                break
            if is_stream(path):
                # Opening a pipe waits for its writer: never silently.
                print(f"intake replay: {path}: a pipe; reading it as a stream "
                      "(waiting for a writer if none is connected)", file=sys.stderr)
            bar = _bar(show, f"reading {path.name or path}")
            batch: list = []
            last = time.monotonic()
            try:
                for item in iter_archive(path):
                    if isinstance(item, UnreadableFile):
                        _unreadable(pipe, item, summary)
                        continue
                    batch.append(item)
                    summary.read += 1
                    if bar is not None:
                        bar.update(1)
                    if len(batch) >= RECEIVE_BATCH or time.monotonic() - last > RECEIVE_SECONDS:
                        _take(store, batch, summary, queue)
                        batch, last = [], time.monotonic()
                    if stop.is_set():
                        break
            except ArchiveError as exc:
                print(f"intake replay: {exc}", file=sys.stderr)
                failed = True
            finally:
                _take(store, batch, summary, queue)
                if bar is not None:
                    bar.close()
    return failed


def _take(store, raws, summary: Summary, queue) -> None:
    """Custody of a batch, committed together: the replay's checkpoint."""
    if not raws:
        return
    with store.transaction() as s:
        for inbound_id, new in inbound.receive_many(s, raws, "replay"):
            summary.mine.add(inbound_id)
            if new and queue is not None:
                queue(s, inbound_id)


def _process_all(store, settings, workers: int, summary: Summary, show: bool, stop: threading.Event) -> None:
    with store.session() as s:
        waiting = inbound.state(s).waiting
    bar = _bar(show, f"processing ({workers} worker{'s' if workers != 1 else ''})", total=waiting)

    def done(inbound_id, outcome):
        summary.done(inbound_id, outcome)
        if bar is not None:
            bar.update(1)

    try:
        processor = make_processor(store, settings, workers=workers, actor="system:replay", on_done=done)
        processor.run(stop)
    finally:
        if bar is not None:
            bar.close()


def _pending(store, summary: Summary) -> int:
    with store.session() as s:
        return inbound.run_outcome(s, summary.mine, summary.started).pending


def _wait_for_jobs(store, settings, workers: int, summary: Summary, show: bool, stop: threading.Event) -> None:
    """On the job queue, other workers hold some of this run's messages:
    wait until every one is done (or failed), so `replay; export` exports
    them all. A job whose worker died is handed back and run here."""
    pending = _pending(store, summary)
    if not pending:
        return
    bar = _bar(show, "waiting for workers", total=pending)
    try:
        while pending and not stop.is_set():
            stop.wait(WAIT_POLL_SECONDS)
            job_queue.retry_stalled(store, settings)
            job_queue.queue_waiting(store, settings)
            job_queue.run_worker(store, settings, concurrency=max(1, workers), wait=False,
                            install_signal_handlers=False)
            now = _pending(store, summary)
            if bar is not None:
                bar.update(pending - now)
            pending = now
    finally:
        if bar is not None:
            bar.close()


def _unreadable(pipe: Pipeline, item: UnreadableFile, summary: Summary) -> None:
    path = item.path
    if path.is_file() and path.suffix.lower() in (".msg", ".eml", ".mbox"):
        # Meant to be mail but damaged: keep it so it reaches a person.
        outcome = pipe.process_unreadable(
            f"{path.suffix.lower().lstrip('.')}:{path.resolve()}", path.read_bytes(),
            UNREADABLE_MESSAGE,
            f"The archive file could not be read as e-mail ({item.reason}). "
            "Open it in a mail client or ask the sender to resend.",
        )
        summary.read += 1
        summary.add(outcome)
        if outcome.new:
            summary.unreadable.append(str(path))
        else:
            summary.unreadable_known += 1
    else:
        summary.skipped.append(f"{path} ({item.reason})")
