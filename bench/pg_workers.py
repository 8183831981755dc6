"""Throughput of processing on PostgreSQL through the job queue with 1, 2
and 3 workers, all measured in one run on the same mailbox.

    .venv/bin/python -m bench.pg_workers --messages N [--workers 1,2,3] [--json]

For each worker count: a fresh database on a private PostgreSQL started
here (as the tests start theirs: tests/support/postgres.py), then
`intake replay --workers W` as a user runs it: custody of every message,
each deferred as a procrastinate job in the same transaction, then a
job-queue worker with W at once until the queue is empty (the code path of
`intake worker --workers W`). Prints messages/s and documents/s, the ratio
against one worker measured in the same run, and peak RSS of the process
tree. The mailbox is bench/replay_mailbox.py's (cached).

On an N-core machine more than N workers cannot be faster; the third
worker's figure says what a third process costs, not what a third machine
would give."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from bench import replay_mailbox  # noqa: E402
from bench.replay_intake import TreeRss  # noqa: E402


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _intake(*args: str) -> list[str]:
    return [sys.executable, "-m", "intake.cli", *args]


def _counts(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            statuses = dict(c.execute(text("select status, count(*) from documents group by status")).all())
            inbound = dict(c.execute(text("select state, count(*) from inbound group by state")).all())
            messages = c.execute(text("select count(*) from messages")).scalar_one()
    finally:
        engine.dispose()
    return {"documents": sum(statuses.values()), "statuses": statuses, "inbound": inbound, "messages": messages}


def run_one(server, mbox: Path, workers: int) -> dict:
    url = server.new_database()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    subprocess.run(_intake("--db", url, "migrate"), check=True, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    _log(f"intake replay --workers {workers} (PostgreSQL, job queue)")
    t0 = time.perf_counter()
    proc = subprocess.Popen(_intake("--db", url, "replay", "--no-progress", "--workers", str(workers), str(mbox)),
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rss = TreeRss(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    peak, peak_pss = rss.stop()
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"intake replay exited {proc.returncode}")
    return {"workers": workers, "seconds": seconds, "peak_rss_mb": peak, "peak_pss_mb": peak_pss,
            "exit": proc.returncode, **_counts(url)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--workers", default="1,2,3", help="comma-separated worker counts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]

    from tests.support.postgres import PostgresServer

    mbox, manifest = replay_mailbox.build(args.messages, log=_log)
    server = PostgresServer.start()
    try:
        runs = [run_one(server, mbox, w) for w in counts]
    finally:
        server.stop()
    base = runs[0]
    for r in runs:
        r["messages_per_s"] = r["messages"] / r["seconds"] if r["seconds"] else None
        r["documents_per_s"] = r["documents"] / r["seconds"] if r["seconds"] else None
        r["vs_first"] = base["seconds"] / r["seconds"] if r["seconds"] else None
    if args.json:
        print(json.dumps({"messages": args.messages, "cores": os.cpu_count(), "runs": runs}, indent=2))
        return 0
    mix = Counter(m["family"] for m in manifest["messages"])
    print(f"PostgreSQL job queue, {args.messages} messages ({dict(mix)}), {os.cpu_count()} cores")
    print(f"{'workers':>7} {'seconds':>8} {'msg/s':>7} {'docs/s':>7} {'vs ' + str(base['workers']):>6} "
          f"{'peak RSS MB':>11} {'PSS MB':>7}  inbound")
    for r in runs:
        print(f"{r['workers']:>7} {r['seconds']:>8.1f} {r['messages_per_s']:>7.2f} {r['documents_per_s']:>7.2f} "
              f"{r['vs_first']:>5.2f}x {r['peak_rss_mb']:>11.0f} {r['peak_pss_mb']:>7.0f}  {r['inbound']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
