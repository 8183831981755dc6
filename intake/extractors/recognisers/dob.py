"""Dates of birth after a cue: "DOB 03/04/2011", "born 3rd April 2011",
"d.o.b: 3.4.11", and as people write them in prose: "his date of birth is
believed to be 04/08/1995", "D.O.B. of the young person is 14.02.2011",
"born on the 3rd of June 2008 in Bucharest". Value: ISO date.

Between the cue and the date only a few words from a closed list (verbs of
belief and record, determiners, whose birth it is) or capitalised names may
stand, in the same sentence: "born in Leeds and seen on 12/03/2026" must not
make the sighting a birth."""

from __future__ import annotations

from intake.extractors.dates import numeric_date, parse_phrase
from intake.extractors.recogniser import Pattern, Recogniser

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE_TEXT = (
    r"(?:\d{4}-\d{2}-\d{2}(?![\d\-])"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_CUE = (r"\b(?P<cue>d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birth\s*date|birthday\s+is)"
        r"\s*(?:is|was|of)?\s*[:\-=]?\s*\(?")
# Words that may stand between a cue and its date ("is believed to be", "of
# the young person is", "given as", "(approx)"): a closed list, so a cue
# never reaches a date that belongs to something else.
_FILLER_WORD = (r"(?:is|was|are|were|be|been|being|has|had|have|of|for|the|a|an|his|her|their|its|this|that|"
                r"young|person|child|girl|boy|male|female|man|woman|victim|suspect|subject|second|first|brother|sister|"
                r"son|daughter|mum|mother|dad|father|cousin|friend|boyfriend|girlfriend|baby|"
                r"third|other|older|younger|eldest|youngest|believed|thought|understood|given|stated|said|"
                r"reported|recorded|listed|shown|noted|provided|possibly|probably|approx|approximately|"
                r"around|about|roughly|estimated|to|as|on|in|at|now|also|we|i|think|says|claims|records|"
                r"show|shows|appears|seems|by|from|him|them|according|we|were|you|told|(?-i:[A-Z][\w'’\-]*)(?:['’]s)?)")
_FILLER = rf"(?:[ \t]*[(),:\-=]?[ \t]*{_FILLER_WORD}\b\.?){{0,9}}[ \t]*[():\-=,]{{0,2}}[ \t]*"


class DobRecogniser(Recogniser):
    name = "dob"
    run_order = 60
    entity = "DOB"
    priority = 85
    patterns = (
        Pattern("cued", _CUE + rf"(?P<m>{DATE_TEXT})", 0.95),
        # "his date of birth is believed to be 04/08/1995"
        Pattern("cued_prose", _CUE + _FILLER + rf"(?P<m>{DATE_TEXT})", 0.9, priority=84),
        # "Aaliyah Khan, 12/09/2010, was reported": a date in apposition to a
        # name is how forms and officers write a date of birth.
        Pattern("apposition", r"(?<![\w'’\-])[A-Z][a-z'’\-]+\s*(?:,\s*|\(\s*)(?P<m>\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2}))(?=\s*[,)])",
                0.7, 0),
    )

    def validate_result(self, m, text, ctx, pattern):
        return dob_value(m.group("m"), ctx.report_date)


def dob_value(raw: str, report_date) -> str | None:
    """ISO date of a written date of birth, or None when it cannot be one."""
    d = numeric_date(raw, report_date)
    if d is None:
        dt = parse_phrase(raw, report_date)
        d = dt.date() if dt else None
    if d is None:
        return None
    if report_date and d > report_date:
        return None  # a birth after the report is a misread, not a DOB
    if d.year < 1900:
        return None
    return d.isoformat()
