"""Entity resolution: mentions → entities, links between them, and the
counts an analyst sorts by.

Incremental by construction: ``resolve_document`` looks only at the new
document's mentions, fetches the few entities they can match (by public id
for value-keyed types, by the surname's blocking key for people), and
refreshes the counts of just the entities it touched. ``rebuild_entities``
drops every entity and runs the very same function over every document in id
order, replaying officers' decisions at the point they were made, so a
rebuild equals the incremental result (tests/store/test_resolve_rebuild.py).
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from sqlalchemy import delete, func, select, update

from intake.matching import entity_keys, person_match
from intake.store.document_facts import DocumentFacts, facts_for
from intake.store.entities import ids as entity_ids
from intake.store.entities.block_cache import ListedPeople, profile_of
from intake.store.entities.decisions import apply_decision, replay_for_document
from intake.store.entities.graph import (
    count_document,
    entity_by_value,
    insert_mentions,
    insert_new_entities,
    link_document,
    link_partial_plates_of,
    new_entity,
    refresh_stats,
)
from intake.store.entities.rows import ANY_DECISION, EntityRow, entities_for_document, write_entity_attrs
from intake.store.models import (
    DocumentRow,
    Entity,
    EntityDecision,
    EntityDecisionDocument,
    EntityFact,
    EntityLink,
    MentionRow,
)
from intake.store.records import field_values

log = logging.getLogger(__name__)

# How far after a name an age or DOB is taken to be that person's, when the
# extractor did not say so: "Jason Smith (DOB 03/04/2008)", "Jay, aged 17".
ATTRIBUTE_WINDOW = 60
# Only a record in use feeds the graph: an exception waits for an officer's
# approval, a leaflet (not_a_report) never counts. A duplicate's mentions
# resolve but do not count twice (entity_graph.refresh_stats).
RESOLVED_STATUSES = ("parsed", "duplicate")


# --------------------------------------------------------------------------
# people
# --------------------------------------------------------------------------


def _seen_year(facts) -> int | None:
    return facts.seen.year if facts and facts.seen else None


class _Plain(NamedTuple):
    """A mention's columns read once: the window search below looks at every
    pair of a document's mentions, and ORM attribute access is not free."""

    type: str
    field: str
    start: int
    end: int
    value: str
    text: str
    attrs: dict | None


def _person_profiles(document: DocumentRow, rows: list[MentionRow], record_values: dict, year: int | None):
    """Profile of each PERSON mention: its name, the aliases given for it,
    and a DOB or age stated with it (extractor link, the text just after the
    name, or the subject fields when it is the named subject)."""
    mentions = [_Plain(m.type, m.field, m.start, m.end, m.value, m.text, m.attrs) for m in rows]
    profiles: dict[int, person_match.Profile] = {}
    aliases: dict[int, list[str]] = {}
    for m in mentions:
        if m.type == "ALIAS" and isinstance((m.attrs or {}).get("person"), int):
            aliases.setdefault(m.attrs["person"], []).append(m.value)
    subject = person_match.parse_name_cached(record_values.get("subject.name") or "") if record_values.get("subject.name") else None
    for i, m in enumerate(mentions):
        if m.type != "PERSON":
            continue
        name = person_match.parse_name_cached(m.value or m.text)
        if name is None:
            continue
        dobs, ages = [], []
        attrs = m.attrs or {}
        if attrs.get("dob"):
            dobs.append(str(attrs["dob"]))
        if attrs.get("age") is not None:
            ages.append(attrs["age"])
        if not dobs and not ages:
            nxt = min(
                (o.start for o in mentions if o.type == "PERSON" and o.field == m.field and o.start > m.start),
                default=None,
            )
            for o in mentions:
                if o.field != m.field or o.start < m.end or o.start - m.end > ATTRIBUTE_WINDOW:
                    continue
                if nxt is not None and o.start >= nxt:
                    continue
                if o.type == "DOB":
                    dobs.append(o.value)
                elif o.type == "AGE":
                    ages.append(o.value)
        if subject and subject.surname == name.surname and subject.first == name.first:
            if record_values.get("subject.dob"):
                dobs.append(str(record_values["subject.dob"]))
            if record_values.get("subject.age") is not None:
                ages.append(record_values["subject.age"])
        dobs = sorted({d[:10] for d in dobs if isinstance(d, str) and len(d) >= 10})
        years = {int(d[:4]) for d in dobs if d[:4].isdigit()}
        for a in ages:
            try:
                age = int(a)
            except (TypeError, ValueError):
                continue
            if year and 0 <= age < 120:
                years.add(year - age)
        profiles[i] = person_match.Profile.of(name, aliases.get(i, []), dobs, years)
    return profiles


def _block_of(m: MentionRow) -> str:
    return person_match.blocking_key_of(m.value or m.text)


