"""The queue page: every document with an open item, oldest first, counts
per reason, filters, paging, who is working on what; reprocessing the
filtered set; and bulk decisions on ticked documents of a filtered queue
(approve, reject with a reason, not a report), after a confirmation page
that says how many and which reasons, each document done and audited on
its own."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from starlette.routing import Route

from intake.review.web import ALL_ROLES, WORKERS, Ctx, page, parse_day, redirect
from intake.store import queue, review_actions
from intake.store import review_bulk as bulk
from intake.store.recurrence import recurrence_for

MAX_BULK_REPROCESS = 5000
KEPT = "q_"  # prefix of the filters a form carries (templates/_macros.html keep)


def queue_filter(ctx: Ctx, prefix: str = "") -> queue.QueueFilter:
    """The queue's filters from the query, or from a form's hidden fields
    (named q_<filter> so they never meet the form's own fields: a reject
    form's "reason" is words, the filter's "reason" a code)."""
    def get(name: str) -> str:
        return ctx.get(prefix + name)

    to = parse_day(get("received_to"))
    sort = get("sort")
    return queue.QueueFilter(
        reason=get("reason") or None, template=get("template") or None,
        agency=get("agency") or None, source=get("source") or None,
        received_from=parse_day(get("received_from")),
        received_to=to + timedelta(days=1) if to else None,  # the form's "to" day is included
        sort=sort if sort in queue.SORTS else "oldest",
    )


def _queue(ctx: Ctx, f: queue.QueueFilter, n: int, *, error: str | None = None, status: int = 200,
           ticked: set[str] | None = None, bulk_action: str = "", bulk_reason: str = ""):
    result = queue.list_queue(ctx.db, f, n, ctx.app.config.page_size)
    counts = queue.reason_counts(ctx.db, f)
    review_actions.audit_view(ctx.db, ctx.actor, "queue.viewed", "queue", None, page=n, rows=len(result.rows),
                  filters=sorted(f.as_params()))
    params = f.as_params()
    rec = recurrence_for(ctx.db, [r.document_pk for r in result.rows])  # templates/_recurrence.html
    return ctx.render("queue.html", status_code=status, page=result, counts=counts, f=f, params=params, rec=rec,
                      choices=queue.filter_choices(ctx.db), now=datetime.now(timezone.utc), error=error,
                      ticked=ticked or set(), bulk_action=bulk_action, bulk_reason=bulk_reason,
                      filtered=bool(set(params) - {"sort"}), bulk_actions=bulk.BULK_ACTIONS)


@page(*ALL_ROLES)
def queue_page(ctx: Ctx):
    f = queue_filter(ctx)
    try:
        n = max(1, int(ctx.get("page") or 1))
    except ValueError:
        n = 1
    ctx.flash_from_query()
    return _queue(ctx, f, n)


def _ticked(ctx: Ctx, f: queue.QueueFilter):
    ids = [v for v in ctx.form.getlist("doc") if isinstance(v, str)] if ctx.form is not None else []
    return queue.queued_documents(ctx.db, f, bulk.BULK_MAX, ids=ids[:bulk.BULK_MAX]) if ids else []


@page(*WORKERS)
def bulk_confirm(ctx: Ctx):
    """What the ticked documents are about to have done to them: how many,
    which reasons they are queued for, and the rejection reason."""
    f = queue_filter(ctx, KEPT)
    action, reason = ctx.get("action"), ctx.get("reject_reason").strip()
    docs = _ticked(ctx, f)
    problem = None
    if not docs:
        problem = "Tick at least one document of the list first."
    elif action not in bulk.BULK_ACTIONS:
        problem = "Choose what to do with the ticked documents."
    elif action == "reject" and not reason:
        problem = "Give the reason for rejecting the ticked documents."
    if problem:
        return _queue(ctx, f, 1, error=problem, status=400, ticked={d.public_id for d in docs},
                      bulk_action=action, bulk_reason=reason)
    reasons = queue.reason_counts_of(ctx.db, [d.id for d in docs])
    return ctx.render("bulk_confirm.html", docs=docs, action=action, label=bulk.BULK_ACTIONS[action],
                      reason=reason, reasons=reasons, params=f.as_params())


@page(*WORKERS)
def bulk_run(ctx: Ctx):
    f = queue_filter(ctx, KEPT)
    action, reason = ctx.get("action"), ctx.get("reject_reason").strip()
    ids = [v for v in ctx.form.getlist("doc") if isinstance(v, str)][:bulk.BULK_MAX]
    # Each document in its own transaction (review_actions.bulk_act), none
    # in this request's: one that fails leaves the others done.
    try:
        outcomes = bulk.bulk_act(ctx.app.store, ids, action, reason, ctx.actor)
    except review_actions.ActionError as exc:
        return _queue(ctx, f, 1, error=str(exc), status=400)
    return ctx.render("bulk_done.html", outcomes=outcomes, label=bulk.BULK_ACTIONS[action], reason=reason,
                      done=sum(o.done for o in outcomes), params=f.as_params())


@page(*WORKERS)
def queue_reprocess(ctx: Ctx):
    f = queue_filter(ctx)
    docs = queue.queued_documents(ctx.db, f, MAX_BULK_REPROCESS)
    n = review_actions.request_reprocess(ctx.db, docs, ctx.actor)
    ctx.app.work.wake()
    return redirect("/queue", **f.as_params(), done="reprocess_requested", n=n)


ROUTES = [
    Route("/queue", queue_page, methods=["GET"]),
    Route("/queue/reprocess", queue_reprocess, methods=["POST"]),
    Route("/queue/bulk/confirm", bulk_confirm, methods=["POST"]),
    Route("/queue/bulk", bulk_run, methods=["POST"]),
]
