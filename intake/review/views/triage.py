"""Triage in the review app: an officer changes a document's
level with a reason (audited), and the "Reports" list, most urgent first.

The document page shows the panel templates/_triage.html renders from
``triage_panel`` (the level, why, the indicators highlighted in their
field's text, the notifications, the form to change the level)."""

from __future__ import annotations

from datetime import timedelta

from starlette.routing import Route

from intake.review.web import ALL_ROLES, FLASH, WORKERS, Ctx, NotFound, page, parse_day, redirect
from intake.store import reports, review_actions
from intake.store.documents import get_document
from intake.store.notifications import states_of
from intake.store.triage import TriageError, set_level, triage_view
from intake.triage.catalogue import LEVELS, load

# This page's messages after a redirect (web.py shows only known keys).
FLASH.setdefault("triage_changed", "Triage level changed; the suggestion and your reason are kept.")
FLASH.setdefault("triage_reverted", "Back to intake's suggested level.")
FLASH.setdefault("triage_refused", "The level was not changed: choose a level and give a reason.")


def _segments(text: str, marks: list[dict]) -> list[tuple[str, dict | None]]:
    """[(run, indicator or None)] over a field's text; a match whose
    offsets no longer fit (the field was corrected) is left out."""
    out, pos = [], 0
    for m in sorted(marks, key=lambda m: (m["start"], -(m["end"] - m["start"]))):
        if m["start"] < pos or m["end"] > len(text) or text[m["start"]:m["end"]] != m["phrase"]:
            continue
        if m["start"] > pos:
            out.append((text[pos:m["start"]], None))
        out.append((text[m["start"]:m["end"]], m))
        pos = m["end"]
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def triage_panel(db, doc, values: dict | None = None) -> dict | None:
    """What _triage.html renders for a document: None when not triaged."""
    view = triage_view(db, doc.id)
    if view is None:
        return None
    if values is None:
        from intake.store.records import field_values

        values = field_values(doc.record) if doc.record is not None else {}
    by_field: dict[str, list[dict]] = {}
    for i in view.indicators:
        if i["status"] == "counted":
            by_field.setdefault(i["field"], []).append(i)
    highlighted = [(f, _segments(values[f], marks)) for f, marks in sorted(by_field.items())
                   if isinstance(values.get(f), str)]
    return {"view": view, "levels": LEVELS, "highlighted": highlighted,
            "set_aside": [i for i in view.indicators if i["status"] != "counted"],
            "notifications": states_of(db, doc.id)}


@page(*WORKERS)
def change_level(ctx: Ctx, doc_id: str):
    doc = get_document(ctx.db, doc_id)
    if doc is None:
        raise NotFound()
    choice = ctx.get("level")
    level = None if choice == "suggested" else choice
    try:
        set_level(ctx.db, doc, level, ctx.get("reason"), ctx.actor.name, ctx.actor.client_addr)
    except TriageError:
        return redirect(f"/documents/{doc.public_id}", done="triage_refused")
    return redirect(f"/documents/{doc.public_id}", done="triage_reverted" if level is None else "triage_changed")


def report_filter(ctx: Ctx) -> reports.ReportFilter:
    to = parse_day(ctx.get("received_to"))
    level, changed, sort = ctx.get("level"), ctx.get("changed"), ctx.get("sort")
    return reports.ReportFilter(
        level=level if level in LEVELS else None, agency=ctx.get("agency") or None,
        indicator=ctx.get("indicator") if ctx.get("indicator") in load().indicators else None,
        changed=changed if changed in ("yes", "no") else None,
        received_from=parse_day(ctx.get("received_from")),
        received_to=to + timedelta(days=1) if to else None,
        sort=sort if sort in reports.SORTS else "level_oldest")


@page(*ALL_ROLES)
def reports_page(ctx: Ctx):
    f = report_filter(ctx)
    try:
        n = max(1, int(ctx.get("page") or 1))
    except ValueError:
        n = 1
    result = reports.list_reports(ctx.db, f, n, ctx.app.config.page_size)
    review_actions.audit_view(ctx.db, ctx.actor, "reports.viewed", "reports", None, page=n, rows=len(result.rows),
                  filters=sorted(f.as_params()))
    cat = load()
    return ctx.render("reports.html", page=result, f=f, params=f.as_params(), levels=LEVELS,
                      counts=reports.level_counts(ctx.db, f), agencies=reports.agencies(ctx.db),
                      indicators=[(i.id, i.label) for i in cat.indicators.values()], label=cat.label,
                      untriaged=reports.untriaged_count(ctx.db))


ROUTES = [
    Route("/reports", reports_page, methods=["GET"]),
    Route("/documents/{doc_id}/triage", change_level, methods=["POST"]),
]
