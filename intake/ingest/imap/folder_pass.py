"""One pass over one folder of one inbox.

Order is what makes "never lost, never twice" hold whatever fails:

1. SELECT; compare UIDVALIDITY with the store. A change means every UID is
   new again; the pipeline's match on Message-ID + content hash then stops
   anything being processed twice.
2. UIDs stored but not yet acknowledged (a crash between commit and `after`):
   apply `after` now.
3. UIDs not in the store: FETCH BODY.PEEK[] in batches bounded by count and
   bytes, run each through the pipeline (which commits), record the UID
   (commit), and only then apply `after` to the batch and mark it
   acknowledged (commit).

A crash anywhere leaves either an unrecorded UID (fetched again; the
pipeline finds the stored message by Message-ID + hash and records only a
sighting) or a recorded, unacknowledged one (step 2).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy.exc import SQLAlchemyError

from intake import metrics
from intake.exception_codes import IMAP_FOLDER_UNAVAILABLE, IMAP_KEYWORD_UNSUPPORTED, PIPELINE_FAILED
from intake.ingest.imap import after
from intake.ingest.imap.errors import ImapError, safe_reason
from intake.ingest.inbox_config import InboxConfig
from intake.logs import log_fault
from intake.store import mailboxes
from intake.store.db import Store
from intake.types import IntakeError, RawMessage

log = logging.getLogger(__name__)

# imapclient's fetch() lists every UID (it cannot take a compact set), so a
# SIZE lookup is chunked to keep each command around a kilobyte, and the
# response bounded, however large the folder.
SIZE_CHUNK = 200


@dataclass
class PassResult:
    handled: int = 0  # UIDs recorded this pass (taken into custody)
    received: int = 0  # of which new to the store's custody
    new_messages: int = 0  # messages the processing after the pass stored as new
    known: int = 0  # of which were already in the store (crash redo, UIDVALIDITY reset, resend)
    acknowledged: int = 0
    vanished: int = 0  # listed by SEARCH, gone by FETCH (someone else moved them)
    failed: list[tuple[str, int, str]] = field(default_factory=list)  # (folder, uid, code)
    processing_failed: int = 0  # in custody, but processing failed (a fault in intake; `intake status`)
    stopped: bool = False

    def summary(self) -> str:
        return (f"handled={self.handled} received={self.received} new={self.new_messages} known={self.known} "
                f"acknowledged={self.acknowledged} vanished={self.vanished} failed={len(self.failed)}")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _batches(client: IMAPClient, cfg: InboxConfig, uids: list[int]) -> Iterator[list[int]]:
    """New UIDs in ascending order, grouped so one FETCH carries at most
    ``batch_size`` messages and about ``batch_bytes`` (a bigger message goes
    alone)."""
    for start in range(0, len(uids), SIZE_CHUNK):
        chunk = uids[start:start + SIZE_CHUNK]
        sizes = client.fetch(chunk, [b"RFC822.SIZE"])
        batch: list[int] = []
        total = 0
        for uid in chunk:
            if uid not in sizes:
                continue  # expunged meanwhile
            size = int(sizes[uid].get(b"RFC822.SIZE", 0))
            if batch and (len(batch) >= cfg.batch_size or total + size > cfg.batch_bytes):
                yield batch
                batch, total = [], 0
            batch.append(uid)
            total += size
        if batch:
            yield batch


def run_folder(client: IMAPClient, cfg: InboxConfig, folder: str, store: Store,
               stop: threading.Event, result: PassResult, queue=None) -> None:
    # Custody is what must be quick: processing in this process waits for it.
    with store.priority.urgent():
        _run_folder(client, cfg, folder, store, stop, result, queue)


def _run_folder(client: IMAPClient, cfg: InboxConfig, folder: str, store: Store,
                stop: threading.Event, result: PassResult, queue=None) -> None:
    try:
        # after = "none" promises the mailbox is left untouched: EXAMINE, so
        # not even \Recent changes.
        info = client.select_folder(folder, readonly=not cfg.after.changes_mailbox)
    except IMAPClientError as exc:
        raise ImapError(
            IMAP_FOLDER_UNAVAILABLE,
            f"inbox {cfg.name}: folder {folder!r} cannot be opened ({safe_reason(exc)}); check 'folders'",
        ) from None
    uidvalidity = int(info[b"UIDVALIDITY"])
    permanent = info.get(b"PERMANENTFLAGS")
    if cfg.after.kind == "keyword" and permanent is not None and b"\\*" not in permanent:
        # Exchange/Microsoft 365 do not keep custom keywords: the mark would
        # fail or not stick, so say so plainly instead of failing every pass.
        raise ImapError(
            IMAP_KEYWORD_UNSUPPORTED,
            f"inbox {cfg.name}: the server does not keep custom keywords in {folder!r}, so "
            f"after = \"{cfg.after}\" cannot work; use \"move:FOLDER\" or \"flag:\\\\Seen\"",
        )
    folder_pk, handled, unacked = mailboxes.folder_state(store, cfg.name, folder, uidvalidity)
    present = set(client.search("ALL"))

    # Step 2: stored before a crash, `after` not yet applied.
    pending = sorted(unacked & present)
    if pending:
        after.apply(client, cfg, pending)
    # A UID no longer present was moved (by us before the crash, or by a person).
    mailboxes.mark_acknowledged(store, folder_pk, uidvalidity, sorted(unacked))
    result.acknowledged += len(pending)

    new = sorted(present - handled)
    if new:
        log.info("inbox %s: %d new message(s) in a folder", cfg.name, len(new))
    ack_now = not cfg.after.changes_mailbox
    for batch in _batches(client, cfg, new):
        if stop.is_set():
            result.stopped = True
            break
        with metrics.timed("imap_fetch"):
            data = client.fetch(batch, [b"BODY.PEEK[]"])
        done: list[int] = []
        for uid in batch:
            if stop.is_set():
                result.stopped = True
                break
            raw_bytes = data.get(uid, {}).get(b"BODY[]")
            if raw_bytes is None:
                result.vanished += 1
                log.warning("inbox %s: UID %d vanished before it could be fetched", cfg.name, uid)
                continue
            raw = RawMessage(cfg.origin(folder, uidvalidity, uid), bytes(raw_bytes))
            metrics.MESSAGES_RECEIVED.labels(cfg.name).inc()
            try:
                # Custody first: the raw message and its UID in
                # one commit; processing happens afterwards, from the store.
                # The same message again (a crash redo, a UIDVALIDITY reset)
                # is matched when processed and only gains a sighting.
                if mailboxes.receive_uid(store, folder_pk, uidvalidity, uid, raw, cfg.name, ack_now, queue):
                    result.received += 1
            except SQLAlchemyError:
                raise  # the store is unwell: stop the pass, nothing is acknowledged
            except Exception as exc:  # noqa: BLE001 - one message must not stop the inbox
                # Not in the store's custody: the UID stays unrecorded and
                # the message in the mailbox, retried next pass; the inbox
                # status shows the failure until then.
                code = exc.code if isinstance(exc, IntakeError) else f"{PIPELINE_FAILED}:{type(exc).__name__}"
                result.failed.append((folder, uid, code))
                log_fault(log, f"inbox {cfg.name}: UID {uid} could not be taken into custody; left in the mailbox", exc)
                continue
            done.append(uid)
            result.handled += 1
        if done and not ack_now:
            with metrics.timed("imap_after"):
                after.apply(client, cfg, done)
            mailboxes.mark_acknowledged(store, folder_pk, uidvalidity, done)
        result.acknowledged += len(done)
        if result.stopped:
            break
    mailboxes.pass_done(store, folder_pk)
