"""A form's dates depend on the form and its e-mail, never on the day it is
processed: reprocessing the same message next year gives the same record.
The e-mail's date is the reference for two-digit years until the report's
own date is read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from reader_forms import blank, document, fill_legacy_fields

from intake.parsers import parse_document
from intake.parsers.sniff import DOCX
from intake.parsers.templates.values import expand_year, to_integer

PARSERS = Path(__file__).resolve().parents[2] / "intake" / "parsers"


def _form(when: str, dob: str) -> bytes:
    return fill_legacy_fields(blank("derbyshire_op_liberty.docx"),
                              {"Text1": when, "Text9": dob, "Text10": "Seen getting into a car by the park."},
                              {"Check2": True, "Check3": True})


def test_the_message_date_decides_a_two_digit_report_year():
    doc = document(_form("03/04/30 14:30", "04/08/2011"), DOCX)
    early = parse_document(doc, message_date=dt.date(2026, 5, 1)).record.fields
    late = parse_document(doc, message_date=dt.date(2029, 12, 31)).record.fields
    assert early["report_datetime"].value == "1930-04-03T14:30"
    assert late["report_datetime"].value == "2030-04-03T14:30"


def test_the_report_date_then_decides_a_two_digit_dob():
    doc = document(_form("03/04/2026 14:30", "04/08/11"), DOCX)
    for sent in (dt.date(2026, 4, 3), None):
        fields = parse_document(doc, message_date=sent).record.fields
        assert fields["subject.dob"].value == "2011-08-04"


def test_without_any_date_two_digit_years_use_a_fixed_pivot():
    assert expand_year(25, None) == 2025
    assert expand_year(68, None) == 2068
    assert expand_year(69, None) == 1969
    assert expand_year(99, 2026) == 1999 and expand_year(27, 2026) == 2027 and expand_year(28, 2026) == 1928
    # An age beside a date of birth: the date's numbers are not the age.
    assert to_integer("14 (DOB 01/02/12)", 0, 25, None) == (14, None)


def test_no_parser_reads_the_clock_for_a_date():
    """The day of processing never enters a value (the static half of the
    promise; the tests above are the behaviour)."""
    clock = re.compile(r"\b(?:date|datetime)\.today\(|\bdatetime\.now\(|\btime\.localtime\(")
    offenders = [str(p.relative_to(PARSERS)) for p in PARSERS.rglob("*.py") if clock.search(p.read_text())]
    assert offenders == []
