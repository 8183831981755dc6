"""Found text → the typed canonical record (docs/forms.md): dates, integers,
grades, choices; with where each value came from and, when a value cannot
be read, a record-level warning that says why (never quoting the text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from intake.exception_codes import AMBIGUOUS_VALUE, REPEATED_FIELD, UNREADABLE_VALUE
from intake.parsers.templates import values
from intake.parsers.templates.mapping.state import CHOICE_TYPES, LocatedField, MapState
from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import clean_value, trim_ocr_noise
from intake.types import ExceptionInfo, FieldValue, Provenance, Record


@dataclass
class MapResult:
    record: Record
    warnings: list[ExceptionInfo]
    labels_found: int


def build_record(state: MapState, message_date: dt.date | None = None) -> MapResult:
    """``message_date`` (the e-mail's Date) is the reference for two-digit
    years until the report's own date is read; never the day of processing."""
    t = state.template
    warnings: list[ExceptionInfo] = []
    fields: dict[str, FieldValue] = {}
    ref_year = message_date.year if message_date is not None else None
    # The report's own date first: it is the reference for two-digit years.
    for f in sorted(t.fields, key=lambda f: f.key != "report_datetime"):
        fd = state.found.get(f.key)
        if fd is None:
            fields[f.key] = FieldValue(None, note="label not found")
            continue
        prov, conf = where_from(state, fd)
        raw = fd.raw
        value, problem = typed_value(state, f, fd, ref_year)
        if f.key == "report_datetime" and isinstance(value, str):
            ref_year = int(value[:4])
        note = None
        if problem:
            ambiguous = f.type in CHOICE_TYPES or "more than one" in problem
            code = AMBIGUOUS_VALUE if ambiguous else UNREADABLE_VALUE
            note = f"{code}: {problem}"
            warnings.append(ExceptionInfo(code, f"{f.key}: {problem}; check the original form"))
        fields[f.key] = FieldValue(value, raw=raw.strip() if raw else None,
                                   provenance=prov, confidence=conf, note=note)
    if state.repeated:
        warnings.append(ExceptionInfo(
            REPEATED_FIELD,
            f"{', '.join(state.repeated)} answered more than once; only the first answer is in the "
            "record. Check whether the document holds more than one report."))
    ordered = {f.key: fields[f.key] for f in t.fields}
    rec = Record(template=t.id, version=t.version, fields=ordered)
    return MapResult(rec, warnings, len(state.found))


def _ocr(state: MapState, fd: LocatedField) -> bool:
    return any(state.doc.lines[i].confidence is not None for i in fd.lines) or state.doc.ocr


def where_from(state: MapState, fd: LocatedField) -> tuple[Provenance, float | None]:
    """Provenance of the value's first line, and the lowest OCR confidence
    among its lines."""
    if not fd.lines:
        return Provenance(field=fd.field_name, source="acroform"), None
    first = state.doc.lines[fd.lines[0]]
    p = first.provenance
    prov = Provenance(page=p.page, table=p.table, row=p.row, cell=p.cell,
                      field=fd.field_name or p.field, source=p.source)
    confs = [state.doc.lines[i].confidence for i in fd.lines
             if state.doc.lines[i].confidence is not None]
    return prov, (min(confs) if confs else None)


def typed_value(state: MapState, f: FieldDef, fd: LocatedField, ref_year: int | None):
    if f.type in CHOICE_TYPES:
        parts = [p for p in fd.parts if p is not None]
        value, problem = values.to_bool_or_choice(parts, f.options, f.type == "bool")
        if value is None and problem is None and clean_value(" ".join(parts)) \
                and not values.is_dont_know(" ".join(parts)):
            problem = "the answer could not be read as one of the options"
        return value, problem
    text = clean_value(fd.raw)
    if text and _ocr(state, fd):
        text = clean_value(trim_ocr_noise(text))
    if text is None:
        return None, None
    if f.type in ("text", "multiline"):
        return text, None
    if f.type == "datetime":
        return values.to_datetime(text, ref_year, with_time=True)
    if f.type == "date":
        return values.to_datetime(text, ref_year, with_time=False)
    if f.type == "integer":
        lo = f.min if f.min is not None else 0
        hi = f.max if f.max is not None else 120
        return values.to_integer(text, lo, hi, ref_year)
    if f.type == "grade":
        return values.to_grade(text, f.min, f.max)
    return text, None
