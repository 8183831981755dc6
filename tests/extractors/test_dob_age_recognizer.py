from datetime import date

import pytest

from tests.extractors.helpers import values


@pytest.mark.parametrize("text,value", [
    ("Ryan (DOB 03/04/2011) was there", "2011-04-03"),
    ("D.O.B: 03.04.11", "2011-04-03"),
    ("date of birth 3rd April 2011", "2011-04-03"),
    ("born on 14 February 2010", "2010-02-14"),
    ("DOB - 29/02/2012", "2012-02-29"),
])
def test_dob(text, value):
    assert values(text, "DOB", "dob") == [value]


@pytest.mark.parametrize("text", ["DOB 31/02/2011", "DOB unknown", "DOB 03/04/2030", "born in Leeds"])
def test_not_a_dob(text):
    assert values(text, "DOB", "dob", report_date=date(2026, 3, 12)) == []


def test_dob_is_not_also_a_datetime():
    assert values("DOB 03/04/2011", "DATETIME") == []


@pytest.mark.parametrize("text,value", [
    ("Young females aged about 14 also attend", "14"),
    ("Joe Bloggs a 20 year old male", "20"),
    ("a male approx 15, slim build", "15"),
    ("the 15yo was seen", "15"),
    ("a 16 y/o girl", "16"),
    ("Age: 13", "13"),
    ("a fourteen-year-old boy", "14"),
    ("aged 15-16", "15"),
])
def test_age(text, value):
    assert values(text, "AGE", "age") == [value]


@pytest.mark.parametrize("text", ["approx 15 minutes later", "about 11pm", "approx 20 males",
                                  "a 20 minute drive", "PC 1234", "room 14"])
def test_not_an_age(text):
    assert values(text, "AGE", "age") == []


def test_age_is_not_a_date():
    assert values("a 20 year old male", "DATETIME") == []
