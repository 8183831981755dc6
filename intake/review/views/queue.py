"""The queue page: every document with an open item, oldest first, counts
per reason, filters, paging, who is working on what; and reprocessing the
filtered set."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from starlette.routing import Route

from intake.review.web import ALL_ROLES, WORKERS, Ctx, page, parse_day, redirect
from intake.store import queue as q
from intake.store import review_actions as ra

MAX_BULK_REPROCESS = 5000



def queue_filter(ctx: Ctx) -> q.QueueFilter:
    to = parse_day(ctx.get("received_to"))
    sort = ctx.get("sort")
    return q.QueueFilter(
        reason=ctx.get("reason") or None, template=ctx.get("template") or None,
        agency=ctx.get("agency") or None, source=ctx.get("source") or None,
        received_from=parse_day(ctx.get("received_from")),
        received_to=to + timedelta(days=1) if to else None,  # the form's "to" day is included
        sort=sort if sort in q.SORTS else "oldest",
    )


@page(*ALL_ROLES)
def queue_page(ctx: Ctx):
    f = queue_filter(ctx)
    try:
        n = max(1, int(ctx.get("page") or 1))
    except ValueError:
        n = 1
    result = q.list_queue(ctx.db, f, n, ctx.app.config.page_size)
    counts = q.reason_counts(ctx.db, f)
    ra.audit_view(ctx.db, ctx.actor, "queue.viewed", "queue", None, page=n, rows=len(result.rows),
                  filters=sorted(f.as_params()))
    ctx.flash_from_query()
    return ctx.render("queue.html", page=result, counts=counts, f=f, params=f.as_params(),
                      choices=q.filter_choices(ctx.db), now=datetime.now(timezone.utc))


@page(*WORKERS)
def queue_reprocess(ctx: Ctx):
    f = queue_filter(ctx)
    docs = q.queued_documents(ctx.db, f, MAX_BULK_REPROCESS)
    n = ra.request_reprocess(ctx.db, docs, ctx.actor)
    ctx.app.work.wake()
    return redirect("/queue", **f.as_params(), done="reprocess_requested", n=n)


ROUTES = [
    Route("/queue", queue_page, methods=["GET"]),
    Route("/queue/reprocess", queue_reprocess, methods=["POST"]),
]
