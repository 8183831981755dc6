"""The link chart: seed and hops, filters, the JSON the page draws, and the
same graph as GraphML (read back by networkx), Gephi's CSV pair and an i2
link table, from the page and from `intake chart`."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import networkx as nx
from sqlalchemy import select

from intake import cli
from intake.store import chart_export, link_chart
from intake.store.models import AuditEntry, Entity


def _entity(store, display: str) -> str:
    with store.session() as s:
        for e in s.scalars(select(Entity).where(Entity.merged_into_id.is_(None))):
            if e.display == display:
                return e.public_id
    raise AssertionError(display)


def _labels(chart):
    return {n.label for n in chart.nodes if n.kind == "entity"}


def test_a_seed_entity_with_one_hop_draws_its_reports_and_what_they_name(analysis_store):
    seed = _entity(analysis_store, "Darren Pike")
    with analysis_store.session() as s:
        one = link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=1))
        two = link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=2))
        plates_only = link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=1, types=("VRM",)))
        after_the_4th = link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=2,
                                                         since=datetime(2026, 3, 4, tzinfo=timezone.utc)))
        by_agency = link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=2, agency="city-hospital.example.org"))
    assert sum(n.kind == "report" for n in one.nodes) == 2  # school and hospital
    assert {"Darren Pike", "AB12CDE", "Riverside Lodge", "Kayleigh Brooks", "Jade Wilson"} <= _labels(one)
    assert "Chicken Palace" not in _labels(one)
    assert [n.label for n in one.nodes if n.seed] == ["Darren Pike"]
    # Two hops reach the charity's report through the plate and the phone.
    assert "Chicken Palace" in _labels(two) and sum(n.kind == "report" for n in two.nodes) == 4
    assert _labels(plates_only) == {"Darren Pike", "AB12CDE"}
    # Dates are the reports' own: the school's report of the 2nd drops out.
    assert "Kayleigh Brooks" in _labels(after_the_4th)
    assert sum(n.kind == "report" for n in after_the_4th.nodes) < sum(n.kind == "report" for n in two.nodes)
    assert sum(n.kind == "report" for n in by_agency.nodes) == 1
    # Every line joins two drawn nodes.
    ids = {n.id for n in two.nodes}
    assert all(e.source in ids and e.target in ids for e in two.edges)


def test_without_a_seed_the_chart_shows_the_most_linked_entities(analysis_store):
    with analysis_store.session() as s:
        chart = link_chart.build_chart(s, link_chart.ChartFilter())
        tiny = link_chart.build_chart(s, link_chart.ChartFilter(max_nodes=5))
    assert {"AB12CDE", "Riverside Lodge", "Darren Pike"} <= _labels(chart)
    assert "Tyler Grant" not in _labels(chart)  # one report links nothing
    assert tiny.truncated and len(tiny.nodes) <= 5


def test_graphml_opens_in_networkx_with_the_same_nodes_and_links(analysis_store):
    seed = _entity(analysis_store, "Riverside Lodge")
    with analysis_store.session() as s:
        chart = link_chart.build_chart(s, link_chart.ChartFilter(seed=seed, hops=2))
    g = nx.read_graphml(io.BytesIO(chart_export.graphml_bytes(chart)))
    assert g.number_of_nodes() == len(chart.nodes)
    assert g.number_of_edges() == len({frozenset((e.source, e.target)) for e in chart.edges})
    assert g.nodes[seed]["label"] == "Riverside Lodge" and g.nodes[seed]["entity_type"] == "ORGANISATION"
    reports = [n.id for n in chart.nodes if n.kind == "report"]
    assert all(g.nodes[r]["kind"] == "report" for r in reports)
    assert sum(g.has_edge(seed, r) for r in reports) == 3  # the hotel's three reports
    assert any(d["kind"] == "mentioned_in" for _, _, d in g.edges(data=True))


def test_gephi_and_i2_tables_have_their_headers_and_guard_formulas():
    chart = link_chart.Chart(nodes=[link_chart.Node("ent_a", "entity", "PERSON", "=HYPERLINK(\"x\")", 2, 1),
                            link_chart.Node("d_b", "report", "REPORT", "Report 02/03/2026", 1, 1, agency="+school")],
                     edges=[link_chart.Edge("ent_a", "d_b", "mentioned_in", 3)])
    nodes = list(csv.reader(io.StringIO(chart_export.csv_text(chart_export.write_nodes_csv, chart))))
    edges = list(csv.reader(io.StringIO(chart_export.csv_text(chart_export.write_edges_csv, chart))))
    i2 = list(csv.DictReader(io.StringIO(chart_export.csv_text(chart_export.write_i2_csv, chart))))
    assert nodes[0][:2] == ["Id", "Label"] and nodes[1][1] == "'=HYPERLINK(\"x\")"
    assert edges[0][:4] == ["Source", "Target", "Type", "Weight"] and edges[1][:4] == ["ent_a", "d_b", "Undirected", "3"]
    assert i2[0]["Entity1 Label"].startswith("'=") and i2[0]["Agency"] == "'+school"
    assert i2[0]["Link Type"] == "named in report"


def test_the_chart_page_serves_json_and_exports_and_audits_them(analyst, analysis_store):
    seed = _entity(analysis_store, "Darren Pike")
    page = analyst.get(f"/chart?seed={seed}&hops=1")
    assert page.status_code == 200
    assert '<script src="/static/vendor/cytoscape.min.js"' in page.text and "<script>" not in page.text
    assert f'data-src="/chart/data?seed={seed}&amp;hops=1"' in page.text
    data = analyst.get(f"/chart/data?seed={seed}&hops=1").json()
    nodes = [e["data"] for e in data["elements"] if "source" not in e["data"]]
    assert {n["url"].split("/")[1] for n in nodes} == {"entities", "documents"}
    assert data["counts"]["reports"] == 2
    g = nx.read_graphml(io.BytesIO(analyst.get(f"/chart/export/graphml?seed={seed}&hops=1").content))
    assert g.number_of_nodes() == len(nodes)
    for fmt in ("nodes.csv", "edges.csv", "i2.csv"):
        r = analyst.get(f"/chart/export/{fmt}?seed={seed}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert analyst.get("/chart/export/xls").status_code == 404
    assert analyst.get("/static/vendor/cytoscape.min.js").status_code == 200
    assert "MIT" in analyst.get("/static/vendor/README.md").text
    with analysis_store.session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("chart.%"))).all()
    assert actions.count("chart.exported") == 4 and "chart.viewed" in actions and "chart.data" in actions


def test_intake_chart_writes_the_same_graph_for_gephi_and_graphml(analysis_settings, analysis_store, tmp_path):
    url = analysis_settings.raw["store"]["url"]
    assert cli.main(["chart", "--format", "gephi", "-o", str(tmp_path / "gephi"), "--db", url]) == 0
    nodes = list(csv.DictReader((tmp_path / "gephi" / "nodes.csv").open()))
    edges = list(csv.DictReader((tmp_path / "gephi" / "edges.csv").open()))
    ids = {n["Id"] for n in nodes}
    assert "AB12CDE" in {n["Label"] for n in nodes}
    assert edges and all(e["Source"] in ids and e["Target"] in ids for e in edges)
    assert ((tmp_path / "gephi" / "nodes.csv").stat().st_mode & 0o777) == 0o600
    seed = _entity(analysis_store, "Darren Pike")
    assert cli.main(["chart", "--seed", seed, "-o", str(tmp_path / "c.graphml"), "--db", url]) == 0
    assert "Darren Pike" in {d["label"] for _, d in nx.read_graphml(tmp_path / "c.graphml").nodes(data=True)}
    assert cli.main(["chart", "--seed", "ent_nobody", "--db", url]) == 1
    with analysis_store.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.actor == "cli:chart")).all()
