"""Tick boxes drawn as vector graphics in a PDF: a printed Word form turns
each legacy or content-control check box into a small stroked square, with
a cross drawn inside when ticked. The page text has nothing for them, so
they are found among the drawings and reported as ☒ / ☐ like any other
check box."""

from __future__ import annotations

from dataclasses import dataclass

from intake.parsers.support.words import Centred

CHECKED, UNCHECKED = "\u2612", "\u2610"
MIN_SIDE, MAX_SIDE = 5.0, 20.0  # points


@dataclass
class Mark(Centred):
    x0: float
    top: float
    x1: float
    bottom: float
    checked: bool

    @property
    def text(self) -> str:
        return CHECKED if self.checked else UNCHECKED


def _within(obj: dict, box: tuple[float, float, float, float], tol: float = 1.0) -> bool:
    x0, top, x1, bottom = box
    return (obj["x0"] >= x0 - tol and obj["x1"] <= x1 + tol
            and obj["top"] >= top - tol and obj["bottom"] <= bottom + tol)


def find_marks(page) -> list[Mark]:
    marks: list[Mark] = []
    seen: list[tuple[float, float, float, float]] = []
    typed = [c for c in page.chars if c.get("text", "").strip()]
    for r in page.rects:
        w, h = float(r["width"]), float(r["height"])
        if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE and abs(w - h) <= 0.2 * max(w, h)):
            continue
        if r.get("fill") and not r.get("stroke"):
            continue  # a filled bullet or shading, not a box
        box = (float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"]))
        if any(abs(box[0] - s[0]) < 1 and abs(box[1] - s[1]) < 1 for s in seen):
            continue
        seen.append(box)
        if any(_within(c, box) for c in typed):
            continue  # a typed tick inside the box is already text
        size = min(w, h)
        inner = [o for o in list(page.lines) + list(page.curves) if _within(o, box)
                 and float(o["width"]) > 0.3 * size and float(o["height"]) > 0.3 * size]
        filled = [o for o in page.rects if o is not r and o.get("fill") and _within(o, box)
                  and float(o["width"]) < w and float(o["width"]) > 0.3 * size]
        marks.append(Mark(*box, checked=bool(inner or filled)))
    return marks
