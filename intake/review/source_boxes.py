"""Where a field's value stands on the page: a box per line of it, as
fractions of the page image the review page shows.

The record keeps where a value came from in words (page, table, row,
cell, form field: ``record_fields.provenance``), not as coordinates, so
the boxes are found when the page asks for them, from the same rendition
the page shows, without touching the pipeline:

- an AcroForm field: its widget's rectangle, by the field's name;
- a PDF's text layer, and a Word form through LibreOffice's PDF of it:
  the value's words looked for among the page's words (pdfium), on the
  page the provenance names first, the run nearest the field's label
  when the value stands in more than one place;
- a scan (a PDF page without text, a picture): the same search among
  Tesseract's word boxes, with a little tolerance for misread letters.

A value that cannot be matched (a tick box whose mark is a drawing, a
value an officer typed, text the rendering lays out differently) gets no
box, and the page says so rather than guess. The page words are read in
a child process (page_words.py) with a time limit and kept in memory
only, a bounded number of documents at a time.
"""

from __future__ import annotations

import json
import math
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import weakref
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

from rapidfuzz import fuzz

from intake import canonical
from intake.review.rendering import MAX_PAGES_SHOWN, OFFICE, PDF, RenderError, Renditions

TIMEOUT_S = 300  # a scanned document is read by OCR page by page
CACHED_DOCUMENTS = 32
MAX_VALUE_TOKENS = 600  # a narrative is followed this far (its start is found by its first words)
MAX_SKIPS = 3
OCR_TOKEN_SCORE = 80
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_STOP = {"the", "a", "an", "of", "and", "or", "to", "in", "on", "by", "for", "with", "is", "are", "was",
         "details", "young", "person", "child"}


@dataclass
class Box:
    page: int  # 1-based
    x: float  # left, as a fraction of the page's width
    y: float  # top, as a fraction of its height
    w: float
    h: float


@dataclass
class FieldBoxes:
    key: str
    label: str
    how: str  # "form field", "text layer", "Word table (LibreOffice PDF)", "OCR"
    boxes: list[Box]


@dataclass
class _Word:
    norm: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _norm(token: str) -> str:
    return _EDGE.sub("", token.casefold())


def tokens(text: str) -> list[str]:
    return [t for t in (_norm(x) for x in text.split()) if t]


class _Page:
    def __init__(self, raw: dict):
        self.how = raw.get("how", "text")
        self.words = [_Word(_norm(w[0]), *w[1:5]) for w in raw.get("words", [])]
        self.words = [w for w in self.words if w.norm]
        self.widgets = {w[0]: w[1:5] for w in raw.get("widgets", []) if w[0]}


# --------------------------------------------------------------------------
# matching a value's words to a page's words
# --------------------------------------------------------------------------


def _same(a: str, b: str, fuzzy: bool) -> bool:
    if a == b:
        return True
    return fuzzy and len(a) >= 4 and len(b) >= 4 and fuzz.ratio(a, b) >= OCR_TOKEN_SCORE


def _align(page: list[_Word], i: int, value: list[str], j: int, fuzzy: bool) -> list[int]:
    """Page word indices matched walking the value from ``value[j]`` at
    ``page[i]``, stepping over a few words missing on either side (a tick
    drawn as a glyph, a word OCR split in two)."""
    matched, skips, streak = [], 0, 0
    while i < len(page) and j < len(value) and skips <= MAX_SKIPS:
        if _same(page[i].norm, value[j], fuzzy):
            matched.append(i)
            i, j, streak = i + 1, j + 1, streak + 1
            if streak >= 5:  # back on track: a long narrative may have a misread word every line or so
                skips = 0
        elif j + 1 < len(value) and _same(page[i].norm, value[j + 1], fuzzy):
            j, skips, streak = j + 1, skips + 1, 0
        elif i + 1 < len(page) and _same(page[i + 1].norm, value[j], fuzzy):
            i, skips, streak = i + 1, skips + 1, 0
        elif i + 1 < len(page) and j + 1 < len(value) and _same(page[i + 1].norm, value[j + 1], fuzzy):
            matched.append(i)  # one word read wrong, its neighbours right: it is that word
            i, j, skips, streak = i + 1, j + 1, skips + 1, 0
        else:
            break
    return matched


