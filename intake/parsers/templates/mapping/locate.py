"""Where a field's value is, given the line its label is on. The order is
the order submitters are most often seen to use: after the label on its
line, in the next cell, under the label in its cell, under a header row,
on the lines below (or in the box below, for free text). Tick-box and
yes/no answers gather every cell or line that may hold an option."""

from __future__ import annotations

from intake.parsers.templates import values
from intake.parsers.templates.mapping.below import lines_below, paragraphs_below, rest_of_container
from intake.parsers.templates.mapping.cells import (
    cell_is_label,
    empty_slot,
    next_cells,
    value_in_own_cell,
    value_in_row,
)
from intake.parsers.templates.mapping.hints import strip_hints
from intake.parsers.templates.mapping.state import (
    CHOICE_TYPES,
    LocatedField,
    MapState,
    field_name_at,
    is_multiline,
)
from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import clean_value
from intake.parsers.templates.units import Line


def locate_value(state: MapState, f: FieldDef, line: Line, vstart: int, vend: int, is_last: bool) -> LocatedField:
    """``line.text[vstart:vend]`` is what follows the label on its line (up
    to the next label); ``is_last``: no other label follows on the line."""
    if f.type in CHOICE_TYPES:
        return choice_answer(state, f, line, line.text[vstart:vend], is_last)
    inline = line.text[vstart:vend]
    if clean_value(strip_hints(f, inline)):
        return value_after_label(state, f, line, inline, vstart, vend)
    if not is_last or empty_slot(state, line, vstart, vend):
        return LocatedField(None, [line.idx], field_name=field_name_at(line, vstart, vend))
    cells = next_cells(state, line)
    if cells is not None:
        return value_in_row(state, f, line, cells)
    if state.doc.containers[line.container].kind == "cell":
        found = value_in_own_cell(state, f, line)
        if found is not None:
            return found
    return value_below(state, f, line)


def value_after_label(state: MapState, f: FieldDef, line: Line, inline: str, vstart: int,
                      vend: int) -> LocatedField:
    """"Label: value" on one line; a free-text answer carries on over the
    following lines of its cell or paragraphs."""
    lines = [line.idx]
    raw = inline
    if is_multiline(f):
        cont = state.doc.containers[line.container]
        more = rest_of_container(state, cont.lines, line.pos)
        if cont.kind == "para":
            more = paragraphs_below(state, line)
        lines += more
        raw = state.text_of(more, first=inline)
    return LocatedField(raw, lines, field_name=field_name_at(line, vstart, vend))


def value_below(state: MapState, f: FieldDef, line: Line) -> LocatedField:
    """A label in a paragraph (or a box): the value is below it."""
    if is_multiline(f):
        below = paragraphs_below(state, line, f)
        raw = strip_hints(f, state.text_of(below))
        return LocatedField(raw or None, below)
    texts, below = lines_below(state, line, short=False, max_lines=1, f=f)
    raw = strip_hints(f, texts[0]) if texts else None
    return LocatedField(raw, below)


def choice_answer(state: MapState, f: FieldDef, line: Line, inline: str, is_last: bool) -> LocatedField:
    """The text that may hold the chosen option: after the label, the
    cells of the row (option and tick cells), or a few short lines below."""
    doc = state.doc
    parts = [inline] if inline.strip() else []
    used = [line.idx]
    if is_last:
        cells = next_cells(state, line)
        if cells:
            prev = None
            for cid in cells:
                if cell_is_label(state, cid) and not has_option(f, doc.container_text(cid)):
                    break
                txt = doc.container_text(cid)
                # A merged cell may come through as copies side by side.
                if txt.strip() and txt == prev:
                    continue
                prev = txt
                parts.append(txt)
                used += doc.containers[cid].lines
        elif not has_option(f, inline):
            parts_below, below = lines_below(state, line, short=True, max_lines=4)
            parts += parts_below
            used += below
    return LocatedField(" ".join(p for p in parts if p.strip()) or None, used, parts)


def has_option(f: FieldDef, text: str) -> bool:
    return values.read_choice([text], f.options).status != "empty"
