"""The document page (the original beside its record) and what an officer
does there: correct one field or several and approve in the same submit,
pick the value of an ambiguous choice, choose the template, approve,
reject, mark not a report, settle a duplicate beside its original, leave a
note, reprocess, take or release it, and move to the next item.

Every form carries the queue's filters (hidden fields), so "… and next",
"next item" and "← Queue" stay inside the set the officer is working
through. Merely opening a document claims nothing: the claim is taken on
the first change (or *Take*) and released on leaving for the next item or
the queue, on a decision, or after idle (store/queue.py CLAIM_TTL).
"""

from __future__ import annotations

from datetime import datetime, timezone

from starlette.responses import Response
from starlette.routing import Route

from intake import canonical
from intake.analysis.reprocess import report_date
from intake.review.highlight import segments
from intake.review.views.queue import KEPT
from intake.review.views.queue import queue_filter as _queue_filter
from intake.review.views.triage import triage_panel
from intake.review.web import ALL_ROLES, WORKERS, Ctx, NotFound, page, redirect
from intake.review.work import template_choices
from intake.store import queue, review_actions
from intake.store import repository as repo
from intake.store.document_view import compare_records, document_view
from intake.store.documents import get_document
from intake.store.grading_suggestion import suggestions_for
from intake.store.records import field_values
from intake.store.recurrence import recurrence_of

FIELD_PREFIX = "f:"  # a several-field form names its inputs f:<canonical key>


def queue_filter(ctx: Ctx):
    """The filters the officer is working under: the query of a page, the
    hidden fields of a form."""
    return _queue_filter(ctx, KEPT if ctx.form is not None else "")


def document_or_404(ctx: Ctx, doc_id: str):
    doc = get_document(ctx.db, doc_id)
    if doc is None:
        raise NotFound()
    return doc


def original_preview(ctx: Ctx, doc):
    data = repo.get_blob(ctx.db, doc.sha256) or b""
    return ctx.app.renditions.preview(doc.media_type, doc.sha256, data, doc.text)


def _holder(doc) -> str | None:
    return doc.claimed_by if doc.claimed_by and queue.claim_is_live(doc.claimed_by, doc.claimed_at) else None


def _other(ctx: Ctx, doc):
    """(the other document, "possible" | "copy") of a duplicate question."""
    cand = review_actions.duplicate_candidate(ctx.db, doc)
    if cand is not None:
        return cand, "possible"
    orig = review_actions.original_of(ctx.db, doc)
    return (orig, "copy") if orig is not None else (None, None)


def _show(ctx: Ctx, doc, *, error: str | None = None, status: int = 200, typed: dict | None = None,
          field_errors: dict | None = None) -> Response:
    """The page; after a refused change, the officer's typed values kept
    in their open editors with the error beside each field."""
    view = document_view(ctx.db, doc)
    f = queue_filter(ctx)
    holder = _holder(doc)
    other, relation = _other(ctx, doc)
    review_actions.audit_view(ctx.db, ctx.actor, "document.viewed", "document", doc.public_id)
    return ctx.render(
        "document.html", status_code=status, v=view, doc=doc, msg=view.message, preview=original_preview(ctx, doc),
        holder=holder, mine=holder == ctx.user.username, error=error,
        typed=typed or {}, field_errors=field_errors or {},
        fields=[(fv, segments(fv.value, fv.mentions) if _is_text(fv) else None) for fv in view.fields],
        templates=template_choices(ctx.app.settings),
        other=other, relation=relation, compare=compare_records(doc, other) if other is not None else [],
        duplicate=other if relation == "possible" else None,
        now=datetime.now(timezone.utc), reprocess_pending=doc.reprocess_requested_at is not None,
        params=f.as_params(), in_queue=bool(view.open_items),
        triage=triage_panel(ctx.db, doc),  # templates/_triage.html
        rec=recurrence_of(ctx.db, doc.id), gs=suggestions_for(ctx.db, [doc])[doc.id],
    )


def _is_text(f) -> bool:
    c = canonical.BY_KEY.get(f.key)
    return isinstance(f.value, str) and (c is None or c.type == "text")


