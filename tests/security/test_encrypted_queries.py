"""What officers search and filter on behaves the same on an encrypted
store: entity search by plate (whole or partial), phone, e-mail, handle,
postcode, fuzzy name and free text; partial-plate links; the queue's agency
filter and its choices. Each query runs on a store in clear and on an
encrypted one holding the same reports, and the answers must be equal."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from intake.store import queue
from intake.store import repository as repo
from intake.store.db import Store
from intake.store.entities import queries as entity_queries
from intake.types import ExceptionInfo
from tests.store import entity_rows
from tests.store.entity_rows import make_record, mention, store_report

QUERIES = ["AB12 CDE", "ab12cde", "AB12*", "*XKF", "BD61 ???", "BD61XKF", "jb@example.com", "example.com",
           "@kid_handle99", "snapchat:kid_handle99", "07700 900123", "+44 7700 900123", "Jason Smith", "Jay Smith",
           "SMITH", "B12 9XY", "chicken", "Mare Street", "nothing like it", "Zz"]


def _fill(store: Store) -> None:
    entity_rows._seq = itertools.count(1)  # the same ids in both stores
    when = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with store.transaction() as s:
        store_report(s, record=make_record(submitter__agency="Oakfield School"), text="one", date=when,
                     mentions=[mention("PERSON", "Jason Smith"), mention("VRM", "AB12CDE", text="AB12 CDE"),
                               mention("PHONE", "+447700900123"), mention("LOCATION", "Chicken Shop, Mare Street"),
                               mention("SOCIAL_HANDLE", "snapchat:kid_handle99")])
        store_report(s, record=make_record(submitter__agency="NHS Trust"), text="two", date=when,
                     mentions=[mention("PERSON", "Jay SMITH"), mention("VRM", "BD61*"), mention("EMAIL", "JB@example.com"),
                               mention("POSTCODE", "B12 9XY")])
        third = store_report(s, record=make_record(submitter__agency="Oakfield School"), text="three", date=when,
                             mentions=[mention("VRM", "BD61XKF"), mention("VRM", "*XKF"), mention("PERSON", "Tomasz Wisniewski")])
        third.agency = "Oakfield School"  # what the pipeline sets from the record
        repo.open_exception(s, ExceptionInfo("ambiguous_value", "Two ticks for 'Yes' and 'No' on Jason Smith"),
                            document=third)


@pytest.fixture
def stores(tmp_path, kek):
    plain = Store(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    enc = Store(f"sqlite:///{tmp_path / 'enc.sqlite'}", kek=kek)
    assert enc.keyring is not None and plain.keyring is None
    for st in (plain, enc):
        _fill(st)
    yield plain, enc
    plain.close()
    enc.close()


def _search(store, text, type_=None):
    with store.session() as s:
        return [(h.entity.public_id, h.why, h.entity.display) for h in entity_queries.search_entities(s, text, type_)]


@pytest.mark.parametrize("text", QUERIES)
def test_entity_search_is_the_same_encrypted(stores, text):
    plain, enc = stores
    assert _search(enc, text) == _search(plain, text)


def test_the_searches_find_what_they_should(stores):
    _, enc = stores
    assert [w for _, w, _ in _search(enc, "AB12 CDE")] == ["exact plate"]
    assert {d for _, _, d in _search(enc, "BD61XKF")} == {"BD61XKF", "BD61*", "*XKF"}
    assert [d for _, _, d in _search(enc, "Tomek Wisnewski", "PERSON")] == ["Tomasz Wisniewski"]
    assert [d for _, _, d in _search(enc, "chicken")] == ["Chicken Shop, Mare Street"]
    assert [d for _, _, d in _search(enc, "example.com")] == ["JB@example.com"]


def test_partial_plate_links_and_profiles_are_the_same_encrypted(stores):
    plain, enc = stores

    def profile(store, ref):
        with store.session() as s:
            ent = entity_queries.find_entity(s, ref)
            p = entity_queries.entity_profile(s, ent)
            return sorted((lv.kind, lv.entity.display) for lv in p.links), [mv.text for mv in p.mentions]

    with plain.session() as s:
        refs = [e.public_id for e in entity_queries.list_entities(s, limit=None)[0]]
    assert len(refs) >= 10
    for ref in refs:
        assert profile(enc, ref) == profile(plain, ref)
    with enc.session() as s:
        full = entity_queries.search_entities(s, "BD61XKF", "VRM")[0].entity
        kinds = {lv.kind for lv in entity_queries.entity_profile(s, full).links}
    assert "partial_plate_candidate" in kinds


def test_queue_filters_by_agency_encrypted(stores):
    plain, enc = stores
    for st in (plain, enc):
        with st.session() as s:
            assert queue.filter_choices(s)["agency"] == ["Oakfield School"]
            page = queue.list_queue(s, queue.QueueFilter(agency="Oakfield School"))
            assert page.total == 1 and page.rows[0].items[0].detail.endswith("Jason Smith")
            assert page.rows[0].agency == "Oakfield School"
            assert queue.list_queue(s, queue.QueueFilter(agency="NHS Trust")).total == 0
