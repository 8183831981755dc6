"""What an officer's actions do to the store, through the app's pages and
the CLI: corrections kept beside the original, approval resolving entities,
rejection, not-a-report, duplicates, template choice, reprocessing that keeps
officers' work, and the export that shows all of it."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from intake.store.models import AuditEntry, DocumentRow, Entity, ExceptionItem, MentionRow, RecordField
from tests.review.conftest import PASSWORD


def _doc(store, **where) -> DocumentRow:
    with store.session() as s:
        q = select(DocumentRow).order_by(DocumentRow.id)
        for k, v in where.items():
            q = q.where(getattr(DocumentRow, k) == v)
        return s.scalars(q.limit(1)).first()


def _export(settings) -> dict[str, dict]:
    from intake.store.db import open_store
    from intake.store.export import write_jsonl

    out = io.StringIO()
    store = open_store(settings)
    try:
        with store.session() as s:
            write_jsonl(s, out)
    finally:
        store.close()
    return {o["document_id"]: o for o in map(json.loads, out.getvalue().splitlines())}


def _possible_dup(store) -> DocumentRow:
    with store.session() as s:
        pk = s.scalar(select(ExceptionItem.document_pk).where(ExceptionItem.code == "possible_duplicate"))
        return s.get(DocumentRow, pk)


def test_a_correction_keeps_the_original_and_is_what_the_export_shows(login, review_store, review_settings):
    doc = _doc(review_store, status="parsed", kind="attachment")
    before = _export(review_settings)[doc.public_id]["fields"]["submitter.role"]
    b = login("olive")
    r = b.post(f"/documents/{doc.public_id}/fields", {"key": "submitter.role", "value": "Head of Safeguarding"})
    assert r.status_code == 303
    page = b.get(f"/documents/{doc.public_id}").text
    assert "Head of Safeguarding" in page and f"<s>{before}</s>" in page
    with review_store.session() as s:
        rows = s.scalars(select(RecordField).join(RecordField.record).where(RecordField.key == "submitter.role")
                         .where(RecordField.record.has(document_pk=doc.id)).order_by(RecordField.id)).all()
    assert [(f.origin, f.superseded, f.value["v"]) for f in rows] == [
        ("parser", True, before), ("officer", False, "Head of Safeguarding")]
    assert rows[1].changed_by == "olive"
    exported = _export(review_settings)[doc.public_id]
    assert exported["fields"]["submitter.role"] == "Head of Safeguarding"
    assert exported["corrected_fields"] == ["submitter.role"]


@pytest.mark.parametrize("key,value,error", [
    ("subject.dob", "31/02/2011", "date"), ("subject.age", "fourteen", "whole number"),
    ("grading.source_reliability", "7", "1 to 5"), ("third_party.willing_to_engage", "perhaps", "yes or no"),
])
def test_a_correction_that_does_not_fit_the_field_is_refused(login, review_store, key, value, error):
    doc = _doc(review_store, status="parsed", kind="attachment")
    r = login("olive").post(f"/documents/{doc.public_id}/fields", {"key": key, "value": value})
    assert r.status_code == 400 and error in r.text
    with review_store.session() as s:
        assert s.scalars(select(RecordField).where(RecordField.origin == "officer")).all() == []


def test_a_correction_of_the_narrative_extracts_entities_again(login, review_store):
    doc = _doc(review_store, status="parsed", kind="attachment")
    text = "Jade Wilson, 15, is collected in a black BMW KD19 XRT outside the Golden Fry Takeaway on Fridays."
    login("olive").post(f"/documents/{doc.public_id}/fields", {"key": "incident.narrative", "value": text})
    with review_store.session() as s:
        plates = s.scalars(select(MentionRow.value).where(MentionRow.document_pk == doc.id,
                                                           MentionRow.field == "incident.narrative",
                                                           MentionRow.type == "VRM")).all()
        ent = s.scalar(select(Entity).where(Entity.type == "VRM", Entity.key == "KD19XRT"))
    assert plates == ["KD19XRT"] and ent is not None and ent.document_count == 1


def test_approving_an_exception_resolves_its_entities_and_leaves_the_queue(login, review_store, review_settings):
    doc = _doc(review_store, exception_code="missing_required_field")
    with review_store.session() as s:
        assert all(m.entity_pk is None for m in s.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)))
    b = login("olive")
    b.post(f"/documents/{doc.public_id}/fields", {"key": "incident.narrative",
                                                  "value": "Kai Brown (14) is picked up by a man in a red Ford Focus LR69 ZZA."})
    assert b.post(f"/documents/{doc.public_id}/approve").status_code == 303
    with review_store.session() as s:
        row = s.get(DocumentRow, doc.id)
        assert (row.status, row.review_state, row.reviewed_by) == ("parsed", "approved", "olive")
        mentions = s.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)).all()
        assert mentions and all(m.entity_pk is not None for m in mentions if m.type in ("VRM", "PERSON"))
        assert s.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                     ExceptionItem.status == "open")).all() == []
    assert doc.public_id not in b.get("/queue").text
    exported = _export(review_settings)[doc.public_id]
    assert exported["status"] == "parsed" and exported["review"]["state"] == "approved"
    assert exported["exception"] is None


def test_a_document_without_a_record_cannot_be_approved(login, review_store):
    doc = _doc(review_store, exception_code="unknown_template")
    r = login("olive").post(f"/documents/{doc.public_id}/approve")
    assert r.status_code == 400 and "choose the template" in r.text


def test_choosing_the_template_of_an_unknown_form_maps_it(login, review_store):
    doc = _doc(review_store, exception_code="unknown_template")
    b = login("olive")
    assert b.post(f"/documents/{doc.public_id}/template", {"template": "free_text"}).status_code == 303
    with review_store.session() as s:
        row = s.get(DocumentRow, doc.id)
        assert row.template == "free_text" and row.template_override == "free_text"
        assert row.record is not None and row.record.fields
        # mapped, but waiting for the officer's approval: still in the queue, entities not linked yet
        assert row.status == "exception"
        items = s.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id)).all()
        assert [i.status for i in items if i.code == "unknown_template"] == ["superseded", "open"]
        assert all(m.entity_pk is None for m in s.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)))
    assert b.post(f"/documents/{doc.public_id}/approve").status_code == 303
    with review_store.session() as s:
        row = s.get(DocumentRow, doc.id)
        assert (row.status, row.review_state) == ("parsed", "approved")
        mentions = s.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)).all()
        assert mentions and any(m.entity_pk is not None for m in mentions)


def test_reject_and_not_a_report(login, review_store, review_settings):
    a = _doc(review_store, exception_code="unsupported_format")
    c = _doc(review_store, exception_code="corrupt_document")
    b = login("olive")
    assert b.post(f"/documents/{a.public_id}/reject", {"reason": ""}).status_code == 400
    assert b.post(f"/documents/{a.public_id}/reject", {"reason": "holiday photos, not a report"}).status_code == 303
    assert b.post(f"/documents/{c.public_id}/not-a-report").status_code == 303
    out = _export(review_settings)
    assert out[a.public_id]["exception"]["code"] == "rejected_by_officer"
    assert out[a.public_id]["review"]["reason"] == "holiday photos, not a report"
    assert out[c.public_id]["status"] == "not_a_report"
    queue = b.get("/queue").text
    assert a.public_id not in queue and c.public_id not in queue


def test_possible_duplicate_same_report(login, review_store, review_settings):
    doc = _possible_dup(review_store)
    page = login("olive").get(f"/documents/{doc.public_id}").text
    assert "Possible duplicate" in page
    with review_store.session() as s:
        other = s.scalar(select(ExceptionItem.related_document_pk).where(ExceptionItem.document_pk == doc.id))
        other_id = s.get(DocumentRow, other).public_id
        plate = s.scalar(select(Entity).where(Entity.type == "VRM", Entity.key == "AB12CDE"))
        count_before = plate.document_count
    assert other_id in page
    login("olive").post(f"/documents/{doc.public_id}/duplicate", {"answer": "same"})
    out = _export(review_settings)[doc.public_id]
    assert out["status"] == "duplicate" and out["duplicate_of"] == other_id
    with review_store.session() as s:
        plate = s.scalar(select(Entity).where(Entity.type == "VRM", Entity.key == "AB12CDE"))
        assert plate.document_count == count_before - 1  # a copy does not count twice


def test_possible_duplicate_different_report_survives_reprocessing(login, review_store, review_settings):
    from intake.analysis.reprocess import reprocess
    from intake.analysis.workers import InlineAnalyser
    from intake.store.review_actions import Actor

    doc = _possible_dup(review_store)
    login("olive").post(f"/documents/{doc.public_id}/duplicate", {"answer": "different"})
    reprocess(review_store, InlineAnalyser(review_settings), [doc.public_id], Actor("cli:test"),
                        settings=review_settings)
    with review_store.session() as s:
        row = s.get(DocumentRow, doc.id)
        assert row.status == "parsed" and row.review_state == "distinct"
        assert s.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                     ExceptionItem.status == "open")).all() == []


def test_reprocess_keeps_corrections_approvals_and_entity_decisions(login, review_store, review_settings, tmp_path):
    from intake.analysis.reprocess import reprocess
    from intake.analysis.workers import InlineAnalyser
    from intake.store.review_actions import Actor

    doc = _possible_dup(review_store)  # the e-mailed report with "zazza" in it
    b = login("olive")
    b.post(f"/documents/{doc.public_id}/fields", {"key": "incident.narrative",
                                                  "value": _export(review_settings)[doc.public_id]["fields"]["incident.narrative"] + " Seen again 12/03."})
    b.post(f"/documents/{doc.public_id}/approve")
    with review_store.session() as s:
        people = s.scalars(select(Entity).join(MentionRow, MentionRow.entity_pk == Entity.id)
                           .where(MentionRow.document_pk == doc.id, Entity.type == "PERSON")).all()
        target = s.scalars(select(Entity).where(Entity.type == "PERSON", Entity.id.notin_([p.id for p in people]),
                                                Entity.document_count > 0)).first()
    assert people and target is not None
    assert b.post(f"/entities/{people[0].public_id}/merge",
                  {"other": target.public_id, "reason": "same girl, school confirmed"}).status_code == 303

    # A gazetteer change: the analyst adds local slang; reprocess from stored bytes.
    extra = tmp_path / "slang.toml"
    extra.write_text('[SUBSTANCE.terms]\ncannabis = ["zazza"]\n')
    with_slang = review_settings.updated("extract", gazetteer_files=[str(extra)])
    summary = reprocess(review_store, InlineAnalyser(with_slang), [doc.public_id], Actor("cli:test"),
                        settings=with_slang)
    assert summary.done == 1
    out = _export(review_settings)[doc.public_id]
    assert out["fields"]["incident.narrative"].endswith("Seen again 12/03.")  # the correction stands
    assert out["review"]["state"] == "approved" and out["status"] == "parsed"
    assert ("SUBSTANCE", "cannabis") in {(e["type"], e["value"]) for e in out["entities"]}
    with review_store.session() as s:
        # the officer's merge was replayed after the document was resolved again
        assert s.get(Entity, target.id).merged_into_id == people[0].id
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.reprocessed",
                                                   AuditEntry.object_id == doc.public_id)).all()
    assert audit and audit[-1].detail["mentions_after"] > 0
    assert "zazza" not in json.dumps(audit[-1].detail)


def test_the_web_reprocess_button_is_picked_up_in_the_background(login, review_store, make_app):
    doc = _doc(review_store, status="parsed", kind="attachment")
    b = login("olive")
    assert b.post(f"/documents/{doc.public_id}/reprocess").status_code == 303
    with review_store.session() as s:
        assert s.get(DocumentRow, doc.id).reprocess_requested_at is not None
    app = make_app()
    assert app.state.review.work.run_pending() == 1
    with review_store.session() as s:
        row = s.get(DocumentRow, doc.id)
        assert row.reprocess_requested_at is None and row.status == "parsed"
        assert s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "document.reprocessed")).all() == ["user:olive"]


def test_two_officers_do_not_work_on_one_document(login, review_store):
    doc = _doc(review_store, exception_code="missing_required_field")
    olive, oscar = login("olive"), login("oscar")
    olive.get(f"/documents/{doc.public_id}")
    assert "Being worked by" not in oscar.get(f"/documents/{doc.public_id}").text  # opening claims nothing
    assert olive.post(f"/documents/{doc.public_id}/take").status_code == 303
    page = oscar.get(f"/documents/{doc.public_id}").text
    assert "Being worked by <b>olive</b>" in page
    r = oscar.post(f"/documents/{doc.public_id}/approve")
    assert r.status_code == 409 and "olive is working on this document" in r.text
    assert "olive" in oscar.get("/queue").text
    assert oscar.post(f"/documents/{doc.public_id}/take-over").status_code == 303
    assert oscar.post(f"/documents/{doc.public_id}/reject", {"reason": "test message"}).status_code == 303


def test_cli_queue_show_reprocess_and_users(review_db, review_store, capsys, monkeypatch):
    from intake.cli import main

    assert main(["queue", "--db", review_db]) == 0
    out = capsys.readouterr().out
    assert "missing_required_field" in out and "unknown_template" in out
    doc = _doc(review_store, status="parsed", kind="attachment")
    assert main(["show", doc.public_id, "--db", review_db]) == 0
    out = capsys.readouterr().out
    assert doc.public_id in out and "submitter.name" in out and "mentions" in out
    assert main(["queue", "--reason", "no_such_code", "--db", review_db]) == 2
    assert main(["reprocess", "--code", "ambiguous_value", "--inline", "--db", review_db]) == 0
    assert "reprocessed" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "zed", "--role", "analyst", "--password-stdin", "--db", review_db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "zoe", "--role", "analyst", "--password-stdin", "--db", review_db]) == 2  # the password rule is a usage error (docs/operations.md)
    assert "at least 12" in capsys.readouterr().err
    with review_store.session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.actor.like("cli:%"))).all()
    assert {"queue.viewed", "document.viewed", "document.reprocessed", "user.added"} <= set(actions)
