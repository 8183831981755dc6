"""Find the catalogue's indicators in a record's text fields.

Each match says which indicator, the phrase, the rule (pattern) that fired,
the field and the character offsets in that field's text, and whether it
counts: a match governed by a negation ("no sign of", "denies") or a
reported hypothetical ("if she went missing", "in case") is kept, for the
officer to see why it was set aside, but does not count towards the level.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from intake.triage.catalogue import Catalogue, load
from intake.triage.literal_prefixes import finditer, folded
from intake.triage.scopes import TextScopes

# Fields that describe the submitter or the form, not what happened.
_SKIP_PREFIXES = ("submitter.", "grading.")
_SKIP = {"report_datetime", "shared_with", "witnessed_by", "third_party.is_third_party",
         "third_party.willing_to_engage", "licensed_premises.involved", "subject.dob", "subject.age"}


@dataclass
class IndicatorMatch:
    indicator: str
    phrase: str
    rule: str
    field: str
    start: int
    end: int
    status: str = "counted"  # counted | negated | hypothetical | historic
    sentence: tuple[int, int] = (0, 0)

    @property
    def counts(self) -> bool:
        return self.status == "counted"

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("sentence")
        return d


def text_fields(values: dict) -> dict[str, str]:
    """The record's fields the indicators are looked for in."""
    return {k: v for k, v in values.items()
            if isinstance(v, str) and v.strip() and k not in _SKIP and not k.startswith(_SKIP_PREFIXES)}


def _overlaps(a: IndicatorMatch, b: IndicatorMatch) -> bool:
    return a.field == b.field and a.start < b.end and b.start < a.end


def match_text(field: str, text: str, cat: Catalogue) -> list[IndicatorMatch]:
    prepared = folded(text)
    scopes: TextScopes | None = None  # sentences and cues, once a pattern matches
    found: list[IndicatorMatch] = []
    deferred = []
    for ind, pat in cat.patterns:
        for m in finditer(pat.regex, pat.starts, text, prepared):
            if m.end() == m.start():
                continue
            if scopes is None:
                scopes = TextScopes(text, cat, prepared)
            sent = scopes.sentence_span(m.start())
            if pat.with_regex is not None and not pat.with_regex.search(text, *sent):
                continue
            hit = IndicatorMatch(ind.id, m.group(0), pat.rule, field, m.start(), m.end(), sentence=sent)
            hit.status = scopes.qualifier(m.start(), m.end()) or "counted"
            if pat.with_indicator:
                deferred.append((hit, pat.with_indicator))
            else:
                found.append(hit)
    for hit, needed in deferred:
        if any(f.indicator == needed and f.counts and f.sentence == hit.sentence for f in found):
            found.append(hit)
    # One match per indicator per span: the first pattern to claim it (a
    # counted match wins over a set-aside one at the same place).
    found.sort(key=lambda h: (h.start, not h.counts, -(h.end - h.start)))
    kept: list[IndicatorMatch] = []
    for h in found:
        if not any(k.indicator == h.indicator and _overlaps(k, h) for k in kept):
            kept.append(h)
    yields = cat.yields
    return [h for h in kept
            if not any(k.indicator in yields[h.indicator] and k.counts and _overlaps(k, h) for k in kept)]


def match_fields(values: dict, cat: Catalogue | None = None) -> list[IndicatorMatch]:
    cat = cat or load()
    out: list[IndicatorMatch] = []
    for field, text in text_fields(values).items():
        out.extend(match_text(field, text, cat))
    return out
