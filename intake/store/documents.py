"""A stored document by its public id, and the Document (bytes and all)
it was made from, for the review app and reprocessing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from intake.store import repository as repo
from intake.store.models import DocumentRow, Message
from intake.types import Document


def get_document(session, public_id: str) -> DocumentRow | None:
    """A live document (None when unknown or disposed of)."""
    doc = session.scalar(select(DocumentRow).where(DocumentRow.public_id == public_id))
    if doc is None or doc.disposed_at is not None:
        return None
    return doc


def stored_document(session, row: DocumentRow) -> tuple[Document, date | None]:
    """The Document a stored row was made from, and its message's date
    (what year-less and relative dates resolve against)."""
    data = repo.get_blob(session, row.sha256) or b""
    msg = session.get(Message, row.message_pk)
    doc = Document(kind=row.kind, filename=row.filename, media_type=row.media_type, sha256=row.sha256,
                   data=data, declared_type=row.declared_type, part_path=row.part_path)
    return doc, (msg.date.date() if msg is not None and msg.date else None)
