from datetime import date

import pytest

from tests.extractors.helpers import run, values


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


@pytest.mark.parametrize("text,value", [
    ("his date of birth is believed to be 04/08/1995", "1995-08-04"),
    ("Hodan Warsame, born 31st August 2002, is the sister", "2002-08-31"),
    ("Suspect D.O.B 24-07-1986 of Tipton", "1986-07-24"),
    ("D.O.B. of the young person is 14.02.2011 and she attends", "2011-02-14"),
    ("He was born on the 3rd of June 2008 in Bucharest", "2008-06-03"),
    ("born in Bucharest on 3 June 2008", "2008-06-03"),
    ("Her DOB is thought to be 21.09.09 but she gives different dates", "2009-09-21"),
    ("Date of birth: 2011-06-21.", "2011-06-21"),
    ("The date of birth we were given for the older brother is 30/06/2008.", "2008-06-30"),
    ("DOB (approx): 01/01/2010", "2010-01-01"),
])
def test_dob_in_prose(text, value):
    ms = [m for m in run(text) if m.type in ("DOB", "DATETIME", "AGE")]
    assert [(m.type, m.value) for m in ms if m.type == "DOB"] == [("DOB", value)]
    assert not [m for m in ms if m.type == "DATETIME"], "a DOB is not also a DATETIME"


@pytest.mark.parametrize("text", [
    "DOB unknown, seen on 12/03/2026",
    "born in Leeds and was seen there on 01/03/2026",
    "Both boys were born in 2009 but we do not know more",
    "Date of birth not known. The meeting was on 04/03/2026.",
])
def test_a_cue_does_not_reach_another_date(text):
    assert values(text, "DOB") == []