def _runs(page: _Page, value: list[str]) -> list[list[int]]:
    """Every place the value's words start on the page, best first by how
    many of its words follow there."""
    fuzzy = page.how == "ocr"
    need = min(len(value), 3)
    out = []
    for j in range(min(3, len(value))):  # the first word or two may be misread or missing
        for i, w in enumerate(page.words):
            if _same(w.norm, value[j], fuzzy):
                run = _align(page.words, i, value, j, fuzzy)
                if len(run) >= need:
                    out.append(run)
        if out:
            break
    return sorted(out, key=len, reverse=True)


def _label_words(key: str, label: str | None) -> set[str]:
    words = set(tokens(label or ""))
    words |= set(tokens(key.replace(".", " ").replace("_", " ")))
    return {w for w in words if w not in _STOP and len(w) >= 3}


def _label_distance(page: _Page, run: list[int], label: set[str]) -> float:
    """How far the run's first word is from the nearest label word above
    it or to its left (a form puts the label there)."""
    first = page.words[run[0]]
    best = math.inf
    for w in page.words:
        same_line = abs(w.cy - first.cy) < 0.005
        if w.norm in label and (w.cy < first.cy and not same_line or same_line and w.x1 <= first.x0 + 0.002):
            best = min(best, math.hypot(first.x0 - w.x1, first.cy - w.cy))
    return best


def _line_boxes(page: _Page, run: list[int], number: int) -> list[Box]:
    """One box per line the run covers."""
    boxes: list[Box] = []
    line: list[_Word] = []

    def close():
        if line:
            x0, y0 = min(w.x0 for w in line), min(w.y0 for w in line)
            x1, y1 = max(w.x1 for w in line), max(w.y1 for w in line)
            pad = 0.002
            boxes.append(Box(number, round(max(0.0, x0 - pad), 5), round(max(0.0, y0 - pad), 5),
                             round(min(1.0, x1 + pad) - max(0.0, x0 - pad), 5),
                             round(min(1.0, y1 + pad) - max(0.0, y0 - pad), 5)))

    for i in run:
        w = page.words[i]
        if line and abs(w.cy - line[-1].cy) > max(line[-1].y1 - line[-1].y0, 0.004) * 0.6:
            close()
            line = []
        line.append(w)
    close()
    return boxes


def locate_text(pages: list[_Page], value_text: str, key: str, label: str | None,
                page_hint: int | None) -> tuple[list[Box], str | None]:
    """The value's boxes and how the page was read ("text"/"ocr"), or []."""
    value = tokens(value_text)[:MAX_VALUE_TOKENS]
    if not value:
        return [], None
    order = list(range(1, len(pages) + 1))
    if page_hint and 1 <= page_hint <= len(pages):
        order.remove(page_hint)
        order.insert(0, page_hint)
    words = _label_words(key, label)
    for n in order:
        page = pages[n - 1]
        runs = _runs(page, value)
        if not runs:
            continue
        longest = len(runs[0])
        tied = [r for r in runs if len(r) == longest]
        if len(tied) > 1 and words:
            tied.sort(key=lambda r: _label_distance(page, r, words))
        return _line_boxes(page, tied[0], n), page.how
    return [], None


# --------------------------------------------------------------------------
# a document
# --------------------------------------------------------------------------


def _value_text(value, raw: str | None, key: str) -> list[str]:
    """What to look for, best first: the text as the sender wrote it, then
    the value as the record shows it."""
    out = []
    if isinstance(raw, str) and raw.strip():
        out.append(raw)
    if value is not None and not isinstance(value, bool):
        shown = canonical.display(value, key)
        if shown and shown not in out:
            out.append(shown)
        if isinstance(value, str) and value not in out:
            out.append(value)
    return out


def _parser_rows(record) -> dict[str, object]:
    """Per key, the parser's own row (an officer's correction keeps the
    parser's provenance: the page shows where the original came from)."""
    out: dict[str, object] = {}
    for f in sorted(record.fields, key=lambda f: f.id):
        if f.origin == "parser":
            out[f.key] = f
    return out


