"""The spaCy corrections are named steps that configuration can switch off."""

from datetime import date

import pytest

from intake.extractors import nlp
from intake.extractors.extract import extract_text_fields
from intake.types import IntakeError

TEXT = "Young people are hanging around Hackney with older males."


def _types(opts):
    return {(m.type, m.value) for m in extract_text_fields({"t": TEXT}, date(2026, 3, 12), opts)}


def test_steps_are_named_and_ordered():
    assert list(nlp.STEPS)[:2] == ["trim_determiners", "drop_non_names"]
    assert nlp.steps(("person_verbs",)) == [f for n, f in nlp.STEPS.items() if n != "person_verbs"]


def test_unknown_step_is_a_config_error():
    with pytest.raises(IntakeError) as exc:
        _types({"spacy_steps_disable": ["no_such_step"]})
    assert exc.value.code == "config_invalid"


def test_disabling_a_step_changes_what_the_model_gives():
    # The model calls "Hackney" an ORG here; the gazetteer step makes it a
    # place. Rules off, so only the model speaks.
    rules_off = ["vrm", "phone", "email", "postcode", "social_handle", "dob", "age", "datetime", "alias",
                 "vehicle", "gang", "gazetteer_terms", "named_places", "person_rules"]
    on = _types({"disable": rules_off})
    off = _types({"disable": rules_off, "spacy_steps_disable": ["places_are_locations"]})
    assert ("LOCATION", "Hackney") in on
    assert ("LOCATION", "Hackney") not in off
