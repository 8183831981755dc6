"""The cost of encryption at rest: documents/s into a store in clear and
into an encrypted one, in the same process, as a ratio (encrypted / clear).

    .venv/bin/python bench/bench_encryption.py [--messages 200] [--rounds 3] [--full]

By default every distinct document is analysed once up front and the
analyses are replayed from memory, so the timed part is what encryption
can slow down: the MIME walk, the store's writes (blobs, message, record,
mentions, entities), content dedup and resolution, which read sealed
values back; then the export, which opens everything. ``--full`` times
the whole pipeline instead (parsing and extraction included), where the
cipher's share is smaller still. Rounds alternate clear and encrypted and
the best of each is kept, so load on the machine hits both alike.

Forms come from fixtures/out/forms (run fixtures/make_forms.py first) or,
failing that, text bodies."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.mail.make_mailboxes import build_messages, load_forms  # noqa: E402


class CachedAnalyser:
    """Analyses each distinct document once, then answers from memory."""

    def __init__(self, settings):
        from intake.analysis.workers import InlineAnalyser

        self.inner = InlineAnalyser(settings)
        self.cache: dict = {}
        self.replaying = False

    def analyse(self, doc, fallback_date, template_id=None):
        key = (doc.sha256, fallback_date, template_id)
        if key not in self.cache:
            self.cache[key] = self.inner.analyse(doc, fallback_date, template_id)
        return self.cache[key]

    def close(self) -> None:
        pass


def run_once(raws, settings_for, analyser, kek) -> tuple[float, int, float]:
    from intake.ingest.processing.one_message import Pipeline
    from intake.store.db import Store
    from intake.store.export import write_jsonl
    from intake.types import RawMessage

    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.sqlite"
    store = Store(url, kek=kek)
    docs = 0
    t0 = time.perf_counter()
    with Pipeline(store, settings_for(url), analyser=analyser) as pipe:
        for n, data in enumerate(raws):
            docs += len(pipe.process(RawMessage(f"bench:{n}", data)).documents)
    elapsed = time.perf_counter() - t0
    exported = float("inf")
    for _ in range(5):  # the best of five: a short read is easily disturbed
        t1 = time.perf_counter()
        with store.session() as s:
            write_jsonl(s, io.StringIO())
        exported = min(exported, time.perf_counter() - t1)
    store.close()
    return elapsed, docs, exported


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--full", action="store_true", help="time parsing and extraction too")
    args = ap.parse_args()
    os.environ["INTAKE_INLINE_ANALYSIS"] = "1"

    from intake.analysis.workers import InlineAnalyser
    from intake.config.settings import load_settings

    forms = load_forms(REPO / "fixtures" / "out" / "forms")
    base = build_messages(forms)
    raws = []
    while len(raws) < args.messages:
        m = base[len(raws) % len(base)]
        del m["Message-ID"]
        m["Message-ID"] = f"<bench-{len(raws)}@example.org>"
        raws.append(m.as_bytes())

    def settings_for(url):
        return load_settings(db_url=url)

    settings = settings_for("sqlite:///:memory:")
    analyser = InlineAnalyser(settings) if args.full else CachedAnalyser(settings)
    if not args.full:
        run_once(raws, settings_for, analyser, None)  # warm: every analysis in memory
    kek = os.urandom(32)
    best = {"clear": None, "encrypted": None}
    for _ in range(args.rounds):
        for name, key in (("clear", None), ("encrypted", kek)):
            elapsed, docs, exported = run_once(raws, settings_for, analyser, key)
            if best[name] is None or elapsed < best[name][0]:
                best[name] = (elapsed, docs, exported)
    print(f"messages: {len(raws)}  documents: {best['clear'][1]}  forms available: {len(forms)}  "
          f"timed: {'whole pipeline' if args.full else 'walk, store, dedup, resolve (analyses replayed)'}")
    for name in ("clear", "encrypted"):
        elapsed, docs, exported = best[name]
        print(f"{name:>9}: {docs / elapsed:8.1f} documents/s   export {docs / exported:8.1f} documents/s")
    ratio = (best["clear"][0] / best["encrypted"][0])
    export_ratio = best["clear"][2] / best["encrypted"][2]
    print(f"ratio encrypted/clear: ingest {ratio:.2f}, export {export_ratio:.2f} (1.00 = no cost)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
