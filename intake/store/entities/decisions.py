"""Officers' merges and splits of entities: applied at once, audited, and
replayed after any automatic resolution so they survive reprocessing and
rebuilds.

A decision names mentions, not entity ids, because ids change on a rebuild:
each mention is anchored by (document public id, field, start, end, type),
which stays the same when a document is reprocessed. The audit entry says
who did what to which entity, never names or text (the officer's reason is
kept on the decision row, which is content).
"""

from __future__ import annotations

from sqlalchemy import func, select

from intake.exception_codes import (
    ENTITY_NOT_FOUND,
    ENTITY_SAME,
    ENTITY_TYPE_MISMATCH,
    MENTION_NOT_IN_ENTITY,
    REASON_REQUIRED,
    SPLIT_NOTHING_LEFT,
)
from intake.matching import entity_keys
from intake.store.entities import ids as entity_ids
from intake.store.entities.graph import (
    link_document,
    link_partial_plates,
    person_profile_of_mentions,
    refresh_stats,
)
from intake.store.entities.queries import find_entity
from intake.store.entities.queries import live_entity as live
from intake.store.models import (
    AuditEntry,
    DocumentRow,
    Entity,
    EntityDecision,
    EntityDecisionDocument,
    EntityLink,
    MentionRow,
)
from intake.types import IntakeError

MAX_ANCHORS = 200


def _anchor(m: MentionRow) -> dict:
    return {"d": m.document.public_id, "f": m.field, "s": m.start, "e": m.end, "t": m.type}


def _mentions_of(session, entity: Entity) -> list[MentionRow]:
    return list(session.scalars(select(MentionRow).where(MentionRow.entity_pk == entity.id).order_by(MentionRow.id)))


def _find_anchor(session, a: dict) -> MentionRow | None:
    return session.scalar(
        select(MentionRow)
        .join(DocumentRow, MentionRow.document_pk == DocumentRow.id)
        .where(
            DocumentRow.public_id == a["d"], MentionRow.field == a["f"],
            MentionRow.start == a["s"], MentionRow.end == a["e"], MentionRow.type == a["t"],
        )
        .order_by(MentionRow.id)
    )


def _entities_of_anchors(session, anchors: list[dict]) -> list[Entity]:
    out: dict[int, Entity] = {}
    for a in anchors:
        m = _find_anchor(session, a)
        if m is not None and m.entity_pk is not None:
            ent = live(session, session.get(Entity, m.entity_pk))
            if ent is not None:
                out.setdefault(ent.id, ent)
    return [out[k] for k in sorted(out)]


def _relink(session, entity_ids: set[int]) -> set[int]:
    """Rewrite links of every document that mentions these entities."""
    docs = session.scalars(
        select(MentionRow.document_pk).where(MentionRow.entity_pk.in_(entity_ids)).distinct()
    ).all()
    touched = set(entity_ids)
    for doc_pk in sorted(docs):
        doc = session.get(DocumentRow, doc_pk)
        mentions = list(session.scalars(
            select(MentionRow).where(MentionRow.document_pk == doc_pk).order_by(MentionRow.id)
        ))
        touched |= link_document(session, doc, mentions)
    return touched


def _merge_into(session, keep: Entity, absorb: Entity) -> set[int]:
    """Mentions, earlier tombstones and links of ``absorb`` move to ``keep``;
    ``absorb`` stays as a tombstone so its public id still resolves."""
    if keep.id == absorb.id:
        return set()
    for m in _mentions_of(session, absorb):
        m.entity_pk = keep.id
    for t in session.scalars(select(Entity).where(Entity.merged_into_id == absorb.id)):
        t.merged_into_id = keep.id
    absorb.merged_into_id = keep.id
    absorb.document_count = absorb.agency_count = absorb.submitter_count = 0
    for l in session.scalars(
        select(EntityLink).where(EntityLink.kind == "partial_plate_candidate",
                                 (EntityLink.a_pk == absorb.id) | (EntityLink.b_pk == absorb.id))
    ):
        session.delete(l)
    if keep.type == "PERSON":
        keep.attrs = person_profile_of_mentions(session, _mentions_of(session, keep)).to_attrs() | {
            k: v for k, v in (keep.attrs or {}).items() if k not in ("surnames", "given", "aliases", "dobs", "birth_years")
        }
    session.flush()
    touched = _relink(session, {keep.id}) | {keep.id, absorb.id}
    link_partial_plates(session, keep)
    return touched


def apply_decision(session, decision: EntityDecision) -> set[int]:
    """Apply (or re-apply: it is idempotent) one decision to the current
    entities. Returns the entity ids touched."""
    p = decision.payload or {}
    touched: set[int] = set()
    if decision.action == "merge":
        ents = _entities_of_anchors(session, p.get("anchors_keep", []))
        others = _entities_of_anchors(session, p.get("anchors_absorb", []))
        if not ents or not others:
            return touched
        keep = ents[0]
        for ent in ents[1:] + others:
            if ent.type == keep.type:
                touched |= _merge_into(session, keep, ent)
    elif decision.action == "split":
        moved = [m for m in (_find_anchor(session, a) for a in p.get("anchors", [])) if m is not None]
        if not moved:
            return touched
        pid = p["new_public_id"]
        new = session.scalar(select(Entity).where(Entity.public_id == pid))
        sources = {m.entity_pk for m in moved if m.entity_pk is not None}
        if new is None:
            first = moved[0]
            src = session.get(Entity, first.entity_pk) if first.entity_pk else None
            new = Entity(
                public_id=pid, type=first.type, key=src.key if src else (entity_keys.entity_key(first.type, first.value) or first.value),
                display=first.value, attrs={}, document_count=0, agency_count=0, submitter_count=0,
            )
            session.add(new)
            session.flush()
        for m in moved:
            m.entity_pk = new.id
        session.flush()
        for ent_id in sources | {new.id}:
            ent = session.get(Entity, ent_id)
            if ent is not None and ent.type == "PERSON":
                ent.attrs = person_profile_of_mentions(session, _mentions_of(session, ent)).to_attrs()
        touched |= _relink(session, sources | {new.id}) | sources | {new.id}
        link_partial_plates(session, new)
    session.flush()
    refresh_stats(session, touched)
    return touched


