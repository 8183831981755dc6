"""The ``inbox_status`` rows: written after each pass, read by `intake status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, or_, select, union

from intake.store.db import Store
from intake.store.models import (
    DocumentRow,
    ExceptionItem,
    Inbound,
    InboxStatus,
    MailboxFolder,
    MailboxUid,
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes even for timezone=True columns.
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def _row(s, inbox: str) -> InboxStatus:
    row = s.get(InboxStatus, inbox)
    if row is None:
        row = InboxStatus(inbox=inbox, messages_handled=0)
        s.add(row)
    return row


def record_attempt(store: Store, inbox: str) -> None:
    with store.transaction() as s:
        _row(s, inbox).last_attempt_at = _now()


def record_success(store: Store, inbox: str, handled: int) -> None:
    with store.transaction() as s:
        row = _row(s, inbox)
        row.last_success_at = _now()
        row.failing_since = None
        row.messages_handled = (row.messages_handled or 0) + handled


def record_failure(store: Store, inbox: str, error: str, handled: int = 0) -> None:
    """``error`` is "code: detail" built by us: no secret, no content."""
    with store.transaction() as s:
        row = _row(s, inbox)
        now = _now()
        row.last_error = error[:2000]
        row.last_error_at = now
        row.failing_since = row.failing_since or now
        row.messages_handled = (row.messages_handled or 0) + handled


@dataclass
class InboxReport:
    inbox: str
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failing_since: datetime | None
    messages_handled: int
    open_exceptions: int
    unacknowledged: int

    def failing_for(self, now: datetime | None = None) -> float | None:
        if self.failing_since is None:
            return None
        return ((now or _now()) - self.failing_since).total_seconds()


def report(store: Store, inbox: str) -> InboxReport:
    with store.session() as s:
        row = s.get(InboxStatus, inbox)
        # Messages this inbox handed over: through custody (inbound.source),
        # and, for UIDs recorded before custody came first, the UID rows.
        msg_pks = union(
            select(Inbound.message_pk).where(Inbound.source == inbox, Inbound.message_pk.is_not(None)),
            select(MailboxUid.message_pk).join(MailboxFolder, MailboxFolder.id == MailboxUid.folder_pk)
            .where(MailboxFolder.inbox == inbox, MailboxUid.message_pk.is_not(None)))
        doc_pks = select(DocumentRow.id).where(DocumentRow.message_pk.in_(msg_pks))
        open_exc = s.scalar(
            select(func.count(ExceptionItem.id)).where(
                ExceptionItem.status == "open",
                or_(ExceptionItem.message_pk.in_(msg_pks), ExceptionItem.document_pk.in_(doc_pks)),
            )
        ) or 0
        unacked = s.scalar(
            select(func.count(MailboxUid.id))
            .join(MailboxFolder, MailboxFolder.id == MailboxUid.folder_pk)
            .where(MailboxFolder.inbox == inbox, MailboxUid.acknowledged.is_(False),
                   MailboxUid.uidvalidity == MailboxFolder.uidvalidity)
        ) or 0
    return InboxReport(
        inbox=inbox,
        last_success_at=_aware(row.last_success_at) if row else None,
        last_attempt_at=_aware(row.last_attempt_at) if row else None,
        last_error=row.last_error if row else None,
        last_error_at=_aware(row.last_error_at) if row else None,
        failing_since=_aware(row.failing_since) if row else None,
        messages_handled=row.messages_handled if row else 0,
        open_exceptions=open_exc,
        unacknowledged=unacked,
    )
