"""The entity graph's low-level operations: find or create an entity by
its key, write a document's links, candidate links of partial plates, a
person's profile from their mentions, and the counts an analyst sorts by.

Layers run one way: resolve.py (automatic resolution) and
entity_decisions.py (officers' merges and splits) both build on this module;
resolution replays decisions; nothing here calls either.
"""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import select

from intake.store import entity_ids
from intake.store import entity_keys as ek
from intake.store import person_match as pm
from intake.store.document_facts import facts_for
from intake.store.entity_queries import entities_matching, entities_where_in, live_entity
from intake.store.models import DocumentRow, Entity, EntityLink, MentionRow


def new_entity(session, type_: str, key: str, display: str, seed_id: str, attrs=None) -> Entity:
    """A new entity whose public id is keyed from ``seed_id``
    (entity_keys.id_seed). The seed can already have an entity: a person
    named at the same place of a document that is resolved again after a
    correction, or approved after it was first resolved. That entity is
    taken over when nothing else stands on it any more (so the person keeps
    the id they had, as a rebuild would give it); otherwise the new entity
    gets the next free id of the seed. Either way the action goes through
    (it used to fail on the unique public id and could never clear)."""
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
            session.flush()
            return held
    else:  # pragma: no cover - a thousand live entities from one mention
        raise RuntimeError("no free entity id for this seed")
    ent = Entity(
        public_id=pid, type=type_, key=key, display=display[:2000], attrs=attrs or {},
        document_count=0, agency_count=0, submitter_count=0,
    )
    session.add(ent)
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


def entity_by_value(session, type_: str, key: str, display: str, known: dict[str, Entity] | None = None) -> Entity:
    """The live entity of a value, created when new. ``known`` (public id ->
    entity, from entities_by_values) saves a query per mention and learns
    the entities created here."""
    seed = ek.id_seed(type_, key)
    pid = entity_ids.public_id(session, seed)
    ent = known.get(pid) if known is not None else None
    if ent is None:
        ent = session.scalar(select(Entity).where(Entity.public_id == pid))
    if ent is None:
        ent = new_entity(session, type_, key, display, seed)
    if known is not None:
        known[pid] = ent
    return live_entity(session, ent)


def entities_by_values(session, type_keys) -> dict[str, Entity]:
    """The stored entities of these (type, key) values by public id, in one
    query: a document's mentions resolved without a query each."""
    pids = sorted({entity_ids.public_id(session, ek.id_seed(t, k)) for t, k in type_keys})
    return {e.public_id: e for e in entities_where_in(session, Entity.public_id, pids)}


def person_profile_of_mentions(session, mentions: list[MentionRow]) -> pm.Profile:
    """An entity's profile rebuilt from the profiles kept on its mentions
    (used after a split, when each side must forget the other's names)."""
    out = pm.Profile()
    for m in mentions:
        p = (m.attrs or {}).get("_profile")
        if p:
            out.absorb(pm.Profile.from_attrs(p))
    return out


# --------------------------------------------------------------------------
# links
# --------------------------------------------------------------------------


def _add_link(session, a: int, b: int, kind: str, document_pk: int | None, existing: set) -> None:
    if a == b:
        return
    if kind == "co_mention":
        a, b = min(a, b), max(a, b)
    k = (a, b, kind, document_pk)
    if k in existing:
        return
    existing.add(k)
    session.add(EntityLink(a_pk=a, b_pk=b, kind=kind, document_pk=document_pk))


def link_document(session, document: DocumentRow, mentions: list[MentionRow]) -> set[int]:
    """(Re)write one document's links from its mentions' current entities.
    Returns the entity ids it touched, including those it no longer links."""
    old = session.scalars(select(EntityLink).where(EntityLink.document_pk == document.id)).all()
    touched = {l.a_pk for l in old} | {l.b_pk for l in old}
    for l in old:
        session.delete(l)
    session.flush()
    existing: set = set()
    by_index = {i: m for i, m in enumerate(mentions)}
    for m in mentions:
        attrs = m.attrs or {}
        if m.entity_pk is None:
            continue
        if m.type == "ALIAS" and isinstance(attrs.get("person"), int):
            p = by_index.get(attrs["person"])
            if p is not None and p.entity_pk is not None:
                _add_link(session, m.entity_pk, p.entity_pk, "alias_of", document.id, existing)
        if m.type == "VEHICLE" and isinstance(attrs.get("plate"), int):
            p = by_index.get(attrs["plate"])
            if p is not None and p.entity_pk is not None:
                _add_link(session, m.entity_pk, p.entity_pk, "vehicle_plate", document.id, existing)
    # The submitter's own phone and e-mail recur in every report they send;
    # linking them to the people in those reports would be noise, not
    # intelligence. They still resolve and count.
    linked = sorted({
        m.entity_pk for m in mentions
        if m.entity_pk is not None and m.type not in ek.NOT_CO_MENTIONED and not m.field.startswith("submitter.")
    })
    for a, b in combinations(linked, 2):
        _add_link(session, a, b, "co_mention", document.id, existing)
    touched |= {m.entity_pk for m in mentions if m.entity_pk is not None}
    session.flush()
    return touched


def link_partial_plates(session, ent: Entity) -> None:
    """Candidate links between a partial plate and the full plates it fits,
    whichever arrives first. Not per document, never a merge."""
    if ent.type != "VRM":
        return
    vrm = (Entity.type == "VRM", Entity.merged_into_id.is_(None), Entity.id != ent.id)
    if ek.is_partial_plate(ent.key):
        others = entities_matching(session, vrm, Entity.key, ek.like_pattern(ent.key))
        pairs = [(ent, o) for o in others if not ek.is_partial_plate(o.key) and ek.plate_consistent(ent.key, o.key)]
    else:
        partials = entities_matching(session, vrm, Entity.key, "%*%")
        pairs = [(p, ent) for p in partials if ek.plate_consistent(p.key, ent.key)]
    for partial, full in pairs:
        exists = session.scalar(
            select(EntityLink.id).where(
                EntityLink.a_pk == partial.id, EntityLink.b_pk == full.id,
                EntityLink.kind == "partial_plate_candidate",
            )
        )
        if exists is None:
            session.add(EntityLink(a_pk=partial.id, b_pk=full.id, kind="partial_plate_candidate", document_pk=None))
    session.flush()


# --------------------------------------------------------------------------
# counts
# --------------------------------------------------------------------------


def refresh_stats(session, entity_ids) -> None:
    """Documents, agencies, submitters, first/last seen of these entities,
    from their mentions. Copies (duplicate_of set) do not count twice."""
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
    for ent_id in ids:
        ent = session.get(Entity, ent_id)
        if ent is None:
            continue
        docs = docs_of.get(ent_id, set())
        fs = [facts[d] for d in docs if d in facts]
        seen = sorted(f.seen for f in fs if f.seen is not None)
        ent.document_count = len(docs)
        ent.agency_count = len({f.agency for f in fs if f.agency})
        ent.submitter_count = len({f.submitter for f in fs if f.submitter})
        ent.first_seen = seen[0] if seen else None
        ent.last_seen = seen[-1] if seen else None
    session.flush()
