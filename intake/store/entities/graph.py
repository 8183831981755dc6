"""The entity graph's low-level operations: find or create an entity by
its key, write a document's links, candidate links of partial plates, a
person's profile from their mentions, and the counts an analyst sorts by.

Layers run one way: resolve.py (automatic resolution) and
entity_decisions.py (officers' merges and splits) both build on this module;
resolution replays decisions; nothing here calls either.
"""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import bindparam, delete, func, insert, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from intake.matching import entity_keys, person_match
from intake.store.crypto import session_keyring
from intake.store.document_facts import DocumentFacts, facts_for
from intake.store.entities import ids as entity_ids
from intake.store.entities.queries import entities_matching, live_entity
from intake.store.entities.rows import EntityRow, partial_plates_fitting
from intake.store.insert_or_skip import InsertOrSkip
from intake.store.models import DocumentRow, Entity, EntityFact, EntityLink, MentionRow


def new_entity(session, type_: str, key: str, display: str, seed_id: str, attrs=None, *,
               flush: bool = True, free: bool = False, plain: bool = False) -> Entity:
    """Every entity is made here, its public id keyed from ``seed_id``
    (entity_keys.id_seed). ``flush=False``: inserted with the next flush,
    together with the others a document creates. ``free``: the caller
    knows no entity has this seed's id (it looked them all up); with
    ``plain`` too, the entity is an EntityRow that insert_new_entities
    inserts (a document being stored: no ORM object to build and flush).

    The seed can already have an entity: a person named at the same place
    of a document that is resolved again after a correction, or approved
    after it was first resolved. That entity is taken over when nothing
    else stands on it any more (so the person keeps the id they had, as a
    rebuild would give it); otherwise the new entity gets the next free id
    of the seed. Either way the action goes through (it used to fail on the
    unique public id, and the item could never clear)."""
    pid = entity_ids.public_id(session, seed_id)
    if free and plain:
        return EntityRow((None, pid, type_, key, attrs or {}, None, 0, 0, 0, None, None, True), new=display[:2000])
    if not free:
        with session.no_autoflush:
            for n in range(1, 1000):
                pid = entity_ids.public_id(session, seed_id if n == 1 else f"{seed_id}#{n}")
                held = session.scalar(select(Entity).where(Entity.public_id == pid))
                if held is None:
                    break
                if _unused(session, held):
                    held.type, held.key, held.display = type_, key, display[:2000]
                    held.attrs = attrs or {}
                    held.document_count = held.agency_count = held.submitter_count = 0
                    held.first_seen = held.last_seen = None
                    held.facts_indexed = False  # its old agencies are not this one's: recounted in full
                    if flush:
                        session.flush()
                    return held
            else:  # pragma: no cover - a thousand live entities from one mention
                raise RuntimeError("no free entity id for this seed")
    ent = Entity(
        public_id=pid, type=type_, key=key, display=display[:2000], attrs=attrs or {},
        document_count=0, agency_count=0, submitter_count=0, facts_indexed=True,
    )
    session.add(ent)
    if flush:
        session.flush()
    return ent


def _unused(session, ent: Entity) -> bool:
    """No mention, merge or decision stands on this entity now."""
    if ent.merged_into_id is not None:
        return False
    if session.scalar(select(MentionRow.id).where(MentionRow.entity_pk == ent.id).limit(1)) is not None:
        return False
    if session.scalar(select(Entity.id).where(Entity.merged_into_id == ent.id).limit(1)) is not None:
        return False
    return True