def _last_document_pk(session) -> int:
    return int(session.scalar(select(func.max(DocumentRow.id))) or 0)


def _audit(session, actor: str, action: str, entity: Entity, detail: dict, client_addr: str | None = None) -> None:
    session.add(AuditEntry(actor=actor, action=action, object_type="entity", object_id=entity.public_id,
                           detail=detail, client_addr=client_addr))


def merge_entities(session, keep_ref: str, absorb_ref: str, actor: str, reason: str,
                   client_addr: str | None = None) -> EntityDecision:
    keep, absorb = find_entity(session, keep_ref), find_entity(session, absorb_ref)
    if keep is None or absorb is None:
        raise IntakeError(ENTITY_NOT_FOUND, "no entity with that id; list them with `intake entities`")
    if keep.id == absorb.id:
        raise IntakeError(ENTITY_SAME, "both ids name the same entity (perhaps already merged)")
    if keep.type != absorb.type:
        raise IntakeError(ENTITY_TYPE_MISMATCH, f"cannot merge a {keep.type} with a {absorb.type}")
    if not (reason or "").strip():
        raise IntakeError(REASON_REQUIRED, "give a reason for the merge")
    keep_m, absorb_m = _mentions_of(session, keep), _mentions_of(session, absorb)
    decision = EntityDecision(
        action="merge", actor=actor, reason=reason,
        payload={
            "keep": keep.public_id, "absorb": absorb.public_id,
            "anchors_keep": [_anchor(m) for m in keep_m[:MAX_ANCHORS]],
            "anchors_absorb": [_anchor(m) for m in absorb_m[:MAX_ANCHORS]],
            "after_document_pk": _last_document_pk(session),
        },
    )
    session.add(decision)
    session.flush()
    _index(session, decision)
    apply_decision(session, decision)
    _audit(session, actor, "entity.merge", keep, {
        "decision": decision.id, "absorbed": absorb.public_id, "type": keep.type,
        "mentions_moved": len(absorb_m),
    }, client_addr)
    session.flush()
    return decision


def split_entity(session, ref: str, mention_ids: list[int], actor: str, reason: str,
                 client_addr: str | None = None) -> tuple[EntityDecision, Entity]:
    ent = find_entity(session, ref)
    if ent is None:
        raise IntakeError(ENTITY_NOT_FOUND, "no entity with that id; list them with `intake entities`")
    if not (reason or "").strip():
        raise IntakeError(REASON_REQUIRED, "give a reason for the split")
    own = {m.id: m for m in _mentions_of(session, ent)}
    wanted = sorted(set(mention_ids))
    missing = [i for i in wanted if i not in own]
    if missing:
        raise IntakeError(MENTION_NOT_IN_ENTITY, f"mentions {missing} do not belong to this entity; see `intake entity {ent.public_id}`")
    if not wanted or len(wanted) == len(own):
        raise IntakeError(SPLIT_NOTHING_LEFT, "a split must leave at least one mention on each side")
    decision = EntityDecision(action="split", actor=actor, reason=reason, payload={})
    session.add(decision)
    session.flush()
    new_pid = entity_ids.public_id(session, entity_keys.id_seed("split", str(decision.id)))
    decision.payload = {
        "source": ent.public_id, "new_public_id": new_pid,
        "anchors": [_anchor(own[i]) for i in wanted],
        "after_document_pk": _last_document_pk(session),
    }
    session.flush()
    _index(session, decision)
    apply_decision(session, decision)
    new = session.scalar(select(Entity).where(Entity.public_id == new_pid))
    _audit(session, actor, "entity.split", ent, {
        "decision": decision.id, "new_entity": new_pid, "type": ent.type, "mentions_moved": len(wanted),
    }, client_addr)
    session.flush()
    return decision, new


def replay_for_document(session, document: DocumentRow) -> set[int]:
    """After a document is resolved again (reprocessing), re-apply every
    decision that names one of its mentions (found through the index of
    decisions by document, not by reading every decision)."""
    touched: set[int] = set()
    for d in session.scalars(
        select(EntityDecision)
        .where(EntityDecision.revoked.is_(False),
               EntityDecision.id.in_(select(EntityDecisionDocument.decision_pk)
                                     .where(EntityDecisionDocument.document_public_id == document.public_id)))
        .order_by(EntityDecision.id)
    ):
        touched |= apply_decision(session, d)
    return touched


def _index(session, decision: EntityDecision) -> None:
    p = decision.payload or {}
    docs = {a["d"] for k in ("anchors", "anchors_keep", "anchors_absorb") for a in p.get(k, []) if a.get("d")}
    for d in sorted(docs):
        session.add(EntityDecisionDocument(decision_pk=decision.id, document_public_id=d))
    session.flush()
