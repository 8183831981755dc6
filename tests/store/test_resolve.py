"""Entity resolution over stored reports: values, people, links, counts."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from intake.store.models import Entity, EntityLink, MentionRow
from tests.store.entity_rows import make_record, mention, store_report


def _entity_of(s, doc, type_, i=0):
    ms = [m for m in doc.mentions if m.type == type_]
    return s.get(Entity, ms[i].entity_pk)


def _rec(name, agency, narrative="x", **kw):
    return make_record(submitter__name=name, submitter__agency=agency, incident__narrative=narrative, **kw)


def test_phone_in_three_reports_from_three_agencies_is_one_entity_with_counts(store):
    with store.transaction() as s:
        docs = [
            store_report(s, record=_rec("Ann Teacher", "Oakfield School", "call one"), date=datetime(2026, 3, 2, tzinfo=timezone.utc),
                         mentions=[mention("PHONE", "+447700900123", text="07700 900123")]),
            store_report(s, record=_rec("Bob Nurse", "NHS Trust", "call two"), date=datetime(2026, 1, 5, tzinfo=timezone.utc),
                         mentions=[mention("PHONE", "+447700900123", text="07700900123")]),
            store_report(s, record=_rec("Cat Worker", "Children's Services", "call three"), date=datetime(2026, 4, 9, tzinfo=timezone.utc),
                         mentions=[mention("PHONE", "+447700900123", text="+44 7700 900123")]),
            store_report(s, record=_rec("Ann Teacher", "Oakfield School", "call four"), date=datetime(2026, 2, 1, tzinfo=timezone.utc),
                         mentions=[mention("PHONE", "+447700900999")]),
        ]
        e = _entity_of(s, docs[0], "PHONE")
        assert {_entity_of(s, d, "PHONE").id for d in docs[:3]} == {e.id}
        assert _entity_of(s, docs[3], "PHONE").id != e.id
        assert (e.document_count, e.agency_count, e.submitter_count) == (3, 3, 3)
        assert e.first_seen.date().isoformat() == "2026-01-05"
        assert e.last_seen.date().isoformat() == "2026-04-09"


def test_agency_and_submitter_fall_back_to_sender_address(store):
    with store.transaction() as s:
        a = store_report(s, text="one", from_addr="A <a@school.example.org>", mentions=[mention("EMAIL", "jb@example.com")])
        store_report(s, text="two", from_addr="b@school.example.org", mentions=[mention("EMAIL", "JB@Example.com")])
        store_report(s, text="three", from_addr="c@trust.example.com", mentions=[mention("EMAIL", "jb@example.com")])
        e = _entity_of(s, a, "EMAIL")
        assert (e.document_count, e.agency_count, e.submitter_count) == (3, 2, 3)


def test_report_date_is_preferred_for_first_and_last_seen(store):
    with store.transaction() as s:
        d = store_report(s, record=_rec("A", "B", report_datetime="2025-12-24T10:00"),
                         date=datetime(2026, 3, 1, tzinfo=timezone.utc), mentions=[mention("POSTCODE", "B12 9XY")])
        assert _entity_of(s, d, "POSTCODE").first_seen.date().isoformat() == "2025-12-24"


@pytest.mark.parametrize("second", ["Jay Smith", "SMITH, Jason", "Jason SMITH", "Mr Jason Smith", "Jayson Smith"])
def test_person_variants_resolve_to_one_person(store, second):
    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School"),
                         mentions=[mention("PERSON", "Jason Smith"), mention("ALIAS", "Jay", person=0)])
        b = store_report(s, record=_rec("B", "Trust"), mentions=[mention("PERSON", second)])
        assert _entity_of(s, a, "PERSON").id == _entity_of(s, b, "PERSON").id
        assert _entity_of(s, a, "PERSON").agency_count == 2


def test_alias_given_later_still_joins_the_earlier_short_name(store):
    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School"), mentions=[mention("PERSON", "Jay Smith")])
        b = store_report(s, record=_rec("B", "Trust"),
                         mentions=[mention("PERSON", "Jason Smith"), mention("ALIAS", "Jay", person=0)])
        assert _entity_of(s, a, "PERSON").id == _entity_of(s, b, "PERSON").id
        alias = _entity_of(s, b, "ALIAS")
        link = s.scalar(select(EntityLink).where(EntityLink.kind == "alias_of", EntityLink.a_pk == alias.id))
        assert link is not None and link.b_pk == _entity_of(s, b, "PERSON").id


def test_same_name_different_dob_never_merges(store):
    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School"),
                         mentions=[mention("PERSON", "Jason Smith", start=0), mention("DOB", "2008-04-03", start=20)])
        b = store_report(s, record=_rec("B", "Trust"),
                         mentions=[mention("PERSON", "Jason Smith", start=0), mention("DOB", "2011-09-30", start=20)])
        c = store_report(s, record=_rec("C", "Police"),
                         mentions=[mention("PERSON", "Jason Smith", start=0), mention("DOB", "2011-09-30", start=20)])
        pa, pb, pc = (_entity_of(s, d, "PERSON") for d in (a, b, c))
        assert pa.id != pb.id
        assert pb.id == pc.id
        assert pa.attrs["dobs"] == ["2008-04-03"]


def test_dob_from_the_subject_fields_and_age_contradiction(store):
    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School", subject__name="Kayla Brown", subject__dob="2012-05-01"),
                         date=datetime(2026, 3, 1, tzinfo=timezone.utc), mentions=[mention("PERSON", "Kayla Brown")])
        # "aged 30" in 2026 cannot be a girl born in 2012.
        b = store_report(s, record=_rec("B", "Trust"), date=datetime(2026, 3, 1, tzinfo=timezone.utc),
                         mentions=[mention("PERSON", "Kayla Brown", start=0), mention("AGE", "30", start=15)])
        # "aged about 14" fits.
        c = store_report(s, record=_rec("C", "Police"), date=datetime(2026, 3, 1, tzinfo=timezone.utc),
                         mentions=[mention("PERSON", "Kayla Brown", start=0), mention("AGE", "14", start=15)])
        assert _entity_of(s, a, "PERSON").id != _entity_of(s, b, "PERSON").id
        assert _entity_of(s, a, "PERSON").id == _entity_of(s, c, "PERSON").id


def test_different_forenames_and_bare_surnames_do_not_merge(store):
    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School"), mentions=[mention("PERSON", "Jason Smith")])
        b = store_report(s, record=_rec("B", "Trust"), mentions=[mention("PERSON", "Kevin Smith")])
        c = store_report(s, record=_rec("C", "Police"), mentions=[mention("PERSON", "Smith")])
        d = store_report(s, record=_rec("D", "Police"), mentions=[mention("PERSON", "Jason Smithson")])
        ids = {_entity_of(s, x, "PERSON").id for x in (a, b, c, d)}
        assert len(ids) == 4


def test_initial_joins_only_when_one_person_fits(store):
    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School"), mentions=[mention("PERSON", "Jason Smith")])
        b = store_report(s, record=_rec("B", "Trust"), mentions=[mention("PERSON", "J. Smith")])
        assert _entity_of(s, a, "PERSON").id == _entity_of(s, b, "PERSON").id
        store_report(s, record=_rec("C", "Police"), mentions=[mention("PERSON", "John Smith")])
        d = store_report(s, record=_rec("D", "Police"), mentions=[mention("PERSON", "J Smith")])
        # Jason or John: ambiguous, so a person of its own for an officer to merge.
        assert _entity_of(s, d, "PERSON").id != _entity_of(s, a, "PERSON").id


def test_partial_plate_is_a_candidate_link_not_a_merge_in_either_order(store):
    with store.transaction() as s:
        p1 = store_report(s, record=_rec("A", "School"), mentions=[mention("VRM", "BD61*")])
        full = store_report(s, record=_rec("B", "Trust"), mentions=[mention("VRM", "BD61XKF", text="BD61 XKF")])
        other = store_report(s, record=_rec("C", "Police"), mentions=[mention("VRM", "AB12CDE")])
        p2 = store_report(s, record=_rec("D", "Police"), mentions=[mention("VRM", "*XKF")])
        full_e = _entity_of(s, full, "VRM")
        links = s.scalars(select(EntityLink).where(EntityLink.kind == "partial_plate_candidate")).all()
        assert {(l.a_pk, l.b_pk) for l in links} == {
            (_entity_of(s, p1, "VRM").id, full_e.id), (_entity_of(s, p2, "VRM").id, full_e.id)}
        assert full_e.document_count == 1
        assert _entity_of(s, other, "VRM").id not in {l.b_pk for l in links}


def test_co_mentions_vehicle_plate_and_alias_links_are_stored(store):
    with store.transaction() as s:
        d = store_report(s, record=_rec("A", "School"), mentions=[
            mention("PERSON", "Joe Bloggs"), mention("ALIAS", "JB", person=0),
            mention("VRM", "AB12CDE"), mention("VEHICLE", "silver vauxhall astra", plate=2),
            mention("PHONE", "+447700900123"), mention("LOCATION", "Mare Street"),
            mention("APP", "snapchat"), mention("AGE", "20"),
            mention("EMAIL", "sam.teacher@school.example.org", field="submitter.contact", start=0),
        ])
        by = {m.type: m.entity_pk for m in d.mentions}
        assert by["AGE"] is None
        links = {(l.a_pk, l.b_pk, l.kind) for l in s.scalars(select(EntityLink).where(EntityLink.document_pk == d.id))}
        pairs = {frozenset((a, b)) for a, b, k in links if k == "co_mention"}
        for t in ("ALIAS", "VRM", "PHONE", "LOCATION"):
            assert frozenset((by["PERSON"], by[t])) in pairs
        assert all(by["APP"] not in p for p in pairs)
        assert all(by["EMAIL"] not in p for p in pairs)  # the submitter's own address
        assert (by["ALIAS"], by["PERSON"], "alias_of") in links
        assert (by["VEHICLE"], by["VRM"], "vehicle_plate") in links


def test_copies_do_not_count_twice(store):
    with store.transaction() as s:
        rec = _rec("A", "School", "Joe Bloggs drives AB12 CDE and is often at the park after school")
        a = store_report(s, record=rec, text="t", mentions=[mention("VRM", "AB12CDE")])
        b = store_report(s, record=rec, text="t", mentions=[mention("VRM", "AB12CDE")])
        assert b.status == "duplicate" and b.duplicate_of_id == a.id
        e = _entity_of(s, a, "VRM")
        assert _entity_of(s, b, "VRM").id == e.id
        assert e.document_count == 1


def test_reprocessing_a_document_recounts_its_entities(store):
    from intake.store.entities.resolve import resolve_document, unresolve_document

    with store.transaction() as s:
        a = store_report(s, record=_rec("A", "School"), mentions=[mention("PHONE", "+447700900123"), mention("VRM", "AB12CDE")])
        b = store_report(s, record=_rec("B", "Trust"), mentions=[mention("PHONE", "+447700900123")])
        phone = _entity_of(s, a, "PHONE")
        assert phone.document_count == 2
        unresolve_document(s, b)
        for m in list(b.mentions):
            s.delete(m)
        s.flush()
        assert phone.document_count == 1
        s.add(MentionRow(document_pk=b.id, field="incident.narrative", type="VRM", text="AB12 CDE",
                         value="AB12CDE", start=0, end=8, attrs={}))
        s.flush()
        s.expire(b, ["mentions"])
        resolve_document(s, b, list(b.mentions))
        assert _entity_of(s, a, "VRM").document_count == 2
        assert not s.scalars(select(EntityLink).where(EntityLink.document_pk == b.id, EntityLink.a_pk == phone.id)).all()
