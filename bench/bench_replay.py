"""Replay throughput: messages and documents per second through the whole
pipeline into SQLite, and peak RSS, against a baseline measured in the same
process (the stdlib parsing every message and hashing its parts, i.e. the
floor any pipeline pays).

    .venv/bin/python bench/bench_replay.py [--messages 200] [--worker]

Forms come from fixtures/out/forms (run fixtures/make_forms.py first) or,
failing that, text bodies."""

from __future__ import annotations

import argparse
import email
import hashlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.mail.make_mailboxes import build_messages, load_forms  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--worker", action="store_true", help="analyse in the worker process (default inline)")
    args = ap.parse_args()
    if not args.worker:
        os.environ["INTAKE_INLINE_ANALYSIS"] = "1"

    forms = load_forms(REPO / "fixtures" / "out" / "forms")
    base = build_messages(forms)
    raws = []
    i = 0
    while len(raws) < args.messages:
        m = base[i % len(base)]
        del m["Message-ID"]
        m["Message-ID"] = f"<bench-{len(raws)}@example.org>"
        raws.append(m.as_bytes())
        i += 1

    t0 = time.perf_counter()
    for data in raws:
        msg = email.message_from_bytes(data)
        for part in msg.walk():
            hashlib.sha256(part.get_payload(decode=True) or b"").digest()
    baseline = time.perf_counter() - t0

    from intake.config.settings import load_settings
    from intake.ingest.pipeline import Pipeline
    from intake.store.db import open_store
    from intake.types import RawMessage

    tmp = tempfile.mkdtemp()
    settings = load_settings(db_url=f"sqlite:///{tmp}/bench.sqlite")
    store = open_store(settings)
    docs = 0
    t0 = time.perf_counter()
    with Pipeline(store, settings) as pipe:
        for n, data in enumerate(raws):
            docs += len(pipe.process(RawMessage(f"bench:{n}", data)).documents)
    elapsed = time.perf_counter() - t0
    store.close()

    print(f"messages: {len(raws)}  documents: {docs}  forms available: {len(forms)}")
    print(f"baseline (stdlib parse + hash): {len(raws) / baseline:,.0f} msg/s")
    print(f"pipeline ({'worker' if args.worker else 'inline'}): {len(raws) / elapsed:,.1f} msg/s, "
          f"{docs / elapsed:,.1f} documents/s")
    print(f"ratio pipeline/baseline time: {elapsed / baseline:,.1f}x")
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
