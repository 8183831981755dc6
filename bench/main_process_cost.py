"""CPU of the replay's main process against its analysis workers', per
message.

    .venv/bin/python -m bench.main_process_cost [--mbox PATH] [--workers 2] [--runs 1] [--json]

`intake replay --workers W` runs as a user runs it (a fresh SQLite store, a
process of its own), through a small launcher that reads, when the process
ends, ``getrusage``: RUSAGE_SELF is the main process (every thread of it:
start-up, custody, claims, MIME walks, the writer thread's commits),
RUSAGE_CHILDREN the analysis workers and whatever they started (they are
joined before the replay returns, so all of them are counted). The launcher
also times, in CPU, the phases of the main process: start-up (interpreter,
imports, the command line) up to the replay's handler, custody
(``_receive_all``), processing (``_process_all``), and within processing
the writer thread's commits (thread CPU of ``LocalProcessor._commit``) and
the pool threads that send documents to the workers and read their results
back (thread CPU of ``AnalysisPool._run``), so the main process's own work
outside the commit shows on its own.

On 2 cores the main process competes with the workers: 2 workers reach
1.7x one worker only while the main process needs under ~18% of the
workers' CPU. The ratio is printed. CPU, not wall: the figures hold on a
loaded machine."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import replay_mailbox  # noqa: E402

DEFAULT_MBOX = REPO / "bench" / ".cache" / "mailbox-v1-n200-s2-text.mbox"

# Runs inside the replay's process: phases in CPU seconds, written as JSON
# to the file named by the first argument.
LAUNCHER = r"""
import json, resource, sys, threading, time
out, argv = sys.argv[1], sys.argv[2:]
phases = {"commit_s": 0.0}
lock = threading.Lock()
from intake import cli
from intake.cli.commands import replay
from intake.ingest.processing.local_processor import LocalProcessor

def timed(name, fn):
    def wrapper(*a, **k):
        t0 = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            phases[name] = phases.get(name, 0.0) + time.process_time() - t0
    return wrapper

real_run = replay.run
def run(args, settings):
    phases["startup_s"] = time.process_time()
    return real_run(args, settings)
replay.run = run
replay._receive_all = timed("custody_s", replay._receive_all)
replay._process_all = timed("processing_s", replay._process_all)
real_process_all = replay._process_all
def process_all(*a, **k):
    t0 = time.thread_time()
    try:
        return real_process_all(*a, **k)
    finally:
        phases["processing_main_thread_s"] = time.thread_time() - t0
replay._process_all = process_all
real_commit = LocalProcessor._commit
def commit(self, ready, summary):
    t0 = time.thread_time()
    try:
        return real_commit(self, ready, summary)
    finally:
        with lock:
            phases["commit_s"] += time.thread_time() - t0
LocalProcessor._commit = commit
from intake.ingest.processing.local_processor import AnalysisPool
real_pool_run = AnalysisPool._run
def pool_run(self):
    try:
        return real_pool_run(self)
    finally:
        with lock:
            phases["pool_s"] = phases.get("pool_s", 0.0) + time.thread_time()
AnalysisPool._run = pool_run
try:
    code = cli.main(argv)
finally:
    # The workers are children of the analysis fork server, not of this
    # process: their CPU reaches RUSAGE_CHILDREN when the server, which
    # reaps them, is itself stopped and reaped (a private API; bench only).
    from multiprocessing import forkserver
    forkserver._forkserver._stop()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    phases.update(main_cpu_s=me.ru_utime + me.ru_stime, workers_cpu_s=kids.ru_utime + kids.ru_stime)
    with open(out, "w") as fh:
        json.dump(phases, fh)
sys.exit(code)
"""


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run_once(mbox: Path, workers: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-mainproc-"))
    db = f"sqlite:///{tmp}/intake.sqlite"
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PYTHONPATH=str(REPO))
    env.pop("INTAKE_CONFIG", None)
    subprocess.run([sys.executable, "-m", "intake.cli", "--db", db, "migrate"], check=True, cwd=REPO, env=env,
                   stdout=subprocess.DEVNULL)
    out = tmp / "phases.json"
    _log(f"intake replay --workers {workers} {mbox.name} ...")
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, str(out), "--db", db, "replay", "--no-progress",
                           "--workers", str(workers), str(mbox)], cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1) or not out.exists():
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"intake replay exited {proc.returncode}")
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mbox", type=Path, default=DEFAULT_MBOX)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1, help="repeat and keep each run's figures (the lowest is "
                                                         "the least disturbed by neighbours)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.mbox.exists():
        raise SystemExit(f"{args.mbox}: no such mailbox (bench/replay_text_slice.py builds it)")
    n = replay_mailbox.message_count(args.mbox)
    runs = []
    for _ in range(args.runs):
        r = run_once(args.mbox, args.workers)
        r["messages"] = n
        r["own_s"] = r["main_cpu_s"] - r["commit_s"]
        for k in ("main_cpu_s", "workers_cpu_s", "own_s", "commit_s", "startup_s", "custody_s", "processing_s",
                  "pool_s", "processing_main_thread_s"):
            r[k.replace("_s", "_ms_per_msg")] = 1000 * r.get(k, 0.0) / n
        r["main_share_of_workers"] = r["main_cpu_s"] / r["workers_cpu_s"] if r["workers_cpu_s"] else None
        runs.append(r)
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    print(f"{args.mbox.name} ({n} messages), SQLite, intake replay --workers {args.workers}; CPU ms per message:")
    for r in runs:
        print(f"  main process {r['main_cpu_ms_per_msg']:6.1f} (start-up {r['startup_ms_per_msg']:.1f}, custody "
              f"{r['custody_ms_per_msg']:.1f}, processing {r['processing_ms_per_msg']:.1f} of which the writer's "
              f"commits {r['commit_ms_per_msg']:.1f} and the threads talking to the workers "
              f"{r['pool_ms_per_msg']:.1f}, its main thread (claims, MIME walks) "
              f"{r['processing_main_thread_ms_per_msg']:.1f}; outside the commit {r['own_ms_per_msg']:.1f})  |  workers "
              f"{r['workers_cpu_ms_per_msg']:6.1f}  |  main/workers {r['main_share_of_workers']:.2f} "
              f"(outside the commit {r['own_s'] / r['workers_cpu_s']:.2f})  [2 workers >= 1.7x one needs < ~0.18]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
