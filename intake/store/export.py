"""The export contract (docs/export.md): one JSON object per document, every
document of every message exactly once. Keys are stable; new keys may be
added. CSV is the same rows with the fields flattened, for spreadsheets."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Any, Iterator, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from intake import canonical
from intake.store.entities.queries import public_ids_of
from intake.store.grading_suggestion import suggestions_for
from intake.store.models import DocumentRow, ExceptionItem, RecordRow, ReviewNote
from intake.store.records import current_fields, field_values
from intake.store.triage import export_objects as export_triage
from intake.types import PAGE_SET

# docs/forms.md canonical keys, in the order a reader expects them in a CSV.
CANONICAL_FIELDS = list(canonical.KEYS)

BATCH = 200


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def _review(doc: DocumentRow, notes: list[ReviewNote]) -> dict[str, Any] | None:
    """An officer's decision and notes (null when there are neither). A
    document with notes but no decision yet has "state": null."""
    if not doc.review_state and not notes:
        return None
    return {"state": doc.review_state, "by": doc.reviewed_by, "at": _iso(doc.reviewed_at),
            "reason": doc.review_reason,
            # added key: officers' notes, oldest first
            "notes": [{"by": n.author, "at": _iso(n.created_at), "text": n.text} for n in notes]}


def _notes(session: Session, document_pks: list[int]) -> dict[int, list[ReviewNote]]:
    out: dict[int, list[ReviewNote]] = {}
    for n in session.scalars(select(ReviewNote).where(ReviewNote.document_pk.in_(document_pks))
                             .order_by(ReviewNote.id)):
        out.setdefault(n.document_pk, []).append(n)
    return out


def _signatures(sig: dict | None) -> list[dict[str, Any]]:
    """The message's S/MIME or PGP signature (docs/export.md): a list, so a
    message signed more than once can say so without a new key."""
    if not sig or not sig.get("signed"):
        return []
    return [{"kind": sig.get("kind"), "signer": sig.get("signer"), "verified": sig.get("valid")}]


def document_object(session: Session, doc: DocumentRow,
                    open_items: list[dict[str, str]] | None = None,
                    triage: dict[int, dict] | None = None,
                    grading_suggestion: dict[str, Any] | None = None,
                    notes: list[ReviewNote] | None = None) -> dict[str, Any]:
    msg = doc.message
    fields: dict[str, Any] = field_values(doc.record)
    corrected = sorted(f.key for f in current_fields(doc.record).values() if f.origin == "officer")
    ent_ids = public_ids_of(session, {m.entity_pk for m in doc.mentions})
    entities = [
        {"type": m.type, "text": m.text, "value": m.value, "field": m.field,
         "start": m.start, "end": m.end, "entity_id": ent_ids.get(m.entity_pk),
         "recogniser": m.recogniser, "pattern": m.pattern, "context": m.context}
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
            "signatures": _signatures(msg.signature),
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
        # Added keys (docs/export.md allows new ones): what an officer decided, the
        # fields they corrected, and the queue items still open on the
        # document (a parsed record can carry one, e.g. ambiguous_value).
        "review": _review(doc, notes if notes is not None else _notes(session, [doc.id]).get(doc.id, [])),
        "corrected_fields": corrected,
        "open_items": open_items if open_items is not None else [],
        # Issue 18: the suggested triage level, its reasons and indicators,
        # and the level an officer set (docs/triage.md); null: not triaged.
        "triage": (triage if triage is not None else export_triage(session, [doc.id])).get(doc.id),
        # A suggested 3x5x2 for the police evaluator, with its reasons; never
        # a grading (store/grading_suggestion.py; docs/export.md).
        "grading_suggestion": grading_suggestion,
        # Pictures of one form's pages sent as separate attachments, read as
        # one document (ingest/page_groups.py): each page's MIME part and
        # file name, in reading order; null for any other document.
        "pages": _pages(doc),
    }


def _pages(doc) -> list[dict] | None:
    if doc.media_type != PAGE_SET:
        return None
    parts = doc.part_path.split("+")
    names = (doc.filename or "").split(" + ")
    if len(names) != len(parts):  # a file name holding " + " itself: the names cannot be told apart
        names = [None] * len(parts)
    return [{"page": n, "part": part, "filename": name} for n, (part, name) in enumerate(zip(parts, names), 1)]


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
        items: dict[int, list[dict[str, str]]] = {}
        for doc_pk, code, detail in session.execute(
            select(ExceptionItem.document_pk, ExceptionItem.code, ExceptionItem.detail)
            .where(ExceptionItem.status == "open", ExceptionItem.document_pk.in_([d.id for d in batch]))
            .order_by(ExceptionItem.id)
        ):
            items.setdefault(doc_pk, []).append({"code": code, "detail": detail})
        triage = export_triage(session, [d.id for d in batch])
        suggestions = suggestions_for(session, batch)
        notes = _notes(session, [d.id for d in batch])
        for doc in batch:
            yield document_object(session, doc, items.get(doc.id, []), triage, suggestions.get(doc.id),
                                  notes.get(doc.id, []))
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
] + CANONICAL_FIELDS + ["entities", "review_state", "open_items", "triage_level"]


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
        row.append((obj["review"] or {}).get("state"))
        row.append("; ".join(i["code"] for i in obj["open_items"]))
        row.append((obj["triage"] or {}).get("level"))
        writer.writerow([_cell(v) for v in row])
        n += 1
    return n
