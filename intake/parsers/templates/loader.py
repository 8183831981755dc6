"""TOML file -> Template / NotAReport, with errors that name the file and the
key to fix (a force's analyst writes these files, not a developer)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from intake.exception_codes import TEMPLATE_INVALID
from intake.parsers.templates.model import (
    FIELD_TYPES,
    FieldDef,
    NotAReport,
    NotAReportKind,
    Template,
)
from intake.types import IntakeError


def _err(src: str, what: str) -> IntakeError:
    return IntakeError(TEMPLATE_INVALID, f"template file {src}: {what}")


def _strs(value: Any, src: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(src, f"{where} must be a list of strings")
    return tuple(v for v in value if v.strip())


_FIELD_KEYS = {"labels", "type", "required", "keys", "hints", "section", "options", "min", "max", "box"}
_TOP_KEYS = {"id", "version", "name", "recognition", "fields", "sections", "boilerplate", "groups", "kind"}


def _no_strangers(table: dict[str, Any], allowed: set[str], src: str, where: str) -> None:
    # A misplaced key (TOML puts everything after [a.b] into that table) would
    # otherwise be ignored without a word.
    extra = sorted(set(table) - allowed)
    if extra:
        raise _err(src, f"{where} has unknown key(s) {', '.join(extra)}; "
                   f"allowed: {', '.join(sorted(allowed))}")


def _field(key: str, table: Any, src: str) -> FieldDef:
    if not isinstance(table, dict):
        raise _err(src, f"fields.\"{key}\" must be a table")
    _no_strangers(table, _FIELD_KEYS, src, f"fields.\"{key}\"")
    ftype = table.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise _err(src, f"fields.\"{key}\".type {ftype!r} is not one of {', '.join(FIELD_TYPES)}")
    labels = _strs(table.get("labels"), src, f"fields.\"{key}\".labels")
    if not labels:
        raise _err(src, f"fields.\"{key}\" needs at least one label")
    options: dict[str, tuple[str, ...]] = {}
    raw_opts = table.get("options", {})
    if not isinstance(raw_opts, dict):
        raise _err(src, f"fields.\"{key}\".options must be a table")
    for value, wordings in raw_opts.items():
        options[value] = _strs(wordings, src, f"fields.\"{key}\".options.{value}")
    if ftype == "choice" and len(options) < 2:
        raise _err(src, f"fields.\"{key}\" is a choice and needs two or more options")
    if ftype == "bool" and not options:
        options = {"true": ("Yes", "Y"), "false": ("No", "N")}
    box = _box(table, src, f"fields.\"{key}\"")
    lo, hi = table.get("min"), table.get("max")
    if ftype == "grade" and not (isinstance(lo, int) and isinstance(hi, int) and lo < hi):
        raise _err(src, f"fields.\"{key}\" is a grade and needs integer min < max")
    return FieldDef(
        key=key,
        labels=labels,
        type=ftype,
        required=bool(table.get("required", False)),
        keys=_strs(table.get("keys"), src, f"fields.\"{key}\".keys"),
        hints=_strs(table.get("hints"), src, f"fields.\"{key}\".hints"),
        section=table.get("section"),
        options=options,
        min=lo,
        max=hi,
        box=box,
    )


def _box(table: dict[str, Any], src: str, where: str) -> int | None:
    box = table.get("box")
    if box is not None and (not isinstance(box, int) or isinstance(box, bool) or not 0 < box < 100):
        raise _err(src, f"{where}.box must be a box number from 1 to 99")
    return box


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise _err(path.name, f"cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(path.name, f"is not valid TOML ({exc})") from None


def template_from_dict(data: dict[str, Any], src: str) -> Template:
    for key in ("id", "version"):
        if not isinstance(data.get(key), (str, int)) or not str(data.get(key)).strip():
            raise _err(src, f"'{key}' is missing")
    _no_strangers(data, _TOP_KEYS, src, "the file")
    rec = data.get("recognition", {})
    _no_strangers(rec, {"threshold", "titles", "labels"}, src, "[recognition]")
    for name, t in data.get("sections", {}).items():
        if isinstance(t, dict):
            _no_strangers(t, {"headings"}, src, f"[sections.{name}]")
    for name, g in data.get("groups", {}).items():
        if isinstance(g, dict):
            _no_strangers(g, {"labels", "keys", "hints", "members", "box"}, src, f"[groups.{name}]")
    fields_t = data.get("fields", {})
    if not isinstance(fields_t, dict) or not fields_t:
        raise _err(src, "has no [fields.*] tables")
    fields = tuple(_field(k, v, src) for k, v in fields_t.items())
    sections = {
        name: _strs(t.get("headings") if isinstance(t, dict) else t, src, f"sections.{name}")
        for name, t in data.get("sections", {}).items()
    }
    for f in fields:
        if f.section and f.section not in sections:
            raise _err(src, f"fields.\"{f.key}\".section {f.section!r} has no [sections.{f.section}]")
    keys = {f.key for f in fields}
    groups, members = [], {}
    for name, g in data.get("groups", {}).items():
        if not isinstance(g, dict):
            raise _err(src, f"groups.{name} must be a table")
        mem = _strs(g.get("members"), src, f"groups.{name}.members")
        unknown = [m for m in mem if m not in keys]
        if not mem or unknown:
            raise _err(src, f"groups.{name}.members must name fields of this template"
                       + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
        labels = _strs(g.get("labels"), src, f"groups.{name}.labels")
        if not labels:
            raise _err(src, f"groups.{name} needs at least one label")
        gkey = f"group:{name}"
        groups.append(FieldDef(key=gkey, labels=labels, type="group",
                               keys=_strs(g.get("keys"), src, f"groups.{name}.keys"),
                               hints=_strs(g.get("hints"), src, f"groups.{name}.hints"),
                               box=_box(g, src, f"groups.{name}")))
        members[gkey] = mem
    boxes = [f.box for f in fields + tuple(groups) if f.box is not None]
    if len(boxes) != len(set(boxes)):
        raise _err(src, "two fields claim the same box number")
    threshold = rec.get("threshold", 0.5)
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise _err(src, "recognition.threshold must be a number in (0, 1]")
    titles = _strs(rec.get("titles"), src, "recognition.titles")
    rlabels = _strs(rec.get("labels"), src, "recognition.labels")
    if not titles and not rlabels:
        raise _err(src, "recognition needs titles or labels")
    return Template(
        id=str(data["id"]),
        version=str(data["version"]),
        name=str(data.get("name", data["id"])),
        fields=fields,
        titles=titles,
        recognition_labels=rlabels,
        threshold=float(threshold),
        sections=sections,
        boilerplate=_strs(data.get("boilerplate"), src, "boilerplate"),
        groups=tuple(groups),
        members=members,
        source=src,
    )


def not_a_report_from_dict(data: dict[str, Any], src: str) -> NotAReport:
    kinds = []
    for name, t in data.get("kinds", {}).items():
        phrases = _strs(t.get("phrases"), src, f"kinds.{name}.phrases")
        min_hits = t.get("min_hits", 2)
        if not phrases or not isinstance(min_hits, int) or min_hits < 1:
            raise _err(src, f"kinds.{name} needs phrases and min_hits >= 1")
        kinds.append(NotAReportKind(name, phrases, min_hits, t.get("veto_hits")))
    cues = data.get("form_cues", {})
    if not isinstance(cues, dict):
        raise _err(src, "form_cues must be a table with titles and terms")
    _no_strangers(cues, {"titles", "terms", "general"}, src, "form_cues")
    return NotAReport(tuple(kinds), int(data.get("min_text_chars", 25)), src,
                      form_titles=_strs(cues.get("titles", []), src, "form_cues.titles"),
                      form_terms=_strs(cues.get("terms", []), src, "form_cues.terms"),
                      form_general=_strs(cues.get("general", []), src, "form_cues.general"))


def load_file(path: Path) -> Template | NotAReport:
    data = _read(path)
    if data.get("kind") == "not_a_report":
        return not_a_report_from_dict(data, path.name)
    return template_from_dict(data, path.name)
