"""Values written under their label: the rest of the label's own cell, the
next lines of a paragraph, or the one-cell box the form provides for a
free-text answer."""

from __future__ import annotations

from intake.parsers.templates.mapping.hints import strip_hints
from intake.parsers.templates.mapping.state import MapState
from intake.parsers.templates.text import clean_value, is_furniture
from intake.parsers.templates.units import Line

NEXT_LINE_LOOKAHEAD = 3  # blank lines skipped looking for a value below a label


def rest_of_container(state: MapState, cont_lines: list[int], after_pos: int) -> list[int]:
    """The lines after position ``after_pos`` in a container, up to the
    next label, heading or printed guidance."""
    out = []
    for i in cont_lines[after_pos + 1:]:
        if is_furniture(state.doc.lines[i].text):
            continue
        if state.ends_value(i):
            break
        out.append(i)
    return out


def lines_below(state: MapState, line: Line, short: bool, max_lines: int,
                f=None) -> tuple[list[str], list[int]]:
    """Values on the lines after a label in a paragraph: skip blank lines
    and guidance; stop at another label, a heading or a table row. With
    the field ``f``, its printed hint on a line of its own is skipped and a
    hint before the value on one line ("How does ... know it is true?<tab>The
    young person told me", a form pasted into an e-mail) is cut off: a hint
    may read like a label of the field and would otherwise end the search."""
    doc = state.doc
    out_t, out_i = [], []
    blanks = 0
    src_box = doc.containers[line.container].box
    for i in range(line.idx + 1, len(doc.lines)):
        ln = doc.lines[i]
        cont = doc.containers[ln.container]
        if cont.kind == "cell" and not cont.box and not src_box:
            break
        if not ln.text.strip() or clean_value(ln.text) is None or is_furniture(ln.text):
            blanks += 1
            if blanks > NEXT_LINE_LOOKAHEAD:
                break
            continue
        if f is not None and f.hints:
            rest = strip_hints(f, ln.text)
            if rest != ln.text:
                if not clean_value(rest):
                    continue  # the hint alone
                out_t.append(rest.strip())
                out_i.append(i)
                if len(out_t) >= max_lines:
                    break
                continue
        if state.ends_value(i) and not (short and _only_options(state, i)):
            break
        if state.matcher.is_boilerplate(ln.text):
            continue
        if short and len(ln.text.split()) > 8:
            break
        if ln.text.rstrip().endswith(":"):
            break
        out_t.append(ln.text)
        out_i.append(i)
        if len(out_t) >= max_lines:
            break
    return out_t, out_i


def _only_options(state: MapState, i: int) -> bool:
    """A short line ("Yes / No") that may look like a label but is the
    options of the question above."""
    return len(state.doc.lines[i].text.split()) <= 6


def paragraphs_below(state: MapState, line: Line, f=None) -> list[int]:
    """A free-text answer under its label: the one-cell box the form
    provides (guidance printed between label and box is skipped), or else
    the following paragraphs; ends at the next label or footer. The field's
    own hint (``f``) is taken in, to be cut off by the caller, even when it
    reads like a label."""
    doc = state.doc
    paras: list[int] = []
    for i in range(line.idx + 1, len(doc.lines)):
        ln = doc.lines[i]
        cont = doc.containers[ln.container]
        if cont.kind == "cell":
            if cont.box:
                # The box is where the answer goes; what came between was
                # printed text, unless the box is unused and text was typed.
                box = [j for j in cont.lines if not state.matcher.is_boilerplate(doc.lines[j].text)]
                if any(clean_value(doc.lines[j].text) for j in box):
                    return trim_blank(state, box)
                return []
            break
        if is_furniture(ln.text):
            continue
        if state.matcher.is_boilerplate(ln.text):
            if any(clean_value(doc.lines[j].text) for j in paras):
                break
            continue
        if f is not None and f.hints and not paras and strip_hints(f, ln.text) != ln.text:
            paras.append(i)
            continue
        hs = state.label_hits(i)
        if hs and hs[0].strong or state.matcher.section_of(ln.text):
            break
        paras.append(i)
    return trim_blank(state, paras)


def trim_blank(state: MapState, ids: list[int]) -> list[int]:
    ids = list(ids)
    while ids and not state.doc.lines[ids[-1]].text.strip():
        ids.pop()
    while ids and not state.doc.lines[ids[0]].text.strip():
        ids.pop(0)
    return ids
