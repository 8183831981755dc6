"""Triage of one record's values: the indicator matches (pure, run where the
record is analysed) and the level (needs recurrence, so it is decided where
the record is stored: store.py)."""

from __future__ import annotations

from datetime import date

from intake.triage.catalogue import load
from intake.triage.indicators import IndicatorMatch, match_fields, text_fields
from intake.triage.level import MentionFact, Recurring, TriageResult, decide


def facts_of(mentions) -> list[MentionFact]:
    """Mentions (intake.types.Mention or store MentionRow) as triage reads them."""
    return [MentionFact(type=m.type, value=m.value or "", field=m.field, start=m.start, end=m.end,
                        text=m.text or "", attrs=dict(m.attrs or {}))
            for m in mentions if m.type in ("AGE", "DOB", "DATETIME")]


def triage_values(values: dict, received: date | None, mentions=None,
                  recurring: list[Recurring] | None = None,
                  matches: list[IndicatorMatch] | None = None, settings=None) -> TriageResult:
    """The suggested level of a record given its field values. Without
    ``mentions`` the extractor is run over the text fields (eval, tests)."""
    cat = load()
    texts = text_fields(values)
    if mentions is None:
        from intake.extractors.extract import extract_text_fields

        mentions = extract_text_fields(texts, received, settings)
    if matches is None:
        matches = match_fields(values, cat)
    return decide(matches, values, facts_of(mentions), received, recurring, texts, cat)
