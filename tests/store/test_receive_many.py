"""Custody of a replay's batch (store/inbound.py receive_many) gives what
``receive`` one message at a time gives: the same ids in the same order,
the same new/known answers, the same rows and blobs, also with copies
inside the batch, rows stored by an earlier batch, raw bytes stored under
another origin, and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.store import inbound
from intake.store.db import Store
from intake.store.models import Blob, Inbound
from intake.types import RawMessage
from tests.triage.helpers import ROUTINE_TEXT, URGENT_TEXT, body_message


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request, tmp_path):
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path}/{name}.sqlite" for name in ("one", "many")]
    else:
        server = request.getfixturevalue("postgres_server")
        urls = [server.new_database(), server.new_database()]
    stores = [Store(u) for u in urls]
    yield stores
    for s in stores:
        s.close()


def _batches() -> list[list[RawMessage]]:
    a, b, c = (body_message(i, text) for i, text in ((1, ROUTINE_TEXT), (2, URGENT_TEXT), (3, ROUTINE_TEXT)))
    same_bytes_elsewhere = RawMessage("eml:/elsewhere.eml", a.data)
    return [
        [a, b, a, c],  # a copy inside the batch
        [b, same_bytes_elsewhere, RawMessage("eml:/new.eml", b"Subject: x\n\nnew\n"), c],  # known rows, known bytes
    ]


def _state(store) -> tuple:
    with store.session() as s:
        rows = [(r.id, r.origin, r.raw_sha256, r.source, r.state, r.attempts, r.lane)
                for r in s.scalars(select(Inbound).order_by(Inbound.id))]
        blobs = sorted((b.sha256, b.size, b.data) for b in s.scalars(select(Blob)))
    return rows, blobs


def _compare(one: Store, many: Store) -> list:
    """Each batch received both ways: the same answers and the same rows.
    Returns receive_many's answers."""
    answers = []
    for batch in _batches():
        with one.transaction() as s:
            each = [inbound.receive(s, raw, "replay") for raw in batch]
        with many.transaction() as s:
            together = inbound.receive_many(s, batch, "replay")
        assert together == each
        answers.append(together)
    assert _state(many) == _state(one)
    return answers


def test_receive_many_answers_and_stores_what_receive_does(two_stores):
    one, many = two_stores
    answers = _compare(one, many)
    # What those answers are: a copy in the batch and a row stored before
    # are known (the first one's id), bytes stored under another origin
    # make a new row.
    (a, b, a2, c), (b2, elsewhere, new, c2) = answers
    assert [x[1] for x in (a, b, a2, c)] == [True, True, False, True] and a2[0] == a[0]
    assert [x[1] for x in (b2, elsewhere, new, c2)] == [False, True, True, False]
    assert b2[0] == b[0] and c2[0] == c[0] and a[0] < b[0] < c[0] < elsewhere[0] < new[0]
    rows, blobs = _state(many)
    assert [r[6] for r in rows] == [0, 1, 0, 0, 0]  # the pre-screen's lane, per row
    assert len(blobs) == 4  # a's bytes once, under both origins


def test_raws_of_gives_each_claimed_row_its_bytes_as_raw_of_does(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/s.sqlite")
    try:
        batch = _batches()[0] + _batches()[1]
        with store.transaction() as s:
            inbound.receive_many(s, batch, "replay")
        with store.transaction() as s:
            rows = inbound.claim_next(s, "w", 10)
            one_by_one = [inbound.raw_of(s, r) for r in rows]
            together = inbound.raws_of(s, rows)
        assert together == one_by_one and len(together) == 5
        assert {r.origin: r.data for r in together}["eml:/elsewhere.eml"] == batch[0].data
    finally:
        store.close()