@page(*ALL_ROLES)
def document_page(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
    ctx.flash_from_query()
    return _show(ctx, doc)


@page(*ALL_ROLES)
def compare_page(ctx: Ctx, doc_id: str):
    """Both originals side by side with their records, for a duplicate."""
    doc = document_or_404(ctx, doc_id)
    other, relation = _other(ctx, doc)
    if other is None:
        raise NotFound()
    review_actions.audit_view(ctx.db, ctx.actor, "document.viewed", "document", doc.public_id, compared_with=other.public_id)
    review_actions.audit_view(ctx.db, ctx.actor, "document.viewed", "document", other.public_id, compared_with=doc.public_id)
    return ctx.render("compare.html", doc=doc, other=other, relation=relation,
                      mine_preview=original_preview(ctx, doc), other_preview=original_preview(ctx, other),
                      compare=compare_records(doc, other), params=queue_filter(ctx).as_params(),
                      mine_msg=doc.message, other_msg=other.message)


@page(*ALL_ROLES)
def page_image(ctx: Ctx, doc_id: str, n: int):
    doc = document_or_404(ctx, doc_id)
    data = repo.get_blob(ctx.db, doc.sha256) or b""
    preview = ctx.app.renditions.preview(doc.media_type, doc.sha256, data, doc.text)
    if preview.kind != "pages" or not 1 <= n <= preview.pages:
        raise NotFound()
    try:
        png = ctx.app.renditions.page_png(doc.media_type, doc.sha256, data, n)
    except Exception:  # a page that will not render is a missing picture, not an error page
        raise NotFound() from None
    return Response(png, media_type="image/png")


def _busy(ctx: Ctx, doc, typed: dict | None = None) -> Response | None:
    """Someone else is working on it: refuse the change (they may be half
    way through), and say who."""
    holder = queue.held_by_other(doc, ctx.user.username)
    if holder:
        return _show(ctx, doc, status=409, typed=typed,
                     error=f"{holder} is working on this document. "
                           "Use “Take over” if they have left it, then try again.")
    return None


def _after(ctx: Ctx, doc, done: str, *, decided: bool = True) -> Response:
    """Where an action lands: the next unclaimed item under the same filters
    ("… and next"), or back on the document."""
    f = queue_filter(ctx)
    if ctx.get("then") == "next" and decided:
        nxt = queue.neighbour(ctx.db, f, doc, "next", ctx.user.username)
        if nxt is None:
            return redirect("/queue", **f.as_params(), done="queue_empty")
        return redirect(f"/documents/{nxt}", **f.as_params(), done=f"{done}_next")
    return redirect(f"/documents/{doc.public_id}", **f.as_params(), done=done)


def _act(ctx: Ctx, doc_id: str, fn, done: str) -> Response:
    # Store actions raise ActionError before they write anything, so a
    # refused action leaves nothing half done in this transaction.
    doc = document_or_404(ctx, doc_id)
    busy = _busy(ctx, doc)
    if busy is not None:
        return busy
    try:
        fn(doc)
    except review_actions.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400)
    return _after(ctx, doc, done)


def _submitted_fields(ctx: Ctx, doc) -> dict[str, str]:
    """The field values a form sent: one (key, value) or many f:<key>."""
    known = {f.key for f in doc.record.fields} if doc.record is not None else set()
    out = {}
    if ctx.form is not None:
        for name, value in ctx.form.multi_items():
            if name.startswith(FIELD_PREFIX) and isinstance(value, str):
                out[name[len(FIELD_PREFIX):]] = value
    key = ctx.get("key")
    if key:
        out[key] = ctx.get("value")
    bad = [k for k in out if k not in canonical.BY_KEY and k not in known]
    if bad:
        raise review_actions.ActionError("That is not a field of this record.")
    return out


def _reextract(ctx: Ctx, doc) -> None:
    ctx.db.flush()
    values = field_values(doc.record)
    analysis = ctx.app.work.extract(doc.record, report_date(values, doc.message.date))
    if analysis is not None:
        review_actions.set_mentions(ctx.db, doc, analysis, ctx.actor)


