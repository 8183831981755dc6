"""Positioned words → lines → paragraphs, for readers that only get words
with boxes (PDF text layers, OCR). Word gaps wider than a character height
become tabs, so a label and the value printed beside it stay on one line
but remain tellable apart."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from intake.parsers.support.hyphens import join_lines


class Centred:
    """The centre of a box that has x0, x1, top and bottom (a word, a tick
    mark, a form field's widget): one definition for all of them."""

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Word(Centred):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    conf: float | None = None  # 0-100 from Tesseract
    font: str | None = None  # font name and size, when the reader knows them

    @property
    def height(self) -> float:
        return max(1.0, self.bottom - self.top)


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    def text(self, tabs: bool = True) -> str:
        h = median_height(self.words)
        out = ""
        prev: Word | None = None
        for w in self.words:
            if prev is not None:
                out += "\t" if tabs and w.x0 - prev.x1 > 1.2 * h else " "
            out += w.text
            prev = w
        return out


def median_height(words: list[Word]) -> float:
    # statistics.median's own arithmetic (the middle one, or the mean of
    # the two middle ones), without its generic checks: called per line.
    if not words:
        return 1.0
    heights = sorted([w.height for w in words])
    n = len(heights)
    i = n // 2
    return heights[i] if n % 2 else (heights[i - 1] + heights[i]) / 2


def group_lines(words: list[Word]) -> list[Line]:
    """Words on the same baseline, left to right; lines top to bottom."""
    if not words:
        return []
    h = median_height(words)
    lines: list[Line] = []
    centres: list[float] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(w.cy - centres[-1]) <= 0.5 * h:
            lines[-1].words.append(w)
            n = len(lines[-1].words)
            centres[-1] += (w.cy - centres[-1]) / n
        else:
            lines.append(Line([w]))
            centres.append(w.cy)
    for ln in lines:
        ln.words.sort(key=lambda w: w.x0)
    return lines


def group_paragraphs(lines: list[Line], left: float | None = None,
                     right: float | None = None) -> list[list[Line]]:
    """Lines of one wrapped paragraph belong together: close below each
    other (Word's spacing after a paragraph keeps paragraphs apart), the
    upper one too full to take the next line's first word. A line that
    stops short ends its paragraph, so "Label: value" lines stay one per
    block."""
    paras: list[list[Line]] = []
    if not lines:
        return paras
    left = min(ln.x0 for ln in lines) if left is None else left
    right = max(ln.x1 for ln in lines) if right is None else right
    for ln in lines:
        if paras:
            prev = paras[-1][-1]
            h = median_height(prev.words + ln.words)
            # Wrapped means the next line's first word would not have fitted
            # at the end of this one (a long word wraps a line early).
            first = ln.words[0]
            wrapped = prev.x1 + 0.3 * h + (first.x1 - first.x0) >= right - 0.03 * (right - left)
            # A change of font (an italic note, then a bold label) starts a
            # new paragraph even without spacing between them.
            same_font = prev.words[-1].font == first.font
            if (wrapped and same_font and ln.top - prev.bottom < 0.75 * h
                    and "\t" not in prev.text() and "\t" not in ln.text()):
                paras[-1].append(ln)
                continue
        paras.append([ln])
    return paras


def join_wrapped(para: list[Line], tabs: bool = True) -> str:
    """One paragraph's text: a soft wrap is a space, as in the Word file the
    page was printed from; a hyphen at the wrap is kept or dropped by the
    rule in support/hyphens.py."""
    out = ""
    for ln in para:
        text = ln.text(tabs)
        out = join_lines(out, text) if out else text
    return out


def paragraph_texts(words: list[Word], left: float | None = None, right: float | None = None,
                    tabs: bool = True) -> list[tuple[str, list[Line]]]:
    return [(join_wrapped(p, tabs), p) for p in group_paragraphs(group_lines(words), left, right)]


def mean_conf(words: list[Word]) -> float | None:
    confs = [w.conf for w in words if w.conf is not None and w.conf >= 0]
    if not confs:
        return None
    return round(sum(confs) / len(confs) / 100.0, 3)


class WordsByHeight:
    """The words whose centre lies in a box, in the words' own order: a
    table asks for every cell, so the words are sorted by centre height once
    and each cell looks at its band of heights only."""

    def __init__(self, words: list[Word]):
        self.words = words
        placed = sorted((w.cy, i, w.cx) for i, w in enumerate(words))
        self.heights = [p[0] for p in placed]
        self.placed = placed
        # a NaN centre (a damaged page's coordinates) breaks the sort order
        self.sorted_ok = all(h == h for h in self.heights)

    def __call__(self, x0: float, top: float, x1: float, bottom: float) -> list[Word]:
        words = self.words
        if not (self.sorted_ok and top == top and bottom == bottom):
            return [w for w in words if x0 <= w.cx <= x1 and top <= w.cy <= bottom]
        lo = bisect.bisect_left(self.heights, top)
        hi = bisect.bisect_right(self.heights, bottom)
        return [words[i] for i in sorted(i for _cy, i, cx in self.placed[lo:hi] if x0 <= cx <= x1)]
