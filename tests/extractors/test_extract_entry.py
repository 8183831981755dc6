"""The stage's entry point: records in, mentions out; config; bad input."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake.extractors import extract_mentions
from intake.extractors.registry import all_names
from intake.types import FieldValue, IntakeError, Record
from tests.extractors.helpers import run


def record(**fields):
    return Record("free_text", "1", {k: FieldValue(v) for k, v in fields.items()})


def test_all_text_fields_of_a_record_and_only_text():
    r = record(problem="Joe Bloggs rang 07700 900123.", who="Tyrone aka Tiny",
               flag=True, blank="   ")
    ms = extract_mentions(r, date(2026, 3, 12), {})
    assert {m.field for m in ms} == {"problem", "who"}
    for m in ms:
        assert r.fields[m.field].value[m.start:m.end] == m.text
        assert m.recogniser


def test_only_configured_recognisers_run():
    ms = run("Joe Bloggs rang 07700 900123 from AB12 CDE", "phone")
    assert [m.type for m in ms] == ["PHONE"]


def test_unknown_recogniser_in_config_is_a_clear_error():
    with pytest.raises(IntakeError) as e:
        run("text", "plates")
    assert e.value.code == "config_invalid" and "plates" in e.value.detail


def test_missing_spacy_model_is_a_clear_error_without_content():
    with pytest.raises(IntakeError) as e:
        run("Joe Bloggs", spacy_model="no_such_model_xyz")
    assert e.value.code == "spacy_model_missing" and "Joe" not in e.value.detail


def test_registry_lists_every_recogniser():
    assert {"vrm", "phone", "email", "postcode", "social_handle", "dob", "age", "datetime",
            "alias", "vehicle", "gang", "gazetteer_terms", "named_places", "person_rules",
            "spacy"} == set(all_names())


def test_no_text_in_logs(caplog):
    caplog.set_level("DEBUG")
    run("Joe Bloggs rang 07700 900123 about Chicken Cottage")
    for rec in caplog.records:
        msg = rec.getMessage()
        assert "Bloggs" not in msg and "07700" not in msg and "Cottage" not in msg


def test_very_long_field_is_cut_for_spacy_and_offsets_stay_right():
    line = "Kyle Mensah met Aisha at Walsall bus station on 07700 900123.\n"
    text = line * 2500  # ~160k characters, over the chunk size
    ms = run(text)
    phones = [m for m in ms if m.type == "PHONE"]
    assert len(phones) == 2500
    for m in ms:
        assert text[m.start:m.end] == m.text


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("AB12 CDE0779@.-/:?*'\"()aknowsJBq£\n\tß\u0130Ω")
                                + ["07700 900123", "aka ", "DOB ", "last Friday", "Road",
                                   "Snapchat", "weed", "B12 9XY", "@x_1 on snap"]),
                max_size=60).map("".join))
def test_fuzz_never_crashes_and_spans_are_exact(text):
    for m in run(text, disable=["spacy"]):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.value


def test_a_failing_recogniser_is_a_clear_error_that_does_not_quote_text(monkeypatch):
    from intake.extractors.recognisers.vrm import VrmRecogniser

    def boom(self, text, ctx):
        raise KeyError(text)  # a bug whose message would carry the content

    monkeypatch.setattr(VrmRecogniser, "analyze", boom)
    from intake.extractors import registry

    registry.build.cache_clear()
    try:
        with pytest.raises(IntakeError) as e:
            run("Joe Bloggs secret text", "vrm")
        assert e.value.code == "extraction_error" and "vrm" in e.value.detail
        assert "secret" not in str(e.value) and e.value.__cause__ is None
    finally:
        registry.build.cache_clear()


HOSTILE = ["A" * 50000, "1" * 50000, "AB12 " * 10000, "A'" * 20000, "a-" * 25000,
           "@a_1 on snap " * 4000, 'Joe "JB" Bloggs ' * 3000, "weed " * 8000, "known as Abc " * 4000,
           "a" * 30000 + "@", "0 " * 25000, "\t\n" * 20000]


@pytest.mark.timeout(120)
def test_hostile_texts_finish_and_keep_exact_spans():
    # Each of these took 30-90 s before the quadratic patterns were fixed;
    # the timeout guards against their return.
    for text in HOSTILE:
        for m in run(text, disable=["spacy"]):
            assert text[m.start:m.end] == m.text
