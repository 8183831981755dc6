"""PDF pages as the PDF reader assembles them (blocks with their vertical
place), OCR of the pages that have no text layer, and the second reader
used when PDFium and pdfminer find no pages in a file that pypdf or poppler
can read.

Limits are checked on what will be processed: a page is rendered for OCR
only at a size within parsing.max_image_pixels (its resolution lowered if
need be), however large the page claims to be."""

from __future__ import annotations

import logging
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from intake.exception_codes import OCR_PAGES_SKIPPED
from intake.parsers.ocr.page import TableCounter, ocr_page
from intake.parsers.readers.pdf.render import render_page
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.process import ToolTimeout, run_tool
from intake.types import ExceptionInfo, Layout, Paragraph, Provenance

log = logging.getLogger(__name__)

# A page with fewer visible characters than this is taken for a scan (a
# scanner's stamp or page number is all the text it has).
MIN_TEXT_CHARS = 25
# Below this a page is not worth OCR: the text would be unreadable anyway.
MIN_RENDER_DPI = 72
A4_POINTS = (595.0, 842.0)


@dataclass
class PdfPage:
    number: int
    height: float
    width: float = A4_POINTS[0]
    blocks: list[tuple[float, float, object]] = field(default_factory=list)  # top, bottom, block


def render_dpi(page: PdfPage, opts: ParsingOptions) -> int:
    """The resolution to render at: parsing.ocr_dpi, lowered so the bitmap
    stays within parsing.max_image_pixels."""
    pixels = (page.width / 72 * opts.ocr_dpi) * (page.height / 72 * opts.ocr_dpi)
    if pixels <= opts.max_image_pixels:
        return opts.ocr_dpi
    return int(opts.ocr_dpi * math.sqrt(opts.max_image_pixels / pixels))


def ocr_pdf_pages(data: bytes, numbers: list[int], pages: list[PdfPage], opts: ParsingOptions,
                  layout: Layout, tables: TableCounter) -> None:
    if len(numbers) > opts.max_ocr_pages:
        layout.warnings.append(ExceptionInfo(
            OCR_PAGES_SKIPPED, f"{len(numbers)} scanned pages need OCR; only the first "
            f"{opts.max_ocr_pages} were read (parsing.max_ocr_pages)."))
        numbers = numbers[: opts.max_ocr_pages]
    layout.ocr = True
    if len(numbers) == len(pages):
        layout.source = "ocr"
    too_big = []
    with tempfile.TemporaryDirectory(prefix="intake-pdf-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        for n in numbers:
            pg = next(x for x in pages if x.number == n)
            dpi = render_dpi(pg, opts)
            if dpi < MIN_RENDER_DPI:
                too_big.append(n)
                continue
            pgm = render_page(src, n, Path(tmp) / f"p{n}", opts, dpi)
            with Image.open(pgm) as img:
                blocks, _words = ocr_page(img, n, dpi, opts, tables)
            pgm.unlink(missing_ok=True)
            scale = 72.0 / dpi
            for i, b in enumerate(blocks):
                pg.blocks.append((i * scale, i * scale, b))  # already in reading order
    if too_big:
        layout.warnings.append(ExceptionInfo(
            OCR_PAGES_SKIPPED, f"Page{'s' if len(too_big) > 1 else ''} {', '.join(map(str, too_big))} "
            "of the PDF claim a size too large to render within parsing.max_image_pixels; not read."))


# -- the second reader ---------------------------------------------------------

def _poppler(opts: ParsingOptions, tool: str) -> str:
    """A poppler tool beside the configured pdftoppm."""
    base = Path(opts.pdftoppm)
    return str(base.with_name(tool)) if base.parent != Path(".") else tool


def poppler_page_count(src: Path, opts: ParsingOptions) -> int:
    try:
        proc = run_tool([_poppler(opts, "pdfinfo"), str(src)], opts.ocr_timeout_s, what="pdfinfo")
    except (ToolTimeout, OSError):
        return 0
    m = re.search(rb"^Pages:\s+(\d+)", proc.stdout, re.M)
    return int(m.group(1)) if proc.returncode == 0 and m else 0


def _poppler_text(src: Path, n: int, opts: ParsingOptions) -> str:
    try:
        proc = run_tool([_poppler(opts, "pdftotext"), "-q", "-f", str(n), "-l", str(n), "-enc", "UTF-8",
                         str(src), "-"], opts.ocr_timeout_s, what="pdftotext")
    except (ToolTimeout, OSError):
        return ""
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""


def _size(rd, i: int) -> tuple[float, float]:
    try:
        box = rd.pages[i].mediabox
        return abs(float(box.width)), abs(float(box.height))
    except Exception:  # a page without a usable box: assume A4
        return A4_POINTS


def second_reader(data: bytes, rd, opts: ParsingOptions, layout: Layout) -> tuple[list[PdfPage], list[int]]:
    """Pages and the numbers of those to OCR, when the layout engines
    (PDFium, pdfminer) find no pages:
    pypdf's page tree (or poppler's) and their text layers, paragraph per
    blank-line-separated run. No tables: the template layer reads the
    lines. Raises nothing; no pages at all is the caller's to report."""
    pages: list[PdfPage] = []
    to_ocr: list[int] = []
    with tempfile.TemporaryDirectory(prefix="intake-pdf2-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        total = 0
        if rd is not None:
            try:
                total = len(rd.pages)
            except Exception:  # pypdf raises many types on damage
                total = 0
        by_pypdf = total > 0
        if not by_pypdf:
            total = poppler_page_count(src, opts)
        layout.pages = total
        for n in range(1, min(total, opts.max_pages) + 1):
            width, height = _size(rd, n - 1) if by_pypdf else A4_POINTS
            text = ""
            try:
                text = rd.pages[n - 1].extract_text() if by_pypdf else _poppler_text(src, n, opts)
            except Exception as exc:  # a damaged content stream: OCR the page
                log.debug("second reader: no text from a page: %s", type(exc).__name__)
            page = PdfPage(n, height, width)
            pages.append(page)
            if sum(1 for c in text if not c.isspace()) < MIN_TEXT_CHARS:
                to_ocr.append(n)
                continue
            for k, chunk in enumerate(re.split(r"\n\s*\n", text)):
                if chunk.strip():
                    page.blocks.append((float(k), float(k), Paragraph(
                        text=chunk.strip(), provenance=Provenance(page=n, source="pdf"))))
    if pages:
        layout.notes.append(f"PDFium and pdfminer found no pages; read with {'pypdf' if by_pypdf else 'poppler'}")
    return pages, to_ocr
