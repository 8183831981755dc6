"""The small types that travel between stages (docs/architecture.md).

ingest, parsers, extractors and store never import each other's internals;
they meet only through these. Everything here is plain data: picklable, so a
worker process can return it, and free of any database or format objects.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from intake import exception_codes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RawMessage:
    """The bytes of one e-mail exactly as a source gave them, and where from.

    `origin` follows docs/export.md: ``imap://user@host/INBOX;UIDVALIDITY=1;UID=42``,
    ``mbox:/path/file.mbox#17``, ``maildir:/path/cur/...``, ``eml:/path/x.eml``,
    ``msg:/path/x.msg``.
    """

    origin: str
    data: bytes

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


DocumentKind = Literal["attachment", "body"]


# The media type of a page set: pictures of one form's pages, sent as separate
# attachments and kept as one document (parsers/support/page_set.py). Here,
# among the shared types, because the store's export names it too.
PAGE_SET = "image/vnd.intake.page-set+zip"


@dataclass(frozen=True)
class Document:
    """One attachment or one body of a message, with its media type sniffed
    from the bytes (``declared_type`` is only what the sender claimed)."""

    kind: DocumentKind
    filename: str | None
    media_type: str
    sha256: str
    data: bytes
    declared_type: str | None = None
    # Where in the MIME tree it sat: "1.2" = second part of the first part.
    part_path: str = ""


# --------------------------------------------------------------------------
# parsers: the format-free Layout
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a piece of text came from, precise enough for a reviewer (and a
    court) to find it again in the original document."""

    page: int | None = None
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    field: str | None = None  # form-field name, when the value came from one
    source: str | None = None  # "docx", "pdf", "acroform", "ocr", "body", ...

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class FormField:
    """A legacy form field, content control or AcroForm field.

    Convention for every reader: a field inside a paragraph or cell is ALSO
    rendered inline in that block's ``text`` (a text field as its value, or
    nothing when empty/placeholder; a checkbox as "☒" when checked or "☐"
    when not), and ``start``/``end`` give that span in the block's text. So a
    template can work on text alone, and typed ticks ("X", "✓") and real
    checkboxes look alike to it. A field that stands alone (an AcroForm field)
    is a top-level block with start/end None.
    """

    name: str | None
    kind: Literal["text", "checkbox", "date", "dropdown"]
    value: str | None  # text value; None when empty / placeholder
    checked: bool | None = None  # for checkboxes
    provenance: Provenance = field(default_factory=Provenance)
    start: int | None = None
    end: int | None = None
    label: str | None = None  # a tooltip / alternative text the form carries


@dataclass
class Paragraph:
    text: str
    fields: list[FormField] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    confidence: float | None = None  # OCR mean word confidence 0-1


@dataclass
class Cell:
    text: str
    fields: list[FormField] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    confidence: float | None = None
    # Nested tables, in order; their text is not repeated in `text`.
    tables: list["Table"] = field(default_factory=list)
    # How many grid columns the cell spans (docx gridSpan), and whether it
    # continues a vertically merged cell above (its text stays with that one).
    col_span: int = 1
    row_continued: bool = False


@dataclass
class Table:
    rows: list[list[Cell]]
    provenance: Provenance = field(default_factory=Provenance)


Block = Union[Paragraph, Table, FormField]


@dataclass
class Layout:
    """What every reader produces. Templates match against this, never against
    docx or PDF objects, so one template serves every format."""

    blocks: list[Block] = field(default_factory=list)
    source: str = ""  # reader name: "docx", "pdf", "ocr", "text", ...
    pages: int | None = None
    ocr: bool = False
    # What the reader met that a person must hear of (pages cut at the
    # limit, OCR skipped, macros, active content): each a coded item that
    # reaches the record and the queue. No reader warning is a bare string.
    warnings: list[ExceptionInfo] = field(default_factory=list)
    # Why little or nothing was read when that is no problem ("a small
    # picture, taken for a logo"): the reason a not_a_report gives.
    notes: list[str] = field(default_factory=list)
    # The header block of the message an e-mail body's report was forwarded
    # or quoted in (sender_name, sender_email, date, subject): the report's
    # own sender and date (parsers/support/mail_body.py).
    forwarded: dict[str, str] | None = None

    def plain_text(self) -> str:
        """All text in reading order, cells separated by tabs, rows by newlines."""
        out: list[str] = []

        def emit_table(t: Table) -> None:
            for row in t.rows:
                out.append("\t".join(c.text for c in row))
                for c in row:
                    for nested in c.tables:
                        emit_table(nested)

        for b in self.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, Table):
                emit_table(b)
            elif isinstance(b, FormField) and b.value:
                out.append(b.value)
        return "\n".join(out)


