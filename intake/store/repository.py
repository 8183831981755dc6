"""The store functions the pipeline, the daemon and the review app call.
Small and explicit: every write the product makes goes through here or
through dedup/resolve, so audit and invariants live in one place."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, load_only

from intake.store.insert_or_skip import InsertOrSkip
from intake.store.models import (
    AuditEntry,
    Blob,
    DisposedMessage,
    DocumentRow,
    ExceptionItem,
    Message,
    Sighting,
)
from intake.types import ExceptionInfo


def insert_new(session: Session, model, values: dict, keys: list[str], returning=None):
    """INSERT ... ON CONFLICT (keys) DO NOTHING: another process may insert
    the same row at any moment (replays, daemons and workers started
    together), and that is not an error. Returns ``returning`` of the row
    inserted, or None when it was there already (re-read it)."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    if returning is None:
        return session.execute(stmt).rowcount or None
    return session.execute(stmt.returning(returning)).scalar()


def ensure_blob(session: Session, sha256: str, data: bytes) -> None:
    # Asks for the key only: loading the row would read (and, in an
    # encrypted store, decrypt) the whole blob just to see that it exists.
    if session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256)) is None:
        insert_new(session, Blob, {"sha256": sha256, "size": len(data), "data": data}, ["sha256"])


def ensure_blobs(session: Session, items) -> None:
    """ensure_blob for several (sha256, bytes), in one statement: INSERT
    ... ON CONFLICT DO NOTHING (a stored blob is left as it is)."""
    wanted: dict[str, bytes] = {}
    for sha, data in items:
        wanted.setdefault(sha, data)
    if not wanted:
        return
    session.execute(_INSERT_BLOBS, [{"sha256": sha, "size": len(data), "data": data} for sha, data in wanted.items()])


_INSERT_BLOBS = InsertOrSkip(Blob.__table__, ["sha256"])  # built once: it runs for every message


# Built once: a statement object remembers its cache key, and these run
# for every message stored.
_FIRST_DOCUMENTS = (select(DocumentRow)
                    .options(load_only(DocumentRow.id, DocumentRow.sha256, DocumentRow.agency,
                                       DocumentRow.duplicate_of_id))
                    .where(DocumentRow.sha256.in_(bindparam("shas", expanding=True)),
                           DocumentRow.duplicate_of_id.is_(None))
                    .order_by(DocumentRow.id))


def first_documents_with_shas(session: Session, shas) -> dict[str, DocumentRow]:
    """first_document_with_sha for several hashes, in one query."""
    out: dict[str, DocumentRow] = {}
    wanted = sorted(set(shas))
    if not wanted:
        return out
    # Only what a byte copy takes from its first (the text and the rest,
    # decrypted for nothing, load if ever read).
    for row in session.scalars(_FIRST_DOCUMENTS, {"shas": wanted}):
        out.setdefault(row.sha256, row)
    return out


def get_blob(session: Session, sha256: str) -> bytes | None:
    blob = session.get(Blob, sha256)
    return blob.data if blob else None


def find_message(session: Session, message_id: str | None, content_sha256: str) -> Message | None:
    q = select(Message).where(Message.content_sha256 == content_sha256)
    q = q.where(Message.message_id.is_(None) if message_id is None else Message.message_id == message_id)
    return session.scalars(q.order_by(Message.id).limit(1)).first()


def find_message_and_clash(session: Session, message_id: str | None,
                           content_sha256: str) -> tuple[Message | None, Message | None]:
    """find_message and find_clash in one query."""
    if not message_id:
        return find_message(session, message_id, content_sha256), None
    found = clash = None
    for m in session.scalars(select(Message).where(or_(Message.content_sha256 == content_sha256,
                                                       Message.message_id == message_id)).order_by(Message.id)):
        if m.message_id != message_id:
            continue
        if m.content_sha256 == content_sha256:
            found = found or m
        else:
            clash = clash or m
    return found, clash


