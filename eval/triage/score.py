"""Score the triage rules on a labelled set: urgent precision/recall,
per-level and per-indicator precision/recall/F1.

    .venv/bin/python eval/triage/score.py                 # dev set
    .venv/bin/python eval/triage/score.py --file eval/triage/blind.jsonl
    .venv/bin/python eval/triage/score.py --errors        # print mismatches

Runs the production path: the extractor over the narrative (AGE, DOB,
DATETIME mentions), the indicator matcher, the level rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from intake.triage.analysis import triage_values  # noqa: E402

FIELD = "incident.narrative"


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=str(ROOT / "eval/triage/dev.jsonl"))
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    levels = ("urgent", "high", "routine")
    confusion = Counter()
    ind = Counter()
    for row in rows:
        received = date.fromisoformat(row["received"])
        result = triage_values({FIELD: row["text"]}, received)
        got, want = result.level, row["level"]
        confusion[(want, got)] += 1
        found, gold = set(result.counted), set(row["indicators"])
        for i in found | gold:
            ind[(i, "tp" if i in found and i in gold else "fp" if i in found else "fn")] += 1
        if args.errors and (got != want or found != gold):
            print(f"{row['id']} want {want} got {got}  +{sorted(found - gold)} -{sorted(gold - found)}\n   {row['text']}")
            if got != want:
                print("   reasons:", " | ".join(result.reasons))
    n = len(rows)
    print(f"{args.file}: {n} narratives")
    print("confusion (rows: labelled, cols: suggested):")
    print("            " + "".join(f"{lv:>9}" for lv in levels))
    for want in levels:
        print(f"  {want:<10}" + "".join(f"{confusion[(want, got)]:>9}" for got in levels))
    print("per level:        precision  recall     F1   support")
    for lv in levels:
        tp = confusion[(lv, lv)]
        fp = sum(confusion[(w, lv)] for w in levels if w != lv)
        fn = sum(confusion[(lv, g)] for g in levels if g != lv)
        p, r, f = prf(tp, fp, fn)
        print(f"  {lv:<16}{p:>9.3f}{r:>8.3f}{f:>7.3f}{tp + fn:>9}")
    acc = sum(confusion[(lv, lv)] for lv in levels) / n
    print(f"  accuracy {acc:.3f}")
    print("per indicator:    precision  recall     F1   support")
    for i in sorted({k for k, _ in ind}):
        p, r, f = prf(ind[(i, "tp")], ind[(i, "fp")], ind[(i, "fn")])
        print(f"  {i:<16}{p:>9.3f}{r:>8.3f}{f:>7.3f}{ind[(i, 'tp')] + ind[(i, 'fn')]:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
