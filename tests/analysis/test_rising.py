"""Rising: entities by new reports (received in the window) and agencies,
beside the window before."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from intake.store.models import AuditEntry, DocumentRow, Message
from intake.store.rising import rising
from tests.analysis.conftest import doc_pks


def _received(store, pks, when):
    with store.transaction() as s:
        msgs = s.scalars(select(DocumentRow.message_pk).where(DocumentRow.id.in_(pks))).all()
        s.execute(update(Message).where(Message.id.in_(msgs)).values(first_seen_at=when))


def test_rising_counts_new_reports_and_agencies_in_the_window_and_the_window_before(analysis_store):
    d = doc_pks(analysis_store)
    now = datetime.now(timezone.utc)
    _received(analysis_store, d[:2], now - timedelta(days=40))  # school, hospital: last month
    _received(analysis_store, d[2:], now - timedelta(days=2))  # charity, social care x2: this week
    with analysis_store.session() as s:
        week = {(r.entity.type, r.entity.display): r for r in rising(s, 7)}
        month = {(r.entity.type, r.entity.display): r for r in rising(s, 30)}
        quarter = {(r.entity.type, r.entity.display): r for r in rising(s, 90)}
        people = rising(s, 90, type_="PERSON")
    plate = ("VRM", "AB12CDE")
    assert (week[plate].reports, week[plate].agencies) == (1, 1)
    assert (month[plate].reports, month[plate].before) == (1, 2)  # two the month before
    assert month[plate].change == -1
    assert (quarter[plate].reports, quarter[plate].agencies) == (3, 3)
    hotel = quarter[("ORGANISATION", "Riverside Lodge")]
    assert (hotel.reports, hotel.agencies) == (3, 3)
    # Kayleigh (school, charity) and Jade (hospital, social care): two each; Darren Pike only last month.
    assert ("PERSON", "Darren Pike") not in week and ("PERSON", "Darren Pike") in quarter
    assert {r.entity.type for r in people} == {"PERSON"}
    # Most new reports first, then most agencies.
    with analysis_store.session() as s:
        order = [(r.reports, r.agencies) for r in rising(s, 90)]
    assert order == sorted(order, reverse=True)


def test_the_rising_page_offers_7_30_90_days_and_is_audited(analyst, analysis_store):
    r = analyst.get("/rising?days=90")
    assert r.status_code == 200
    assert "AB12CDE" in r.text and "Riverside Lodge" in r.text
    for days in (7, 30, 90):
        assert f'name="days" value="{days}"' in r.text
    assert analyst.get("/rising?days=abc").status_code == 200  # a bad window falls back, never a crash
    with analysis_store.session() as s:
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "rising.viewed")).all()
    assert 90 in [a.detail["days"] for a in audits]
    assert "AB12CDE" not in str([a.detail for a in audits])  # ids and counts, never the words
