"""Entity search and the entity page, with the officers' merge and split
(the same audited decisions as `intake merge-entities` / `split-entity`)."""

from __future__ import annotations

from starlette.routing import Route

from intake.review.web import ALL_ROLES, WORKERS, Ctx, NotFound, page, redirect
from intake.store import review_actions
from intake.store.entities import decisions
from intake.store.entities import queries as entity_queries
from intake.types import IntakeError


@page(*ALL_ROLES)
def search(ctx: Ctx):
    text = ctx.get("q").strip()[:200]
    type_ = ctx.get("type") or None
    if type_ not in entity_queries.TYPES:
        type_ = None
    hits = entity_queries.search_entities(ctx.db, text, type_) if text else []
    top = [] if text else entity_queries.list_entities(ctx.db, type_=type_, limit=50)[0]
    if text:
        # What was searched for is itself sensitive: the log keeps that a
        # search happened, its type and how many it found, not the words.
        review_actions.audit_view(ctx.db, ctx.actor, "entities.searched", "entity", None, type=type_, results=len(hits))
    return ctx.render("entities.html", q=text, type=type_, types=entity_queries.TYPES, hits=hits, top=top)


@page(*ALL_ROLES)
def entity_page(ctx: Ctx, entity_id: str):
    return _show(ctx, entity_id)


MERGE_CANDIDATES = 20


def merge_candidates(ctx: Ctx, ent, text: str) -> list[entity_queries.Hit]:
    """Entities an officer may merge into ``ent``: found by value the way
    the entity search finds them, of the same type, never itself."""
    hits = [h for h in entity_queries.search_entities(ctx.db, text, ent.type, limit=MERGE_CANDIDATES + 1)
            if h.entity.id != ent.id]
    # What was typed is not logged (as for the entity search): that a
    # search for a merge happened, on which entity, and how many it found.
    review_actions.audit_view(ctx.db, ctx.actor, "entities.searched", "entity", ent.public_id, type=ent.type,
                  purpose="merge", results=len(hits))
    return hits[:MERGE_CANDIDATES]


def _show(ctx: Ctx, entity_id: str, error: str | None = None, status: int = 200):
    ent = entity_queries.find_entity(ctx.db, entity_id)
    if ent is None:
        raise NotFound()
    merge_q = ctx.get("merge_q").strip()[:200]
    if ent.public_id != entity_id and not error:
        # merged: show the entity it is part of now
        return redirect(f"/entities/{ent.public_id}", merge_q=merge_q)
    ctx.flash_from_query()
    profile = entity_queries.entity_profile(ctx.db, ent)
    review_actions.audit_view(ctx.db, ctx.actor, "entity.viewed", "entity", ent.public_id)
    candidates = merge_candidates(ctx, ent, merge_q) if merge_q and ctx.can_work else []
    return ctx.render("entity.html", status_code=status, p=profile, e=ent, error=error, merge_q=merge_q,
                      candidates=candidates)


def _decide(ctx: Ctx, entity_id: str, fn, done: str):
    try:
        fn()
    except IntakeError as exc:
        # Decisions check before they write (entity_decisions.py).
        return _show(ctx, entity_id, error=exc.detail, status=400)
    return redirect(f"/entities/{entity_id}", done=done)


@page(*WORKERS)
def merge(ctx: Ctx, entity_id: str):
    other = ctx.get("other").strip()
    return _decide(ctx, entity_id, lambda: decisions.merge_entities(
        ctx.db, entity_id, other, ctx.actor.name, ctx.get("reason"), client_addr=ctx.actor.client_addr), "merged")


@page(*WORKERS)
def split(ctx: Ctx, entity_id: str):
    try:
        ids = [int(x) for x in ctx.form.getlist("mention")]
    except ValueError:
        ids = []
    return _decide(ctx, entity_id, lambda: decisions.split_entity(
        ctx.db, entity_id, ids, ctx.actor.name, ctx.get("reason"), client_addr=ctx.actor.client_addr), "split")


ROUTES = [
    Route("/entities", search, methods=["GET"]),
    Route("/entities/{entity_id}", entity_page, methods=["GET"]),
    Route("/entities/{entity_id}/merge", merge, methods=["POST"]),
    Route("/entities/{entity_id}/split", split, methods=["POST"]),
]