# --------------------------------------------------------------------------
# parsers → store: the canonical record
# --------------------------------------------------------------------------

FieldScalar = Union[str, int, bool, None]


@dataclass
class FieldValue:
    """One canonical field's value with where it came from.

    ``value`` is typed per docs/forms.md (ISO strings for dates, bool, int, text);
    ``raw`` is the text as the submitter wrote it.
    """

    value: FieldScalar
    raw: str | None = None
    provenance: Provenance = field(default_factory=Provenance)
    confidence: float | None = None  # OCR confidence, 0-1, when OCR'd
    note: str | None = None  # e.g. "ambiguous_value: Yes/No not deleted"


@dataclass
class Record:
    template: str  # template id from docs/forms.md, or "free_text"
    version: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    # Detection scores, field notes: for the reviewer, never content in logs.
    notes: list[str] = field(default_factory=list)

    def text_fields(self) -> dict[str, str]:
        """The free-text fields entity extraction runs over."""
        return {
            k: v.value
            for k, v in self.fields.items()
            if isinstance(v.value, str) and v.value.strip()
        }


# --------------------------------------------------------------------------
# extractors
# --------------------------------------------------------------------------


@dataclass
class Mention:
    """An entity mention (docs/entities.md). ``start``/``end`` are character
    offsets into the text of ``field``."""

    type: str
    text: str
    value: str
    field: str
    start: int
    end: int
    recogniser: str = ""
    score: float = 1.0
    # Links to other mentions in the same document, by index into the
    # document's mention list: {"person": 3} for an ALIAS, {"plate": 5} for a
    # VEHICLE. Set by the extractor; the store turns them into entity links.
    attrs: dict[str, Any] = field(default_factory=dict)
    # Why it was found, for the reviewer (as Presidio explains a result):
    # the recogniser's pattern name and the context word that lifted it.
    pattern: str | None = None
    context: str | None = None


# --------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------

DocumentStatus = Literal["parsed", "exception", "duplicate", "not_a_report"]


@dataclass
class ExceptionInfo:
    """A failure a person can act on. ``detail`` must never quote form
    content: it goes to the review queue, and its code goes to logs."""

    code: str
    detail: str

    def __post_init__(self) -> None:
        exception_codes.check(self.code)


@dataclass
class ParseOutcome:
    """What the parsing stage says about one document."""

    status: Literal["parsed", "exception", "not_a_report"]
    record: Record | None = None
    exception: ExceptionInfo | None = None
    # Extra review-queue items that do not stop the record being used
    # (e.g. ambiguous_value). Each is an ExceptionInfo.
    warnings: list[ExceptionInfo] = field(default_factory=list)
    text: str = ""  # full plain text, for content dedup and search
    reader: str = ""
    ocr_confidence: float | None = None


@dataclass
class DocumentAnalysis:
    """What analysing one document gives the store: the parse outcome and
    the entity mentions of its record."""

    outcome: ParseOutcome
    mentions: list[Mention] = field(default_factory=list)
    # Content dedup's MinHash band keys (matching/content_fingerprint.py
    # content_keys_of), computed by the analysis worker so the commit does not.
    content_keys: list[str] | None = None
    # Safeguarding indicator matches (intake/triage/indicators.py), found
    # with the mentions; None: not looked for (the store finds them).
    indicators: list | None = None


class IntakeError(Exception):
    """An expected failure of one document or message. ``code`` is stable and
    goes into the exception queue; ``detail`` is for the officer."""

    def __init__(self, code: str, detail: str):
        exception_codes.check(code)
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def info(self) -> ExceptionInfo:
        return ExceptionInfo(self.code, self.detail)
