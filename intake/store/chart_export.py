"""The link chart written for other tools: GraphML (networkx's writer;
Gephi, yEd, Cytoscape desktop and i2 read it), Gephi's CSV pair
(nodes.csv: Id,Label,...; edges.csv: Source,Target,Type,Weight,...), and
one i2 Analyst's Notebook link table (a row per link with both ends'
identity, type and label: the shape ANB's Import Data wizard maps to two
entities and a link). Cells are guarded against spreadsheet formulas as
the document export's are. Labels are report content: OFFICIAL-SENSITIVE.
"""

from __future__ import annotations

import csv
import io
from typing import TextIO

import networkx as nx

from intake.store.export import _cell
from intake.store.link_chart import Chart

NODE_COLUMNS = ["Id", "Label", "Kind", "EntityType", "Reports", "Agencies", "FirstSeen", "LastSeen", "Agency",
                "Url"]
EDGE_COLUMNS = ["Source", "Target", "Type", "Weight", "Label"]
I2_COLUMNS = ["Entity1 Id", "Entity1 Type", "Entity1 Label", "Entity2 Id", "Entity2 Type", "Entity2 Label",
              "Link Type", "Link Weight", "Date", "Agency"]
EDGE_LABELS = {"mentioned_in": "named in report", "alias_of": "alias of", "vehicle_plate": "vehicle plate",
               "partial_plate_candidate": "partial plate fits"}


def _day(dt) -> str:
    return dt.date().isoformat() if dt else ""


def to_networkx(chart: Chart) -> nx.Graph:
    g = nx.Graph()
    for n in chart.nodes:
        g.add_node(n.id, label=n.label, kind=n.kind, entity_type=n.type, reports=n.reports, agencies=n.agencies,
                   first_seen=_day(n.first), last_seen=_day(n.last), agency=n.agency or "", url=n.url)
    for e in chart.edges:
        g.add_edge(e.source, e.target, kind=e.kind, label=EDGE_LABELS.get(e.kind, e.kind), weight=e.weight)
    return g


def write_graphml(chart: Chart, out) -> None:
    """GraphML to a binary stream."""
    nx.write_graphml(to_networkx(chart), out, encoding="utf-8", prettyprint=True)


def graphml_bytes(chart: Chart) -> bytes:
    buf = io.BytesIO()
    write_graphml(chart, buf)
    return buf.getvalue()


def write_nodes_csv(chart: Chart, out: TextIO) -> int:
    w = csv.writer(out)
    w.writerow(NODE_COLUMNS)
    for n in chart.nodes:
        w.writerow([_cell(v) for v in (n.id, n.label, n.kind, n.type, n.reports, n.agencies, _day(n.first),
                                       _day(n.last), n.agency, n.url)])
    return len(chart.nodes)


def write_edges_csv(chart: Chart, out: TextIO) -> int:
    w = csv.writer(out)
    w.writerow(EDGE_COLUMNS)
    for e in chart.edges:
        # Gephi reads Type as Directed/Undirected; what the link is goes in Label.
        w.writerow([_cell(v) for v in (e.source, e.target, "Undirected", e.weight, EDGE_LABELS.get(e.kind, e.kind))])
    return len(chart.edges)


def write_i2_csv(chart: Chart, out: TextIO) -> int:
    by_id = {n.id: n for n in chart.nodes}
    w = csv.writer(out)
    w.writerow(I2_COLUMNS)
    n = 0
    for e in chart.edges:
        a, b = by_id.get(e.source), by_id.get(e.target)
        if a is None or b is None:
            continue
        report = b if b.kind == "report" else a if a.kind == "report" else None
        w.writerow([_cell(v) for v in (a.id, a.type, a.label, b.id, b.type, b.label,
                                       EDGE_LABELS.get(e.kind, e.kind), e.weight,
                                       _day(report.first) if report else "", report.agency if report else "")])
        n += 1
    return n


def csv_text(writer, chart: Chart) -> str:
    buf = io.StringIO(newline="")
    writer(chart, buf)
    return buf.getvalue()
