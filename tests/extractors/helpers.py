from __future__ import annotations

from datetime import date

from intake.extractors.extract import extract_text_fields

REPORT = date(2026, 3, 12)  # a Thursday


def run(text: str, *recognisers: str, report_date=REPORT, **opts):
    settings = {"recognisers": list(recognisers), **opts} if recognisers else opts
    return extract_text_fields({"f": text}, report_date, settings)


def values(text: str, etype: str, *recognisers: str, report_date=REPORT):
    return [m.value for m in run(text, *recognisers, report_date=report_date) if m.type == etype]


