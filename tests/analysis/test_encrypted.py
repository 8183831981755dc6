"""The analyst's views give the same answers on an encrypted store (sealed
agency, keys, displays, field values and mention attributes) as on one in
clear holding the same reports."""

from __future__ import annotations

import itertools
import os
from datetime import datetime, timezone

import pytest

from intake.store import disruption, link_chart
from intake.store.db import Store
from intake.store.plates import plates_of_interest
from intake.store.recurrence import recurrence_for
from intake.store.rising import rising
from tests.store import entity_rows
from tests.store.entity_rows import make_record, mention, store_report

REPORTS = [
    ("Oakfield School", [mention("PERSON", "Darren Pike"), mention("VRM", "AB12CDE", text="AB12 CDE"),
                         mention("ORGANISATION", "Riverside Lodge Hotel"), mention("PHONE", "+447700900461")]),
    ("City Hospital", [mention("PERSON", "Darren Pike"), mention("VRM", "AB12CDE"),
                       mention("ORGANISATION", "Riverside Lodge Hotel"),
                       mention("PHONE", "+441210000000", field="submitter.contact")]),
    ("Youth Charity", [mention("PHONE", "+447700900461"), mention("ORGANISATION", "Star Taxis"),
                       mention("PHONE", "+441210000000", field="submitter.contact")]),
]


def _fill(store: Store) -> list[int]:
    entity_rows._seq = itertools.count(1)
    pks = []
    with store.transaction() as s:
        for n, (agency, mentions) in enumerate(REPORTS):
            doc = store_report(s, record=make_record(submitter__agency=agency, subject__name=f"Child {n}",
                                                     subject__age=13 + n), text=f"report {n}",
                               date=datetime(2026, 3, 1 + n, tzinfo=timezone.utc), mentions=mentions,
                               apply_dedup=False)
            doc.agency = agency
            pks.append(doc.id)
    return pks


@pytest.fixture
def stores(tmp_path):
    plain = Store(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    enc = Store(f"sqlite:///{tmp_path / 'enc.sqlite'}", kek=os.urandom(32))
    assert enc.keyring is not None and plain.keyring is None
    pks = [_fill(st) for st in (plain, enc)]
    assert pks[0] == pks[1]
    yield plain, enc, pks[0]
    plain.close()
    enc.close()


def _answers(store, pks):
    with store.session() as s:
        rec = recurrence_for(s, pks)
        return {
            "recurrence": {pk: (r.earlier_reports, r.earlier_agencies, r.later_reports, r.other_agencies,
                                sorted((x.type, x.display, x.reports, x.agencies) for x in r.shared))
                           for pk, r in rec.items()},
            "rising": sorted((r.entity.display, r.reports, r.agencies) for r in rising(s, 30)),
            "businesses": [(b.entity.display, b.kind.key, len(b.reports), b.agencies, b.ages) for b in
                           disruption.businesses(s)],
            "plates": [(p.entity.key, len(p.reports), p.agencies) for p in plates_of_interest(s)],
            "chart": sorted((n.label, n.kind) for n in link_chart.build_chart(s, link_chart.ChartFilter()).nodes),
        }


def test_the_views_answer_the_same_encrypted(stores):
    plain, enc, pks = stores
    clear = _answers(plain, pks)
    assert clear == _answers(enc, pks)
    # and the answers are the ones that matter, not two empty lists
    first, second, third = (clear["recurrence"][pk] for pk in pks)
    assert second[:2] == (1, 1) and ("PERSON", "Darren Pike", 1, 1) in second[4]
    # The phone links it to the school's report only: the submitter's own phone, also in the hospital's
    # report, is no link.
    assert third[:2] == (1, 1)
    assert ("PHONE", "+441210000000", 1, 1) not in third[4]
    assert clear["businesses"][0][:4] == ("Riverside Lodge Hotel", "hotel", 2, 2)
    assert clear["plates"] == [("AB12CDE", 2, ["city hospital", "oakfield school"])]
