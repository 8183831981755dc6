"""A document's entities as plain rows: what the mentions of a document
being stored can resolve to, read in one query (entities_for_document), and
the row class resolution scores and updates (EntityRow) without building an
ORM object for each of a surname block's people.
"""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy import Text, and_, bindparam, cast, false, func, inspect, literal, or_, select, type_coerce, update
from sqlalchemy.types import NullType

from intake.matching import entity_keys
from intake.store.entities import block_cache
from intake.store.entities import ids as entity_ids
from intake.store.models import Entity, EntityChanges, EntityDecisionDocument

ANY_DECISION = "intake.any_entity_decision"  # session.info: whether the store holds officer decisions


class _Seen:
    """An EntityRow's first or last seen: as read (the driver's value),
    both turned into aware datetimes on first use (EntityRow._turn)."""

    def __init__(self, slot: str):
        self.slot = slot

    def __get__(self, row, owner=None):
        if row is None:
            return self
        if row._seen_as is not None:
            row._turn()
        return getattr(row, self.slot)

    def __set__(self, row, value) -> None:
        if row._seen_as is not None:
            row._turn()  # the other one too, before this one is replaced
        setattr(row, self.slot, value)


class EntityRow:
    """A stored entity read as plain columns, for a document being stored:
    resolution reads a surname block's every person and scores them, and
    building an ORM object for each (most of which are not chosen) was most
    of resolution's cost. What resolution changes on one (a person's
    profile, the counts) is written with Core statements
    (write_entity_attrs, count_document). ``profile``: its attrs as a
    person_match.Profile, parsed once."""

    __slots__ = ("id", "public_id", "type", "key", "attrs", "merged_into_id", "document_count", "agency_count",
                 "submitter_count", "_first_seen", "_last_seen", "facts_indexed", "profile", "stored_attrs", "new",
                 "read_as", "_seen_as")

    def __init__(self, row, new: str | None = None, profile=None, seen_as=None):
        (self.id, self.public_id, self.type, self.key, self.attrs, self.merged_into_id, self.document_count,
         self.agency_count, self.submitter_count, self._first_seen, self._last_seen, self.facts_indexed) = row
        # Read as the driver gives them (read): turned into aware datetimes
        # on first use, as only the entities a document names are used.
        self._seen_as = seen_as
        self.profile = profile
        self.stored_attrs = self.attrs
        # What its stored attrs text was read as: while attrs is still that
        # object, a profile made of it may be remembered there.
        self.read_as: _Parsed | None = None
        # Made by new_entity, not inserted yet: its display (not read otherwise).
        self.new = new

    @classmethod
    def read(cls, row, dialect, seen_as) -> "EntityRow":
        """A row of _ROW_COLUMNS (attrs as stored text, first and last seen
        as the driver gives them, turned by ``seen_as``: _seen_processor)."""
        raw = row[ATTRS_AT]
        parsed = _parsed(raw, dialect) if raw is not None else None
        attrs, profile = (parsed.attrs, parsed.profile) if parsed is not None else (None, None)
        e = cls((*row[:ATTRS_AT], attrs, *row[ATTRS_AT + 1:]), profile=profile, seen_as=seen_as)
        e.read_as = parsed
        return e

    def _turn(self) -> None:
        """Both values turned at once, so none is ever turned twice."""
        process, self._seen_as = self._seen_as, None
        if self._first_seen is not None:
            self._first_seen = process(self._first_seen)
        if self._last_seen is not None:
            self._last_seen = process(self._last_seen)

    first_seen = _Seen("_first_seen")
    last_seen = _Seen("_last_seen")

    def remember_profile(self, profile) -> None:
        """Its profile, made of its attrs as read: kept for the next
        document naming someone of its block (not once resolution has
        changed its attrs: that text would then give the wrong profile)."""
        self.profile = profile
        if self.read_as is not None and self.read_as.attrs is self.attrs:
            self.read_as.profile = profile


