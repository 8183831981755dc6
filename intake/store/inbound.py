"""Custody of raw messages (the ``inbound`` table).

A source does one fast thing: ``receive`` commits the raw bytes
(content-addressed) and an inbound row as *received*; only then does it
acknowledge the message (IMAP move/flag, replay checkpoint). From that
commit on the store owns the message. Processing claims received rows,
and ``finish`` marks a row done in the same transaction that writes the
message's results, so a crash or kill -9 anywhere leaves every message
either received (it will be processed) or done (never twice).

A row claimed by a worker that died is *processing* with a claim nobody
renews; ``release_stale`` hands it back. On PostgreSQL claims use
``FOR UPDATE SKIP LOCKED`` so any number of processes share the work.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, func, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from intake.store import repository as repo
from intake.store.models import Blob, Inbound
from intake.triage.prescreen import lane_of
from intake.types import RawMessage

HOST = socket.gethostname()[:100]


def worker_name(tag: str = "") -> str:
    """host:pid[:tag], what a claim records (no content)."""
    return f"{HOST}:{os.getpid()}" + (f":{tag}" if tag else "")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def receive(session, raw: RawMessage, source: str | None = None) -> tuple[int, bool]:
    """Take custody of a raw message. Returns (inbound id, new?). Reading
    the same message from the same place again adds nothing, also when
    another process reads it at the same moment: the insert gives way to
    theirs and their row is the one returned."""
    found = _custody_row(session, raw)
    if found is not None:
        return found, False
    repo.ensure_blob(session, raw.sha256, raw.data)
    new_id = repo.insert_new(session, Inbound, {
        "origin": raw.origin, "raw_sha256": raw.sha256, "source": (source or "")[:1000] or None,
        "state": "received", "attempts": 0, "lane": lane_of(raw.data),
    }, ["origin", "raw_sha256"], returning=Inbound.id)
    if new_id is not None:
        return new_id, True
    return _custody_row(session, raw), False


def receive_many(session, raws: list[RawMessage], source: str | None = None) -> list[tuple[int, bool]]:
    """``receive`` for each of ``raws`` in turn, in the caller's
    transaction (a replay's batch): the same rows, ids in the same order,
    the same answers. What is stored already is looked up, and the missing
    raw bytes written, in a few statements for the whole batch instead of
    three per message; each new row is still inserted on its own, in
    order, so ids follow the archive's order and a row another process
    inserts meanwhile is given way to as in ``receive``."""
    known, blobs = _stored(session, sorted({raw.sha256 for raw in raws}))
    repo.ensure_blobs(session, [(raw.sha256, raw.data) for raw in raws
                                if (raw.origin, raw.sha256) not in known and raw.sha256 not in blobs])
    out = []
    for raw in raws:
        found = known.get((raw.origin, raw.sha256))
        if found is not None:
            out.append((found, False))
            continue
        new_id = repo.insert_new(session, Inbound, {
            "origin": raw.origin, "raw_sha256": raw.sha256, "source": (source or "")[:1000] or None,
            "state": "received", "attempts": 0, "lane": lane_of(raw.data),
        }, ["origin", "raw_sha256"], returning=Inbound.id)
        if new_id is None:
            out.append((_custody_row(session, raw), False))
        else:
            known[(raw.origin, raw.sha256)] = new_id
            out.append((new_id, True))
    return out


# Keys per IN list: well under SQLite's limit on bound parameters.
_CHUNK = 500


def _stored(session, shas: list[str]) -> tuple[dict[tuple[str, str], int], set[str]]:
    """The custody rows ((origin, sha256) -> id) and the blobs already
    stored for these raw hashes."""
    known: dict[tuple[str, str], int] = {}
    blobs: set[str] = set()
    for chunk in range(0, len(shas), _CHUNK):
        part = shas[chunk:chunk + _CHUNK]
        for row_id, origin, sha in session.execute(
                select(Inbound.id, Inbound.origin, Inbound.raw_sha256).where(Inbound.raw_sha256.in_(part))):
            known.setdefault((origin, sha), row_id)
        blobs.update(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(part))))
    return known, blobs


def _custody_row(session, raw: RawMessage) -> int | None:
    return session.scalar(select(Inbound.id).where(Inbound.origin == raw.origin,
                                                   Inbound.raw_sha256 == raw.sha256))


def raw_of(session, row: Inbound) -> RawMessage:
    return RawMessage(row.origin, repo.get_blob(session, row.raw_sha256) or b"")


def raws_of(session, rows) -> list[RawMessage]:
    """``raw_of`` for each of ``rows`` (claimed rows), in one statement
    and without loading the blobs as ORM objects."""
    shas = sorted({r.raw_sha256 for r in rows})
    data: dict[str, bytes] = {}
    for chunk in range(0, len(shas), _CHUNK):
        for sha, blob in session.execute(select(Blob.sha256, Blob.data)
                                         .where(Blob.sha256.in_(shas[chunk:chunk + _CHUNK]))):
            data[sha] = blob
    return [RawMessage(r.origin, data.get(r.raw_sha256) or b"") for r in rows]


def claim(session, inbound_id: int, worker: str, steal: bool = False) -> Inbound | None:
    """Claim one row for processing. None when it is done, failed, or held
    by another worker. ``steal``: take a row another worker claimed (the
    job queue only runs a row's job again once that worker is known dead)."""
    q = select(Inbound).where(Inbound.id == inbound_id)
    if session.bind.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    row = session.scalar(q)
    if row is None or row.state not in (("received", "processing") if steal else ("received",)):
        return None
    row.state, row.claimed_by, row.claimed_at = "processing", worker, _now()
    row.attempts = (row.attempts or 0) + 1
    session.flush()
    return row


@dataclass(frozen=True)
class Claimed:
    """A row claim_next claimed: what processing needs of it."""

    id: int
    origin: str
    raw_sha256: str
    source: str | None
    lane: int


def claim_next(session, worker: str, limit: int = 1) -> list[Claimed]:
    """The oldest received rows, claimed: the urgent lane first. One
    statement, whatever ``limit`` is (no ORM rows loaded and flushed one
    by one: on SQLite every statement here waits its turn for the store's
    one writer)."""
    oldest = (select(Inbound.id).where(Inbound.state == "received")
              .order_by(Inbound.lane.desc(), Inbound.id).limit(limit))
    if session.bind.dialect.name == "postgresql":
        # As a CTE: PostgreSQL may run a sub-select of an UPDATE more than
        # once, and with LIMIT and SKIP LOCKED that claims more rows than
        # asked; a locking CTE is run once.
        picked = oldest.with_for_update(skip_locked=True).cte("claimable")
        which = Inbound.id == picked.c.id
    else:
        which = Inbound.id.in_(oldest.scalar_subquery())
    claimed = session.execute(
        update(Inbound).where(which, Inbound.state == "received")
        .values(state="processing", claimed_by=worker, claimed_at=_now(),
                attempts=func.coalesce(Inbound.attempts, 0) + 1)
        .returning(Inbound.id, Inbound.origin, Inbound.raw_sha256, Inbound.source, Inbound.lane)
        .execution_options(synchronize_session=False)).all()
    rows = [Claimed(i, origin, sha, source, lane or 0) for i, origin, sha, source, lane in claimed]
    # RETURNING gives no order: the claim's own.
    return sorted(rows, key=lambda r: (-r.lane, r.id))


# finish's statement, on the table and built once: it runs for every message
# stored, and an ORM-enabled update looks for the row among the session's
# objects and is compiled per call.
_I = Inbound.__table__
_FINISH = (update(_I).where(_I.c.id == bindparam("b_id"))
           .values(state="done", message_pk=bindparam("b_message_pk"), finished_at=bindparam("b_at"), error=None))


def finish(session, inbound_id: int, message_pk: int) -> None:
    now = _now()
    session.execute(_FINISH, {"b_id": inbound_id, "b_message_pk": message_pk, "b_at": now})
    held = session.identity_map.get(inspect(Inbound).identity_key_from_primary_key([inbound_id]))
    if held is not None:
        # What the ORM update did for a row this session holds.
        for col, value in (("state", "done"), ("message_pk", message_pk), ("finished_at", now), ("error", None)):
            set_committed_value(held, col, value)


def fail(session, inbound_id: int, code: str) -> None:
    """A message whose processing itself failed (a bug, not a bad document:
    bad documents are stored as exceptions). Kept, counted, retried by
    `intake reprocess-inbound` once the fault is fixed."""
    session.execute(update(Inbound).where(Inbound.id == inbound_id)
                    .values(state="failed", error=code[:200], finished_at=_now()))


def release(session, ids) -> int:
    """Hand claimed rows back (a clean stop with work unfinished)."""
    ids = list(ids)
    if not ids:
        return 0
    res = session.execute(update(Inbound).where(Inbound.id.in_(ids), Inbound.state == "processing")
                          .values(state="received", claimed_by=None, claimed_at=None))
    return res.rowcount or 0


def release_stale(session, *, older_than: timedelta | None = None, dead_local: bool = True) -> int:
    """Rows claimed by a worker that is gone: on this host, a pid no longer
    alive; anywhere, a claim older than ``older_than``."""
    rows = session.scalars(select(Inbound).where(Inbound.state == "processing")).all()
    now = _now()
    back = []
    for r in rows:
        host, _, rest = (r.claimed_by or "").partition(":")
        pid = rest.split(":", 1)[0]
        gone = dead_local and host == HOST and pid.isdigit() and not _alive(int(pid))
        old = older_than is not None and r.claimed_at is not None and now - r.claimed_at > older_than
        if gone or old or not r.claimed_by:
            back.append(r.id)
    return release(session, back)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def retry_failed(session) -> int:
    """Failed messages back to received (after the fault is fixed)."""
    res = session.execute(update(Inbound).where(Inbound.state == "failed")
                          .values(state="received", claimed_by=None, claimed_at=None, error=None))
    return res.rowcount or 0


def lane_of_row(session, inbound_id: int) -> int:
    return session.scalar(select(Inbound.lane).where(Inbound.id == inbound_id)) or 0


def pending_with_lane(session, limit: int = 500) -> list[tuple[int, int]]:
    """(id, lane) of received rows, the urgent lane first."""
    return [tuple(r) for r in session.execute(select(Inbound.id, Inbound.lane).where(Inbound.state == "received")
                                              .order_by(Inbound.lane.desc(), Inbound.id).limit(limit))]


def pending_ids(session, after_id: int = 0, limit: int = 500) -> list[int]:
    return list(session.scalars(select(Inbound.id).where(Inbound.state == "received", Inbound.id > after_id)
                                .order_by(Inbound.id).limit(limit)))


def outcomes(session, ids) -> tuple[int, int, int, dict[str, int]]:
    """(new, known, failed, documents by status) of processed inbound rows:
    a message made from a row carries the row's origin; a row whose message
    came from elsewhere was a sighting of a message already stored."""
    from sqlalchemy import and_

    from intake.store.models import DocumentRow, Message

    ids = list(ids)
    if not ids:
        return 0, 0, 0, {}
    new = known = failed = 0
    made: list[int] = []
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for st, origin, m_origin, m_pk in session.execute(
            select(Inbound.state, Inbound.origin, Message.origin, Message.id)
            .outerjoin(Message, and_(Message.id == Inbound.message_pk))
            .where(Inbound.id.in_(part))
        ):
            if st == "failed":
                failed += 1
            elif st == "done":
                if m_origin == origin:
                    new += 1
                    made.append(m_pk)
                else:
                    known += 1
    docs: dict[str, int] = {}
    for chunk in range(0, len(made), 500):
        for status, n in session.execute(select(DocumentRow.status, func.count())
                                         .where(DocumentRow.message_pk.in_(made[chunk:chunk + 500]))
                                         .group_by(DocumentRow.status)):
            docs[status] = docs.get(status, 0) + n
    return new, known, failed, docs


@dataclass
class RunOutcome:
    """What became of the messages one run read, judged from the store, so
    the counts add up whoever processed them: ``new`` were stored by this
    process since ``since`` (``claimed_by`` names it), ``known`` were stored already or by
    another process, ``failed`` failed, ``pending`` are not done yet (an
    interrupted run; another process still at work)."""

    new: int = 0
    known: int = 0
    failed: int = 0
    pending: int = 0
    documents: dict[str, int] | None = None


def run_outcome(session, ids, since: datetime, pid: int | None = None) -> RunOutcome:
    from sqlalchemy import and_

    from intake.store.models import DocumentRow, Message

    mine = f"{HOST}:{pid or os.getpid()}"
    out = RunOutcome(documents={})
    ids = sorted(set(ids))
    made: list[int] = []
    for chunk in range(0, len(ids), 500):
        for st, origin, who, finished, m_origin, m_pk in session.execute(
            select(Inbound.state, Inbound.origin, Inbound.claimed_by, Inbound.finished_at, Message.origin, Message.id)
            .outerjoin(Message, and_(Message.id == Inbound.message_pk))
            .where(Inbound.id.in_(ids[chunk:chunk + 500]))
        ):
            if st == "failed":
                out.failed += 1
            elif st != "done":
                out.pending += 1
            elif (m_pk is not None and m_origin == origin and (who or "").startswith(mine + ":")
                  and finished is not None and _aware(finished) >= since):
                out.new += 1
                made.append(m_pk)
            else:
                out.known += 1
    for chunk in range(0, len(made), 500):
        for status, n in session.execute(select(DocumentRow.status, func.count())
                                         .where(DocumentRow.message_pk.in_(made[chunk:chunk + 500]))
                                         .group_by(DocumentRow.status)):
            out.documents[status] = out.documents.get(status, 0) + n
    return out


def _aware(t: datetime) -> datetime:
    # SQLite gives back naive datetimes (stored as UTC).
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def unfinished_ids(session) -> list[int]:
    return list(session.scalars(select(Inbound.id).where(Inbound.state.in_(("received", "processing")))
                                .order_by(Inbound.id)))


@dataclass
class QueueState:
    received: int = 0
    processing: int = 0
    done: int = 0
    failed: int = 0
    workers: dict[str, int] | None = None  # claimant -> rows in progress

    @property
    def waiting(self) -> int:
        return self.received + self.processing


def state(session) -> QueueState:
    out = QueueState(workers={})
    for st, n in session.execute(select(Inbound.state, func.count()).group_by(Inbound.state)):
        setattr(out, st, n) if st in ("received", "processing", "done", "failed") else None
    for who, n in session.execute(select(Inbound.claimed_by, func.count()).where(Inbound.state == "processing")
                                  .group_by(Inbound.claimed_by)):
        out.workers[who or "?"] = n
    return out
