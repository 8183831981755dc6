"""People, brands and shops: unfamiliar and hyphenated names whole, brands
not people, shops named with ordinary words, towns with hyphens. Names,
brands and shops here are not those of the evaluation sets."""

from datetime import date

import pytest

from intake.extractors.extract import extract_text_fields

RD = date(2026, 5, 14)


def _got(text, *types):
    return [(m.type, m.value) for m in extract_text_fields({"f": text}, RD, {}) if m.type in types]


@pytest.mark.parametrize("text,name", [
    ("Suspect: Bashir Abdullahi Gedi, DOB 03/02/1990, of Walsall.", "Bashir Abdullahi Gedi"),
    ("A second man, Hoang Van Minh, is often at the flat.", "Hoang Van Minh"),
    ("Victim: Aleksandra Wróbel, 15, attends the academy.", "Aleksandra Wróbel"),
    ("The referrer is Mrs J. Okonkwo-Bright, the school nurse.", "Mrs J. Okonkwo-Bright"),
    ("Ionuț Radu said he would collect her.", "Ionuț Radu"),
    ("She was with a man called Karwan Aziz at the flat.", "Karwan Aziz"),
    ("Associate: Arjun Sandhu aka Sandy, of Derby.", "Arjun Sandhu"),
    ("Mother Ama Owusu-Ansah is worried.", "Ama Owusu-Ansah"),
    ("Later Tyrone Walker was seen at the bus station.", "Tyrone Walker"),
    ("The tenant, Mr Pham Quoc Bao, was not in.", "Mr Pham Quoc Bao"),
])
def test_whole_names(text, name):
    people = [v for t, v in _got(text, "PERSON")]
    assert name in people, people
    assert not [v for v in people if v != name and v in name], "no part of the name on its own"


@pytest.mark.parametrize("text", [
    "He wore a Stone Island jacket and Gucci sliders.",
    "The boys want Ralph Lauren polos and Louis Vuitton belts.",
    "She came home in a Hellstar hoodie and new Nike trainers.",
])
def test_brands_are_not_people_or_firms(text):
    assert _got(text, "PERSON", "ORGANISATION") == []


@pytest.mark.parametrize("text,shop", [
    ("Girls get free chips at Golden Chick Express after school.", "Golden Chick Express"),
    ("The men wait outside Quick Stop Convenience most nights.", "Quick Stop Convenience"),
    ("He works at Pound Bargains on the high street.", "Pound Bargains"),
    ("They buy cider at Sunrise Food & Wine.", "Sunrise Food & Wine"),
])
def test_shops_named_with_ordinary_words(text, shop):
    got = _got(text, "ORGANISATION", "PERSON", "SUBSTANCE")
    assert ("ORGANISATION", shop) in got, got
    assert not [v for t, v in got if t == "PERSON"]


def test_a_drink_in_a_shops_name_is_not_a_substance():
    assert ("SUBSTANCE", "alcohol") not in _got("They meet at Sunrise Food and Wine.", "SUBSTANCE")


@pytest.mark.parametrize("text,place", [
    ("The boys were taken to Barrow-in-Furness by train.", "Barrow-in-Furness"),
    ("She has an aunt in Stockton-on-Tees.", "Stockton-on-Tees"),
])
def test_hyphenated_towns_whole(text, place):
    assert ("LOCATION", place) in _got(text, "LOCATION")


@pytest.mark.parametrize("text,address", [
    ("He lives at 14 Mill Lane, Henley-on-Thames with his uncle.", "14 Mill Lane, Henley-on-Thames"),
    ("Found at 3 Park Road, Kingston upon Hull by officers.", "3 Park Road, Kingston upon Hull"),
])
def test_addresses_in_hyphenated_towns_are_not_cut(text, address):
    assert ("ADDRESS", address) in _got(text, "ADDRESS")


def test_a_street_typed_in_capitals():
    assert ("LOCATION", "MILL STREET") in _got("THERE IS A FLAT ON MILL STREET WHERE THEY GO", "LOCATION")
