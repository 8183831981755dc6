"""Finding documents by who sent them and what they are called: sender,
subject, file name, agency and reference, for the review app's search page.

Every attribute is matched the same way whatever the store: a predicate
in Python over the opened values is the judge. In a clear store the
database first narrows the rows with LIKE (the same words, so nothing the
predicate would take is lost); in an encrypted store the sealed columns
(subject, sender, file name, text: AES-GCM with a random nonce) cannot be
compared in SQL at all, so every live document's values are read, opened
and matched here. That is a scan of the store on each search: its cost
grows with the number of documents (bench/bench_document_search.py), and
nothing about the words searched for is kept.

A *reference* is what an officer quotes back: the document's own id
(``d_…``, a prefix will do), the e-mail's Message-ID, or a reference the
sender wrote in the subject or the text, such as a crime reference
``CR/123456/24`` typed with other spaces, slashes or dashes ("cr 123456 24").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, or_, select

from intake.store.crypto import session_keyring
from intake.store.models import DocumentRow, Message

ATTRIBUTES = ("sender", "subject", "filename", "agency", "reference")
LABELS = {"sender": "sender", "subject": "subject", "filename": "file name", "agency": "agency",
          "reference": "reference"}
MIN_REFERENCE_CHARS = 4  # fewer letters and digits than this would match almost every text
_WS = re.compile(r"\s+")
# What people put inside references ("CR/123456/24", "cr 123456 24",
# "CR-123456-24"): dropped on both sides before comparing.
SEPARATORS = " \t\r\n/\\-._:#()[]"
_SEPARATOR = re.compile("[" + re.escape(SEPARATORS) + "]+")


@dataclass(frozen=True)
class DocumentQuery:
    """What was asked: ``any`` is matched against every attribute, each
    named attribute only against itself; all that are given must match."""

    any: str = ""
    sender: str = ""
    subject: str = ""
    filename: str = ""
    agency: str = ""
    reference: str = ""

    def terms(self) -> dict[str, str]:
        out = {}
        for name in ("any", *ATTRIBUTES):
            v = _fold(getattr(self, name))
            if v:
                out[name] = v
        return out


@dataclass
class DocumentHit:
    document_id: str
    filename: str | None
    kind: str
    subject: str | None
    sender: str | None
    date: datetime | None  # the e-mail's date, else when it was read
    status: str
    review_state: str | None
    agency: str | None
    matched: list[str] = field(default_factory=list)  # attribute labels


@dataclass
class DocumentResults:
    hits: list[DocumentHit]
    total: int
    scanned: int  # rows read and matched in Python (all live documents on an encrypted store)


def _fold(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip().casefold()


def _compact(s: str | None) -> str:
    return _SEPARATOR.sub("", (s or "").casefold())


def _bare_message_id(s: str | None) -> str:
    return (s or "").strip().strip("<>").casefold()


@dataclass
class _Row:
    """The values one search reads of a document: only the columns its
    terms need (on an encrypted store each one read is one to open)."""

    pk: int
    date: datetime | None
    public_id: str = ""
    filename: str | None = None
    agency: str | None = None
    subject: str | None = None
    sender: str | None = None
    message_id: str | None = None
    text: str | None = None


_COLUMNS = {"public_id": DocumentRow.public_id, "filename": DocumentRow.filename, "agency": DocumentRow.agency,
            "subject": Message.subject, "sender": Message.from_addr, "message_id": Message.message_id,
            "text": DocumentRow.text}
_NEEDS = {"sender": ("sender",), "subject": ("subject",), "filename": ("filename",), "agency": ("agency",),
          "reference": ("public_id", "message_id", "subject", "text")}


def _matches(attr: str, needle: str, row: _Row) -> bool:
    if attr == "sender":
        return needle in _fold(row.sender)
    if attr == "subject":
        return needle in _fold(row.subject)
    if attr == "filename":
        return needle in _fold(row.filename)
    if attr == "agency":
        return needle in _fold(row.agency)
    # reference
    if row.public_id.casefold().startswith(needle) and len(needle) >= MIN_REFERENCE_CHARS:
        return True
    if row.message_id and _bare_message_id(row.message_id) == _bare_message_id(needle):
        return True
    rx = _reference_pattern(needle)
    if rx is None:
        return False
    return bool(rx.search(row.subject or "") or rx.search(row.text or ""))


@functools.lru_cache(maxsize=64)
def _reference_pattern(needle: str) -> re.Pattern | None:
    """The reference's characters with any separators between them, so
    "cr 123456 24" finds "CR/123456/24" without building a compacted copy
    of every text (what costs the time on an encrypted store)."""
    compact = _compact(needle)
    if sum(c.isalnum() for c in compact) < MIN_REFERENCE_CHARS or not any(c.isdigit() for c in compact):
        return None  # a reference has a number in it; a plain word is a subject or text search
    gap = f"[{re.escape(SEPARATORS)}]*"
    return re.compile(gap.join(re.escape(c) for c in compact), re.IGNORECASE)


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column, needle: str):
    return func.lower(column).like(f"%{_escape(needle)}%", escape="\\")


def _compacted(column):
    """The column lower-cased without separators, in SQL (as _compact)."""
    out = func.lower(column)
    for ch in SEPARATORS:
        out = func.replace(out, ch, "")
    return out


def _sql_narrowing(attr: str, needle: str):
    """A clause no row the predicate takes can fail (clear stores only).
    SQL's lower() folds ASCII only, so a needle with other letters is not
    narrowed: the predicate alone decides."""
    if not needle.isascii():
        return None
    cols = {"sender": Message.from_addr, "subject": Message.subject, "filename": DocumentRow.filename,
            "agency": DocumentRow.agency}
    if attr in cols:
        return _like(cols[attr], needle)
    compact = _compact(needle)
    alternatives = [func.lower(DocumentRow.public_id).like(f"{_escape(needle)}%", escape="\\"),
                    func.lower(Message.message_id).in_([needle.strip("<>"), f"<{needle.strip('<>')}>"])]
    if any(c.isdigit() for c in compact):
        pattern = f"%{_escape(compact)}%"
        alternatives += [_compacted(Message.subject).like(pattern, escape="\\"),
                         _compacted(DocumentRow.text).like(pattern, escape="\\")]
    return or_(*alternatives)


def _columns_for(terms: dict[str, str]) -> list[str]:
    attrs = ATTRIBUTES if "any" in terms else tuple(terms)
    return list(dict.fromkeys(c for a in attrs for c in _NEEDS[a]))


def _match_row(terms: dict[str, str], row: _Row) -> list[str] | None:
    """The attributes that matched, or None when a term fails."""
    matched: list[str] = []
    for attr, needle in terms.items():
        if attr == "any":
            found = [a for a in ATTRIBUTES if _matches(a, needle, row)]
            if not found:
                return None
            matched += found
        elif _matches(attr, needle, row):
            matched.append(attr)
        else:
            return None
    return [LABELS[a] for a in dict.fromkeys(matched)]


def search_documents(session, query: DocumentQuery, limit: int = 200) -> DocumentResults:
    """Live documents meeting every term of ``query``, newest first. Two
    steps: the columns the terms need, for every candidate; then what the
    page shows, for the hits it shows."""
    terms = query.terms()
    if not terms:
        return DocumentResults([], 0, 0)
    names = _columns_for(terms)
    q = (select(DocumentRow.id, func.coalesce(Message.date, Message.first_seen_at), *(_COLUMNS[n] for n in names))
         .join(Message, Message.id == DocumentRow.message_pk)
         .where(DocumentRow.disposed_at.is_(None)))
    if session_keyring(session) is None:
        for attr, needle in terms.items():
            if attr == "any":
                clauses = [_sql_narrowing(a, needle) for a in ATTRIBUTES]
                if all(c is not None for c in clauses):
                    q = q.where(or_(*clauses))
            else:
                clause = _sql_narrowing(attr, needle)
                if clause is not None:
                    q = q.where(clause)
    found: list[tuple[_Row, list[str]]] = []
    scanned = 0
    for r in session.execute(q.order_by(DocumentRow.id)):
        scanned += 1
        row = _Row(r[0], _aware(r[1]), **dict(zip(names, r[2:])))
        matched = _match_row(terms, row)
        if matched is not None:
            found.append((row, matched))
    found.sort(key=lambda f: (f[0].date is None, -(f[0].date.timestamp() if f[0].date else 0), f[0].pk))
    shown = found[:limit]
    details = {}
    pks = [row.pk for row, _ in shown]
    for i in range(0, len(pks), 500):
        for r in session.execute(
                select(DocumentRow.id, DocumentRow.public_id, DocumentRow.filename, DocumentRow.kind,
                       DocumentRow.status, DocumentRow.review_state, DocumentRow.agency, Message.subject,
                       Message.from_addr)
                .join(Message, Message.id == DocumentRow.message_pk).where(DocumentRow.id.in_(pks[i:i + 500]))):
            details[r[0]] = r
    hits = []
    for row, matched in shown:
        _, public_id, filename, kind, status, review_state, agency, subject, sender = details[row.pk]
        hits.append(DocumentHit(public_id, filename, kind, subject, sender, row.date, status, review_state, agency,
                                matched))
    return DocumentResults(hits, len(found), scanned)


def _aware(dt):
    if dt is None or isinstance(dt, datetime) and dt.tzinfo is not None:
        return dt
    if isinstance(dt, str):  # SQLite hands coalesce() back as text
        try:
            dt = datetime.fromisoformat(dt)
        except ValueError:
            return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt
