"""Who sent a document and when: the agency, the submitter and the date an
entity's counts and first/last seen are built from.

Agency and submitter come from the record (``submitter.agency``,
``submitter.name``) or, failing that, from the sender's address (its domain
for the agency). The date is the report's own ``report_datetime`` when it
parses, else the message's Date header, else when it was first read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from intake.store.models import DocumentRow, Message, RecordField, RecordRow
from intake.store.records import unwrap

_WS = re.compile(r"\s+")
_FIELDS = ("submitter.agency", "submitter.name", "report_datetime")


@dataclass(frozen=True)
class DocumentFacts:
    agency: str | None
    submitter: str | None
    seen: datetime | None


def _norm(s) -> str | None:
    if not isinstance(s, str):
        return None
    s = _WS.sub(" ", s).strip().casefold()
    return s or None


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _parse_when(v) -> datetime | None:
    if not isinstance(v, str):
        return None
    try:
        return _aware(datetime.fromisoformat(v.strip()))
    except ValueError:
        return None


def _sender(addr: str | None) -> str | None:
    if not addr:
        return None
    m = re.search(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)", addr)
    return m.group(0).casefold() if m else None


def facts_for(session, document_pks) -> dict[int, DocumentFacts]:
    """Facts for many documents in two queries."""
    pks = sorted(set(document_pks))
    if not pks:
        return {}
    rows = session.execute(
        select(DocumentRow.id, Message.from_addr, Message.date, Message.first_seen_at)
        .join(Message, DocumentRow.message_pk == Message.id)
        .where(DocumentRow.id.in_(pks))
    ).all()
    fields: dict[int, dict[str, object]] = {}
    for doc_pk, key, value in session.execute(
        select(RecordRow.document_pk, RecordField.key, RecordField.value)
        .join(RecordField, RecordField.record_pk == RecordRow.id)
        .where(RecordRow.document_pk.in_(pks), RecordField.key.in_(_FIELDS), RecordField.superseded.is_(False))
        .order_by(RecordField.id)
    ):
        v = unwrap(value)
        if v not in (None, ""):
            fields.setdefault(doc_pk, {})[key] = v
    return {doc_pk: facts_of(fields.get(doc_pk, {}), from_addr, date, first_seen_at)
            for doc_pk, from_addr, date, first_seen_at in rows}


def facts_of(values: dict, from_addr: str | None, date: datetime | None,
             first_seen_at: datetime | None) -> DocumentFacts:
    """Facts of one document from its record's values and its message (a
    document being written: no query)."""
    f = {k: values[k] for k in _FIELDS if values.get(k) not in (None, "")}
    sender = _sender(from_addr)
    agency = _norm(f.get("submitter.agency")) or (sender.split("@", 1)[1] if sender else None)
    submitter = _norm(f.get("submitter.name")) or sender
    seen = _parse_when(f.get("report_datetime")) or _aware(date) or _aware(first_seen_at)
    return DocumentFacts(agency, submitter, seen)
