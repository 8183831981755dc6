"""Value typing per docs/forms.md and docs/uk-formats.md: day-first dates, two-digit
years, ages, grades with "don't know"."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.parsers.templates import values
from intake.parsers.templates.text import clean_value


@pytest.mark.parametrize("text, want", [
    ("04/03/2026 14:30", "2026-03-04T14:30"),
    ("04/03/2026", "2026-03-04"),
    ("4/3/26 2.30pm", "2026-03-04T14:30"),
    ("04.03.2026 at 1430hrs", "2026-03-04T14:30"),
    ("04-03-2026 09:05", "2026-03-04T09:05"),
    ("Wed 4th March 2026, 11am", "2026-03-04T11:00"),
    ("4 Mar 2026", "2026-03-04"),
    ("March 4, 2026 14:30", "2026-03-04T14:30"),
    ("2026-03-04 14:30", "2026-03-04T14:30"),
    ("Tue 25 Nov 2025, 1555hrs", "2025-11-25T15:55"),
    ("12/01/2026 12am", "2026-01-12T00:00"),
    ("03/04/24", "2024-04-03"),  # never 1924 (PREFER_DATES_FROM trap)
    ("31/12/99", "1999-12-31"),
])
def test_report_datetime_is_day_first_iso(text, want):
    assert values.to_datetime(text, ref_year=2026) == (want, None)


@pytest.mark.parametrize("text", ["yesterday", "after school on Friday", "31/02/2026", "13/13/2026", "n/a"])
def test_unreadable_dates_are_null_with_a_reason_never_a_guess(text):
    value, why = values.to_datetime(text, ref_year=2026)
    assert value is None and why


def test_two_digit_years_stay_no_later_than_reference_year_plus_one():
    assert values.expand_year(27, 2026) == 2027
    assert values.expand_year(28, 2026) == 1928
    assert values.expand_year(10, 2026) == 2010
    assert values.expand_year(19, 2019) == 2019


def test_dob_is_an_iso_date_without_time():
    assert values.to_datetime("14/02/2010 10:00", 2026, with_time=False) == ("2010-02-14", None)
    assert values.to_datetime("14.02.10", 2026, with_time=False) == ("2010-02-14", None)


@pytest.mark.parametrize("text, want", [
    ("14", 14), ("14 years", 14), ("approx 15", 15), ("15yrs", 15), ("about fourteen", 14),
    ("14 years 3 months", 14), ("17 years old", 17), ("15 y/o", 15), ("14 (DOB 01/02/2012)", 14),
])
def test_age_is_an_integer(text, want):
    assert values.to_integer(text) == (want, None)


@pytest.mark.parametrize("text", ["14 or 15", "14/15", "DOB 01/02/2010", "teenager", "140"])
def test_unclear_ages_are_null_with_a_reason(text):
    value, why = values.to_integer(text)
    assert value is None and why


@pytest.mark.parametrize("text", ["unknown", "not known", "Don't know", "dk", "n/a"])
def test_unknown_age_is_null_without_complaint(text):
    assert values.to_integer(text) == (None, None)


@pytest.mark.parametrize("text, want", [
    ("3", 3), ("3 - usually reliable", 3), ("5 = Always Reliable", 5), ("1", 1), ("four", 4),
    ("don't know", None), ("Dont know", None), ("dk", None), ("DK", None), ("unknown", None),
    ("d/k", None), ("not sure", None),
])
def test_grades_and_dont_know(text, want):
    assert values.to_grade(text, 1, 5) == (want, None)


def test_a_grade_off_the_scale_is_null_and_says_so():
    value, why = values.to_grade("5", 1, 4)
    assert value is None and "1-4" in why


@pytest.mark.parametrize("text, want", [
    ("     ", None),  # an untouched legacy FORMTEXT (five en spaces)
    ("\u2002" * 5, None),
    ("Click here to enter text.", None),
    ("Click or tap here to enter text.", None),
    ("………………………………", None),
    (". . . . . . . . .", None),
    ("________", None),
    (":", None),
    ("  Jo   Bloggs \n  ", "Jo Bloggs"),
    ("Jo Bloggs ……………", "Jo Bloggs"),
])
def test_placeholders_are_empty_and_white_space_collapsed(text, want):
    assert clean_value(text) == want


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_typing_any_text_never_raises(text):
    for fn in (lambda t: values.to_datetime(t, 2026), lambda t: values.to_datetime(t, 2026, False),
               values.to_integer, lambda t: values.to_grade(t, 1, 5)):
        value, why = fn(text)
        assert value is None or why is None


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2027, 12, 31)),
       st.sampled_from(["{d:02d}/{m:02d}/{y}", "{d}.{m}.{y}", "{d}-{m:02d}-{y}", "{d} {mon} {y}"]))
def test_every_written_date_round_trips(date, fmt):
    text = fmt.format(d=date.day, m=date.month, y=date.year, mon=date.strftime("%B"))
    assert values.to_datetime(text, 2026) == (date.isoformat(), None)


@pytest.mark.parametrize("text,want", [
    ("03/04/2026 1430", "2026-04-03T14:30"),       # a bare 24-hour time beside the date
    ("1430 03/04/2026", "2026-04-03T14:30"),
    ("03/04/2026 0930", "2026-04-03T09:30"),
    ("03 Apr 26 1430", "2026-04-03T14:30"),
    ("14h30 03/04/2026", "2026-04-03T14:30"),
    ("03/04/2026 12 noon", "2026-04-03T12:00"),
    ("03/04/2026 midday", "2026-04-03T12:00"),
    ("14:30 on 03/04/2026", "2026-04-03T14:30"),
    ("03/04/2026, 2.30pm", "2026-04-03T14:30"),
    ("3rd April 2026 at 2:30 pm", "2026-04-03T14:30"),
    ("03/04/2026 (14:30)", "2026-04-03T14:30"),
    ("03/04/2026 1430hrs", "2026-04-03T14:30"),
    # the year of the date is never read as a time, nor two bare numbers
    ("03/04/2026", "2026-04-03"),
    ("3 April 2026", "2026-04-03"),
    ("03/04/2026 1430 1530", "2026-04-03"),
])
def test_the_time_in_date_time_of_report_is_kept(text, want):
    assert values.to_datetime(text, 2026) == (want, None)


_MONTH_WORDS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December", "Mar", "Sept", "Marchh"]


@settings(max_examples=120, deadline=None)
@given(day=st.integers(0, 33), month=st.sampled_from(_MONTH_WORDS), year=st.integers(1880, 2120),
       case=st.sampled_from([str, str.lower, str.upper]))
def test_plain_dates_read_as_dateparser_reads_them(day, month, year, case):
    """The phrases read without dateparser get the date dateparser gives
    them; the rest go to dateparser."""
    phrase = f"{day} {case(month)} {year}"
    plain = values.plain_date(phrase)
    if plain is not None:
        assert plain == values.by_dateparser(phrase)


def test_plain_date_reads_only_whole_dates_it_is_sure_of():
    assert values.plain_date("4 March 2026") == dt.date(2026, 3, 4)
    assert values.plain_date("29 february 2024") == dt.date(2024, 2, 29)
    for phrase in ("29 February 2026", "4 Mar 2026", "4 March 1850", "4 March 2026 14:30",
                   "\u0664 March 2026", "March 4 2026"):
        assert values.plain_date(phrase) is None, phrase
