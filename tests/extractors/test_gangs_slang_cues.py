"""Numbered gangs, ages after names and nouns, cued partial plates, slang
that is also a name, vehicles in lower-case text, nickname cues."""

from datetime import date

import pytest

from intake.extractors.extract import extract_text_fields

RD = date(2026, 5, 14)


def _got(text, *types):
    return [(m.type, m.value) for m in extract_text_fields({"f": text}, RD, {}) if m.type in types]


@pytest.mark.parametrize("text,gangs", [
    ("He says he is a member of Zone 4 now.", ["Zone 4"]),
    ("The Block 12 gang and the Hillside crew are fighting.", ["Block 12 gang", "Hillside crew"]),
    ("Hood Gang 9 have been recruiting outside the school.", ["Hood Gang 9"]),
    ("She thinks he owes money to the Estate 7 lot.", ["Estate 7"]),
    ("A crew calling themselves Blok 3 sell on the estate.", ["Blok 3"]),
])
def test_numbered_gangs(text, gangs):
    assert [v for t, v in _got(text, "GANG")] == gangs


@pytest.mark.parametrize("text", [
    "She is in Year 9 and was upset after the fight.",
    "Meet at Junction 10 of the M6 if there is trouble with the group.",
    "The bus to Zone 2 is free for pupils.",
    "Room 12 is where the year 9 boys meet.",
])
def test_numbered_things_are_not_gangs(text):
    assert _got(text, "GANG") == []


@pytest.mark.parametrize("text,age", [
    ("Kai-Lee Hart-Owens, 15, was reported missing.", "15"),
    ("a Lithuanian boy, 14, staying with an uncle", "14"),
    ("the girl (13) was found at the station", "13"),
])
def test_ages_in_apposition(text, age):
    assert _got(text, "AGE") == [("AGE", age)]


def test_a_cued_front_of_a_plate_is_a_partial():
    assert _got("The reg was possibly KX21 but he only saw part.", "VRM") == [("VRM", "KX21*")]
    assert _got("The reg was KX21 ABC.", "VRM") == [("VRM", "KX21ABC")]


@pytest.mark.parametrize("text,expected", [
    ("At the party Jo gave them spice and charlie in the toilets.", [("SUBSTANCE", "spice"), ("SUBSTANCE", "cocaine")]),
    ("Jo said everyone was on the mandy last night.", [("SUBSTANCE", "mdma")]),
    ("Charlie and Mandy are in year 8 and not involved.", []),
    ("i think mandy is her name and she is 15", []),
    ("Poppy had nitrous oxide canisters in her room.", [("SUBSTANCE", "nitrous oxide")]),
])
def test_slang_that_is_also_a_name(text, expected):
    assert _got(text, "SUBSTANCE") == expected


def test_a_vehicle_in_lower_case_text():
    assert _got("he picks them up in a grey astra most nights", "VEHICLE") == [("VEHICLE", "grey astra")]
    assert _got("He picks them up in a grey astra most nights.", "VEHICLE") == []


@pytest.mark.parametrize("text,alias", [
    ("A man known to the girls as Tiger gives them lifts.", "Tiger"),
    ("his name is Dan but the girls call him Danny Boy", "Danny Boy"),
    ("The older boys call her Princess.", "Princess"),
])
def test_nickname_cues(text, alias):
    assert ("ALIAS", alias) in _got(text, "ALIAS")


@pytest.mark.parametrize("text", ["I will call him Monday.", "Please call him on 07700 900123.",
                                  "Staff will call her back later."])
def test_call_is_not_always_a_nickname(text):
    assert _got(text, "ALIAS") == []


def test_verbs_of_handing_out_are_drug_context():
    assert _got("The older boys give out bud at the park.", "SUBSTANCE") == [("SUBSTANCE", "cannabis")]


def test_a_role_label_is_not_a_person():
    got = _got("Foster carer: Mrs Jane Hollis  Tel: 07700 900 771", "PERSON")
    assert got == [("PERSON", "Mrs Jane Hollis")]
