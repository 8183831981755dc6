"""Label matching by meaning: normalisation, synonyms, rapidfuzz with a
cut-off, and free text that is never a label."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from intake.parsers.templates import labels, load_registry
from intake.parsers.templates.labels import _JOINED, FUZZY_CUTOFF, MAX_LABEL_WORDS, LabelMatcher, matcher_for, ocr_fold
from intake.parsers.templates.text import norm, norm_label, strip_numbering


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


# -- the index behind match() against the rules it stands for -------------

def _rules_score(matcher, c, head):
    """The score rules of LabelMatcher.match written out plainly, wording by
    wording: the reference the indexed look-ups must agree with."""
    joined = _JOINED.match(strip_numbering(head)) is not None
    cw = c.split()
    out = {}
    if not c:
        return []
    if len(cw) >= 4 and head.rstrip().endswith((".", "!")):
        for f, v in matcher.variants:
            if c == v:
                out[f.key] = (f, 100.0)
    elif len(cw) <= MAX_LABEL_WORDS:
        for f, v in matcher.variants:
            vw = v.split()
            if c == v:
                score = 100.0
            elif cw[: len(vw)] == vw and len(cw) <= len(vw) + 2 and len(v) >= 3 and (len(vw) >= 2 or joined):
                score = 91.0 - (len(cw) - len(vw))
            elif len(v) >= 5 and len(c) == len(v) and ocr_fold(c) == ocr_fold(v):
                score = 95.0
            elif len(v) < 6 or not (0.7 * len(v) <= len(c) <= 1.4 * len(v) + 4):
                continue
            else:
                score = max(fuzz.ratio(c, v), fuzz.token_sort_ratio(c, v) - 2,
                            fuzz.ratio(ocr_fold(c), ocr_fold(v)) - 1)
                if score < FUZZY_CUTOFF:
                    continue
            if score > out.get(f.key, (f, 0))[1]:
                out[f.key] = (f, score)
        for f, k in matcher.keys:
            if len(cw) <= 3 * len(k.split()) + 14 and f" {norm(k)} " in f" {c} ":
                if 90 > out.get(f.key, (f, 0))[1]:
                    out[f.key] = (f, 90.0)
    return [(f.key, s) for f, s in sorted(out.values(), key=lambda p: -p[1])]


_WORDINGS = sorted({lab for t in load_registry().templates for f in t.fields + t.groups for lab in f.labels})


@st.composite
def _near_wordings(draw):
    """A form's wording as a submitter or OCR may have left it: a slip, a
    dropped or added letter, words re-ordered, a word or two added, a
    numbering or a colon."""
    text = draw(st.sampled_from(_WORDINGS))
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, max(0, len(text) - 1)))
        op = draw(st.sampled_from(["swap", "drop", "add", "reorder", "extend"]))
        c = draw(st.sampled_from("aeilmnorst10|!/& "))
        if op == "swap":
            text = text[:i] + c + text[i + 1:]
        elif op == "drop":
            text = text[:i] + text[i + 1:]
        elif op == "add":
            text = text[:i] + c + text[i:]
        elif op == "reorder":
            text = " ".join(reversed(text.split()))
        else:
            text = text + " " + draw(st.sampled_from(["details", "of the", "if known", "please"]))
    return draw(st.sampled_from(["", "3. ", "Box 2: "])) + text + draw(st.sampled_from(["", ":", "?", "."]))


@settings(max_examples=300, deadline=None)
@given(_near_wordings(), st.sampled_from([t.id for t in load_registry().templates]))
def test_indexed_matching_gives_what_the_rules_give(head, template_id):
    m = LabelMatcher(load_registry().get(template_id))
    assert [(f.key, s) for f, s in m.match(head)] == _rules_score(m, norm_label(head), head)


def test_remembered_hits_are_not_changed_by_a_caller(staffs):
    line = "Name: Jo Bloggs Age: 14"
    first = staffs.find(line)
    found = [(h.candidates[0][0].key, h.label_start, h.value_start) for h in first]
    first.clear()
    assert found and [(h.candidates[0][0].key, h.label_start, h.value_start) for h in staffs.find(line)] == found


def test_memory_of_lines_is_bounded(monkeypatch):
    monkeypatch.setattr(labels, "MEMO_ENTRIES", 50)
    m = LabelMatcher(load_registry().get("west_midlands_fib"))
    for n in range(500):
        m.find(f"Name: person {n}")
        m.is_boilerplate(f"Some line {n} of text that is long enough to test.")
        m.match(f"label {n}")
    assert len(m._memo) <= 50 and len(m._cache) <= 50
    long_line = "word " * 100
    m.find(long_line)
    assert all(len(text) <= labels.MEMO_CHARS for _, text in m._memo)


def test_one_matcher_per_template_until_the_registry_is_reloaded():
    t = load_registry().get("met_mase_intel")
    assert matcher_for(t) is matcher_for(t)
    copy = replace(t)  # a reloaded file: an equal template, a new object
    assert matcher_for(copy) is not matcher_for(t) and matcher_for(copy).template is copy
