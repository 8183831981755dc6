"""The PDF reader's word grouping (readers/pdf/plumber_words.py) gives
pdfplumber's words exactly: on real pages, on turned ones, and on made-up
characters chosen to hit every branch (spaces, empty characters, ligatures,
turned text, lines within the tolerance, fonts changing mid-line)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from pdfplumber.utils import extract_words as plumbers_extract_words
from pypdf import PdfReader, PdfWriter
from reader_forms import blank

from intake.parsers.readers.pdf import plumber_words
from intake.parsers.readers.pdf.pdfium_layout import iter_pages, open_document

REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "docs" / "pypdf"


def _pages_chars(data: bytes, limit: int = 5) -> list[list[dict]]:
    doc = open_document(data)
    try:
        return [list(page.chars) for page in iter_pages(doc, limit)]
    finally:
        doc.close()


def _same(chars: list[dict]) -> None:
    assert plumber_words.extract_words(chars) == plumbers_extract_words(chars, **plumber_words.SETTINGS)


def _turned(data: bytes, degrees: int) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.rotate(degrees)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_a_form_gives_pdfplumbers_words(degrees):
    data = blank("met_mase_intel.pdf")
    for chars in _pages_chars(_turned(data, degrees) if degrees else data):
        assert chars
        _same(chars)


def test_real_pdfs_give_pdfplumbers_words():
    checked = 0
    for path in sorted(REAL.glob("*.pdf")):
        try:
            pages = _pages_chars(path.read_bytes())
        except Exception:
            continue  # not for PDFium: the reader's other engine reads it
        for chars in pages:
            _same(chars)
            checked += len(chars)
    assert checked > 1000


def _made_up(rng: random.Random, n: int) -> list[dict]:
    chars = []
    x, top = 10.0, 100.0
    fonts = [("Helvetica", 10.0), ("Helvetica", 12.0), ("Times-Bold", 10.0)]
    font = fonts[0]
    upright = True
    for _ in range(n):
        roll = rng.random()
        if roll < 0.05:
            top += rng.choice([1.0, 2.5, 3.0, 3.5, 14.0])  # within or beyond the line tolerance
            x = rng.uniform(5, 40)
        if roll > 0.97:
            font = rng.choice(fonts)
        if rng.random() < 0.02:
            upright = not upright
        text = rng.choice(["a", "b", "c", " ", "", "\ufb01", "\ufb00", "1", "-", "\t"])
        width = rng.choice([0.0, 4.0, 5.5, 6.0])
        x += width + rng.choice([0.0, 0.0, 1.0, 2.9, 3.0, 3.1, 8.0, -2.0])
        bottom = top + font[1]
        chars.append({"object_type": "char", "page_number": 1, "text": text, "fontname": font[0],
                      "size": font[1], "upright": upright, "matrix": (1, 0, 0, 1, 0, 0),
                      "x0": x, "x1": x + width, "top": top, "bottom": bottom, "y0": 0.0, "y1": 0.0,
                      "width": width, "height": bottom - top, "doctop": 800.0 + top})
    return chars


@pytest.mark.parametrize("seed", range(20))
def test_made_up_characters_give_pdfplumbers_words(seed):
    rng = random.Random(seed)
    chars = _made_up(rng, rng.choice([0, 1, 2, 50, 400]))
    _same(chars)
    rng.shuffle(chars)  # out of reading order, as a PDF may draw them
    _same(chars)


def test_other_settings_are_left_to_pdfplumber():
    data = blank("met_mase_intel.pdf")
    doc = open_document(data)
    try:
        pages = iter_pages(doc, 1)  # kept: the page closes when its generator goes
        page = next(pages)
        words = page.extract_words(keep_blank_chars=True)
        assert words == plumbers_extract_words(page.chars, keep_blank_chars=True)
    finally:
        doc.close()
