"""docs/uk-formats.md date facts, resolved against the report's date."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.helpers import run, values

R = date(2026, 3, 12)  # Thursday


def dt(text, report_date=R):
    return values(text, "DATETIME", "datetime", report_date=report_date)


@pytest.mark.parametrize("text,expected", [
    ("It happened on 03/04/2024 near the shop", ["2024-04-03"]),
    ("It happened on 03/04/24 near the shop", ["2024-04-03"]),
    ("It happened on 3.4.2024 near the shop", ["2024-04-03"]),
    ("They met last Friday", ["2026-03-06"]),
    ("They met on Friday night", ["2026-03-06"]),
    ("She went missing a fortnight ago", ["2026-02-26"]),
    ("She went missing yesterday", ["2026-03-11"]),
    ("They last knew this was true a week ago.", ["2026-03-05"]),
    ("Seen on 12th March 2026 at 1430 hrs", ["2026-03-12T14:30"]),
    ("Seen on 12/03/2026 at 1430 hrs", ["2026-03-12T14:30"]),
    ("Picked up at about 11pm", ["23:00"]),
    ("Dropped off at 2pm", ["14:00"]),
    ("Dropped off at 14:30", ["14:30"]),
    ("It was 1430hrs", ["14:30"]),
    ("This happens after school on Friday", ["after school on Friday"]),
    ("This happens after school on Thursdays", ["after school on Thursdays"]),
    ("They are meeting this weekend", ["this weekend"]),
    ("It started at half term", ["half term"]),
    ("It was Friday just gone", ["Friday just gone"]),
    ("Back in March 2025 it began", ["2025-03"]),
])
def test_date_phrases(text, expected):
    assert dt(text) == expected


@pytest.mark.parametrize("text", [
    "She may go to the party", "He will sun himself", "Sat outside the shop", "a week",
    "Room 2300 was booked", "crime ref CR/123456/24", "sort code 20-00-00",
    "Do you know him", "He went to the bar",
])
def test_words_that_are_not_dates(text):
    assert dt(text) == []


def test_replayed_old_mailbox_gives_old_dates():
    assert dt("They met last Friday", report_date=date(2019, 6, 5)) == ["2019-05-31"]
    assert dt("Seen on 03/04/19", report_date=date(2019, 6, 5)) == ["2019-04-03"]


def test_two_digit_year_never_jumps_past_next_year():
    # Report in 2026: "27" can be 2027, "28" must be 1928 (a DOB, say).
    assert dt("on 01/01/27", report_date=R) == ["2027-01-01"]
    assert dt("on 01/01/28", report_date=R) == ["1928-01-01"]


def test_without_a_report_date_relative_phrases_keep_their_text():
    assert dt("They met last Friday", report_date=None) == ["last Friday"]
    assert dt("on 03/04/2024", report_date=None) == ["2024-04-03"]


def test_span_matches_text():
    text = "Seen yesterday at 2pm by staff"
    [m] = [m for m in run(text, "datetime") if m.type == "DATETIME"]
    assert text[m.start:m.end] == m.text == "yesterday at 2pm"
    assert m.value == "2026-03-11T14:00"


@pytest.mark.parametrize("text,value", [
    ("They meet on Tuesday and Thursday evenings at the park.", "Tuesday and Thursday evenings"),
    ("She does not want a call on Sunday afternoons.", "Sunday afternoons"),
    ("missing from lessons on Monday and Wednesday afternoons", "Monday and Wednesday afternoons"),
    ("usually on friday and saturday nights", "friday and saturday nights"),
    ("he picks her up on Tuesdays and Thursdays", "Tuesdays and Thursdays"),
    ("He hangs around there every day after school.", "every day after school"),
    ("She goes missing every other weekend.", "every other weekend"),
    ("at a flat in Fenton most Saturday nights", "most Saturday nights"),
    ("He is collected on weekday mornings.", "weekday mornings"),
    ("when she stays over at weekends", "weekends"),
    ("the men wait outside at lunchtimes", "lunchtimes"),
    ("she is seen every Friday", "every Friday"),
    ("they are seen together every Friday night", "every Friday night"),
])
def test_recurring_times_keep_their_text(text, value):
    assert values(text, "DATETIME", "datetime") == [value]


def test_a_day_with_a_singular_part_is_still_a_date():
    assert values("on Sunday afternoon she went out", "DATETIME", "datetime") == ["2026-03-08"]


@pytest.mark.parametrize("text,value", [
    ("kept a diary since February", "2026-02"),
    ("she has been missing school since January", "2026-01"),
])
def test_month_after_a_preposition(text, value):
    assert values(text, "DATETIME", "datetime") == [value]


def test_a_day_and_month_a_few_weeks_ahead_is_this_year():
    # report 2026-03-12: a party planned for 28 March is this March
    assert values("The next party is planned for 28th March.", "DATETIME", "datetime") == ["2026-03-28"]
    assert values("It happened on 3rd March.", "DATETIME", "datetime") == ["2026-03-03"]
    assert values("It happened on 20th December.", "DATETIME", "datetime") == ["2025-12-20"]


def test_a_recurring_phrase_and_its_time_stay_two_mentions():
    assert values("He collects girls most nights around 1am.", "DATETIME", "datetime") == ["most nights", "01:00"]
    # a date takes the time beside it into its ISO value
    assert values("It happened last Friday at 2pm.", "DATETIME", "datetime") == ["2026-03-06T14:00"]


_REPORT_DATES = [None, date(2026, 3, 4), date(2024, 12, 31), date(2025, 2, 28)]


def _written_out(day: int, suffix: str, month: str, year: int) -> str:
    return f"{day}{suffix} {month} {year}"


@settings(max_examples=120, deadline=None)
@given(day=st.integers(0, 33), suffix=st.sampled_from(["", "st", "nd", "rd", "th"]),
       month=st.sampled_from(["january", "march", "sept", "sep", "dec", "december", "febr", "may"]),
       year=st.integers(1880, 2120), base=st.sampled_from(_REPORT_DATES),
       prefer=st.sampled_from(["past", "future"]))
def test_whole_dates_read_as_dateparser_reads_them(day, suffix, month, year, base, prefer):
    """A whole date read without dateparser is the one dateparser gives,
    whatever the report's date and the preferred direction."""
    from intake.extractors.dates import by_dateparser, plain_date

    phrase = _written_out(day, suffix, month, year)
    plain = plain_date(phrase)
    if plain is not None:
        assert plain == by_dateparser(phrase, base, prefer)


