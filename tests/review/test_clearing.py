"""Clearing the queue fast and with care, through the app's own
forms: several fields corrected and approved in one submit, "… and next"
inside the active filter, one-press choices, duplicates beside their
original, claims taken on the first change and released on leaving, a
refused value kept on the page, the e-mail's date, folded views."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select, update

from intake.store.models import AuditEntry, DocumentRow, ExceptionItem, Message, RecordField
from tests.review.conftest import csrf_of


def _queued(store, code: str) -> list[DocumentRow]:
    with store.session() as s:
        pks = s.scalars(select(ExceptionItem.document_pk).where(ExceptionItem.code == code,
                                                                ExceptionItem.status == "open")).all()
        return list(s.scalars(select(DocumentRow).where(DocumentRow.id.in_(pks)).order_by(DocumentRow.id)))


def _open_codes(store, pk: int) -> list[str]:
    with store.session() as s:
        return sorted(s.scalars(select(ExceptionItem.code).where(ExceptionItem.document_pk == pk,
                                                                 ExceptionItem.status == "open")))


def _target(r) -> tuple[str, dict]:
    assert r.status_code == 303, r.text[:500]
    u = urlparse(r.headers["location"])
    return u.path, {k: v[0] for k, v in parse_qs(u.query).items()}


def _live(store, key: str, pk: int):
    with store.session() as s:
        return s.scalars(select(RecordField).join(RecordField.record)
                         .where(RecordField.key == key, RecordField.superseded.is_(False),
                                RecordField.record.has(document_pk=pk))).first()


def test_the_queue_row_names_the_field_and_shows_the_emails_date(login, review_store):
    b = login("olive")
    page = b.get("/queue?reason=ambiguous_value").text
    rows = re.findall(r'<span class="reason[^"]*">(.*?)</span>\s*(?=<span class="reason|</td>)', page, re.S)
    texts = [re.sub(r"<[^>]+>", "", r) for r in rows]
    assert any("Witnessed by: a tick box or choice was answered both ways" in t for t in texts), texts
    # "Received" is the e-mail's Date header, not when intake read it.
    near = _queued(review_store, "possible_duplicate")[0]
    with review_store.session() as s:
        msg = s.get(Message, near.message_pk)
        sent, read = msg.date, msg.first_seen_at
    assert sent.date() != read.date()
    queue = b.get("/queue?reason=possible_duplicate").text
    assert sent.strftime("%d/%m/%Y %H:%M") in queue and read.strftime("%d/%m/%Y %H:%M") not in queue
    doc_page = b.get(f"/documents/{near.public_id}").text
    assert f"received {sent:%d/%m/%Y %H:%M}" in doc_page
    assert "Read by intake</dt><dd>" + f"{read:%d/%m/%Y %H:%M}" in doc_page


def test_opening_claims_nothing_a_change_does_and_leaving_releases(login, review_store):
    doc = _queued(review_store, "missing_required_field")[0]
    olive, oscar = login("olive"), login("oscar")
    page = olive.get(f"/documents/{doc.public_id}").text
    assert "Nobody is working on this document" in page and 'action="/documents/' + doc.public_id + '/take"' in page
    with review_store.session() as s:
        assert s.get(DocumentRow, doc.id).claimed_by is None
    olive.post(f"/documents/{doc.public_id}/fields", {"f:submitter.role": "Head of Year 9"})
    with review_store.session() as s:
        assert s.get(DocumentRow, doc.id).claimed_by == "olive"
    assert "Being worked by <b>olive</b>" in oscar.get(f"/documents/{doc.public_id}").text
    # Oscar's "next" passes over the document olive is working on.
    other = _queued(review_store, "corrupt_document")[0]
    nexts = set()
    here = other.public_id
    for _ in range(15):
        path, _q = _target(oscar.post(f"/documents/{here}/leave", {"to": "next"}))
        if not path.startswith("/documents/"):
            break
        here = path.rsplit("/", 1)[1]
        nexts.add(here)
    assert doc.public_id not in nexts and len(nexts) >= 5
    # Olive leaves for the queue: the claim ends, the filter is kept.
    path, query = _target(olive.post(f"/documents/{doc.public_id}/leave",
                                     {"to": "queue", "q_reason": "missing_required_field"}))
    assert path == "/queue" and query == {"reason": "missing_required_field"}
    with review_store.session() as s:
        assert s.get(DocumentRow, doc.id).claimed_by is None


def test_a_claim_lapses_after_idle(login, review_store):
    from intake.store.queue import CLAIM_TTL

    doc = _queued(review_store, "missing_required_field")[0]
    login("olive").post(f"/documents/{doc.public_id}/take")
    with review_store.transaction() as s:
        s.execute(update(DocumentRow).where(DocumentRow.id == doc.id)
                  .values(claimed_at=datetime.now(timezone.utc) - CLAIM_TTL))
    oscar = login("oscar")
    assert "Being worked by" not in oscar.get(f"/documents/{doc.public_id}").text
    assert oscar.post(f"/documents/{doc.public_id}/reject", {"reason": "a test message"}).status_code == 303


def test_several_fields_and_approve_in_one_submit_then_the_next_item_of_the_filter(login, review_store):
    docs = _queued(review_store, "missing_required_field")
    assert len(docs) >= 2
    first, second = docs[0], docs[1]
    b = login("olive")
    page = b.get(f"/documents/{first.public_id}?reason=missing_required_field").text
    assert 'name="q_reason" value="missing_required_field"' in page  # the forms carry the filter
    r = b.post(f"/documents/{first.public_id}/fields", {
        "q_reason": "missing_required_field", "then": "next",
        "f:submitter.role": "Designated Safeguarding Lead", "f:subject.age": "14",
        "f:incident.narrative": "Kai Brown (14) is picked up by a man in a red Ford Focus LR69 ZZA.",
    })
    path, query = _target(r)
    assert path == f"/documents/{second.public_id}"
    assert query == {"reason": "missing_required_field", "done": "approved_next"}
    assert _live(review_store, "submitter.role", first.id).value["v"] == "Designated Safeguarding Lead"
    assert _live(review_store, "subject.age", first.id).value["v"] == 14
    with review_store.session() as s:
        row = s.get(DocumentRow, first.id)
        assert (row.status, row.review_state, row.claimed_by) == ("parsed", "approved", None)
        acts = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.object_id == first.public_id)
                                            .order_by(AuditEntry.id))]
    assert acts.count("record.field_corrected") == 3 and acts[-1] == "document.approved"
    assert _open_codes(review_store, first.id) == []
    landing = b.get(path + "?" + "reason=missing_required_field&done=approved_next").text
    assert "Approved. This is the next item under your filters." in landing
    # the last one of the filter: back to the (empty) filtered queue
    path, query = _target(b.post(f"/documents/{second.public_id}/fields",
                                 {"q_reason": "missing_required_field", "then": "next",
                                  "f:incident.narrative": "Seen at the park with older men most nights."}))
    assert (path, query) == ("/queue", {"reason": "missing_required_field", "done": "queue_empty"})


def test_fields_left_alone_are_not_corrected(login, review_store):
    doc = _queued(review_store, "ambiguous_value")[0]
    b = login("olive")
    html = b.get(f"/documents/{doc.public_id}").text
    shown = dict(re.findall(r'<input id="v-[^"]+" name="f:([^"]+)" value="([^"]*)"', html))
    assert len(shown) >= 5
    from html import unescape

    form = {f"f:{k}": unescape(v) for k, v in shown.items()}
    form["then"] = ""
    path, query = _target(b.post(f"/documents/{doc.public_id}/fields", form))
    assert query.get("done") == "unchanged"
    with review_store.session() as s:
        assert s.scalars(select(RecordField).where(RecordField.origin == "officer")).all() == []


def test_a_refused_value_comes_back_typed_with_the_editor_open_and_nothing_saved(login, review_store):
    doc = _queued(review_store, "missing_required_field")[0]
    b = login("olive")
    r = b.post(f"/documents/{doc.public_id}/fields", {
        "q_reason": "missing_required_field", "then": "next",
        "f:submitter.role": "Pastoral lead", "f:report_datetime": "31/02/2026 10:00"})
    assert r.status_code == 400
    html = r.text
    row = re.search(r'<tr id="f-report_datetime".*?</tr>', html, re.S).group(0)
    assert "<details class=\"edit\" open>" in row
    assert 'value="31/02/2026 10:00"' in row and 'aria-invalid="true"' in row
    assert re.search(r'class="field-error" id="e-report_datetime"><b>Error:</b> Date/time of report: '
                     r'enter a date', row)
    # the other typed value is kept too, and the filter
    assert 'value="Pastoral lead"' in html and 'name="q_reason" value="missing_required_field"' in html
    assert 'role="alert"' in html and "nothing was saved" in html
    with review_store.session() as s:
        assert s.scalars(select(RecordField).where(RecordField.origin == "officer")).all() == []
        assert s.get(DocumentRow, doc.id).review_state is None


def test_an_ambiguous_value_clears_in_two_actions(login, review_store):
    docs = [d for d in _queued(review_store, "ambiguous_value") if _open_codes(review_store, d.id) == ["ambiguous_value"]]
    assert len(docs) >= 2
    doc = docs[0]
    b = login("olive")
    # 1: open it (from the filtered queue)
    html = b.get(f"/documents/{doc.public_id}?reason=ambiguous_value").text
    buttons = re.findall(r'<button type="submit" name="value" value="([^"]+)" data-choice="(\d)">', html)
    assert buttons and buttons[0][1] == "1"
    key = re.search(r'name="key" value="([^"]+)"><input type="hidden" name="then" value="next">', html).group(1)
    # 2: press a choice: set, approved, and on to the next item of the filter
    path, query = _target(b.post(f"/documents/{doc.public_id}/choose",
                                 {"q_reason": "ambiguous_value", "key": key, "value": buttons[0][0], "then": "next"}))
    assert path.startswith("/documents/") and path != f"/documents/{doc.public_id}"
    assert query == {"reason": "ambiguous_value", "done": "chosen_approved_next"}
    assert _live(review_store, key, doc.id).value["v"] in (buttons[0][0], True)
    assert _open_codes(review_store, doc.id) == []
    with review_store.session() as s:
        row = s.get(DocumentRow, doc.id)
        assert row.review_state == "approved"
        item = s.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                     ExceptionItem.code == "ambiguous_value")).first()
        assert item.resolution == "the officer set the field"


def test_a_possible_duplicate_is_compared_side_by_side_and_settled_in_two_actions(login, review_store):
    doc = _queued(review_store, "possible_duplicate")[0]
    b = login("olive")
    html = b.get(f"/documents/{doc.public_id}?reason=possible_duplicate").text
    table = re.search(r'<table class="compare">.*?</table>', html, re.S).group(0)
    differs = re.findall(r'<tr class="differs">\s*<th scope="row">([^<]+)</th>', table)
    assert "Information / details of incident" in differs  # the two narratives differ in wording
    assert "≠ differs" in table  # in words, not colour only
    assert re.search(r'<mark class="chg">[^<]*(most|several)[^<]*</mark>', table)  # the words that differ
    assert "Both originals side by side" in html
    compare = b.get(f"/documents/{doc.public_id}/compare").text
    assert compare.count('<section class="original"') == 2 and compare.count("pages/1.png") + compare.count(
        '<pre class="text"') == 2
    assert 'value="same" data-key="s"' in compare
    path, query = _target(b.post(f"/documents/{doc.public_id}/duplicate",
                                 {"answer": "same", "then": "next", "q_reason": "possible_duplicate"}))
    assert (path, query) == ("/queue", {"reason": "possible_duplicate", "done": "queue_empty"})
    with review_store.session() as s:
        assert s.get(DocumentRow, doc.id).status == "duplicate"


def test_a_duplicates_own_items_close_with_its_original(login, review_store):
    """A copy carrying an item of its own (an ambiguous box read twice): the
    original is cleared once and the copy's item goes with it."""
    from intake.store import repository as repo
    from intake.types import ExceptionInfo

    original = _queued(review_store, "ambiguous_value")[0]
    with review_store.transaction() as s:
        queued = select(ExceptionItem.document_pk).where(ExceptionItem.status == "open",
                                                         ExceptionItem.document_pk.is_not(None))
        copy = s.scalars(select(DocumentRow).where(DocumentRow.status == "parsed", DocumentRow.kind == "attachment",
                                                   DocumentRow.id.notin_(queued), DocumentRow.id != original.id, DocumentRow.template.is_not(None))
                         .order_by(DocumentRow.id.desc())).first()
        copy.status, copy.duplicate_of_id, copy.duplicate_reason = "duplicate", original.id, "content"
        repo.open_exception(s, ExceptionInfo("ambiguous_value", "witnessed_by: no single option is marked; check"),
                            document=copy)
        copy_id, copy_pk = copy.public_id, copy.id
    b = login("olive")
    html = b.get(f"/documents/{copy_id}").text
    assert "A copy of an earlier report" in html and original.public_id in html
    assert '<table class="compare">' in html
    assert 'data-key="a"' not in html  # a copy is not approved on its own
    assert b.post(f"/documents/{original.public_id}/approve").status_code == 303
    assert _open_codes(review_store, copy_pk) == []
    with review_store.session() as s:
        item = s.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == copy_pk)).first()
        assert item.status == "resolved" and original.public_id in item.resolution
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.closed_with_original")).all()
    assert [(a.object_id, a.detail["original"]) for a in audit] == [(copy_id, original.public_id)]
    assert copy_id not in b.get("/queue").text


