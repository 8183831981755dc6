"""A PDF page's layout objects (characters with boxes, ruling lines,
rectangles, curves, images) read by PDFium, in pdfplumber's form.

pdfplumber gets the same objects by interpreting the page with pdfminer,
in pure Python, which cost 0.25-0.5 s per PDF (about nine tenths of the
PDF reader's time on a text-layer form). PDFium, the C++ engine of
Chrome's viewer, parses the page in a few milliseconds; this module turns
its characters and path objects into the dicts pdfplumber's own geometry
builds on, in pdfplumber's coordinate system (points, origin at the page
top left, pdfminer's character boxes), so pdfplumber's word grouping and
table finder -- pure geometry, no PDF parsing -- run on them unchanged and
the reader downstream cannot tell the two engines apart.

What pdfplumber is still used for: ``PdfiumPage`` is a pdfplumber
``Container`` (its edges from lines, rects and curves), ``find_tables``
is pdfplumber's TableFinder and ``extract_words`` its WordExtractor.

Known differences from pdfminer, all on shapes the forms do not use:
coordinates are PDFium's single-precision values (pdfminer's doubles
differ in the sixth significant digit); a ligature is one pdfminer char
("fi") but a character per letter here, with the same word text and box;
a text object printed twice at the same place to fake bold is read once
by PDFium; a rotated or skewed character's box is its loose box, not
pdfminer's box built from the font's descent; a path closed by an
explicit line back to its start and then ``h`` is a rect here (pdfminer
calls it a curve).

Long on purpose: one engine's translation into another's objects reads as
one picture (characters, fonts, paths, pages, the lock they share); split,
each half would need the other's coordinate rules to be understood."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfplumber.container import Container
from pdfplumber.table import Table, TableFinder, TableSettings
from pdfplumber.utils import extract_words

from intake.parsers.readers.pdf import plumber_words

Matrix = tuple[float, float, float, float, float, float]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# PDFium is not thread-safe; every use of it in the reader holds this.
PDFIUM_LOCK = threading.RLock()

# A page's fonts as pdfminer names and measures them, by the name PDFium
# gives (the BaseFont without its subset tag): [(font name, descent per
# unit of size)], one entry per distinct font of that name.
FontTable = dict[str, list[tuple[str, float]]]


def _mult(m1: Matrix, m0: Matrix) -> Matrix:
    """m1 then m0, in PDF's row-vector convention (pdfminer's mult_matrix)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _page_ctm(rotation: int, box: tuple[float, float, float, float]) -> Matrix:
    """pdfminer's page matrix (PDFPageInterpreter.process_page): the page
    turned by its /Rotate, the media box's corner at the origin."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotation == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotation == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def _matrix(get, handle) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not get(handle, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


class _CharCalls:
    """The three PDFium calls made for every character, bound with no
    argument types: the caller passes ctypes objects made once per page
    (the text page as a c_void_p, the origin's two doubles by reference)
    and a plain int index. pypdfium2's bindings take and return typed
    pointers, and building one per call (and reading a text object's
    address back out of it) cost more than the call itself on a page of a
    few thousand characters; declared argument types still cost a
    conversion of each argument on every call (4.7 against 2.6 us per
    character on the text slice). Same functions of the same library: only
    the Python side of the call differs."""

    def __init__(self) -> None:
        def bind(fn, restype):
            # A prototype with no argument types: ctypes passes the ctypes
            # objects it is given as they are, and an int as a C int.
            return ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value)

        # the text object's address, the key _walk's text order uses too
        self.object_of = bind(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p)
        self.unicode_of = bind(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
        self.origin_of = bind(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int)


_CHAR_CALLS: _CharCalls | None = None


def _char_calls() -> _CharCalls:
    global _CHAR_CALLS
    if _CHAR_CALLS is None:
        _CHAR_CALLS = _CharCalls()
    return _CHAR_CALLS


class PdfiumPage(Container):
    """One page, with the attributes and methods of a pdfplumber Page that
    the PDF reader uses: page_number, width, height, bbox, chars, rects,
    lines, curves, images, edges, extract_words, find_tables."""

    cached_properties = Container.cached_properties

    def __init__(self, doc: pypdfium2.PdfDocument, index: int, initial_doctop: float = 0.0,
                 fonts: FontTable | None = None):
        self.page_number = index + 1
        self._font_table = fonts or {}
        self.initial_doctop = initial_doctop
        try:
            self._page = doc[index]
        except pypdfium2.PdfiumError:
            # A page object too damaged to load: read as a blank page, as
            # a viewer shows it, rather than losing the pages around it.
            self._page = None
        raw = self._page.raw if self._page is not None else None
        self.rotation = pdfium_c.FPDFPage_GetRotation(raw) * 90 if raw is not None else 0
        media = self._box(raw) if raw is not None else (0.0, 0.0, 612.0, 792.0)
        x0, y0, x1, y1 = min(media[0], media[2]), min(media[1], media[3]), \
            max(media[0], media[2]), max(media[1], media[3])
        self._ctm = _page_ctm(self.rotation, (x0, y0, x1, y1))
        # pdfplumber's frame: the media box turned, then flipped; its
        # objects are pdfminer's, moved by the box's corner (as pdfplumber
        # does, see its Page.process_object).
        if self.rotation in (90, 270):
            x0, y0, x1, y1 = y0, x0, y1, x1
        mb_height = y1 - y0
        self.mediabox = (x0, mb_height - y1, x1, mb_height - y0)
        self.bbox = self.mediabox
        self._objects: dict[str, list[dict]] | None = None

    @staticmethod
    def _box(raw) -> tuple[float, float, float, float]:
        l, b, r, t = (ctypes.c_float() for _ in range(4))
        if pdfium_c.FPDFPage_GetMediaBox(raw, l, b, r, t):
            return l.value, b.value, r.value, t.value
        # An inherited MediaBox: PDFium's page box is the media box, cut
        # by a crop box when there is one.
        rect = pdfium_c.FS_RECTF()
        if pdfium_c.FPDF_GetPageBoundingBox(raw, rect):
            return rect.left, rect.bottom, rect.right, rect.top
        return 0.0, 0.0, 612.0, 792.0  # PDF's default page, as pdfminer

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    # -- pdfplumber's algorithms on PDFium's objects ---------------------------

    @property
    def objects(self) -> dict[str, list[dict]]:
        # flush_cache (pdfplumber's) deletes the attribute: read again then
        if getattr(self, "_objects", None) is None:
            self._objects = {"char": [], "rect": [], "line": [], "curve": [], "image": []}
            if self._page is None:
                return self._objects
            self._text_order: dict[int, int] = {}
            self._walk(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject,
                       self._page.raw, self._ctm)
            self._objects["char"] = self._chars()
        return self._objects

    def extract_words(self, **kwargs: Any) -> list[dict]:
        if kwargs == plumber_words.SETTINGS:
            return plumber_words.extract_words(self.chars)
        return extract_words(self.chars, **kwargs)

    def find_tables(self, table_settings: dict | None = None) -> list[Table]:
        return TableFinder(self, TableSettings.resolve(table_settings)).tables

    def close(self) -> None:
        self.flush_cache()
        self._objects = None
        if self._page is not None:
            self._page.close()

    # -- coordinates -------------------------------------------------------------

    def _frame(self, x0: float, y0: float, x1: float, y1: float) -> dict[str, float]:
        """A box in pdfminer's page space → pdfplumber's keys."""
        mb_x0, mb_top = self.mediabox[0], self.mediabox[1]
        top = self.height - y1 + mb_top
        bottom = self.height - y0 + mb_top
        return {"x0": x0 + mb_x0, "y0": y0, "x1": x1 + mb_x0, "y1": y1,
                "width": x1 - x0, "height": y1 - y0,
                "top": top, "bottom": bottom, "doctop": self.initial_doctop + top}

    def _point(self, x: float, y: float) -> tuple[float, float]:
        """pdfplumber's point2coord: pdfminer space → x, distance from top."""
        return self.mediabox[0] + x, self.mediabox[1] + self.height - y

    # -- characters --------------------------------------------------------------

    def _chars(self) -> list[dict]:
        try:
            textpage = self._page.get_textpage()
        except pypdfium2.PdfiumError:
            return []  # no text PDFium can read: the page is left to OCR, if drawn
        try:
            chars = self._read_chars(textpage.raw)
        finally:
            textpage.close()
        # PDFium reorders text it finds running in another direction (a
        # turned page); pdfplumber groups characters in the order the page
        # draws them, which is the order of the text objects.
        order = self._text_order
        keys = [order.get(k, -1) for k in self._char_objects]
        if any(a > b for a, b in zip(keys, keys[1:])):
            chars = [c for _, c in sorted(zip(keys, chars), key=lambda kc: kc[0])]
        return chars

    def _read_chars(self, tp) -> list[dict]:
        """pdfminer's LTChar box: the advance width across, the font size
        high from the font's descent below the baseline (pdfminer's
        LTChar.__init__), in the character's matrix. Each PDFium call costs
        microseconds, so what is the same for a whole text object (font,
        size, matrix, advance widths) is asked once per object, and the
        three calls every character needs go through _CharCalls."""
        out: list[dict] = []
        owners: list[int] = []
        self._char_objects = owners
        objects: dict[int, tuple] = {}
        glyphs: dict[tuple[int, float, int], float] = {}
        width = ctypes.c_float()
        last_key, last_x, last_y = 0, 0.0, 0.0
        cur_key, info = None, None
        ox, oy = ctypes.c_double(), ctypes.c_double()
        loose = pdfium_c.FS_RECTF()
        ctm = self._ctm
        e, f = ctm[4], ctm[5]
        flat = ctm[:4] == (1, 0, 0, 1)
        height, page_number = self.height, self.page_number
        mb_x0, mb_top = self.mediabox[0], self.mediabox[1]
        doctop = self.initial_doctop
        calls = _char_calls()
        tpa = ctypes.c_void_p(ctypes.cast(tp, ctypes.c_void_p).value)
        get_key, get_unicode, get_origin = calls.object_of, calls.unicode_of, calls.origin_of
        oxa, oya = ctypes.byref(ox), ctypes.byref(oy)
        is_generated = pdfium_c.FPDFText_IsGenerated
        get_loose = pdfium_c.FPDFText_GetLooseCharBox
        glyph_width = pdfium_c.FPDFFont_GetGlyphWidth
        for i in range(pdfium_c.FPDFText_CountChars(tp)):
            key = get_key(tpa, i)
            if not key:
                # A line break PDFium inferred, or a space: some producers'
                # spaces PDFium drops and puts back as its own. A space
                # still parts two words, as the page's did for pdfminer; it
                # takes the previous letter's line and font, so that it
                # joins no other group or line (unturned pages only: on a
                # turned one its place among the letters is not known).
                if flat and out and get_unicode(tpa, i) == 0x20:
                    prev = out[-1]
                    space = dict(prev, text=" ", x0=prev["x1"], width=0.0)
                    out.append(space)
                    owners.append(owners[-1])
                    last_key = 0
                continue
            if key != cur_key:
                # A text object's characters come one after another: what
                # they share is looked up when the object changes.
                info = objects.get(key)
                if info is None:
                    obj = pdfium_c.FPDFText_GetTextObject(tp, i)
                    shared = self._text_object(tp, i, obj)
                    font, cm = shared[6], shared[3]
                    d = cm[3]
                    # d * descent * size and d * (descent * size + size):
                    # the same products in the same order as per character
                    info = objects[key] = (*shared, {}, ctypes.cast(font, ctypes.c_void_p).value if font else 0,
                                           cm[1] == 0 and cm[2] == 0 and cm[0] != 0,
                                           d * shared[2] * shared[1], d * (shared[2] * shared[1] + shared[1]))
                fontname, size, descent, cm, m, upright, font, widths, font_key, plain, below, above = info
                cur_key = key
            code = get_unicode(tpa, i)
            if code == 0x20 and is_generated(tp, i) == 1:
                continue  # a space PDFium inferred from a gap (TeX writes none)
            if code == 2:
                code = 0x2D  # PDFium's mark for a hyphen ending a line; the page has "-"
            if not get_origin(tpa, i, oxa, oya):
                continue
            x, y = ox.value, oy.value
            text = chr(code) if code else ""
            if key == last_key and x == last_x and y == last_y and out:
                # One glyph, several letters (a ligature "fi"): PDFium gives
                # each letter the glyph's place, pdfminer one char of both.
                prev = out[-1]
                prev["text"] += text
                if flat and cm[0] > 0 and get_loose(tp, i, loose) and loose.right + mb_x0 > prev["x0"]:
                    prev["x1"] = loose.right + mb_x0
                    prev["width"] = prev["x1"] - prev["x0"]
                continue
            last_key, last_x, last_y = key, x, y
            a = cm[0]
            if plain:
                # upright on the unturned page: pdfminer's box exactly. The
                # loose box will not do for the width: PDFium widens it to
                # the glyph's ink, which overhangs the advance ("f", "/").
                adv = widths.get(code)
                if adv is None:
                    # Text objects are often a word each, so an object's own
                    # cache misses; the page's (font, size, glyph) does not.
                    glyph = (font_key, size, code)
                    adv = glyphs.get(glyph) if font else None
                    if adv is None:
                        if font and glyph_width(font, code, ctypes.c_float(size), width):
                            adv = glyphs[glyph] = width.value
                        elif get_loose(tp, i, loose):
                            adv = (loose.right - loose.left) / abs(a)
                        else:
                            adv = 0.0
                    widths[code] = adv
                d = cm[3]
                lo, hi = y + below, y + above
                if flat:
                    x0, x1 = (x, x + a * adv) if a > 0 else (x + a * adv, x)
                    y0, y1 = (lo, hi) if d > 0 else (hi, lo)
                    x0, x1, y0, y1 = x0 + e, x1 + e, y0 + f, y1 + f
                else:
                    corners = [_apply(ctm, x + a * u, v) for u in (0.0, adv) for v in (lo, hi)]
                    x0, x1 = min(p[0] for p in corners), max(p[0] for p in corners)
                    y0, y1 = min(p[1] for p in corners), max(p[1] for p in corners)
            else:
                # skewed or turned text: PDFium's loose box
                if not get_loose(tp, i, loose):
                    continue
                corners = [_apply(ctm, px, py) for px in (loose.left, loose.right)
                           for py in (loose.bottom, loose.top)]
                x0, x1 = min(p[0] for p in corners), max(p[0] for p in corners)
                y0, y1 = min(p[1] for p in corners), max(p[1] for p in corners)
            top = height - y1 + mb_top
            h = y1 - y0
            owners.append(key)
            out.append({
                "object_type": "char", "page_number": page_number, "text": text,
                "fontname": fontname, "size": h, "upright": upright, "matrix": m,
                "x0": x0 + mb_x0, "y0": y0, "x1": x1 + mb_x0, "y1": y1,
                "width": x1 - x0, "height": h,
                "top": top, "bottom": height - y0 + mb_top, "doctop": doctop + top})
        return out

    def _text_object(self, tp, i: int, obj) -> tuple:
        """What the characters of one text object share: font name, size
        and descent (see _font), PDFium's character matrix, pdfminer's (on
        the turned page), pdfminer's "upright", and the font handle."""
        fontname, size, descent = self._font(obj)
        cm = pdfium_c.FS_MATRIX()
        if not pdfium_c.FPDFText_GetMatrix(tp, i, cm):
            cm.a, cm.b, cm.c, cm.d = 1.0, 0.0, 0.0, 1.0
        linear = (cm.a, cm.b, cm.c, cm.d)
        m = _mult((*linear, 0.0, 0.0), self._ctm)
        upright = m[0] * m[3] > 0 and m[1] * m[2] <= 0
        return fontname, size, descent, linear, m, upright, pdfium_c.FPDFTextObj_GetFont(obj)

    def _font(self, obj) -> tuple[str, float, float]:
        """The font's name and descent per unit of size as pdfminer has them
        (from the PDF's font dictionaries, see font_table: PDFium names a
        font without its subset tag and measures the descent from the font
        file when the descriptor says 0), and the size set with Tf."""
        size = ctypes.c_float()
        if not pdfium_c.FPDFTextObj_GetFontSize(obj, size):
            size.value = 0.0
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        name, descent = "unknown", 0.0
        if font:
            n = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            if n > 0:
                buf = ctypes.create_string_buffer(n)
                pdfium_c.FPDFFont_GetBaseFontName(font, buf, n)
                name = buf.value.decode("utf-8", "replace")
            known = self._font_table.get(name, [])
            if len(known) == 1:
                name, descent = known[0]
            else:
                d = ctypes.c_float()
                if pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), d):
                    descent = -abs(d.value) / 1000.0
                if known:
                    # Two subsets of one font: which is which is not told
                    # by name, but PDFium loads each font once per document.
                    descents = {k[1] for k in known}
                    descent = descents.pop() if len(descents) == 1 else descent
                    name = f"{name}#{ctypes.cast(font, ctypes.c_void_p).value}"
        return name, size.value, descent

    # -- paths and images --------------------------------------------------------

    def _walk(self, count, get, parent, outer: Matrix, depth: int = 0) -> None:
        if depth > 12:
            return  # forms nested deeper than any real page: a hostile loop
        for k in range(count(parent)):
            obj = get(parent, k)
            if not obj:
                continue
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            m = _mult(_matrix(pdfium_c.FPDFPageObj_GetMatrix, obj), outer)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                self._text_order[ctypes.addressof(obj.contents)] = len(self._text_order)
                continue
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self._path(obj, m)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                pts = [_apply(m, x, y) for x in (0.0, 1.0) for y in (0.0, 1.0)]
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                img = self._frame(min(xs), min(ys), max(xs), max(ys))
                img.update(object_type="image", page_number=self.page_number)
                self._objects["image"].append(img)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                self._walk(pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject,
                           obj, m, depth + 1)

    def _path(self, obj, m: Matrix) -> None:
        """A path object as pdfminer paints it (PDFLayoutAnalyzer.paint_path):
        split at each moveto; a lone segment is a line, four sides of an
        upright rectangle a rect, anything else a curve."""
        fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
            return
        if fill_mode.value == 0 and not stroke.value:
            return  # a clipping path, never painted
        x, y = ctypes.c_float(), ctypes.c_float()
        ops: list[tuple[str, tuple[float, float]]] = []
        start: tuple[float, float] | None = None
        bezier = 0
        for j in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, j)
            if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            close = bool(pdfium_c.FPDFPathSegment_GetClose(seg))
            pt = _apply(m, x.value, y.value)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                ops.append(("m", pt))
                start = pt
                bezier = 0
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                if close and start is not None and pt == start:
                    # PDFium draws "h" as a closing line back to the start
                    ops.append(("h", start))
                    continue
                ops.append(("l", pt))
            elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
                bezier += 1
                if bezier % 3:
                    continue  # a control point: pdfminer keeps end points only
                ops.append(("c", pt))
            else:
                continue
            if close and start is not None:
                ops.append(("h", start))
        shape = "".join(op for op, _ in ops)
        props = {"stroke": bool(stroke.value), "fill": fill_mode.value != 0,
                 "evenodd": fill_mode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE,
                 "linewidth": self._stroke_width(obj)}
        if shape.count("m") > 1:
            i = 0
            while i < len(ops):
                j = i + 1
                while j < len(ops) and ops[j][0] != "m":
                    j += 1
                if ops[i][0] == "m" and j - i > 1:
                    self._shape(ops[i:j], props)
                i = j
        elif shape[:1] == "m":
            self._shape(ops, props)

    @staticmethod
    def _stroke_width(obj) -> float:
        w = ctypes.c_float()
        return w.value if pdfium_c.FPDFPageObj_GetStrokeWidth(obj, w) else 0.0

    def _shape(self, ops: list[tuple[str, tuple[float, float]]], props: dict) -> None:
        shape = "".join(op for op, _ in ops)
        pts = [p for _, p in ops]
        if shape in ("mlh", "ml"):
            self._add("line", pts[:2], props)
            return
        if shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or \
                (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
            if pts[0] == pts[4] and square:
                xa, xb = sorted((x0, x2))
                ya, yb = sorted((y0, y2))
                # pdfminer's LTRect keeps its four corners, from its box
                self._add("rect", [(xa, ya), (xb, ya), (xb, yb), (xa, yb)], props)
                return
        self._add("curve", pts, props)

    def _add(self, kind: str, pts: list[tuple[float, float]], props: dict) -> None:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        obj = self._frame(min(xs), min(ys), max(xs), max(ys))
        obj.update(props)
        obj.update(object_type=kind, page_number=self.page_number,
                   pts=[self._point(*p) for p in pts])
        self._objects[kind].append(obj)


def _num(value, default: float = 0.0) -> float:
    try:
        return float(value.get_object() if hasattr(value, "get_object") else value)
    except (TypeError, ValueError):
        return default


def _font_entry(font) -> tuple[str, str, float] | None:
    """(BaseFont without subset tag, pdfminer's font name, descent per unit
    of size) of one font dictionary, as pdfminer's PDFFont reads them:
    the standard 14 fonts measured from their built-in metrics, others
    from the descriptor (of the descendant font for a Type0)."""
    spec = font.get_object()
    if str(spec.get("/Subtype")) == "/Type0":
        kids = spec.get("/DescendantFonts")
        kids = kids.get_object() if kids is not None else None
        if not kids:
            return None
        spec = kids[0].get_object()
    elif str(spec.get("/Subtype")) == "/Type3":
        return None  # measured by its glyph box; PDFium's descent will do
    base = str(spec.get("/BaseFont", "/unknown")).lstrip("/")
    key = base.split("+", 1)[1] if "+" in base[:7] else base
    if base in FONT_METRICS:
        descriptor = FONT_METRICS[base][0]
    else:
        descriptor = spec.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        descriptor = {k.lstrip("/"): v for k, v in descriptor.items()}
    name = descriptor.get("FontName", "unknown")
    name = str(name.get_object() if hasattr(name, "get_object") else name).lstrip("/")
    descent = _num(descriptor.get("Descent", 0))
    return key, name, -abs(descent) / 1000.0


def font_table(page, depth: int = 0, seen: dict | None = None) -> FontTable:
    """The fonts of a pypdf page (or form XObject) and the forms it draws;
    ``seen`` keeps the fonts already read, by object number, as the pages
    of a document share them."""
    table: FontTable = {}
    seen = {} if seen is None else seen
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font")
        for ref in (fonts.get_object().values() if fonts is not None else ()):
            number = getattr(ref, "idnum", None)
            entry = seen[number] if number in seen else _font_entry(ref)
            if number is not None:
                seen[number] = entry
            if entry is not None and entry[1:] not in table.setdefault(entry[0], []):
                table[entry[0]].append(entry[1:])
        xobjects = resources.get("/XObject")
        if depth < 4 and xobjects is not None:
            for ref in xobjects.get_object().values():
                form = ref.get_object()
                if str(form.get("/Subtype")) == "/Form":
                    for key, entries in font_table(form, depth + 1, seen).items():
                        for e in entries:
                            if e not in table.setdefault(key, []):
                                table[key].append(e)
    except Exception:  # a damaged resource dictionary: PDFium's own measures
        return table
    return table


def open_document(data: bytes) -> pypdfium2.PdfDocument:
    """The document, opened with no password (PDFium tries an empty user
    password, as a viewer does); raises pypdfium2.PdfiumError when PDFium
    cannot open it (its err_code says why: FPDF_ERR_PASSWORD, ...)."""
    with PDFIUM_LOCK:
        return pypdfium2.PdfDocument(data)


def iter_pages(doc: pypdfium2.PdfDocument, limit: int, pypdf_reader=None) -> Iterator[PdfiumPage]:
    """The first ``limit`` pages, each closed once the next is asked for.
    The pypdf reader, when there is one, names and measures the fonts as
    pdfminer does (see font_table). The caller holds PDFIUM_LOCK."""
    doctop = 0.0
    seen: dict = {}
    for index in range(min(limit, len(doc))):
        fonts: FontTable = {}
        if pypdf_reader is not None:
            try:
                fonts = font_table(pypdf_reader.pages[index], seen=seen)
            except Exception:  # pypdf raises many types on damage
                fonts = {}
        page = PdfiumPage(doc, index, doctop, fonts)
        try:
            yield page
        finally:
            page.close()
        doctop += page.height
