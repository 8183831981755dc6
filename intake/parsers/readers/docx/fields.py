"""Form fields inside Word paragraphs: legacy form fields (w:fldChar with
w:ffData) and content controls (w:sdt), read into FormFields and rendered
inline per the FormField convention (a value as its text, a check box as
☒ / ☐, a placeholder as nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from intake.parsers.readers.docx.word_xml import W14, W, local_name, ns_of, on_off, w
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.placeholders import clean_value, text_with_fields, trim_fields
from intake.types import ExceptionInfo, FormField, Provenance, Table

CHECKED, UNCHECKED = "\u2612", "\u2610"


@dataclass
class Frame:
    """One complex field (w:fldChar begin … separate … end) being read."""

    ff: etree._Element | None
    phase: str = "instr"
    result: list = field(default_factory=list)


@dataclass
class Item:
    """A block while walking: a paragraph's text and fields, or a table."""

    text: str = ""
    fields: list[FormField] = field(default_factory=list)
    table: Table | None = None


class WordContext:
    def __init__(self, source: str, chunks: dict[str, tuple[str, bytes]] | None = None,
                 depth: int = 0, opts: ParsingOptions | None = None) -> None:
        self.source = source
        self.tables = 0
        self.loc = Provenance(source=source)
        self.chunks = chunks or {}  # altChunk relationship id -> (content type, bytes)
        self.depth = depth
        self.opts = opts or ParsingOptions()
        self.warnings: list[ExceptionInfo] = []

    def prov(self, name: str | None) -> Provenance:
        p = self.loc
        return Provenance(page=None, table=p.table, row=p.row, cell=p.cell, field=name, source=p.source)


class ParaBuilder:
    def __init__(self, ctx: WordContext) -> None:
        self.ctx = ctx
        self.pieces: list = []  # str or (FormField, rendered)
        self.frames: list[Frame] = []
        self.extra: list[Item] = []  # text boxes anchored here

    # -- destinations ------------------------------------------------------
    def _sink(self) -> list | None:
        if any(f.phase == "instr" for f in self.frames):
            return None
        for frame in reversed(self.frames):
            if frame.ff is not None:
                return frame.result
        return self.pieces

    def text(self, s: str) -> None:
        sink = self._sink()
        if sink is not None and s:
            sink.append(s)

    def add_field(self, ff: FormField, rendered: str) -> None:
        sink = self._sink()
        if sink is None:
            return
        if sink is self.pieces:
            sink.append((ff, rendered))
        else:  # a field nested in a form field's result: keep its text only
            sink.append(rendered)

    # -- complex fields ----------------------------------------------------
    def fld_char(self, el: etree._Element) -> None:
        kind = el.get(w("fldCharType"))
        if kind == "begin":
            self.frames.append(Frame(ff=el.find(w("ffData"))))
        elif kind == "separate" and self.frames:
            self.frames[-1].phase = "result"
        elif kind == "end" and self.frames:
            frame = self.frames.pop()
            if frame.ff is not None:
                self._finish_form_field(frame)

    def _finish_form_field(self, frame: Frame) -> None:
        ff = frame.ff
        name_el = ff.find(w("name"))
        name = name_el.get(w("val")) if name_el is not None else None
        result_text = "".join(p if isinstance(p, str) else p[1] for p in frame.result)
        label = None
        for tag in ("statusText", "helpText"):
            el = ff.find(w(tag))
            if el is not None and el.get(w("val")):
                label = el.get(w("val"))
                break
        checkbox = ff.find(w("checkBox"))
        dropdown = ff.find(w("ddList"))
        prov = self.ctx.prov(name)
        if checkbox is not None:
            checked = on_off(checkbox.find(w("checked")))
            if checked is None:
                checked = bool(on_off(checkbox.find(w("default"))))
            self.add_field(FormField(name, "checkbox", None, checked=checked, provenance=prov,
                                     label=label), CHECKED if checked else UNCHECKED)
            return
        if dropdown is not None:
            entries = [e.get(w("val")) or "" for e in dropdown.findall(w("listEntry"))]
            idx_el = dropdown.find(w("result"))
            if idx_el is None:
                idx_el = dropdown.find(w("default"))
            try:
                idx = int(idx_el.get(w("val"))) if idx_el is not None else 0
            except (TypeError, ValueError):
                idx = 0
            raw = entries[idx] if 0 <= idx < len(entries) else None
            value = None if raw is None or is_choice_prompt(raw) else clean_value(raw)
            self.add_field(FormField(name, "dropdown", value, provenance=prov, label=label),
                           value or "")
            return
        kind = "text"
        text_input = ff.find(w("textInput"))
        if text_input is not None:
            type_el = text_input.find(w("type"))
            if type_el is not None and (type_el.get(w("val")) or "").lower() == "date":
                kind = "date"
        value = clean_value(result_text)
        self.add_field(FormField(name, kind, value, provenance=prov, label=label), value or "")

    # -- result ------------------------------------------------------------
    def finish(self) -> Item:
        # A field left open at the paragraph's end (its end mark sits in a
        # later paragraph): keep what it showed rather than lose it.
        while self.frames:
            frame = self.frames.pop()
            if frame.ff is not None and (frame.phase == "result" or frame.ff.find(w("checkBox")) is not None):
                self._finish_form_field(frame)
        text, fields = text_with_fields(self.pieces)
        return Item(text=text, fields=fields)


