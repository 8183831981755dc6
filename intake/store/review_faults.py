"""Faults met while officers work, kept where they can see them.

A review action that fails inside intake leaves a coded item on its
document (``review_action_failed``), once, so the queue shows it and the
next person knows. A background reprocess that fails records
``reprocess_failed`` on its document and waits before trying that document
again (doubling, up to a cap), while the other documents of the batch go
on: one bad document must never hold up the rest, nor be retried every few
seconds for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select

from intake.exception_codes import REPROCESS_FAILED, REVIEW_ACTION_FAILED
from intake.store import repository as repo
from intake.store.documents import get_document
from intake.store.models import DocumentRow, ExceptionItem
from intake.types import ExceptionInfo

FIRST_WAIT_S = 30.0
MAX_WAIT_S = 3600.0


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _open_item(session, doc: DocumentRow, code: str, detail: str) -> bool:
    held = session.scalar(select(ExceptionItem.id).where(ExceptionItem.document_pk == doc.id,
                                                         ExceptionItem.code == code,
                                                         ExceptionItem.status == "open").limit(1))
    if held is not None:
        return False
    repo.open_exception(session, ExceptionInfo(code, detail), document=doc)
    return True


def record_action_failure(session, doc_public_id: str, username: str, action: str) -> bool:
    """A review action on this document failed (in a transaction that rolled
    back): say so on the document, and in the audit log."""
    doc = get_document(session, doc_public_id)
    if doc is None:
        return False
    added = _open_item(session, doc, REVIEW_ACTION_FAILED,
                       f"the action “{action}” failed inside intake; nothing of it was kept")
    repo.audit(session, f"user:{username}", "document.action_failed", "document", doc.public_id, step=action)
    return added


def due_reprocess(session, limit: int = 20, now: datetime | None = None) -> list[DocumentRow]:
    """Documents waiting to be reprocessed whose wait (after a failure) is
    over, oldest request first."""
    now = now or _now()
    return list(session.scalars(
        select(DocumentRow)
        .where(DocumentRow.reprocess_requested_at.is_not(None),
               or_(DocumentRow.reprocess_not_before.is_(None), DocumentRow.reprocess_not_before <= now))
        .order_by(DocumentRow.reprocess_requested_at, DocumentRow.id).limit(limit)))


def wait_after(failures: int) -> timedelta:
    return timedelta(seconds=min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** max(0, failures - 1)))


def record_reprocess_failure(session, doc_public_id: str, code: str) -> datetime | None:
    """This document's reprocess failed with ``code``: it waits, and says so.
    Returns when it is tried next (None if it is gone)."""
    doc = get_document(session, doc_public_id)
    if doc is None or doc.reprocess_requested_at is None:
        return None
    doc.reprocess_failures = (doc.reprocess_failures or 0) + 1
    doc.reprocess_not_before = _now() + wait_after(doc.reprocess_failures)
    _open_item(session, doc, REPROCESS_FAILED,
               f"reprocessing failed ({code}); it is tried again later, the record stays as it was")
    return doc.reprocess_not_before


def clear_reprocess_failures(session, doc: DocumentRow, resolved_by: str) -> None:
    """After a reprocess that worked: no more waiting, and the item closes."""
    doc.reprocess_failures = 0
    doc.reprocess_not_before = None
    for item in session.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id,
                                                            ExceptionItem.code == REPROCESS_FAILED,
                                                            ExceptionItem.status == "open")):
        item.status, item.resolved_by, item.resolved_at = "resolved", resolved_by, _now()
        item.resolution = "reprocessed"


def reprocess_progress(session) -> dict:
    """What the Reprocessing page shows: how many wait, how many are
    waiting after a failure, and those documents."""
    pending = list(session.scalars(
        select(DocumentRow).where(DocumentRow.reprocess_requested_at.is_not(None))
        .order_by(DocumentRow.reprocess_requested_at, DocumentRow.id).limit(500)))
    failing = [d for d in pending if (d.reprocess_failures or 0) > 0]
    return {"pending": len(pending), "failing": failing, "waiting": [d for d in pending if d not in failing]}