# attrs as the stored text (ATTRS_AT), read through _parsed: a surname
# block's people are read for every document naming one of them, and the
# JSON type's processing of each row (and, in an encrypted store, opening
# it) was most of reading them once blocks grew to hundreds.
# First and last seen likewise come as the driver gives them (a string on
# SQLite) and are turned into aware datetimes only for the entities a
# document names (EntityRow.first_seen): turning both for each of a block's
# people was about a fifth of reading the rows (profiled at 10,000 messages).
_ROW_COLUMNS = (Entity.id, Entity.public_id, Entity.type, Entity.key, cast(Entity.attrs, Text),
                Entity.merged_into_id, Entity.document_count, Entity.agency_count, Entity.submitter_count,
                type_coerce(Entity.first_seen, NullType()), type_coerce(Entity.last_seen, NullType()),
                Entity.facts_indexed)
ATTRS_AT = 4


@lru_cache(maxsize=8)
def _seen_processor(dialect):
    """What the column type does to a first/last seen value the driver
    gives: the same function an ORM read applies."""
    col = Entity.__table__.c.first_seen
    return col.type.dialect_impl(dialect).result_processor(dialect, None) or (lambda v: v)


class _Parsed:
    """An attrs text as the column type gives it, and the person profile
    made of it once one is (person_match.Profile). Shared by every row read
    with that text; the attrs are never changed in place (resolution assigns
    a new dict), and a profile is only read."""

    __slots__ = ("attrs", "profile")

    def __init__(self, attrs):
        self.attrs = attrs
        self.profile = None


# Equal text is equal attrs, so nothing remembered goes stale. Bounded; held
# in memory only.
@lru_cache(maxsize=32768)
def _parsed(raw: str, dialect) -> _Parsed:
    return _Parsed(Entity.__table__.c.attrs.type.process_result_value(json.loads(raw), dialect))


_UPDATE_ATTRS = (update(Entity.__table__).where(Entity.__table__.c.id == bindparam("b_id"))
                 .values(attrs=bindparam("b_attrs")))  # built once: it keeps its cache key


def write_entity_attrs(session, rows) -> None:
    """The attrs resolution changed on EntityRows, in one executemany; an
    unchanged one is not written (as the ORM would not)."""
    params = [{"b_id": r.id, "b_attrs": r.attrs} for r in rows
              if isinstance(r, EntityRow) and r.new is None and r.attrs != r.stored_attrs]
    if params:
        session.execute(_UPDATE_ATTRS, params)
        for r in rows:
            if isinstance(r, EntityRow):
                r.stored_attrs = r.attrs


_FIRST_STATEMENTS: dict[tuple, object] = {}


def _first_statement(with_pids: bool, with_blocks: bool, ask: bool, sqlite: bool, fresh: bool,
                     numbered: bool = False, changes: bool = False, with_ids: bool = False):
    """entities_for_document's statement of a given shape, built once (a
    statement object remembers its cache key), its lists as expanding
    parameters "pids" and "blocks". ``numbered``: it also reads the store's
    last change number and deletion count (block_cache.py); ``changes``:
    and every entity changed after number "since"; ``with_ids``: and the
    entities of the ids "ids" (the people a block cache offers)."""
    shape = (with_pids, with_blocks, ask, sqlite, fresh, numbered, changes, with_ids)
    stmt = _FIRST_STATEMENTS.get(shape)
    if stmt is None:
        conds = []
        if with_pids:
            conds.append(Entity.public_id.in_(bindparam("pids", expanding=True)))
        if with_blocks:
            conds.append(and_(Entity.type == "PERSON", Entity.key.in_(bindparam("blocks", expanding=True)),
                              Entity.merged_into_id.is_(None)))
        if changes:
            conds.append(Entity.change_no > bindparam("since"))
        if with_ids:
            conds.append(Entity.id.in_(bindparam("ids", expanding=True)))
        extra = [func.max(Entity.id).label("top") if sqlite else literal(None).label("top")]
        if ask:
            extra.append(select(EntityDecisionDocument.id).limit(1).scalar_subquery().label("decision"))
        if numbered:
            extra += [select(EntityChanges.last_no).where(EntityChanges.id == 1).scalar_subquery().label("last_no"),
                      select(EntityChanges.deletions).where(EntityChanges.id == 1).scalar_subquery()
                      .label("deletions")]
        one = select(*extra).subquery()
        what = _ROW_COLUMNS if fresh else (Entity,)
        stmt = _FIRST_STATEMENTS[shape] = (select(*what, *one.c).select_from(one)
                                           .outerjoin(Entity, or_(*conds) if conds else false())
                                           .order_by(Entity.id))
    return stmt


