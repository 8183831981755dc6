"""The writer's cache of surname blocks (store/entities/block_cache.py):
whatever changes the store's people (another connection, a rollback, a
savepoint, a rebuild), a document resolves exactly as it would reading its
blocks afresh."""

from __future__ import annotations

import random
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, event, or_, select, update

from intake.store.db import Store
from intake.store.entities import block_cache
from intake.store.entities.resolve import rebuild_entities
from intake.store.models import Entity, EntityFact, EntityLink, MentionRow
from tests.store.test_write_path import NARRATIVES, _save

_N = iter(range(10_000, 1_000_000))


def _report(s, *names: str, when: str = "2026-01-20T10:00:00", n: int | None = None):
    n = next(_N) if n is None else n
    return _save(s, n, agency="Oakfield School", submitter="Worker", when=when,
                 narrative=f"{NARRATIVES[n % len(NARRATIVES)]} {n}", mentions=[("PERSON", x) for x in names])


def _person_of(s, name: str) -> list[int]:
    """The entities of the mentions of ``name``, in mention order."""
    return list(s.scalars(select(MentionRow.entity_pk).where(MentionRow.type == "PERSON", MentionRow.value == name)
                          .order_by(MentionRow.id)))


def _cache(s) -> block_cache.BlockCache | None:
    return s.connection().info.get(block_cache.INFO_KEY)


