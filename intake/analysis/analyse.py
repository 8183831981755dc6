"""Parse one document and extract its entities: a pure function of bytes
and config, run in a worker process by analysis/workers.py."""

from __future__ import annotations

import logging
from datetime import date, datetime

from intake.exception_codes import EXTRACTION_ERROR, PARSER_ERROR
from intake.logs import log_fault
from intake.types import Document, DocumentAnalysis, ExceptionInfo, IntakeError, Mention, ParseOutcome

log = logging.getLogger(__name__)


def report_date(report_datetime, fallback: date | None) -> date | None:
    """The date relative expressions resolve against: the report's own date
    (its ``report_datetime`` value, ISO) when the form gives one, else the
    fallback (the e-mail's Date). Never today."""
    if isinstance(report_datetime, str):
        try:
            return datetime.fromisoformat(report_datetime).date()
        except ValueError:
            pass
    return fallback


def report_date_of(outcome: ParseOutcome, fallback: date | None) -> date | None:
    """``report_date`` of a fresh parse."""
    fv = outcome.record.fields.get("report_datetime") if outcome.record is not None else None
    return report_date(fv.value if fv is not None else None, fallback)


def analyse_document(doc: Document, fallback_date: date | None, settings=None,
                     template_id: str | None = None) -> DocumentAnalysis:
    from intake.extractors import extract_mentions
    from intake.matching.content_fingerprint import content_keys_of
    from intake.parsers import parse_document

    # The one boundary of the analysis stage: expected failures arrive as
    # codes; anything else is a fault in intake, which costs this document
    # (parser_error, or the record without entities), never the run.
    try:
        outcome = parse_document(doc, settings, message_date=fallback_date, template_id=template_id)
    except Exception as exc:
        log_fault(log, "parsing failed on document %s", exc, doc.sha256[:12])
        outcome = ParseOutcome(
            status="exception",
            exception=ExceptionInfo(
                PARSER_ERROR,
                f"The parser failed ({type(exc).__name__}). Open the original and key it in; "
                "the failure has been logged for the developers.",
            ),
        )
    mentions: list[Mention] = []
    if outcome.record is not None:
        try:
            mentions = extract_mentions(outcome.record, report_date_of(outcome, fallback_date), settings)
        except IntakeError as exc:
            # Keeps the inner detail: which recogniser, which setting disables it.
            log.error("extraction failed on document %s: %s", doc.sha256[:12], exc.code)
            outcome.warnings.append(exc.info())
        except Exception as exc:
            log_fault(log, "extraction failed on document %s", exc, doc.sha256[:12])
            outcome.warnings.append(ExceptionInfo(
                EXTRACTION_ERROR,
                f"Entity extraction failed ({type(exc).__name__}); the record was kept "
                "without entities. Reprocess after the fault is fixed.",
            ))
    keys = content_keys_of(outcome.record, outcome.text) if outcome.status == "parsed" else None
    return DocumentAnalysis(outcome, mentions, keys, indicators=_indicators(outcome))


def _indicators(outcome: ParseOutcome) -> list | None:
    """Safeguarding indicators in the record's text; the level is
    decided when the record is stored, where recurrence is known."""
    if outcome.record is None:
        return None
    from intake.triage.indicators import match_fields

    try:
        return match_fields({k: v.value for k, v in outcome.record.fields.items()})
    except Exception as exc:  # the store looks again; a fault here costs nothing else
        log_fault(log, "indicator matching failed", exc)
        return None
