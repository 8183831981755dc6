"""Where each field's value stands on the original's pages, as data for
the document page's script (static/sourcebox.js) to draw over the page
images: ``GET /documents/{id}/sources.json``."""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.routing import Route

from intake.review.rendering import RenderError
from intake.review.source_boxes import source_boxes_of
from intake.review.web import ALL_ROLES, Ctx, NotFound, page
from intake.store import repository as repo
from intake.store import review_actions
from intake.store.documents import get_document
from intake.types import IntakeError

log = logging.getLogger(__name__)


@page(*ALL_ROLES)
def sources(ctx: Ctx, doc_id: str):
    doc = get_document(ctx.db, doc_id)
    if doc is None:
        raise NotFound()
    data = repo.get_blob(ctx.db, doc.sha256) or b""
    # Slow the first time (LibreOffice, OCR) and before this request's
    # only write, so the store is not held meanwhile (web.py).
    try:
        body = source_boxes_of(ctx.app.renditions).for_document(doc, data)
    except (RenderError, IntakeError, OSError, ValueError) as exc:
        # A document the converters cannot read costs its boxes, not the
        # page; the log names the kind of failure, never the content.
        log.warning("source boxes unavailable for a document: %s", type(exc).__name__)
        body = {"document": doc.public_id, "fields": [], "unplaced": [],
                "error": "Where the values are on the page could not be worked out for this document."}
    review_actions.audit_view(ctx.db, ctx.actor, "document.sources_viewed", "document", doc.public_id,
                  placed=len(body["fields"]))
    return JSONResponse(body)


ROUTES = [Route("/documents/{doc_id}/sources.json", sources, methods=["GET"])]
