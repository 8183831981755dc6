"""Score the extractor on the annotated set: precision, recall and F1 per type.

Match on type + normalised value within each sentence (a multiset), or with
--span on type + value + exact character span. LOCATION+ORGANISATION is also
scored as one row (the model often swaps the two for a business).

    .venv/bin/python eval/score.py [--span] [--errors TYPE ...] [--file PATH]
                                   [--mask-names eval/blind.txt ...]

``--mask-names`` is an ablation: the name lists added after the blind sets
were written (people_world.toml) share common names with them; masking every
name token of those sets' gold PERSON spans that is not in the original
people.toml shows how much of a score is the lists' memory of the set.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from intake.extractors.extract import extract_text_fields  # noqa: E402
from intake.extractors.gazetteer import load_gazetteers  # noqa: E402

TARGETS = {  # the aims on unseen text: (measure, threshold)
    "VRM": ("F1", 0.98), "PHONE": ("F1", 0.98), "EMAIL": ("F1", 0.98), "POSTCODE": ("F1", 0.98),
    "SOCIAL_HANDLE": ("F1", 0.98), "DOB": ("F1", 0.98), "PERSON": ("R", 0.95),
    "LOCATION+ORGANISATION": ("R", 0.90), "DATETIME": ("R", 0.95),
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


def mask_names(sources: list[Path]) -> int:
    """Remove the sources' gold name tokens from the loaded name lists,
    except those of the original Anglo list (people.toml). Returns how many."""
    people = HERE.parent / "intake" / "config" / "gazetteers" / "people.toml"
    keep = set(tomllib.loads(people.read_text("utf-8"))["words"]["first_names"])
    tokens = set()
    for src in sources:
        for m in re.finditer(r"\[\[PERSON:(.+?)(?:=>.+?)?\]\]", src.read_text("utf-8")):
            tokens |= {t.lower().strip(".'’") for t in re.split(r"[\s\-]+", m.group(1))}
    g = load_gazetteers()
    masked = 0
    for name in ("first_names", "surnames"):
        words = g.words.get(name, set())
        drop = {w for w in words if w not in keep and (w in tokens or any(p in tokens for p in w.split("-")))}
        words -= drop
        masked += len(drop)
    return masked


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--span", action="store_true", help="also require the exact span")
    ap.add_argument("--errors", nargs="*", default=[], help="print misses and extras for these types")
    ap.add_argument("--file", type=Path, default=HERE / "annotated.jsonl")
    ap.add_argument("--mask-names", nargs="*", type=Path, default=[],
                    help="ablation: drop these sets' gold name tokens from the added name lists")
    args = ap.parse_args(argv)
    if args.mask_names:
        print(f"masked {mask_names(args.mask_names)} name-list entries", file=sys.stderr)
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