@page(*WORKERS)
def correct(ctx: Ctx, doc_id: str):
    """Correct one field or several; with then=approve / then=next also
    approve in the same submit. Every value is checked before any is
    written; a refused form comes back with what was typed."""
    doc = document_or_404(ctx, doc_id)
    try:
        submitted = _submitted_fields(ctx, doc)
    except review_actions.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400)
    edits = review_actions.changed_fields(doc, submitted) if doc.record is not None else submitted
    busy = _busy(ctx, doc, typed=edits)
    if busy is not None:
        return busy
    try:
        values, errors = review_actions.check_values(doc, edits)
    except review_actions.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400, typed=edits)
    if errors:
        n = len(errors)
        return _show(ctx, doc, status=400, typed=edits, field_errors=errors,
                     error=f"{n} value{'s' if n > 1 else ''} did not fit {'their' if n > 1 else 'its'} field; "
                           "nothing was saved. Correct the field"
                           f"{'s' if n > 1 else ''} marked below and save again.")
    queue.claim(ctx.db, doc, ctx.user.username)
    changed = [k for k, text in edits.items() if review_actions.correct_field(ctx.db, doc, k, text, ctx.actor)]
    if changed:
        _reextract(ctx, doc)
    then = ctx.get("then")
    if then in ("approve", "next"):
        try:
            review_actions.approve(ctx.db, doc, ctx.actor)
        except review_actions.ActionError as exc:
            # The corrections stand (saved above); the approval is refused.
            return _show(ctx, doc, error=str(exc), status=400)
        return _after(ctx, doc, "approved")
    return _after(ctx, doc, "corrected" if changed else "unchanged", decided=False)


@page(*WORKERS)
def choose(ctx: Ctx, doc_id: str):
    """An ambiguous choice answered with one press: the field is set, its
    item resolved, and, if nothing else is open, the document approved and
    the next item shown."""
    doc = document_or_404(ctx, doc_id)
    key, text = ctx.get("key"), ctx.get("value")
    if key not in canonical.BY_KEY or doc.record is None:
        return _show(ctx, doc, error="That is not a field of this record.", status=400)
    busy = _busy(ctx, doc)
    if busy is not None:
        return busy
    try:
        review_actions.check_value(key, text)
    except review_actions.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400)
    queue.claim(ctx.db, doc, ctx.user.username)
    if review_actions.correct_field(ctx.db, doc, key, text, ctx.actor):
        _reextract(ctx, doc)
    review_actions.resolve_field_items(ctx.db, doc, key, ctx.actor)
    if review_actions.open_items(ctx.db, doc):
        return _after(ctx, doc, "chosen", decided=False)
    try:
        review_actions.approve(ctx.db, doc, ctx.actor)
    except review_actions.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400)
    return _after(ctx, doc, "chosen_approved")


