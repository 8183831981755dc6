"""The surname blocks a SQLite writer has read, kept between documents as
the names of their people, so a document reads only the people its names
can match and the entities changed since, instead of its blocks' every
person.

Why: a block (the Soundex of a surname) grows with the store. On the commit
bench a message read 334 people of its blocks at 11,000 messages against 89
at 2,000, and reading and scoring them made the commit's cost per message
double from 2,000 to 20,000 messages. Here each cached block is an index of
its people's forenames and aliases (matching/person_candidates.py); the
document's one statement (rows.entities_for_document) reads the people it
offers for the document's person mentions, in full the blocks it lacks,
and every entity changed since it last read, which it then applies.

Why it stays true: on SQLite, triggers (migration 0013) give every insert
and update of an entity the next change number, and count deletions,
whatever writes it (resolution, an officer's merge in the review app,
another process). The cache is as of a number; the statement reads the
rows numbered after it, with the current number and deletion count. A
changed deletion count drops everything. SQLite has one writer at a time,
so every number below the one read is committed or belongs to this
connection's own transaction. A rollback gives those numbers out again, so
any rollback on the connection (transaction, savepoint, the pool's reset of
an unfinished transaction, an invalidated connection) drops the cache. It
lives in the DBAPI connection's ``info``: one connection's transaction is
never read by another. It holds names and ids only, never a row: a
document works on the rows read for it.

PostgreSQL has no triggers and no cache: its writers commit concurrently,
so a change numbered earlier can be committed later and would be missed.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import event, text

from intake.matching import person_match
from intake.matching.person_candidates import BlockIndex

INFO_KEY = "intake.person_blocks"
# Whether the store has the triggers, asked once per connection: a dropped
# cache (any rollback) does not ask again.
_HAS_TRIGGERS = "intake.person_blocks.triggers"
# Migration 0013's triggers: without all three the cache would go stale.
TRIGGERS = ("entities_numbered_on_insert", "entities_numbered_on_update", "entities_counted_on_delete")
# People kept per connection, whole blocks dropped least recently used
# first. A person costs the cache about 200 bytes (its id and the names it
# is indexed by, measured with a forename of its own): some 40 MB at most.
MAX_PEOPLE = 200_000


def profile_of(ent) -> person_match.Profile:
    """An entity's person profile; an EntityRow keeps it (a block's people
    are scored again and again)."""
    remember = getattr(ent, "remember_profile", None)
    if remember is None:
        return person_match.Profile.from_attrs(ent.attrs or {})
    if ent.profile is None:
        remember(person_match.Profile.from_attrs(ent.attrs or {}))
    return ent.profile


class BlockCache:
    """The live people of whole surname blocks, as of change ``number``:
    for each, the names it is indexed by (BlockIndex), not its row. A
    document reads the rows of the people its names can match, with the
    rows changed since (rows.entities_for_document)."""

    def __init__(self) -> None:
        self.blocks: OrderedDict[str, BlockIndex] = OrderedDict()
        self.where: dict[int, str] = {}  # entity id -> its cached block
        self.number: int | None = None
        self.deletions: int | None = None

    def __contains__(self, key: str) -> bool:
        return key in self.blocks

    @property
    def size(self) -> int:
        return len(self.where)

    def start(self, key: str) -> None:
        """A block read in full by the statement whose rows come next (its
        people are indexed again as they come)."""
        for pk in self.blocks.pop(key, ()):
            del self.where[pk]
        self.blocks[key] = BlockIndex()

    def candidates(self, key: str, profile: person_match.Profile) -> set[int]:
        return self.blocks[key].candidates(profile)

    def apply(self, row) -> None:
        """A row as stored now (EntityRow): indexed in its block if it is a
        live person of a cached block, dropped from the one it was in if it
        moved, merged or is no longer a person."""
        live = row.type == "PERSON" and row.merged_into_id is None
        old = self.where.get(row.id)
        if old is not None and (not live or old != row.key):
            self.blocks[old].remove(row.id)
            del self.where[row.id]
        if live:
            index = self.blocks.get(row.key)
            if index is not None:
                index.add(row.id, profile_of(row))
                self.where[row.id] = row.key

    def clear(self) -> None:
        self.blocks.clear()
        self.where.clear()
        self.number = self.deletions = None

    def used(self, keys) -> None:
        """These blocks were just used; the least recently used go first
        when the cache holds more than MAX_PEOPLE people."""
        for k in keys:
            if k in self.blocks:
                self.blocks.move_to_end(k)
        keep = set(keys)
        while self.size > MAX_PEOPLE:
            key = next((k for k in self.blocks if k not in keep), None)
            if key is None:
                break
            for pk in self.blocks.pop(key):
                del self.where[pk]


class CachedPeople:
    """A cached block as a document's resolution sees it: the people its
    index offers for a profile, each as the document works on it (``take``:
    entity id -> the session's object, or the row read for this document),
    and the people this document made or changed (the index has not seen
    them)."""

    __slots__ = ("_index", "_take", "_extra")

    def __init__(self, index: BlockIndex, take) -> None:
        self._index = index
        self._take = take
        self._extra: list = []

    def candidates(self, profile: person_match.Profile) -> list:
        return self._with_extra(sorted(self._index.candidates(profile)))

    def __iter__(self):
        """Every person of the block, oldest first, then those made here
        (each read: for tests and tools, not for resolution)."""
        return iter(self._with_extra(sorted(self._index)))

    def _with_extra(self, pks) -> list:
        out = [self._take(pk) for pk in pks]
        seen = {id(e) for e in out}
        return out + [e for e in self._extra if id(e) not in seen]

    def add(self, ent) -> None:
        if not any(e is ent for e in self._extra):
            self._extra.append(ent)

    changed = add


class ListedPeople(list):
    """A block read in full (no cache): every person is a candidate."""

    def candidates(self, profile: person_match.Profile) -> list:
        return self

    add = list.append

    def changed(self, ent) -> None:
        pass  # scored anyway


def for_connection(conn) -> BlockCache | None:
    """The cache of this connection's DBAPI connection; None off SQLite or
    on a store without the triggers."""
    if conn.dialect.name != "sqlite":
        return None
    info = conn.info
    cache = info.get(INFO_KEY)
    if cache is not None:
        return cache
    if _HAS_TRIGGERS not in info:
        names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                                      "'entities'")).scalars())
        info[_HAS_TRIGGERS] = names.issuperset(TRIGGERS)
    if not info[_HAS_TRIGGERS]:
        return None
    _listen(conn.engine)
    cache = info[INFO_KEY] = BlockCache()
    return cache


def _drop(conn, *_args) -> None:
    conn.info.pop(INFO_KEY, None)


def _drop_if_rolled_back(_dbapi_conn, record, reset_state) -> None:
    # The pool resets every connection returned to it. After a commit, or a
    # rollback _drop saw, there is nothing left to undo; transaction_was_reset
    # says the Connection closed with its transaction still open and rolled
    # it back inline, which may not pass through the rollback event.
    if reset_state.transaction_was_reset:
        record.info.pop(INFO_KEY, None)


def _drop_record(_dbapi_conn, record, *_args) -> None:
    record.info.pop(INFO_KEY, None)


def _listen(engine) -> None:
    if event.contains(engine, "rollback", _drop):
        return
    event.listen(engine, "rollback", _drop)
    event.listen(engine, "rollback_savepoint", _drop)
    event.listen(engine, "rollback_twophase", _drop)
    event.listen(engine, "reset", _drop_if_rolled_back)
    event.listen(engine, "invalidate", _drop_record)
    event.listen(engine, "soft_invalidate", _drop_record)
