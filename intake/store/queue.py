"""The review queue: every document with an open item, what the items are,
and who is working on it.

A queue row is a document. Its items are its open ``exceptions`` rows: a
document-level code (status ``exception``), record-level warnings on a
parsed record (``ambiguous_value``, ``possible_duplicate``, ...) and the
problems of its message (they sit on the message's first document). Oldest
received first by default, so nothing waits behind newer mail. "Received"
is the e-mail's own Date header (when the sender sent it), falling back to
when intake read it for a message without one; the read time stays in the
document's details.

A claim ("being worked by") is taken when an officer first changes a
document or presses *Take*, never by merely opening it; it is released when
they leave it for the next item or the queue, when they decide it, or after
CLAIM_TTL without activity.

Queries here serve the review app and ``intake queue`` alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, distinct, func, or_, select

from intake import canonical
from intake.exception_codes import CATALOGUE, UNKNOWN_TEMPLATE
from intake.store.models import DocumentRow, ExceptionItem, Message
from intake.store.triage import triage_rank

# An officer's claim lapses when they have not touched the document for
# this long, so a document left open in a closed browser is not stuck.
CLAIM_TTL = timedelta(minutes=15)
SORTS = ("oldest", "newest", "triage")
# The e-mail's Date, else when it was read (a message without a Date).
RECEIVED = func.coalesce(Message.date, Message.first_seen_at)


def item_field(detail: str | None) -> tuple[str | None, str | None]:
    """(key, label) of the field a record-level item names ("witnessed_by:
    no single option is marked ..."), or (None, None)."""
    head = (detail or "").split(":", 1)[0].strip()
    f = canonical.BY_KEY.get(head)
    return (f.key, f.label) if f is not None else (None, None)


def filter_params(f, default_sort: str) -> dict[str, str]:
    """A list filter (queue, reports) as URL parameters: what is set, days
    as yyyy-mm-dd, the default order left out."""
    out = {}
    for k, v in f.__dict__.items():
        if v in (None, "", default_sort):
            continue
        out[k] = v.date().isoformat() if isinstance(v, datetime) else str(v)
    return out


@dataclass(frozen=True)
class QueueFilter:
    reason: str | None = None
    template: str | None = None
    agency: str | None = None
    source: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None  # exclusive
    sort: str = "oldest"

    def as_params(self) -> dict[str, str]:
        return filter_params(self, "oldest")


@dataclass
class QueueItem:
    code: str
    detail: str
    created_at: datetime
    meaning: str = ""
    blocks: bool = False

    @property
    def field_label(self) -> str | None:
        return item_field(self.detail)[1]

    @property
    def text(self) -> str:
        """What the queue row says: the meaning, naming the field it is
        about ("Witnessed by: a tick box ... was answered both ways")."""
        label = self.field_label
        if not label:
            return self.meaning
        sep = " " if label.endswith("?") else ": "
        return f"{label}{sep}{self.meaning[:1].lower()}{self.meaning[1:]}"


@dataclass
class QueueRow:
    document_pk: int
    document_id: str
    filename: str | None
    kind: str
    status: str
    template: str | None
    agency: str | None
    source: str | None
    subject: str | None
    from_addr: str | None
    received_at: datetime  # the e-mail's Date (else when it was read)
    claimed_by: str | None
    claimed_at: datetime | None
    read_at: datetime | None = None
    items: list[QueueItem] = field(default_factory=list)

    def claim_live(self, now: datetime | None = None) -> bool:
        return claim_is_live(self.claimed_by, self.claimed_at, now)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def claim_is_live(by: str | None, at: datetime | None, now: datetime | None = None) -> bool:
    return bool(by) and at is not None and (now or datetime.now(timezone.utc)) - at < CLAIM_TTL


def _open_items(f: QueueFilter | None = None, *, with_reason: bool = True):
    items = select(ExceptionItem.document_pk).where(ExceptionItem.status == "open",
                                                    ExceptionItem.document_pk.is_not(None))
    if f is not None and with_reason and f.reason:
        items = items.where(ExceptionItem.code == f.reason)
    return items


def _narrowed(q, f: QueueFilter, *, with_reason: bool = True):
    """``q`` (over documents joined to messages) narrowed to documents with
    an open item and every filter."""
    q = q.where(DocumentRow.id.in_(_open_items(f, with_reason=with_reason)), DocumentRow.disposed_at.is_(None))
    if f.template:
        q = q.where(DocumentRow.template.is_(None) if f.template == "(none)" else DocumentRow.template == f.template)
    if f.agency:
        q = q.where(DocumentRow.agency == f.agency)
    if f.source:
        q = q.where(Message.source == f.source)
    if f.received_from:
        q = q.where(RECEIVED >= f.received_from)
    if f.received_to:
        q = q.where(RECEIVED < f.received_to)
    return q


def _open_documents(f: QueueFilter, *, with_reason: bool = True):
    """Ids of documents with an open item, narrowed by every filter."""
    return _narrowed(select(DocumentRow.id).join(Message, Message.id == DocumentRow.message_pk), f,
                     with_reason=with_reason)


def list_queue(session, f: QueueFilter, page: int = 1, page_size: int = 50) -> QueuePage:
    page = max(1, page)
    total = session.scalar(_narrowed(select(func.count(DocumentRow.id))
                                     .join(Message, Message.id == DocumentRow.message_pk), f)) or 0
    rows = session.execute(_narrowed(
        select(DocumentRow.id, DocumentRow.public_id, DocumentRow.filename, DocumentRow.kind, DocumentRow.status,
               DocumentRow.template, DocumentRow.agency, Message.source, Message.subject, Message.from_addr,
               RECEIVED, DocumentRow.claimed_by, DocumentRow.claimed_at, Message.first_seen_at)
        .join(Message, Message.id == DocumentRow.message_pk), f)
        .order_by(*_order(f))
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    out = [QueueRow(*r) for r in rows]
    by_pk = {r.document_pk: r for r in out}
    if by_pk:
        for doc_pk, code, detail, created in session.execute(
            select(ExceptionItem.document_pk, ExceptionItem.code, ExceptionItem.detail, ExceptionItem.created_at)
            .where(ExceptionItem.status == "open", ExceptionItem.document_pk.in_(list(by_pk)))
            .order_by(ExceptionItem.id)
        ):
            c = CATALOGUE.get(code)
            by_pk[doc_pk].items.append(QueueItem(code, detail, created, c.meaning if c else code,
                                                 bool(c and c.blocks)))
    return QueuePage(out, total, page, page_size)


def _order(f: QueueFilter):
    if f.sort == "newest":
        return RECEIVED.desc(), DocumentRow.id.desc()
    if f.sort == "triage":  # triage order: most urgent first, then the longest waiting
        return triage_rank(DocumentRow.id), RECEIVED, DocumentRow.id
    return RECEIVED, DocumentRow.id


def queued_documents(session, f: QueueFilter, limit: int, ids=None) -> list[DocumentRow]:
    """The documents of the queue under a filter (oldest first), for a bulk
    action on the filtered set; only those of ``ids`` (public ids) if given."""
    q = (select(DocumentRow).join(Message, Message.id == DocumentRow.message_pk)
         .where(DocumentRow.id.in_(_open_documents(f))))
    if ids is not None:
        q = q.where(DocumentRow.public_id.in_(list(ids)))
    return list(session.scalars(q.order_by(RECEIVED, DocumentRow.id).limit(limit)))


def neighbour(session, f: QueueFilter, doc: DocumentRow, direction: str, username: str | None = None,
              now: datetime | None = None) -> str | None:
    """The public id of the queued document after (``next``) or before
    (``previous``) ``doc`` in the queue's order under ``f``, skipping those
    someone other than ``username`` is working on; "next" wraps round to the
    start so an item passed over is not lost. ``doc`` itself need not be in
    the queue any more (it was just approved)."""
    now = now or datetime.now(timezone.utc)
    if f.sort == "triage":
        return _neighbour_in_list(session, f, doc, direction, username, now)
    here = session.execute(select(RECEIVED).select_from(Message).where(Message.id == doc.message_pk)).scalar()
    ahead = (direction == "next") == (f.sort != "newest")
    after = or_(RECEIVED > here, and_(RECEIVED == here, DocumentRow.id > doc.id)) if ahead else \
        or_(RECEIVED < here, and_(RECEIVED == here, DocumentRow.id < doc.id))
    free = or_(DocumentRow.claimed_by.is_(None), DocumentRow.claimed_by == (username or ""),
               DocumentRow.claimed_at.is_(None), DocumentRow.claimed_at < now - CLAIM_TTL)
    base = (_narrowed(select(DocumentRow.public_id).join(Message, Message.id == DocumentRow.message_pk), f)
            .where(DocumentRow.id != doc.id, free))
    order = (RECEIVED, DocumentRow.id) if ahead else (RECEIVED.desc(), DocumentRow.id.desc())
    found = session.scalar(base.where(after).order_by(*order).limit(1))
    if found is None and direction == "next":
        found = session.scalar(base.order_by(*order).limit(1))
    return found


def reason_counts(session, f: QueueFilter) -> list[tuple[str, str, int]]:
    """(code, meaning, documents) for every open reason, under the other
    filters, most frequent first."""
    docs = _open_documents(f, with_reason=False)
    rows = session.execute(
        select(ExceptionItem.code, func.count(distinct(ExceptionItem.document_pk)))
        .where(ExceptionItem.status == "open", ExceptionItem.document_pk.in_(docs))
        .group_by(ExceptionItem.code)
    ).all()
    return sorted(((code, CATALOGUE[code].meaning if code in CATALOGUE else code, n) for code, n in rows),
                  key=lambda r: (-r[2], r[0]))


def filter_choices(session) -> dict[str, list[str]]:
    """Values the queue's filters can take, from what is open now (one
    pass over the open documents)."""
    rows = session.execute(
        select(DocumentRow.template, DocumentRow.agency, Message.source).distinct()
        .join(Message, Message.id == DocumentRow.message_pk)
        .where(DocumentRow.id.in_(_open_items()), DocumentRow.disposed_at.is_(None))
    ).all()
    templates = sorted({t if t is not None else "(none)" for t, _, _ in rows})
    return {"template": templates,
            "agency": sorted({a for _, a, _ in rows if a})[:500],
            "source": sorted({s for _, _, s in rows if s})[:500]}


def open_count(session) -> int:
    return session.scalar(select(func.count(distinct(ExceptionItem.document_pk)))
                          .where(ExceptionItem.status == "open")) or 0


def claim(session, document: DocumentRow, username: str, *, take_over: bool = False) -> str:
    """Mark the document as being worked by ``username`` unless someone
    else holds a live claim (or ``take_over``). Returns who holds it now."""
    now = datetime.now(timezone.utc)
    if (document.claimed_by and document.claimed_by != username and not take_over
            and claim_is_live(document.claimed_by, document.claimed_at, now)):
        return document.claimed_by
    document.claimed_by, document.claimed_at = username, now
    return username


def _neighbour_in_list(session, f: QueueFilter, doc: DocumentRow, direction: str, username: str | None,
                       now: datetime, limit: int = 5000) -> str | None:
    """neighbour() under the triage order, whose rank is computed: walk the
    ordered ids (the filtered queue, bounded) instead of a keyset query."""
    rows = session.execute(_narrowed(
        select(DocumentRow.id, DocumentRow.public_id, DocumentRow.claimed_by, DocumentRow.claimed_at)
        .join(Message, Message.id == DocumentRow.message_pk), f).order_by(*_order(f)).limit(limit)).all()
    free = [r for r in rows if r.id == doc.id or not r.claimed_by or r.claimed_by == username
            or not claim_is_live(r.claimed_by, r.claimed_at, now)]
    ids = [r.id for r in free]
    if doc.id not in ids:
        others = [r.public_id for r in free]
        return others[0] if others and direction == "next" else None
    i = ids.index(doc.id)
    if direction == "next":
        after = free[i + 1:] or free[:i]
        return after[0].public_id if after else None
    return free[i - 1].public_id if i > 0 else None


def held_by_other(document: DocumentRow, username: str, now: datetime | None = None) -> str | None:
    """Who else holds a live claim on the document, if anyone."""
    if (document.claimed_by and document.claimed_by != username
            and claim_is_live(document.claimed_by, document.claimed_at, now)):
        return document.claimed_by
    return None


def release(session, document: DocumentRow, username: str | None = None) -> None:
    if username is None or document.claimed_by == username:
        document.claimed_by, document.claimed_at = None, None


def has_open_items(session, document_pk: int) -> bool:
    return session.scalar(select(ExceptionItem.id).where(ExceptionItem.document_pk == document_pk,
                                                         ExceptionItem.status == "open").limit(1)) is not None


def reason_counts_of(session, document_pks: list[int]) -> list[tuple[str, str, int]]:
    """(code, meaning, documents) of the open items of these documents."""
    if not document_pks:
        return []
    rows = session.execute(
        select(ExceptionItem.code, func.count(distinct(ExceptionItem.document_pk)))
        .where(ExceptionItem.status == "open", ExceptionItem.document_pk.in_(document_pks))
        .group_by(ExceptionItem.code)).all()
    return sorted(((code, CATALOGUE[code].meaning if code in CATALOGUE else code, n) for code, n in rows),
                  key=lambda r: (-r[2], r[0]))


def untemplated_in_queue(session, limit: int = 500) -> list[DocumentRow]:
    """Queued documents no template was applied to: an open
    ``unknown_template``, or free text still waiting for an officer. What a
    newly taught template may claim (review/views/teach.py)."""
    open_docs = select(ExceptionItem.document_pk).where(ExceptionItem.status == "open")
    q = (select(DocumentRow)
         .where(DocumentRow.id.in_(open_docs), DocumentRow.disposed_at.is_(None),
                DocumentRow.template_override.is_(None), DocumentRow.text.is_not(None),
                or_(DocumentRow.exception_code == UNKNOWN_TEMPLATE, DocumentRow.template == "free_text"))
         .order_by(DocumentRow.id).limit(limit))
    return list(session.scalars(q))
