#!/usr/bin/env python
"""The scan path's cost against Tesseract alone on the same pages, per
shape: intake's whole parse of each picture or scanned PDF (clean-up,
rulings, OCR, template, mapping) beside the `tesseract` command run once
per page (bench/replay_floors.py tesseract_floor; a page set's pictures
given to it one by one), document by document so both sides see the same
load. CPU seconds are the steadier figure on a shared machine (intake's OCR
runs in this process through tesserocr; the command's are its children's);
wall seconds are printed beside them. Not counted on intake's side: the
children it starts itself (pdftoppm rendering a PDF's page).

    .venv/bin/python bench/scan_cost.py --fixtures DIR [--per-shape N] [--only SUBSTRING]

DIR holds ``*.expected.json`` beside their documents (fixtures/make_shapes.py
or make_forms.py output); the shape is the expectation's ``format``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from parse_accuracy import document_for  # noqa: E402
from replay_floors import tesseract_floor  # noqa: E402

from intake.parsers import parse_document  # noqa: E402
from intake.parsers.support.page_set import is_page_set, unpack  # noqa: E402


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _floor(data: bytes) -> tuple[float, float, int]:
    """Wall and CPU seconds of the command over every page, and pages."""
    parts = [d for d, _ in unpack(data)] if is_page_set(data) else [data]
    wall = cpu = 0.0
    pages = 0
    for part in parts:
        c0 = _children_cpu()
        w, n = tesseract_floor(part)
        cpu += _children_cpu() - c0
        wall += w
        pages += n
    return wall, cpu, pages


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, required=True)
    ap.add_argument("--per-shape", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args(argv)
    taken: dict[str, int] = defaultdict(int)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0] * 5)  # intake wall, cpu; floor wall, cpu; pages
    warm = True
    for f in sorted(args.fixtures.glob("*.expected.json")):
        exp = json.loads(f.read_text())
        if args.only not in exp["fixture_id"]:
            continue
        shape = exp.get("format") or "-"
        if taken[shape] >= args.per_shape:
            continue
        doc = document_for(exp, f.parent / exp["document"])
        if warm:  # the model and tools load once per worker: not counted
            parse_document(doc)
            warm = False
        taken[shape] += 1
        w0, c0 = time.perf_counter(), time.process_time()
        parse_document(doc)
        iw, ic = time.perf_counter() - w0, time.process_time() - c0
        fw, fc, pages = _floor(doc.data)
        s = sums[shape]
        for i, v in enumerate((iw, ic, fw, fc, pages)):
            s[i] += v
        print(f"{exp['fixture_id']:42} {pages:2d} pages  intake {ic:6.1f} s CPU ({iw:6.1f} wall)  "
              f"tesseract {fc:6.1f} s CPU ({fw:6.1f} wall)  ratio {ic / max(fc, 1e-6):.2f}", flush=True)
    print(f"\n{'shape':14} {'pages':>5} {'intake s/page':>14} {'tesseract s/page':>17} {'CPU ratio':>10} "
          f"{'wall ratio':>11}")
    tot = [0.0] * 5
    for shape in sorted(sums):
        s = sums[shape]
        tot = [a + b for a, b in zip(tot, s)]
        print(f"{shape:14} {int(s[4]):5d} {s[1] / s[4]:14.2f} {s[3] / s[4]:17.2f} {s[1] / max(s[3], 1e-6):10.2f} "
              f"{s[0] / max(s[2], 1e-6):11.2f}")
    if tot[4]:
        print(f"{'all':14} {int(tot[4]):5d} {tot[1] / tot[4]:14.2f} {tot[3] / tot[4]:17.2f} "
              f"{tot[1] / max(tot[3], 1e-6):10.2f} {tot[0] / max(tot[2], 1e-6):11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
