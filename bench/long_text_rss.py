#!/usr/bin/env python
"""Peak memory and time of analysing one long plain-text attachment (a log
or a document pasted into a .txt, 1-2 MB), run as the pipeline runs it: in
a spawned analysis worker (analysis/workers.py ProcessAnalyser), parse then
entity extraction. Issue 12 saw 1-2 MB texts stop the worker at its 2 GB
limit.

    .venv/bin/python bench/long_text_rss.py [--mb 2] [--kind prose|labels|html] [--limit-mb 2048]

Prints the worker's peak RSS (VmHWM) after a one-line warm-up document
(spaCy and the templates loaded) and after the long one, the seconds the
long one took, its outcome and the number of entity mentions. The text is
generated (synthetic names, example.org, Ofcom drama numbers)."""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from intake.analysis.workers import ProcessAnalyser  # noqa: E402
from intake.parsers import sniff_media_type  # noqa: E402
from intake.types import Document, sha256_hex  # noqa: E402

NAMES = "Kyle Mensah|Aisha Doyle|Jordan Walker|Leah Clarke|Tyrone Price|Chloe Khan|Marcus Hughes".split("|")
PLACES = "Mare Street|Station Road|Leek Road|Soho Road|Broad Street|Hillside Road|Mill Lane".split("|")
CARS = "silver Vauxhall Astra|black BMW|white Ford Transit|grey Audi A3|red Kia Picanto".split("|")


def _sentence(r: random.Random) -> str:
    return r.choice([
        f"{r.choice(NAMES)} was seen getting into a {r.choice(CARS)} on {r.choice(PLACES)} at {r.randint(1, 12)}pm.",
        f"Staff at the youth club say {r.choice(NAMES)} has a new phone and will not say who gave it to her.",
        f"A man calling himself {r.choice(NAMES).split()[0]} rang 07700 900{r.randint(100, 999)} twice last week.",
        "The meeting agreed to review the action plan and report back to the partnership board next month.",
        f"Contact the team at team{r.randint(1, 99)}@example.org or on 0121 496 0{r.randint(100, 999)}.",
    ])


def long_text(mb: float, kind: str, seed: int = 1) -> bytes:
    r = random.Random(seed)
    out: list[str] = []
    size = 0
    n = 0
    while size < mb * 1_000_000:
        n += 1
        if kind == "labels":
            line = (f"Entry {n}: {r.choice(NAMES)}\nDate: {r.randint(1, 28):02d}/03/2026\n"
                    f"Location: {r.choice(PLACES)}\nNotes: {_sentence(r)}\n")
        else:
            line = " ".join(_sentence(r) for _ in range(r.randint(3, 8))) + "\n\n"
        out.append(line)
        size += len(line)
    text = "".join(out)
    if kind == "html":
        paras = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n") if p.strip())
        text = f"<html><head><meta charset='utf-8'></head><body>{paras}</body></html>"
    return text.encode("utf-8")


def _hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--kind", choices=("prose", "labels", "html"), default="prose")
    ap.add_argument("--limit-mb", type=float, default=2048)
    args = ap.parse_args(argv)
    name = "long.html" if args.kind == "html" else "long.txt"
    data = long_text(args.mb, args.kind)
    analyser = ProcessAnalyser(timeout_s=1800, memory_mb=args.limit_mb)
    try:
        warm = b"Kai was picked up from school by a man in a black Audi on Mill Lane."
        analyser.analyse(Document("attachment", "warm.txt", "text/plain", sha256_hex(warm), warm), None)
        pid = analyser._proc.pid
        base = _hwm_mb(pid)
        doc = Document("attachment", name, sniff_media_type(data, name), sha256_hex(data), data)
        t0 = time.perf_counter()
        res = analyser.analyse(doc, None)
        secs = time.perf_counter() - t0
        alive = analyser._proc is not None and analyser._proc.pid == pid
        peak = _hwm_mb(pid) if alive else float("nan")
    finally:
        analyser.close()
    out = res.outcome
    got = out.exception.code if out.exception else out.status
    print(f"{args.kind} text of {len(data) / 1e6:.2f} MB ({doc.media_type}): {got}, "
          f"{len(res.mentions)} mentions, {secs:.1f} s")
    print(f"worker peak RSS: {base:.0f} MB warmed up, {peak:.0f} MB after the long text "
          f"(limit {args.limit_mb:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
