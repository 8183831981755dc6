"""The document page (the original beside its record) and what an officer
does there: correct a field, choose the template, approve, reject, mark not
a report, settle a possible duplicate, reprocess, take over or release."""

from __future__ import annotations

from datetime import datetime, timezone

from starlette.responses import Response
from starlette.routing import Route

from intake import canonical
from intake.ingest.reprocess import report_date
from intake.review.highlight import segments
from intake.review.views.triage import triage_panel
from intake.review.web import ALL_ROLES, WORKERS, Ctx, NotFound, page, redirect
from intake.review.work import template_choices
from intake.store import queue as q
from intake.store import repository as repo
from intake.store import review_actions as ra
from intake.store.document_view import document_view
from intake.store.documents import get_document
from intake.store.records import field_values


def _doc(ctx: Ctx, doc_id: str):
    doc = get_document(ctx.db, doc_id)
    if doc is None:
        raise NotFound()
    return doc


def _show(ctx: Ctx, doc, *, error: str | None = None, status: int = 200) -> Response:
    view = document_view(ctx.db, doc)
    holder = None
    if ctx.can_work and view.open_items and not error:
        holder = q.claim(ctx.db, doc, ctx.user.username, take_over=False)
    elif doc.claimed_by and q.claim_is_live(doc.claimed_by, doc.claimed_at):
        holder = doc.claimed_by
    data = repo.get_blob(ctx.db, doc.sha256) or b""
    preview = ctx.app.renditions.preview(doc.media_type, doc.sha256, data, doc.text)
    ra.audit_view(ctx.db, ctx.actor, "document.viewed", "document", doc.public_id)
    return ctx.render(
        "document.html", status_code=status, v=view, doc=doc, msg=view.message, preview=preview,
        holder=holder, mine=holder == ctx.user.username, error=error,
        fields=[(f, segments(f.value, f.mentions) if _is_text(f) else None) for f in view.fields],
        templates=template_choices(ctx.app.settings),
        duplicate=ra.duplicate_candidate(ctx.db, doc), now=datetime.now(timezone.utc),
        reprocess_pending=doc.reprocess_requested_at is not None,
        triage=triage_panel(ctx.db, doc),  # templates/_triage.html (issue 18)
    )


def _is_text(f) -> bool:
    c = canonical.BY_KEY.get(f.key)
    return isinstance(f.value, str) and (c is None or c.type == "text")


@page(*ALL_ROLES)
def document_page(ctx: Ctx, doc_id: str):
    doc = _doc(ctx, doc_id)
    ctx.flash_from_query()
    return _show(ctx, doc)


@page(*ALL_ROLES)
def page_image(ctx: Ctx, doc_id: str, n: int):
    doc = _doc(ctx, doc_id)
    data = repo.get_blob(ctx.db, doc.sha256) or b""
    preview = ctx.app.renditions.preview(doc.media_type, doc.sha256, data, doc.text)
    if preview.kind != "pages" or not 1 <= n <= preview.pages:
        raise NotFound()
    try:
        png = ctx.app.renditions.page_png(doc.media_type, doc.sha256, data, n)
    except Exception:  # a page that will not render is a missing picture, not an error page
        raise NotFound() from None
    return Response(png, media_type="image/png")


def _busy(ctx: Ctx, doc) -> Response | None:
    """Someone else is working on it: refuse the change (they may be half
    way through), and say who."""
    if (doc.claimed_by and doc.claimed_by != ctx.user.username
            and q.claim_is_live(doc.claimed_by, doc.claimed_at)):
        return _show(ctx, doc, status=409, error=f"{doc.claimed_by} is working on this document. "
                     "Use “Take over” if they have left it, then try again.")
    return None


def _act(ctx: Ctx, doc_id: str, fn, done: str) -> Response:
    # Store actions raise ActionError before they write anything, so a
    # refused action leaves nothing half done in this transaction.
    doc = _doc(ctx, doc_id)
    busy = _busy(ctx, doc)
    if busy is not None:
        return busy
    try:
        fn(doc)
    except ra.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400)
    return redirect(f"/documents/{doc.public_id}", done=done)