def insert_new_entities(session, entities, top: int | None = None) -> None:
    """Insert the entities new_entity(flush=False) made for a document
    (in the order made; others ignored), in one statement. The ORM inserts
    rows one by one when it must learn their ids; on SQLite (one writer,
    and this transaction has written already) the ids SQLite would give
    (the largest + 1, in order) are given here; ``top``: the largest, if
    the caller has read it (entities_for_document). PostgreSQL's inserts
    are batched with RETURNING anyway."""
    pending, seen = [], set()
    for e in entities:
        if id(e) in seen:
            continue
        if (e.new is not None and e.id is None) if isinstance(e, EntityRow) else (
                isinstance(e, Entity) and inspect(e).pending):
            seen.add(id(e))
            pending.append(e)
    if not pending:
        return
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        if top is None:
            with session.no_autoflush:
                top = session.scalar(select(func.max(Entity.id)))
        else:  # nor the id of any entity an autoflush inserted since
            top = max([top or 0] + [o.id for o in session.identity_map.values()
                                    if isinstance(o, Entity) and o.id is not None])
        for k, e in enumerate(pending, 1):
            e.id = (top or 0) + k
    if any(isinstance(e, Entity) for e in pending):
        session.flush()
    rows = [e for e in pending if isinstance(e, EntityRow)]
    if rows:
        t = Entity.__table__
        params = [{"public_id": e.public_id, "type": e.type, "key": e.key, "display": e.new, "attrs": e.attrs,
                   "document_count": 0, "agency_count": 0, "submitter_count": 0, "facts_indexed": True}
                  for e in rows]
        if sqlite:
            for p, e in zip(params, rows):
                p["id"] = e.id
            session.execute(_INSERT_ENTITIES, params)
        else:
            ids = session.execute(insert(t).returning(t.c.id, sort_by_parameter_order=True), params).scalars().all()
            for e, pk in zip(rows, ids):
                e.id = pk
        for e in rows:
            e.new = None


# The write path's statements, built once.
_INSERT_ENTITIES, _INSERT_MENTIONS, _INSERT_LINKS = (insert(t) for t in (Entity.__table__, MentionRow.__table__,
                                                                        EntityLink.__table__))


def insert_mentions(session, mentions: list[MentionRow]) -> None:
    """A new document's mentions (transient rows, entity_pk set), in one
    executemany, in order; nothing needs them as ORM objects afterwards."""
    if not mentions:
        return
    cols = ("document_pk", "field", "type", "text", "value", "start", "end", "recogniser", "pattern", "context",
            "score", "attrs", "entity_pk")
    rows = [{c: getattr(m, c) for c in cols} for m in mentions]
    for r in rows:
        r["recogniser"] = r["recogniser"] if r["recogniser"] is not None else ""
        r["score"] = r["score"] if r["score"] is not None else 1.0
        r["attrs"] = r["attrs"] if r["attrs"] is not None else {}
    session.execute(_INSERT_MENTIONS, rows)


def entity_by_value(session, type_: str, key: str, display: str, known: dict[str, Entity] | None = None, *,
                    plain: bool = False) -> Entity:
    """The live entity of a value, created when new. ``known`` (public id ->
    entity, from entities_for_document) saves a query per mention and learns
    the entities created here."""
    seed = entity_keys.id_seed(type_, key)
    pid = entity_ids.public_id(session, seed)
    ent = known.get(pid) if known is not None else None
    if ent is None and known is None:
        ent = session.scalar(select(Entity).where(Entity.public_id == pid))
    if ent is None:
        # ``known`` holds every stored entity of the document's values: a
        # miss is a new entity, inserted with the document's next flush.
        ent = new_entity(session, type_, key, display, seed, flush=known is None, free=known is not None,
                         plain=plain and known is not None)
    if known is not None:
        known[pid] = ent
    return live_entity(session, ent)


def person_profile_of_mentions(session, mentions: list[MentionRow]) -> person_match.Profile:
    """An entity's profile rebuilt from the profiles kept on its mentions
    (used after a split, when each side must forget the other's names)."""
    out = person_match.Profile()
    for m in mentions:
        p = (m.attrs or {}).get("_profile")
        if p:
            out.absorb(person_match.Profile.from_attrs(p))
    return out


# --------------------------------------------------------------------------
# links
# --------------------------------------------------------------------------


def _add_link(out: list, a: int, b: int, kind: str, document_pk: int | None, existing: set) -> None:
    if a == b:
        return
    if kind == "co_mention":
        a, b = min(a, b), max(a, b)
    k = (a, b, kind, document_pk)
    if k in existing:
        return
    existing.add(k)
    out.append({"a_pk": a, "b_pk": b, "kind": kind, "document_pk": document_pk})


