"""Everything the review app's document page and ``intake show`` print
about one document: the message it came from and its other documents, each
canonical field with its value, the parser's original beside an officer's
correction, where the value came from, the mentions found in it, the queue
items, the document's audit trail (a run of views by one person folded
into one line) with officers' notes, and a duplicate beside its original
field by field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from intake import canonical
from intake.exception_codes import AMBIGUOUS_VALUE, CATALOGUE
from intake.store.entities.queries import public_ids_of
from intake.store.models import AuditEntry, DocumentRow, ExceptionItem, MentionRow, Message, ReviewNote
from intake.store.queue import item_field
from intake.store.records import current_fields, field_history, stored_value

# The values a choice field can take, as the officer reads them: the
# buttons of an ambiguous_value item.
CHOICES = {
    "bool": (("yes", "Yes"), ("no", "No")),
    "witnessed": (("professional", "Professional"), ("member_of_public", "Member of the public")),
}


@dataclass
class MentionView:
    id: int
    type: str
    text: str
    value: str
    field: str
    start: int
    end: int
    recogniser: str
    pattern: str | None
    context: str | None
    score: float
    entity_id: str | None

    @property
    def why(self) -> str:
        out = f"{self.type} found by {self.recogniser or 'unknown'}"
        if self.pattern:
            out += f", pattern {self.pattern}"
        if self.context:
            out += f", context word “{self.context}”"
        return out + f" (score {self.score:.2f})"


@dataclass
class FieldView:
    key: str
    label: str
    value: Any
    prose: bool
    provenance: dict
    confidence: float | None
    note: str | None
    original: Any = None  # the parser's value, when an officer corrected it
    corrected_by: str | None = None
    corrected_at: datetime | None = None
    mentions: list[MentionView] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        return self.corrected_by is not None

    @property
    def display(self) -> str:
        return canonical.display(self.value, self.key)

    @property
    def original_display(self) -> str:
        return canonical.display(self.original, self.key)

    @property
    def where(self) -> str:
        return provenance_text(self.provenance)


@dataclass
class ItemView:
    id: int
    code: str
    detail: str
    status: str
    created_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None
    related_document_pk: int | None

    @property
    def meaning(self) -> str:
        c = CATALOGUE.get(self.code)
        return c.meaning if c else self.code

    @property
    def action(self) -> str:
        c = CATALOGUE.get(self.code)
        return c.action if c else ""

    @property
    def blocks(self) -> bool:
        c = CATALOGUE.get(self.code)
        return bool(c and c.blocks)

    @property
    def field_key(self) -> str | None:
        """The canonical field a record-level item is about ("witnessed_by:
        no single option is marked ...")."""
        return item_field(self.detail)[0]

    @property
    def field_label(self) -> str | None:
        return item_field(self.detail)[1]

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """(value, words) to pick from, for an ambiguous choice."""
        key = self.field_key
        if self.code != AMBIGUOUS_VALUE or key is None:
            return ()
        return CHOICES.get(canonical.BY_KEY[key].type, ())


@dataclass
class HistoryLine:
    """One line of a document's history: an audit entry, or a run of views
    by one person folded into one ("viewed 7 times by user:olive")."""

    at: datetime  # the latest
    actor: str
    action: str
    count: int = 1
    first_at: datetime | None = None
    note: str | None = None  # an officer's note, for document.note_added

    @property
    def text(self) -> str:
        if self.count > 1:
            return f"viewed {self.count} times by {self.actor}, last"
        return f"{self.actor} · {self.action}"


@dataclass
class CompareRow:
    key: str
    label: str
    mine: str
    theirs: str

    @property
    def differs(self) -> bool:
        return _norm(self.mine) != _norm(self.theirs)

    @property
    def runs(self) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
        """Both values as (text, changed) runs of words, so the words that
        differ can be marked inside a long narrative."""
        return word_diff(self.mine, self.theirs)


def word_diff(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    # difflib (standard library) on words: enough for two versions of one
    # report, no dependency needed.
    wa, wb = (a or "").split(), (b or "").split()
    out_a: list[tuple[str, bool]] = []
    out_b: list[tuple[str, bool]] = []

    def add(out, words, changed):
        if words:
            text = " ".join(words)
            if out and out[-1][1] == changed:
                out[-1] = (out[-1][0] + " " + text, changed)
            else:
                out.append(((" " if out else "") + text, changed))

    sm = difflib.SequenceMatcher(a=[w.casefold() for w in wa], b=[w.casefold() for w in wb], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        add(out_a, wa[i1:i2], op != "equal")
        add(out_b, wb[j1:j2], op != "equal")
    return out_a, out_b


def _norm(s: str) -> str:
    return " ".join((s or "").split()).casefold()


@dataclass
class SiblingView:
    document_id: str
    filename: str | None
    kind: str
    status: str
    media_type: str


@dataclass
class DocumentView:
    doc: DocumentRow
    message: Message
    siblings: list[SiblingView]
    fields: list[FieldView]
    items: list[ItemView]
    mentions: list[MentionView]
    duplicate_of: str | None
    history: list[AuditEntry]
    related: dict[int, str] = field(default_factory=dict)  # document pk -> public id
    notes: list[ReviewNote] = field(default_factory=list)

    @property
    def history_lines(self) -> list[HistoryLine]:
        return fold_history(self.history, self.notes)

    @property
    def open_items(self) -> list[ItemView]:
        return [i for i in self.items if i.status == "open"]


def fold_history(entries: list[AuditEntry], notes: list[ReviewNote] = ()) -> list[HistoryLine]:
    """Newest first, a run of views by one person as one line; a note's
    text beside its entry."""
    by_id = {n.id: n.text for n in notes}
    out: list[HistoryLine] = []
    for a in entries:
        last = out[-1] if out else None
        if (last is not None and a.action == "document.viewed" and last.action == "document.viewed"
                and last.actor == a.actor):
            last.count += 1
            last.first_at = a.at
            continue
        note = by_id.get((a.detail or {}).get("note")) if a.action == "document.note_added" else None
        out.append(HistoryLine(a.at, a.actor, a.action, note=note))
    return out


def compare_records(a: DocumentRow, b: DocumentRow) -> list[CompareRow]:
    """Two records field by field (canonical order), for the duplicate
    comparison: every field either has."""
    fa, fb = current_fields(a.record), current_fields(b.record)
    keys = [k for k in canonical.KEYS if k in fa or k in fb] + sorted((set(fa) | set(fb)) - set(canonical.KEYS))

    def shown(fields, k):
        f = fields.get(k)
        return canonical.display(stored_value(f), k) if f is not None else ""

    return [CompareRow(k, canonical.BY_KEY[k].label if k in canonical.BY_KEY else k, shown(fa, k), shown(fb, k))
            for k in keys]


def provenance_text(p: dict | None) -> str:
    """Where a value came from, in words: "page 2, table 1 row 3 cell 2"."""
    if not p:
        return ""
    if p.get("source") == "officer":
        return "keyed in by an officer"
    parts = []
    if p.get("page") is not None:
        parts.append(f"page {p['page']}")
    cell = []
    for k in ("table", "row", "cell"):
        if p.get(k) is not None:
            cell.append(f"{k} {p[k] + 1 if isinstance(p[k], int) else p[k]}")
    if cell:
        parts.append(" ".join(cell))
    if p.get("field"):
        parts.append(f"form field “{p['field']}”")
    if p.get("source"):
        parts.append(f"via {p['source']}")
    return ", ".join(parts)


def _mention_views(session, doc: DocumentRow) -> list[MentionView]:
    rows = list(session.scalars(select(MentionRow).where(MentionRow.document_pk == doc.id)
                                .order_by(MentionRow.field, MentionRow.start, MentionRow.id)))
    ids = public_ids_of(session, {m.entity_pk for m in rows if m.entity_pk})
    return [MentionView(m.id, m.type, m.text, m.value, m.field, m.start, m.end, m.recogniser, m.pattern,
                        m.context, m.score, ids.get(m.entity_pk)) for m in rows]


def _field_views(doc: DocumentRow, mentions: list[MentionView]) -> list[FieldView]:
    record = doc.record
    if record is None:
        return []
    by_field: dict[str, list[MentionView]] = {}
    for m in mentions:
        by_field.setdefault(m.field, []).append(m)
    keys = {f.key for f in record.fields}
    ordered = [k for k in canonical.KEYS if k in keys] + sorted(keys - set(canonical.KEYS))
    out = []
    for key in ordered:
        history = field_history(record, key)
        live = next((f for f in reversed(history) if not f.superseded), history[-1])
        parser = next((f for f in history if f.origin == "parser"), None)
        cf = canonical.BY_KEY.get(key)
        view = FieldView(key, cf.label if cf else key, stored_value(live), bool(cf and cf.prose),
                         live.provenance or {}, live.confidence, live.note,
                         mentions=by_field.get(key, []))
        if live.origin == "officer":
            view.original = stored_value(parser) if parser is not None else None
            view.corrected_by, view.corrected_at = live.changed_by, live.changed_at
            if parser is not None:
                view.provenance = parser.provenance or {}
        out.append(view)
    return out


def document_view(session, doc: DocumentRow, history_limit: int = 300) -> DocumentView:
    msg = session.get(Message, doc.message_pk)
    siblings = [SiblingView(d.public_id, d.filename, d.kind, d.status, d.media_type)
                for d in session.scalars(select(DocumentRow).where(DocumentRow.message_pk == msg.id,
                                                                   DocumentRow.disposed_at.is_(None))
                                         .order_by(DocumentRow.id))]
    mentions = _mention_views(session, doc)
    items = [ItemView(i.id, i.code, i.detail, i.status, i.created_at, i.resolved_by, i.resolved_at, i.resolution,
                      i.related_document_pk)
             for i in session.scalars(select(ExceptionItem).where(ExceptionItem.document_pk == doc.id)
                                      .order_by(ExceptionItem.id))]
    related_pks = {i.related_document_pk for i in items if i.related_document_pk}
    related = dict(session.execute(select(DocumentRow.id, DocumentRow.public_id)
                                   .where(DocumentRow.id.in_(related_pks))).all()) if related_pks else {}
    dup = session.get(DocumentRow, doc.duplicate_of_id) if doc.duplicate_of_id else None
    history = list(session.scalars(select(AuditEntry).where(AuditEntry.object_type == "document",
                                                            AuditEntry.object_id == doc.public_id)
                                   .order_by(AuditEntry.id.desc()).limit(history_limit)))
    notes = list(session.scalars(select(ReviewNote).where(ReviewNote.document_pk == doc.id)
                                 .order_by(ReviewNote.id)))
    return DocumentView(doc, msg, siblings, _field_views(doc, mentions), items, mentions,
                        dup.public_id if dup else None, history, related, notes)
