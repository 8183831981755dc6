"""Finding documents: by sender, subject, file name, agency or reference
(store/document_search.py), newest first, each with its status."""

from __future__ import annotations

from starlette.routing import Route

from intake.review.web import ALL_ROLES, Ctx, page
from intake.store import review_actions
from intake.store.document_search import ATTRIBUTES, LABELS, DocumentQuery, search_documents

MAX_TERM = 200
SHOWN = 200


@page(*ALL_ROLES)
def search_page(ctx: Ctx):
    values = {name: ctx.get(name).strip()[:MAX_TERM] for name in ("q", *ATTRIBUTES)}
    query = DocumentQuery(any=values["q"], **{a: values[a] for a in ATTRIBUTES})
    terms = query.terms()
    results = search_documents(ctx.db, query, limit=SHOWN) if terms else None
    if results is not None:
        # The words searched for are themselves sensitive (a name, a plate):
        # the log keeps which attributes were searched and how many matched.
        review_actions.audit_view(ctx.db, ctx.actor, "documents.searched", "document", None, attributes=sorted(terms),
                      results=results.total)
    return ctx.render("search.html", values=values, attributes=ATTRIBUTES, labels=LABELS, results=results,
                      advanced=any(values[a] for a in ATTRIBUTES))


ROUTES = [Route("/search", search_page, methods=["GET"])]
