"""A form's field says what its value is: subject.dob holds an ISO date of
birth, a name cell holds a person's name."""

from datetime import date

import pytest

from intake.extractors.extract import extract_mentions, extract_text_fields
from intake.types import FieldValue, Record

RD = date(2026, 5, 14)


def _by_field(fields):
    ms = extract_text_fields(fields, RD, {})
    return {(m.field, m.type, m.value, m.pattern) for m in ms}


def test_subject_dob_field_yields_a_dob_mention():
    record = Record("derbyshire_op_liberty", "1", {
        "subject.name": FieldValue("Tomasz Wiśniewski"),
        "subject.dob": FieldValue("2009-08-04", raw="04/08/2009"),
        "incident.narrative": FieldValue("He was seen in Hanley with older males."),
    })
    ms = extract_mentions(record, RD, {})
    dobs = [m for m in ms if m.field == "subject.dob"]
    assert [(m.type, m.value, m.text, m.recogniser, m.pattern) for m in dobs] == [
        ("DOB", "2009-08-04", "2009-08-04", "field", "field:subject.dob")]
    people = [m for m in ms if m.field == "subject.name"]
    assert [(m.type, m.value) for m in people] == [("PERSON", "Tomasz Wiśniewski")]


@pytest.mark.parametrize("value,expected", [
    ("2011-06-21", "2011-06-21"),
    ("21/06/2011", "2011-06-21"),
    (" 21.06.11 (approx)", "2011-06-21"),
    ("not known", None),
    ("2030-01-01", None),  # after the report: a misread, not a birth
])
def test_dob_field_values(value, expected):
    got = [v for f, t, v, _ in _by_field({"subject.dob": value}) if t == "DOB"]
    assert got == ([expected] if expected else [])
    assert not [t for f, t, v, _ in _by_field({"subject.dob": value}) if t == "DATETIME"]


def test_an_iso_date_in_another_field_is_not_a_dob():
    assert not [t for f, t, v, _ in _by_field({"incident.when": "2026-05-01"}) if t == "DOB"]


@pytest.mark.parametrize("value,expected", [
    ("Abdirahman Mohamed Farah", "Abdirahman Mohamed Farah"),
    ("Nguyen Van Long (tenant)", "Nguyen Van Long"),
    ("unknown", None),
    ("N/K", None),
    ("the boy's mum", None),
])
def test_name_fields(value, expected):
    got = {v for f, t, v, p in _by_field({"subject.name": value}) if t == "PERSON" and p == "field:subject.name"}
    assert got == ({expected} if expected else set())
