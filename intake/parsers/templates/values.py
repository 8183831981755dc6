"""Raw text -> typed value per docs/forms.md. Each function returns the value and,
when the text could not be read, a reason (never quoting the text)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import dateparser

from intake.parsers.templates.ticks import read_choice

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_D_NUM = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?![\d/-])")
_D_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_D_DMY = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?({_MONTHS})\.?,?\s*(\d{{4}}|'?\d{{2}})(?![\d:])", re.I
)
_D_MDY = re.compile(
    rf"\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I
)
_T_COLON = re.compile(r"(?<![\d/])([01]?\d|2[0-3])[:.]([0-5]\d)(?:\s*(am|pm|a\.m\.|p\.m\.))?(?![\d/])", re.I)
_T_HRS = re.compile(r"(?<![\d/])([01]\d|2[0-3])([0-5]\d)\s*(?:hrs|hours|h)\b", re.I)
_T_AMPM = re.compile(r"(?<![\d:.])(1[0-2]|0?[1-9])\s*(am|pm|a\.m\.|p\.m\.)", re.I)
_T_H = re.compile(r"(?<![\d/])([01]?\d|2[0-3])h([0-5]\d)\b", re.I)  # "14h30"
_T_WORD = re.compile(r"\b(?:12\s*)?(noon|midday|midnight)\b", re.I)
# A bare 24-hour "1430" or "0930": only in what is left of a date-time once
# the date is taken out, and only when no other time is written there.
_T_BARE = re.compile(r"(?<![\d/.:,-])([01]\d|2[0-3])([0-5]\d)(?![\d/.:,-])")
_DK = re.compile(
    r"\b(?:d\.?\s*/?\s*k|don'?t know|dont know|do not know|not known|unknown|unsure|not sure|n/?a|cannot say|can'?t say)\b",
    re.I,
)
_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}


def expand_year(yy: int, ref_year: int | None) -> int:
    """Two-digit year: the century that keeps the date no later than the
    reference year + 1 (our choice, docs/uk-formats.md). Done here because
    dateparser's PREFER_DATES_FROM turns '24' into 1924. The reference is
    the report's own date or the e-mail's, never the day of processing:
    reprocessing a form next year must give the same record. With neither
    (a tool fed a bare document), the POSIX pivot: 69-99 are 19xx."""
    if ref_year is None:
        return (1900 if yy >= 69 else 2000) + yy
    year = (ref_year // 100) * 100 + yy
    if year > ref_year + 1:
        year -= 100
    return year


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
_MONTH_NUMBERS = {name: n for n, name in enumerate(_MONTH_NAMES, 1)}
_PLAIN_DATE = re.compile(r"([0-9]{1,2}) ([A-Za-z]+) ([0-9]{4})")


def plain_date(phrase: str) -> dt.date | None:
    """The date of a phrase find_date writes most often, "4 March 2026"
    (a day, a month's full name, a year from 1900 to 2099), read without
    dateparser, which takes about 2 ms for each new phrase; None for any
    other phrase or a day the month does not have (dateparser reads those).
    tests/parsers/test_template_values.py holds it against dateparser."""
    m = _PLAIN_DATE.fullmatch(phrase)
    if m is None:
        return None
    month = _MONTH_NUMBERS.get(m.group(2).lower())
    year = int(m.group(3))
    if month is None or not 1900 <= year <= 2099:
        return None
    try:
        return dt.date(year, month, int(m.group(1)))
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _dateparser(phrase: str) -> dt.date | None:
    plain = plain_date(phrase)
    return plain if plain is not None else by_dateparser(phrase)


def by_dateparser(phrase: str) -> dt.date | None:
    got = dateparser.parse(
        phrase,
        languages=["en"],
        settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
                  "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return got.date() if got else None


def find_date(text: str, ref_year: int | None) -> tuple[dt.date | None, tuple[int, int] | None]:
    """Our own rule finds the date phrase; dateparser reads it."""
    for rx, order in ((_D_ISO, "ymd"), (_D_NUM, "dmy"), (_D_DMY, "dMy"), (_D_MDY, "Mdy")):
        m = rx.search(text)
        if not m:
            continue
        g = m.groups()
        if order == "ymd":
            phrase = f"{int(g[2])} {dt.date(2000, int(g[1]), 1).strftime('%B') if 1 <= int(g[1]) <= 12 else g[1]} {g[0]}"
        elif order == "dmy":
            year = int(g[2]) if len(g[2]) == 4 else expand_year(int(g[2]), ref_year)
            if not (1 <= int(g[1]) <= 12):
                return None, m.span()
            month = dt.date(2000, int(g[1]), 1).strftime("%B")
            phrase = f"{int(g[0])} {month} {year}"
        elif order == "dMy":
            y = g[2].lstrip("'")
            year = int(y) if len(y) == 4 else expand_year(int(y), ref_year)
            phrase = f"{int(g[0])} {g[1]} {year}"
        else:
            phrase = f"{int(g[1])} {g[0]} {g[2]}"
        return _dateparser(phrase), m.span()
    return None, None


def find_time(text: str, bare: bool = False) -> tuple[int, int] | None:
    """The time written in ``text``: "14:30", "2.30pm", "1430hrs", "2pm",
    "14h30", "noon"; with ``bare``, also a lone "1430" (the caller has taken
    the date out, so four digits left beside it are a time)."""
    m = _T_COLON.search(text)
    if m:
        h, mi, ap = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower().replace(".", "")
    elif (m := _T_HRS.search(text) or _T_H.search(text)) is not None:
        h, mi, ap = int(m.group(1)), int(m.group(2)), ""
    elif (m := _T_AMPM.search(text)) is not None:
        h, mi, ap = int(m.group(1)), 0, m.group(2).lower().replace(".", "")
    elif (m := _T_WORD.search(text)) is not None:
        return (0, 0) if m.group(1).lower() == "midnight" else (12, 0)
    elif bare and len(found := _T_BARE.findall(text)) == 1:
        h, mi, ap = int(found[0][0]), int(found[0][1]), ""
    else:
        return None
    if ap == "pm" and h < 12:
        h += 12
    elif ap == "am" and h == 12:
        h = 0
    return (h, mi) if h < 24 and mi < 60 else None


def to_datetime(text: str, ref_year: int | None, with_time: bool = True) -> tuple[str | None, str | None]:
    d, span = find_date(text, ref_year)
    if d is None:
        return None, "no date could be read"
    if not with_time:
        return d.isoformat(), None
    rest = text[: span[0]] + " " + text[span[1]:]
    t = find_time(rest, bare=True)
    if t is None:
        return d.isoformat(), None
    return f"{d.isoformat()}T{t[0]:02d}:{t[1]:02d}", None


def to_integer(text: str, lo: int = 0, hi: int = 120, ref_year: int | None = None) -> tuple[int | None, str | None]:
    low = text.lower()
    if _DK.search(low) and not re.search(r"\d", low):
        return None, None
    # An age next to "years"/"yrs"/"yo" beats any other number in the text.
    m = re.search(r"(?<![\d/])(\d{1,3})\s*(?:years?|yrs?|y/?o|yo)\b", low)
    if m:
        n = int(m.group(1))
        return (n, None) if lo <= n <= hi else (None, f"{n} is outside {lo}-{hi}")
    # An age written with a date of birth beside it ("14 (DOB 01/02/2012)"):
    # the date's numbers are not the age.
    _, span = find_date(text, ref_year)
    if span is not None:
        low = (low[: span[0]] + " " + low[span[1]:]).replace("dob", " ")
    nums = [int(x) for x in re.findall(r"(?<![\d/.])(\d{1,3})(?![\d/])", low)]
    nums += [_NUM_WORDS[w] for w in re.findall(r"[a-z]+", low) if w in _NUM_WORDS]
    nums = list(dict.fromkeys(nums))
    if not nums:
        return None, "a date where a number was expected" if span else "no number could be read"
    if len(nums) > 1:
        return None, "more than one number given"
    n = nums[0]
    return (n, None) if lo <= n <= hi else (None, f"{n} is outside {lo}-{hi}")


def to_grade(text: str, lo: int, hi: int) -> tuple[int | None, str | None]:
    low = text.lower()
    m = re.search(r"(?<![\d/.-])(\d{1,2})(?![\d/])", low)
    if m is None:
        words = [_NUM_WORDS[w] for w in re.findall(r"[a-z]+", low) if w in _NUM_WORDS]
        if words:
            n = words[0]
        elif _DK.search(low):
            return None, None  # "don't know" is an answer: null, no warning
        else:
            return None, "no grade could be read"
    else:
        n = int(m.group(1))
    if lo <= n <= hi:
        return n, None
    return None, f"{n} is outside the scale {lo}-{hi}"


def to_bool_or_choice(parts: list[str], options: dict[str, tuple[str, ...]],
                      as_bool: bool) -> tuple[object, str | None]:
    ch = read_choice(parts, options)
    if ch.status == "empty" and _DK.search(" ".join(parts)):
        return None, None  # "don't know" is an answer, not an unreadable one
    if ch.status == "ok":
        if as_bool:
            return ch.value == "true", None
        return ch.value, None
    if ch.status == "both":
        return None, "more than one option is marked"
    if ch.status == "neither":
        return None, "no single option is marked or left undeleted"
    return None, None


def is_dont_know(text: str) -> bool:
    return bool(_DK.search(text))
