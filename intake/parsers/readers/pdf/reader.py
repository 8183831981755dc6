"""PDF → Layout: characters, rulings and drawings from PDFium
(support/pdfium_layout.py), made into words and ruled tables by
pdfplumber's geometry; pypdf for encryption and AcroForm values. Pages
with no usable text layer are rendered and OCR'd; a table that runs over
a page break is joined."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterable

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from intake.exception_codes import (
    CORRUPT_DOCUMENT,
    ENCRYPTED_DOCUMENT,
    PAGES_TRUNCATED,
)
from intake.parsers.ocr.page import TableCounter
from intake.parsers.readers.pdf.acroform import PlacedField, read_fields
from intake.parsers.readers.pdf.marks import Mark, find_marks
from intake.parsers.readers.pdf.pages import MIN_TEXT_CHARS, PdfPage, ocr_pdf_pages, second_reader
from intake.parsers.readers.pdf.pdfium_layout import PDFIUM_LOCK, iter_pages, open_document
from intake.parsers.readers.registry import reader
from intake.parsers.sniff import PDF
from intake.parsers.support.active_content import pdf_active
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.placeholders import is_placeholder, strip_leaders
from intake.parsers.support.symbols import map_text
from intake.parsers.support.words import Word, WordsByHeight, paragraph_texts
from intake.types import (
    Cell,
    Document,
    ExceptionInfo,
    IntakeError,
    Layout,
    Paragraph,
    Provenance,
    Table,
)

log = logging.getLogger(__name__)

def _encrypted() -> IntakeError:
    return IntakeError(
        ENCRYPTED_DOCUMENT,
        "The PDF is password-protected; ask the sender for an unprotected copy "
        "(never put the password in an e-mail to this inbox).",
    )


def _corrupt(why: str) -> IntakeError:
    return IntakeError(CORRUPT_DOCUMENT, f"The PDF is damaged ({why}); ask the sender to resend it.")


def _needs_password(data: bytes) -> bool:
    """Would a PDF viewer ask for a password? An encrypted PDF opens
    without one only when the empty string is its *user* password.
    pypdf and pdfminer also try the empty string as the owner password, so
    a file protected by a user password whose owner password was left
    empty (qpdf and others allow it) "opened" and was read as if it were
    not protected. PDFium (Chrome's viewer) tries an empty password as the
    user password only, for every revision (R2-R6, RC4 and AES, with or
    without an /ID): its answer is the viewer's. A file PDFium cannot parse
    at all is left to the other readers to judge."""
    try:
        open_document(data).close()
    except pypdfium2.PdfiumError as exc:
        return getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD
    return False


def _open_pypdf(data: bytes) -> PdfReader | None:
    try:
        rd = PdfReader(io.BytesIO(data), strict=False)
        if rd.is_encrypted:
            if _needs_password(data):
                raise _encrypted()
            try:
                if not rd.decrypt(""):
                    raise _encrypted()
            except (NotImplementedError, PdfReadError):
                raise _encrypted() from None
        return rd
    except IntakeError:
        raise
    except Exception as exc:  # pypdf raises many types on damage
        log.debug("pypdf could not open a PDF: %s", type(exc).__name__)
        if b"/Encrypt" in data and _needs_password(data):
            # pdfminer, the second engine, would accept an empty owner
            # password too.
            raise _encrypted() from None
        return None


# The engine that reads a page's characters, rulings and drawings.
# "pdfplumber" (pdfminer, pure Python) reads what the first cannot open and
# is kept for bench/pdf_engines.py to measure the two side by side.
ENGINES = ("pdfium", "pdfplumber")


@reader(PDF)
def read_pdf(doc: Document, opts: ParsingOptions) -> Layout:
    return read_pdf_with(doc, opts, "pdfium")


def read_pdf_with(doc: Document, opts: ParsingOptions, engine: str) -> Layout:
    data = doc.data
    rd = _open_pypdf(data)
    placed: list[PlacedField] = []
    if rd is not None:
        try:
            placed = read_fields(rd, opts.max_pages)
        except Exception as exc:  # a broken form must not cost the page text
            log.warning("AcroForm fields unreadable: %s", type(exc).__name__)
    layout = Layout(source="pdf")
    if rd is not None:
        active = pdf_active(rd, opts.max_pages)
        if active is not None:
            layout.warnings.append(active)
    tables = TableCounter()
    pages: list[PdfPage] = []
    to_ocr: list[int] = []
    with contextlib.ExitStack() as stack:
        total, all_pages = _open_pages(data, rd, opts, engine, stack)
        if total == 0:
            # A file the layout engines cannot page through may still have
            # a page tree that pypdf or poppler repair.
            pages, to_ocr = second_reader(data, rd, opts, layout)
            if not pages:
                raise _corrupt("no PDF reader finds a page in it")
            total = layout.pages
        else:
            layout.pages = total
        if total > opts.max_pages:
            layout.warnings.append(ExceptionInfo(
                PAGES_TRUNCATED, f"The PDF has {total} pages; only the first {opts.max_pages} were read "
                "(parsing.max_pages)."))
        for page in all_pages:
            number = page.page_number
            visible = sum(1 for c in page.chars if c.get("text", "").strip())
            has_fields = any(p.page == number for p in placed)
            if visible < MIN_TEXT_CHARS and not has_fields and _has_marks(page):
                # A scan (a page-sized picture) or text printed as outlines:
                # either way only pixels carry the words.
                to_ocr.append(number)
                pages.append(PdfPage(number, float(page.height), float(page.width)))
                continue
            page_fields = [p for p in placed if p.page == number]
            pages.append(_text_page(page, tables, page_fields))
            page.flush_cache()
    if to_ocr:
        ocr_pdf_pages(data, to_ocr, pages, opts, layout, tables)
    for pg in pages:
        pg.blocks.sort(key=lambda b: b[0])
    _join_tables_across_pages(pages)
    _join_paragraphs_across_pages(pages)
    for pg in pages:
        layout.blocks.extend(b for _, _, b in pg.blocks)
    return layout


def _open_pages(data: bytes, rd: PdfReader | None, opts: ParsingOptions, engine: str,
                stack: contextlib.ExitStack) -> tuple[int, Iterable]:
    """The page count and the pages to read (the first parsing.max_pages),
    from PDFium, else pdfplumber; (0, []) when neither finds a page."""
    if engine == "pdfium":
        try:
            pdf = open_document(data)
        except pypdfium2.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise _encrypted() from None
            log.debug("PDFium could not read a PDF: %s", exc)
        else:
            stack.enter_context(PDFIUM_LOCK)
            stack.callback(pdf.close)
            total = len(pdf)
            if total:
                return total, iter_pages(pdf, opts.max_pages, rd)
    try:
        plumber = pdfplumber.open(io.BytesIO(data), password="")
    except PDFPasswordIncorrect:
        raise _encrypted() from None
    except Exception as exc:
        log.debug("pdfminer could not read a PDF: %s", type(exc).__name__)
        return 0, []
    stack.enter_context(plumber)
    try:
        all_pages = plumber.pages
    except Exception as exc:
        log.debug("pdfminer could not page through a PDF: %s", type(exc).__name__)
        return 0, []
    return len(all_pages), all_pages[: opts.max_pages]


def _has_marks(page) -> bool:
    """Anything to look at: an image, or enough vector drawing to be
    outlined text (a blank page or a lone rule is not worth OCR)."""
    return bool(page.images) or len(page.curves) > 20 or len(page.rects) + len(page.lines) > 40


def _text_page(page, tables: TableCounter, fields: list[PlacedField]) -> PdfPage:
    number = page.page_number
    out = PdfPage(number, float(page.height))
    found = page.find_tables()
    boxes = []
    loose = list(fields)
    placed_tables: list = []
    all_words = [
        Word(map_text(w.get("fontname"), w["text"]), float(w["x0"]), float(w["x1"]),
             float(w["top"]), float(w["bottom"]),
             font=f"{w.get('fontname')}/{round(float(w.get('size') or 0))}")
        for w in page.extract_words(keep_blank_chars=False, use_text_flow=False,
                                    extra_attrs=["fontname", "size"])
    ]
    for t in found:
        if len(t.rows) < 2 and not any(
                x0 <= w.cx <= x1 and top <= w.cy <= bottom for w in all_words
                for (x0, top, x1, bottom) in [t.bbox]):
            continue  # an empty one-row box: a drawn frame, not a table
        index = tables.next()
        table, where = _table(t, all_words, index, number)
        _put_fields_in_cells(t, where, loose)
        placed_tables.append((t, (table, where)))
        out.blocks.append((float(t.bbox[1]), float(t.bbox[3]), table))
        boxes.append(t.bbox)
    for p in loose:
        # Sorted by the box's middle, so a box beside its label follows it.
        out.blocks.append((p.cy, p.bottom, p.field))
    marks = find_marks(page)
    for t, (table, where) in placed_tables:
        _put_marks_in_cells(t, where, marks)
    words = [w for w in all_words
             if not _inside({"x0": w.x0, "x1": w.x1, "top": w.top, "bottom": w.bottom}, boxes)]
    words += [Word(m.text, m.x0, m.x1, m.top, m.bottom) for m in marks
              if not _inside({"x0": m.x0, "x1": m.x1, "top": m.top, "bottom": m.bottom}, boxes)]
    for joined, para in paragraph_texts(words):
        text = strip_leaders(joined).strip()
        if text and not is_placeholder(text):
            out.blocks.append((para[0].top, para[-1].bottom,
                               Paragraph(text=text, provenance=Provenance(page=number, source="pdf"))))
    return out


def _inside(w: dict, boxes: list) -> bool:
    cx = (float(w["x0"]) + float(w["x1"])) / 2
    cy = (float(w["top"]) + float(w["bottom"])) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


# Word and LibreOffice leave about this much white space inside a cell.
CELL_PADDING = 5.5


def _table(t, words: list[Word], index: int, page: int
           ) -> tuple[Table, dict[tuple[int, int], Cell]]:
    """Cells rebuilt from the words inside each cell box, so a soft wrap in
    a narrow cell reads as a space (as in the .docx) while the cell's own
    paragraphs stay on separate lines."""
    out: list[list[Cell]] = []
    where: dict[tuple[int, int], Cell] = {}
    in_box = WordsByHeight(words)
    for r, row in enumerate(t.rows):
        cells: list[Cell] = []
        for j, bbox in enumerate(row.cells):
            if bbox is None:
                # pdfplumber's None is the far part of a merged cell.
                if cells:
                    cells[-1].col_span += 1
                continue
            x0, top, x1, bottom = bbox
            inside = in_box(x0, top, x1, bottom)
            paras = paragraph_texts(inside, x0 + CELL_PADDING, x1 - CELL_PADDING, tabs=False)
            text = "\n".join(strip_leaders(p).strip() for p, _ in paras).strip()
            if is_placeholder(text):
                text = ""
            cell = Cell(text=text, provenance=Provenance(page=page, table=index, row=len(out),
                                                         cell=len(cells), source="pdf"))
            cells.append(cell)
            where[(r, j)] = cell
        if cells:
            out.append(cells)
    return Table(rows=out, provenance=Provenance(page=page, table=index, source="pdf")), where


def _inside_cells(t, where: dict[tuple[int, int], Cell], items: list):
    """Cell by cell: (cell, its box, the items whose centre lies in the box),
    the items found taken off ``items`` (tick marks, form fields: anything
    with ``cx`` and ``cy``)."""
    for r, row in enumerate(t.rows):
        for j, bbox in enumerate(row.cells):
            cell = where.get((r, j))
            if bbox is None or cell is None:
                continue
            x0, top, x1, bottom = bbox
            inside = [m for m in items if x0 <= m.cx <= x1 and top <= m.cy <= bottom]
            for m in inside:
                items.remove(m)
            yield cell, bbox, inside


def _put_marks_in_cells(t, where: dict[tuple[int, int], Cell], marks: list[Mark]) -> None:
    """A drawn tick box inside a cell joins the cell's text, before or after
    the words according to where it sits."""
    for cell, (x0, _top, x1, _bottom), inside in _inside_cells(t, where, marks):
        for m in sorted(inside, key=lambda m: m.x0):
            if not cell.text:
                cell.text = m.text
            elif m.cx < (x0 + x1) / 2 and m.x0 - x0 < 0.25 * (x1 - x0):
                cell.text = f"{m.text} {cell.text}"
                for ff in cell.fields:
                    ff.start = None if ff.start is None else ff.start + 2
                    ff.end = None if ff.end is None else ff.end + 2
            else:
                cell.text = f"{cell.text} {m.text}"


def _put_fields_in_cells(t, where: dict[tuple[int, int], Cell], loose: list[PlacedField]) -> None:
    """A form box drawn inside a table cell belongs to that cell, rendered
    inline as in a .docx, so the template sees the label cell beside it."""
    for cell, _bbox, inside in _inside_cells(t, where, loose):
        for p in inside:
            ff = p.field
            ff.provenance = Provenance(page=cell.provenance.page, table=cell.provenance.table,
                                       row=cell.provenance.row, cell=cell.provenance.cell,
                                       field=ff.name, source="acroform")
            rendered = ("\u2612" if ff.checked else "\u2610") if ff.kind == "checkbox" \
                else (ff.value or "")
            sep = "\n" if cell.text and rendered else ""
            ff.start = len(cell.text) + len(sep)
            cell.text += sep + rendered
            ff.end = len(cell.text)
            cell.fields.append(ff)


def _join_tables_across_pages(pages: list[PdfPage]) -> None:
    """A table cut by a page break comes out as two: the last block of one
    page and the first of the next, with the same number of columns. Join
    them; a first row whose label cell is empty finishes the row that was
    cut."""
    for prev, nxt in zip(pages, pages[1:]):
        tail = [b for b in prev.blocks if not _is_margin(b, prev)]
        head = [b for b in nxt.blocks if not _is_margin(b, nxt)]
        if not tail or not head:
            continue
        a, b = tail[-1][2], head[0][2]
        if not (isinstance(a, Table) and isinstance(b, Table) and a.rows and b.rows):
            continue
        if len(a.rows[-1]) != len(b.rows[0]):
            continue
        rows = list(b.rows)
        first = rows[0]
        if not first[0].text and any(c.text for c in first[1:]):
            for ca, cb in zip(a.rows[-1], first):
                if cb.text:
                    ca.text = f"{ca.text}\n{cb.text}" if ca.text else cb.text
            rows = rows[1:]
        for row in rows:
            r = len(a.rows)
            for c in row:
                c.provenance = Provenance(page=c.provenance.page, table=a.provenance.table, row=r,
                                          cell=c.provenance.cell, source=c.provenance.source)
            a.rows.append(row)
        nxt.blocks.remove(head[0])


_SENTENCE_END = tuple('.!?:;"\u201d)')


def _join_paragraphs_across_pages(pages: list[PdfPage]) -> None:
    """Text cut mid-sentence by a page break (a long narrative in a box
    whose bottom edge is on the next page) is one paragraph again."""
    for prev, nxt in zip(pages, pages[1:]):
        tail = [b for b in prev.blocks if not _is_margin(b, prev)]
        head = [b for b in nxt.blocks if not _is_margin(b, nxt)]
        if not tail or not head:
            continue
        a, b = tail[-1][2], head[0][2]
        if not (isinstance(a, Paragraph) and isinstance(b, Paragraph)):
            continue
        if a.text.endswith(_SENTENCE_END) and not b.text[:1].islower():
            continue
        a.text = f"{a.text} {b.text}"
        nxt.blocks.remove(head[0])


def _is_margin(block: tuple, page: PdfPage) -> bool:
    """Running headers, footers and page numbers: short paragraphs in the
    top or bottom 8% of the page."""
    top, bottom, b = block
    if not isinstance(b, Paragraph) or len(b.text) > 80:
        return False
    return bottom < 0.08 * page.height or top > 0.92 * page.height
