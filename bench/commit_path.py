"""The commit path alone: what writing one analysed message costs
the store, in SQL statements, ORM flushes and milliseconds, and whether that
cost grows with the store's size.

    .venv/bin/python -m bench.commit_path [--messages N] [--archive PATH ...]
        [--scale 2000,4000,...] [--batch B] [--db URL] [--dump FILE]

1. Capture (once, cached in bench/.cache/): the archives (default: the bench
   mailbox of N messages, bench/replay_mailbox.py) go through `intake
   replay` in this process, and every job handed to the commit (message,
   documents, analyses) is kept as it was committed, in commit order.
2. Commit: the jobs are taken into custody in a fresh store (not counted),
   then committed exactly as the local processor does (commit_job, B
   messages per transaction); a SQLAlchemy ``before_cursor_execute`` event
   counts statements (an executemany is one), an ``after_flush`` event
   counts flushes.
3. ``--scale``: more messages made from the captured ones (each copy with
   its own Message-ID and document bytes, and a share of its words, names
   included, replaced by made-up words of the same length, consistently
   within a copy, so entities and near-duplicates recur as in a real inbox)
   and the per-1,000-message time of each slice printed, to show whether
   cost grows with the store.

``--dump FILE`` writes the store's observable state after the run (export
JSON Lines, entities with their counts, links, content keys, queue items) to
compare before and after a change of the write path."""

from __future__ import annotations

import argparse
import copy
import dataclasses
import hashlib
import json
import os
import pickle
import random
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

CACHE = REPO / "bench" / ".cache"
CAPTURE_VERSION = 1


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# capture
# --------------------------------------------------------------------------


def capture(paths: list[Path], workers: int) -> list[dict]:
    """Replay ``paths`` into a scratch store, keeping every job committed."""
    from intake.cli import main as cli
    from intake.ingest.processing import local_processor, message_steps

    kept: dict[int, dict] = {}
    real = message_steps.commit_job

    def spy(session, job, actor):
        out = real(session, job, actor)
        kept.setdefault(job.inbound_id, {})
        kept[job.inbound_id] = {"raw": job.raw, "key": job.key, "result": job.result,
                                "analyses": dict(job.analyses), "source": job.source, "sender": job.sender}
        return out

    local_processor.commit_job = message_steps.commit_job = spy
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/capture.sqlite"
            rc = cli(["replay", "--db", url, "--workers", str(workers), "--no-progress", *map(str, paths)])
            if rc != 0:
                _log(f"capture replay exited {rc}")
    finally:
        local_processor.commit_job = message_steps.commit_job = real
    return [kept[k] for k in sorted(kept)]


def captured(paths: list[Path], name: str, workers: int) -> list[dict]:
    CACHE.mkdir(parents=True, exist_ok=True)
    f = CACHE / f"commit-jobs-v{CAPTURE_VERSION}-{name}.pickle"
    if f.exists():
        return pickle.loads(f.read_bytes())
    _log(f"capturing analysed jobs of {', '.join(map(str, paths))} (once) ...")
    jobs = capture(paths, workers)
    f.write_bytes(pickle.dumps(jobs))
    return jobs


# --------------------------------------------------------------------------
# copies for the scale run
# --------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]{3,}")
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _h(*parts) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


class _Rewrite:
    """Words replaced, consistently within one copy, by made-up words of the
    same length (so mention offsets still hold). ``world`` decides which
    words change and into what: copies in the same world share names."""

    def __init__(self, world: int, share: float):
        self.world, self.share = world, share
        self.cache: dict[str, str] = {}

    def word(self, w: str) -> str:
        out = self.cache.get(w)
        if out is None:
            if _h("pick", w.casefold(), self.world) % 1000 >= self.share * 1000:
                out = w
            else:
                rng = random.Random(_h("to", w.casefold(), self.world))
                letters = [rng.choice(_LOWER) for _ in w]
                out = "".join(c.upper() if o.isupper() else c for c, o in zip(letters, w))
            self.cache[w] = out
        return out

    def __call__(self, s):
        if not isinstance(s, str) or not s:
            return s
        return _WORD.sub(lambda m: self.word(m.group(0)), s)


