"""Run document analysis in a worker process with a time and memory limit,
so a document that hangs or blows up a parser costs one exception, never
the run or the daemon (docs/architecture.md, "Isolation")."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import date
from typing import Protocol

from intake import metrics
from intake.analysis.analyse import DocumentAnalysis, analyse_document
from intake.analysis.fork_server import start_fork_server, worker_context
from intake.analysis.process_tree import tree_memory_mb
from intake.exception_codes import PARSER_CRASHED, PARSER_TIMEOUT, RESOURCE_LIMIT
from intake.logs import log_fault
from intake.types import Document, ExceptionInfo, ParseOutcome, sha256_hex

log = logging.getLogger(__name__)


class Analyser(Protocol):
    def analyse(self, doc: Document, fallback_date: date | None,
                template_id: str | None = None) -> DocumentAnalysis: ...
    def close(self) -> None: ...


class InlineAnalyser:
    """In-process: for tests and for debugging a single document."""

    def __init__(self, settings=None):
        self.settings = settings

    def analyse(self, doc: Document, fallback_date: date | None,
                template_id: str | None = None) -> DocumentAnalysis:
        return analyse_document(doc, fallback_date, self.settings, template_id=template_id)

    def close(self) -> None:
        pass


# A made-up report in no force's template: enough to load what every
# document needs (templates, gazetteers, the spaCy model, dateparser).
_WARM_UP_TEXT = ("Referral about a young person seen at the Oak Tree takeaway on 3 March with Kai Brennan, "
                 "who drives a grey Ford Focus LM19 ZXA and uses 07700 900123.\n")


def warm_up(settings, fn=None) -> None:
    """Load what the first document would load, before it arrives: the
    worker starts while the run is still taking mail into custody, so the
    first document does not wait for the model. A failure here is logged
    and forgotten: the first document meets it again and is recorded as
    that document's exception."""
    data = _WARM_UP_TEXT.encode("utf-8")
    doc = Document(kind="body", filename=None, media_type="text/plain",
                   sha256=sha256_hex(data), data=data, declared_type="text/plain",
                   part_path="warm-up")
    try:
        (fn or analyse_document)(doc, None, settings)
        if fn is None:
            # What a form loads and a body text does not reach: the word
            # list that rejoins words broken at a PDF line end (0.5-1 s),
            # python-docx (imported when the first Word file is opened) and
            # dateparser set up for a form's dates (0.3 s on the first date
            # it reads, which a whole date written out no longer reaches).
            import docx  # noqa: F401

            from intake.parsers.support.hyphens import is_word
            from intake.parsers.templates.values import to_datetime

            is_word("referral")
            to_datetime("3 Mar 2026", None)
    except Exception as exc:  # noqa: BLE001 - reported with the first real document
        log_fault(log, "analysis worker warm-up failed", exc)


def _worker_main(conn, settings, fn, warm: bool = False, env: dict[str, str] | None = None) -> None:
    if env is not None:
        # Forked from the fork server, the worker would otherwise see the
        # environment as it was when the server started; a spawned worker
        # saw its parent's as it is now (PATH, TESSDATA_PREFIX, HOME).
        os.environ.clear()
        os.environ.update(env)
    # The parent handles SIGINT/SIGTERM and finishes the current message;
    # the worker must not die half-way through a document on Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Bulk work: below the parent, which takes new mail into custody.
    os.nice(_analysis_nice(settings))
    if warm:
        warm_up(settings, fn)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        doc, fallback, template_id = job
        conn.send(fn(doc, fallback, settings, template_id=template_id))


def _analysis_nice(settings) -> int:
    try:
        return int(settings.model.workers.analysis_nice) if settings is not None else 0
    except AttributeError:
        return 0


def _failed(code: str, detail: str) -> DocumentAnalysis:
    return DocumentAnalysis(ParseOutcome(status="exception", exception=ExceptionInfo(code, detail)))