@contextmanager
def _statements(store):
    """The SQL the store's engine runs meanwhile, white space folded."""
    seen: list[str] = []

    def hear(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(store.engine, "before_cursor_execute", hear)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", hear)


def test_the_writer_keeps_the_blocks_it_resolved_against(store):
    with store.transaction() as s:
        _report(s, "Jason Smith")
    with store.transaction() as s:
        _report(s, "Jason Smith")
        cache = _cache(s)
        assert cache is not None and cache.size == 1
        assert len(set(_person_of(s, "Jason Smith"))) == 1


def test_a_person_named_three_times_in_one_report_is_one_person(store):
    with store.transaction() as s:
        _report(s, "Aaliyah", "Aaliyah", "Aaliyah", "Kayla Jones", "Kayla Jones")
    with store.transaction() as s:
        assert len(set(_person_of(s, "Aaliyah"))) == 1
        assert len(set(_person_of(s, "Kayla Jones"))) == 1


def test_a_change_made_through_another_connection_is_seen(store):
    """An officer corrects a person's forename in the review app (another
    connection, another process): the writer's next document sees it."""
    with store.transaction() as s:
        _report(s, "Jason Smith")
        (pk,) = set(_person_of(s, "Jason Smith"))
    other = Store(str(store.engine.url))
    try:
        with other.transaction() as o:
            o.execute(update(Entity).where(Entity.id == pk).values(
                attrs={"surnames": ["smith"], "given": ["kevin"], "aliases": [], "dobs": [], "birth_years": []}))
    finally:
        other.close()
    with store.transaction() as s:
        _report(s, "Kevin Smith")
        _report(s, "Jason Smith")
        assert _person_of(s, "Kevin Smith") == [pk]
        jasons = _person_of(s, "Jason Smith")
        assert jasons[0] == pk and jasons[1] != pk  # "Jason" is nobody now: a new person


def test_a_person_merged_away_elsewhere_is_no_candidate(store):
    with store.transaction() as s:
        _report(s, "Amy Jones")
        _report(s, "Amelia Jonas", when="2026-01-21T10:00:00")
        (amy,) = set(_person_of(s, "Amy Jones"))
        (amelia,) = set(_person_of(s, "Amelia Jonas"))
    other = Store(str(store.engine.url))
    try:
        with other.transaction() as o:
            o.execute(update(Entity).where(Entity.id == amy).values(merged_into_id=amelia))
    finally:
        other.close()
    with store.transaction() as s:
        _report(s, "Amy Jones")
        assert _person_of(s, "Amy Jones")[-1] not in (amy, amelia)


def test_a_rolled_back_transaction_leaves_nothing_behind(store):
    """The numbers and ids a rolled-back transaction took are given out
    again: what the cache read in it must go with it."""
    with store.transaction() as s:
        _report(s, "Oliver Twist")
    with pytest.raises(RuntimeError):
        with store.transaction() as s:
            _report(s, "Nancy Sikes")
            assert _cache(s) is not None
            raise RuntimeError("the commit failed")
    with store.transaction() as s:
        _report(s, "Nancy Sikes")
        _report(s, "Nancy Sikes")
    _one_person_in_two_reports(store, "Nancy Sikes")


def _one_person_in_two_reports(store, name: str) -> None:
    with store.transaction() as s:
        (pk,) = set(_person_of(s, name))
        assert s.get(Entity, pk).document_count == 2


def test_a_rolled_back_savepoint_leaves_nothing_behind(store):
    with store.transaction() as s:
        _report(s, "Oliver Twist")
        with pytest.raises(RuntimeError):
            with s.begin_nested():
                _report(s, "Nancy Sikes")
                raise RuntimeError("a step failed")
        assert _cache(s) is None
        _report(s, "Nancy Sikes")
        _report(s, "Nancy Sikes")
    _one_person_in_two_reports(store, "Nancy Sikes")


def test_a_rebuild_that_deletes_every_entity_empties_the_cache(store):
    with store.transaction() as s:
        _report(s, "Jason Smith")
        _report(s, "Jason Smith")
    with store.transaction() as s:
        rebuild_entities(s)
    with store.transaction() as s:
        _report(s, "Jason Smith")
        people = set(_person_of(s, "Jason Smith"))
        assert len(people) == 1 and s.get(Entity, people.pop()) is not None


def _delete_elsewhere(store, pk: int) -> None:
    """Entity ``pk`` deleted through another connection, as a tool would."""
    other = Store(str(store.engine.url))
    try:
        with other.transaction() as o:
            o.execute(update(MentionRow).where(MentionRow.entity_pk == pk).values(entity_pk=None))
            o.execute(delete(EntityFact).where(EntityFact.entity_pk == pk))
            o.execute(delete(EntityLink).where(or_(EntityLink.a_pk == pk, EntityLink.b_pk == pk)))
            o.execute(delete(Entity).where(Entity.id == pk))
    finally:
        other.close()


def test_a_person_deleted_elsewhere_is_no_candidate(store):
    """A deletion leaves no row to number: the deletion count drops the
    cache, or the next mention would link to an entity that is gone."""
    with store.transaction() as s:
        _report(s, "Jason Smith")
        _report(s, "Jason Smith")  # the cache has read him
        (pk,) = set(_person_of(s, "Jason Smith"))
    _delete_elsewhere(store, pk)
    with store.transaction() as s:
        _report(s, "Jason Smith")
        new = _person_of(s, "Jason Smith")[-1]
        assert new is not None and s.get(Entity, new) is not None


def test_a_store_without_the_triggers_reads_its_blocks(store):
    with store.transaction() as s:
        s.connection().exec_driver_sql("DROP TRIGGER entities_numbered_on_update")
    fresh = Store(str(store.engine.url))
    try:
        with fresh.transaction() as s:
            _report(s, "Jason Smith")
            _report(s, "Jason Smith")
            assert _cache(s) is None
            assert len(set(_person_of(s, "Jason Smith"))) == 1
    finally:
        fresh.close()


_FORENAMES = ["jason", "jay", "j", "james", "jim", "katherine", "catherine", "kate", "robert", "bob", "rob",
              "tomasz", "tomek", "amy", "amelia", "aaliyah", "kayla", "chris", "christopher", "kristopher"]
_SURNAMES = ["smith", "smyth", "smithe", "jones", "jonas", "khan", "kahn", "wisniewski"]


def _state(s) -> list:
    ents = {e.id: e for e in s.scalars(select(Entity))}
    out = [(e.public_id, e.type, e.key, e.attrs, ents[e.merged_into_id].public_id if e.merged_into_id else None,
            e.document_count) for e in ents.values()]
    out += [(m.value, m.start, ents[m.entity_pk].public_id if m.entity_pk else None)
            for m in s.scalars(select(MentionRow).order_by(MentionRow.id))]
    return sorted(out, key=repr)


def _corpus(store: Store, seed: int) -> list:
    rng = random.Random(seed)
    n = iter(range(100, 1000))
    for batch in range(6):
        with store.transaction() as s:
            for _ in range(rng.randint(1, 5)):
                names = [f"{rng.choice(_FORENAMES).title()} {rng.choice(_SURNAMES).title()}"
                         for _ in range(rng.randint(1, 4))]
                _report(s, *names, when=f"2026-01-{rng.randint(1, 28):02d}T10:00:00", n=next(n))
    with store.transaction() as s:
        return _state(s)


@pytest.mark.parametrize("seed,max_people,max_ids", [(1, 200_000, 2000), (2, 4, 2000), (3, 4, 2), (4, 50, 3)])
def test_with_and_without_the_cache_the_store_is_the_same(tmp_path, monkeypatch, seed, max_people, max_ids):
    """Same reports, same entity key: the same people, counts and links
    whether the blocks come from the cache (also kept small, so blocks are
    dropped and read again, or offering more people than a document may
    read, so it reads its blocks in full) or are read afresh."""
    from intake.store.entities import rows

    monkeypatch.setenv("INTAKE_ENTITY_ID_KEY_FILE", str(tmp_path / "key"))
    (tmp_path / "key").write_text("k" * 40)
    monkeypatch.setattr(block_cache, "MAX_PEOPLE", max_people)
    monkeypatch.setattr(rows, "_MAX_IDS", max_ids)
    states = []
    for with_cache in (True, False):
        if not with_cache:
            monkeypatch.setattr(block_cache, "for_connection", lambda conn: None)
        st = Store(f"sqlite:///{tmp_path / f'{with_cache}.sqlite'}", upgrade=True)
        try:
            states.append(_corpus(st, seed))
        finally:
            st.close()
    assert states[0] == states[1]


def test_a_cached_block_is_read_in_the_documents_one_statement(store):
    """The people the index offers come in the document's first statement,
    not one by one afterwards."""
    with store.transaction() as s:
        for first in ("Jason", "Jay", "James", "Kyle", "Amy", "Bob"):
            _report(s, f"{first} Smith")
    with _statements(store) as statements, store.transaction() as s:
        _report(s, "Jason Smith", "Jay Smith", "J Smith")
    reads = [x for x in statements if "FROM entities" in x and "WHERE entities.id =" in x]
    assert reads == []
    with store.transaction() as s:
        assert _cache(s).size == 6


def test_a_document_offered_too_many_people_reads_its_blocks_and_keeps_the_others(store, monkeypatch):
    from intake.store.entities import rows

    monkeypatch.setattr(rows, "_MAX_IDS", 2)
    with store.transaction() as s:
        _report(s, "Jason Smith", "John Smith", "Jay Smith", "Amy Jones")
        _report(s, "Amy Jones")
    with store.transaction() as s:
        _report(s, "J Smith")  # offers all three: over the limit
        cache = _cache(s)
        assert cache.size == 4 and set(cache.blocks) == {"sx:S530", "sx:J520"}
        assert len(set(_person_of(s, "Amy Jones"))) == 1


def test_a_deletion_seen_by_a_document_of_new_blocks_reads_no_other_entity(store):
    """Entities deleted elsewhere, then a document whose blocks the cache
    has never read: nothing to read again, and certainly not every entity."""
    with store.transaction() as s:
        _report(s, "Jason Smith")
        _report(s, "Jason Smith")
        (pk,) = set(_person_of(s, "Jason Smith"))
    _delete_elsewhere(store, pk)
    with _statements(store) as statements, store.transaction() as s:
        _report(s, "Amy Jones")
    assert not [x for x in statements if x.startswith("SELECT entities.id") and "WHERE" not in x]
    with store.transaction() as s:
        assert set(_cache(s).blocks) == {"sx:J520"}


def test_the_triggers_are_looked_for_once_per_connection(store):
    """A rollback drops the cache, not what is known of the store's triggers."""
    with _statements(store) as statements:
        for _ in range(3):
            with pytest.raises(RuntimeError):
                with store.transaction() as s:
                    _report(s, "Nancy Sikes")
                    raise RuntimeError("the commit failed")
    assert sum("sqlite_master" in x for x in statements) == 1
