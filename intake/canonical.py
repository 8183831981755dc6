"""The canonical record's fields (docs/forms.md): key, the label a person reads,
and the type its value has in the export. Shared by the export, the review
app's correction form and ``intake show``; the templates map each force's
labels onto these keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from intake.exception_codes import FIELD_VALUE_INVALID

FieldType = Literal["text", "datetime", "date", "int", "bool", "witnessed", "grade5", "grade4"]


@dataclass(frozen=True)
class CanonicalField:
    key: str
    label: str
    type: FieldType = "text"
    # Free text: entities are extracted from it and shown highlighted.
    prose: bool = False


FIELDS: tuple[CanonicalField, ...] = (
    CanonicalField("report_datetime", "Date/time of report", "datetime"),
    CanonicalField("submitter.name", "Submitter: name"),
    CanonicalField("submitter.role", "Submitter: post / job title"),
    CanonicalField("submitter.agency", "Submitter: agency"),
    CanonicalField("submitter.contact", "Submitter: contact details"),
    CanonicalField("witnessed_by", "Witnessed by", "witnessed"),
    CanonicalField("third_party.is_third_party", "Reported as a third party?", "bool"),
    CanonicalField("third_party.details", "Third party / witness details", prose=True),
    CanonicalField("third_party.willing_to_engage", "Third party willing to engage with police?", "bool"),
    CanonicalField("subject.name", "Child / young person: name"),
    CanonicalField("subject.age", "Child / young person: age", "int"),
    CanonicalField("subject.dob", "Child / young person: date of birth", "date"),
    CanonicalField("subject.address", "Child / young person: address"),
    CanonicalField("incident.narrative", "Information / details of incident", prose=True),
    CanonicalField("incident.when", "When", prose=True),
    CanonicalField("incident.where", "Where", prose=True),
    CanonicalField("incident.who", "Who", prose=True),
    CanonicalField("incident.others_present", "Other persons present", prose=True),
    CanonicalField("incident.alleged_offenders", "Alleged offender(s)", prose=True),
    CanonicalField("source.details", "Source of the information", prose=True),
    CanonicalField("source.how_known", "How the source knows it is true", prose=True),
    CanonicalField("source.others_aware", "Who else knows", prose=True),
    CanonicalField("source.last_known_true", "Last time known to be true", prose=True),
    CanonicalField("shared_with", "Shared with", prose=True),
    CanonicalField("grading.source_reliability", "Source reliability (1-5)", "grade5"),
    CanonicalField("grading.information_accuracy", "Information accuracy (1-4)", "grade4"),
    CanonicalField("licensed_premises.involved", "Licensed premises involved?", "bool"),
    CanonicalField("licensed_premises.name_address", "Licensed premises: name and address", prose=True),
    CanonicalField("licensed_premises.concern", "Concern about the licensed premises", prose=True),
)
BY_KEY = {f.key: f for f in FIELDS}
KEYS = tuple(f.key for f in FIELDS)

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_WS = re.compile(r"\s+")


class FieldValueError(ValueError):
    """A corrected value that does not fit its field; the message says how."""

    code = FIELD_VALUE_INVALID


def coerce(key: str, text: str | None):
    """An officer's typed value → the field's export type. Empty is null.
    Dates are ISO (the form shows ISO and accepts UK day-first dd/mm/yyyy)."""
    f = BY_KEY.get(key)
    if f is None:
        raise FieldValueError(f"{key} is not a canonical field")
    s = _WS.sub(" ", text or "").strip()
    if not s:
        return None
    if f.type == "text":
        return s
    if f.type == "bool":
        if s.lower() in _TRUE:
            return True
        if s.lower() in _FALSE:
            return False
        raise FieldValueError("answer yes or no (or leave it empty)")
    if f.type == "witnessed":
        v = s.lower().replace(" ", "_")
        if v in ("professional", "member_of_public"):
            return v
        raise FieldValueError("choose professional or member_of_public")
    if f.type in ("int", "grade5", "grade4"):
        if not s.isdigit():
            raise FieldValueError("enter a whole number")
        n = int(s)
        hi = {"int": 130, "grade5": 5, "grade4": 4}[f.type]
        lo = 0 if f.type == "int" else 1
        if not lo <= n <= hi:
            raise FieldValueError(f"enter a number from {lo} to {hi}")
        return n
    if f.type == "date":
        return _date(s).isoformat()
    if f.type == "datetime":
        return _datetime(s)
    raise AssertionError(f.type)  # pragma: no cover


def _date(s: str) -> date:
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(s)
    except ValueError:
        raise FieldValueError("enter a date as dd/mm/yyyy or yyyy-mm-dd") from None


def _datetime(s: str) -> str:
    m = re.fullmatch(r"(.+?)[ T](\d{1,2}):(\d{2})", s)
    if m:
        d = _date(m.group(1).strip())
        h, mi = int(m.group(2)), int(m.group(3))
        if h > 23 or mi > 59:
            raise FieldValueError("enter a time as hh:mm")
        return datetime(d.year, d.month, d.day, h, mi).isoformat(timespec="minutes")
    return _date(s).isoformat()


def display(value, key: str | None = None) -> str:
    """A stored value as a person reads (and the correction form takes)
    it: UK day-first dates, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    f = BY_KEY.get(key or "")
    if f is not None and f.type in ("date", "datetime") and isinstance(value, str):
        try:
            if "T" in value:
                return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)
