"""AcroForm fields that stand alone (no table cell around them): matched by
their tooltip or name, filling only what the page text left empty. A check
box named for a question and an option ("WillingYes") answers that
question."""

from __future__ import annotations

import re

from intake.parsers.templates import values
from intake.parsers.templates.mapping.groups import split_group
from intake.parsers.templates.mapping.state import CHOICE_TYPES, LocatedField, MapState
from intake.parsers.templates.text import clean_value, norm
from intake.types import FormField


def field_words(name: str) -> str:
    """A form designer's field name as words: "box3_problem",
    "PostJobTitle", "WillingYes" -> "problem", "post job title", "willing yes"."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return re.sub(r"^(?:box|field|txt|text|check)?\s*\d+\s*", "", text, flags=re.I).strip()


def map_loose_fields(state: MapState) -> None:
    boxes: dict[str, list[str]] = {}
    for ff in state.doc.loose_fields:
        if ff.kind == "checkbox":
            _loose_checkbox(state, ff, boxes)
            continue
        if not (ff.value or "").strip():
            continue
        for name in (ff.label, ff.name):
            if not name:
                continue
            cands = state.matcher.match(field_words(name)) or state.matcher.match(name.replace("_", " "))
            if not cands:
                continue
            f = cands[0][0]
            prev = state.found.get(f.key)
            if prev is None or clean_value(prev.raw) is None:
                state.found[f.key] = LocatedField(ff.value, [], [ff.value], field_name=ff.name)
                if f.type == "group":
                    split_group(state, f, state.found[f.key])
            break
    for key, parts in boxes.items():
        prev = state.found.get(key)
        if prev is None or values.read_choice(prev.parts or [prev.raw or ""],
                                              state.template.field(key).options).status != "ok":
            state.found[key] = LocatedField(" ".join(parts), [], parts)


def _loose_checkbox(state: MapState, ff: FormField, boxes: dict[str, list[str]]) -> None:
    for name in (ff.label, ff.name):
        if not name:
            continue
        words = norm(field_words(name)).split()
        for f in state.template.fields:
            if f.type not in CHOICE_TYPES:
                continue
            for wordings in f.options.values():
                for w in wordings:
                    ow = norm(w).split()
                    if not ow or words[-len(ow):] != ow or len(words) == len(ow):
                        continue
                    rest = set(words[: -len(ow)])
                    vocab = {t for lab in f.labels + f.keys for t in norm(lab).split()}
                    if rest and rest <= vocab:
                        mark = "☒" if ff.checked else "☐"
                        boxes.setdefault(f.key, []).append(f"{w} {mark}")
                        return