def test_a_copy_found_to_be_a_different_report_becomes_its_own(login, review_store):
    from intake.store import repository as repo
    from intake.types import ExceptionInfo

    original = _queued(review_store, "ambiguous_value")[0]
    with review_store.transaction() as s:
        queued = select(ExceptionItem.document_pk).where(ExceptionItem.status == "open",
                                                         ExceptionItem.document_pk.is_not(None))
        copy = s.scalars(select(DocumentRow).where(DocumentRow.status == "parsed", DocumentRow.kind == "attachment",
                                                   DocumentRow.id.notin_(queued), DocumentRow.id != original.id)
                         .order_by(DocumentRow.id.desc())).first()
        copy.status, copy.duplicate_of_id, copy.duplicate_reason = "duplicate", original.id, "content"
        repo.open_exception(s, ExceptionInfo("unreadable_value", "subject.dob: not a date; check"), document=copy)
        copy_id, copy_pk = copy.public_id, copy.id
    b = login("olive")
    assert b.post(f"/documents/{copy_id}/duplicate", {"answer": "different"}).status_code == 303
    with review_store.session() as s:
        row = s.get(DocumentRow, copy_pk)
        assert (row.status, row.duplicate_of_id, row.review_state) == ("parsed", None, "distinct")
    assert _open_codes(review_store, copy_pk) == ["unreadable_value"]  # still to be dealt with, now on its own


