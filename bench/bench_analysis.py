"""How the analyst's queries cost as the history grows: recurrence for a
queue page of 50 documents (one statement), Rising (30 and 90 days), the
disruption view, an overview and a seeded link chart, and plates of
interest, on the fixture store (about 80 documents) and on copies grown to
N documents by bench_review.py's cloning (every message cloned with its
mentions, so every entity recurs N/80 times: a harsher store than a real
one, where most entities appear once).

    .venv/bin/python bench/bench_analysis.py [--documents 5000 20000] [--repeat 5]

Prints the median wall and CPU time of each query per store, and the SQLite plan
of the recurrence statement (it must search mentions by document and by
entity, never scan them).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_spec = importlib.util.spec_from_file_location("bench_review", REPO / "bench" / "bench_review.py")
bench_review = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_review)


def measure(db: Path, repeat: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from intake.config.settings import load_settings
    from intake.store import disruption, link_chart
    from intake.store.db import open_store
    from intake.store.models import DocumentRow, Entity
    from intake.store.plates import plates_of_interest
    from intake.store.recurrence import recurrence_for
    from intake.store.rising import rising

    store = open_store(load_settings(db_url=f"sqlite:///{db}"))
    with store.session() as s:
        last = s.scalar(select(func.max(DocumentRow.id)))
        page = list(s.scalars(select(DocumentRow.id).where(DocumentRow.id > last - 50).order_by(DocumentRow.id)))
        seed = s.scalar(select(Entity.public_id).where(Entity.type == "VRM").order_by(Entity.document_count.desc()))
    tasks = {
        "recurrence, page of 50": lambda s: recurrence_for(s, page),
        "rising 30 days": lambda s: rising(s, 30),
        "rising 90 days": lambda s: rising(s, 90),
        "disruption businesses": lambda s: disruption.businesses(s),
        "people around children": lambda s: disruption.people_around_children(s),
        "chart overview": lambda s: link_chart.build_chart(s, link_chart.ChartFilter()),
        "chart seed plate, 1 hop": lambda s: link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=1)),
        "plates of interest": lambda s: plates_of_interest(s),
    }
    out = {}
    for name, fn in tasks.items():
        wall, cpu = [], []
        for _ in range(repeat):
            with store.session() as s:
                t0, c0 = time.perf_counter(), time.process_time()
                fn(s)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        out[name] = (statistics.median(wall), statistics.median(cpu))
    store.close()
    return out


def with_counts(db: Path) -> Path:
    """A copy of a grown store whose entities' report counts are brought
    up to date (cloning copies mentions, not the counts the pipeline keeps,
    and recurrence reads them to spot entities named everywhere)."""
    import shutil
    import sqlite3

    out = db.with_name(db.stem.replace("review-", "analysis-") + ".sqlite")
    if out.exists() or db == out:
        return out
    tmp = out.with_suffix(".tmp")
    shutil.copyfile(db, tmp)
    con = sqlite3.connect(tmp)
    con.execute("UPDATE entities SET document_count = (SELECT count(DISTINCT document_pk) FROM mentions "
                "WHERE mentions.entity_pk = entities.id)")
    con.commit()
    con.close()
    tmp.rename(out)
    return out


def plan(db: Path) -> list[str]:
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from intake.store import recurrence

    captured = {}

    class Capture:
        def execute(self, stmt):
            captured["sql"] = str(stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
            raise StopIteration

    try:
        recurrence.recurrence_for(Capture(), [1, 2, 3])
    except StopIteration:
        pass
    con = sqlite3.connect(db)
    return [row[-1] for row in con.execute("EXPLAIN QUERY PLAN " + captured["sql"])]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ["INTAKE_INLINE_ANALYSIS"] = "1"
    bench_review.CACHE.mkdir(parents=True, exist_ok=True)
    base = bench_review.build_base()
    stores = [base] + [with_counts(bench_review.grow(base, n)) for n in args.documents]
    import sqlite3

    sizes = [sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0] for db in stores]
    results = [measure(db, args.repeat) for db in stores]
    # CPU time beside wall time: on a shared machine the wall time is mostly
    # waiting for a core (SQLite runs in this process, so its work is CPU here).
    print(f"{'query: median ms wall/cpu':<26}" + "".join(f"{n:>14} docs" for n in sizes))
    for name in results[0]:
        print(f"{name:<26}" + "".join(f"{r[name][0] * 1000:>10.0f}/{r[name][1] * 1000:<8.0f}" for r in results))
    print("recurrence plan:", *plan(stores[-1]), sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
