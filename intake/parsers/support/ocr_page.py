"""One page image → Layout blocks by OCR: find the table rulings, erase them,
OCR what is left, then put each word back in its cell (or in a paragraph
outside any table), top to bottom."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.rulings import Grid, build_grids, erase_rulings, find_rulings
from intake.parsers.support.tesseract import ocr_words
from intake.parsers.support.words import Word, group_lines, group_paragraphs, mean_conf
from intake.types import Cell, Paragraph, Provenance, Table


class TableCounter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n - 1


def ocr_page(image: Image.Image, page: int | None, dpi: int, opts: ParsingOptions,
             tables: TableCounter) -> tuple[list, list[Word]]:
    """Blocks for one page, and all its words (for confidence figures)."""
    gray = np.asarray(image.convert("L"))
    dark = gray < 160
    h, v = find_rulings(dark, dpi)
    grids = build_grids(h, v, dpi)
    cleaned = erase_rulings(gray, h, v, dpi) if (h or v) else gray
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as tmp:
        path = Path(tmp) / "page.pgm"
        Image.fromarray(cleaned).save(path)
        words = ocr_words(path, dpi, opts)
    return _blocks(words, grids, page, tables), words


def _blocks(words: list[Word], grids: list[Grid], page: int | None, tables: TableCounter) -> list:
    placed: list[tuple[float, object]] = []
    free: list[Word] = []
    cells: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        spot = _locate(w, grids)
        if spot is None:
            free.append(w)
        else:
            cells.setdefault(spot, []).append(w)
    for gi, grid in enumerate(grids):
        index = tables.next()
        rows: list[list[Cell]] = []
        for ri, (_top, _bottom, intervals) in enumerate(grid.rows):
            row = []
            for ci, _ in enumerate(intervals):
                ws = cells.get((gi, ri, ci), [])
                text = "\n".join(ln.text(tabs=False) for ln in group_lines(ws))
                row.append(Cell(text=text, confidence=mean_conf(ws),
                                provenance=Provenance(page=page, table=index, row=ri, cell=ci,
                                                      source="ocr")))
            rows.append(row)
        placed.append((grid.top, Table(rows=rows, provenance=Provenance(page=page, table=index,
                                                                         source="ocr"))))
    for para in group_paragraphs(group_lines(free)):
        ws = [w for ln in para for w in ln.words]
        text = "\n".join(ln.text() for ln in para)
        placed.append((para[0].top, Paragraph(text=text, confidence=mean_conf(ws),
                                              provenance=Provenance(page=page, source="ocr"))))
    placed.sort(key=lambda p: p[0])
    return [b for _, b in placed]


def _locate(w: Word, grids: list[Grid]) -> tuple[int, int, int] | None:
    for gi, g in enumerate(grids):
        if not (g.x0 <= w.cx <= g.x1 and g.top <= w.cy <= g.bottom):
            continue
        for ri, (top, bottom, intervals) in enumerate(g.rows):
            if top <= w.cy <= bottom:
                for ci, (a, b) in enumerate(intervals):
                    if a <= w.cx <= b:
                        return gi, ri, ci
    return None
