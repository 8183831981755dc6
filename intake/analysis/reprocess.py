"""Analyse stored documents again, from their stored bytes (never from a
mailbox), after a template, gazetteer or setting changed, or an officer
chose a document's template.

The analysis runs outside any transaction (it can take minutes on a scan);
each document's result is then written in its own transaction by
store/review_actions.py, which keeps officers' corrections and decisions.
Used by ``intake reprocess`` and by the review app's reprocess buttons.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from intake.analysis import analyse
from intake.logs import log_fault
from intake.store import review_actions
from intake.store.db import Store
from intake.store.documents import get_document, stored_document
from intake.store.records import current_fields, field_values
from intake.types import DocumentAnalysis, IntakeError, ParseOutcome

log = logging.getLogger(__name__)


def extract_current(settings, record_row, report_date: date | None) -> DocumentAnalysis | None:
    """Entities of a stored record's values as they are now, officers'
    corrections included. None when extraction fails (the caller keeps
    what it had: a correction is never lost to an extractor fault)."""
    from intake.extractors.extract import extract_text_fields

    values = {k: v for k, v in field_values(record_row).items() if isinstance(v, str) and v.strip()}
    try:
        mentions = extract_text_fields(values, report_date, settings)
    except IntakeError as exc:
        log.error("extraction over corrected values failed: %s", exc.code)
        return None
    except Exception as exc:
        log_fault(log, "extraction over corrected values failed", exc)
        return None
    return DocumentAnalysis(ParseOutcome(status="parsed"), mentions)


def corrected_text(record_row) -> bool:
    return any(f.origin == "officer" and isinstance((f.value or {}).get("v"), str)
               for f in current_fields(record_row).values())


def report_date(values: dict, message_date) -> date | None:
    """``analyse.report_date`` of a stored record's values and its e-mail's Date."""
    return analyse.report_date(values.get("report_datetime"), message_date.date() if message_date else None)


def analyse_stored(store: Store, analyser, public_id: str,
                   template_id: str | None = None) -> tuple[DocumentAnalysis, str | None] | None:
    """(analysis, template used) of a stored document, or None if it is gone."""
    with store.session() as s:
        row = get_document(s, public_id)
        if row is None:
            return None
        doc, when = stored_document(s, row)
        template_id = template_id or row.template_override
    return analyser.analyse(doc, when, template_id=template_id), template_id


@dataclass
class ReprocessSummary:
    done: int = 0
    missing: int = 0
    status_changed: int = 0
    fields_changed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def reprocess(store: Store, analyser, public_ids, actor: review_actions.Actor, stop=None, settings=None) -> ReprocessSummary:
    out = ReprocessSummary()
    for pid in public_ids:
        if stop is not None and stop.is_set():
            break
        found = analyse_stored(store, analyser, pid)
        with store.transaction() as s:
            row = get_document(s, pid)
            if found is None or row is None:
                out.missing += 1
                continue
            change = review_actions.apply_reprocess(s, row, found[0], actor)
            if row.record is not None and corrected_text(row.record):
                # The analysis read the parser's text; an officer corrected
                # some of it: the mentions must come from what stands now.
                s.flush()
                values = field_values(row.record)
                current = extract_current(settings, row.record, report_date(values, row.message.date))
                if current is not None:
                    review_actions.set_mentions(s, row, current, actor)
                    change.mentions_after = len(current.mentions)
        out.done += 1
        out.status_changed += change.status_before != change.status_after
        out.fields_changed += bool(change.fields_changed)
        out.by_status[change.status_after] = out.by_status.get(change.status_after, 0) + 1
        log.info("reprocessed document %s: %s -> %s", row.id, change.status_before, change.status_after)
    return out