class SourceBoxes:
    """Boxes for the fields of stored documents, reading each document's
    pages once (cached, bounded)."""

    def __init__(self, renditions: Renditions):
        self.renditions = renditions
        self._pages: OrderedDict[tuple, list[_Page]] = OrderedDict()
        self._lock = threading.Lock()

    def pages(self, media_type: str, sha256: str, data: bytes, ocr_pages: frozenset[int] | None = None
              ) -> list[_Page]:
        """The words of every page shown; a page without a text layer is
        read by OCR only if it is in ``ocr_pages`` (None: every page)."""
        key = (sha256, ocr_pages)
        with self._lock:
            cached = self._pages.get(key)
            if cached is not None:
                self._pages.move_to_end(key)
                return cached
        pages = [_Page(p) for p in self._read(media_type, sha256, data, ocr_pages)]
        with self._lock:
            self._pages[key] = pages
            while len(self._pages) > CACHED_DOCUMENTS:
                self._pages.popitem(last=False)
        return pages

    def _read(self, media_type: str, sha256: str, data: bytes, ocr_pages: frozenset[int] | None) -> list[dict]:
        opts = self.renditions.opts
        if media_type == PDF or media_type in OFFICE:
            kind, payload = "pdf", self.renditions.pdf(media_type, sha256, data)
        elif media_type.startswith("image/"):
            kind, payload = "image", data
        else:
            return []
        with tempfile.TemporaryDirectory(prefix="intake-view-") as tmp:
            path = Path(tmp) / "doc"
            path.write_bytes(payload)
            req = pickle.dumps({"kind": kind, "path": str(path), "max_pages": MAX_PAGES_SHOWN, "ocr": opts,
                                "max_pixels": opts.max_image_pixels,
                                "ocr_pages": set(ocr_pages) if ocr_pages is not None else None})
            try:
                proc = subprocess.run([sys.executable, "-m", "intake.review.page_words"], input=req,
                                      capture_output=True, timeout=TIMEOUT_S, env=_child_env())
            except subprocess.TimeoutExpired:
                raise RenderError("reading the page words took too long") from None
        if proc.returncode != 0:
            raise RenderError("the page words could not be read")
        return json.loads(proc.stdout)["pages"]

    def for_document(self, doc, data: bytes) -> dict:
        """What the page draws: every field's boxes, and the fields that
        could not be placed."""
        record = doc.record
        out = {"document": doc.public_id, "fields": [], "unplaced": []}
        if record is None:
            return out
        rows = _parser_rows(record)
        named = {r.provenance.get("page") for r in rows.values() if isinstance(r.provenance, dict)}
        named = {p for p in named if isinstance(p, int)}
        # A scan is read by OCR on the pages its values came from (the
        # first, when the record names none), not on every page shown.
        pages = self.pages(doc.media_type, doc.sha256, data, frozenset(named or {1}))
        out["pages"] = len(pages)
        office = doc.media_type in OFFICE
        for key, row in rows.items():
            cf = canonical.BY_KEY.get(key)
            label = cf.label if cf else key
            value = row.value.get("v") if isinstance(row.value, dict) else row.value
            found = self.field(pages, key, label, value, row.raw, row.provenance or {}, office)
            if found is not None:
                out["fields"].append(asdict(found))
            elif value not in (None, ""):
                out["unplaced"].append({"key": key, "label": label})
        return out

    @staticmethod
    def field(pages: list[_Page], key: str, label: str, value, raw: str | None, prov: dict,
              office: bool = False) -> FieldBoxes | None:
        hint = prov.get("page") if isinstance(prov.get("page"), int) else None
        name = prov.get("field")
        # A value read from a form field (an AcroForm one, or a box of
        # lines split into several fields): the widget's rectangle.
        if name:
            order = [hint] if hint and 1 <= hint <= len(pages) else []
            order += [n for n in range(1, len(pages) + 1) if n not in order]
            for n in order:
                rect = pages[n - 1].widgets.get(name)
                if rect:
                    x0, y0, x1, y1 = rect
                    return FieldBoxes(key, label, "form field", [Box(n, round(x0, 5), round(y0, 5),
                                                                     round(x1 - x0, 5), round(y1 - y0, 5))])
        for text in _value_text(value, raw, key):
            boxes, how = locate_text(pages, text, key, label, hint)
            if boxes:
                if how == "ocr":
                    words = "OCR"
                elif office:
                    words = "Word table (LibreOffice PDF)" if prov.get("table") is not None else "Word (LibreOffice PDF)"
                else:
                    words = "text layer"
                return FieldBoxes(key, label, words, boxes)
        return None


def _child_env() -> dict:
    import os

    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


_per_renditions: "weakref.WeakKeyDictionary[Renditions, SourceBoxes]" = weakref.WeakKeyDictionary()
_per_lock = threading.Lock()


def source_boxes_of(renditions: Renditions) -> SourceBoxes:
    """The one SourceBoxes of an app (its cache lives as long as the app's
    renditions)."""
    with _per_lock:
        sb = _per_renditions.get(renditions)
        if sb is None:
            sb = _per_renditions[renditions] = SourceBoxes(renditions)
        return sb
