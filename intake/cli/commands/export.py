"""`intake export --format jsonl|csv`: the export contract (docs/export.md).

Reads only: it works on a read-only store (a snapshot on a read-only
mount). The export is audited; on a store it cannot write, the audit line
goes to the log instead. ``-o FILE`` is written beside itself and renamed
into place, owner-only (0600): a reader never sees half an export, and the
data is OFFICIAL-SENSITIVE."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from intake.files import write_atomically
from intake.logs import fields
from intake.store import repository as repo
from intake.store.db import open_store
from intake.store.export import write_csv, write_jsonl
from intake.store.plates import write_plates_csv

log = logging.getLogger(__name__)


def register(sub, common) -> None:
    p = sub.add_parser("export", parents=[common],
                       help="write every document as JSON Lines or CSV (contract: docs/export.md)",
                       description="One JSON object (or CSV row) per document, every document of every "
                                   "message exactly once. The keys and their meaning are the contract in "
                                   "docs/export.md.")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--output", "-o", metavar="FILE", help="write here (atomically, mode 0600) instead of stdout")
    p.add_argument("--plates", action="store_true", help="instead: plates of interest as CSV for an ANPR hotlist "
                                                         "or a PNC check (docs/analysis.md)")
    p.set_defaults(func=run)


def run(args, settings) -> int:
    writer = write_jsonl if args.format == "jsonl" else write_csv
    if args.plates:
        writer, args.format = write_plates_csv, "plates"
    with open_store(settings, write=False) as store:
        if args.output:
            write_atomically(Path(args.output), lambda out: _write(store, writer, out))
            _warn_if_others_can_reach(Path(args.output))
        else:
            _write(store, writer, sys.stdout)
            sys.stdout.flush()
        if store.read_only:
            log.warning("export not audited in the store (read-only); recorded here instead",
                        extra=fields(action="export", format=args.format))
        else:
            with store.transaction() as s:
                repo.audit(s, "cli:export", "export", "store", None, format=args.format)
    return 0


def _write(store, writer, out) -> None:
    with store.session() as s:
        writer(s, out)


def _warn_if_others_can_reach(path: Path) -> None:
    """The file is owner-only, but a folder others can list shows its name
    and size, and a backup of it may not keep the mode: say so (on the
    terminal, not in the log: the path is the operator's own)."""
    folder = path.resolve().parent
    try:
        mode = folder.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o007:
        print(f"intake export: warning: {folder} can be read by other users (mode {mode:04o}); the export is "
              "owner-only (0600) but keep OFFICIAL-SENSITIVE exports in a private folder (0700)", file=sys.stderr)