def _rewrite_obj(v, rw: _Rewrite):
    if isinstance(v, str):
        return rw(v)
    if isinstance(v, dict):
        return {k: _rewrite_obj(x, rw) for k, x in v.items()}
    if isinstance(v, list):
        return [_rewrite_obj(x, rw) for x in v]
    return v


def make_copy(base: dict, k: int, worlds: int, share: float) -> dict:
    from intake.types import RawMessage

    rw = _Rewrite(_h("world", k) % max(1, worlds), share)
    job = copy.deepcopy(base)
    tag = f"\n# bench copy {k}\n".encode()
    job["raw"] = RawMessage(f"{base['raw'].origin}#copy{k}", base["raw"].data + tag)
    job["key"] = hashlib.sha256(base["key"].encode() + tag).hexdigest()
    res = job["result"]
    if res.headers.message_id:
        res.headers.message_id = f"<copy{k}.{res.headers.message_id.strip('<>')}>"
    docs = []
    for i, d in enumerate(res.documents):
        if i not in job["analyses"]:
            docs.append(d)  # a byte copy of a stored document in the original: it stays one
            continue
        data = d.data + tag
        docs.append(dataclasses.replace(d, data=data, sha256=hashlib.sha256(data).hexdigest()))
    res.documents = docs
    for a in job["analyses"].values():
        a.content_keys = None  # the worker's keys were of the original's content
        out = a.outcome
        out.text = rw(out.text)
        if out.record is not None:
            for fv in out.record.fields.values():
                fv.value = rw(fv.value) if isinstance(fv.value, str) else fv.value
                fv.raw = rw(fv.raw)
        for m in a.mentions:
            m.text, m.value, m.context = rw(m.text), rw(m.value), rw(m.context)
            m.attrs = _rewrite_obj(m.attrs, rw)
    return job


# --------------------------------------------------------------------------
# the commit run
# --------------------------------------------------------------------------