def _person_seed(document: DocumentRow, m: MentionRow, index: int) -> str:
    """The seed of the person a mention makes when it matches nobody:
    stable across rebuilds, the mention that first named them."""
    return entity_keys.id_seed("PERSON", document.public_id, m.field, str(m.start), str(m.end), str(index))


def _resolve_person(session, m: MentionRow, document: DocumentRow, index: int, profile: person_match.Profile,
                    people: dict, known: dict | None = None) -> Entity:
    """``people``: the live people of each block (entities_for_document:
    block_cache.CachedPeople or ListedPeople), which offer the ones a
    profile could match; a person made or changed here is told to its
    block, so the document's later mentions see it.
    ``known``: entities by public id, with those of the document's person
    seeds (a document being stored)."""
    block = _block_of(m)
    candidates = people.get(block)
    if candidates is None:
        candidates = people[block] = ListedPeople()
    scored = []
    for ent in candidates.candidates(profile):
        s = person_match.match_score(profile, profile_of(ent))
        if s is not None:
            scored.append((s, ent))
    chosen = None
    if scored:
        top = max(s for s, _ in scored)
        best = [e for s, e in scored if s == top]
        if len(best) == 1:
            chosen = best[0]
    if chosen is None:
        # Stable across rebuilds: the mention that first named this person.
        seed = _person_seed(document, m, index)
        # ``known`` was asked for this seed's id: when nothing holds it,
        # new_entity need not ask again.
        free = known is not None and entity_ids.public_id(session, seed) not in known
        chosen = new_entity(session, "PERSON", block, m.value or m.text, seed, profile.to_attrs(), flush=False,
                            free=free, plain=free)
        candidates.add(chosen)
    else:
        merged = person_match.Profile.from_attrs(chosen.attrs or {})
        merged.absorb(profile)
        chosen.attrs = merged.to_attrs()  # a new dict: JSON columns track assignment only
        if isinstance(chosen, EntityRow):
            chosen.profile = None
        candidates.changed(chosen)
    return chosen


# --------------------------------------------------------------------------
# the hooks
# --------------------------------------------------------------------------


def _record_values(session, document: DocumentRow) -> dict:
    return field_values(document.record)


def _value_key(m: MentionRow, plates: dict[int, str]) -> tuple[str, str] | None:
    """(type, key) of a mention resolved by its value; None when it has none."""
    if m.type == "VEHICLE":
        key = entity_keys.folded_key(m.value)
        plate = plates.get((m.attrs or {}).get("plate"))
        if plate and not entity_keys.is_partial_plate(plate):
            # A description alone ("silver astra") is many cars; with its
            # full plate it is one.
            key = f"{key}|{plate}"
        return ("VEHICLE", key) if key else None
    key = entity_keys.entity_key(m.type, m.value)
    return (m.type, key) if key else None


