#!/usr/bin/env python
"""CPU cost of a worker's analysis, per document and by stage.

    .venv/bin/python bench/worker_cost.py [--mbox bench/.cache/mailbox-v1-n200-s2-text.mbox]
        [--repeat 2] [--profile FILE] [--dump FILE] [--pickled]

The distinct documents of the mailbox go through ``analyse_document`` in
this process, as a warmed worker runs them (``workers.warm_up`` first, so
model and template loading are not counted). Time is ``time.process_time``
(CPU, steadier than wall time on a loaded machine). The stages are the
functions analyse_document calls, each timed around its call: reading
(``read_layout``), template detection, mapping, extraction (spaCy's
``nlp.pipe`` apart), content keys and indicators. Each pass runs every
document; the best pass is printed with the first.

``--pickled`` adds what a result costs to cross the process boundary:
its pickled size, and the CPU to pickle (worker) and unpickle (main process).
``--profile FILE`` writes a cProfile of one more pass (pstats).
``--dump FILE`` writes repr() of every DocumentAnalysis: two dumps, before and
after a change, show whether any outcome moved."""

from __future__ import annotations

import argparse
import cProfile
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mapping_cost import DEFAULT_MBOX, mbox_documents  # noqa: E402
from intake.analysis import analyse as analyse_mod  # noqa: E402
from intake.analysis.workers import warm_up  # noqa: E402

# (label, module, attribute): each is wrapped so its calls are timed; a
# nested stage's time is taken out of the stage around it.
STAGES = [
    ("read", "intake.parsers.parse", "_read"),
    ("detect", "intake.parsers.parse", "detect"),
    ("build_doc", "intake.parsers.parse", "build_doc"),
    ("map", "intake.parsers.parse", "map_layout"),
    ("extract", "intake.extractors", "extract_mentions"),
    ("spacy_pipe", None, None),  # filled in: the nlp.pipe of the loaded model
    ("content_keys", "intake.matching.content_fingerprint", "content_keys_of"),
    ("indicators", "intake.analysis.analyse", "_indicators"),
]


class Clock:
    """CPU time of each stage, a nested stage's time taken out of the one
    around it."""

    def __init__(self):
        self.own: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []

    def _open(self, label) -> list:
        frame = [label, time.process_time(), 0.0]
        self._stack.append(frame)
        return frame

    def _close(self, frame: list) -> None:
        self._stack.pop()
        spent = time.process_time() - frame[1]
        self.own[frame[0]] += spent - frame[2]
        if self._stack:
            self._stack[-1][2] += spent

    def wrap(self, label, fn):
        def timed(*a, **kw):
            frame = self._open(label)
            try:
                return fn(*a, **kw)
            finally:
                self._close(frame)
        timed.__wrapped__ = fn
        return timed

    def wrap_iter(self, label, gen_fn):
        """nlp.pipe is a generator: time each step of it, not its creation."""
        def timed(*a, **kw):
            it = gen_fn(*a, **kw)
            while True:
                frame = self._open(label)
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    self._close(frame)
                yield item
        return timed


def install(clock: Clock, settings) -> None:
    import importlib

    from intake.extractors import extract as extract_mod
    from intake.extractors.extract import _options
    from intake.extractors.nlp import load_model

    for label, mod, attr in STAGES:
        if mod is None:
            continue
        m = importlib.import_module(mod)
        setattr(m, attr, clock.wrap(label, getattr(m, attr)))
    # analyse_document imports these inside its body, from their packages
    import intake.extractors
    import intake.matching.content_fingerprint
    import intake.parsers

    intake.parsers.parse_document = clock.wrap("parse_other", intake.parsers.parse_document)
    assert extract_mod  # extract_mentions is looked up on the package at call time
    nlp = load_model(_options(settings).spacy_model)
    nlp.pipe = clock.wrap_iter("spacy_pipe", nlp.pipe)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mbox", type=Path, default=DEFAULT_MBOX)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--profile", type=Path)
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--pickled", action="store_true")
    args = ap.parse_args(argv)

    from intake.config.settings import load_settings

    settings = load_settings(db_url="sqlite:////nonexistent/bench.sqlite")
    docs = mbox_documents(args.mbox)
    t = time.process_time()
    warm_up(settings)
    print(f"{len(docs)} distinct documents; warm-up {time.process_time() - t:.2f} s CPU (not counted)")
    clock = Clock()
    install(clock, settings)
    fn = analyse_mod.analyse_document
    passes = []
    results = []
    for p in range(max(1, args.repeat)):
        clock.own.clear()
        t0 = time.process_time()
        results = [fn(doc, date, settings) for _, doc, date in docs]
        total = time.process_time() - t0
        passes.append((total, dict(clock.own)))
    n = len(docs)
    labels = [s[0] for s in STAGES] + ["parse_other"]
    print(f"CPU ms per document (mean over {n})")
    print(f"{'pass':8}" + "".join(f"{lab:>13}" for lab in labels) + f"{'other':>9}{'total':>9}")
    rows = [("first", passes[0])]
    if len(passes) > 1:
        rows.append(("best", min(passes[1:], key=lambda x: x[0])))
    for name, (total, own) in rows:
        other = total - sum(own.values())
        print(f"{name:8}" + "".join(f"{1000 * own.get(lab, 0) / n:13.2f}" for lab in labels)
              + f"{1000 * other / n:9.2f}{1000 * total / n:9.2f}")
    print(f"total analysis CPU over the {n} documents: first pass {passes[0][0]:.2f} s"
          + (f", best {rows[1][1][0]:.2f} s" if len(rows) > 1 else ""))

    if args.pickled:
        t0 = time.process_time()
        blobs = [pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL) for r in results]
        t1 = time.process_time()
        for b in blobs:
            pickle.loads(b)
        t2 = time.process_time()
        size = sum(len(b) for b in blobs)
        print(f"pickled results: {size / n / 1024:.1f} KiB per document (max {max(map(len, blobs)) / 1024:.0f} KiB); "
              f"pickle {1000 * (t1 - t0) / n:.2f} ms, unpickle {1000 * (t2 - t1) / n:.2f} ms per document")
        docs_blob = [pickle.dumps((d, dt, None), protocol=pickle.HIGHEST_PROTOCOL) for _, d, dt in docs]
        print(f"pickled jobs: {sum(map(len, docs_blob)) / n / 1024:.1f} KiB per document")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _, doc, date in docs:
            fn(doc, date, settings)
        prof.disable()
        prof.dump_stats(str(args.profile))
        print(f"profile written to {args.profile}")

    if args.dump:
        with open(args.dump, "w") as fh:
            for (name, _, _), r in zip(docs, results):
                fh.write(f"{name}\t{r!r}\n")
        print(f"analyses written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
