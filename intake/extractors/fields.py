"""Field-aware recognition: what a form's field says about its value.

The text recognisers read prose; a parsed form also says what a value is.
``subject.dob`` holds an ISO date (docs/forms.md), which no prose rule calls a
date of birth, and a name cell holds a name the model may not know
("Abdirahman Mohamed Farah"). Field names are matched as shell patterns
(``*.dob``) against the canonical keys; first match wins."""

from __future__ import annotations

import fnmatch
import re

from intake.extractors.recogniser import Candidate
from intake.extractors.recognisers.dob import DATE_TEXT, dob_value

FIELD_TYPES: tuple[tuple[str, str], ...] = (
    ("*.dob", "DOB"),
    ("*date_of_birth", "DOB"),
    ("subject.name", "PERSON"),
    ("submitter.name", "PERSON"),
)
# Above every text rule: the form's own label is the strongest evidence.
PRIORITY = 97

_DATE = re.compile(DATE_TEXT, re.I)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:unknown|not\s+known|n/?k|n/?a|none|nil|tbc|tba|anonymous|withheld|various|"
    r"see\s+(?:above|below|narrative)|as\s+above|not\s+given|not\s+stated|no\s+name|-+|\?+)$")
# One person's name: 1-6 words of letters (any script), apostrophes, hyphens
# and initials; anything after a bracket is a note ("Jo Bloggs (mum)").
_NAME = re.compile(r"^(?:[^\W\d_][\w'’.\-]*)(?:[ ]+[^\W\d_][\w'’.\-]*){0,5}$")


def field_type(key: str) -> str | None:
    for pattern, etype in FIELD_TYPES:
        if fnmatch.fnmatchcase(key, pattern):
            return etype
    return None


def candidates(key: str, text: str, report_date) -> list[Candidate]:
    etype = field_type(key)
    if etype == "DOB":
        return _dob(key, text, report_date)
    if etype == "PERSON":
        return _person(key, text)
    return []


def _dob(key: str, text: str, report_date) -> list[Candidate]:
    stripped = text.strip()
    start = text.index(stripped) if stripped else 0
    spans = [(start, start + len(stripped))] if dob_value(stripped, report_date) else [
        m.span() for m in _DATE.finditer(text)]
    for s, e in spans:
        value = dob_value(text[s:e], report_date)
        if value:
            return [Candidate("DOB", s, e, value, "field", 0.95, PRIORITY, pattern=f"field:{key}")]
    return []


def _person(key: str, text: str) -> list[Candidate]:
    head = re.split(r"[(\[\n\t]", text, maxsplit=1)[0]
    name = " ".join(head.split()).strip(" ,;:-")
    if not name or _PLACEHOLDER.match(name) or not _NAME.match(name):
        return []
    if not any(w[0].isupper() for w in name.split()):
        return []  # "the boy's mum": a description, not a name
    if " and " in name or "," in name or "/" in name:
        return []  # several people: the model and the rules separate them
    s = text.index(name.split()[0])
    e = s + len(" ".join(text[s:].split()[:len(name.split())]))
    if " ".join(text[s:e].split()) != name:
        return []
    return [Candidate("PERSON", s, e, name, "field", 0.9, PRIORITY, pattern=f"field:{key}")]
