"""Turning a date phrase into ISO 8601, relative to the report's date.

Numeric dates are read here, day first, because dateparser's two-digit-year
handling puts "03/04/24" in 1924 under PREFER_DATES_FROM='past'; the century
chosen is the one that keeps the date no later than the report year + 1
(docs/uk-formats.md, our design choice). Everything else goes to dateparser with
languages=['en'], DATE_ORDER='DMY' and RELATIVE_BASE = the report date, never
the time of processing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+\-]\d{2}:?\d{2})?)?$")


def expand_year(yy: int, report_date: date | None) -> int:
    ref = (report_date or date.today()).year + 1
    year = (ref // 100) * 100 + yy
    return year - 100 if year > ref else year


def numeric_date(phrase: str, report_date: date | None) -> date | None:
    """A day-first numeric date ("03/04/11", "3.4.2011", "03-04-2011"), or
    an ISO one ("2011-04-03", what a parsed form's date field holds)."""
    iso = _ISO.match(phrase.strip())
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    m = _NUMERIC.match(phrase.strip())
    if not m:
        return None
    d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
    year = int(y) if len(y) == 4 else expand_year(int(y), report_date)
    try:
        return date(year, mo, d)
    except ValueError:
        return None


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES, 1)} | {name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)}
_PLAIN = re.compile(r"([0-9]{1,2})(st|nd|rd|th)? ([a-z]+) ([0-9]{4})")


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def plain_date(phrase: str) -> datetime | None:
    """What dateparser makes of the commonest phrase, a whole date written
    out ("12th march 2026", "3 dec 2025": a day with its right ordinal or
    none, a month's name or its first three letters, a year from 1900 to
    2099), read without it: dateparser takes about 2 ms for each new
    phrase, and a whole date does not depend on the report's date. None
    for anything else (dateparser reads it). tests/extractors/test_dates.py
    holds it against dateparser."""
    m = _PLAIN.fullmatch(phrase)
    if m is None:
        return None
    day, month, year = int(m.group(1)), _MONTHS.get(m.group(3)), int(m.group(4))
    if month is None or not 1900 <= year <= 2099 or (m.group(2) and m.group(2) != _ordinal(day)):
        return None
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


_WEEKDAYS = {name: n for n, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_COUNTS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
_COUNTS["a"] = _COUNTS["an"] = 1
_AGO = re.compile(r"(a|an|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]{1,2}) (day|days|week|weeks) ago")


def plain_relative(phrase: str, base: date | None, prefer: str) -> datetime | None:
    """What dateparser makes of the commonest phrases relative to the
    report's date, read without it (see plain_date): "yesterday", "today",
    a weekday's name (the last such day before the report's date, or the
    next after it when the future is preferred: never the day itself) and
    "three days ago", "a week ago". None for anything else, or with no
    report date (dateparser then counts from the clock)."""
    if base is None:
        return None
    shift = None
    if phrase == "yesterday":
        shift = -1
    elif phrase == "today":
        shift = 0
    elif phrase in _WEEKDAYS:
        wd, today = _WEEKDAYS[phrase], base.weekday()
        shift = ((wd - today) % 7 or 7) if prefer == "future" else -((today - wd) % 7 or 7)
    else:
        m = _AGO.fullmatch(phrase)
        if m is not None:
            n = _COUNTS[m.group(1)] if m.group(1) in _COUNTS else int(m.group(1))
            shift = -n * (7 if m.group(2).startswith("week") else 1)
    if shift is None:
        return None
    try:
        day = base + timedelta(days=shift)
    except OverflowError:
        return None  # before year 1: dateparser says what it says
    return datetime(day.year, day.month, day.day)


@lru_cache(maxsize=4096)
def _dateparser(phrase: str, base: date | None, prefer: str) -> datetime | None:
    plain = plain_date(phrase)
    if plain is None:
        plain = plain_relative(phrase, base, prefer)
    return plain if plain is not None else by_dateparser(phrase, base, prefer)


def by_dateparser(phrase: str, base: date | None, prefer: str) -> datetime | None:
    import dateparser  # slow import; only when a phrase needs it

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    try:
        return dateparser.parse(phrase, languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        return None


def parse_phrase(phrase: str, report_date: date | None, prefer: str = "past") -> datetime | None:
    return _dateparser(" ".join(phrase.split()).lower(), report_date, prefer)
