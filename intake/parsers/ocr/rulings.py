"""Find table ruling lines in a page image and turn them into cell grids.

A scanned form's tables are only visible as drawn lines; finding them lets
the OCR reader put words back into the cell they were written in, so a
label and its value come out as neighbouring cells as they would from the
.docx. Also returns the image with the rulings erased, which Tesseract reads
better (lines touching letters become stray characters)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class HLine:
    y: float
    x0: float
    x1: float


@dataclass
class VLine:
    x: float
    y0: float
    y1: float


@dataclass
class Grid:
    """One table: row bands top to bottom, each with its cell x-intervals."""

    x0: float
    x1: float
    top: float
    bottom: float
    rows: list[tuple[float, float, list[tuple[float, float]]]]


def _runs(mask: np.ndarray, min_len: int) -> np.ndarray:
    """(row, start, end) of every horizontal run of True at least min_len.
    Found on the flattened image (each row padded with False, so no run
    crosses a row end): boolean edges and flatnonzero are several times
    faster than an integer diff and argwhere on a page-sized array."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=bool)
    padded[:, 1:-1] = mask
    flat = padded.ravel()
    starts = np.flatnonzero(flat[1:] & ~flat[:-1]) + 1  # first True of a run
    ends = np.flatnonzero(flat[:-1] & ~flat[1:]) + 1  # first False after it
    if len(starts) == 0:
        return np.zeros((0, 3), dtype=np.int64)
    keep = ends - starts >= min_len
    starts, ends = starts[keep], ends[keep]
    row, col = np.divmod(starts, w + 2)
    return np.column_stack([row, col - 1, ends - row * (w + 2) - 1])


def _merge(runs: np.ndarray, max_thick: int) -> list[tuple[float, float, float, int]]:
    """Stack runs on neighbouring rows into one line: (pos, a, b, thickness)."""
    lines: list[list[float]] = []  # [first_row, last_row, a, b]
    for row, a, b in sorted(map(tuple, runs.tolist())):
        joined = False
        for ln in reversed(lines):
            if row - ln[1] > 2:
                break
            if a < ln[3] and b > ln[2]:
                ln[1] = row
                ln[2], ln[3] = min(ln[2], a), max(ln[3], b)
                joined = True
                break
        if not joined:
            lines.append([row, row, a, b])
    out = []
    for first, last, a, b in lines:
        thick = int(last - first + 1)
        if thick <= max_thick:
            out.append(((first + last) / 2, a, b, thick))
    return out


def _close_rows(mask: np.ndarray, gap: int) -> np.ndarray:
    """Fill breaks of up to ``gap`` pixels along each row (a 1-D closing):
    a pixel is set when there is ink within ``gap`` on both its sides
    (itself included). Shifted boolean ORs, a few per gap pixel, cost a
    tenth of window sums by cumulative count on a page-sized image."""
    left, right = mask.copy(), mask.copy()
    for k in range(1, min(gap, mask.shape[1] - 1) + 1):
        left[:, k:] |= mask[:, :-k]
        right[:, :-k] |= mask[:, k:]
    return mask | (left & right)


def find_rulings(dark: np.ndarray, dpi: int) -> tuple[list[HLine], list[VLine]]:
    # Close the breaks that scanner noise and blur leave in a printed line;
    # a gap this small never joins two words.
    gap = max(2, int(dpi * 0.015))
    closed_h = _close_rows(dark, gap)
    closed_v = _close_rows(np.ascontiguousarray(dark.T), gap).T
    max_thick = max(3, int(dpi * 0.03))
    h = [HLine(p, a, b) for p, a, b, _ in _merge(_runs(closed_h, int(dpi * 0.5)), max_thick)]
    v_raw = [VLine(p, a, b) for p, a, b, _ in _merge(_runs(closed_v.T, int(dpi * 0.12)), max_thick)]
    # Blurred bold text (a phone photo) closes into runs along its baseline
    # and strokes; a printed ruling has paper on both sides, a line through
    # text has letters there.
    off = max_thick // 2 + gap + 2
    h = [ln for ln in h if _clear_beside(dark, int(round(ln.y)), int(ln.x0), int(ln.x1), off)]
    v_raw = [ln for ln in v_raw if _clear_beside(dark.T, int(round(ln.x)), int(ln.y0), int(ln.y1), off)]
    tol = dpi * 0.03
    # A ruling a fraction of a degree out of true (a fax's skew left after
    # deskewing) steps sideways a few pixels along its length and is found
    # as overlapping pieces side by side: one ruling.
    v_raw = _join_pieces(v_raw, max_thick)
    # A ruling starts and ends on a horizontal ruling; a letter's stroke
    # never does.
    v = [ln for ln in v_raw
         if _touches(ln.x, ln.y0, h, tol) and _touches(ln.x, ln.y1, h, tol)]
    return h, v


