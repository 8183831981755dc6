"""The walk over a document's lines: section headings switch the section,
each label found is given to the field it names (the section and the
template's order settle a label used twice), and its value is located."""

from __future__ import annotations

from intake.parsers.templates.labels import LabelHit
from intake.parsers.templates.mapping.groups import split_group
from intake.parsers.templates.mapping.locate import locate_value
from intake.parsers.templates.mapping.state import CHOICE_TYPES, MapState, merge_same_field
from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import clean_value, norm
from intake.parsers.templates.units import Line


def walk_labels(state: MapState) -> None:
    section: str | None = None
    for line in state.doc.lines:
        if line.idx in state.consumed:
            continue
        sec = state.matcher.section_of(line.text)
        if sec:
            section = sec
            continue
        hits = merge_same_field(state.label_hits(line.idx))
        for n, hit in enumerate(hits):
            f = field_for_label(state, hit, section)
            if f is None:
                if hit.strong and n == 0:
                    note_repeated(state, hit, line, hits, section)
                continue
            if not hit.strong and f.type not in CHOICE_TYPES and f.key in state.found:
                continue
            end = hits[n + 1].label_start if n + 1 < len(hits) else len(line.text)
            found = locate_value(state, f, line, hit.value_start, end, is_last=n + 1 == len(hits))
            state.found[f.key] = found
            state.consumed.update(i for i in found.lines if i != line.idx)
            if f.type == "group":
                split_group(state, f, found)


def field_for_label(state: MapState, hit: LabelHit, section: str | None) -> FieldDef | None:
    """The field a label names, among those not yet found: the one in the
    current section, else the best match (template order breaks a tie)."""
    cands = [f for f, _ in hit.candidates]
    fresh = [f for f in cands if f.key not in state.found]
    if not fresh:
        return None
    if section:
        in_sec = [f for f in fresh if f.section == section]
        if in_sec:
            return in_sec[0]
    order = state.field_order()
    best = max(s for f, s in hit.candidates if f in fresh)
    tied = [f for f, s in hit.candidates if f in fresh and s >= best - 5]
    return min(tied, key=lambda f: order[f.key])


def note_repeated(state: MapState, hit: LabelHit, line: Line, hits: list[LabelHit], section: str | None) -> None:
    """A label already used, with a different answer after it: a second
    report in the same document, or a form with a section repeated. The
    record keeps the first; the reviewer must hear of the second."""
    cands = [c for c, _ in hit.candidates]
    f = next((c for c in cands if section and c.section == section), cands[0])
    if f.type == "group" or f.key in state.repeated:
        return
    end = hits[1].label_start if len(hits) > 1 else len(line.text)
    again = locate_value(state, f, line, hit.value_start, end, is_last=len(hits) == 1)
    a = clean_value(again.raw)
    seen = {norm(clean_value(state.found[c.key].raw) or "") for c in cands if c.key in state.found}
    if a and norm(a) not in seen:
        state.repeated.append(f.key)
        state.consumed.update(i for i in again.lines if i != line.idx)
