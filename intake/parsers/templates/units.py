"""A Layout flattened into lines, each knowing its container (a paragraph or
a table cell) and, for a cell, its row: what label matching needs to find a
value "in the same cell", "in the next cell" or "on the next line"."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace

from intake.parsers.support.hyphens import wrap_join
from intake.types import Cell, FormField, Layout, Paragraph, Provenance, Table


@dataclass
class Line:
    idx: int
    text: str
    container: int  # index into Doc.containers
    pos: int  # line number inside its container
    offset: int  # character offset of this line in the container's text
    provenance: Provenance
    confidence: float | None
    fields: list[FormField] = field(default_factory=list)


@dataclass
class Container:
    kind: str  # "para" | "cell"
    lines: list[int] = field(default_factory=list)
    table: int | None = None  # running table number in this document
    row: int | None = None
    col: int | None = None
    row_cells: list[int] | None = None  # container ids of the row's cells
    box: bool = False  # the only cell of a one-cell row (a free-text box)
    next_row_cells: list[int] | None = None


@dataclass
class Doc:
    lines: list[Line] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    loose_fields: list[FormField] = field(default_factory=list)
    tables: int = 0
    cells: int = 0
    soft_wraps: bool = False  # PDF/OCR text: line ends inside blocks are layout, not meaning
    ocr: bool = False

    def container_text(self, cid: int) -> str:
        return "\n".join(self.lines[i].text for i in self.containers[cid].lines)


_LABEL_START = re.compile(r"^\s*(?:\d{1,2}[.)]\s*)?[A-Z][\w /()'&,.\-]{0,60}[:?]")


_ADDRESS_LINE = re.compile(r"^\s*(?:[\w.+'-]+@[\w-]+\.|(?:https?://|www\.))")


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def unwrap(text: str) -> tuple[str, list[int]]:
    """Undo the soft wraps a PDF or OCR page puts inside a paragraph or a
    cell: a line that runs near the full width and does not end a label
    carries on in the next line. A wrap at a hyphen joins without a space,
    the hyphen kept or dropped by support/hyphens.py. Returns the text and
    the (ascending) positions of the input's characters that were removed,
    so form-field offsets can follow."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text, []
    width = max(len(x.rstrip()) for x in lines)
    out = []
    cuts: list[int] = []
    pos = 0
    for n, ln in enumerate(lines[:-1]):
        nxt = lines[n + 1]
        body = ln.rstrip()
        soft = bool(
            body and nxt.strip()
            and not body.endswith(":")
            and not _LABEL_START.match(nxt)
            # A notice in capitals after ordinary text starts afresh.
            and not (_caps(nxt) and not _caps(body))
            and (
                # a lower-case start carries a sentence on, unless the line
                # is an address of its own ("jo@example.org" under "Agency")
                (nxt.lstrip()[:1].islower() and not _ADDRESS_LINE.match(nxt))
                # a line run to the full width of a reasonably wide block
                or (width >= 30 and len(body) >= max(25, 0.6 * width))
                # "Agency: Community" / "Health NHS Trust" in a narrow cell
                or (":" in body[:-1] and len(body) >= 0.6 * width)
            )
        )
        drop, sep = wrap_join(ln, nxt) if soft else (0, "\n")
        if sep == "":
            cuts.extend(range(pos + len(ln) - drop, pos + len(ln) + 1))
            out.append(ln[: len(ln) - drop])
        else:
            out.append(ln + (" " if soft else "\n"))
        pos += len(ln) + 1
    out.append(lines[-1])
    return "".join(out), cuts


def _shift(offset: int, cuts: list[int]) -> int:
    return offset - bisect.bisect_left(cuts, offset)


def _add_block(doc: Doc, text: str, fields: list[FormField], prov: Provenance,
               conf: float | None, cont: Container) -> int:
    if doc.soft_wraps:
        text, cuts = unwrap(text)
        if cuts:
            fields = [replace(f, start=None if f.start is None else _shift(f.start, cuts),
                              end=None if f.end is None else _shift(f.end, cuts)) for f in fields]
    cid = len(doc.containers)
    doc.containers.append(cont)
    offset = 0
    parts = text.split("\n")
    for pos, part in enumerate(parts):
        start, end = offset, offset + len(part)
        if pos == len(parts) - 1:
            end = 1 << 30  # offsets past the end (a trailing break trimmed) belong here
        inline = []
        for f in fields:
            if f.start is not None and f.end is not None and start <= f.start <= end:
                inline.append(replace(f, start=min(f.start - start, len(part)),
                                      end=min((f.end or f.start) - start, len(part))))
        line = Line(len(doc.lines), part, cid, pos, start, prov, conf, inline)
        doc.lines.append(line)
        cont.lines.append(line.idx)
        offset = end + 1
    return cid


def _add_table(doc: Doc, table: Table) -> None:
    tno = doc.tables
    doc.tables += 1
    row_ids: list[list[int]] = []
    nested: list[list[Table]] = []
    for r, row in enumerate(table.rows):
        ids = []
        for c, cell in enumerate(row):
            prov = cell.provenance
            prov = Provenance(
                page=prov.page if prov.page is not None else table.provenance.page,
                table=prov.table if prov.table is not None else tno,
                row=prov.row if prov.row is not None else r,
                cell=prov.cell if prov.cell is not None else c,
                field=prov.field,
                source=prov.source or table.provenance.source,
            )
            cont = Container("cell", table=tno, row=r, col=c)
            ids.append(_add_block(doc, cell.text, cell.fields, prov, cell.confidence, cont))
            doc.cells += 1
            nested.append(cell.tables)
        row_ids.append(ids)
        for tabs in nested:
            for t in tabs:
                _add_table(doc, t)
        nested = []
    for r, ids in enumerate(row_ids):
        nxt = row_ids[r + 1] if r + 1 < len(row_ids) else None
        distinct = {doc.container_text(i) for i in ids}
        for i in ids:
            cont = doc.containers[i]
            cont.row_cells = ids
            cont.next_row_cells = nxt
            # A one-cell row, or a row of merged copies of one cell.
            cont.box = len(ids) == 1 or len(distinct) == 1


SOFT_WRAP_SOURCES = ("pdf", "ocr")


def build_doc(layout: Layout) -> Doc:
    doc = Doc(soft_wraps=layout.source in SOFT_WRAP_SOURCES or layout.ocr, ocr=layout.ocr)
    for b in layout.blocks:
        if isinstance(b, Paragraph):
            _add_block(doc, b.text, b.fields, b.provenance, b.confidence, Container("para"))
        elif isinstance(b, Table):
            _add_table(doc, b)
        elif isinstance(b, FormField):
            doc.loose_fields.append(b)
        elif isinstance(b, Cell):  # tolerate a reader handing a bare cell
            _add_block(doc, b.text, b.fields, b.provenance, b.confidence, Container("para"))
    return doc