def _join_pieces(lines: list[VLine], near: float) -> list[VLine]:
    out: list[VLine] = []
    for ln in sorted(lines, key=lambda v: v.x):
        for o in out:
            if abs(o.x - ln.x) <= near and ln.y0 <= o.y1 + near and ln.y1 >= o.y0 - near:
                o.x = (o.x + ln.x) / 2
                o.y0, o.y1 = min(o.y0, ln.y0), max(o.y1, ln.y1)
                break
        else:
            out.append(VLine(ln.x, ln.y0, ln.y1))
    return out


CLEAR_BESIDE = 0.4  # measured: rulings of a photographed form <= 0.16, lines through its text >= 0.55


def _clear_beside(dark: np.ndarray, pos: int, a: int, b: int, off: int) -> bool:
    """Whether the rows ``off`` above and below row ``pos`` are mostly paper
    along [a, b)."""
    rows = dark.shape[0]
    if b <= a:
        return True
    above = dark[max(0, pos - off), a:b].mean()
    below = dark[min(rows - 1, pos + off), a:b].mean()
    return max(float(above), float(below)) < CLEAR_BESIDE


def _touches(x: float, y: float, hs: list[HLine], tol: float) -> bool:
    return any(abs(h.y - y) <= tol and h.x0 - tol <= x <= h.x1 + tol for h in hs)


def build_grids(h: list[HLine], v: list[VLine], dpi: int) -> list[Grid]:
    tol = dpi * 0.03
    if len(h) < 2 or not v:
        return []
    h = sorted(h, key=lambda ln: ln.y)
    parent = list(range(len(h)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for vl in v:
        spanned = [i for i, ln in enumerate(h)
                   if vl.y0 - tol <= ln.y <= vl.y1 + tol and ln.x0 - tol <= vl.x <= ln.x1 + tol]
        for i in spanned[1:]:
            parent[find(i)] = find(spanned[0])
    groups: dict[int, list[HLine]] = {}
    for i, ln in enumerate(h):
        groups.setdefault(find(i), []).append(ln)
    grids: list[Grid] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        x0 = min(m.x0 for m in members)
        x1 = max(m.x1 for m in members)
        ys: list[float] = []
        for m in sorted(members, key=lambda m: m.y):
            if not ys or m.y - ys[-1] > tol:
                ys.append(m.y)
        verts = [vl for vl in v if x0 - tol <= vl.x <= x1 + tol
                 and vl.y1 >= ys[0] - tol and vl.y0 <= ys[-1] + tol]
        rows = []
        for top, bottom in zip(ys, ys[1:]):
            xs = [vl.x for vl in verts if vl.y0 <= top + tol and vl.y1 >= bottom - tol]
            xs = sorted(set([x0, x1] + xs))
            bounds: list[float] = []
            for x in xs:
                if not bounds or x - bounds[-1] > tol:
                    bounds.append(x)
            cells = [(a, b) for a, b in zip(bounds, bounds[1:]) if b - a > tol]
            if cells:
                rows.append((top, bottom, cells))
        if rows:
            grids.append(Grid(x0, x1, ys[0], ys[-1], rows))
    return sorted(grids, key=lambda g: g.top)


def erase_rulings(gray: np.ndarray, h: list[HLine], v: list[VLine], dpi: int) -> np.ndarray:
    out = gray.copy()
    pad = max(3, int(dpi * 0.012))  # a scanned rule is thicker than drawn
    for ln in h:
        y = int(ln.y)
        out[max(0, y - pad):y + pad + 1, int(ln.x0):int(ln.x1) + 1] = 255
    for ln in v:
        x = int(ln.x)
        out[int(ln.y0):int(ln.y1) + 1, max(0, x - pad):x + pad + 1] = 255
    return out