def test_repeated_views_are_folded_in_the_history(login, review_store):
    doc = _queued(review_store, "missing_required_field")[0]
    b = login("olive")
    for _ in range(6):
        b.get(f"/documents/{doc.public_id}")
    b.post(f"/documents/{doc.public_id}/take")
    html = b.get(f"/documents/{doc.public_id}").text
    history = re.search(r"History of this document</summary>(.*?)</details>", html, re.S).group(1)
    assert "viewed 6 times by user:olive, last" in history
    assert "user:olive · document.taken" in history
    assert history.count("document.viewed") == 0  # this view is recorded after the page is read


def test_keyboard_help_skip_link_and_shortcut_targets_are_served(login, review_store):
    b = login("olive")
    doc = _queued(review_store, "ambiguous_value")[0]
    html = b.get(f"/documents/{doc.public_id}").text
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html
    assert '<dialog id="keys"' in html and "<script>" not in html
    for key in ("a", "u"):
        assert f'data-key="{key}"' in html
    assert 'data-choice="1"' in html
    js = b.get("/static/app.js").text
    assert "keydown" in js and "data-choice" in js and "showModal" in js
    queue = b.get("/queue").text
    assert 'class="open"' in queue and "<dialog" in queue


def test_an_analyst_sees_links_not_forms(login, review_store):
    doc = _queued(review_store, "ambiguous_value")[0]
    html = login("anna").get(f"/documents/{doc.public_id}?reason=ambiguous_value").text
    assert 'action="/documents/' + doc.public_id + '/leave"' not in html
    assert re.search(r'<a href="/queue\?reason=ambiguous_value" data-key="u">', html)
    assert "/choose" not in html and "record-form" not in html and csrf_of(html)
    step = re.search(r'<a href="(/documents/[^"]+/step\?[^"]+)" data-key="j">', html).group(1).replace("&amp;", "&")
    path, query = _target(login("anna").get(step))
    others = {d.public_id for d in _queued(review_store, "ambiguous_value")} - {doc.public_id}
    assert path.rsplit("/", 1)[1] in others and query == {"reason": "ambiguous_value"}
