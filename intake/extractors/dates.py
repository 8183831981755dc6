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
from datetime import date, datetime
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


@lru_cache(maxsize=4096)
def _dateparser(phrase: str, base: date | None, prefer: str) -> datetime | None:
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
