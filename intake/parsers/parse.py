"""Entry point of the parsing stage: one Document in, one ParseOutcome out.

read_layout (readers/) turns bytes into a Layout; the template registry
(config/templates/*.toml) says which form it is and where each canonical
field sits. Every failure becomes an outcome with a code, never an exception
out of here: the pipeline must go on to the next document."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from intake.exception_codes import (
    LOW_OCR_CONFIDENCE,
    MISSING_REQUIRED_FIELD,
    OCR_NO_TEXT,
    TEMPLATE_INVALID,
    UNKNOWN_TEMPLATE,
)
from intake.parsers.support.mail_body import apply_forwarded
from intake.parsers.support.options import parsing_options
from intake.parsers.templates import Detection, build_doc, detect, load_registry, map_layout
from intake.parsers.templates.text import collapse
from intake.types import (
    Document,
    ExceptionInfo,
    FieldValue,
    IntakeError,
    Layout,
    ParseOutcome,
    Provenance,
    Record,
)

log = logging.getLogger(__name__)


def _read(doc: Document, settings: Any) -> Layout:
    from intake.parsers.readers import read_layout

    return read_layout(doc, settings)


def _confidence(layout: Layout) -> float | None:
    if not layout.ocr:
        return None
    confs = []
    for b in layout.blocks:
        c = getattr(b, "confidence", None)
        if c is not None:
            confs.append(c)
        for row in getattr(b, "rows", []) or []:
            confs += [cell.confidence for cell in row if cell.confidence is not None]
    return round(sum(confs) / len(confs), 3) if confs else None


def _free_text(text: str, layout: Layout) -> Record:
    narrative = collapse(text)
    prov = Provenance(source=layout.source or None)
    return Record(
        template="free_text",
        version="1",
        fields={"incident.narrative": FieldValue(narrative, raw=text, provenance=prov,
                                                 confidence=_confidence(layout))},
    )


def _not_a_report_reason(det, layout: Layout, text: str) -> str:
    """Why, in words a reviewer can check: the kind matched, or how little
    text there was and where it came from."""
    parts = [det.reason or f"matches {det.not_a_report_kind}"]
    if det.not_a_report_kind == "empty":
        read = f"{len(''.join(text.split()))} characters of text were read"
        if layout.pages:
            read += f" from {layout.pages} page{'s' if layout.pages != 1 else ''}"
        if layout.ocr:
            read += " by OCR"
        parts.append(read)
    parts.extend(layout.notes)
    return "; ".join(parts)


def interpret(layout: Layout, settings: Any = None, is_body: bool = False,
              message_date: dt.date | None = None, template_id: str | None = None) -> ParseOutcome:
    """Layout -> outcome: detection, then mapping or free text. Public so
    tests and tools can feed a Layout without bytes. ``message_date`` is
    the e-mail's date: the reference for two-digit years. ``template_id``
    skips detection: an officer has said which form it is (or "free_text")."""
    text = layout.plain_text()
    out = ParseOutcome(status="parsed", text=text, reader=layout.source,
                       ocr_confidence=_confidence(layout))
    # Whatever the reader met reaches the record and the queue, whatever
    # the document turns out to be.
    out.warnings.extend(layout.warnings)
    floor = parsing_options(settings).min_ocr_confidence
    if out.ocr_confidence is not None and out.ocr_confidence < floor:
        out.warnings.append(ExceptionInfo(
            LOW_OCR_CONFIDENCE,
            f"OCR read the scan with a mean confidence of {out.ocr_confidence:.0%} (below "
            f"{floor:.0%}, parsing.min_ocr_confidence); check every value against the scan."))
    registry = load_registry(settings)
    doc = build_doc(layout)
    det = detect(doc, registry, is_body=is_body) if template_id is None else chosen(registry, template_id)
    scores = ", ".join(f"{tid} {s:.2f}" for tid, s in det.scores[:4])
    if det.kind == "not_a_report":
        out.status = "not_a_report"
        why = _not_a_report_reason(det, layout, text)
        out.record = Record(template="free_text", version="1",
                            notes=[f"not_a_report: {det.not_a_report_kind}: {why}", f"scores: {scores}"])
        if layout.ocr and det.not_a_report_kind == "empty" \
                and not any(w.code == OCR_NO_TEXT for w in out.warnings):
            # A scan that gave no text may be a faint or photographed form:
            # a person looks, rather than it passing as "not a report".
            out.warnings.append(ExceptionInfo(OCR_NO_TEXT, f"Not a report because {why}."))
        return out
    if det.kind == "unknown_template":
        out.status = "exception"
        out.exception = ExceptionInfo(
            UNKNOWN_TEMPLATE,
            "The document looks like a form but matches no known template "
            f"(best scores: {scores}). Key it in by hand, or add a template for this form.",
        )
        return out
    if det.kind == "free_text":
        out.record = _free_text(text, layout)
        out.record.notes.append(f"scores: {scores}")
        out.record.notes.extend(layout.notes)
        apply_forwarded(out.record, layout.forwarded)
        return out
    tpl = det.template
    result = map_layout(doc, tpl, message_date=message_date)
    rec = result.record
    rec.notes.append(f"template {tpl.id} v{tpl.version}; scores: {scores}")
    rec.notes.extend(layout.notes)
    apply_forwarded(rec, layout.forwarded)
    out.record = rec
    out.warnings.extend(result.warnings)
    missing = [f.key for f in tpl.fields if f.required and rec.fields.get(f.key, FieldValue(None)).value in (None, "")]
    if missing:
        out.status = "exception"
        out.exception = ExceptionInfo(
            MISSING_REQUIRED_FIELD,
            f"{', '.join(missing)} empty or not found on this {tpl.name} form; "
            "check the original and key the missing part in.",
        )
    return out


def chosen(registry, template_id: str) -> Detection:
    """The detection an officer's choice of template stands for."""
    if template_id == "free_text":
        return Detection(kind="free_text", scores=[])
    tpl = registry.get(template_id)
    if tpl is None:
        raise IntakeError(TEMPLATE_INVALID, f"there is no template {template_id!r}")
    return Detection(kind="template", template=tpl, scores=[])


def parse_document(doc: Document, settings: Any = None, message_date: dt.date | None = None,
                   template_id: str | None = None) -> ParseOutcome:
    """Expected failures (damaged, encrypted, unsupported...) come back as an
    outcome with their code. A fault in intake itself propagates: the one
    boundary that turns it into ``parser_error`` is analysis/analyse.py.
    ``message_date``: the e-mail's date, so that a form's dates never depend
    on the day it is processed."""
    try:
        layout = _read(doc, settings)
    except IntakeError as exc:
        return ParseOutcome(status="exception", exception=exc.info())
    try:
        return interpret(layout, settings, is_body=doc.kind == "body", message_date=message_date,
                         template_id=template_id)
    except IntakeError as exc:
        return ParseOutcome(status="exception", exception=exc.info(), text=layout.plain_text(),
                            reader=layout.source)
