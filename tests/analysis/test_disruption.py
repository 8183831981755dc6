"""The disruption view: businesses classified from the catalogue and
ranked, people named around several children, and the draft s116 notice."""

from __future__ import annotations

import io
import re

import pdfplumber
from sqlalchemy import select

from intake.store import disruption
from intake.store.models import AuditEntry, Entity


def test_businesses_are_classified_with_a_reason_and_ranked_by_reports_and_agencies(analysis_store):
    with analysis_store.session() as s:
        found = disruption.businesses(s)
    assert [b.entity.display for b in found][0] == "Riverside Lodge"
    hotel = found[0]
    assert (hotel.kind.key, hotel.kind.s116) == ("hotel", True)
    assert "Lodge" in hotel.kind.reason
    assert (len(hotel.reports), hotel.agencies) == (3, 3)
    # Jade (13, hospital) and Kayleigh (14, school); social care's "looked about 13" is not tied to a
    # name by the extractor, so that report adds no age.
    assert hotel.ages == [13, 14]
    assert hotel.first.day == 2 and hotel.last.day == 14
    kinds = {b.entity.display: b.kind.key for b in found}
    assert kinds["Star Taxis"] == "taxi" and kinds["Chicken Palace"] == "takeaway"


def test_classification_reads_the_name_first_then_the_words_around_it():
    assert disruption.classify("Kings Arms Guest House").key == "hotel"  # not a pub: the guest house wins
    assert disruption.classify("Oakwood Academy").target is False  # a school is a partner, not a target
    by_context = disruption.classify("The Grand", ["they went up to a room at the Grand", "met at the Grand hotel"])
    assert by_context.key == "hotel" and "beside it" in by_context.reason
    # One passing word among many mentions is not enough.
    assert disruption.classify("Young Gunz", ["they took her to a room"] + ["the Young Gunz"] * 5).key == "unclassified"


def test_an_adult_named_around_two_children_is_listed_and_the_children_are_not(analysis_store):
    with analysis_store.session() as s:
        people = disruption.people_around_children(s)
    names = {p.entity.display: p for p in people}
    assert set(names) == {"Darren Pike"}
    assert sorted((c.name, c.age) for c in names["Darren Pike"].children) == [("Jade Wilson", 13),
                                                                              ("Kayleigh Brooks", 14)]
    assert names["Darren Pike"].agencies == 2


def _hotel_id(store) -> str:
    with store.session() as s:
        return s.scalar(select(Entity.public_id).where(Entity.type == "ORGANISATION", Entity.document_count == 3))


def test_the_hotel_page_offers_a_draft_s116_notice_with_its_address(analyst, analysis_store):
    page = analyst.get(f"/disruption/{_hotel_id(analysis_store)}")
    assert page.status_code == 200
    assert "Draft section 116 notice" in page.text
    assert 'value="12 Canal Street, Birmingham, B1 2AB"' in page.text
    assert "Jade Wilson (13)" in page.text


def test_the_s116_pdf_is_marked_draft_with_the_establishment_filled_and_the_inspectors_fields_blank(
        analyst, analysis_store):
    hotel = _hotel_id(analysis_store)
    r = analyst.get(f"/disruption/{hotel}/s116.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"]
    with pdfplumber.open(io.BytesIO(r.content)) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    text = "\n".join(pages)
    assert all("DRAFT" in p for p in pages)
    assert "Riverside Lodge, 12 Canal Street, Birmingham, B1 2AB" in re.sub(r"\s+", " ", text)
    for label in ("Signed:", "Rank:", "Force:", "Date:"):
        assert re.search(re.escape(label) + r"\s*_{10,}", text), label
    assert re.search(r"For the immediate attention of:\s*_{10,}", text)
    assert re.search(r"effective from\s*\S?\s*_{10,}", text) and re.search(r"expires on\s*_{10,}", text)
    # The officer can correct the name and address the reports gave.
    edited = analyst.get(f"/disruption/{hotel}/s116.pdf", params={"name": "Riverside Lodge Hotel",
                                                                   "address": "14 Canal Street"})
    with pdfplumber.open(io.BytesIO(edited.content)) as pdf:
        assert "Riverside Lodge Hotel, 14 Canal Street" in re.sub(r"\s+", " ", pdf.pages[0].extract_text())
    with analysis_store.session() as s:
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "s116_draft.generated")).all()
    assert len(audits) == 2 and audits[0].object_id == hotel


def test_a_person_has_no_business_page(analyst, analysis_store):
    with analysis_store.session() as s:
        person = s.scalar(select(Entity.public_id).where(Entity.type == "PERSON"))
    assert analyst.get(f"/disruption/{person}").status_code == 404
    assert analyst.get(f"/disruption/{person}/s116.pdf").status_code == 404


def test_the_disruption_page_lists_businesses_and_people(analyst):
    r = analyst.get("/disruption")
    assert r.status_code == 200
    assert "Riverside Lodge" in r.text and "Darren Pike" in r.text and "s116" in r.text
    assert "Star Taxis" not in analyst.get("/disruption?kind=hotel").text