def test_whole_dates_read_plainly_only_when_sure():
    from intake.extractors.dates import plain_date

    assert plain_date("12th march 2026").date() == date(2026, 3, 12)
    assert plain_date("3 dec 2025").date() == date(2025, 12, 3)
    for phrase in ("12nd march 2026", "31 april 2026", "3 sept 2025", "march 3 2026", "3 march 1899",
                   "yesterday", "3 march 2026 at 1400"):
        assert plain_date(phrase) is None, phrase


@settings(max_examples=150, deadline=None)
@given(phrase=st.sampled_from(["yesterday", "today", "monday", "wednesday", "friday", "saturday", "sunday",
                               "a week ago", "an week ago", "one day ago", "two weeks ago", "3 days ago",
                               "ten days ago", "12 weeks ago", "0 days ago", "a couple of days ago",
                               "last friday", "this morning"]),
       base=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
       prefer=st.sampled_from(["past", "future"]))
def test_relative_phrases_read_as_dateparser_reads_them(phrase, base, prefer):
    """"yesterday", weekdays and "N days ago" read without dateparser give
    dateparser's dates (a weekday is never the report's own day)."""
    from intake.extractors.dates import by_dateparser, plain_relative

    plain = plain_relative(phrase, base, prefer)
    if plain is not None:
        assert plain == by_dateparser(phrase, base, prefer)


def test_relative_phrases_need_a_report_date():
    from intake.extractors.dates import plain_relative

    thursday = date(2026, 3, 12)
    assert plain_relative("thursday", thursday, "past").date() == date(2026, 3, 5)
    assert plain_relative("thursday", thursday, "future").date() == date(2026, 3, 19)
    assert plain_relative("two weeks ago", thursday, "past").date() == date(2026, 2, 26)
    assert plain_relative("yesterday", None, "past") is None
    assert plain_relative("a couple of days ago", thursday, "past") is None
    assert plain_relative("3 days ago", date(1, 1, 2), "past") is None
