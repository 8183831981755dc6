"""Dates of birth after a cue ("DOB 03/04/2011", "born 3rd April 2011",
"d.o.b: 3.4.11"): ISO date."""

from __future__ import annotations

from intake.extractors.dates import numeric_date, parse_phrase
from intake.extractors.recognizer import Pattern, Recognizer

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE_TEXT = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_CUE = (r"\b(?P<cue>d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birth\s*date|birthday\s+is)"
        r"\s*(?:is|was|of)?\s*[:\-=]?\s*\(?")


class DobRecognizer(Recognizer):
    name = "dob"
    entity = "DOB"
    priority = 85
    patterns = (
        Pattern("cued", _CUE + rf"(?P<m>{DATE_TEXT})", 0.95),
        # "Aaliyah Khan, 12/09/2010, was reported": a date in apposition to a
        # name is how forms and officers write a date of birth.
        Pattern("apposition", r"(?<![\w'’\-])[A-Z][a-z'’\-]+\s*(?:,\s*|\(\s*)(?P<m>\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2}))(?=\s*[,)])",
                0.7, 0),
    )

    def validate_result(self, m, text, ctx, pattern):
        raw = m.group("m")
        d = numeric_date(raw, ctx.report_date)
        if d is None:
            dt = parse_phrase(raw, ctx.report_date)
            d = dt.date() if dt else None
        if d is None:
            return None
        if ctx.report_date and d > ctx.report_date:
            return None  # a birth after the report is a misread, not a DOB
        if d.year < 1900:
            return None
        return d.isoformat()
