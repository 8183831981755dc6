"""Claims of received messages (store/inbound.py claim_next): one statement
whatever the number claimed, the urgent lane first then in order of receipt,
never the same row to two claimants, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.store import inbound
from intake.store.db import Store
from intake.store.models import Inbound
from intake.types import RawMessage


def _receive(store, n: int, urgent: set[int]) -> list[int]:
    ids = []
    with store.transaction() as s:
        for i in range(n):
            ids.append(inbound.receive(s, RawMessage(f"eml:/m{i}.eml", f"Subject: {i}\n\nbody {i}\n".encode()),
                                       "replay")[0])
        for i in urgent:
            s.execute(Inbound.__table__.update().where(Inbound.id == ids[i]).values(lane=1))
    return ids


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, store):
    if request.param == "sqlite":
        yield store
        return
    pg = Store(request.getfixturevalue("postgres_url"))
    yield pg
    pg.close()


def test_claims_take_the_urgent_lane_first_then_the_oldest(any_store):
    ids = _receive(any_store, 6, urgent={4})
    with any_store.transaction() as s:
        first = inbound.claim_next(s, "w1", 3)
    with any_store.transaction() as s:
        rest = inbound.claim_next(s, "w2", 10)
    assert [r.id for r in first] == [ids[4], ids[0], ids[1]]
    assert [r.id for r in rest] == [ids[2], ids[3], ids[5]]
    assert first[0].lane == 1 and first[0].origin == "eml:/m4.eml" and first[0].source == "replay"
    with any_store.session() as s:
        rows = {r.id: r for r in s.scalars(select(Inbound))}
    assert {rows[r.id].claimed_by for r in first} == {"w1"} and {rows[r.id].claimed_by for r in rest} == {"w2"}
    assert all(r.state == "processing" and r.attempts == 1 and r.claimed_at is not None for r in rows.values())
    with any_store.transaction() as s:
        assert inbound.claim_next(s, "w3", 5) == []


def test_a_released_claim_is_claimed_again_with_its_attempts_counted(any_store):
    ids = _receive(any_store, 2, urgent=set())
    with any_store.transaction() as s:
        inbound.claim_next(s, "w1", 2)
        inbound.release(s, [ids[1]])
    with any_store.transaction() as s:
        again = inbound.claim_next(s, "w2", 2)
    assert [r.id for r in again] == [ids[1]]
    with any_store.session() as s:
        assert s.get(Inbound, ids[1]).attempts == 2 and s.get(Inbound, ids[0]).claimed_by == "w1"


def test_two_open_claims_on_postgresql_never_share_a_row(postgres_store):
    pg = postgres_store
    ids = _receive(pg, 6, urgent=set())
    with pg.transaction() as a, pg.transaction() as b:
        first = inbound.claim_next(a, "w1", 3)  # not committed yet: its rows stay locked
        second = inbound.claim_next(b, "w2", 3)
    assert [r.id for r in first] == ids[:3] and [r.id for r in second] == ids[3:]
