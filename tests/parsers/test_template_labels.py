"""Label matching by meaning: normalisation, synonyms, rapidfuzz with a
cut-off, and free text that is never a label."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.parsers.templates import load_registry
from intake.parsers.templates.labels import LabelMatcher
from intake.parsers.templates.text import norm_label


@pytest.fixture(scope="module")
def staffs():
    return LabelMatcher(load_registry().get("staffordshire_cse"))


@pytest.fixture(scope="module")
def derbys():
    return LabelMatcher(load_registry().get("derbyshire_op_liberty"))


def keys(matcher, text):
    return [f.key for f, _ in matcher.match(text)]


@pytest.mark.parametrize("text, key", [
    ("Post/Job Title", "submitter.role"),
    ("Post / Job title", "submitter.role"),
    ("POST / JOB TITLE:", "submitter.role"),
    ("Job Title", "submitter.role"),
    ("Post  /  Job  Titel", "submitter.role"),  # a typo: fuzzy
    ("Contact Details", "submitter.contact"),
    ("contact details", "submitter.contact"),
    ("Contact (tel / e-mail)", "submitter.contact"),
    ("Date/Time of report", "report_datetime"),
    ("Date and time of report", "report_datetime"),
    ("Date / Time of Report", "report_datetime"),
    ("Age (approx.)", "subject.age"),
    ("Witnessed Incident?", "witnessed_by"),
    ("Did you witness the incident?", "witnessed_by"),
    ("If the information is from a third party would they be willing to engage with the Police", "third_party.willing_to_engage"),
])
def test_label_wordings_match_their_field(staffs, text, key):
    assert key in keys(staffs, text)


def test_a_label_used_twice_offers_both_fields(staffs):
    assert set(keys(staffs, "Name")) == {"submitter.name", "subject.name"}


@pytest.mark.parametrize("text", [
    "Page", "Names", "Agenda", "Post code", "Contact the police on 101",
    "She said the man's name was Tom and that he drives a blue car and has an address near the park",
    "Name of the man is not known but he has a tattoo of a snake on his neck and drives a grey Audi A3 estate",
])
def test_other_words_and_free_text_are_not_labels(staffs, text):
    assert "submitter.name" not in keys(staffs, text) and "subject.name" not in keys(staffs, text)
    assert "submitter.role" not in keys(staffs, text)


def test_finds_the_label_at_the_start_and_others_on_the_same_line(derbys):
    hits = derbys.find("Victim (if known): Kai Brown\t\t\tDOB: 14/02/2011")
    assert [h.candidates[0][0].key for h in hits] == ["subject.name", "subject.dob"]
    line = "Victim (if known): Kai Brown\t\t\tDOB: 14/02/2011"
    assert line[hits[0].value_start:hits[1].label_start].strip() == "Kai Brown"
    assert line[hits[1].value_start:].strip() == "14/02/2011"


def test_a_label_in_the_middle_of_free_text_is_not_split_off(derbys):
    hits = derbys.find("He gave his DOB: 01/02/1999 to staff")
    assert hits == []


def test_numbering_and_qualifiers_are_not_part_of_a_label():
    assert norm_label("3. Problem") == "problem"
    assert norm_label("Box 3: Problem") == "problem"
    assert norm_label("Victim (if known)") == "victim"
    assert norm_label("Alleged offender(s)(if known)") == "alleged offender"
    assert norm_label("• Name") == "name"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_line_is_matched_without_error(text):
    m = LabelMatcher(load_registry().get("west_midlands_fib"))
    for h in m.find(text):
        assert 0 <= h.label_start <= h.label_end <= h.value_start <= len(text)


@pytest.mark.parametrize("line", [
    "She is not willing to engage with the police at the moment.",
    "The man gave his name as Jay and said he was 20.",
    "Who else knows about this is not clear.",
])
def test_sentences_in_a_narrative_do_not_end_it(line):
    m = LabelMatcher(load_registry().get("west_midlands_fib"))
    assert m.find(line) == [] or not m.find(line)[0].strong
