"""Bulk decisions on a filtered queue (a confirmation first; each document
done and audited on its own; one that cannot be done is reported, never a
500) and officers' notes (audited without their words, in the history,
exported in the review block, stored sealed)."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from intake.store.models import AuditEntry, DocumentRow, ExceptionItem, ReviewNote
from tests.review.conftest import csrf_of


def _queued(store, code: str) -> list[DocumentRow]:
    with store.session() as s:
        pks = s.scalars(select(ExceptionItem.document_pk).where(ExceptionItem.code == code,
                                                                ExceptionItem.status == "open")).all()
        return list(s.scalars(select(DocumentRow).where(DocumentRow.id.in_(pks)).order_by(DocumentRow.id)))


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


def test_bulk_is_offered_on_a_filtered_queue_only(login):
    b = login("olive")
    assert 'action="/queue/bulk/confirm"' not in b.get("/queue").text
    page = b.get("/queue?reason=ambiguous_value").text
    assert 'action="/queue/bulk/confirm"' in page and 'type="checkbox" name="doc"' in page
    assert 'action="/queue/bulk/confirm"' not in login("anna").get("/queue?reason=ambiguous_value").text


def test_bulk_approve_confirms_then_does_each_document_on_its_own(login, review_store):
    docs = _queued(review_store, "ambiguous_value")
    assert len(docs) >= 3
    olive, oscar = login("olive"), login("oscar")
    busy = docs[0]
    assert oscar.post(f"/documents/{busy.public_id}/take").status_code == 303
    ids = [d.public_id for d in docs]
    form = {"q_reason": "ambiguous_value", "action": "approve", "doc": ids}
    confirm = olive.post("/queue/bulk/confirm", form)
    assert confirm.status_code == 200
    html = confirm.text
    assert f"Approve {len(ids)} documents?" in html
    assert re.search(rf"<b>{len(ids)}</b> × A tick box or choice was answered both ways", html)
    assert html.count('<input type="hidden" name="doc"') == len(ids)
    with review_store.session() as s:  # nothing done yet
        assert all(s.get(DocumentRow, d.id).review_state is None for d in docs)
    done = olive.post("/queue/bulk", form)
    assert done.status_code == 200
    assert f"Approve: {len(ids) - 1} of {len(ids)} done" in done.text
    assert "oscar is working on it" in done.text
    with review_store.session() as s:
        states = {d.public_id: s.get(DocumentRow, d.id).review_state for d in docs}
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.approved",
                                                   AuditEntry.actor == "user:olive")).all()
        summary = s.scalars(select(AuditEntry).where(AuditEntry.action == "documents.bulk_action")).one()
    assert states[busy.public_id] is None
    assert {k for k, v in states.items() if v == "approved"} == set(ids) - {busy.public_id}
    assert sorted(a.object_id for a in audit) == sorted(set(ids) - {busy.public_id})  # one entry per document
    assert summary.detail == {"what": "approve", "done": len(ids) - 1, "refused": 1}


def test_bulk_reject_needs_a_reason_and_records_it_on_each(login, review_store, review_settings):
    docs = _queued(review_store, "ambiguous_value")[:2]
    b = login("olive")
    form = {"q_reason": "ambiguous_value", "action": "reject", "doc": [d.public_id for d in docs]}
    r = b.post("/queue/bulk/confirm", form)
    assert r.status_code == 400 and "Give the reason for rejecting" in r.text
    assert r.text.count("checked") >= 3  # the ticks and the chosen action are kept
    form["reject_reason"] = "test forms sent by the school's IT"
    html = b.post("/queue/bulk/confirm", form).text
    assert "Reject 2 documents?" in html and "test forms sent by the school&#39;s IT" in html
    assert b.post("/queue/bulk", form).status_code == 200
    out = _export(review_settings)
    for d in docs:
        assert out[d.public_id]["review"]["state"] == "rejected"
        assert out[d.public_id]["review"]["reason"] == "test forms sent by the school's IT"


def test_bulk_only_touches_documents_of_the_filter(login, review_store):
    dup = _queued(review_store, "possible_duplicate")[0]
    b = login("olive")
    r = b.post("/queue/bulk/confirm", {"q_reason": "ambiguous_value", "action": "not_a_report", "doc": [dup.public_id]})
    assert r.status_code == 400 and "Tick at least one document" in r.text
    with review_store.session() as s:
        assert s.get(DocumentRow, dup.id).status != "not_a_report"


def test_a_document_that_fails_in_bulk_is_reported_and_the_rest_are_done(login, review_store, monkeypatch):
    """A fault on one document (here: resolution raising, as duplicate entity
    ids once did) leaves that one untouched and listed; the
    others are done; the answer is a page, not a 500."""
    from intake.store import review_actions

    docs = _queued(review_store, "ambiguous_value")[:3]
    bad = docs[1].public_id
    real = review_actions.resolve_if_in_use

    def flaky(session, doc):
        if doc.public_id == bad:
            raise RuntimeError("UNIQUE constraint failed: entities.public_id")
        return real(session, doc)

    monkeypatch.setattr(review_actions, "resolve_if_in_use", flaky)
    r = login("olive").post("/queue/bulk", {"q_reason": "ambiguous_value", "action": "approve",
                                            "doc": [d.public_id for d in docs]})
    assert r.status_code == 200
    assert "Approve: 2 of 3 done" in r.text and "intake failed on this document" in r.text
    assert "UNIQUE" not in r.text
    with review_store.session() as s:
        row = s.get(DocumentRow, docs[1].id)
        assert row.review_state is None and row.status == "parsed"  # rolled back whole
        assert s.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == row.id,
                                                     ExceptionItem.status == "open")).all()
        assert [s.get(DocumentRow, d.id).review_state for d in (docs[0], docs[2])] == ["approved", "approved"]


def test_a_note_is_audited_shown_in_the_history_and_exported(login, review_store, review_settings):
    doc = _queued(review_store, "missing_required_field")[0]
    b = login("olive")
    text = "Rang Mrs Patel at the school: the boy's age is 14, form to follow."
    assert b.post(f"/documents/{doc.public_id}/notes", {"note": "   "}).status_code == 400
    r = b.post(f"/documents/{doc.public_id}/notes", {"note": text, "q_reason": "missing_required_field"})
    assert r.status_code == 303 and "done=note_added" in r.headers["location"]
    assert "reason=missing_required_field" in r.headers["location"]
    html = b.get(f"/documents/{doc.public_id}").text
    history = re.search(r"History of this document</summary>(.*?)</details>", html, re.S).group(1)
    assert "document.note_added" in history and "Rang Mrs Patel at the school" in history
    assert re.search(r'<section class="notes".*?Rang Mrs Patel', html, re.S)
    with review_store.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.note_added")).one()
    assert entry.object_id == doc.public_id and entry.actor == "user:olive"
    assert "Patel" not in json.dumps(entry.detail)  # the audit log names, never quotes
    out = _export(review_settings)[doc.public_id]
    assert out["review"]["state"] is None  # not decided yet: the block carries the note
    assert [(n["by"], n["text"]) for n in out["review"]["notes"]] == [("olive", text)]
    # a decision keeps the notes beside it
    b.post(f"/documents/{doc.public_id}/reject", {"reason": "sent twice"})
    out = _export(review_settings)[doc.public_id]
    assert out["review"]["state"] == "rejected" and out["review"]["notes"][0]["text"] == text
    # a document with neither keeps "review": null (backward compatible)
    assert any(o["review"] is None for o in _export(review_settings).values())


def test_a_note_is_stored_sealed(tmp_path):
    """With a store key, the note's text is ciphertext in the file and the
    app reads it back as written."""
    import os
    import sqlite3

    from intake.store import models
    from intake.store.db import Store
    from intake.store.review_actions import Actor, add_note

    db = tmp_path / "enc.sqlite"
    store = Store(f"sqlite:///{db}", kek=os.urandom(32))
    words = "Zanzibarquoll said the car was his uncle's"
    try:
        with store.transaction() as s:
            s.add(models.Blob(sha256="0" * 64, size=1, data=b"x"))
            msg = models.Message(content_sha256="1" * 64, raw_sha256="0" * 64, origin="test")
            s.add(msg)
            s.flush()
            doc = models.DocumentRow(public_id="d_test", message_pk=msg.id, part_path="1", kind="body",
                                media_type="text/plain", sha256="0" * 64, size=1, status="parsed")
            s.add(doc)
            s.flush()
            add_note(s, doc, words, Actor("user:olive"))
        with store.session() as s:
            assert s.scalars(select(models.ReviewNote.text)).one() == words
    finally:
        store.close()
    raw = sqlite3.connect(db).execute("select text from review_notes").fetchone()[0]
    assert "Zanzibarquoll" not in raw
    assert b"Zanzibarquoll" not in db.read_bytes()


def test_an_analyst_cannot_add_a_note(login, review_store):
    doc = _queued(review_store, "missing_required_field")[0]
    anna = login("anna")
    assert 'id="note"' not in anna.get(f"/documents/{doc.public_id}").text
    token = csrf_of(anna.get("/entities").text)
    r = anna.client.post(f"/documents/{doc.public_id}/notes", data={"csrf": token, "note": "x"},
                         follow_redirects=False)
    assert r.status_code == 403
    with review_store.session() as s:
        assert s.scalars(select(ReviewNote)).all() == []
