"""The export contract (EXPORT.md): one JSON object per document, every
document of every message exactly once. Keys are stable; new keys may be
added. CSV is the same rows with the fields flattened, for spreadsheets."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Any, Iterator, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from intake.store.models import DocumentRow, Entity, MentionRow, RecordRow
from intake.store.repository import current_fields

# FORMS.md canonical keys, in the order a reader expects them in a CSV.
CANONICAL_FIELDS = [
    "report_datetime",
    "submitter.name", "submitter.role", "submitter.agency", "submitter.contact",
    "witnessed_by",
    "third_party.is_third_party", "third_party.details", "third_party.willing_to_engage",
    "subject.name", "subject.age", "subject.dob", "subject.address",
    "incident.narrative", "incident.when", "incident.where", "incident.who",
    "incident.others_present", "incident.alleged_offenders",
    "source.details", "source.how_known", "source.others_aware", "source.last_known_true",
    "shared_with",
    "grading.source_reliability", "grading.information_accuracy",
    "licensed_premises.involved", "licensed_premises.name_address", "licensed_premises.concern",
]

BATCH = 200


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def _entity_public_ids(session: Session, mentions: list[MentionRow]) -> dict[int, str]:
    """Mention → public id of its entity, following officer merges."""
    ids = {m.entity_pk for m in mentions if m.entity_pk}
    out: dict[int, str] = {}
    if not ids:
        return out
    cache: dict[int, Entity] = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    for pk in ids:
        ent = cache.get(pk)
        hops = 0
        while ent is not None and ent.merged_into_id and hops < 50:
            ent = session.get(Entity, ent.merged_into_id)
            hops += 1
        if ent is not None:
            out[pk] = ent.public_id
    return out


def document_object(session: Session, doc: DocumentRow) -> dict[str, Any]:
    msg = doc.message
    fields: dict[str, Any] = {}
    record: RecordRow | None = doc.record
    if record is not None:
        for key, f in current_fields(record).items():
            fields[key] = (f.value or {}).get("v")
    ent_ids = _entity_public_ids(session, doc.mentions)
    entities = [
        {"type": m.type, "text": m.text, "value": m.value, "field": m.field,
         "start": m.start, "end": m.end, "entity_id": ent_ids.get(m.entity_pk)}
        for m in doc.mentions
    ]
    return {
        "document_id": doc.public_id,
        "message": {
            "message_id": msg.message_id,
            "from": msg.from_addr,
            "subject": msg.subject,
            "date": _iso(msg.date),
            "origin": msg.origin,
        },
        "filename": doc.filename,
        "kind": doc.kind,
        "sha256": doc.sha256,
        "media_type": doc.media_type,
        "status": doc.status,
        "exception": ({"code": doc.exception_code, "detail": doc.exception_detail}
                      if doc.status == "exception" else None),
        "template": doc.template,
        "template_version": doc.template_version,
        "fields": fields,
        "entities": entities,
        "duplicate_of": doc.duplicate_of.public_id if doc.duplicate_of is not None else None,
    }


def iter_documents(session: Session) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        batch = session.scalars(
            select(DocumentRow)
            .where(DocumentRow.id > last, DocumentRow.disposed_at.is_(None))
            .order_by(DocumentRow.id)
            .limit(BATCH)
            .options(
                selectinload(DocumentRow.message),
                selectinload(DocumentRow.record).selectinload(RecordRow.fields),
                selectinload(DocumentRow.mentions),
                selectinload(DocumentRow.duplicate_of),
            )
        ).all()
        if not batch:
            return
        for doc in batch:
            yield document_object(session, doc)
        last = batch[-1].id
        session.expunge_all()


def write_jsonl(session: Session, out: TextIO) -> int:
    n = 0
    for obj in iter_documents(session):
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        n += 1
    return n


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Spreadsheets run cells that start with these as formulas (CSV
    # injection); an apostrophe makes them plain text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


CSV_COLUMNS = [
    "document_id", "message_id", "from", "subject", "date", "origin", "filename", "kind",
    "sha256", "media_type", "status", "exception_code", "exception_detail", "template",
    "template_version", "duplicate_of",
] + CANONICAL_FIELDS + ["entities"]


def write_csv(session: Session, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for obj in iter_documents(session):
        m = obj["message"]
        exc = obj["exception"] or {}
        row = [
            obj["document_id"], m["message_id"], m["from"], m["subject"], m["date"], m["origin"],
            obj["filename"], obj["kind"], obj["sha256"], obj["media_type"], obj["status"],
            exc.get("code"), exc.get("detail"), obj["template"], obj["template_version"],
            obj["duplicate_of"],
        ]
        row += [obj["fields"].get(k) for k in CANONICAL_FIELDS]
        row.append("; ".join(f"{e['type']}:{e['value']}" for e in obj["entities"]))
        writer.writerow([_cell(v) for v in row])
        n += 1
    return n
