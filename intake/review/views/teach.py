"""Teaching intake a new form from one example: on a document no template
fits, pick the printed label of each canonical field (a list of the
document's label-like lines and cells, each with a select; a click on the
label over the rendered original picks the same line, static/teach.js),
preview the site template that makes, write it, re-map the document, and
reprocess the queued documents the template now claims.

Admin only: a template changes how every later report is read, for
everyone, and is a file on the server, like the users and retention pages
that are admin's too. An officer on such a document is told to ask one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from starlette.responses import JSONResponse
from starlette.routing import Route

from intake import canonical
from intake.parsers.templates import load_registry
from intake.parsers.templates.registry import Registry, template_dirs
from intake.parsers.templates.teach import candidates, claims, doc_score, steals, title_candidates
from intake.parsers.templates.writer import (
    NO_FOLDER,
    TeachError,
    make_draft,
    render,
    site_folder,
    slug,
    target_path,
    validate_text,
    write_file,
)
from intake.review.rendering import RenderError
from intake.review.source_boxes import locate_text, source_boxes_of
from intake.review.views.documents import document_or_404, original_preview
from intake.review.web import Ctx, NotFound, page, redirect
from intake.store import queue, review_actions
from intake.store import repository as repo
from intake.types import IntakeError

log = logging.getLogger(__name__)
TEACHERS = ("admin",)
PICK = "pick-"  # a line's select is named pick-<n>
MAX_MATCHES = 500


def _submitted(ctx: Ctx, cands) -> tuple[dict[int, str], dict[str, list[str]], list[str]]:
    """(line -> key as chosen, key -> labels in reading order, titles)."""
    chosen: dict[int, str] = {}
    picks: dict[str, list[str]] = {}
    by_n = {c.n: c for c in cands}
    for name, value in (ctx.form.multi_items() if ctx.form is not None else []):
        if not (name.startswith(PICK) and isinstance(value, str) and value):
            continue
        n = name[len(PICK):]
        if not n.isdigit() or int(n) not in by_n:
            continue
        chosen[int(n)] = value
    for n in sorted(chosen):
        picks.setdefault(chosen[n], []).append(by_n[n].text)
    titles = []
    t = ctx.get("title")
    if t.isdigit() and int(t) in by_n:
        titles.append(by_n[int(t)].text)
    return chosen, picks, titles


def _render(ctx: Ctx, doc, *, status: int = 200, error: str | None = None, chosen=None, draft_text=None,
            problems=(), exists=False, **extra):
    cands = candidates(doc.text or "")
    titles = title_candidates(cands)
    folder = site_folder(ctx.app.settings)
    default_name = titles[0].text if titles else ""
    return ctx.render(
        "teach.html", status_code=status, doc=doc, preview=original_preview(ctx, doc), cands=cands, titles=titles,
        fields=canonical.FIELDS, folder=folder, no_folder=NO_FOLDER, error=error, chosen=chosen or {},
        name=ctx.get("name") or default_name, template_id=ctx.get("template_id"),
        title_n=ctx.get("title") or (str(titles[0].n) if titles else ""), draft_text=draft_text,
        problems=list(problems), exists=exists, **extra)


@page(*TEACHERS)
def teach_page(ctx: Ctx, doc_id: str):
    doc = document_or_404(ctx, doc_id)
    review_actions.audit_view(ctx.db, ctx.actor, "template.teach_viewed", "document", doc.public_id)
    return _render(ctx, doc)


@page(*TEACHERS)
def teach_submit(ctx: Ctx, doc_id: str):
    """Preview (the file as it would be written, and what it would do) or
    write. A refused pick comes back with the officer's choices kept."""
    doc = document_or_404(ctx, doc_id)
    cands = candidates(doc.text or "")
    chosen, picks, titles = _submitted(ctx, cands)
    registry = load_registry(ctx.app.settings)
    name = ctx.get("name").strip()
    tid = ctx.get("template_id").strip() or slug(name)
    writing = ctx.get("action") == "write"
    when = datetime.now(timezone.utc)
    try:
        draft = make_draft(tid, name, titles, picks, registry)
        text = render(draft, taught_by=ctx.user.username, document_id=doc.public_id, when=when)
        tpl = validate_text(text, f"{tid}.toml")
    except (TeachError, IntakeError) as exc:
        msg = exc.detail if isinstance(exc, IntakeError) else str(exc)
        review_actions.audit_view(ctx.db, ctx.actor, "template.teach_refused", "document", doc.public_id, template=tid)
        return _render(ctx, doc, status=400, error=msg, chosen=chosen)

    folder = site_folder(ctx.app.settings)
    problems = []
    existing = registry.get(tid)
    exists = folder is not None and target_path(folder, tid).exists()
    if existing is not None and not exists:
        problems.append(f"{tid} is the id of a template intake already has ({existing.name}); "
                        "a file with that id would replace it. Choose another id.")
    if doc_score(tpl, doc.text or "") < tpl.threshold:
        problems.append("This template would not know this document again: pick the form's title or "
                        "more of its labels.")
    others = Registry(tuple(t for t in registry.templates if t.id != tid), registry.not_a_report)
    stolen = steals(tpl, others)
    if stolen:
        problems.append("This template would also claim the forms of " + ", ".join(t for t, _ in stolen)
                        + ": pick labels and a title that only this form has.")
    overwrite = ctx.get("overwrite") == "yes"
    if writing and folder is None:
        problems.append("There is no writable template folder to write it to (see above).")
    if writing and exists and not overwrite:
        problems.append(f"A template file {tid}.toml already exists. Tick “Replace the existing file” "
                        "to replace it, or choose another id.")
    if not writing or problems:
        review_actions.audit_view(ctx.db, ctx.actor, "template.previewed", "document", doc.public_id, template=tid,
                      fields=sorted(draft.picks), problems=len(problems))
        return _render(ctx, doc, status=400 if writing else 200, chosen=chosen, draft_text=text,
                       problems=problems, exists=exists, draft_id=tid)

    path = write_file(folder, tid, text, overwrite=overwrite)
    # The slow mapping runs before this request's first store write, so the
    # store is not held meanwhile (web.py).
    # Re-mapped as the pipeline now reads it (detection finds the new
    # template); if the stored text misled the checks and it does not, the
    # template is applied as an officer's choice, to check and approve.
    holder = queue.held_by_other(doc, ctx.user.username)
    analysis, detected = None, False
    if not holder:
        analysis = ctx.app.work.analyse_detected(doc.public_id)
        rec = analysis.outcome.record if analysis is not None else None
        detected = rec is not None and rec.template == tid
        if not detected:
            analysis = ctx.app.work.analyse_with_template(doc.public_id, tid)
    repo.audit(ctx.db, ctx.actor.name, "template.taught", "template", tid, client_addr=ctx.actor.client_addr,
               file=path.name, document=doc.public_id, fields=sorted(draft.picks), replaced=exists)
    if analysis is None:
        return redirect(f"/admin/templates/{tid}", doc=doc.public_id, done="taught_busy")
    if detected:
        review_actions.apply_reprocess(ctx.db, doc, analysis, ctx.actor)
        return redirect(f"/admin/templates/{tid}", doc=doc.public_id, done="taught")
    review_actions.choose_template(ctx.db, doc, tid, analysis, ctx.actor)
    return redirect(f"/admin/templates/{tid}", doc=doc.public_id, done="taught_chosen")


