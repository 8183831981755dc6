"""A box that holds several fields (Met box 1: name, role, agency and
contact): its text shared among the member fields."""

from __future__ import annotations

from intake.parsers.templates.mapping.state import Found, MapState
from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import clean_value


def split_group(state: MapState, g: FieldDef, found: Found) -> None:
    """By the members' own labels inside the box ("Name: ... Role: ..."),
    else one line (or one comma part) each in order, else all of it to the
    first member."""
    members = [k for k in state.template.members.get(g.key, ()) if k not in state.found]
    if not members or not clean_value(found.raw):
        for k in members:
            state.found[k] = Found(None, found.lines, field_name=found.field_name)
        return
    text = found.raw or ""
    lines = [ln for ln in text.split("\n") if clean_value(ln)]
    got = _by_labels(state, lines, members)
    if not got:
        parts = lines
        if len(parts) == 1:
            commas = [p for p in parts[0].split(",") if p.strip()]
            parts = commas if len(commas) == len(members) else parts
        if 1 < len(parts) <= len(members) or len(members) == 1:
            got = dict(zip(members, parts))
        else:
            got = {members[0]: text}
    for k in members:
        state.found[k] = Found(got.get(k), found.lines, field_name=found.field_name)


def _by_labels(state: MapState, lines: list[str], members: list[str]) -> dict[str, str]:
    got: dict[str, str] = {}
    for ln in lines:
        hits = state.matcher.find(ln, allow_prefix=False)
        for n, h in enumerate(hits):
            cands = [f for f, _ in h.candidates if f.key in members and f.key not in got]
            if not cands:
                continue
            end = hits[n + 1].label_start if n + 1 < len(hits) else len(ln)
            got[cands[0].key] = ln[h.value_start:end]
    return got
