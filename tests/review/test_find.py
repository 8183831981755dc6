"""Finding things: documents by sender, subject, file name,
agency and reference, in a clear and an encrypted store alike; people by
surname alone; entity pages whose snippets are cut at word boundaries with
the mention marked by its offsets and everything escaped; and the merge
picker that finds the other entity by value."""

from __future__ import annotations

import itertools
import os
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from intake.store import snippets
from intake.store.db import Store
from intake.store.document_search import DocumentQuery, search_documents
from intake.store.entities import queries as entity_queries
from intake.store.models import AuditEntry, DocumentRow, Entity, MentionRow, Message, RecordField, RecordRow
from tests.store import entity_rows
from tests.store.entity_rows import make_record, mention, store_report

# --------------------------------------------------------------------------
# document search, clear and encrypted
# --------------------------------------------------------------------------

REPORTS = {
    "A": dict(filename="Referral - Kayleigh B.docx", from_addr="Pat Jones <pat.jones@northfield-academy.example.org>",
              subject="Concern about a pupil (our ref CR/123456/24)", agency="northfield academy",
              text="She was seen outside the school gates.", day=3),
    "B": dict(filename="MASE intel.pdf", from_addr="gareth.lowe@yos.example.org", subject="Intel submission",
              agency="youth offending service", text="Crime reference CR-777888-25 was given by the caller.", day=5),
    "C": dict(filename="notes.txt", from_addr="someone@nhs.example.net", subject="FW: Kayleigh",
              agency="nhs trust", text="Seen at the clinic.", day=4),
}


def _fill(store: Store) -> dict[str, tuple[str, str]]:
    """The three reports; name → (document id, Message-ID)."""
    entity_rows._seq = itertools.count(1)
    out = {}
    with store.transaction() as s:
        for name, r in REPORTS.items():
            row = store_report(s, record=make_record(), text=r["text"], filename=r["filename"],
                               from_addr=r["from_addr"], date=datetime(2026, 3, r["day"], tzinfo=timezone.utc),
                               apply_dedup=False)
            row.agency = r["agency"]
            msg = s.get(Message, row.message_pk)
            msg.subject = r["subject"]
            out[name] = (row.public_id, msg.message_id)
    return out


@pytest.fixture
def kek() -> bytes:
    return os.urandom(32)


@pytest.fixture(params=["clear", "encrypted"])
def doc_store(request, tmp_path, kek):
    st = Store(f"sqlite:///{tmp_path / 'docs.sqlite'}", kek=kek if request.param == "encrypted" else None)
    assert (st.keyring is not None) == (request.param == "encrypted")
    ids = _fill(st)
    yield st, ids
    st.close()


def _find(store, **terms) -> list[str]:
    with store.session() as s:
        return [h.document_id for h in search_documents(s, DocumentQuery(**terms)).hits]


def _names(ids, found) -> list[str]:
    by_id = {v[0]: k for k, v in ids.items()}
    return [by_id[d] for d in found]


@pytest.mark.parametrize("terms, expected", [
    ({"sender": "PAT.JONES"}, ["A"]),
    ({"sender": "yos.example"}, ["B"]),
    ({"subject": "kayleigh"}, ["C"]),  # A's file name says Kayleigh, its subject does not
    ({"filename": "kayleigh"}, ["A"]),  # C's subject says Kayleigh, its file name does not
    ({"filename": ".PDF"}, ["B"]),
    ({"agency": "Offending"}, ["B"]),
    ({"agency": "trust"}, ["C"]),
    ({"reference": "CR/123456/24"}, ["A"]),  # written in the subject
    ({"reference": "cr 777888 25"}, ["B"]),  # written in the text, typed in other spacing
    ({"reference": "cr123"}, ["A"]),
    ({"any": "kayleigh"}, ["C", "A"]),  # newest first
    ({"any": "kayleigh", "agency": "nhs"}, ["C"]),
    ({"subject": "nothing like it"}, []),
    ({"reference": "CR"}, []),  # too short to be a reference
])
def test_each_attribute_finds_its_documents(doc_store, terms, expected):
    store, ids = doc_store
    assert _names(ids, _find(store, **terms)) == expected


def test_a_reference_is_also_the_document_id_or_the_message_id(doc_store):
    store, ids = doc_store
    doc_id, message_id = ids["B"]
    assert _names(ids, _find(store, reference=doc_id[:12])) == ["B"]
    assert _names(ids, _find(store, reference=doc_id.upper())) == ["B"]
    assert _names(ids, _find(store, reference=message_id)) == ["B"]
    assert _names(ids, _find(store, reference=message_id.strip("<>"))) == ["B"]


def test_matches_say_which_attribute_matched(doc_store):
    store, _ = doc_store
    with store.session() as s:
        hits = search_documents(s, DocumentQuery(any="kayleigh")).hits
    assert [h.matched for h in hits] == [["subject"], ["file name"]]
    assert hits[0].subject == "FW: Kayleigh" and hits[1].filename == "Referral - Kayleigh B.docx"
    assert hits[0].date == datetime(2026, 3, 4, tzinfo=timezone.utc) and hits[0].status == "parsed"