@page(*WORKERS)
def correct(ctx: Ctx, doc_id: str):
    doc = _doc(ctx, doc_id)
    key = ctx.get("key")
    if key not in canonical.BY_KEY and (doc.record is None or key not in {f.key for f in doc.record.fields}):
        return _show(ctx, doc, error="That is not a field of this record.", status=400)
    busy = _busy(ctx, doc)
    if busy is not None:
        return busy
    try:
        changed = ra.correct_field(ctx.db, doc, key, ctx.get("value"), ctx.actor)
    except ra.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400)
    q.claim(ctx.db, doc, ctx.user.username)
    if changed:
        ctx.db.flush()
        values = field_values(doc.record)
        analysis = ctx.app.work.extract(doc.record, report_date(values, doc.message.date))
        if analysis is not None:
            ra.set_mentions(ctx.db, doc, analysis, ctx.actor)
    return redirect(f"/documents/{doc.public_id}", done="corrected" if changed else "unchanged")


@page(*WORKERS)
def choose_template(ctx: Ctx, doc_id: str):
    doc = _doc(ctx, doc_id)
    template_id = ctx.get("template")
    if template_id not in {t for t, _ in template_choices(ctx.app.settings)}:
        return _show(ctx, doc, error="Choose one of the listed templates.", status=400)
    busy = _busy(ctx, doc)
    if busy is not None:
        return busy
    # Slow (the worker maps the document) and before any write here, so the
    # store is not held meanwhile (web.py).
    analysis = ctx.app.work.analyse_with_template(doc.public_id, template_id)
    if analysis is None:
        raise NotFound()
    ra.choose_template(ctx.db, doc, template_id, analysis, ctx.actor)
    return redirect(f"/documents/{doc.public_id}", done="template_chosen")


@page(*WORKERS)
def approve(ctx: Ctx, doc_id: str):
    return _act(ctx, doc_id, lambda d: ra.approve(ctx.db, d, ctx.actor), "approved")


@page(*WORKERS)
def reject(ctx: Ctx, doc_id: str):
    return _act(ctx, doc_id, lambda d: ra.reject(ctx.db, d, ctx.get("reason"), ctx.actor), "rejected")


@page(*WORKERS)
def not_a_report(ctx: Ctx, doc_id: str):
    return _act(ctx, doc_id, lambda d: ra.mark_not_a_report(ctx.db, d, ctx.actor), "not_a_report")


@page(*WORKERS)
def duplicate(ctx: Ctx, doc_id: str):
    same = ctx.get("answer") == "same"
    return _act(ctx, doc_id, lambda d: ra.resolve_duplicate(ctx.db, d, same, ctx.actor),
                "duplicate_same" if same else "duplicate_different")


@page(*WORKERS)
def reprocess(ctx: Ctx, doc_id: str):
    doc = _doc(ctx, doc_id)
    n = ra.request_reprocess(ctx.db, [doc], ctx.actor)
    ctx.app.work.wake()
    return redirect(f"/documents/{doc.public_id}", done="reprocess_requested", n=n)


@page(*WORKERS)
def take_over(ctx: Ctx, doc_id: str):
    doc = _doc(ctx, doc_id)
    previous = doc.claimed_by
    q.claim(ctx.db, doc, ctx.user.username, take_over=True)
    ra.audit_view(ctx.db, ctx.actor, "document.taken_over", "document", doc.public_id,
                  previous=previous if previous != ctx.user.username else None)
    return redirect(f"/documents/{doc.public_id}", done="claimed")


@page(*WORKERS)
def release(ctx: Ctx, doc_id: str):
    doc = _doc(ctx, doc_id)
    q.release(ctx.db, doc, ctx.user.username)
    return redirect("/queue", done="released")


ROUTES = [
    Route("/documents/{doc_id}", document_page, methods=["GET"]),
    Route("/documents/{doc_id}/pages/{n:int}.png", page_image, methods=["GET"]),
    Route("/documents/{doc_id}/fields", correct, methods=["POST"]),
    Route("/documents/{doc_id}/template", choose_template, methods=["POST"]),
    Route("/documents/{doc_id}/approve", approve, methods=["POST"]),
    Route("/documents/{doc_id}/reject", reject, methods=["POST"]),
    Route("/documents/{doc_id}/not-a-report", not_a_report, methods=["POST"]),
    Route("/documents/{doc_id}/duplicate", duplicate, methods=["POST"]),
    Route("/documents/{doc_id}/reprocess", reprocess, methods=["POST"]),
    Route("/documents/{doc_id}/take-over", take_over, methods=["POST"]),
    Route("/documents/{doc_id}/release", release, methods=["POST"]),
]
