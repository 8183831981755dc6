"""The slow work behind the review app's buttons: mapping a document on a
chosen template, extracting entities again after a correction, and
reprocessing documents in the background.

Analysis runs in one isolated worker process (analysis/workers.py: time and
memory limits, killed and replaced if a document hangs or blows up), shared
by the buttons and the background reprocessor, one document at a time.
Reprocess requests are rows in the store (``reprocess_requested_at``), so a
restart of the app loses none; the background thread works through them
oldest first.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from intake.analysis.reprocess import analyse_stored, extract_current, reprocess
from intake.analysis.workers import make_analyser
from intake.exception_codes import TEMPLATE_INVALID
from intake.logs import log_fault
from intake.store import review_actions, review_faults
from intake.store.db import Store
from intake.store.documents import get_document
from intake.types import DocumentAnalysis, FieldValue, IntakeError, Record

log = logging.getLogger(__name__)
POLL_S = 5.0


class Workbench:
    def __init__(self, store: Store, settings, *, background: bool = True):
        self.store = store
        self.settings = settings
        self._analyser = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        if background:
            self._thread = threading.Thread(target=self._loop, name="intake-reprocess", daemon=True)
            self._thread.start()

    # -- analysis -------------------------------------------------------

    def _analyse(self, public_id: str, template_id: str | None):
        with self._lock:
            if self._analyser is None:
                self._analyser = make_analyser(self.settings)
            return analyse_stored(self.store, self._analyser, public_id, template_id)

    def analyse_with_template(self, public_id: str, template_id: str) -> DocumentAnalysis | None:
        """The document mapped on the template an officer chose. When the
        file gives no record at all (damaged, a photo of a form), an empty
        record of that template to key in by hand."""
        found = self._analyse(public_id, template_id)
        if found is None:
            return None
        analysis = found[0]
        if analysis.outcome.record is None:
            analysis.outcome.record = empty_record(self.settings, template_id)
        return analysis

    def analyse_detected(self, public_id: str) -> DocumentAnalysis | None:
        """The document analysed as the pipeline would now (templates
        detected, no officer's choice): after a template is taught."""
        found = self._analyse(public_id, None)
        return found[0] if found is not None else None

    def extract(self, record_row, report_date: date | None) -> DocumentAnalysis | None:
        """Entities of a record's current values (after a correction)."""
        return extract_current(self.settings, record_row, report_date)

    # -- background reprocessing ---------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def run_pending(self, limit: int = 20) -> int:
        """Reprocess the documents that are due, each on its own: one that
        fails is recorded on its document and waits (store/review_faults.py)
        while the rest go on. Returns how many were tried."""
        with self.store.session() as s:
            pending = [(d.public_id, d.reprocess_requested_by) for d in review_faults.due_reprocess(s, limit)]
        tried = 0
        for pid, who in pending:
            if self._stop.is_set():
                break
            tried += 1
            try:
                with self._lock:
                    if self._analyser is None:
                        self._analyser = make_analyser(self.settings)
                    reprocess(self.store, self._analyser, [pid], review_actions.Actor(f"user:{who or 'unknown'}"),
                              settings=self.settings)
            except Exception as exc:  # noqa: BLE001 - one document's fault must not stop the others
                code = exc.code if isinstance(exc, IntakeError) else "fault"
                if not isinstance(exc, IntakeError):
                    log_fault(log, "background reprocessing of a document failed", exc)
                try:
                    with self.store.transaction() as s:
                        review_faults.record_reprocess_failure(s, pid, code)
                except Exception as again:  # noqa: BLE001 - the store itself may be failing: next round
                    log_fault(log, "recording a failed reprocess failed", again)
                continue
            with self.store.transaction() as s:
                doc = get_document(s, pid)
                if doc is not None and doc.reprocess_failures:
                    review_faults.clear_reprocess_failures(s, doc, f"user:{who or 'unknown'}")
        return tried

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self.run_pending() == 0:
                    self._wake.wait(POLL_S)
                    self._wake.clear()
            except Exception as exc:  # keep the app up; the request rows stay for the next round
                log_fault(log, "background reprocessing failed", exc)
                self._stop.wait(POLL_S)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
        with self._lock:
            if self._analyser is not None:
                self._analyser.close()
                self._analyser = None


def template_choices(settings) -> list[tuple[str, str]]:
    """(id, name) of every template an officer can choose, free text last."""
    from intake.parsers.templates import load_registry

    reg = load_registry(settings)
    out = sorted(((t.id, t.name) for t in reg.templates), key=lambda p: p[1])
    return out + [("free_text", "Free text (no form)")]


def empty_record(settings, template_id: str) -> Record:
    from intake.parsers.templates import load_registry

    if template_id == "free_text":
        return Record("free_text", "1", {"incident.narrative": FieldValue(None)})
    tpl = load_registry(settings).get(template_id)
    if tpl is None:
        raise IntakeError(TEMPLATE_INVALID, f"there is no template {template_id!r}")
    return Record(tpl.id, tpl.version, {f.key: FieldValue(None) for f in tpl.fields},
                  notes=[f"keyed in by hand on template {tpl.id}"])
