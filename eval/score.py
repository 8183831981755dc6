"""Score the extractor on the annotated set: precision, recall and F1 per type.

Match on type + normalised value within each sentence (a multiset), or with
--span on type + value + exact character span. LOCATION+ORGANISATION is also
scored as one row (the model often swaps the two for a business).

    .venv/bin/python eval/score.py [--span] [--errors TYPE ...] [--file PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from intake.extractors.extract import extract_text_fields  # noqa: E402

TARGETS = {  # the brief's aims: (measure, threshold)
    "VRM": ("F1", 0.98), "PHONE": ("F1", 0.98), "EMAIL": ("F1", 0.98), "POSTCODE": ("F1", 0.98),
    "SOCIAL_HANDLE": ("F1", 0.98), "DOB": ("F1", 0.98), "PERSON": ("R", 0.92),
    "LOCATION+ORGANISATION": ("R", 0.85), "DATETIME": ("R", 0.90),
}


def keys(ents, span: bool, merge: bool = False):
    out = Counter()
    for e in ents:
        t = e["type"]
        if merge:
            if t not in ("LOCATION", "ORGANISATION"):
                continue
            t = "LOCATION+ORGANISATION"
        out[(t, e["value"], e["start"], e["end"]) if span else (t, e["value"])] += 1
    return out


def score(path: Path, span: bool, show: set[str]) -> dict[str, tuple[int, int, int]]:
    tp, gold_n, pred_n = Counter(), Counter(), Counter()
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        rd = date.fromisoformat(row["report_date"]) if row.get("report_date") else None
        pred = [{"type": m.type, "value": m.value, "start": m.start, "end": m.end}
                for m in extract_text_fields({"text": row["text"]}, rd, {})]
        for merge in (False, True):
            g, p = keys(row["entities"], span, merge), keys(pred, span, merge)
            for k, n in g.items():
                gold_n[k[0]] += n
                tp[k[0]] += min(n, p.get(k, 0))
            for k, n in p.items():
                pred_n[k[0]] += n
            for t in show:
                missed = [k for k in g if g[k] > p.get(k, 0) and k[0] == t]
                extra = [k for k in p if p[k] > g.get(k, 0) and k[0] == t]
                if missed or extra:
                    print(f"[{t}] {row['text']}\n   missed={missed}\n   extra={extra}")
    return {t: (tp[t], gold_n[t], pred_n[t]) for t in sorted(set(gold_n) | set(pred_n))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--span", action="store_true", help="also require the exact span")
    ap.add_argument("--errors", nargs="*", default=[], help="print misses and extras for these types")
    ap.add_argument("--file", type=Path, default=HERE / "annotated.jsonl")
    args = ap.parse_args(argv)
    table = score(args.file, args.span, set(args.errors))
    print(f"{'type':24} {'gold':>5} {'pred':>5} {'tp':>5} {'P':>6} {'R':>6} {'F1':>6}  aim")
    failed = 0
    for t, (tp, g, p) in table.items():
        prec = tp / p if p else 0.0
        rec = tp / g if g else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        aim = ""
        if t in TARGETS:
            measure, thr = TARGETS[t]
            got = {"F1": f1, "R": rec}[measure]
            ok = got >= thr
            failed += not ok
            aim = f"{measure}>={thr} {'ok' if ok else 'MISSED'}"
        print(f"{t:24} {g:5d} {p:5d} {tp:5d} {prec:6.3f} {rec:6.3f} {f1:6.3f}  {aim}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
