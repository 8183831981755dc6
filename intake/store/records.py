"""Canonical records in the store: the parser's values, officers'
corrections over them, and the one reading of "the value of each field now".

A field's history is rows: the parser's value, then any officer correction
as a new row (origin ``officer``) that supersedes the one before. Nothing is
overwritten, so the original stays visible beside the correction, and a
reprocess replaces only the parser's rows: an officer's correction still
wins afterwards.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from intake.store.models import DocumentRow, RecordField, RecordRow
from intake.types import FieldScalar, Record


def unwrap(stored: Any) -> FieldScalar:
    """A value column's content: stored as {"v": value} so JSON keeps its
    type (a bare JSON null would be indistinguishable from SQL NULL)."""
    return stored.get("v") if isinstance(stored, dict) else None


def stored_value(f: RecordField) -> FieldScalar:
    return unwrap(f.value)


def current_fields(record: RecordRow | None) -> dict[str, RecordField]:
    """The live row of each field: the latest not superseded."""
    out: dict[str, RecordField] = {}
    if record is None:
        return out
    for f in sorted(record.fields, key=lambda f: f.id or 0):
        if not f.superseded:
            out[f.key] = f
    return out


def field_values(record: RecordRow | None) -> dict[str, FieldScalar]:
    """The value of each field now, corrections applied."""
    return {k: stored_value(f) for k, f in current_fields(record).items()}


def values_of_rows(rows) -> dict[str, FieldScalar]:
    """field_values from (id, key, stored value, superseded) tuples of one
    record's fields, read without loading the rows as objects."""
    out: dict[str, FieldScalar] = {}
    for _id, key, value, superseded in sorted(rows, key=lambda r: r[0] or 0):
        if not superseded:
            out[key] = unwrap(value)
    return out


def field_values_of(session: Session, document_pk: int) -> tuple[dict[str, FieldScalar], str | None]:
    """(values, template) of a document's record, or ({}, None)."""
    rec = session.scalar(select(RecordRow).where(RecordRow.document_pk == document_pk))
    if rec is None:
        return {}, None
    return field_values(rec), rec.template


def _parser_row(key: str, fv) -> RecordField:
    return RecordField(key=key, value={"v": fv.value}, raw=fv.raw, provenance=fv.provenance.as_dict(),
                       confidence=fv.confidence, note=fv.note, origin="parser")


def write_record(session: Session, document: DocumentRow, record: Record, *, fresh: bool = False) -> RecordRow:
    """Save the parser's record of a document, replacing the parser's
    previous one if any. Officer corrections are kept and stay on top.
    ``fresh``: a document being stored, which has no record yet; the rows
    are inserted with the next flush."""
    if fresh:
        return _insert_record(session, document, record)
    row = session.scalar(select(RecordRow).where(RecordRow.document_pk == document.id))
    if row is None:
        row = RecordRow(document_pk=document.id, template=record.template, version=record.version,
                        notes=list(record.notes))
        session.add(row)
    else:
        row.template, row.version, row.notes = record.template, record.version, list(record.notes)
        for f in [f for f in row.fields if f.origin == "parser"]:
            row.fields.remove(f)
    officer = {f.key for f in row.fields if f.origin == "officer" and not f.superseded}
    for key, fv in record.fields.items():
        new = _parser_row(key, fv)
        new.superseded = key in officer
        row.fields.append(new)
    session.flush()
    return row


# Built once: a statement object keeps its cache key.
_INSERT_FIELDS = insert(RecordField.__table__)
_INSERT_RECORD = insert(RecordRow.__table__).returning(RecordRow.__table__.c.id)


def _insert_record(session: Session, document: DocumentRow, record: Record) -> RecordRow:
    """A new document's record: the record row, then all its fields in one
    executemany (the ORM would insert them one by one to learn their ids,
    which nothing here needs). The row is inserted with a Core statement
    that returns its id (no flush of the session) and joins the session as
    if loaded; ``row.fields`` is left to load when read."""
    notes = list(record.notes)
    pk = session.execute(_INSERT_RECORD, {"document_pk": document.id, "template": record.template,
                                          "version": record.version, "notes": notes}).scalar_one()
    row = RecordRow(id=pk, document_pk=document.id, template=record.template, version=record.version, notes=notes,
                    approved_by=None, approved_at=None)
    make_transient_to_detached(row)
    session.add(row)
    fields = [{"record_pk": row.id, "key": key, "value": {"v": fv.value}, "raw": fv.raw,
               "provenance": fv.provenance.as_dict(), "confidence": fv.confidence, "note": fv.note,
               "origin": "parser", "superseded": False} for key, fv in record.fields.items()]
    if fields:
        session.execute(_INSERT_FIELDS, fields)
    return row


def drop_record(session: Session, document: DocumentRow) -> None:
    """The document has no record any more (reprocessed into an exception
    with nothing read). Officer corrections go with it: they corrected a
    record that no longer exists; the audit log keeps that they were made."""
    row = session.scalar(select(RecordRow).where(RecordRow.document_pk == document.id))
    if row is not None:
        session.delete(row)
        session.flush()


def correct_field(session: Session, record: RecordRow, key: str, value: Any, actor: str,
                  raw: str | None = None) -> tuple[RecordField | None, RecordField]:
    """An officer's value for one field. Returns (row it supersedes, new row)."""
    live = current_fields(record).get(key)
    if live is not None:
        live.superseded = True
    new = RecordField(key=key, value={"v": value}, raw=raw, provenance={"source": "officer"},
                      origin="officer", changed_by=actor, changed_at=datetime.now(timezone.utc))
    record.fields.append(new)
    session.flush()
    return live, new


def field_history(record: RecordRow | None, key: str) -> list[RecordField]:
    """Every row of one field, oldest first: the parser's, then corrections."""
    if record is None:
        return []
    return sorted((f for f in record.fields if f.key == key), key=lambda f: f.id or 0)
