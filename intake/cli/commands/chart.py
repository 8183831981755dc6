"""`intake chart`: the review app's link chart written for other tools:
GraphML, Gephi's nodes.csv/edges.csv pair, or an i2 Analyst's Notebook
link table (docs/analysis.md), with the page's filters.

Reads only; audited like `intake export` (to the log on a read-only
store). Files are written atomically and owner-only: labels are report
content, OFFICIAL-SENSITIVE."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from intake.files import write_atomically
from intake.logs import fields
from intake.store import chart_export, link_chart
from intake.store import repository as repo
from intake.store.db import open_store

log = logging.getLogger(__name__)


def _day(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=timezone.utc)


def register(sub, common) -> None:
    p = sub.add_parser("chart", parents=[common], help="write the link chart as GraphML or CSV (Gephi, i2)",
                       description="The link chart of entities and the reports naming them (the review app's "
                                   "/chart), for Gephi, i2 Analyst's Notebook, yEd or Cytoscape. --format gephi "
                                   "writes DIR/nodes.csv and DIR/edges.csv.")
    p.add_argument("--format", choices=["graphml", "gephi", "i2"], default="graphml")
    p.add_argument("--output", "-o", metavar="PATH", help="a file (graphml, i2) or a folder (gephi); "
                                                          "graphml and i2 go to stdout without it")
    p.add_argument("--type", action="append", choices=list(link_chart.CHART_TYPES), help="entity types (repeatable)")
    p.add_argument("--from", dest="since", type=_day, metavar="YYYY-MM-DD", help="reports dated from this day")
    p.add_argument("--to", dest="until", type=_day, metavar="YYYY-MM-DD", help="reports dated up to this day")
    p.add_argument("--agency", help="reports from this agency only")
    p.add_argument("--seed", metavar="ENTITY_ID", help="start from this entity")
    p.add_argument("--hops", type=int, default=1, choices=[1, 2, 3, 4])
    p.add_argument("--max-nodes", type=int, default=link_chart.MAX_NODES)
    p.set_defaults(func=run)


def run(args, settings) -> int:
    f = link_chart.ChartFilter(types=tuple(args.type or ()), since=args.since,
                       until=args.until + timedelta(days=1) if args.until else None, agency=args.agency,
                       seed=args.seed, hops=args.hops, max_nodes=args.max_nodes)
    if args.format == "gephi" and not args.output:
        print("intake chart: --format gephi needs --output FOLDER", file=sys.stderr)
        return 2
    with open_store(settings, write=False) as store:
        with store.session() as s:
            chart = link_chart.build_chart(s, f)
        if args.seed and chart.seed is None:
            print(f"intake chart: no entity {args.seed}", file=sys.stderr)
            return 1
        _write(chart, args.format, Path(args.output) if args.output else None)
        detail = dict(format=args.format, nodes=len(chart.nodes), links=len(chart.edges), seed=args.seed)
        if store.read_only:
            log.warning("chart export not audited in the store (read-only); recorded here instead",
                        extra=fields(action="chart.exported", **detail))
        else:
            with store.transaction() as s:
                repo.audit(s, "cli:chart", "chart.exported", "analysis", None, **detail)
    if chart.truncated:
        print(f"intake chart: cut short at {f.max_nodes} nodes; narrow the filters or raise --max-nodes",
              file=sys.stderr)
    return 0


def _write(chart: link_chart.Chart, fmt: str, out: Path | None) -> None:
    if fmt == "graphml":
        if out:
            write_atomically(out, lambda fh: fh.write(chart_export.graphml_bytes(chart)), binary=True)
        else:
            sys.stdout.write(chart_export.graphml_bytes(chart).decode("utf-8"))
    elif fmt == "i2":
        if out:
            write_atomically(out, lambda fh: chart_export.write_i2_csv(chart, fh))
        else:
            chart_export.write_i2_csv(chart, sys.stdout)
    else:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(out / "nodes.csv", lambda fh: chart_export.write_nodes_csv(chart, fh))
        write_atomically(out / "edges.csv", lambda fh: chart_export.write_edges_csv(chart, fh))
    sys.stdout.flush()
