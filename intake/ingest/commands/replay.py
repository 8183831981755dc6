"""`intake replay PATH...`: run archived mailboxes through the pipeline."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from pathlib import Path

from intake.exception_codes import UNREADABLE_MESSAGE
from intake.ingest.pipeline import Pipeline
from intake.ingest.sources.detect import ArchiveError, UnreadableFile, is_stream, iter_archive
from intake.store.db import open_store

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
    p.add_argument("--inline", action="store_true",
                   help="analyse documents in this process (no worker isolation; debugging)")
    p.set_defaults(func=run)


class Summary:
    """What this run did: counts cover items stored now, never what earlier
    runs stored (a second replay of the same archive adds and stores
    nothing, and says so)."""

    def __init__(self) -> None:
        self.read = 0
        self.new = 0
        self.known = 0
        self.docs: Counter[str] = Counter()
        self.unreadable: list[str] = []  # stored now as unreadable_message
        self.unreadable_known = 0  # unreadable, and stored by an earlier run
        self.skipped: list[str] = []

    def add(self, outcome) -> None:
        self.read += 1
        if outcome.new:
            self.new += 1
            self.docs.update(d.status for d in outcome.documents)
        else:
            self.known += 1

    def lines(self) -> list[str]:
        d = self.docs
        out = [
            f"messages read: {self.read}  new: {self.new}  already known: {self.known}",
            f"documents parsed: {d['parsed']}  exceptions: {d['exception']}  "
            f"duplicates: {d['duplicate']}  not a report: {d['not_a_report']}",
        ]
        if self.unreadable:
            out.append(f"unreadable items stored as exceptions: {len(self.unreadable)}")
        if self.unreadable_known:
            out.append(f"unreadable items already stored: {self.unreadable_known}")
        if self.skipped:
            out.append(f"files skipped (not mail): {len(self.skipped)}")
        return out


def run(args, settings) -> int:
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for p in missing:
            print(f"intake replay: {p}: no such file or folder", file=sys.stderr)
        return 2
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    store = open_store(settings)
    summary = Summary()
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(unit="msg", desc="replay", file=sys.stderr)
    failed = False
    analyser = None
    if args.inline:
        from intake.ingest.workers import InlineAnalyser

        analyser = InlineAnalyser(settings)
    try:
        with Pipeline(store, settings, actor="system:replay", analyser=analyser) as pipe:
            for path in paths:
                if is_stream(path):
                    # Opening a pipe waits for its writer: never silently.
                    print(f"intake replay: {path}: a pipe; reading it as a stream "
                          "(waiting for a writer if none is connected)", file=sys.stderr)
                try:
                    for item in iter_archive(path):
                        if isinstance(item, UnreadableFile):
                            _unreadable(pipe, item, summary)
                            continue
                        summary.add(pipe.process(item))
                        if bar is not None:
                            bar.update(1)
                except ArchiveError as exc:
                    print(f"intake replay: {exc}", file=sys.stderr)
                    failed = True
    finally:
        if bar is not None:
            bar.close()
        store.close()
    for line in summary.lines():
        print(line)
    for p in summary.skipped:
        print(f"  skipped: {p}", file=sys.stderr)
    return 1 if failed else 0


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
        summary.add(outcome)
        if outcome.new:
            summary.unreadable.append(str(path))
        else:
            summary.unreadable_known += 1
    else:
        summary.skipped.append(f"{path} ({item.reason})")