def _matches(ctx: Ctx, tpl, registry) -> list:
    return [d for d in queue.untemplated_in_queue(ctx.db, MAX_MATCHES) if claims(tpl, registry, d.text or "")]


def _file_text(settings, tpl) -> str | None:
    for d in reversed(template_dirs(settings)):  # a site file wins over a packaged one of that name
        p = d / tpl.source
        if p.is_file():
            try:
                return p.read_text(encoding="utf-8")
            except OSError:
                return None
    return None


DONE = {
    "taught": "Template written and this document re-mapped on it, as the pipeline now reads it.",
    "taught_chosen": "Template written, but detection did not pick it for this document, so it was applied as "
                     "your choice: check its fields, then approve it. Pick more of its labels or its title "
                     "so that other copies are known.",
    "taught_busy": "Template written. The document is being worked by someone else, so it was not re-mapped; "
                   "they can choose the new template on it.",
}


@page(*TEACHERS)
def template_page(ctx: Ctx, template_id: str):
    registry = load_registry(ctx.app.settings)
    tpl = registry.get(template_id)
    if tpl is None:
        raise NotFound()
    matches = _matches(ctx, tpl, registry)
    review_actions.audit_view(ctx.db, ctx.actor, "template.viewed", "template", tpl.id, matches=len(matches))
    done = DONE.get(ctx.request.query_params.get("done", ""))
    if done:
        ctx.flash.append(done)
    back = ctx.request.query_params.get("doc", "")
    return ctx.render("template_taught.html", tpl=tpl, text=_file_text(ctx.app.settings, tpl), matches=matches,
                      back=back if back.replace("-", "").isalnum() else "")


