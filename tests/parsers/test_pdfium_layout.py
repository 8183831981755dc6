"""PDFium's page objects in pdfplumber's form (support/pdfium_layout.py):
the same characters, boxes, ruling lines, rects and curves as pdfplumber
(pdfminer) finds, so the words and ruled tables built from them are the
same; and the PDF reader gives the same layout through either engine."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter
from reader_forms import blank
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from intake.parsers.readers.pdf.pdfium_layout import PdfiumPage, font_table, iter_pages, open_document
from intake.parsers.readers.pdf.reader import read_pdf_with
from intake.parsers.support.options import ParsingOptions
from intake.types import Document, IntakeError, sha256_hex

KINDS = ("chars", "rects", "lines", "curves", "images")
WORDS = dict(keep_blank_chars=False, use_text_flow=False, extra_attrs=["fontname", "size"])


def _drawing(size=(600, 800)) -> bytes:
    """Text in two fonts and sizes, a ruled 2×2 grid, a lone rule, a tick
    box with a cross in it, a Bézier curve, text drawn inside a form
    XObject, and a small picture."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    c.setFont("Helvetica", 11)
    c.drawString(100, 700, "Name of child: Kayla Smith")
    c.setFont("Times-Bold", 14)
    c.drawString(100, 670, "Officer in charge")
    for y in (600, 580, 560):
        c.line(80, y, 380, y)
    for x in (80, 230, 380):
        c.line(x, 560, x, 600)
    c.setFont("Helvetica", 9)
    c.drawString(85, 586, "Date of birth")
    c.drawString(235, 586, "03/04/2012")
    c.line(50, 50, 300, 50)
    c.rect(400, 585, 10, 10, stroke=1, fill=0)
    c.line(401, 586, 409, 594)
    c.line(401, 594, 409, 586)
    c.bezier(10, 10, 20, 30, 40, 30, 50, 10)
    c.beginForm("stamp")
    c.setFont("Courier", 10)
    c.drawString(0, 0, "RESTRICTED")
    c.rect(-2, -3, 80, 14)
    c.endForm()
    c.saveState()
    c.translate(420, 740)
    c.doForm("stamp")
    c.restoreState()
    from PIL import Image
    c.drawInlineImage(Image.new("L", (8, 8), 128), 450, 100, 20, 20)
    c.showPage()
    c.save()
    return buf.getvalue()


def _moved(data: bytes, rotate: int, corner: tuple[float, float]) -> bytes:
    """The page turned by /Rotate and its media box moved off the origin:
    the two places where PDFium's page space and pdfplumber's differ."""
    w = PdfWriter(clone_from=io.BytesIO(data))
    page = w.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    page.mediabox.lower_left = corner
    page.mediabox.upper_right = (corner[0] + width, corner[1] + height)
    if rotate:
        page.rotate(rotate)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _marks(page, kind: str) -> list[dict]:
    """A page's objects of a kind; for characters the printing ones: a
    space only parts words, and PDFium puts back the spaces some
    producers' pages carry as its own (see _read_chars)."""
    objs = getattr(page, kind)
    return [c for c in objs if c["text"].strip()] if kind == "chars" else objs


def _pages(data: bytes):
    plumber = pdfplumber.open(io.BytesIO(data))
    doc = pypdfium2.PdfDocument(data)
    rd = PdfReader(io.BytesIO(data))
    doctop = 0.0
    for i, page in enumerate(plumber.pages):
        ours = PdfiumPage(doc, i, doctop, font_table(rd.pages[i]))
        doctop += ours.height
        yield page, ours


def _same_boxes(a: list[dict], b: list[dict], tol: float = 1e-3) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for k in ("x0", "x1", "top", "bottom"):
            assert y[k] == pytest.approx(x[k], abs=tol), (k, x, y)


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("corner", [(0, 0), (30, 40)])
def test_objects_match_pdfplumbers(rotate, corner):
    data = _moved(_drawing(), rotate, corner)
    for theirs, ours in _pages(data):
        assert (ours.width, ours.height) == pytest.approx((theirs.width, theirs.height), abs=1e-3)
        for kind in KINDS:
            _same_boxes(_marks(theirs, kind), _marks(ours, kind))
        chars_a, chars_b = _marks(theirs, "chars"), _marks(ours, "chars")
        assert [c["text"] for c in chars_b] == [c["text"] for c in chars_a]
        assert [c["fontname"] for c in chars_b] == [c["fontname"] for c in chars_a]
        assert [c["upright"] for c in chars_b] == [c["upright"] for c in chars_a]
        assert [(r["stroke"], r["fill"]) for r in ours.rects] == \
            [(bool(r["stroke"]), bool(r["fill"])) for r in theirs.rects]
        if rotate in (90, 270):
            # Turned text: pdfplumber groups letters by their "size" (the
            # advance, here), which pdfminer's rounding makes differ between
            # equal letters; the letters and boxes above are what matter.
            continue
        words_a, words_b = theirs.extract_words(**WORDS), ours.extract_words(**WORDS)
        assert [w["text"] for w in words_b] == [w["text"] for w in words_a]
        _same_boxes(words_a, words_b)


