"""The Reprocessing page: what the background reprocessor has still to do,
and which documents it could not reprocess, why, and when it tries again.
The page an officer lands on after asking for a reprocess, so "they update
within a few minutes" can be checked rather than taken on trust."""

from __future__ import annotations

from starlette.routing import Route

from intake import exception_codes
from intake.review.web import ALL_ROLES, Ctx, page
from intake.store import review_actions, review_faults


@page(*ALL_ROLES)
def reprocessing_page(ctx: Ctx):
    ctx.flash_from_query()
    progress = review_faults.reprocess_progress(ctx.db)
    review_actions.audit_view(ctx.db, ctx.actor, "reprocessing.viewed", "page", None)
    return ctx.render("reprocessing.html", progress=progress,
                      failed_meaning=exception_codes.info(exception_codes.REPROCESS_FAILED).meaning)


ROUTES = [Route("/reprocessing", reprocessing_page, methods=["GET"])]
