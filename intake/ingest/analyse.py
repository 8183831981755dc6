"""Parse one document and extract its entities: a pure function of bytes
and config, run in a worker process by ingest/workers.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from intake.types import Document, ExceptionInfo, Mention, ParseOutcome

log = logging.getLogger(__name__)


@dataclass
class DocumentAnalysis:
    outcome: ParseOutcome
    mentions: list[Mention] = field(default_factory=list)


def report_date_of(outcome: ParseOutcome, fallback: date | None) -> date | None:
    """The date relative expressions resolve against: the report's own date
    when the form gives one, else the e-mail's Date. Never today."""
    if outcome.record is not None:
        fv = outcome.record.fields.get("report_datetime")
        if fv is not None and isinstance(fv.value, str):
            try:
                return datetime.fromisoformat(fv.value).date()
            except ValueError:
                pass
    return fallback


def analyse_document(doc: Document, fallback_date: date | None, settings=None) -> DocumentAnalysis:
    from intake.extractors import extract_mentions
    from intake.parsers import parse_document

    try:
        outcome = parse_document(doc, settings)
    except Exception as exc:  # a parser bug must cost one document, not the run
        log.exception("parser failed on document %s", doc.sha256[:12])
        outcome = ParseOutcome(
            status="exception",
            exception=ExceptionInfo(
                "parser_error",
                f"The parser failed ({type(exc).__name__}). Open the original and key it in; "
                "the failure has been logged for the developers.",
            ),
        )
    mentions: list[Mention] = []
    if outcome.record is not None:
        try:
            mentions = extract_mentions(outcome.record, report_date_of(outcome, fallback_date), settings)
        except Exception as exc:
            log.exception("extraction failed on document %s", doc.sha256[:12])
            outcome.warnings.append(ExceptionInfo(
                "extraction_error",
                f"Entity extraction failed ({type(exc).__name__}); the record was kept "
                "without entities. Reprocess after the fault is fixed.",
            ))
    return DocumentAnalysis(outcome, mentions)
