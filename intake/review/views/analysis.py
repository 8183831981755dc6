"""The analyst's pages: Rising, the disruption view with a
business's page and its draft section 116 notice, the link chart with its
JSON and exports, and the plates-of-interest CSV. Every page is decision
support: it ranks and says why; a person decides. Every view and download
is audited (ids and counts, never the words)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intake.review.s116_notice import notice_pdf
from intake.review.web import ALL_ROLES, Ctx, NotFound, page, parse_day
from intake.store import chart_export as chart_formats
from intake.store import disruption, link_chart, review_actions
from intake.store.entities import queries as entity_queries
from intake.store.plates import write_plates_csv
from intake.store.rising import WINDOWS, rising

CHART_EXPORTS = {"graphml": ("application/graphml+xml", "chart.graphml"),
                 "nodes.csv": ("text/csv; charset=utf-8", "nodes.csv"),
                 "edges.csv": ("text/csv; charset=utf-8", "edges.csv"),
                 "i2.csv": ("text/csv; charset=utf-8", "i2-links.csv")}


def _int(ctx: Ctx, name: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(ctx.get(name) or default)))
    except ValueError:
        return default


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@page(*ALL_ROLES)
def rising_page(ctx: Ctx):
    days = _int(ctx, "days", 30, 1, 366)
    days = days if days in WINDOWS else 30
    type_ = ctx.get("type") or None
    type_ = type_ if type_ in entity_queries.TYPES else None
    until = parse_day(ctx.get("until"))
    rows = rising(ctx.db, days, until=until + timedelta(days=1) if until else None, type_=type_)
    review_actions.audit_view(ctx.db, ctx.actor, "rising.viewed", "analysis", None, days=days, type=type_, rows=len(rows))
    return ctx.render("rising.html", rows=rows, days=days, windows=WINDOWS, type=type_, types=link_chart.CHART_TYPES,
                      until=ctx.get("until") if until else "")


@page(*ALL_ROLES)
def disruption_page(ctx: Ctx):
    partners = ctx.get("partners") == "1"
    kinds = disruption.catalogue()["business"]["order"]
    kind = ctx.get("kind") if ctx.get("kind") in kinds + ["unclassified"] else None
    found = disruption.businesses(ctx.db, include_partners=partners or kind == "partner", kind=kind)
    people = disruption.people_around_children(ctx.db)
    review_actions.audit_view(ctx.db, ctx.actor, "disruption.viewed", "analysis", None, kind=kind, businesses=len(found),
                  people=len(people))
    labels = {k: disruption.catalogue()["business"]["kinds"][k]["label"] for k in kinds}
    return ctx.render("disruption.html", businesses=found, people=people, kind=kind, kinds=kinds, labels=labels,
                      partners=partners)


def _business(ctx: Ctx, entity_id: str) -> disruption.Business:
    ent = entity_queries.find_entity(ctx.db, entity_id)
    if ent is None or ent.type != "ORGANISATION":
        raise NotFound()
    found = disruption.businesses(ctx.db, entity=ent)
    return found[0] if found else disruption.Business(ent, disruption.classify(ent.display))


@page(*ALL_ROLES)
def business_page(ctx: Ctx, entity_id: str):
    b = _business(ctx, entity_id)
    address, address_why = disruption.address_of(ctx.db, b)
    review_actions.audit_view(ctx.db, ctx.actor, "business.viewed", "entity", b.entity.public_id, reports=len(b.reports))
    return ctx.render("business.html", b=b, address=address or "", address_why=address_why)


@page(*ALL_ROLES)
def s116_pdf(ctx: Ctx, entity_id: str):
    b = _business(ctx, entity_id)
    name = (ctx.get("name") or b.entity.display).strip()[:300]
    address = ctx.get("address").strip()[:500]
    if not ctx.get("address") and "address" not in ctx.request.query_params:
        address = disruption.address_of(ctx.db, b)[0] or ""
    review_actions.audit_view(ctx.db, ctx.actor, "s116_draft.generated", "entity", b.entity.public_id,
                  name_edited=name != b.entity.display, address_given=bool(address))
    return _download(notice_pdf(name, address), "application/pdf", "s116-notice-DRAFT.pdf")


def chart_filter(ctx: Ctx) -> link_chart.ChartFilter:
    to = parse_day(ctx.get("to"))
    types = tuple(t for t in ctx.request.query_params.getlist("type") if t in link_chart.CHART_TYPES)
    return link_chart.ChartFilter(types=types, since=parse_day(ctx.get("from")), until=to + timedelta(days=1) if to else None,
                          agency=ctx.get("agency").strip()[:200] or None, seed=ctx.get("seed").strip()[:60] or None,
                          hops=_int(ctx, "hops", 1, 1, 4))


def _chart_params(f: link_chart.ChartFilter) -> dict:
    return {"types": list(f.types), "from": bool(f.since), "to": bool(f.until), "agency": bool(f.agency),
            "seed": f.seed, "hops": f.hops}


@page(*ALL_ROLES)
def chart_page(ctx: Ctx):
    f = chart_filter(ctx)
    seed = entity_queries.find_entity(ctx.db, f.seed) if f.seed else None
    review_actions.audit_view(ctx.db, ctx.actor, "chart.viewed", "analysis", None, **_chart_params(f))
    return ctx.render("chart.html", f=f, types=link_chart.CHART_TYPES, chosen=f.chosen_types, seed=seed,
                      query=ctx.request.url.query, q=ctx.request.query_params)


@page(*ALL_ROLES)
def chart_data(ctx: Ctx):
    f = chart_filter(ctx)
    chart = link_chart.build_chart(ctx.db, f)
    review_actions.audit_view(ctx.db, ctx.actor, "chart.data", "analysis", None, nodes=len(chart.nodes), **_chart_params(f))
    return JSONResponse(link_chart.chart_json(chart))


@page(*ALL_ROLES)
def chart_export(ctx: Ctx, fmt: str):
    if fmt not in CHART_EXPORTS:
        raise NotFound()
    f = chart_filter(ctx)
    chart = link_chart.build_chart(ctx.db, f)
    review_actions.audit_view(ctx.db, ctx.actor, "chart.exported", "analysis", None, format=fmt, nodes=len(chart.nodes),
                  **_chart_params(f))
    media, filename = CHART_EXPORTS[fmt]
    if fmt == "graphml":
        body: bytes | str = chart_formats.graphml_bytes(chart)
    else:
        body = chart_formats.csv_text({"nodes.csv": chart_formats.write_nodes_csv, "edges.csv": chart_formats.write_edges_csv,
                            "i2.csv": chart_formats.write_i2_csv}[fmt], chart)
    return _download(body, media, filename)


@page(*ALL_ROLES)
def plates_csv(ctx: Ctx):
    buf = io.StringIO(newline="")
    n = write_plates_csv(ctx.db, buf, min_reports=_int(ctx, "min_reports", 1, 1, 1000))
    review_actions.audit_view(ctx.db, ctx.actor, "plates.exported", "analysis", None, rows=n)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    return _download(buf.getvalue(), "text/csv; charset=utf-8", f"plates-of-interest-{stamp}.csv")


ROUTES = [
    Route("/rising", rising_page, methods=["GET"]),
    Route("/disruption", disruption_page, methods=["GET"]),
    Route("/disruption/{entity_id}", business_page, methods=["GET"]),
    Route("/disruption/{entity_id}/s116.pdf", s116_pdf, methods=["GET"]),
    Route("/chart", chart_page, methods=["GET"]),
    Route("/chart/data", chart_data, methods=["GET"]),
    Route("/chart/export/{fmt}", chart_export, methods=["GET"]),
    Route("/analysis/plates.csv", plates_csv, methods=["GET"]),
]
