"""AcroForm field values of a fillable PDF, per page, with positions.

A filled PDF form usually keeps its values only in the fields (the page
text shows the empty boxes), so these are read from the widgets with pypdf
and placed on the page where the box is."""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from intake.parsers.support.placeholders import clean_value
from intake.parsers.support.words import Centred
from intake.types import FormField, Provenance

_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16


@dataclass
class PlacedField(Centred):
    page: int  # 1-based
    top: float  # distance from the page top, in points (pdfplumber's frame)
    field: FormField
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0


def _inherited(obj: DictionaryObject, key: str, depth: int = 0):
    node = obj
    for _ in range(32):  # a hostile /Parent loop must end
        if node is None:
            return None
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _qualified_name(obj: DictionaryObject) -> str | None:
    parts: list[str] = []
    node = obj
    for _ in range(32):
        if node is None:
            break
        t = node.get("/T")
        if t is not None:
            parts.append(str(t))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts)) or None


def _text(value) -> str | None:
    if value is None:
        return None
    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, ArrayObject):
        return ", ".join(str(v) for v in value)
    return str(value)


def read_fields(reader: PdfReader, max_pages: int) -> list[PlacedField]:
    out: list[PlacedField] = []
    seen: set[str] = set()
    for pno, page in enumerate(reader.pages[:max_pages], start=1):
        annots = page.get("/Annots")
        if annots is None:
            continue
        annots = annots.get_object()
        if not isinstance(annots, ArrayObject):
            continue
        top_edge = float(page.mediabox.top)
        left_edge = float(page.mediabox.left)
        for ref in annots:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Widget":
                continue
            name = _qualified_name(annot)
            key = name or f"#{pno}:{id(annot)}"
            if key in seen:
                continue  # another widget of the same field (radio kids)
            seen.add(key)
            ff = _field(annot, name, pno)
            if ff is None:
                continue
            try:
                rect = [float(x) for x in annot.get("/Rect", [0, 0, 0, 0])]
                box = (min(rect[0], rect[2]) - left_edge, top_edge - max(rect[1], rect[3]),
                       max(rect[0], rect[2]) - left_edge, top_edge - min(rect[1], rect[3]))
            except (TypeError, ValueError, IndexError):
                box = (0.0, 0.0, 0.0, 0.0)
            out.append(PlacedField(pno, box[1], ff, bottom=box[3], x0=box[0], x1=box[2]))
    return out


def _field(annot: DictionaryObject, name: str | None, page: int) -> FormField | None:
    ft = _inherited(annot, "/FT")
    flags = _inherited(annot, "/Ff")
    try:
        flags = int(flags or 0)
    except (TypeError, ValueError):
        flags = 0
    label = _text(_inherited(annot, "/TU"))
    value = _text(_inherited(annot, "/V"))
    prov = Provenance(page=page, field=name, source="acroform")
    if ft == "/Tx":
        return FormField(name, "text", clean_value(value), provenance=prov, label=label)
    if ft == "/Ch":
        return FormField(name, "dropdown", clean_value(value), provenance=prov, label=label)
    if ft == "/Btn":
        if flags & _PUSHBUTTON:
            return None
        if value is None:
            value = _text(annot.get("/AS"))
        state = (value or "").lstrip("/")
        if flags & _RADIO:
            chosen = None if state in ("", "Off") else state
            return FormField(name, "dropdown", chosen, provenance=prov, label=label)
        checked = state not in ("", "Off")
        return FormField(name, "checkbox", None, checked=checked, provenance=prov, label=label)
    return None
