"""What the analyst's views (recurrence, Rising, disruption, link chart,
plates, the 3x5x2 suggestion) share: the catalogue in
config/analysis.toml, which documents count as reports, which mentions
are intelligence rather than who reported it, and the children a report
is about.

A report counts when it is not a copy (duplicate_of), not disposed of, and
no officer has rejected it or called it not a report."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

from sqlalchemy import and_, not_, or_, select

from intake.store.models import DocumentRow, MentionRow, RecordField, RecordRow
from intake.store.records import unwrap

NOT_COUNTED_STATUS = ("duplicate", "not_a_report")
NOT_COUNTED_REVIEW = ("rejected", "not_a_report", "duplicate")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict:
    return tomllib.loads(resources.files("intake.config").joinpath("analysis.toml").read_text(encoding="utf-8"))


def counted(doc=DocumentRow):
    """SQL condition: this document row is a report that counts."""
    return and_(doc.duplicate_of_id.is_(None), doc.disposed_at.is_(None), doc.status.notin_(NOT_COUNTED_STATUS),
                or_(doc.review_state.is_(None), doc.review_state.notin_(NOT_COUNTED_REVIEW)))


def intelligence_field(mention=MentionRow):
    """SQL condition: the mention is in what was reported, not in who
    reported it (the submitter, who it was shared with)."""
    conds = []
    for prefix in catalogue()["recurrence"]["ignore_field_prefixes"]:
        conds.append(mention.field.like(prefix.replace("_", "\\_") + "%", escape="\\"))
    return not_(or_(*conds))


def is_intelligence_field(field: str) -> bool:
    return not any(field.startswith(p) for p in catalogue()["recurrence"]["ignore_field_prefixes"])


def recurrence_types() -> tuple[str, ...]:
    return tuple(catalogue()["recurrence"]["types"])


def words_pattern(words) -> re.Pattern | None:
    """Whole-word, case-insensitive alternation of phrases (longest first)."""
    ws = sorted({w.casefold() for w in words if w}, key=len, reverse=True)
    if not ws:
        return None
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in ws) + r")(?![\w'])", re.IGNORECASE)


@dataclass(frozen=True)
class Child:
    name: str | None
    age: int | None


def _age(value, dob, when: datetime | None) -> int | None:
    if isinstance(value, int) and 0 <= value < 120:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(dob, str) and when is not None:
        try:
            born = date.fromisoformat(dob[:10])
        except ValueError:
            return None
        on = when.date()
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return None


def subjects_of(session, document_pks, seen: dict | None = None) -> dict[int, Child]:
    """The child each report is about (subject.name, subject.age or the age
    from subject.dob on the report's date), in one query."""
    pks = sorted(set(document_pks))
    if not pks:
        return {}
    vals: dict[int, dict] = {}
    for i in range(0, len(pks), 500):
        for doc_pk, key, value in session.execute(
            select(RecordRow.document_pk, RecordField.key, RecordField.value)
            .join(RecordField, RecordField.record_pk == RecordRow.id)
            .where(RecordRow.document_pk.in_(pks[i:i + 500]),
                   RecordField.key.in_(("subject.name", "subject.age", "subject.dob")),
                   RecordField.superseded.is_(False))
            .order_by(RecordField.id)
        ):
            v = unwrap(value)
            if v not in (None, ""):
                vals.setdefault(doc_pk, {})[key] = v
    out = {}
    for doc_pk, f in vals.items():
        when = seen.get(doc_pk) if seen else None
        name = f.get("subject.name") if isinstance(f.get("subject.name"), str) else None
        out[doc_pk] = Child(name, _age(f.get("subject.age"), f.get("subject.dob"), when))
    return out
