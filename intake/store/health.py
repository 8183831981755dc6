"""Counts for monitoring (intake/metrics.py): documents by status, open
queue items by code, and the per-inbox state the daemon records. Read-only,
a handful of indexed aggregate queries; nothing here returns content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.store.models import DocumentRow, ExceptionItem, InboxStatus, MailboxFolder, MailboxUid


def _epoch(dt: datetime | None) -> float | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # SQLite hands back naive UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


@dataclass(frozen=True)
class InboxHealth:
    inbox: str
    last_success: float | None  # seconds since the epoch
    last_attempt: float | None
    failing: bool
    messages_handled: int
    unacknowledged: int


def documents_by_status(s: Session) -> dict[str, int]:
    return dict(s.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status)).all())


def open_exceptions_by_code(s: Session) -> dict[str, int]:
    return dict(s.execute(select(ExceptionItem.code, func.count())
                          .where(ExceptionItem.status == "open").group_by(ExceptionItem.code)).all())


def inboxes(s: Session) -> list[InboxHealth]:
    unacked = dict(s.execute(
        select(MailboxFolder.inbox, func.count(MailboxUid.id))
        .join(MailboxUid, MailboxUid.folder_pk == MailboxFolder.id)
        .where(MailboxUid.acknowledged.is_(False), MailboxUid.uidvalidity == MailboxFolder.uidvalidity)
        .group_by(MailboxFolder.inbox)).all())
    return [InboxHealth(r.inbox, _epoch(r.last_success_at), _epoch(r.last_attempt_at), r.failing_since is not None,
                        r.messages_handled or 0, unacked.get(r.inbox, 0))
            for r in s.scalars(select(InboxStatus).order_by(InboxStatus.inbox))]
