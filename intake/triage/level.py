"""A suggested triage level for one record, with its reasons in plain words.

Inputs are what analysis already found: the indicator matches, the AGE /
DOB mentions and the subject's age and date of birth (children's ages), the
DATETIME mentions (how recent the events are, against the date the report
was received) and the entities the record shares with earlier reports
(recurrence). The reasons never quote the report: they are the catalogue's
own words, so they can go into a notification and the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from intake.triage.catalogue import LEVEL_RANK, LEVELS, Catalogue, load
from intake.triage.indicators import IndicatorMatch

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass
class MentionFact:
    """The parts of an extracted mention triage reads."""

    type: str
    value: str
    field: str
    start: int
    end: int
    text: str = ""
    attrs: dict = field(default_factory=dict)


@dataclass
class Recurring:
    """An entity of this record already in other reports."""

    type: str
    documents: int
    agencies: int


@dataclass
class TriageResult:
    level: str
    reasons: list[str]
    score: int
    matches: list[IndicatorMatch]
    youngest_age: int | None = None
    latest_event: date | None = None

    @property
    def counted(self) -> list[str]:
        return sorted({m.indicator for m in self.matches if m.counts})


def _event_date(value: str) -> date | None:
    m = _ISO.match(value or "")
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or 12), int(m.group(3) or 28)
    try:
        return date(y, mo, d)  # a month or year alone: its end, so it is never older than it is
    except ValueError:
        return None


def _age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def child_ages(values: dict, mentions: list[MentionFact], received: date | None,
               cat: Catalogue) -> list[tuple[int, str, MentionFact | None]]:
    """(age, how it is known, the mention) for every child's age the record
    gives; ages of adults are left out."""
    out: list[tuple[int, str, MentionFact | None]] = []
    age = values.get("subject.age")
    if isinstance(age, int) and not isinstance(age, bool):
        out.append((age, "subject_age", None))
    dob = values.get("subject.dob")
    if isinstance(dob, str) and received:
        d = _event_date(dob)
        if d:
            out.append((_age_on(d, received), "subject_dob", None))
    for m in mentions:
        if m.type == "AGE" and m.value.isdigit():
            out.append((int(m.value), "age_mention", m))
        elif m.type == "DOB" and received:
            d = _event_date(m.value)
            if d:
                out.append((_age_on(d, received), "dob_mention", m))
    return [a for a in out if 0 < a[0] < cat.adult_from]


def _mark_stale(matches: list[IndicatorMatch], mentions: list[MentionFact], received: date | None,
                texts: dict[str, str], cat: Catalogue) -> None:
    """An urgency cue in a sentence about the past ("in 2022 he said he
    would pick her up tonight") is history, not urgency."""
    for m in matches:
        if not m.counts or cat.indicators[m.indicator].kind != "urgency":
            continue
        s, e = m.sentence
        sentence = texts.get(m.field, "")[s:e]
        if any(h.search(sentence) for h in cat.historic):
            m.status = "historic"
            continue
        if received is None:
            continue
        for d in mentions:
            if d.type == "DATETIME" and d.field == m.field and s <= d.start < e:
                when = _event_date(d.value)
                if when and (received - when).days > cat.urgent_stale_days:
                    m.status = "historic"


def _rule_holds(rule, counted: set[str], cat: Catalogue) -> bool:
    if rule.all and not all(i in counted for i in rule.all):
        return False
    if rule.any and not any(i in counted for i in rule.any):
        return False
    if rule.kind_any and not any(cat.indicators[i].kind == rule.kind_any for i in counted):
        return False
    exploitation = [i for i in counted if cat.indicators[i].kind == "exploitation"]
    if len(exploitation) < rule.min_exploitation:
        return False
    if sum(cat.indicators[i].weight for i in counted) < rule.min_score:
        return False
    return True


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def decide(matches: list[IndicatorMatch], values: dict, mentions: list[MentionFact],
           received: date | None, recurring: list[Recurring] | None = None,
           texts: dict[str, str] | None = None, cat: Catalogue | None = None) -> TriageResult:
    cat = cat or load()
    texts = texts or {}
    matches = list(matches)
    ages = child_ages(values, mentions, received, cat)
    for age, how, m in ages:
        if age < cat.under_age:
            matches.append(IndicatorMatch("under_13", m.text if m else str(age), how,
                                          m.field if m else ("subject.dob" if how == "subject_dob" else "subject.age"),
                                          m.start if m else 0, m.end if m else 0))
    _mark_stale(matches, mentions, received, texts, cat)
    counted = {m.indicator for m in matches if m.counts}

    level, reasons = "routine", []
    for rule in cat.rules:
        if _rule_holds(rule, counted, cat):
            level = rule.level
            reasons.append(rule.reason)
            break

    exploitation = sorted(i for i in counted if cat.indicators[i].kind == "exploitation")
    recurring = [r for r in (recurring or []) if r.documents >= cat.recurrence_min_documents]
    if recurring:
        most = max(r.documents for r in recurring)
        reasons.append(f"Shares {_plural(len(recurring), 'person, place or detail', 'people, places or details')} "
                       f"with earlier reports (up to {_plural(most, 'report', 'reports')}, "
                       f"{_plural(max(r.agencies for r in recurring), 'agency', 'agencies')}).")
        if level == "routine" and exploitation:
            level = "high"
            reasons.append("A sign of exploitation, and the same details keep arising.")

    dated = [d for d in (_event_date(m.value) for m in mentions if m.type == "DATETIME" and m.field in texts)
             if d is not None and (received is None or d <= received)]
    latest = max(dated) if dated else None
    urgent_cue = any(cat.indicators[i].kind == "urgency" for i in counted)
    if received and latest and (received - latest).days > cat.historic_days and not urgent_cue and level != "routine":
        level = LEVELS[min(LEVEL_RANK[level] + 1, len(LEVELS) - 1)]
        reasons.append("Every dated event is more than a year before the report was received (lowered one level).")

    if counted:
        labels = [cat.label(i) for i in sorted(counted, key=lambda i: (-cat.indicators[i].weight, i))]
        reasons.append("Signs found: " + "; ".join(labels) + ".")
    set_aside = sorted({m.indicator for m in matches if not m.counts} - counted)
    if set_aside:
        reasons.append("Not counted (negated, hypothetical or historic): "
                       + "; ".join(cat.label(i) for i in set_aside) + ".")
    if level == "routine" and not counted:
        reasons.insert(0, "No sign of exploitation or urgency was found in the text.")
    elif level == "routine":
        reasons.insert(0, "Not enough signs for a higher level.")
    score = sum(cat.indicators[i].weight for i in counted)
    youngest = min((a for a, _, _ in ages), default=None)
    return TriageResult(level, reasons, score, matches, youngest, latest)