class Counters:
    def __init__(self, engine):
        self.statements = 0
        self.flushes = 0
        self.on = False
        self.kinds: dict[str, int] = {}
        event.listen(engine, "before_cursor_execute", self._stmt)
        event.listen(Session, "after_flush", self._flush)

    def _stmt(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements += 1
            head = " ".join(statement.split()[:4])[:60]
            self.kinds[head] = self.kinds.get(head, 0) + 1

    def _flush(self, session, ctx):
        if self.on:
            self.flushes += 1

    def close(self, engine):
        event.remove(engine, "before_cursor_execute", self._stmt)
        event.remove(Session, "after_flush", self._flush)


def _jobs_in_store(store, jobs: list[dict]):
    """Custody of every job's raw message (not measured), as MessageJobs."""
    from intake.ingest.processing.message_steps import MessageJob
    from intake.matching.content_fingerprint import content_keys_of
    from intake.store import inbound

    out = []
    with store.transaction() as s:
        for j in jobs:
            for a in j["analyses"].values():
                # What the analysis worker adds now (analysis/analyse.py), for
                # jobs captured before it did.
                if getattr(a, "content_keys", None) is None and a.outcome.status == "parsed":
                    a.content_keys = content_keys_of(a.outcome.record, a.outcome.text)
            inbound_id, _new = inbound.receive(s, j["raw"], j["source"])
            out.append(MessageJob(inbound_id, j["raw"], j["key"], j["result"], analyses=dict(j["analyses"]),
                                  source=j["source"], sender=j["sender"]))
    return out


def _people_cached(store) -> int | None:
    """People in the block cache of the writer's connection (the pool
    gives the single-threaded bench the same one each time); None off
    SQLite."""
    try:
        from intake.store.entities.block_cache import INFO_KEY
    except ImportError:  # an intake from before the cache, run for comparison
        return None
    with store.engine.connect() as conn:
        cache = conn.info.get(INFO_KEY)
        return cache.size if cache is not None else None


def _rss_mb() -> float:
    from intake.analysis.process_tree import _rss_mb as rss

    return rss(os.getpid())


def run_commits(url: str, jobs, n: int, batch: int, slice_size: int, top: int, profile=None,
                profile_from: int = 0, profile_to: int | None = None) -> dict:
    """``jobs(start, stop)``: the jobs of that slice (made when needed: a
    scale run does not hold 10,000 messages in memory)."""
    from intake.ingest.processing.message_steps import commit_job
    from intake.store import dedup, document_writes
    from intake.store.db import Store

    store = Store(url)
    counters = Counters(store.engine)
    slices: list[dict] = []
    # Content dedup's share of the time and its comparisons: the one part
    # whose work grows with the store (up to dedup.MAX_CANDIDATES per report).
    real_find, real_score = document_writes.find_content_duplicate, dedup.score_pair
    dd = {"cpu": 0.0, "pairs": 0}

    def find(*a, **kw):
        c0 = time.process_time()
        try:
            return real_find(*a, **kw)
        finally:
            dd["cpu"] += time.process_time() - c0

    def score(*a, **kw):
        dd["pairs"] += 1
        return real_score(*a, **kw)

    document_writes.find_content_duplicate, dedup.score_pair = find, score
    # Entity resolution's work that can grow with the store: entity rows read
    # (a surname block's people among them) and person pairs scored.
    from intake.matching import person_match
    from intake.store.entities import rows as entity_rows

    real_read, real_match = entity_rows.EntityRow.read.__func__, person_match.match_score
    er = {"rows": 0, "pairs": 0}

    def read(cls, *a, **kw):
        er["rows"] += 1
        return real_read(cls, *a, **kw)

    def match(*a, **kw):
        er["pairs"] += 1
        return real_match(*a, **kw)

    entity_rows.EntityRow.read, person_match.match_score = classmethod(read), match
    total_s = total_cpu = 0.0
    try:
        for start in range(0, n, slice_size):
            part = _jobs_in_store(store, jobs(start, min(n, start + slice_size)))
            st0, fl0, t_slice, c_slice = counters.statements, counters.flushes, 0.0, 0.0
            dd0, er0 = dict(dd), dict(er)
            for i in range(0, len(part), batch):
                counters.on = True
                profiled = profile is not None and start >= profile_from and (profile_to is None or start < profile_to)
                if profiled:
                    profile.enable()
                t0, c0 = time.perf_counter(), time.process_time()
                with store.transaction() as s:
                    for job in part[i:i + batch]:
                        commit_job(s, job, "system:bench")
                t_slice += time.perf_counter() - t0
                c_slice += time.process_time() - c0
                if profiled:
                    profile.disable()
                counters.on = False
            total_s += t_slice
            total_cpu += c_slice
            cached = _people_cached(store)
            rss = _rss_mb()
            slices.append({"from": start, "to": start + len(part), "seconds": t_slice, "cpu_seconds": c_slice,
                           "dedup_cpu_seconds": dd["cpu"] - dd0["cpu"], "dedup_pairs": dd["pairs"] - dd0["pairs"],
                           "statements": counters.statements - st0, "flushes": counters.flushes - fl0,
                           "people_cached": cached, "rss_mb": rss,
                           "entity_rows_read": er["rows"] - er0["rows"], "person_pairs_scored": er["pairs"] - er0["pairs"]})
            _log(f"messages {start}-{start + len(part)}: {t_slice:.2f} s, "
                 f"{1000 * t_slice / max(1, len(part)):.1f} ms/message ({1000 * c_slice / max(1, len(part)):.1f} CPU), "
                 f"{(counters.statements - st0) / max(1, len(part)):.1f} statements/message; content dedup "
                 f"{1000 * (dd['cpu'] - dd0['cpu']) / max(1, len(part)):.1f} ms CPU/message, "
                 f"{(dd['pairs'] - dd0['pairs']) / max(1, len(part)):.1f} comparisons/message; "
                 f"{(er['rows'] - er0['rows']) / max(1, len(part)):.1f} entity rows read and "
                 f"{(er['pairs'] - er0['pairs']) / max(1, len(part)):.1f} person pairs scored/message; "
                 f"{cached} people in the block cache, RSS {rss:.0f} MB")
    finally:
        document_writes.find_content_duplicate, dedup.score_pair = real_find, real_score
        entity_rows.EntityRow.read, person_match.match_score = classmethod(real_read), real_match
        counters.close(store.engine)
        store.close()
    return {"messages": n, "seconds": total_s, "ms_per_message": 1000 * total_s / max(1, n),
            "cpu_ms_per_message": 1000 * total_cpu / max(1, n),
            "statements_per_message": counters.statements / max(1, n),
            "flushes_per_message": counters.flushes / max(1, n), "slices": slices,
            "top_statements": sorted(counters.kinds.items(), key=lambda kv: -kv[1])[:top]}


# --------------------------------------------------------------------------
# the observable state, to compare before and after
# --------------------------------------------------------------------------


def dump_state(url: str, out: Path) -> None:
    from sqlalchemy import select

    from intake.store import models
    from intake.store.db import Store
    from intake.store.export import iter_documents

    store = Store(url)
    try:
        with store.session() as s:
            doc_pid = dict(s.execute(select(models.DocumentRow.id, models.DocumentRow.public_id)).all())
            ents = {e.id: e for e in s.scalars(select(models.Entity))}
            with out.open("w") as f:
                for obj in iter_documents(s):
                    f.write(json.dumps(obj, sort_keys=True, default=str) + "\n")
                for e in sorted(ents.values(), key=lambda e: e.public_id):
                    f.write(json.dumps({"entity": e.public_id, "type": e.type, "key": e.key, "display": e.display,
                                        "attrs": e.attrs, "merged_into": ents[e.merged_into_id].public_id
                                        if e.merged_into_id else None, "documents": e.document_count,
                                        "agencies": e.agency_count, "submitters": e.submitter_count,
                                        "first_seen": str(e.first_seen), "last_seen": str(e.last_seen)},
                                       sort_keys=True, default=str) + "\n")
                links = sorted((ents[l.a_pk].public_id, ents[l.b_pk].public_id, l.kind, doc_pid.get(l.document_pk))
                               for l in s.scalars(select(models.EntityLink)))
                for l in links:
                    f.write(json.dumps({"link": l}) + "\n")
                keys = sorted((doc_pid[k.document_pk], k.key) for k in s.scalars(select(models.ContentKey)))
                for k in keys:
                    f.write(json.dumps({"content_key": k}) + "\n")
                items = sorted((doc_pid.get(x.document_pk), x.code, x.status, doc_pid.get(x.related_document_pk),
                                x.detail) for x in s.scalars(select(models.ExceptionItem)))
                for x in items:
                    f.write(json.dumps({"item": x}) + "\n")
                docs = sorted((d.public_id, d.status, d.agency, d.duplicate_reason, d.template, d.reader)
                              for d in s.scalars(select(models.DocumentRow)))
                for d in docs:
                    f.write(json.dumps({"document": d}) + "\n")
    finally:
        store.close()


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=300, help="bench mailbox size (without --archive)")
    ap.add_argument("--archive", action="append", type=Path, default=[],
                    help="archives to capture instead of the bench mailbox (repeatable)")
    ap.add_argument("--workers", type=int, default=2, help="analysis workers for the one-off capture")
    ap.add_argument("--batch", type=int, default=1, help="messages per transaction (the local processor: 20)")
    ap.add_argument("--scale", default="", help="comma-separated store sizes, e.g. 2000,4000,6000,8000,10000")
    ap.add_argument("--share", type=float, default=0.3, help="share of words a copy replaces")
    ap.add_argument("--db", default=None, help="store URL (default: a fresh SQLite file)")
    ap.add_argument("--postgres", action="store_true",
                    help="a private PostgreSQL started for the run, as the tests start theirs")
    ap.add_argument("--dump", type=Path, default=None, help="write the store's state here after the run")
    ap.add_argument("--top", type=int, default=0, help="print the N most frequent statement kinds")
    ap.add_argument("--profile", type=Path, default=None,
                    help="cProfile the commits (only they) and write the stats here (pstats format)")
    ap.add_argument("--profile-from", type=int, default=0,
                    help="profile only the slices from this store size on (where a scale run grows)")
    ap.add_argument("--profile-to", type=int, default=None,
                    help="and only those that start below this size (to compare early with late slices)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    if args.archive:
        name = hashlib.sha256("|".join(str(p.resolve()) for p in args.archive).encode()).hexdigest()[:12]
        base = captured(args.archive, f"archives-{name}", args.workers)
    else:
        from bench import replay_mailbox
        mbox, _manifest = replay_mailbox.build(args.messages, 30, _log)
        base = captured([mbox], mbox.stem, args.workers)
    sizes = [int(x) for x in args.scale.split(",") if x.strip()]
    n = max(sizes) if sizes else len(base)
    worlds = max(1, n // 8)

    def jobs(start: int, stop: int) -> list[dict]:
        return [base[k] if k < len(base) else make_copy(base[k % len(base)], k, worlds, args.share)
                for k in range(start, stop)]

    slice_size = 1000 if sizes else n
    server = None
    if args.postgres:
        from tests.support.postgres import PostgresServer
        server = PostgresServer.start()
        args.db = server.new_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db or f"sqlite:///{tmp}/commit.sqlite"
            prof = None
            if args.profile:
                import cProfile
                prof = cProfile.Profile(time.process_time)  # CPU: the machine may be shared
            res = run_commits(url, jobs, n, args.batch, slice_size, args.top, prof, args.profile_from,
                              args.profile_to)
            if prof is not None:
                prof.dump_stats(str(args.profile))
            res.update(batch=args.batch, backend=url.split(":", 1)[0])
            if args.dump:
                dump_state(url, args.dump)
    finally:
        if server is not None:
            server.stop()
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"commit path, {res['messages']} messages, {res['batch']} per transaction, {res['backend']}: "
          f"{res['statements_per_message']:.1f} statements/message, {res['flushes_per_message']:.1f} "
          f"flushes/message, {res['ms_per_message']:.1f} ms/message ({res['cpu_ms_per_message']:.1f} ms CPU of "
          f"this process)  [target <= 20 statements, <= 15 ms]")
    if sizes:
        print("per 1,000 messages by store size:")
        for sl in res["slices"]:
            print(f"  {sl['from']:6d}-{sl['to']:<6d} {sl['seconds']:7.2f} s ({sl['cpu_seconds']:.2f} s CPU, "
                  f"{sl['dedup_cpu_seconds']:.2f} s of it content dedup, {sl['dedup_pairs']} comparisons)  "
                  f"{sl['statements'] / max(1, sl['to'] - sl['from']):6.1f} statements/message  "
                  f"{sl['entity_rows_read'] / max(1, sl['to'] - sl['from']):.0f} rows read, "
                  f"{sl['person_pairs_scored'] / max(1, sl['to'] - sl['from']):.0f} pairs scored/message  "
                  f"{sl['people_cached']} people cached, RSS {sl['rss_mb']:.0f} MB")
    for head, count in res["top_statements"]:
        print(f"  {count / res['messages']:7.2f}/message  {head}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
