"""Build stored reports for the dedup and resolution tests, the way the
pipeline stores them (message → document → record → content dedup →
mentions → resolve), without mail or parsers in the way."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from itertools import count

from intake.store import repository as repo
from intake.store.dedup import find_content_duplicate
from intake.store.entities.resolve import resolve_document
from intake.store.models import DocumentRow, MentionRow, Message
from intake.store.records import write_record
from intake.types import FieldValue, Record

_seq = count(1)


def make_record(template: str = "staffordshire_cse", **fields) -> Record:
    return Record(template=template, version="1",
                  fields={k.replace("__", "."): FieldValue(v) for k, v in fields.items()})


def mention(type_: str, value: str, field: str = "incident.narrative", start: int | None = None,
            text: str | None = None, **attrs) -> dict:
    return {"type": type_, "value": value, "text": text or value, "field": field,
            "start": start, "attrs": attrs}


def store_report(session, *, record: Record | None = None, text: str = "", mentions=(),
                 from_addr: str = "worker@school.example.org", date: datetime | None = None,
                 filename: str = "report.docx", apply_dedup: bool = True) -> DocumentRow:
    n = next(_seq)
    raw = f"message {n} {text}".encode()
    sha = hashlib.sha256(raw).hexdigest()
    repo.ensure_blob(session, sha, raw)
    msg = Message(message_id=f"<m{n}-{sha[:8]}@example.org>", content_sha256=sha, raw_sha256=sha,
                  from_addr=from_addr, subject="report", origin=f"eml:/tmp/{n}.eml",
                  date=date or datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc))
    session.add(msg)
    session.flush()
    dsha = hashlib.sha256(f"doc {n}".encode()).hexdigest()
    repo.ensure_blob(session, dsha, b"doc")
    row = DocumentRow(public_id=repo.document_public_id(sha, msg.message_id, "1"), message_pk=msg.id,
                      part_path="1", kind="attachment", filename=filename, media_type="application/pdf",
                      sha256=dsha, size=3, status="parsed", text=text or None,
                      template=record.template if record else None)
    session.add(row)
    session.flush()
    if record is not None:
        write_record(session, row, record)
    if apply_dedup:
        match = find_content_duplicate(session, row, record, text)
        if match is not None and match.decision == "duplicate":
            row.status, row.duplicate_of_id, row.duplicate_reason = "duplicate", match.document_pk, "content"
        row.match = match  # for the tests to read; not a column
    pos = 0
    rows = []
    for m in mentions:
        start = m["start"] if m["start"] is not None else pos
        rows.append(MentionRow(document_pk=row.id, field=m["field"], type=m["type"], text=m["text"],
                               value=m["value"], start=start, end=start + len(m["text"]),
                               attrs=dict(m["attrs"])))
        pos = start + len(m["text"]) + 5
    if rows:
        session.add_all(rows)
        session.flush()
        resolve_document(session, row, rows)
    return row
