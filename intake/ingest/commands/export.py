"""`intake export --format jsonl|csv`: the export contract (EXPORT.md)."""

from __future__ import annotations

import sys

from intake.store.db import open_store
from intake.store.export import write_csv, write_jsonl


def register(sub, common) -> None:
    p = sub.add_parser("export", parents=[common],
                       help="write every document as JSON Lines (EXPORT.md) or CSV to stdout")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=run)


def run(args, settings) -> int:
    store = open_store(settings)
    try:
        out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
        try:
            with store.session() as s:
                writer = write_jsonl if args.format == "jsonl" else write_csv
                writer(s, out)
                from intake.store import repository as repo

            with store.transaction() as s:
                repo.audit(s, "cli:export", "export", "store", None, format=args.format)
        finally:
            if out is not sys.stdout:
                out.close()
            else:
                out.flush()
    finally:
        store.close()
    return 0
