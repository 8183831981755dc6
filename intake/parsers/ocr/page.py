"""One page image → Layout blocks by OCR: turn the page upright, find the
table rulings, erase them, OCR what is left, then put each word back in its
cell (or in a paragraph outside any table), top to bottom."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from intake.parsers.ocr import page_clean
from intake.parsers.ocr.orientation import deskew, detect_rotation
from intake.parsers.ocr.rulings import Grid, build_grids, erase_rulings, find_rulings
from intake.parsers.ocr.tick_boxes import blank_boxes, find_boxes
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.words import Word, mean_conf, paragraph_texts
from intake.parsers.tools.tesseract import ocr_words
from intake.types import Cell, Paragraph, Provenance, Table


class TableCounter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n - 1


def ocr_page(image: Image.Image, page: int | None, dpi: int, opts: ParsingOptions,
             tables: TableCounter, *, cleaned: bool = False) -> tuple[list, list[Word]]:
    """Blocks for one page, and all its words (for confidence figures).
    ``cleaned``: page_clean.clean has been applied already."""
    if not cleaned:
        image, dpi = page_clean.clean(image, dpi)
    upright, _angle = deskew(image)
    if page_clean.sideways(upright):
        # A sheet fed in sideways: its text runs down the page, and a first
        # reading of it can look confident enough to be kept. Turned first.
        turn = detect_rotation(upright, dpi, opts)
        if turn in (90, 270):
            upright, _ = deskew(upright.rotate(-turn, expand=True, fillcolor=255))
    grids, words, cleaned = _analyse(upright, dpi, opts)
    if _weak(words):
        # Sideways or upside-down pages read as low-confidence noise; ask
        # Tesseract which way up the page is and keep the better reading.
        turn = detect_rotation(upright, dpi, opts)
        if turn:
            turned, _ = deskew(upright.rotate(-turn, expand=True, fillcolor=255))
            second = _analyse(turned, dpi, opts)
            if _score(second[1]) > _score(words):
                grids, words, cleaned = second
    words = _drop_specks(words, dpi)
    words = _reread_doubtful_cells(words, grids, cleaned, dpi, opts)
    for w in words:
        _fix_lone_mark(w)
        _fix_pipe_for_l(w)
    return _blocks(words, grids, page, tables, dpi), words


def _drop_specks(words: list[Word], dpi: int) -> list[Word]:
    """Words Tesseract makes out of scanner dirt and the stubs of erased
    rulings: boxes far flatter than a letter, or lone punctuation the size
    of a speck, read with little confidence."""
    if not words:
        return words
    import statistics

    typical = statistics.median(w.height for w in words)
    speck = dpi * 0.02
    kept = []
    for w in words:
        conf = w.conf if w.conf is not None else 100
        flat = w.height < 0.35 * typical and conf < 80
        dirt = (not any(ch.isalnum() for ch in w.text) and conf < 60
                and (w.x1 - w.x0) < speck * 2 and w.height < speck * 2)
        if not (flat or dirt):
            kept.append(w)
    return kept


_MARK = re.compile(r"^[xX\u00d7\u2717\u2718]{2,3}$")


def _fix_lone_mark(w: Word) -> None:
    """Tesseract's LSTM model reads a lone typed "X" (a tick) as "Xx". A box
    no wider than one character holds one character."""
    if _MARK.match(w.text) and (w.x1 - w.x0) <= 1.3 * w.height:
        w.text = w.text[0].upper() if w.text[0] in "xX" else w.text[0]


_PIPE_IN_WORD = re.compile(r"(?<=[^\W\d_.@-]|[.@-])\|(?=[^\W\d_])|(?<=[^\W\d_])\|(?=[.@-]|[^\W\d_])")


def _fix_pipe_for_l(w: Word) -> None:
    """Tesseract reads a lower-case l as "|" inside words and addresses
    ("anne-marie.|lewellyn@..."); a bar between letters is an l. A bar
    standing alone ("Jo | Youth Club") is left."""
    if "|" in w.text and len(w.text) > 1:
        w.text = _PIPE_IN_WORD.sub("l", w.text)


# Short cell contents (a typed tick, an age, a one-word answer) are what
# page segmentation reads worst; a second look at the cell alone as one
# line costs little through Tesseract's library but a start-up each
# through the command, so only doubtful ones get it.
_DOUBT_CONF = 70
_MAX_REREADS = 20


def _reread_doubtful_cells(words: list[Word], grids: list[Grid], cleaned: np.ndarray, dpi: int,
                           opts: ParsingOptions) -> list[Word]:
    cells: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        spot = _locate(w, grids)
        if spot is not None:
            cells.setdefault(spot, []).append(w)
    doubtful = [(spot, ws) for spot, ws in cells.items()
                if len(ws) <= 3 and (mean_conf(ws) or 0) * 100 < _DOUBT_CONF]
    if not doubtful:
        return words
    inset = max(2, int(dpi * 0.01))
    replaced: dict[int, list[Word]] = {}
    for spot, ws in doubtful[:_MAX_REREADS]:
        gi, ri, ci = spot
        top, bottom, intervals = grids[gi].rows[ri]
        a, b = intervals[ci]
        y0, y1 = int(top) + inset, int(bottom) - inset
        x0, x1 = int(a) + inset, int(b) - inset
        if y1 - y0 < 4 or x1 - x0 < 4:
            continue
        again = ocr_words(cleaned[y0:y1, x0:x1], dpi, opts, psm=7)
        if again and (mean_conf(again) or 0) > (mean_conf(ws) or 0):
            for w in again:
                w.x0 += x0
                w.x1 += x0
                w.top += y0
                w.bottom += y0
            replaced[id(ws[0])] = again
            for w in ws[1:]:
                replaced[id(w)] = []
    if not replaced:
        return words
    out: list[Word] = []
    for w in words:
        out.extend(replaced.get(id(w), [w]))
    return out


def _weak(words: list[Word]) -> bool:
    confident = [w for w in words if (w.conf or 0) >= 60]
    return len(confident) < max(5, 0.5 * len(words))


def _score(words: list[Word]) -> float:
    return sum(w.conf for w in words if w.conf is not None and w.conf >= 60)


def _analyse(image: Image.Image, dpi: int, opts: ParsingOptions
             ) -> tuple[list[Grid], list[Word], np.ndarray]:
    gray_image = image.convert("L")
    gray = np.asarray(gray_image)
    dark = gray < 160
    h, v = find_rulings(dark, dpi)
    grids = build_grids(h, v, dpi)
    boxes = find_boxes(dark, dpi)
    # A median filter takes scanner speckle off the letters (Tesseract reads
    # noisy scans markedly better); rulings are found before it, since it
    # also thins one-pixel lines away.
    smooth = median3(gray)
    cleaned = erase_rulings(smooth, h, v, dpi) if (h or v) else smooth
    cleaned = blank_boxes(cleaned, boxes, dpi)
    words = ocr_words(cleaned, dpi, opts)
    # Found by shape, the boxes are as sure as the ink they are made of.
    words += [Word(b.text, b.x0, b.x1, b.top, b.bottom, conf=90.0) for b in boxes]
    return grids, words, cleaned


def median3(gray: np.ndarray) -> np.ndarray:
    """3x3 median filter, pixel for pixel what Pillow's MedianFilter(3)
    gives (edges repeated), in a twentieth of its time: Pillow sorts every
    window; this is a fixed network of minima and maxima over whole arrays
    (sort each column of three once, then the median of the column sorts)."""
    h, w = gray.shape
    p = np.pad(gray, 1, mode="edge")
    a, b, c = p[0:h], p[1:h + 1], p[2:h + 2]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    mid, hi = np.minimum(hi, c), np.maximum(hi, c)
    lo, mid = np.minimum(lo, mid), np.maximum(lo, mid)
    max_lo = np.maximum(np.maximum(lo[:, 0:w], lo[:, 1:w + 1]), lo[:, 2:w + 2])
    min_hi = np.minimum(np.minimum(hi[:, 0:w], hi[:, 1:w + 1]), hi[:, 2:w + 2])
    m0, m1, m2 = mid[:, 0:w], mid[:, 1:w + 1], mid[:, 2:w + 2]
    med_mid = np.maximum(np.minimum(m0, m1), np.minimum(np.maximum(m0, m1), m2))
    return np.maximum(np.minimum(max_lo, med_mid), np.minimum(np.maximum(max_lo, med_mid), min_hi))


def _blocks(words: list[Word], grids: list[Grid], page: int | None, tables: TableCounter,
            dpi: int) -> list:
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
                a, b = intervals[ci]
                pad = 5.5 * dpi / 72  # a cell's inner margin, as printed
                text = "\n".join(t for t, _ in paragraph_texts(ws, a + pad, b - pad, tabs=False))
                row.append(Cell(text=text, confidence=mean_conf(ws),
                                provenance=Provenance(page=page, table=index, row=ri, cell=ci,
                                                      source="ocr")))
            rows.append(row)
        placed.append((grid.top, Table(rows=rows, provenance=Provenance(page=page, table=index,
                                                                         source="ocr"))))
    for text, para in paragraph_texts(free):
        ws = [w for ln in para for w in ln.words]
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
