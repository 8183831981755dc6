"""Score the extractor on the shorthand narrative sets.

Per-type precision / recall / F1 from ../score.py (type + normalised value,
a multiset per narrative), plus one micro-averaged row over every type (the
LOCATION+ORGANISATION convenience row left out, so nothing counts twice).

    .venv/bin/python eval/shorthand/score.py [--file eval/shorthand/dev.jsonl] [--errors TYPE ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

from score import score  # noqa: E402  (eval/score.py)

AIMS = {"ALL": ("F1", 0.95), "DATETIME": ("R", 0.90)}  # the aims for shorthand narratives


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=HERE / "dev.jsonl")
    ap.add_argument("--span", action="store_true")
    ap.add_argument("--errors", nargs="*", default=[])
    args = ap.parse_args(argv)
    table = score(args.file, args.span, set(args.errors))
    rows = {t: v for t, v in table.items() if t != "LOCATION+ORGANISATION"}
    rows["ALL"] = tuple(sum(v[i] for v in rows.values()) for i in range(3))
    rows["LOCATION+ORGANISATION"] = table.get("LOCATION+ORGANISATION", (0, 0, 0))
    print(f"{'type':24} {'gold':>5} {'pred':>5} {'tp':>5} {'P':>6} {'R':>6} {'F1':>6}  aim")
    missed = 0
    for t, (tp, g, p) in rows.items():
        prec, rec = (tp / p if p else 0.0), (tp / g if g else 0.0)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        aim = ""
        if t in AIMS:
            measure, thr = AIMS[t]
            ok = {"F1": f1, "R": rec}[measure] >= thr
            missed += not ok
            aim = f"{measure}>={thr} {'ok' if ok else 'MISSED'}"
        print(f"{t:24} {g:5d} {p:5d} {tp:5d} {prec:6.3f} {rec:6.3f} {f1:6.3f}  {aim}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