@page(*TEACHERS)
def template_reprocess(ctx: Ctx, template_id: str):
    """Reprocess the queued documents the template claims (those ticked,
    checked again here: the page may be old)."""
    registry = load_registry(ctx.app.settings)
    tpl = registry.get(template_id)
    if tpl is None:
        raise NotFound()
    ticked = set(ctx.form.getlist("doc")) if ctx.form is not None else set()
    docs = [d for d in _matches(ctx, tpl, registry) if d.public_id in ticked]
    n = review_actions.request_reprocess(ctx.db, docs, ctx.actor) if docs else 0
    repo.audit(ctx.db, ctx.actor.name, "template.reprocess_requested", "template", tpl.id,
               client_addr=ctx.actor.client_addr, count=n)
    ctx.app.work.wake()
    return redirect("/reprocessing", done="reprocess_requested", n=n)


@page(*TEACHERS)
def label_boxes(ctx: Ctx, doc_id: str):
    """Where each candidate line stands on the rendered pages, for the
    click-to-pick layer (static/teach.js)."""
    doc = document_or_404(ctx, doc_id)
    data = repo.get_blob(ctx.db, doc.sha256) or b""
    out = {"document": doc.public_id, "boxes": []}
    try:
        pages = source_boxes_of(ctx.app.renditions).pages(doc.media_type, doc.sha256, data, None)
        for c in candidates(doc.text or ""):
            boxes, _ = locate_text(pages, c.text, "", None, None)
            if boxes:
                # A label wrapped over lines in its cell: one box round all of it.
                same = [b for b in boxes if b.page == boxes[0].page]
                x0, y0 = min(b.x for b in same), min(b.y for b in same)
                x1, y1 = max(b.x + b.w for b in same), max(b.y + b.h for b in same)
                out["boxes"].append({"n": c.n, "page": same[0].page, "x": round(x0, 5), "y": round(y0, 5),
                                     "w": round(x1 - x0, 5), "h": round(y1 - y0, 5)})
    except (RenderError, IntakeError, OSError, ValueError) as exc:
        log.warning("label boxes unavailable for a document: %s", type(exc).__name__)
        out["error"] = "The labels could not be placed on the page; pick them from the list."
    review_actions.audit_view(ctx.db, ctx.actor, "template.label_boxes_viewed", "document", doc.public_id,
                  placed=len(out["boxes"]))
    return JSONResponse(out)


ROUTES = [
    Route("/documents/{doc_id}/teach", teach_page, methods=["GET"]),
    Route("/documents/{doc_id}/teach", teach_submit, methods=["POST"]),
    Route("/documents/{doc_id}/teach/labels.json", label_boxes, methods=["GET"]),
    Route("/admin/templates/{template_id}", template_page, methods=["GET"]),
    Route("/admin/templates/{template_id}/reprocess", template_reprocess, methods=["POST"]),
]
