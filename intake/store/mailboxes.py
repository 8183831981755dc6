"""IMAP bookkeeping in the store: per inbox folder its UIDVALIDITY and the
UIDs handled at it, and whether the `after` action (move/flag) has been
applied to each. The folder pass (ingest/imap/folder_pass.py) calls these;
folder names are configuration, and no function here logs content."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from intake.store import inbound
from intake.store.db import Store
from intake.store.models import MailboxFolder, MailboxUid
from intake.types import RawMessage

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def folder_state(store: Store, inbox: str, folder: str, uidvalidity: int) -> tuple[int, set[int], set[int]]:
    """(folder pk, UIDs handled at this UIDVALIDITY, of which unacknowledged)."""
    with store.transaction() as s:
        row = s.scalars(
            select(MailboxFolder).where(MailboxFolder.inbox == inbox, MailboxFolder.folder == folder)
        ).one_or_none()
        if row is None:
            row = MailboxFolder(inbox=inbox, folder=folder, uidvalidity=uidvalidity)
            s.add(row)
            s.flush()
        elif row.uidvalidity != uidvalidity:
            # Counts only: folder names are config, not content.
            log.warning("inbox %s: UIDVALIDITY of a folder changed (%s -> %s); re-listing it and "
                        "matching by Message-ID + hash", inbox, row.uidvalidity, uidvalidity)
            row.uidvalidity = uidvalidity
        pk = row.id
        rows = s.execute(
            select(MailboxUid.uid, MailboxUid.acknowledged).where(
                MailboxUid.folder_pk == pk, MailboxUid.uidvalidity == uidvalidity)
        ).all()
    return pk, {r.uid for r in rows}, {r.uid for r in rows if not r.acknowledged}


def receive_uid(store: Store, folder_pk: int, uidvalidity: int, uid: int, raw: RawMessage, inbox: str,
                acknowledged: bool, queue=None) -> bool:
    """Custody of one fetched message and its UID, in one commit (with its
    processing queued, when ``queue`` is given). True when the message is
    new to the store's custody."""
    try:
        with store.transaction() as s:
            inbound_id, new = inbound.receive(s, raw, inbox)
            if new and queue is not None:
                queue(s, inbound_id)
            s.add(MailboxUid(folder_pk=folder_pk, uidvalidity=uidvalidity, uid=uid, raw_sha256=raw.sha256,
                             acknowledged=acknowledged))
        return new
    except IntegrityError:
        # Recorded by a concurrent pass (only if the inbox lock was lost):
        # the UID is in custody either way.
        log.warning("inbox UID %d was recorded by another pass", uid)
        return False


def mark_acknowledged(store: Store, folder_pk: int, uidvalidity: int, uids: list[int]) -> None:
    if not uids:
        return
    with store.transaction() as s:
        for start in range(0, len(uids), 500):
            s.execute(
                update(MailboxUid)
                .where(MailboxUid.folder_pk == folder_pk, MailboxUid.uidvalidity == uidvalidity,
                       MailboxUid.uid.in_(uids[start:start + 500]))
                .values(acknowledged=True)
            )


def pass_done(store: Store, folder_pk: int) -> None:
    with store.transaction() as s:
        s.execute(update(MailboxFolder).where(MailboxFolder.id == folder_pk).values(last_pass_at=_now()))
