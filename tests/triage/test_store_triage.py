"""Triage as the pipeline stores it: level, reasons and indicator matches
with their phrase/rule/field/offsets, an officer's change (audited) kept by
reprocessing, and the export's ``triage`` key."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from intake.analysis.workers import InlineAnalyser
from intake.ingest.processing.one_message import Pipeline
from intake.store.models import AuditEntry, DocumentRow, Triage, TriageIndicator
from intake.store.triage import TriageError, set_level, triage_view
from tests.triage.helpers import ROUTINE_TEXT, URGENT_TEXT, body_message


@pytest.fixture
def pipe(store, settings):
    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as p:
        yield p


def _doc(store, public_id):
    with store.session() as s:
        return s.scalar(select(DocumentRow).where(DocumentRow.public_id == public_id))


def test_urgent_and_routine_reports_are_levelled_with_reasons(store, pipe):
    urgent = pipe.process(body_message(1, URGENT_TEXT)).documents[0].public_id
    routine = pipe.process(body_message(2, ROUTINE_TEXT)).documents[0].public_id
    with store.session() as s:
        u = triage_view(s, _doc(store, urgent).id)
        r = triage_view(s, _doc(store, routine).id)
    assert u.level == u.suggested_level == "urgent"
    assert any("missing now" in reason for reason in u.reasons)
    assert r.level == "routine"
    # the negated "no sign of drugs or alcohol" is kept, set aside, not counted
    assert {i["status"] for i in r.indicators if i["indicator"] == "substances"} == {"negated"}
    assert not any(i["status"] == "counted" for i in r.indicators)


def test_indicator_rows_point_at_the_phrase_in_the_field(store, pipe):
    pid = pipe.process(body_message(3, URGENT_TEXT)).documents[0].public_id
    with store.session() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == pid))
        from intake.store.records import field_values

        values = field_values(doc.record)
        rows = s.scalars(select(TriageIndicator).where(TriageIndicator.document_pk == doc.id)).all()
        assert {r.indicator for r in rows if r.status == "counted"} >= {"missing_now", "current_location",
                                                                         "substances"}
        for r in rows:
            assert values[r.field][r.start:r.end] == r.phrase
            assert r.rule


def test_officer_change_is_audited_and_survives_reprocessing(store, settings, pipe):
    from intake.analysis.reprocess import reprocess
    from intake.store import review_actions

    pid = pipe.process(body_message(4, URGENT_TEXT)).documents[0].public_id
    with store.transaction() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == pid))
        with pytest.raises(TriageError):
            set_level(s, doc, "routine", "  ", "user:olive")
        set_level(s, doc, "high", "Spoke to the home: she is back and safe.", "user:olive")
    reprocess(store, InlineAnalyser(settings), [pid], review_actions.Actor("olive", "officer"), settings=settings)
    with store.session() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == pid))
        row = s.scalar(select(Triage).where(Triage.document_pk == doc.id))
        assert (row.level, row.suggested_level, row.overridden_by) == ("high", "urgent", "user:olive")
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.triage_changed")).all()
        assert len(audit) == 1 and audit[0].detail["before"] == "urgent" and audit[0].detail["after"] == "high"
        # the reason's words stay on the sealed row, not in the audit log
        assert "safe" not in json.dumps(audit[0].detail)


def test_export_carries_triage(store, pipe):
    from intake.store.export import iter_documents

    pipe.process(body_message(5, URGENT_TEXT))
    pipe.process(body_message(6, ROUTINE_TEXT))
    with store.session() as s:
        objs = list(iter_documents(s))
    levels = sorted(o["triage"]["level"] for o in objs)
    assert levels == ["routine", "urgent"]
    urgent = next(o for o in objs if o["triage"]["level"] == "urgent")
    assert set(urgent["triage"]) >= {"level", "suggested_level", "reasons", "indicators"}
    ind = urgent["triage"]["indicators"][0]
    assert set(ind) >= {"indicator", "phrase", "rule", "field", "start", "end"}
    assert "overridden_by" not in urgent["triage"]


def test_recurrence_raises_a_routine_report_with_a_sign(store, pipe):
    first = pipe.process(body_message(7, "Hello,\n\nA black Audi KN68 XYZ is often parked by the park gates "
                                         "in the evenings.\n")).documents[0].public_id
    other = pipe.process(body_message(8, "Dear colleagues,\n\nYoung people at the youth club told us the driver "
                                         "of KN68 XYZ gives them cigarettes when they hang around the shops.\n",
                                      sender="youth.team@stoke.example.gov.uk")).documents[0].public_id
    with store.session() as s:
        a = triage_view(s, _doc(store, first).id)
        b = triage_view(s, _doc(store, other).id)
    assert a.level == "routine"
    assert b.level == "high"
    assert any("earlier reports" in r for r in b.reasons)


def test_queue_orders_by_triage_when_asked(store, pipe):
    from intake.exception_codes import AMBIGUOUS_VALUE
    from intake.store import queue
    from intake.store import repository as repo
    from intake.types import ExceptionInfo

    routine = pipe.process(body_message(20, ROUTINE_TEXT)).documents[0].public_id
    urgent = pipe.process(body_message(21, URGENT_TEXT)).documents[0].public_id
    with store.transaction() as s:
        for pid in (routine, urgent):
            doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == pid))
            repo.open_exception(s, ExceptionInfo(AMBIGUOUS_VALUE, "check a field"), document=doc)
    with store.session() as s:
        oldest = [r.document_id for r in queue.list_queue(s, queue.QueueFilter()).rows]
        by_triage = [r.document_id for r in queue.list_queue(s, queue.QueueFilter(sort="triage")).rows]
    assert oldest == [routine, urgent]
    assert by_triage == [urgent, routine]


def test_an_officers_correction_of_the_text_retriages(store, settings, pipe):
    from intake.analysis.reprocess import extract_current, report_date
    from intake.store import review_actions
    from intake.store.records import field_values

    pid = pipe.process(body_message(22, ROUTINE_TEXT)).documents[0].public_id
    with store.transaction() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == pid))
        key = next(k for k, v in field_values(doc.record).items() if isinstance(v, str) and "park" in v)
        actor = review_actions.Actor("user:olive")
        review_actions.correct_field(s, doc, key, "Jade (13) is missing now and is at 4 Hope Street right now.", actor)
        values = field_values(doc.record)
        review_actions.set_mentions(s, doc, extract_current(settings, doc.record, report_date(values, doc.message.date)), actor)
    with store.session() as s:
        assert triage_view(s, _doc(store, pid).id).level == "urgent"
