"""Tick boxes in a page image. A printed check box (☐, ☒, a Word form
field's square) is a small hollow square that Tesseract reads as nothing or
as junk; found here by shape, it becomes a ☒ / ☐ word in the right place
and is blanked out before OCR."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from intake.parsers.ocr.rulings import _merge, _runs

CHECKED, UNCHECKED = "\u2612", "\u2610"


@dataclass
class Box:
    x0: int
    top: int
    x1: int
    bottom: int
    checked: bool

    @property
    def text(self) -> str:
        return CHECKED if self.checked else UNCHECKED


def _edge_ink(dark: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> float:
    region = dark[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if region.size == 0:
        return 0.0
    # the best single column (or row) of the edge band
    return float(region.mean(axis=0).max() if region.shape[1] <= region.shape[0]
                 else region.mean(axis=1).max())


def find_boxes(dark: np.ndarray, dpi: int) -> list[Box]:
    # 2.3 mm to 6 mm a side: a capital letter's bars are shorter, and
    # table cells longer.
    smin, smax = int(dpi * 0.09), int(dpi * 0.25)
    tol = max(2, int(dpi * 0.01))
    runs = _runs(dark, smin)
    if len(runs) == 0:
        return []
    runs = runs[(runs[:, 2] - runs[:, 1]) <= smax + 2 * tol]
    edges = _merge(runs, max(3, int(dpi * 0.02)))
    edges.sort(key=lambda e: (e[1], e[0]))
    boxes: list[Box] = []
    used: set[int] = set()
    for i, (y, a, b, thick) in enumerate(edges):
        if i in used:
            continue
        side = b - a
        if thick > max(2, 0.15 * side):
            continue  # a letter's bar, not a box's thin outline
        for j in range(i + 1, len(edges)):
            y2, a2, b2, thick2 = edges[j]
            if a2 - a > tol:
                break  # sorted by left end: no later edge can match
            if j in used or abs(b2 - b) > tol or abs(a2 - a) > tol or thick2 > max(2, 0.15 * side):
                continue
            height = y2 - y
            if not (0.75 * side <= height <= 1.3 * side):
                continue
            top, bottom = int(y), int(y2)
            left = _edge_ink(dark, top, bottom, int(a) - tol, int(a) + tol)
            right = _edge_ink(dark, top, bottom, int(b) - tol, int(b) + tol)
            if left < 0.9 or right < 0.9:
                continue
            # A box's outline is its outermost ink; a round letter ("o")
            # bulges out past the ends of its flat top.
            mid0, mid1 = top + (bottom - top) // 4, bottom - (bottom - top) // 4
            outside_l = dark[mid0:mid1, max(0, int(a) - 3 * tol):max(0, int(a) - tol - 1)]
            outside_r = dark[mid0:mid1, int(b) + tol + 1:int(b) + 3 * tol]
            if (outside_l.size and outside_l.mean() > 0.2) or (outside_r.size and outside_r.mean() > 0.2):
                continue
            inset = max(2, int(side * 0.2))
            inner = dark[top + inset:bottom - inset, int(a) + inset:int(b) - inset]
            # a faxed tick can be one faint diagonal: little ink is enough
            checked = inner.size > 0 and float(inner.mean()) > 0.025
            boxes.append(Box(int(a), top, int(b), bottom, checked))
            used.update((i, j))
            break
    return boxes


def blank_boxes(gray: np.ndarray, boxes: list[Box], dpi: int) -> np.ndarray:
    if not boxes:
        return gray
    out = gray.copy()
    pad = max(2, int(dpi * 0.01))
    for b in boxes:
        out[max(0, b.top - pad):b.bottom + pad + 1, max(0, b.x0 - pad):b.x1 + pad + 1] = 255
    return out