def _people_in_flight(session) -> bool:
    """Whether the session holds a person it has not written (new, changed
    or deleted): the stored rows, and a cache of them, would not be what
    resolution must see."""
    return any(isinstance(o, Entity) and o.type == "PERSON"
               for group in (session.new, session.dirty, session.deleted) for o in group)


def entities_for_document(session, type_keys, person_blocks, *, fresh: bool = False, person_pids=(),
                          person_profiles=()) -> tuple[dict[str, Entity], dict[str, list[Entity]], int | None]:
    """What a document's mentions can resolve to, in one query: the stored
    entities of its values by public id, and the live people of each
    surname block (resolve.py scores a person against those a block offers:
    block_cache.CachedPeople or ListedPeople). The same statement reads the
    largest entity id (insert_new_entities, on SQLite) and, for a document
    being stored, once per transaction, whether any officer decision exists
    (resolve.py _any_decision), from a one-row derived table the entities
    are outer-joined to.

    ``fresh``: a document being stored; its entities come back as EntityRows
    (an entity this session already holds as an object stays that object),
    and ``person_pids``, the public ids its person mentions would give new
    people, are looked up too (in ``known``: new_entity need not look each
    up again). On SQLite its blocks come from the connection's block cache:
    the statement reads in full only the blocks the cache lacks; of the
    others, the people the cache's index offers for ``person_profiles``
    ((block, person_match.Profile) of each person mention), and every
    entity changed since the cache last read."""
    pids = sorted({entity_ids.public_id(session, entity_keys.id_seed(t, k)) for t, k in type_keys}
                  | set(person_pids))
    blocks = sorted(set(person_blocks))
    known: dict[str, Entity] = {}
    top: int | None = None
    wanted = set(pids)
    mapper = inspect(Entity)
    held = session.identity_map
    dialect = session.get_bind().dialect
    seen_as = _seen_processor(dialect)  # once, not per row of a block
    what = _ROW_COLUMNS if fresh else (Entity,)
    # A document being stored reads plain columns: through the Core
    # connection, without the ORM's loading of each row (which took half of
    # the query's time on a 500-person block). Nothing it must see is left unflushed:
    # resolve_document inserts the entities it makes before it returns, and
    # an entity changed but not flushed is read from the session below.
    conn = session.connection() if fresh else None
    execute = conn.execute if fresh else session.execute
    cache = block_cache.for_connection(conn) if fresh and blocks and len(pids) <= 400 and len(blocks) <= 400 else None
    if cache is not None and not _people_in_flight(session):
        return _through_cache(session, cache, execute, pids, blocks, person_profiles, wanted, dialect, seen_as)
    people: dict[str, list[Entity]] = {b: block_cache.ListedPeople() for b in blocks}
    for i in range(0, max(len(pids), len(blocks)), 400):
        if i == 0:
            ask = fresh and ANY_DECISION not in session.info
            shape = (bool(pids), bool(blocks), ask, session.get_bind().dialect.name == "sqlite", fresh)
            params = {}
            if pids:
                params["pids"] = pids[:400]
            if blocks:
                params["blocks"] = blocks[:400]
            rows = execute(_first_statement(*shape), params).all()
            top = rows[0].top  # the derived table's one row: never empty
            if ask:
                session.info[ANY_DECISION] = rows[0].decision is not None
            found = [r[:len(what)] for r in rows if r[0] is not None]
        else:
            # Beyond the first 400 of either list (a long document): built
            # here, as it is rare; the first statement is built once.
            found = execute(select(*what).where(_any_of(pids[i:i + 400], blocks[i:i + 400])).order_by(Entity.id)).all()
        for r in found:
            if fresh:
                e = held.get(mapper.identity_key_from_primary_key([r[0]]))
                if e is None:
                    e = EntityRow.read(r, dialect, seen_as)
            else:
                e = r[0]
            if e.public_id in wanted:
                known[e.public_id] = e
            if e.type == "PERSON" and e.merged_into_id is None and e.key in people:
                people[e.key].append(e)
    return known, people, top