def trim(item: Item) -> Item:
    """Strip outer white space and keep field offsets pointing at the same
    characters."""
    item.text, item.fields = trim_fields(item.text, item.fields)
    return item


def is_choice_prompt(text: str) -> bool:
    t = text.strip().lower()
    return not t or t.startswith(("select", "please select", "choose", "please choose", "--"))



def at_span(ff: FormField, start: int, end: int) -> FormField:
    ff.start, ff.end = start, end
    return ff




def sdt_kind(props: etree._Element | None) -> str | None:
    """What a content control holds, or None for a container (group,
    repeating section, building block) whose inside is read as is."""
    if props is None:
        return "text"
    names = {(ns_of(c), local_name(c)) for c in props}
    if (W14, "checkbox") in names:
        return "checkbox"
    if (W, "date") in names:
        return "date"
    if (W, "dropDownList") in names or (W, "comboBox") in names:
        return "dropdown"
    if {(W, "group"), (W, "docPartObj"), (W, "docPartList"), (W, "bibliography"),
            (W, "citation"), (W, "equation")} & names:
        return None
    if any(ns == "http://schemas.microsoft.com/office/word/2012/wordml" and n in
           ("repeatingSection", "repeatingSectionItem") for ns, n in names):
        return None
    if (W, "picture") in names:
        return None
    return "text"


def showing_placeholder(props: etree._Element | None) -> bool:
    if props is None:
        return False
    return bool(on_off(props.find(w("showingPlcHdr"))))


def sdt_field(props, kind: str, text: str, ctx: WordContext) -> tuple[FormField, str]:
    tag = alias = None
    if props is not None:
        t = props.find(w("tag"))
        a = props.find(w("alias"))
        tag = t.get(w("val")) if t is not None else None
        alias = a.get(w("val")) if a is not None else None
    name = tag or alias
    prov = ctx.prov(name)
    if kind == "checkbox":
        box = props.find(f"{{{W14}}}checkbox")
        checked_el = box.find(f"{{{W14}}}checked") if box is not None else None
        if checked_el is not None:
            checked = bool(on_off(checked_el, f"{{{W14}}}val"))
        else:
            checked = any(ch in text for ch in "\u2612\u2611\u2713\u2714")
        return (FormField(name, "checkbox", None, checked=checked, provenance=prov, label=alias),
                CHECKED if checked else UNCHECKED)
    value = None if showing_placeholder(props) else clean_value(text)
    if kind == "dropdown" and value is not None and is_choice_prompt(value):
        value = None
    return FormField(name, kind, value, provenance=prov, label=alias), value or ""