class ProcessAnalyser:
    """One long-lived worker (the spaCy model and templates load once); on a
    timeout, a crash or memory over the limit it is killed and replaced.

    A dead worker is not a verdict: the worker may have been killed for a
    reason that has nothing to do with the document (the OOM killer making
    room, an operator's kill -9), so the document is tried again on a fresh
    worker, up to ``CRASH_TRIES`` times in all; only a document that kills
    its worker every time becomes ``parser_crashed``. A timeout or memory
    over the limit is the document's own doing and is not retried."""

    CRASH_TRIES = 3

    def __init__(self, settings=None, timeout_s: float | None = None, memory_mb: float | None = None,
                 analyse_fn=analyse_document):
        sec = settings.section("workers") if settings is not None else {}
        self.settings = settings
        self.analyse_fn = analyse_fn
        self.timeout_s = float(timeout_s or sec.get("document_timeout_s", 600))
        self.memory_mb = float(memory_mb or sec.get("memory_limit_mb", 2048))
        self._ctx = worker_context()
        self._proc = None
        self._conn = None
        self._closing = False
        self._starter: threading.Thread | None = None
        # _kill's: a stop of the run (abort, from the thread that winds the
        # run down) can meet the thread analysing on this worker finding it
        # dead and killing it too.
        self._kill_lock = threading.Lock()

    def start(self, warm: bool = False, wait: bool = True) -> None:
        """Start the worker now rather than with the first document;
        ``warm``: and load the model and templates before any arrives.
        ``wait=False``: on a thread of its own, as the first start waits for
        the fork server's preload (seconds); whatever uses the worker next
        waits for that start to finish first."""
        if not wait:
            self._starter = threading.Thread(target=self.start, args=(warm,), name="analysis-worker-start",
                                             daemon=True)
            self._starter.start()
            return
        if self._proc is None or not self._proc.is_alive():
            self._start(warm)

    def wait_started(self) -> None:
        """Wait for a start on its own thread (start(wait=False)) to end."""
        starter = self._starter
        if starter is not None and starter is not threading.current_thread():
            starter.join()
            self._starter = None

    def _start(self, warm: bool = False) -> None:
        parent, child = self._ctx.Pipe()
        env = dict(os.environ) if self._ctx.get_start_method() == "forkserver" else None
        self._proc = self._ctx.Process(target=_worker_main,
                                        args=(child, self.settings, self.analyse_fn, warm, env), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        """Kill the worker and close its pipe, once, whichever thread asks
        first: the worker and pipe are taken from the analyser before either
        is touched, so a second caller finds nothing left. Two threads used
        to close the same pipe, and the second close failed the run with
        EBADF; it could as well have closed a file opened meanwhile under
        the same number."""
        with self._kill_lock:
            proc, conn = self._proc, self._conn
            self._proc = None
            self._conn = None
        if proc is not None:
            proc.kill()  # no signal once it has been reaped: its pid may be another process's now
            proc.join(5)
        if conn is not None:
            conn.close()

    def analyse(self, doc: Document, fallback_date: date | None,
                template_id: str | None = None) -> DocumentAnalysis:
        for attempt in range(1, self.CRASH_TRIES + 1):
            result = self._analyse_once(doc, fallback_date, template_id)
            if result is not None:
                return result
            if self._closing:
                break
            log.warning("analysis worker died on document %s (attempt %d of %d); trying a fresh worker",
                        doc.sha256[:12], attempt, self.CRASH_TRIES)
        return _failed(PARSER_CRASHED,
                       f"The parser process died on this document {self.CRASH_TRIES} times, on fresh workers. "
                       "Open the original and key it in; the crash has been logged for the developers.")

    def _analyse_once(self, doc: Document, fallback_date: date | None,
                      template_id: str | None) -> DocumentAnalysis | None:
        """The analysis, or None when the worker died on it."""
        self.wait_started()
        idle = self._proc  # the run's stop may take it meanwhile (_kill)
        if idle is not None and not idle.is_alive() and not self._closing:
            # Died between documents (killed, OOM): say so, then a fresh one.
            idle.join(1)
            log.error("analysis worker (pid %s) died (%s) while idle; starting a fresh one",
                      idle.pid, how_it_ended(idle.exitcode))
            self._kill()
        if self._closing:  # stopped (abort) while this thread waited: no fresh worker
            return None
        proc = self._proc
        if proc is None or not proc.is_alive():
            self._start()
        job = (doc, fallback_date, template_id)
        conn = self._conn
        if conn is None:  # the run's stop took the worker just now (abort)
            return None
        try:
            conn.send(job)
        except (BrokenPipeError, OSError):
            if self._closing:
                return None
            self._kill()
            self._start()
            self._conn.send(job)
        deadline = time.monotonic() + self.timeout_s
        while True:
            conn, proc = self._conn, self._proc
            if conn is None or proc is None:  # aborted from another thread
                return None
            try:
                if conn.poll(0.2):
                    return conn.recv()
            except (EOFError, OSError):
                return self._crashed(doc)
            if not proc.is_alive():
                return self._crashed(doc)
            if tree_memory_mb(proc.pid, self.memory_mb) > self.memory_mb:
                self._kill()
                metrics.worker_restarted("memory")
                log.error("analysis worker over %d MB on document %s", self.memory_mb, doc.sha256[:12])
                return _failed(RESOURCE_LIMIT,
                               f"Parsing this document needed more than {int(self.memory_mb)} MB of "
                               "memory and was stopped. Open the original and key it in.")
            if time.monotonic() > deadline:
                self._kill()
                metrics.worker_restarted("timeout")
                log.error("analysis timed out after %ss on document %s", self.timeout_s, doc.sha256[:12])
                return _failed(PARSER_TIMEOUT,
                               f"Parsing took longer than {int(self.timeout_s)} s and was stopped. "
                               "Open the original and key it in.")

    def _crashed(self, doc: Document) -> None:
        proc = self._proc
        if proc is not None:
            proc.join(2)  # reaped, so its exit code (the signal) is known
        code, pid = (proc.exitcode, proc.pid) if proc is not None else (None, None)
        self._kill()
        metrics.worker_restarted("crash")
        log.error("analysis worker (pid %s) died (%s) on document sha256 %s", pid, how_it_ended(code),
                  doc.sha256[:12])
        return None

    def abort(self) -> None:
        """Stop now (a clean stop of the whole run): the document in hand is
        not tried again."""
        self._closing = True
        self.wait_started()
        self._kill()

    def close(self) -> None:
        self._closing = True
        self.wait_started()
        if self._conn is not None:
            try:
                self._conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        if self._proc is not None:
            self._proc.join(5)
        self._kill()


def how_it_ended(exitcode: int | None) -> str:
    """"killed by SIGKILL", "exit 1": a process's end as a person reads it."""
    if exitcode is None:
        return "exit status unknown"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit {exitcode}"


_PRESTARTED: list[ProcessAnalyser] = []
_PRESTARTED_LOCK = threading.Lock()


def prestart(settings, count: int) -> None:
    """Start ``count`` warmed workers for ``settings`` now; make_analyser
    hands them out. A replay calls this before it takes the archive into
    custody, so the workers' start-up (imports, the spaCy model: seconds)
    runs beside that instead of after it: the starts run on threads of their
    own and return at once."""
    if count <= 0 or os.environ.get("INTAKE_INLINE_ANALYSIS") == "1":
        return
    start_fork_server()
    with _PRESTARTED_LOCK:
        for _ in range(count):
            analyser = ProcessAnalyser(settings)
            analyser.start(warm=True, wait=False)
            _PRESTARTED.append(analyser)


def close_prestarted() -> None:
    """Stop the prestarted workers nobody took (a run that found nothing
    to process)."""
    with _PRESTARTED_LOCK:
        left = list(_PRESTARTED)
        _PRESTARTED.clear()
    for analyser in left:
        analyser.abort()  # it holds no document: nothing to finish


def make_analyser(settings, inline: bool = False) -> Analyser:
    if inline or os.environ.get("INTAKE_INLINE_ANALYSIS") == "1":
        return InlineAnalyser(settings)
    with _PRESTARTED_LOCK:
        for i, analyser in enumerate(_PRESTARTED):
            if analyser.settings is settings:
                return _PRESTARTED.pop(i)
    return ProcessAnalyser(settings)
