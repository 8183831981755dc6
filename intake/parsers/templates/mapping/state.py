"""What the mapping of one document knows as it walks: the lines, the
template, which fields are found (and from which lines), which lines are
used up. Every strategy module reads and writes this one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.parsers.templates.labels import LabelHit, LabelMatcher, matcher_for
from intake.parsers.templates.model import FieldDef, Template
from intake.parsers.templates.text import is_furniture
from intake.parsers.templates.units import Doc, Line

CHOICE_TYPES = ("choice", "bool")


@dataclass
class LocatedField:
    """A field's answer as located: its raw text and the lines it came from."""

    raw: str | None
    lines: list[int]
    parts: list[str] = field(default_factory=list)  # for choices: cell by cell
    field_name: str | None = None


class MapState:
    def __init__(self, doc: Doc, template: Template, matcher: LabelMatcher | None = None):
        self.doc = doc
        self.template = template
        self.matcher = matcher or matcher_for(template)
        self.found: dict[str, LocatedField] = {}
        self.consumed: set[int] = set()
        self.repeated: list[str] = []
        self._label_cache: dict[int, list[LabelHit]] = {}

    def label_hits(self, i: int) -> list[LabelHit]:
        """The labels on line ``i``, computed once."""
        if i not in self._label_cache:
            line = self.doc.lines[i]
            cont = self.doc.containers[line.container]
            # "Label value" with no separator only where a PDF or a scan
            # flattened a row: never when the row has a cell for the value.
            flat = cont.kind == "para" or not cont.row_cells or cont.row_cells[-1] == line.container
            hits = self.matcher.find(line.text, allow_prefix=flat)
            if not hits and line.pos == 0 and cont.kind == "cell" and cont.col == 0 \
                    and len(cont.row_cells or ()) >= 2:
                box = self.matcher.numbered_box(line.text)
                hits = [box] if box is not None else []
            self._label_cache[i] = hits
        return self._label_cache[i]

    def ends_value(self, i: int) -> bool:
        """A line that ends a value: another label, a heading, boilerplate."""
        text = self.doc.lines[i].text
        hs = self.label_hits(i)
        if hs and hs[0].strong:
            return True
        if self.matcher.section_of(text) or self.matcher.is_boilerplate(text):
            return True
        return False

    def starts_with_strong_label(self, cid: int) -> bool:
        lines = self.doc.containers[cid].lines
        return bool(lines and self.label_hits(lines[0]) and self.label_hits(lines[0])[0].strong)

    def text_of(self, ids: list[int], first: str | None = None) -> str:
        """The value text of these lines: page furniture dropped, printed
        guidance sentences cut out."""
        out = [] if first is None else [first]
        for i in ids:
            t = self.doc.lines[i].text
            if is_furniture(t):
                continue
            out.append(self.matcher.strip_boilerplate(t))
        return "\n".join(out)

    def field_order(self) -> dict[str, int]:
        return {f.key: n for n, f in enumerate(self.template.fields + self.template.groups)}


def field_name_at(line: Line, start: int, end: int) -> str | None:
    """The form field (if any) whose rendered span overlaps this value."""
    for f in line.fields:
        if f.start is not None and f.start < max(end, start + 1) and (f.end or f.start) >= start:
            return f.name
    return None


def merge_same_field(hits: list[LabelHit]) -> list[LabelHit]:
    """A label followed on its line by another wording of the same field is
    one answer: "Contact details Tel: 0121 ... email: jo@..." once a PDF
    flattens the row, or "Phone / email: Tel: ..., email: ..."."""
    out: list[LabelHit] = []
    for h in hits:
        if out and h.candidates and out[-1].candidates \
                and h.candidates[0][0].key == out[-1].candidates[0][0].key:
            continue
        out.append(h)
    return out


def is_multiline(f: FieldDef) -> bool:
    return f.type in ("multiline", "group")