def test_an_encrypted_store_answers_the_same_by_reading_every_document(tmp_path, kek):
    plain = Store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    enc = Store(f"sqlite:///{tmp_path / 'e.sqlite'}", kek=kek)
    try:
        _fill(plain), _fill(enc)
        for terms in ({"any": "kayleigh"}, {"reference": "cr 777888 25"}, {"sender": "example"},
                      {"agency": "a"}, {"filename": "notes"}):
            assert _find(plain, **terms) == _find(enc, **terms)
        # Nothing of the subjects is readable in the file, and the search
        # could not narrow in SQL: it read every live document.
        raw = (tmp_path / "e.sqlite").read_bytes()
        assert b"Intel submission" not in raw and b"MASE intel" not in raw
        with enc.session() as s:
            assert search_documents(s, DocumentQuery(subject="intel")).scanned == 3
        with plain.session() as s:
            assert search_documents(s, DocumentQuery(subject="intel")).scanned == 1
    finally:
        plain.close()
        enc.close()


# --------------------------------------------------------------------------
# people by surname alone
# --------------------------------------------------------------------------


@pytest.fixture(params=["clear", "encrypted"])
def people(request, tmp_path, kek):
    st = Store(f"sqlite:///{tmp_path / 'people.sqlite'}", kek=kek if request.param == "encrypted" else None)
    entity_rows._seq = itertools.count(1)
    with st.transaction() as s:
        for text, names in (("one", ["Tomasz WISNIEWSKI", "Jason Smith"]), ("two", ["Amy Smith-Jones"]),
                            ("three", ["Smith Wilson", "Kayleigh Brooks"])):
            store_report(s, record=make_record(), text=text, mentions=[mention("PERSON", n) for n in names])
    yield st
    st.close()


def _people(store, text, type_="PERSON"):
    with store.session() as s:
        return [(h.entity.display, h.why) for h in entity_queries.search_entities(s, text, type_)]


def test_a_surname_alone_finds_the_person(people):
    assert [d for d, _ in _people(people, "Wisniewski")] == ["Tomasz WISNIEWSKI"]
    assert [d for d, _ in _people(people, "wisnievski")] == ["Tomasz WISNIEWSKI"]  # one letter off
    assert [d for d, _ in _people(people, "Brooks")] == ["Kayleigh Brooks"]
    assert [d for d, _ in _people(people, "Jones")] == ["Amy Smith-Jones"]  # part of a double-barrelled name
    assert _people(people, "Wisniewski", None)[0][0] == "Tomasz WISNIEWSKI"  # with no type chosen too


def test_surnames_rank_above_first_names_that_match(people):
    found = _people(people, "Smith")
    assert [d for d, _ in found][:2] == ["Jason Smith", "Amy Smith-Jones"]
    assert found[0][1].startswith("surname")
    assert ("Smith Wilson", "part of the name 95%") in found
    assert _people(people, "Nobody") == []


# --------------------------------------------------------------------------
# snippets
# --------------------------------------------------------------------------


def test_a_snippet_keeps_the_sentence_when_it_is_short():
    text = "First sentence here. The suspect Jay Smith drove off in a van. Then more happened."
    start = text.index("Jay Smith")
    s = snippets.snippet(text, start, start + len("Jay Smith"))
    assert (s.before, s.mention, s.after) == ("The suspect ", "Jay Smith", " drove off in a van.")
    assert not s.cut_left and not s.cut_right


def test_a_long_snippet_is_cut_between_words_never_inside_one():
    words = [f"word{n:03d}x" for n in range(200)]
    text = " ".join(words[:100]) + " Jay Smith " + " ".join(words[100:])
    start = text.index("Jay Smith")
    for width in range(20, 140, 7):
        s = snippets.snippet(text, start, start + 9, width=width)
        assert s.cut_left and s.cut_right and s.mention == "Jay Smith"
        before, after = s.before.split(), s.after.split()
        assert all(w in words for w in before + after), (width, s)
        assert text[start - len(s.before):start] == s.before
        assert text[start + 9:start + 9 + len(s.after)] == s.after
        assert len(s.before) <= width and len(s.after) <= width


def test_the_mention_is_marked_where_it_is_not_where_its_words_first_appear():
    text = "Smith said that Smith was there."
    second = text.index("Smith", 1)
    s = snippets.snippet(text, second, second + 5)
    assert s.before == "Smith said that " and s.mention == "Smith" and s.after == " was there."


def test_a_mention_at_either_end_of_the_text():
    assert snippets.snippet("Smith", 0, 5) == snippets.Snippet("", "Smith", "", False, False)
    s = snippets.snippet("x" * 300 + " Smith", 301, 306)
    assert s.before == "" and s.cut_left  # one huge word: left out whole, never cut


# --------------------------------------------------------------------------
# in the app: the search page, the entity page, the merge picker
# --------------------------------------------------------------------------


