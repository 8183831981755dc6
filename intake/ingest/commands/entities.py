"""Entity commands: list and show resolved entities, and an officer's merge
and split (audited, replayed on rebuild).

    intake entities [--type T] [--min-reports N] [--limit N]
    intake entity ID
    intake merge-entities A B --reason TEXT [--actor NAME]
    intake split-entity ID --mentions 12,15 --reason TEXT [--actor NAME]
    intake rebuild-entities

Output goes to the officer's terminal, which is why it may show names; the
log lines these commands write carry only ids and counts.
"""

from __future__ import annotations

import getpass
import logging
import sys

from sqlalchemy import func, or_, select

from intake.store.db import open_store
from intake.store.models import AuditEntry, DocumentRow, Entity, EntityLink, MentionRow
from intake.types import IntakeError

log = logging.getLogger(__name__)


def register(sub, common) -> None:
    p = sub.add_parser("entities", parents=[common],
                       help="list entities by how many reports and agencies mention them")
    p.add_argument("--type", metavar="T", help="only this type (PERSON, VRM, PHONE, ...)")
    p.add_argument("--min-reports", type=int, default=1, metavar="N",
                   help="only entities in at least N reports (default 1)")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="at most N rows (default 100)")
    p.set_defaults(func=run_list)

    p = sub.add_parser("entity", parents=[common], help="show one entity: mentions, reports, links")
    p.add_argument("id", help="entity id (as listed by `intake entities`)")
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


def run_list(args, settings) -> int:
    store = open_store(settings)
    try:
        with store.session() as s:
            q = select(Entity).where(Entity.merged_into_id.is_(None), Entity.document_count >= args.min_reports)
            if args.type:
                q = q.where(Entity.type == args.type.upper())
            q = q.order_by(Entity.document_count.desc(), Entity.agency_count.desc(),
                           Entity.submitter_count.desc(), Entity.id).limit(args.limit)
            rows = s.scalars(q).all()
            print(f"{'id':<28} {'type':<14} {'reports':>7} {'agencies':>8} {'submitters':>10} "
                  f"{'first':<10} {'last':<10} value")
            for e in rows:
                print(f"{e.public_id:<28} {e.type:<14} {e.document_count:>7} {e.agency_count:>8} "
                      f"{e.submitter_count:>10} {_when(e.first_seen):<10} {_when(e.last_seen):<10} {e.display}")
            if not rows:
                print("(no entities match)", file=sys.stderr)
    finally:
        store.close()
    return 0


def run_show(args, settings) -> int:
    from intake.store.entity_queries import find_entity

    store = open_store(settings)
    try:
        with store.session() as s:
            e = find_entity(s, args.id)
            if e is None:
                print(f"intake: no entity {args.id!r}; list them with `intake entities`", file=sys.stderr)
                return 1
            print(f"{e.public_id}  {e.type}  {e.display}")
            print(f"reports {e.document_count}, agencies {e.agency_count}, submitters {e.submitter_count}, "
                  f"first seen {_when(e.first_seen)}, last seen {_when(e.last_seen)}")
            if e.type == "PERSON":
                a = e.attrs or {}
                for k in ("aliases", "dobs", "birth_years"):
                    if a.get(k):
                        print(f"{k}: {', '.join(str(x) for x in a[k])}")
            merged = s.scalars(select(Entity.public_id).where(Entity.merged_into_id == e.id)).all()
            if merged:
                print("merged from: " + ", ".join(merged))
            print("\nmentions (id  document  field  text):")
            for m, doc in s.execute(
                select(MentionRow, DocumentRow).join(DocumentRow, MentionRow.document_pk == DocumentRow.id)
                .where(MentionRow.entity_pk == e.id).order_by(MentionRow.id)
            ):
                print(f"  {m.id:<6} {doc.public_id}  {m.field}  {m.text}")
            print("\nreports (document  status  file):")
            for doc in s.scalars(
                select(DocumentRow).where(DocumentRow.id.in_(
                    select(MentionRow.document_pk).where(MentionRow.entity_pk == e.id))).order_by(DocumentRow.id)
            ):
                print(f"  {doc.public_id}  {doc.status}  {doc.filename or '(body)'}")
            print("\nlinked entities (kind  reports-together  id  type  value):")
            links = s.execute(
                select(EntityLink.kind, EntityLink.a_pk, EntityLink.b_pk, func.count())
                .where(or_(EntityLink.a_pk == e.id, EntityLink.b_pk == e.id))
                .group_by(EntityLink.kind, EntityLink.a_pk, EntityLink.b_pk)
            ).all()
            for kind, a, b, n in sorted(links, key=lambda r: (-r[3], r[0], r[1], r[2])):
                other = s.get(Entity, b if a == e.id else a)
                print(f"  {kind:<24} {n:>3}  {other.public_id}  {other.type}  {other.display}")
    finally:
        store.close()
    return 0


def run_merge(args, settings) -> int:
    from intake.store.entity_decisions import merge_entities

    store = open_store(settings)
    try:
        with store.transaction() as s:
            d = merge_entities(s, args.a, args.b, _actor(args), args.reason)
            print(f"merged {d.payload['absorb']} into {d.payload['keep']} (decision {d.id})")
        log.info("entity merge decision recorded")
    except IntakeError as exc:
        print(f"intake: {exc.code}: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def run_split(args, settings) -> int:
    from intake.store.entity_decisions import split_entity

    try:
        ids = [int(x) for x in args.mentions.replace(" ", "").split(",") if x]
    except ValueError:
        print("intake: --mentions takes comma-separated mention ids, e.g. 12,15", file=sys.stderr)
        return 2
    store = open_store(settings)
    try:
        with store.transaction() as s:
            d, new = split_entity(s, args.id, ids, _actor(args), args.reason)
            print(f"split {len(ids)} mention(s) into {new.public_id} (decision {d.id})")
        log.info("entity split decision recorded")
    except IntakeError as exc:
        print(f"intake: {exc.code}: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def run_rebuild(args, settings) -> int:
    from intake.store.resolve import rebuild_entities

    store = open_store(settings)
    try:
        with store.transaction() as s:
            rebuild_entities(s)
            n = s.scalar(select(func.count()).select_from(Entity).where(Entity.merged_into_id.is_(None)))
            s.add(AuditEntry(actor="cli:" + getpass.getuser(), action="entities.rebuild",
                             object_type="store", object_id=None, detail={"entities": n}))
        print(f"rebuilt: {n} entities")
        log.info("entities rebuilt: %d", n)
    finally:
        store.close()
    return 0