def resolve_document(session, document: DocumentRow, mentions: list[MentionRow], *, replay: bool = True,
                     fresh: bool = False, facts: DocumentFacts | None = None, values: dict | None = None,
                     ) -> dict[int, Entity] | None:
    """Resolve one document's mentions (in the order given: the indexes in
    Mention.attrs refer to it), write its links, refresh touched counts.

    ``fresh``: a document being stored (document_writes.apply_analysis),
    with its ``facts`` and record ``values`` in hand and its mentions not
    inserted yet: they are inserted with their new entities in one flush,
    and the counts of what they name updated by delta (count_document).
    Every other caller (reprocessing, approval, rebuild) recounts from the
    mentions (refresh_stats).

    Returns, for a fresh document counted by delta, its entities by id as
    they stand now (triage reads their counts without a query); else None."""
    if not fresh:
        session.flush()
        facts = facts_for(session, [document.id]).get(document.id)
        values = _record_values(session, document)
    profiles = _person_profiles(document, mentions, values or {}, _seen_year(facts))
    touched: set[int] = set()
    plates: dict[int, str] = {}
    for i, m in enumerate(mentions):
        if m.type == "VRM":
            plates[i] = entity_keys.exact_key("VRM", m.value)
    value_keys = {i: _value_key(m, plates) for i, m in enumerate(mentions)
                  if not (m.type == "PERSON" and i in profiles)}
    person_pids = ([entity_ids.public_id(session, _person_seed(document, m, i))
                    for i, m in enumerate(mentions) if i not in value_keys] if fresh else [])
    asked = [(_block_of(m), profiles[i]) for i, m in enumerate(mentions) if i not in value_keys]
    known, people, top = entities_for_document(
        session, [tk for tk in value_keys.values() if tk is not None], [b for b, _p in asked], fresh=fresh,
        person_pids=person_pids, person_profiles=asked)
    was_resolved = False
    chosen: list[Entity | None] = []
    for i, m in enumerate(mentions):
        if m.entity_pk is not None:
            touched.add(m.entity_pk)
            was_resolved = True
        ent = None
        if i not in value_keys:
            ent = _resolve_person(session, m, document, i, profiles[i], people, known if fresh else None)
            m.attrs = {**(m.attrs or {}), "_profile": profiles[i].to_attrs()}
        elif (tk := value_keys[i]) is not None:
            ent = entity_by_value(session, tk[0], tk[1], m.value, known, plain=fresh)
        chosen.append(ent)
    # ``top`` holds unless resolution above inserted an entity itself (it
    # makes them pending, to insert here; an autoflush inserts none).
    if fresh:
        write_entity_attrs(session, chosen)
    insert_new_entities(session, chosen, top if fresh else None)
    for m, ent in zip(mentions, chosen):
        m.entity_pk = ent.id if ent is not None else None
        if ent is not None:
            touched.add(ent.id)
    if fresh:
        insert_mentions(session, mentions)
    else:
        session.flush()
    touched |= link_document(session, document, mentions, fresh=fresh)
    vrms = sorted({m.entity_pk for m in mentions if m.type == "VRM" and m.entity_pk})
    in_use = {e.id: e for e in chosen if e is not None}
    link_partial_plates_of(session, [in_use.get(ent_id) or session.get(Entity, ent_id) for ent_id in vrms])
    replayed: set[int] = (replay_for_document(session, document)
                          if replay and (not fresh or _any_decision(session)) else set())
    in_hand: dict[int, Entity] | None = None
    if fresh and not was_resolved and not replayed:
        if document.duplicate_of_id is None:
            count_document(session, facts, [e for e in chosen if e is not None])
        # else: a copy counts for nothing; the counts stand.
        in_hand = {e.id: e for e in chosen if e is not None}
    else:
        refresh_stats(session, touched | replayed)
    if not fresh:
        session.flush()
    log.debug("resolved document %s: %d mentions, %d entities touched", document.id, len(mentions), len(touched))
    return in_hand


def _any_decision(session) -> bool:
    """Whether the store holds any officer decision, asked once per
    transaction (decisions are made in the review app's transactions, never
    in one that stores messages): with none, a new document has none to
    replay."""
    key = ANY_DECISION  # usually answered by entities_for_document's query
    if key not in session.info:
        session.info[key] = session.scalar(select(EntityDecisionDocument.id).limit(1)) is not None
    return session.info[key]


def unresolve_document(session, document: DocumentRow) -> None:
    """Before a document's mentions are deleted (reprocessing, disposal):
    detach them and its links, and recount the entities they were in. An
    entity left with no mentions stays (its public id may be exported or
    named in a decision) with counts of zero."""
    mentions = session.scalars(select(MentionRow).where(MentionRow.document_pk == document.id)).all()
    touched = {m.entity_pk for m in mentions if m.entity_pk is not None}
    for m in mentions:
        m.entity_pk = None
    session.flush()
    touched |= link_document(session, document, [])
    refresh_stats(session, touched)


def clear_entities(session) -> None:
    session.flush()
    session.execute(update(MentionRow).values(entity_pk=None))
    session.execute(delete(EntityLink))
    session.execute(delete(EntityFact))
    session.execute(update(Entity).values(merged_into_id=None))
    session.execute(delete(Entity))
    session.flush()
    session.expire_all()


def rebuild_entities(session) -> int:
    """From scratch: every document in use with mentions, in id order, each
    officer's decision replayed just before the first document that arrived
    after it was made. (A document approved later than it arrived is
    resolved at its arrival's place here; only the order of ties between
    equally good person matches can differ from the incremental result.)"""
    clear_entities(session)
    decisions = session.scalars(
        select(EntityDecision).where(EntityDecision.revoked.is_(False)).order_by(EntityDecision.id)
    ).all()
    pending = list(decisions)
    doc_ids = session.scalars(
        select(MentionRow.document_pk).distinct()
        .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
        .where(DocumentRow.status.in_(RESOLVED_STATUSES))
        .order_by(MentionRow.document_pk)
    ).all()
    for doc_id in doc_ids:
        while pending and int((pending[0].payload or {}).get("after_document_pk") or 0) < doc_id:
            apply_decision(session, pending.pop(0))
        doc = session.get(DocumentRow, doc_id)
        mentions = session.scalars(
            select(MentionRow).where(MentionRow.document_pk == doc_id).order_by(MentionRow.id)
        ).all()
        resolve_document(session, doc, list(mentions), replay=False)
    for d in pending:
        apply_decision(session, d)
    session.flush()
    return session.scalar(select(func.count()).select_from(Entity).where(Entity.merged_into_id.is_(None))) or 0
