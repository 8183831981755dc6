"""What a document search costs, in clear and encrypted stores of N
documents: an encrypted store cannot narrow the sealed columns in SQL, so
each search reads and opens every live document (store/document_search.py).

    .venv/bin/python bench/bench_document_search.py [--documents 2000] [--text-chars 3000] [--rounds 3]

Prints, per store, the median seconds of each kind of search and the rows
read in Python. Documents are synthetic rows (a message, a document with
text of the given length), written directly; nothing is parsed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = ("child seen outside school with older males car park evening phone messages missing from home "
         "vapes cash hotel friday driver known as staff concern referral").split()
SEARCHES = {
    "sender": {"sender": "northfield"},
    "subject": {"subject": "pupil 17"},
    "file name": {"filename": "referral-42"},
    "agency": {"agency": "youth"},
    "reference (in the text)": {"reference": "cr 123456 24"},
    "any": {"any": "kayleigh"},
}


def fill(store, n: int, chars: int, seed: int = 7) -> None:
    from intake.store import repository as repo
    from intake.store.models import DocumentRow, Message

    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with store.transaction() as s:
        for i in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(chars // 6))[:chars]
            if i % 500 == 0:
                text += " crime reference CR/123456/24"
            raw = f"message {i}".encode()
            sha = hashlib.sha256(raw).hexdigest()
            repo.ensure_blob(s, sha, raw)
            msg = Message(message_id=f"<b{i}@example.org>", content_sha256=sha, raw_sha256=sha,
                          from_addr=rng.choice(["pat.jones@northfield-academy.example.org", "a@yos.example.org",
                                                "nurse@nhs.example.net"]),
                          subject=f"Concern about a pupil {i % 100}" + (" Kayleigh" if i % 250 == 0 else ""),
                          origin=f"eml:/tmp/{i}.eml", date=start + timedelta(hours=i))
            s.add(msg)
            s.flush()
            s.add(DocumentRow(public_id=f"d_bench{i:08d}", message_pk=msg.id, part_path="1", kind="attachment",
                              filename=f"referral-{i}.docx", media_type="application/pdf", sha256=sha, size=len(raw),
                              status="parsed", text=text,
                              agency=rng.choice(["youth offending service", "northfield academy", "nhs trust"])))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=2000)
    ap.add_argument("--text-chars", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from intake.store.db import Store
    from intake.store.document_search import DocumentQuery, search_documents

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        stores = {"clear": Store(f"sqlite:///{tmp}/clear.sqlite"),
                  "encrypted": Store(f"sqlite:///{tmp}/enc.sqlite", kek=os.urandom(32))}
        for name, store in stores.items():
            t = time.perf_counter()
            fill(store, args.documents, args.text_chars)
            print(f"{name}: {args.documents} documents of {args.text_chars} characters written in "
                  f"{time.perf_counter() - t:.1f} s")
        print(f"{'search':<26}{'store':<11}{'median s':>10}{'found':>7}{'rows read':>11}")
        for label, terms in SEARCHES.items():
            for name, store in stores.items():
                times, res = [], None
                for _ in range(args.rounds):
                    with store.session() as s:
                        t = time.perf_counter()
                        res = search_documents(s, DocumentQuery(**terms))
                        times.append(time.perf_counter() - t)
                print(f"{label:<26}{name:<11}{statistics.median(times):>10.3f}{res.total:>7}{res.scanned:>11}")
        for store in stores.values():
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
