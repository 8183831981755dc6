"""How fast the review app's pages render on a large store: the queue
(default view, filtered by reason, a late page) and a document page, on a
store of N documents (default 50,000) grown from the fixture forms, against
the same pages on the fixture store itself (about 100 documents) measured
in the same process.

    .venv/bin/python bench/bench_review.py [--documents 50000] [--requests 20]

The stores are built once and cached under bench/.cache/ (git-ignored):
fixtures/make_forms.py --quick and fixtures/mail/make_mailboxes.py, replayed
through the real pipeline, then every message, document, record, mention and
queue item copied until the store holds N documents (received over a year,
sharing the fixtures' entities, as recurring people and plates do).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"
PASSWORD = "correct horse battery staple"
sys.path.insert(0, str(REPO))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_base() -> Path:
    db = CACHE / "review-base.sqlite"
    if db.exists():
        return db
    work = CACHE / "fixtures"
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run([sys.executable, str(REPO / "fixtures" / "make_forms.py"), "--quick", "--out", str(work)],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, str(REPO / "fixtures" / "mail" / "make_mailboxes.py"), "--forms",
                    str(work / "forms"), "--out", str(work / "mail")], check=True, capture_output=True)
    from intake.analysis.workers import InlineAnalyser
    from intake.config.settings import load_settings
    from intake.ingest.processing.one_message import Pipeline
    from intake.ingest.sources.detect import iter_archive
    from intake.store import users
    from intake.store.db import open_store

    settings = load_settings(db_url=f"sqlite:///{db}")
    store = open_store(settings)
    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as pipe:
        for path in ("demo.mbox", "Maildir", "eml"):
            for item in iter_archive(work / "mail" / path):
                pipe.process(item)
    with store.transaction() as s:
        users.add_user(s, "bench", "officer", PASSWORD)
    store.close()
    return db


def grow(base: Path, documents: int) -> Path:
    """A copy of the base store with its messages cloned until it holds
    ``documents`` documents. Plain SQL, so it takes seconds, not hours."""
    db = CACHE / f"review-{documents}.sqlite"
    if db.exists():
        return db
    import sqlite3

    tmp = db.with_suffix(".tmp")
    shutil.copyfile(base, tmp)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    have = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    rounds = max(0, -(-(documents - have) // have))
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in
            ("messages", "sightings", "documents", "records", "record_fields", "mentions", "exceptions")}
    src = {t: con.execute(f"SELECT {', '.join(c)} FROM {t} ORDER BY id").fetchall() for t, c in cols.items()}
    top = {t: con.execute(f"SELECT max(id) FROM {t}").fetchone()[0] or 0 for t in cols}
    for k in range(1, rounds + 1):
        ids: dict[str, dict[int, int]] = {t: {} for t in cols}

        def clone(table: str, fix) -> None:
            c = cols[table]
            rows = []
            for r in src[table]:
                d = dict(zip(c, r))
                top[table] += 1
                ids[table][d["id"]] = top[table]
                d["id"] = top[table]
                fix(d)
                rows.append(tuple(d[x] for x in c))
            con.executemany(f"INSERT INTO {table} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})", rows)

        def message(d):
            d["content_sha256"] = f"{k:08x}" + d["content_sha256"][8:]
            d["message_id"] = f"<{k}-{d['message_id'] or 'none'}>"
            d["origin"] = f"{d['origin']}#{k}"
            d["clash_with_id"] = None
            # received over the last year, oldest first
            seen = d["first_seen_at"]
            d["first_seen_at"] = _shift(seen, -(rounds - k) * 365 // max(1, rounds))

        clone("messages", message)
        clone("sightings", lambda d: d.update(message_pk=ids["messages"][d["message_pk"]],
                                              origin=f"{d['origin']}#{k}"))

        def document(d):
            d["message_pk"] = ids["messages"][d["message_pk"]]
            d["public_id"] = f"d_{k:06x}{d['public_id'][8:]}"
            d["duplicate_of_id"] = None if d["duplicate_of_id"] is None else d["duplicate_of_id"]
            d["claimed_by"] = d["claimed_at"] = None

        clone("documents", document)
        clone("records", lambda d: d.update(document_pk=ids["documents"][d["document_pk"]]))
        clone("record_fields", lambda d: d.update(record_pk=ids["records"][d["record_pk"]]))
        clone("mentions", lambda d: d.update(document_pk=ids["documents"][d["document_pk"]]))
        clone("exceptions", lambda d: d.update(
            document_pk=ids["documents"].get(d["document_pk"]), message_pk=ids["messages"].get(d["message_pk"]),
            related_document_pk=ids["documents"].get(d["related_document_pk"])))
        if k % 50 == 0:
            con.commit()
    con.commit()
    con.execute("ANALYZE")
    con.close()
    tmp.rename(db)
    return db


def _shift(value, days: int):
    from datetime import datetime

    dt = datetime.fromisoformat(str(value))
    return (dt + timedelta(days=days)).isoformat(sep=" ")


def measure(db: Path, requests: int) -> dict[str, list[float]]:
    from starlette.testclient import TestClient

    from intake.config.settings import load_settings
    from intake.review.app import create_app
    from intake.review.config import review_config
    from intake.store.db import open_store

    settings = load_settings(db_url=f"sqlite:///{db}")
    store = open_store(settings)
    app = create_app(settings, store, review_config(settings), background=False)
    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"csrf": token, "username": "bench", "password": PASSWORD})
    queue = client.get("/queue").text
    doc = re.findall(r'href="/documents/(d_[0-9a-z]+)"', queue)[0]
    reason = re.findall(r'reason=([a-z_]+)', queue)[0]
    last = re.search(r"Page 1 of (\d+)", queue)
    urls = {"queue": "/queue", "queue by reason": f"/queue?reason={reason}",
            "queue last page": f"/queue?page={last.group(1) if last else 1}", "document page": f"/documents/{doc}"}
    out: dict[str, list[float]] = {}
    for name, url in urls.items():
        client.get(url)  # first hit renders the original's pages (cached after)
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, (url, r.status_code)
        out[name] = times
    app.state.review.work.close()
    store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=50_000)
    ap.add_argument("--requests", type=int, default=20)
    args = ap.parse_args()
    os.environ["INTAKE_INLINE_ANALYSIS"] = "1"
    CACHE.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    base = build_base()
    big = grow(base, args.documents)
    import sqlite3

    n_big = sqlite3.connect(big).execute("SELECT count(*) FROM documents").fetchone()[0]
    n_base = sqlite3.connect(base).execute("SELECT count(*) FROM documents").fetchone()[0]
    print(f"stores ready in {time.perf_counter() - t0:.0f} s: {n_base} and {n_big} documents")
    small = measure(base, args.requests)
    large = measure(big, args.requests)
    print(f"{'page':<18} {'docs':>7} {'median ms':>10} {'p95 ms':>8}   {'docs':>7} {'median ms':>10} {'p95 ms':>8}  ratio")
    for name in small:
        a, b = small[name], large[name]
        ma, mb = statistics.median(a), statistics.median(b)
        pa, pb = sorted(a)[int(0.95 * (len(a) - 1))], sorted(b)[int(0.95 * (len(b) - 1))]
        print(f"{name:<18} {n_base:>7} {ma * 1000:>10.1f} {pa * 1000:>8.1f}   {n_big:>7} {mb * 1000:>10.1f} "
              f"{pb * 1000:>8.1f}  {mb / ma:5.2f}x")
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
