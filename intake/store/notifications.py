"""The urgent-report notifications' outbox.

A row per document and channel, made when a triaged document at a notifying
level is found that has none; the sender (intake/ingest/processing/notifier.py) takes
due rows, sends outside any transaction, and marks each sent, or failed with
the error's class and a time to try again. After the last attempt a row
stays "failed": shown on the document page and counted, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import exists, func, or_, select

from intake.store.models import DocumentRow, Notification, Triage

MAX_BACKOFF_S = 3600


@dataclass
class DueNotification:
    id: int
    channel: str
    attempts: int
    document_id: str  # the public id: opaque, safe to send
    level: str
    reasons: list[str]
    stored_at: datetime | None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def enqueue(session, channels: list[str], levels: list[str], max_age_minutes: int,
            now: datetime | None = None) -> int:
    """Rows for recently stored documents at a notifying level that have
    none on a channel yet. Returns how many were made."""
    now = now or _now()
    since = now - timedelta(minutes=max_age_minutes)
    made = 0
    for channel in channels:
        has = exists().where(Notification.document_pk == Triage.document_pk, Notification.channel == channel)
        pks = session.scalars(select(Triage.document_pk).join(DocumentRow, DocumentRow.id == Triage.document_pk)
                              .where(Triage.level.in_(levels), DocumentRow.processed_at >= since, ~has)).all()
        for pk in pks:
            session.add(Notification(document_pk=pk, channel=channel, status="pending", attempts=0,
                                     created_at=now, next_attempt_at=now))
            made += 1
    session.flush()
    return made


def due(session, now: datetime | None = None, limit: int = 50) -> list[DueNotification]:
    now = now or _now()
    rows = session.execute(
        select(Notification, DocumentRow.public_id, DocumentRow.processed_at, Triage.level, Triage.reasons)
        .join(DocumentRow, DocumentRow.id == Notification.document_pk)
        .join(Triage, Triage.document_pk == Notification.document_pk)
        .where(Notification.status == "pending",
               or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        .order_by(Notification.id).limit(limit)).all()
    return [DueNotification(n.id, n.channel, n.attempts, pid, level, list(reasons or []), stored)
            for n, pid, stored, level, reasons in rows]


def mark_sent(session, notification_id: int, now: datetime | None = None) -> None:
    n = session.get(Notification, notification_id)
    if n is not None:
        n.status, n.sent_at, n.last_error = "sent", now or _now(), None
        n.attempts = (n.attempts or 0) + 1
        n.next_attempt_at = None


def mark_failed(session, notification_id: int, error: str, retry_seconds: int, max_attempts: int,
                now: datetime | None = None) -> str:
    """Record a failed attempt; returns the row's status now (pending:
    tried again later, failed: no more attempts)."""
    now = now or _now()
    n = session.get(Notification, notification_id)
    if n is None:
        return "gone"
    n.attempts = (n.attempts or 0) + 1
    n.last_error = error[:200]
    if n.attempts >= max_attempts:
        n.status, n.next_attempt_at = "failed", None
    else:
        wait = min(retry_seconds * 2 ** (n.attempts - 1), MAX_BACKOFF_S)
        n.next_attempt_at = now + timedelta(seconds=wait)
    return n.status


def retry_failed(session) -> int:
    """Give failed notifications another round (after the cause is fixed)."""
    rows = session.scalars(select(Notification).where(Notification.status == "failed")).all()
    for n in rows:
        n.status, n.attempts, n.next_attempt_at = "pending", 0, _now()
    return len(rows)


def states_of(session, document_pk: int) -> list[dict]:
    return [{"channel": n.channel, "status": n.status, "attempts": n.attempts, "last_error": n.last_error,
             "sent_at": n.sent_at}
            for n in session.scalars(select(Notification).where(Notification.document_pk == document_pk)
                                     .order_by(Notification.channel))]


def counts(session) -> dict[str, int]:
    return dict(session.execute(select(Notification.status, func.count(Notification.id))
                                .group_by(Notification.status)).all())