def test_ruled_tables_match_pdfplumbers():
    for theirs, ours in _pages(_drawing()):
        cells_a = [r.cells for t in theirs.find_tables() for r in t.rows]
        cells_b = [r.cells for t in ours.find_tables() for r in t.rows]
        assert cells_b and len(cells_a) == len(cells_b)
        for row_a, row_b in zip(cells_a, cells_b):
            assert row_b == [pytest.approx(c, abs=1e-3) for c in row_a]


def test_a_libreoffice_form_matches_pdfplumber_with_subset_fonts():
    """LibreOffice writes subset fonts ("BAAAAA+DejaVuSans") whose
    descriptors give a descent of 0: the names and boxes must still be
    pdfminer's, or words regroup."""
    data = blank("met_mase_intel.pdf")
    for theirs, ours in _pages(data):
        for kind in KINDS:
            _same_boxes(_marks(theirs, kind), _marks(ours, kind))
        assert [w["fontname"] for w in ours.extract_words(**WORDS)] == \
            [w["fontname"] for w in theirs.extract_words(**WORDS)]


def _doc(data: bytes, name: str = "report.pdf") -> Document:
    return Document("attachment", name, "application/pdf", sha256_hex(data), data)


@pytest.mark.parametrize("source", ["drawing", "met"])
def test_the_reader_gives_the_same_layout_through_either_engine(source):
    data = _drawing() if source == "drawing" else blank("met_mase_intel.pdf")
    opts = ParsingOptions()
    new = read_pdf_with(_doc(data), opts, "pdfium")
    old = read_pdf_with(_doc(data), opts, "pdfplumber")
    assert new.blocks and repr(new.blocks) == repr(old.blocks)
    assert (new.pages, new.warnings, new.notes) == (old.pages, old.warnings, old.notes)


def test_pages_are_read_up_to_the_limit_and_closed():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(5):
        c.drawString(72, 700, f"Page {i + 1} of the report")
        c.showPage()
    c.save()
    doc = open_document(buf.getvalue())
    seen = [(p.page_number, "".join(ch["text"] for ch in p.chars)) for p in iter_pages(doc, 3)]
    assert seen == [(1, "Page 1 of the report"), (2, "Page 2 of the report"), (3, "Page 3 of the report")]


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + b"\x00" * 64,
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] /Contents 4 0 R >> endobj\n"
    b"4 0 obj << /Length 20 >> stream\nBT /F9 12 Tf (x) Tj\nendstream endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n",
])
def test_damaged_or_degenerate_pdfs_end_in_a_layout_or_an_intake_error(data):
    """A file PDFium cannot open falls to pdfminer, then pypdf/poppler;
    a zero-sized page with an unknown font is read, not crashed on."""
    try:
        layout = read_pdf_with(_doc(data), ParsingOptions(), "pdfium")
    except IntakeError as exc:
        assert exc.code == "corrupt_document"
    else:
        layout.plain_text()


def test_a_page_pdfium_cannot_load_is_blank_and_the_others_are_read():
    data = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 5 0 R"
            b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
            b" endobj\n4 0 obj 42 endobj\n"
            b"5 0 obj << /Length 48 >> stream\nBT /F1 12 Tf 20 100 Td (Kayla was seen) Tj ET\nendstream endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")
    doc = open_document(data)
    pages = [(p.page_number, "".join(c["text"] for c in p.chars)) for p in iter_pages(doc, 10)]
    assert pages == [(1, "Kayla was seen"), (2, "")]
    layout = read_pdf_with(_doc(data), ParsingOptions(), "pdfium")
    assert layout.pages == 2 and "Kayla was seen" in layout.plain_text()
