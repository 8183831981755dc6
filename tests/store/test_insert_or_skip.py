"""The write path's INSERT ... ON CONFLICT DO NOTHING (store/insert_or_skip.py):
it sends the SQL the dialects' own on_conflict_do_nothing() sends, skips the
rows already stored (and only those) on SQLite and PostgreSQL, and is taken
from the statement cache after its first use, which the dialects' form never
is. And inbound.finish, a Core update, still updates a row the session holds."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.default import DefaultExecutionContext

from intake.store import inbound, repository
from intake.store.db import Store
from intake.store.insert_or_skip import InsertOrSkip
from intake.store.models import Blob, Entity, EntityFact, Inbound
from intake.types import RawMessage


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_the_sql_is_the_dialects_own(dialect):
    ours = InsertOrSkip(Blob.__table__, ["sha256"])
    theirs = (postgresql if dialect.name == "postgresql" else sqlite).insert(Blob.__table__)
    assert str(ours.compile(dialect=dialect)) == str(theirs.on_conflict_do_nothing(index_elements=["sha256"])
                                                     .compile(dialect=dialect))
    facts = EntityFact.__table__
    ours = InsertOrSkip(facts).returning(facts.c.entity_pk, facts.c.kind)
    theirs = (postgresql if dialect.name == "postgresql" else sqlite).insert(facts)
    assert str(ours.compile(dialect=dialect)) == str(theirs.on_conflict_do_nothing()
                                                     .returning(facts.c.entity_pk, facts.c.kind).compile(dialect=dialect))


def test_targets_do_not_share_a_cache_key():
    t = EntityFact.__table__
    made = [InsertOrSkip(t, cols)._generate_cache_key() for cols in ((), ["entity_pk"], ["entity_pk", "kind"])]
    assert all(k is not None for k in made)
    assert len({k.key for k in made}) == 3
    assert InsertOrSkip(t, ["entity_pk"])._generate_cache_key().key == made[1].key  # the same target: one key


def _skips_stored_rows_and_is_cached(store: Store):
    hits: list[str] = []

    def seen(conn, cursor, statement, parameters, context: DefaultExecutionContext, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ENTITY_FACTS"):
            hits.append(str(context.cache_hit))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.transaction() as s:
            e = Entity(public_id="ent_x", type="PHONE", key="+447700900001", display="07700 900001", attrs={})
            s.add(e)
            s.flush()
            stmt = InsertOrSkip(EntityFact.__table__).returning(EntityFact.__table__.c.entity_pk,
                                                                EntityFact.__table__.c.value)
            first = set(s.execute(stmt, [{"entity_pk": e.id, "kind": "agency", "value": "Met"},
                                         {"entity_pk": e.id, "kind": "agency", "value": "Kent"}]))
            again = set(s.execute(stmt, [{"entity_pk": e.id, "kind": "agency", "value": "Kent"},
                                         {"entity_pk": e.id, "kind": "agency", "value": "Essex"}]))
            rows = sorted(s.scalars(select(EntityFact.value).where(EntityFact.entity_pk == e.id)))
        assert first == {(e.id, "Met"), (e.id, "Kent")}
        assert again == {(e.id, "Essex")}  # Kent was there: skipped, not an error, not returned
        assert rows == ["Essex", "Kent", "Met"]
        assert hits and "NO_CACHE" not in hits[-1] and "HIT" in hits[-1]
        # The blobs' form: the stored bytes stay as they were.
        with store.transaction() as s:
            repository.ensure_blobs(s, [("a" * 64, b"first"), ("b" * 64, b"other")])
        with store.transaction() as s:
            repository.ensure_blobs(s, [("a" * 64, b"second"), ("c" * 64, b"third")])
            assert {b.sha256[0]: b.data for b in s.scalars(select(Blob))} == {"a": b"first", "b": b"other",
                                                                               "c": b"third"}
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)


def test_skips_stored_rows_and_is_cached_sqlite(store):
    _skips_stored_rows_and_is_cached(store)


def test_skips_stored_rows_and_is_cached_postgresql(postgres_store):
    _skips_stored_rows_and_is_cached(postgres_store)


def test_finish_updates_a_row_the_session_holds(store):
    with store.transaction() as s:
        inbound_id, _new = inbound.receive(s, RawMessage("test:1", b"Subject: x\r\n\r\nbody\r\n"), "test")
    with store.transaction() as s:
        held = s.get(Inbound, inbound_id)
        assert held.state == "received"
        inbound.finish(s, inbound_id, None)
        assert (held.state, held.error) == ("done", None) and held.finished_at is not None
        assert s.scalar(select(Inbound.state).where(Inbound.id == inbound_id)) == "done"
