"""A surname block's people read as plain rows for a document being stored
(store/entities/rows.py): their attrs are parsed once per stored text and
shared, so what the rows give must always be what the store holds now."""

from __future__ import annotations

from intake.matching import person_match
from intake.store.entities import rows
from intake.store.entities.block_cache import profile_of as _profile_of
from intake.store.entities.graph import new_entity
from intake.store.models import Entity


def _block_people(store, block):
    with store.transaction() as s:
        _known, people, _top = rows.entities_for_document(s, [], [block], fresh=True)
        return list(people[block])


def test_rows_give_the_stored_attrs_and_follow_every_change(store):
    block = person_match.blocking_key_of("Smith")
    with store.transaction() as s:
        e = new_entity(s, "PERSON", block, "Jason Smith", "seed-1",
                       {"surnames": ["smith"], "given": ["jason"], "aliases": [], "dobs": [], "birth_years": []})
        s.flush()
        pk = e.id
    first = _block_people(store, block)
    assert [(r.id, r.attrs["given"]) for r in first] == [(pk, ["jason"])]
    assert _profile_of(first[0]).given == {"jason"}

    # An officer's correction elsewhere: the next read gives the new attrs
    # and a profile made of them, not the one remembered for the old text.
    with store.transaction() as s:
        s.get(Entity, pk).attrs = {"surnames": ["smith"], "given": ["jay"], "aliases": ["jj"], "dobs": [],
                                   "birth_years": []}
    again = _block_people(store, block)
    assert again[0].attrs["given"] == ["jay"] and again[0].attrs["aliases"] == ["jj"]
    assert _profile_of(again[0]).given == {"jay"}
    assert _profile_of(again[0]).aliases == {"jj"}


def test_a_row_whose_attrs_changed_does_not_remember_its_new_profile_under_the_old_text(store):
    block = person_match.blocking_key_of("Jones")
    with store.transaction() as s:
        new_entity(s, "PERSON", block, "Amy Jones", "seed-2",
                   {"surnames": ["jones"], "given": ["amy"], "aliases": [], "dobs": [], "birth_years": []})
    row = _block_people(store, block)[0]
    row.attrs = {**row.attrs, "given": ["amy", "amelia"]}  # resolution merged a mention in (not written)
    row.profile = None
    assert _profile_of(row).given == {"amy", "amelia"}
    # Not written to the store: the next document reads what the store holds.
    assert _profile_of(_block_people(store, block)[0]).given == {"amy"}


def _first_and_last(store, pk):
    with store.transaction() as s:
        e = s.get(Entity, pk)
        return e.first_seen, e.last_seen


def _seen_rows_follow_the_orm(store):
    """First and last seen, read raw and turned on first use, are the
    ORM's aware datetimes; set on the row, they stay as set."""
    from datetime import datetime, timezone

    block = person_match.blocking_key_of("Okafor")
    first = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=timezone.utc)
    last = datetime(2026, 4, 30, 23, 59, tzinfo=timezone.utc)
    with store.transaction() as s:
        e = new_entity(s, "PERSON", block, "Ada Okafor", "seed-seen",
                       {"surnames": ["okafor"], "given": ["ada"], "aliases": [], "dobs": [], "birth_years": []})
        s.flush()
        s.get(Entity, e.id).first_seen, s.get(Entity, e.id).last_seen = first, last
        pk = e.id
    row = _block_people(store, block)[0]
    assert (row.first_seen, row.last_seen) == _first_and_last(store, pk) == (first, last)
    assert row.first_seen.tzinfo is not None
    # Set one before the other is read: the other is still turned, once.
    row = _block_people(store, block)[0]
    later = datetime(2026, 5, 1, tzinfo=timezone.utc)
    row.first_seen = later
    assert (row.first_seen, row.last_seen) == (later, last)
    row = _block_people(store, block)[0]
    row.last_seen = later
    assert (row.first_seen, row.last_seen) == (first, later)
    # Never seen: None either way.
    with store.transaction() as s:
        new_entity(s, "PERSON", block, "Obi Okafor", "seed-unseen",
                   {"surnames": ["okafor"], "given": ["obi"], "aliases": [], "dobs": [], "birth_years": []})
    unseen = _block_people(store, block)[1]
    assert (unseen.first_seen, unseen.last_seen) == (None, None)


def test_first_and_last_seen_of_rows_are_the_orms_on_sqlite(store):
    _seen_rows_follow_the_orm(store)


def test_first_and_last_seen_of_rows_are_the_orms_on_postgresql(postgres_store):
    _seen_rows_follow_the_orm(postgres_store)