def _any_of(pids, blocks):
    conds = []
    if pids:
        conds.append(Entity.public_id.in_(pids))
    if blocks:
        conds.append(and_(Entity.type == "PERSON", Entity.key.in_(blocks), Entity.merged_into_id.is_(None)))
    return or_(*conds)


# More ids than this offered for one document (an initial in a block of
# thousands) and the blocks are read in full instead.
_MAX_IDS = 2000


def _through_cache(session, cache, execute, pids, blocks, asked, wanted, dialect, seen_as):
    """entities_for_document's one statement with the block cache: the
    values' entities by public id, the blocks the cache lacks in full, the
    people its index offers for the document's person mentions, and every
    entity changed since the cache's number, all applied to it.

    The index is as of that number, and the rows read are as of now; what
    it offers is still everyone the document can match: a person whose
    names are the same offers the same, and one whose names (or block, or
    merge) changed since, or who is new, is among the changed rows."""
    mapper = inspect(Entity)
    held = session.identity_map
    missing = [b for b in blocks if b not in cache]
    ids = sorted({pk for b, profile in asked if b in cache for pk in cache.candidates(b, profile)})
    if len(ids) > _MAX_IDS:
        # Read this document's blocks in full (and index them afresh); the
        # cache's other blocks stand.
        missing, ids = blocks, []
    ask = ANY_DECISION not in session.info
    since = cache.number
    shape = (bool(pids), bool(missing), ask, True, True, True, since is not None, bool(ids))
    params = {}
    if pids:
        params["pids"] = pids
    if missing:
        params["blocks"] = missing
    if since is not None:
        params["since"] = since
    if ids:
        params["ids"] = ids
    rows = execute(_first_statement(*shape), params).all()
    head = rows[0]  # the derived table's one row: never empty
    if ask:
        session.info[ANY_DECISION] = head.decision is not None
    width = len(_ROW_COLUMNS)
    found = [EntityRow.read(r[:width], dialect, seen_as) for r in rows if r[0] is not None]
    if cache.deletions is not None and head.deletions != cache.deletions:
        # Entities were deleted since: no row says which. Start again, and
        # read in full the blocks this statement took from the cache.
        cache.clear()
        again = [b for b in blocks if b not in missing]
        if again:  # (with none, _any_of would be an empty OR: every entity)
            found += [EntityRow.read(r, dialect, seen_as) for r in execute(
                select(*_ROW_COLUMNS).where(_any_of([], again)).order_by(Entity.id)).all()]
        missing = blocks
    for b in missing:
        cache.start(b)
    for e in found:
        cache.apply(e)
    cache.number, cache.deletions = head.last_no, head.deletions
    cache.used(blocks)
    latest = {e.id: e for e in found}
    # One object per entity for the whole document: the session's, if it
    # holds one, else the row read now.
    working: dict[int, object] = {}

    def take(pk):
        ent = working.get(pk)
        if ent is None:
            ent = held.get(mapper.identity_key_from_primary_key([pk]))
            if ent is None:
                ent = latest.get(pk)
                if ent is None:
                    # Cannot happen (see above); read rather than miss a person.
                    ent = EntityRow.read(execute(select(*_ROW_COLUMNS).where(Entity.id == pk)).one(), dialect,
                                         seen_as)
            working[pk] = ent
        return ent

    known: dict[str, Entity] = {e.public_id: take(e.id) for e in found if e.public_id in wanted}
    people = {b: block_cache.CachedPeople(cache.blocks[b], take) for b in blocks}
    return known, people, head.top


_PARTIAL_PLATES = select(Entity).where(Entity.type == "VRM", Entity.merged_into_id.is_(None),
                                       Entity.key.like("%*%"))


def partial_plates_fitting(session, fulls: list[str]) -> list[Entity]:
    """The live partial plates some of these full plates may fit, in a store
    in clear: each stored key read as a LIKE pattern by the database, rather
    than every partial plate of the store built as an object (the caller's
    plate_consistent decides; LIKE, blind to case, lets through more, never
    fewer), in the order the store's whole list came in."""
    if not fulls:
        return []
    return list(session.scalars(_PARTIAL_PLATES.where(
        or_(*[literal(k).like(func.replace(Entity.key, "*", "%")) for k in fulls]))))