def find_message_clash_disposed(session: Session, message_id: str | None, content_sha256: str,
                                ) -> tuple[Message | None, Message | None, bool]:
    """find_message_and_clash, and whether a message of this content was
    disposed of under retention, in one statement: the messages outer-joined
    to a one-row derived table holding the disposal check, so it answers
    even when no message matches."""
    found = clash = None
    params = {"sha": content_sha256, "mid": message_id} if message_id else {"sha": content_sha256}
    rows = session.execute(_CLASH_DISPOSED[bool(message_id)], params).all()
    for m, _d in rows:
        if m is None or m.message_id != message_id:
            continue
        if m.content_sha256 == content_sha256:
            found = found or m
        elif message_id:
            clash = clash or m
    return found, clash, bool(rows) and rows[0].disposed is not None


def _clash_disposed(with_message_id: bool):
    disposed = (select(DisposedMessage.id).where(DisposedMessage.content_sha256 == bindparam("sha"))
                .limit(1).scalar_subquery())
    one = select(disposed.label("disposed")).subquery()
    if with_message_id:
        cond = or_(Message.content_sha256 == bindparam("sha"), Message.message_id == bindparam("mid"))
    else:
        cond = and_(Message.content_sha256 == bindparam("sha"), Message.message_id.is_(None))
    return select(Message, one.c.disposed).select_from(one).outerjoin(Message, cond).order_by(Message.id)


# find_message_clash_disposed's statement, with and without a Message-ID.
_CLASH_DISPOSED = {True: _clash_disposed(True), False: _clash_disposed(False)}


def find_clash(session: Session, message_id: str | None, content_sha256: str) -> Message | None:
    """An earlier message with the same Message-ID but other content."""
    if not message_id:
        return None
    q = (select(Message)
         .where(Message.message_id == message_id, Message.content_sha256 != content_sha256)
         .order_by(Message.id).limit(1))
    return session.scalars(q).first()


def add_sighting(session: Session, message: Message, origin: str, raw_sha256: str) -> bool:
    """Record that the message was read at `origin`. False if already known
    (replaying the same archive twice adds nothing)."""
    exists = session.scalars(
        select(Sighting.id).where(Sighting.origin == origin, Sighting.raw_sha256 == raw_sha256)
    ).first()
    if exists:
        return False
    session.add(Sighting(message_pk=message.id, origin=origin, raw_sha256=raw_sha256))
    session.flush()
    return True


def first_document_with_sha(session: Session, sha256: str) -> DocumentRow | None:
    q = (select(DocumentRow)
         .where(DocumentRow.sha256 == sha256, DocumentRow.duplicate_of_id.is_(None))
         .order_by(DocumentRow.id).limit(1))
    return session.scalars(q).first()


def document_public_id(content_sha256: str, message_id: str | None, part_path: str) -> str:
    h = hashlib.sha256(f"{content_sha256}\x00{message_id or ''}\x00{part_path}".encode()).hexdigest()
    return "d_" + h[:24]


def open_exception(session: Session, info: ExceptionInfo, *, document: DocumentRow | None = None,
                   message: Message | None = None, flush: bool = True) -> ExceptionItem:
    """``flush=False``: inserted with the next flush (the write path, which
    needs no id from it)."""
    item = ExceptionItem(
        document_pk=document.id if document is not None else None,
        message_pk=message.id if message is not None else (document.message_pk if document else None),
        code=info.code,
        detail=info.detail,
    )
    session.add(item)
    if flush:
        session.flush()
    return item


def audit(session: Session, actor: str, action: str, object_type: str,
          object_id: Any = None, *, client_addr: str | None = None, **detail: Any) -> None:
    """Who did what to which object, from where. Callers pass ids, codes
    and counts only: never form content."""
    session.add(AuditEntry(actor=actor, action=action, object_type=object_type,
                           object_id=None if object_id is None else str(object_id), detail=detail,
                           client_addr=(client_addr or None) and client_addr[:100]))
