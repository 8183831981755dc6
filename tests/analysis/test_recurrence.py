"""Recurrence on arrival: which earlier reports a record links to, through
which entities, from how many agencies; read for a page in one statement."""

from __future__ import annotations

from sqlalchemy import event, update

from intake.store.models import DocumentRow
from intake.store.recurrence import recurrence_by_public_ids, recurrence_for
from tests.analysis.conftest import doc_pks


def _shared(rec):
    return {(s.type, s.display) for s in rec.shared}


def test_a_report_links_to_the_earlier_reports_sharing_its_people_plates_and_places(analysis_store):
    d = doc_pks(analysis_store)
    with analysis_store.session() as s:
        rec = recurrence_for(s, d)
    # Report 2 (the hospital) shares the plate, the driver and the hotel with report 1 (the school).
    second = rec[d[1]]
    assert (second.earlier_reports, second.earlier_agencies) == (1, 1)
    assert {("VRM", "AB12CDE"), ("PERSON", "Darren Pike"), ("ORGANISATION", "Riverside Lodge")} <= _shared(second)
    assert second.later_reports == 2  # the charity's (plate, phone) and social care's second (hotel, Jade)
    assert second.earlier_ids and second.later_ids
    # The first report has nothing earlier, but later ones point back at it.
    assert rec[d[0]].earlier_reports == 0 and rec[d[0]].later_reports == 3
    # The charity's report: plate and phone, two earlier reports from two agencies.
    third = rec[d[2]]
    assert (third.earlier_reports, third.earlier_agencies) == (2, 2)
    assert ("PHONE", "+447700900461") in _shared(third)
    # Tyler's report names no one else's people or places.
    assert rec[d[3]].reports == 0 and rec[d[3]].shared == []
    # The most widely shared entity comes first.
    assert second.shared[0].reports >= second.shared[-1].reports


def test_a_page_of_documents_is_read_in_one_statement_plus_the_entities(analysis_store):
    d = doc_pks(analysis_store)
    statements = []
    engine = analysis_store.engine
    listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
    with analysis_store.session() as s:
        event.listen(engine, "before_cursor_execute", listener)
        try:
            recurrence_for(s, d)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 2, statements  # the links, then the shared entities' names
    assert "mentions" in statements[0] and "entity_pk" in statements[0]


def test_a_rejected_report_no_longer_counts_as_a_link(analysis_store):
    d = doc_pks(analysis_store)
    with analysis_store.transaction() as s:
        s.execute(update(DocumentRow).where(DocumentRow.id == d[0]).values(review_state="rejected"))
    with analysis_store.session() as s:
        rec = recurrence_for(s, [d[1]])[d[1]]
        by_public = recurrence_by_public_ids(s, [s.get(DocumentRow, d[1]).public_id])
    assert rec.earlier_reports == 0
    assert list(by_public.values())[0].later_reports == rec.later_reports == 2


def test_the_partial_says_how_many_earlier_reports_and_agencies(analysis_store, analysis_settings):
    from intake.review.app import _templates

    d = doc_pks(analysis_store)
    with analysis_store.session() as s:
        rec = recurrence_for(s, [d[2], d[3]])
        tpl = _templates().get_template("_recurrence.html")
        html = tpl.render(rec=rec[d[2]], rec_compact=False)
        compact = tpl.render(rec=rec[d[2]], rec_compact=True)
        none = tpl.render(rec=rec[d[3]], rec_compact=False)
    assert "Links to 2 earlier reports" in html and "from 2 agencies" in html
    assert "AB12CDE" in html and "/entities/ent_" in html and "/documents/d_" in html
    assert "Links to 2 earlier reports" in compact and "/documents/d_" not in compact
    assert "No link to any other report yet" in none


def test_an_entity_named_in_very_many_reports_is_listed_with_its_totals_not_counted(analysis_store, monkeypatch):
    from intake.store.analysis_common import catalogue

    d = doc_pks(analysis_store)
    # Lower the threshold so the three-report plate and hotel count as "widely named".
    monkeypatch.setitem(catalogue()["recurrence"], "hub_reports", 2)
    with analysis_store.session() as s:
        rec = recurrence_for(s, [d[1]])[d[1]]
        from intake.review.app import _templates

        html = _templates().get_template("_recurrence.html").render(rec=rec, rec_compact=False)
    hubs = {(x.type, x.display) for x in rec.shared if x.hub}
    assert hubs == {("VRM", "AB12CDE"), ("ORGANISATION", "Riverside Lodge")}
    assert rec.widely_named == 2
    # The school's report is still linked through Darren Pike (two reports: under the threshold).
    assert rec.earlier_reports == 1 and ("PERSON", "Darren Pike") in _shared(rec)
    assert "widely named" in html