def link_document(session, document: DocumentRow, mentions: list[MentionRow], *, fresh: bool = False) -> set[int]:
    """(Re)write one document's links from its mentions' current entities.
    Returns the entity ids it touched, including those it no longer links.
    ``fresh``: a document being stored, which has no links yet."""
    touched: set[int] = set()
    if not fresh:
        old = session.scalars(select(EntityLink).where(EntityLink.document_pk == document.id)).all()
        touched = {l.a_pk for l in old} | {l.b_pk for l in old}
        for l in old:
            session.delete(l)
        session.flush()
    existing: set = set()
    links: list[dict] = []
    by_index = {i: m for i, m in enumerate(mentions)}
    for m in mentions:
        attrs = m.attrs or {}
        if m.entity_pk is None:
            continue
        if m.type == "ALIAS" and isinstance(attrs.get("person"), int):
            p = by_index.get(attrs["person"])
            if p is not None and p.entity_pk is not None:
                _add_link(links, m.entity_pk, p.entity_pk, "alias_of", document.id, existing)
        if m.type == "VEHICLE" and isinstance(attrs.get("plate"), int):
            p = by_index.get(attrs["plate"])
            if p is not None and p.entity_pk is not None:
                _add_link(links, m.entity_pk, p.entity_pk, "vehicle_plate", document.id, existing)
    # The submitter's own phone and e-mail recur in every report they send;
    # linking them to the people in those reports would be noise, not
    # intelligence. They still resolve and count.
    linked = sorted({
        m.entity_pk for m in mentions
        if m.entity_pk is not None and m.type not in entity_keys.NOT_CO_MENTIONED and not m.field.startswith("submitter.")
    })
    # Distinct ids in order, so every pair is new and already (low, high):
    # _add_link's checks would find nothing, for every pair of a long document.
    links += [{"a_pk": a, "b_pk": b, "kind": "co_mention", "document_pk": document.id}
              for a, b in combinations(linked, 2)]
    touched |= {m.entity_pk for m in mentions if m.entity_pk is not None}
    if fresh:
        # In one executemany: nothing needs the rows as ORM objects.
        if links:
            session.execute(_INSERT_LINKS, links)
    else:
        session.add_all([EntityLink(**l) for l in links])
        session.flush()
    return touched


def link_partial_plates(session, ent: Entity) -> None:
    """Candidate links between a partial plate and the full plates it fits,
    whichever arrives first. Not per document, never a merge."""
    link_partial_plates_of(session, [ent])
    session.flush()


def link_partial_plates_of(session, ents: list[Entity]) -> None:
    """link_partial_plates for several entities (a document's plates, in id
    order): the stored partial plates read once for all its full plates,
    the links already made read in one query. Added, not flushed."""
    pairs: list[tuple[Entity, Entity]] = []
    partials = None
    for ent in ents:
        if ent.type != "VRM":
            continue
        vrm = (Entity.type == "VRM", Entity.merged_into_id.is_(None), Entity.id != ent.id)
        if entity_keys.is_partial_plate(ent.key):
            others = entities_matching(session, vrm, Entity.key, entity_keys.like_pattern(ent.key))
            pairs += [(ent, o) for o in others if not entity_keys.is_partial_plate(o.key) and entity_keys.plate_consistent(ent.key, o.key)]
        else:
            if partials is None and session_keyring(session) is None:
                partials = partial_plates_fitting(session, [e.key for e in ents if e.type == "VRM"
                                                            and not entity_keys.is_partial_plate(e.key)])
            elif partials is None:
                partials = entities_matching(session, (Entity.type == "VRM", Entity.merged_into_id.is_(None)),
                                             Entity.key, "%*%")
            pairs += [(p, ent) for p in partials if p.id != ent.id and entity_keys.plate_consistent(p.key, ent.key)]
    if not pairs:
        return
    existing = set(session.execute(
        select(EntityLink.a_pk, EntityLink.b_pk).where(
            EntityLink.kind == "partial_plate_candidate",
            EntityLink.a_pk.in_(sorted({p.id for p, _ in pairs})),
            EntityLink.b_pk.in_(sorted({f.id for _, f in pairs})),
        )
    ).all())
    for partial, full in pairs:
        if (partial.id, full.id) not in existing:
            existing.add((partial.id, full.id))
            session.add(EntityLink(a_pk=partial.id, b_pk=full.id, kind="partial_plate_candidate", document_pk=None))


# --------------------------------------------------------------------------
# counts
# --------------------------------------------------------------------------


