"""Entity commands: list and show resolved entities, and an officer's merge
and split (audited, replayed on rebuild).

    intake entities [--type T] [--min-reports N] [--limit N | --all] [--json]
    intake entity ID
    intake merge-entities A B --reason TEXT [--actor NAME]
    intake split-entity ID --mentions 12,15 --reason TEXT [--actor NAME]
    intake rebuild-entities

Output goes to the officer's terminal, which is why it may show names; the
log lines these commands write carry only ids and counts.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys

from intake import entity_types
from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intake.store import repository as repo
from intake.store.db import StoreError, open_store
from intake.store.entities import queries as entity_queries
from intake.types import IntakeError

log = logging.getLogger(__name__)

# The entity types of docs/entities.md (docs/export.md): --type takes one of them.
ENTITY_TYPES = entity_types.NAMES  # the entity-type catalogue (intake/config/entity_types.toml)


def entity_type(text: str) -> str:
    value = text.strip().upper()
    if value not in ENTITY_TYPES:
        raise argparse.ArgumentTypeError(f"unknown type {text!r}; choose from {', '.join(ENTITY_TYPES)}")
    return value


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub, common) -> None:
    p = sub.add_parser("entities", parents=[common],
                       help="list entities by how many reports and agencies mention them")
    p.add_argument("--type", metavar="T", type=entity_type,
                   help=f"only this type: {', '.join(ENTITY_TYPES)}")
    p.add_argument("--min-reports", type=positive, default=1, metavar="N",
                   help="only entities in at least N reports (default 1)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--limit", type=positive, default=100, metavar="N", help="at most N rows (default 100)")
    size.add_argument("--all", action="store_true", help="every matching entity")
    p.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    p.set_defaults(func=run_list)

    p = sub.add_parser("entity", parents=[common], help="show one entity: mentions, reports, links")
    p.add_argument("id", help="entity id (as listed by `intake entities`)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.set_defaults(func=run_show)

    p = sub.add_parser("merge-entities", parents=[common],
                       help="officer decision: A and B are the same (B is merged into A)")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--reason", required=True)
    p.add_argument("--actor", help="who decides (default: the logged-in user)")
    p.set_defaults(func=run_merge)

    p = sub.add_parser("split-entity", parents=[common],
                       help="officer decision: these mentions are someone/something else")
    p.add_argument("id")
    p.add_argument("--mentions", required=True, metavar="IDS",
                   help="comma-separated mention ids to move to a new entity (see `intake entity ID`)")
    p.add_argument("--reason", required=True)
    p.add_argument("--actor")
    p.set_defaults(func=run_split)

    p = sub.add_parser("rebuild-entities", parents=[common],
                       help="resolve every mention again from scratch, replaying officers' decisions")
    p.set_defaults(func=run_rebuild)


def _actor(args) -> str:
    return "user:" + (args.actor or getpass.getuser())


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d") if dt else "-"


def _entity_json(e) -> dict:
    return {"entity_id": e.public_id, "type": e.type, "value": e.display, "reports": e.document_count,
            "agencies": e.agency_count, "submitters": e.submitter_count,
            "first_seen": _when(e.first_seen) if e.first_seen else None,
            "last_seen": _when(e.last_seen) if e.last_seen else None}


def run_list(args, settings) -> int:
    with open_store(settings, write=False) as store, store.session() as s:
        rows, total = entity_queries.list_entities(s, type_=args.type, min_reports=args.min_reports,
                                       limit=None if args.all else args.limit)
        if args.json:
            for e in rows:
                print(json.dumps(_entity_json(e), ensure_ascii=False))
        else:
            print(f"{'id':<28} {'type':<14} {'reports':>7} {'agencies':>8} {'submitters':>10} "
                  f"{'first':<10} {'last':<10} value")
            for e in rows:
                print(f"{e.public_id:<28} {e.type:<14} {e.document_count:>7} {e.agency_count:>8} "
                      f"{e.submitter_count:>10} {_when(e.first_seen):<10} {_when(e.last_seen):<10} {e.display}")
    _footer(len(rows), total, "entities")
    return EXIT_OK


def _footer(shown: int, total: int, what: str) -> None:
    """On stderr, so a pipe or --json reader gets rows only."""
    if total == 0:
        print(f"(no {what} match)", file=sys.stderr)
    elif shown < total:
        print(f"{shown} of {total} {what} \u2014 use --limit N or --all for more", file=sys.stderr)
    else:
        print(f"{total} {what}", file=sys.stderr)


def run_show(args, settings) -> int:
    with open_store(settings, write=False) as store, store.session() as s:
        e = entity_queries.find_entity(s, args.id)
        if e is None:
            print(f"intake: no entity {args.id!r}; list them with `intake entities`", file=sys.stderr)
            return EXIT_FAILED
        p = entity_queries.entity_profile(s, e)
        attrs = {k: v for k, v in (e.attrs or {}).items() if k in ("aliases", "dobs", "birth_years") and v} \
            if e.type == "PERSON" else {}
        if args.json:
            print(json.dumps({
                **_entity_json(e), **attrs, "merged_from": p.merged_from,
                "mentions": [{"mention_id": m.id, "document_id": m.document_id, "field": m.field, "text": m.text}
                             for m in p.mentions],
                "documents": [{"document_id": d, "status": st, "filename": fn} for d, st, _, _, fn in p.reports],
                "links": [{"kind": link.kind, "reports_together": link.reports, "entity_id": link.entity.public_id,
                           "type": link.entity.type, "value": link.entity.display} for link in p.links],
            }, ensure_ascii=False))
            return EXIT_OK
        print(f"{e.public_id}  {e.type}  {e.display}")
        print(f"reports {e.document_count}, agencies {e.agency_count}, submitters {e.submitter_count}, "
              f"first seen {_when(e.first_seen)}, last seen {_when(e.last_seen)}")
        for k, v in attrs.items():
            print(f"{k}: {', '.join(str(x) for x in v)}")
        if p.merged_from:
            print("merged from: " + ", ".join(p.merged_from))
        print("\nmentions (id  document  field  text):")
        for m in p.mentions:
            print(f"  {m.id:<6} {m.document_id}  {m.field}  {m.text}")
        print("\nreports (document  status  file):")
        for d, st, _, _, fn in p.reports:
            print(f"  {d}  {st}  {fn or '(body)'}")
        print("\nlinked entities (kind  reports-together  id  type  value):")
        for link in p.links:
            o = link.entity
            print(f"  {link.kind:<24} {link.reports:>3}  {o.public_id}  {o.type}  {o.display}")
    return EXIT_OK


def run_merge(args, settings) -> int:
    from intake.store.entities.decisions import merge_entities

    try:
        with open_store(settings) as store, store.transaction() as s:
            d = merge_entities(s, args.a, args.b, _actor(args), args.reason)
            print(f"merged {d.payload['absorb']} into {d.payload['keep']} (decision {d.id})")
    except IntakeError as exc:
        if isinstance(exc, StoreError):
            raise
        print(f"intake: {exc.code}: {exc.detail}", file=sys.stderr)
        return EXIT_FAILED
    log.info("entity merge decision recorded")
    return EXIT_OK


def run_split(args, settings) -> int:
    from intake.store.entities.decisions import split_entity

    try:
        ids = [int(x) for x in args.mentions.replace(" ", "").split(",") if x]
    except ValueError:
        print("intake: --mentions takes comma-separated mention ids, e.g. 12,15", file=sys.stderr)
        return EXIT_USAGE
    try:
        with open_store(settings) as store, store.transaction() as s:
            d, new = split_entity(s, args.id, ids, _actor(args), args.reason)
            print(f"split {len(ids)} mention(s) into {new.public_id} (decision {d.id})")
    except IntakeError as exc:
        if isinstance(exc, StoreError):
            raise
        print(f"intake: {exc.code}: {exc.detail}", file=sys.stderr)
        return EXIT_FAILED
    log.info("entity split decision recorded")
    return EXIT_OK


def run_rebuild(args, settings) -> int:
    from intake.store.entities.resolve import rebuild_entities

    with open_store(settings) as store, store.transaction() as s:
        n = rebuild_entities(s)
        repo.audit(s, "cli:" + getpass.getuser(), "entities.rebuild", "store", None, entities=n)
    print(f"rebuilt: {n} entities")
    log.info("entities rebuilt: %d", n)
    return EXIT_OK