def _audits(store, action):
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_the_search_page_lists_documents_and_is_audited_without_the_words(login, review_store):
    with review_store.session() as s:
        doc, subject, filename = s.execute(
            select(DocumentRow.public_id, Message.subject, DocumentRow.filename)
            .join(Message, Message.id == DocumentRow.message_pk)
            .where(DocumentRow.filename.like("%.docx"), DocumentRow.disposed_at.is_(None))
            .order_by(DocumentRow.id).limit(1)).one()
    b = login("anna")
    part = filename[3:-6]
    r = b.get("/search", params={"filename": part})
    assert r.status_code == 200
    assert f'href="/documents/{doc}"' in r.text
    assert "file name" in r.text
    r = b.get("/search", params={"q": part.upper()})
    assert f'href="/documents/{doc}"' in r.text
    entries = _audits(review_store, "documents.searched")
    assert [e.detail["attributes"] for e in entries] == [["filename"], ["any"]]
    assert all(part not in str(e.detail) and part.upper() not in str(e.detail) for e in entries)
    assert entries[0].detail["results"] >= 1
    # An empty form searches nothing and logs nothing.
    assert b.get("/search").status_code == 200 and len(_audits(review_store, "documents.searched")) == 2


def _person_with_mention(store):
    with store.session() as s:
        return s.execute(select(Entity.public_id, MentionRow.id).join(MentionRow, MentionRow.entity_pk == Entity.id)
                         .where(Entity.type == "PERSON", Entity.merged_into_id.is_(None))
                         .order_by(Entity.id, MentionRow.id).limit(1)).one()


def test_the_entity_page_lists_reports_and_escapes_a_hostile_snippet(login, review_store):
    ent_id, mention_id = _person_with_mention(review_store)
    hostile_before = '<script>alert("x")</script> She said <b>that</b> '
    hostile_after = " & <img src=x onerror=alert(1)> came by."
    with review_store.transaction() as s:
        m = s.get(MentionRow, mention_id)
        field = s.scalar(select(RecordField).join(RecordRow, RecordField.record_pk == RecordRow.id)
                         .where(RecordRow.document_pk == m.document_pk, RecordField.key == m.field,
                                RecordField.superseded.is_(False)))
        field.value = {"v": hostile_before + m.text + hostile_after}
        m.start, m.end = len(hostile_before), len(hostile_before) + len(m.text)
        mention_text = m.text
        doc = s.get(DocumentRow, m.document_pk)
        title, doc_id = doc.filename or doc.message.subject, doc.public_id
    r = login("anna").get(f"/entities/{ent_id}")
    assert r.status_code == 200
    assert "<script>" not in r.text and "<img src=x" not in r.text and "<b>that</b>" not in r.text
    assert "&lt;script&gt;" in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text
    from markupsafe import escape

    marked = re.search(r'<td class="context">(.*?)</td>', r.text, re.S).group(1)
    assert f'{escape(hostile_before)}<mark class="ent ent-PERSON">{escape(mention_text)}</mark>' \
           f'{escape(hostile_after)}' in marked.replace("\n", "")
    # The reports are listed by file name (or subject) and date, linked.
    reports = r.text[r.text.index("<h2>Reports"):r.text.index("<h2>Mentions")]
    assert f'<a href="/documents/{doc_id}">{escape(title)}</a>' in reports
    assert re.search(r"<td>\d\d/\d\d/\d{4}</td>", reports)


def test_the_merge_picker_finds_the_other_entity_by_value(login, review_store):
    with review_store.session() as s:
        people = s.execute(select(Entity.public_id, Entity.display).where(
            Entity.type == "PERSON", Entity.merged_into_id.is_(None), Entity.document_count > 0)
            .order_by(Entity.id)).all()
    keep, keep_surname = people[0][0], people[0][1].split()[-1].casefold()
    other, other_name = next(p for p in people[1:] if p[1].split()[-1].casefold() != keep_surname)
    surname = other_name.split()[-1]
    b = login("olive")
    r = b.get(f"/entities/{keep}", params={"merge_q": surname})
    assert r.status_code == 200
    picks = re.findall(r'<input type="radio" name="other" value="([^"]+)"', r.text)
    assert other in picks and keep not in picks
    entry = _audits(review_store, "entities.searched")[-1]
    assert entry.object_id == keep and entry.detail["purpose"] == "merge" and surname not in str(entry.detail)
    r = b.post(f"/entities/{keep}/merge", {"other": other, "reason": "same person, confirmed by the school",
                                           "merge_q": surname})
    assert r.status_code == 303
    with review_store.session() as s:
        assert entity_queries.find_entity(s, other).public_id == keep
    # Nothing found says so; an analyst gets no picker at all.
    r = b.get(f"/entities/{keep}", params={"merge_q": "Zzyzx Qwerty"})
    assert "No other person matches" in r.text and 'name="other"' not in r.text
    r = login("anna").get(f"/entities/{keep}", params={"merge_q": surname})
    assert r.status_code == 200 and 'name="other"' not in r.text and "merge_q" not in r.text