def refresh_stats(session, entity_ids) -> None:
    """Documents, agencies, submitters, first/last seen of these entities,
    from their mentions. Copies (duplicate_of set) do not count twice. Also
    lists their agencies and submitters (entity_facts) for count_document."""
    ids = sorted({i for i in entity_ids if i is not None})
    if not ids:
        return
    session.flush()
    rows = session.execute(
        select(MentionRow.entity_pk, MentionRow.document_pk)
        .join(DocumentRow, MentionRow.document_pk == DocumentRow.id)
        .where(MentionRow.entity_pk.in_(ids), DocumentRow.duplicate_of_id.is_(None))
        .distinct()
    ).all()
    docs_of: dict[int, set[int]] = {}
    for ent_pk, doc_pk in rows:
        docs_of.setdefault(ent_pk, set()).add(doc_pk)
    facts = facts_for(session, {d for ds in docs_of.values() for d in ds})
    session.execute(delete(EntityFact.__table__).where(EntityFact.__table__.c.entity_pk.in_(ids)))
    listed = []
    for ent_id in ids:
        ent = session.get(Entity, ent_id)
        if ent is None:
            continue
        docs = docs_of.get(ent_id, set())
        fs = [facts[d] for d in docs if d in facts]
        seen = sorted(f.seen for f in fs if f.seen is not None)
        agencies = sorted({f.agency for f in fs if f.agency})
        submitters = sorted({f.submitter for f in fs if f.submitter})
        ent.document_count = len(docs)
        ent.agency_count = len(agencies)
        ent.submitter_count = len(submitters)
        ent.first_seen = seen[0] if seen else None
        ent.last_seen = seen[-1] if seen else None
        ent.facts_indexed = True
        listed += [{"entity_pk": ent_id, "kind": "agency", "value": a} for a in agencies]
        listed += [{"entity_pk": ent_id, "kind": "submitter", "value": s} for s in submitters]
    if listed:
        session.execute(insert(EntityFact.__table__), listed)
    session.flush()


def count_document(session, facts: DocumentFacts | None, entities) -> None:
    """A new report (not a copy) now names these entities (objects or
    EntityRows, as resolution chose them), which did not count it before:
    their counts and first/last seen by delta, in two statements, whatever
    number of reports already name them. Equal to refresh_stats
    (tests/store/test_write_path.py); entities stored before entity_facts
    existed are counted by refresh_stats once."""
    by_id = {e.id: e for e in entities if e is not None and e.id is not None}
    ents = [by_id[i] for i in sorted(by_id)]
    legacy = [e.id for e in ents if e.facts_indexed is False]
    if legacy:
        refresh_stats(session, legacy)
        for e in ents:
            if e.id in legacy and isinstance(e, EntityRow):
                # Counted from its mentions just now: the caller's row learns the counts.
                ent = session.get(Entity, e.id)
                for col in ("document_count", "agency_count", "submitter_count", "first_seen", "last_seen",
                            "facts_indexed"):
                    setattr(e, col, getattr(ent, col))
    ents = [e for e in ents if e.id not in set(legacy)]
    if not ents:
        return
    new_facts: set[tuple[int, str]] = set()
    rows = [{"entity_pk": e.id, "kind": kind, "value": value} for e in ents
            for kind, value in (("agency", facts.agency if facts else None),
                                ("submitter", facts.submitter if facts else None)) if value]
    if rows:
        # Parameters as a list, not .values(rows): compiled once whatever
        # the row count (SQLAlchemy batches it with RETURNING).
        new_facts = {(pk, kind) for pk, kind in session.execute(_INSERT_FACTS, rows)}
    seen = facts.seen if facts else None
    params = []
    for e in ents:
        first, last = e.first_seen, e.last_seen
        if seen is not None:
            first = seen if first is None or seen < first else first
            last = seen if last is None or seen > last else last
        da, ds = int((e.id, "agency") in new_facts), int((e.id, "submitter") in new_facts)
        params.append({"b_id": e.id, "b_da": da, "b_ds": ds, "b_first": first, "b_last": last})
        put = setattr if isinstance(e, EntityRow) else set_committed_value
        put(e, "document_count", (e.document_count or 0) + 1)
        put(e, "agency_count", (e.agency_count or 0) + da)
        put(e, "submitter_count", (e.submitter_count or 0) + ds)
        put(e, "first_seen", first)
        put(e, "last_seen", last)
    session.execute(_COUNT_DOCUMENT, params)


# count_document's statements, built once: they keep their cache keys.
_INSERT_FACTS = InsertOrSkip(EntityFact.__table__).returning(EntityFact.__table__.c.entity_pk,
                                                             EntityFact.__table__.c.kind)
_E = Entity.__table__  # count_document's update, built once: it keeps its cache key
_COUNT_DOCUMENT = update(_E).where(_E.c.id == bindparam("b_id")).values(
    document_count=_E.c.document_count + 1, agency_count=_E.c.agency_count + bindparam("b_da"),
    submitter_count=_E.c.submitter_count + bindparam("b_ds"), first_seen=bindparam("b_first"),
    last_seen=bindparam("b_last"))
