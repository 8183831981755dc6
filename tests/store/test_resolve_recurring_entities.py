"""Recurring entities across reports written by different people resolve to
one entity each: the extractor's mentions of real report text go
through the store's resolution, as in the pipeline."""

from __future__ import annotations

from datetime import date

from intake.extractors.extract import extract_text_fields
from intake.store.models import Entity
from tests.store.entity_rows import make_record, store_report

REPORTS = [
    ("School", "Tomasz Wisniewski (DOB 04/08/2009) was collected by a black Audi, reg FE16 KET."),
    ("Youth service", "tomek said the car that picks him up is fe16 ket. Tomek Wisniewski is scared."),
    ("Housing", "Neighbours saw Tomasz WISNIEWSKI get into FE16KET outside the flats."),
    ("Social care", "Tomasz Wiśniewski, born 4th August 2009, is missing again."),
    # same name, another man: a conflicting date of birth never merges
    ("Police", "An adult, Tomasz Wisniewski, DOB 12/01/1990, was arrested for an unrelated matter."),
]


def _store(s, agency, text):
    ms = extract_text_fields({"incident.narrative": text}, date(2026, 5, 14), {})
    rows = [{"type": m.type, "value": m.value, "text": m.text, "field": m.field, "start": m.start,
             "attrs": dict(m.attrs)} for m in ms]
    return store_report(s, record=make_record(submitter__agency=agency, incident__narrative=text),
                        text=text, mentions=rows)


def _entities(s, doc, type_):
    return {m.entity_pk for m in doc.mentions if m.type == type_ and m.entity_pk}


def test_recurring_person_and_plate_link_across_reports(store):
    with store.transaction() as s:
        docs = [_store(s, agency, text) for agency, text in REPORTS]
        people = [_entities(s, d, "PERSON") for d in docs]
        plates = [_entities(s, d, "VRM") for d in docs[:3]]

        boy = people[0]
        assert len(boy) == 1
        for other in people[1:4]:
            assert boy <= other, "Tomasz / Tomek / WISNIEWSKI / Wiśniewski are one person"
        assert not boy & people[4], "a different date of birth is a different person"

        assert plates[0] == plates[1] == plates[2] and len(plates[0]) == 1
        plate = s.get(Entity, next(iter(plates[0])))
        assert plate.key == "FE16KET" and plate.document_count == 3

        person = s.get(Entity, next(iter(boy)))
        assert person.document_count == 4 and person.agency_count == 4
