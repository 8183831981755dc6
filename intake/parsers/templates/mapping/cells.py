"""Values in table cells: the cells after the label's cell in its row, the
label's own cell under the label, or the same column of the row below a
header row of labels ("Name | Age" above "Jo | 14")."""

from __future__ import annotations

from intake.parsers.templates.mapping.below import rest_of_container
from intake.parsers.templates.mapping.hints import strip_hints
from intake.parsers.templates.mapping.state import LocatedField, MapState, field_name_at, is_multiline
from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import clean_value
from intake.parsers.templates.units import Container, Line


def next_cells(state: MapState, line: Line) -> list[int] | None:
    """The cells after the label's cell in its row; None when the label is
    not in a cell or its cell ends the row."""
    cont = state.doc.containers[line.container]
    if cont.kind != "cell" or cont.row_cells is None:
        return None
    idx = cont.row_cells.index(line.container)
    rest = cont.row_cells[idx + 1:]
    if not rest:
        return None
    return rest


def cell_is_label(state: MapState, cid: int, owner: FieldDef | None = None) -> bool:
    """The cell starts with another field's label. A label of the field
    being read is its value ("Contact details" | "Tel: ..., email: ..."),
    and for a group ("1. Referrer") so are its own members' labels."""
    if not state.starts_with_strong_label(cid):
        return False
    inside = set(state.template.members.get(owner.key, ())) | {owner.key} if owner else set()
    first = state.doc.containers[cid].lines[0]
    return any(f.key not in state.found and f.key not in inside
               for f, _ in state.label_hits(first)[0].candidates)


def empty_slot(state: MapState, line: Line, vstart: int, vend: int) -> bool:
    """An empty text field right after the label is where the answer went:
    the answer is empty, whatever text follows the line."""
    def empty(ln: Line, lo: int, hi: int) -> bool:
        return any(ff.kind != "checkbox" and ff.start is not None and lo <= ff.start <= hi
                   and not (ff.value or "").strip() for ff in ln.fields)

    if empty(line, vstart - 2, vend):
        return True
    # The field may sit on the (otherwise blank) line under the label.
    cont = state.doc.containers[line.container]
    if vend >= len(line.text.rstrip()) and line.pos + 1 < len(cont.lines):
        nxt = state.doc.lines[cont.lines[line.pos + 1]]
        return not nxt.text.strip() and empty(nxt, 0, len(nxt.text))
    return False


def value_in_row(state: MapState, f: FieldDef, line: Line, cells: list[int]) -> LocatedField:
    """A label cell with cells after it: the first of them with a value,
    else a value typed under the label in its own cell, else the column
    below a header row; else the field is empty."""
    doc = state.doc
    cont = doc.containers[line.container]
    # Lines under the label in its own cell are the form's hint.
    state.consumed.update(rest_of_container(state, cont.lines, line.pos))
    for cid in cells:
        if cell_is_label(state, cid, f):
            break
        txt = state.text_of(doc.containers[cid].lines)
        if clean_value(strip_hints(f, txt)):
            if not is_multiline(f):
                # One line of a cell is one value; extra lines are the
                # submitter's own wrapping.
                txt = " ".join(doc.lines[i].text for i in doc.containers[cid].lines)
            first = doc.lines[doc.containers[cid].lines[0]]
            return LocatedField(strip_hints(f, txt), list(doc.containers[cid].lines),
                         field_name=field_name_at(first, 0, len(first.text) or 1))
    # Value cell empty: the submitter may have typed under the label in its
    # own cell ("Name" then a line "Jo Bloggs").
    below = rest_of_container(state, cont.lines, line.pos)
    raw = strip_hints(f, state.text_of(below))
    if clean_value(raw):
        if not is_multiline(f):
            raw = raw.strip().split("\n")[0]
        return LocatedField(raw, below)
    header = value_under_header_row(state, f, cont)
    if header is not None:
        return header
    return LocatedField(None, [line.idx])


def value_in_own_cell(state: MapState, f: FieldDef, line: Line) -> LocatedField | None:
    """A label alone at the end of its row (or in a one-cell box): the
    value is under it in the same cell, or below a header row. None when
    the cell is a box with nothing else in it: the answer is then below
    the box, as for a paragraph."""
    doc = state.doc
    cont = doc.containers[line.container]
    below = rest_of_container(state, cont.lines, line.pos)
    texts = [doc.lines[i].text for i in below]
    if any(clean_value(strip_hints(f, t)) for t in texts):
        if not is_multiline(f):
            for i in below:
                if clean_value(strip_hints(f, doc.lines[i].text)):
                    below = [i]
                    break
        raw = strip_hints(f, state.text_of(below))
        return LocatedField(raw, below)
    header = value_under_header_row(state, f, cont)
    if header is not None:
        return header
    rest = [i for i in cont.lines[line.pos + 1:] if doc.lines[i].text.strip()]
    if not cont.box or rest:
        # Other labels follow in this cell: this one was left empty.
        return LocatedField(None, [line.idx])
    return None


def value_under_header_row(state: MapState, f: FieldDef, cont: Container) -> LocatedField | None:
    """A header row of labels over a row of values ("Name | Age" above
    "Jo | 14"): the value sits in the same column one row down."""
    doc = state.doc
    if not cont.next_row_cells or cont.col is None or len(cont.next_row_cells) <= cont.col \
            or len(cont.row_cells or []) < 2:
        return None
    # Every cell of the row is a label (some already used, so look at the
    # words, not at what is still unfilled).
    if not all(state.starts_with_strong_label(c) for c in cont.row_cells):
        return None
    cid = cont.next_row_cells[cont.col]
    if cell_is_label(state, cid):
        return None
    return LocatedField(strip_hints(f, state.text_of(doc.containers[cid].lines)), list(doc.containers[cid].lines))
