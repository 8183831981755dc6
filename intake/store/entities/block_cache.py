"""The people of surname blocks, kept by a SQLite writer between
documents, so a document being stored reads only the entities changed since
the last one it read instead of its blocks' every person.

Why: a block (the Soundex of a surname) grows with the store. On the commit
bench a message read 334 people of its blocks at 11,000 messages against 89
at 2,000, and reading and scoring them made the commit's cost per message
double from 2,000 to 20,000 messages. With the blocks kept here, and each
indexed by its people's names (matching/person_candidates.py), a document
reads the rows changed since, and scores only the people its names can
match.

Why it stays true: on SQLite, triggers (migration 0013) give every insert
and update of an entity the next change number, and count deletions,
whatever writes it (resolution, an officer's merge in the review app,
another process). The cache holds its blocks as of a number; the document's
first statement (rows.entities_for_document) reads the rows numbered after
it, with the current number and deletion count. A changed deletion count
drops everything. SQLite has one writer at a time, so every number below
the one read is committed or belongs to this connection's own transaction.
A rollback gives those numbers out again, so any rollback on the connection
(transaction, savepoint, the pool's reset of an unfinished transaction, an
invalidated connection) drops the cache. It lives in the DBAPI connection's
``info``: one connection's transaction is never read by another.

PostgreSQL has no triggers and no cache: its writers commit concurrently,
so a change numbered earlier can be committed later and would be missed.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import event, text

from intake.matching import person_match
from intake.matching.person_candidates import BlockIndex

INFO_KEY = "intake.person_blocks"
_NO_TRIGGERS = "intake.person_blocks.off"
# Migration 0013's triggers: without all three the cache would go stale.
TRIGGERS = ("entities_numbered_on_insert", "entities_numbered_on_update", "entities_counted_on_delete")
# Rows kept per connection, whole blocks dropped least recently used first.
# About 2 kB a person (row, attrs, profile, index) with the writer's one
# connection: some 60 MB at most.
MAX_ROWS = 30_000


def profile_of(ent) -> person_match.Profile:
    """An entity's person profile; an EntityRow keeps it (a block's people
    are scored again and again)."""
    remember = getattr(ent, "remember_profile", None)
    if remember is None:
        return person_match.Profile.from_attrs(ent.attrs or {})
    if ent.profile is None:
        remember(person_match.Profile.from_attrs(ent.attrs or {}))
    return ent.profile


class _Block:
    __slots__ = ("rows", "index")

    def __init__(self) -> None:
        self.rows: dict[int, object] = {}  # entity id -> EntityRow, as stored
        self.index = BlockIndex()


class BlockCache:
    """Whole surname blocks (their live people), as of change ``number``."""

    def __init__(self) -> None:
        self.blocks: OrderedDict[str, _Block] = OrderedDict()
        self.where: dict[int, str] = {}  # entity id -> its cached block
        self.number: int | None = None
        self.deletions: int | None = None
        self.size = 0

    def __contains__(self, key: str) -> bool:
        return key in self.blocks

    def start(self, key: str) -> None:
        """A block read in full by the statement whose rows come next."""
        self.blocks[key] = _Block()

    def apply(self, row) -> None:
        """A row as stored now (EntityRow): kept in its block if it is a
        live person of a cached block, dropped from the one it was in if it
        moved, merged or is no longer a person."""
        live = row.type == "PERSON" and row.merged_into_id is None
        old = self.where.get(row.id)
        if old is not None and (not live or old != row.key):
            blk = self.blocks[old]
            del blk.rows[row.id]
            blk.index.remove(row.id)
            del self.where[row.id]
            self.size -= 1
        if live:
            blk = self.blocks.get(row.key)
            if blk is not None:
                if row.id not in blk.rows:
                    self.size += 1
                blk.rows[row.id] = row
                blk.index.add(row.id, profile_of(row))
                self.where[row.id] = row.key

    def clear(self) -> None:
        self.blocks.clear()
        self.where.clear()
        self.size = 0
        self.number = self.deletions = None

    def used(self, keys) -> None:
        """These blocks were just used; the least recently used go first
        when the cache holds more than MAX_ROWS people."""
        for k in keys:
            if k in self.blocks:
                self.blocks.move_to_end(k)
        keep = set(keys)
        while self.size > MAX_ROWS:
            key = next((k for k in self.blocks if k not in keep), None)
            if key is None:
                break
            blk = self.blocks.pop(key)
            for pk in blk.rows:
                del self.where[pk]
            self.size -= len(blk.rows)

    def row(self, pk: int):
        return self.blocks[self.where[pk]].rows[pk]

    def people(self, key: str, take) -> "CachedPeople":
        return CachedPeople(self.blocks[key], take)


class CachedPeople:
    """A cached block as a document's resolution sees it: the people its
    index offers for a profile, each as the document works on it (``take``:
    entity id -> the session's object, or the document's copy of the row),
    and the people this document made or changed (the index has not seen
    them)."""

    __slots__ = ("_block", "_take", "_extra")

    def __init__(self, block: _Block, take) -> None:
        self._block = block
        self._take = take
        self._extra: list = []

    def candidates(self, profile: person_match.Profile) -> list:
        return self._with_extra(sorted(self._block.index.candidates(profile)))

    def __iter__(self):
        """Every person of the block, oldest first, then those made here."""
        return iter(self._with_extra(sorted(self._block.rows)))

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
    if info.get(_NO_TRIGGERS):
        return None
    names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'entities'"))
                .scalars())
    if not names.issuperset(TRIGGERS):
        info[_NO_TRIGGERS] = True
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