@page(*WORKERS)
def choose_template(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
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
    queue.claim(ctx.db, doc, ctx.user.username)
    review_actions.choose_template(ctx.db, doc, template_id, analysis, ctx.actor)
    return _after(ctx, doc, "template_chosen", decided=False)


@page(*WORKERS)
def approve(ctx: Ctx, doc_id: str):
    return _act(ctx, doc_id, lambda d: review_actions.approve(ctx.db, d, ctx.actor), "approved")


@page(*WORKERS)
def reject(ctx: Ctx, doc_id: str):
    return _act(ctx, doc_id, lambda d: review_actions.reject(ctx.db, d, ctx.get("reason"), ctx.actor), "rejected")


@page(*WORKERS)
def not_a_report(ctx: Ctx, doc_id: str):
    return _act(ctx, doc_id, lambda d: review_actions.mark_not_a_report(ctx.db, d, ctx.actor), "not_a_report")


@page(*WORKERS)
def duplicate(ctx: Ctx, doc_id: str):
    same = ctx.get("answer") == "same"
    return _act(ctx, doc_id, lambda d: review_actions.resolve_duplicate(ctx.db, d, same, ctx.actor),
                "duplicate_same" if same else "duplicate_different")


@page(*WORKERS)
def add_note(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
    try:
        review_actions.add_note(ctx.db, doc, ctx.get("note"), ctx.actor)
    except review_actions.ActionError as exc:
        return _show(ctx, doc, error=str(exc), status=400, typed={"_note": ctx.get("note")})
    return _after(ctx, doc, "note_added", decided=False)


@page(*WORKERS)
def reprocess(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
    n = review_actions.request_reprocess(ctx.db, [doc], ctx.actor)
    ctx.app.work.wake()
    return redirect(f"/documents/{doc.public_id}", **queue_filter(ctx).as_params(), done="reprocess_requested", n=n)


@page(*WORKERS)
def take_over(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
    previous = doc.claimed_by if _holder(doc) else None
    queue.claim(ctx.db, doc, ctx.user.username, take_over=True)
    review_actions.audit_view(ctx.db, ctx.actor, "document.taken_over" if previous and previous != ctx.user.username
                  else "document.taken", "document", doc.public_id,
                  previous=previous if previous != ctx.user.username else None)
    return redirect(f"/documents/{doc.public_id}", **queue_filter(ctx).as_params(), done="claimed")


@page(*WORKERS)
def release(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
    queue.release(ctx.db, doc, ctx.user.username)
    return redirect("/queue", **queue_filter(ctx).as_params(), done="released")


@page(*ALL_ROLES)
def step(ctx: Ctx, doc_id: str):
    """The next or previous item under the filters, found when asked (not
    on every page view: on a large queue that is a query of its own)."""
    doc = document_or_404(ctx, doc_id)
    f = queue_filter(ctx)
    to = ctx.get("to")
    target = queue.neighbour(ctx.db, f, doc, to, ctx.user.username) if to in ("next", "previous") else None
    if target is not None:
        return redirect(f"/documents/{target}", **f.as_params())
    return redirect("/queue", **f.as_params(), done="queue_empty" if to == "next" else None)


@page(*WORKERS)
def leave(ctx: Ctx, doc_id: str):
    """Going to the next or previous item, or back to the queue: the
    officer's claim on this document ends here."""
    doc = document_or_404(ctx, doc_id)
    queue.release(ctx.db, doc, ctx.user.username)
    f = queue_filter(ctx)
    to = ctx.get("to")
    if to in ("next", "previous"):
        target = queue.neighbour(ctx.db, f, doc, to, ctx.user.username)
        if target is not None:
            return redirect(f"/documents/{target}", **f.as_params())
    return redirect("/queue", **f.as_params())


ROUTES = [
    Route("/documents/{doc_id}", document_page, methods=["GET"]),
    Route("/documents/{doc_id}/compare", compare_page, methods=["GET"]),
    Route("/documents/{doc_id}/step", step, methods=["GET"]),
    Route("/documents/{doc_id}/pages/{n:int}.png", page_image, methods=["GET"]),
    Route("/documents/{doc_id}/fields", correct, methods=["POST"]),
    Route("/documents/{doc_id}/choose", choose, methods=["POST"]),
    Route("/documents/{doc_id}/template", choose_template, methods=["POST"]),
    Route("/documents/{doc_id}/approve", approve, methods=["POST"]),
    Route("/documents/{doc_id}/reject", reject, methods=["POST"]),
    Route("/documents/{doc_id}/not-a-report", not_a_report, methods=["POST"]),
    Route("/documents/{doc_id}/duplicate", duplicate, methods=["POST"]),
    Route("/documents/{doc_id}/notes", add_note, methods=["POST"]),
    Route("/documents/{doc_id}/reprocess", reprocess, methods=["POST"]),
    Route("/documents/{doc_id}/take", take_over, methods=["POST"]),
    Route("/documents/{doc_id}/take-over", take_over, methods=["POST"]),
    Route("/documents/{doc_id}/release", release, methods=["POST"]),
    Route("/documents/{doc_id}/leave", leave, methods=["POST"]),
]
