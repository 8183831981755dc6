"""The link chart: a network of entities and the reports that name them,
filtered by entity type, the reports' dates, agency, and a seed entity
with N hops; served to the review app as JSON and written as GraphML and
as CSV node/link tables (store/chart_export.py).

Reports are nodes of their own (an i2 chart's "event" or "intelligence
report"), so every line on the chart is one report naming one entity and
can be followed back to the words. Entity-to-entity lines are only the
resolver's own (alias of, a vehicle's plate, a partial plate's candidate).
One hop is seed → its reports → the entities in them.

Dates are the report's own (document_facts: the form's date, else the
e-mail's), the same dates entity pages show as first/last seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select

from intake.store.analysis_common import counted, intelligence_field, recurrence_types
from intake.store.document_facts import facts_for
from intake.store.entities.queries import entities_where_in, find_entity
from intake.store.models import DocumentRow, Entity, EntityLink, MentionRow

ENTITY_LINK_KINDS = ("alias_of", "vehicle_plate", "partial_plate_candidate")
CHART_TYPES = recurrence_types() + ("VEHICLE", "LOCATION")
MAX_NODES = 400
OVERVIEW_ENTITIES = 60
OVERVIEW_REPORTS = 25  # per entity, the most recent, when no seed is given


@dataclass(frozen=True)
class ChartFilter:
    types: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    agency: str | None = None
    seed: str | None = None  # an entity's public id
    hops: int = 1
    max_nodes: int = MAX_NODES

    @property
    def chosen_types(self) -> tuple[str, ...]:
        return tuple(t for t in self.types if t in CHART_TYPES) or recurrence_types()


@dataclass
class Node:
    id: str  # the entity's or document's public id
    kind: str  # entity | report
    type: str  # the entity type, or REPORT
    label: str
    reports: int = 0
    agencies: int = 0
    first: datetime | None = None
    last: datetime | None = None
    agency: str | None = None  # a report's
    seed: bool = False

    @property
    def url(self) -> str:
        return f"/{'entities' if self.kind == 'entity' else 'documents'}/{self.id}"


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # mentioned_in | alias_of | vehicle_plate | partial_plate_candidate
    weight: int = 1


@dataclass
class Chart:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False
    seed: Entity | None = None


def _mentions(session, entity_pks=None, document_pks=None, types=()):
    """(entity, document) pairs with the number of mentions, reports that
    count only, intelligence fields only."""
    where = [MentionRow.entity_pk.is_not(None), intelligence_field(), counted(), MentionRow.type.in_(types)]
    out: dict[tuple[int, int], int] = {}
    key_col, keys = (MentionRow.entity_pk, entity_pks) if entity_pks is not None else (MentionRow.document_pk,
                                                                                        document_pks)
    keys = sorted(keys)
    for i in range(0, len(keys), 500):
        for ent, doc in session.execute(
            select(MentionRow.entity_pk, MentionRow.document_pk)
            .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
            .where(key_col.in_(keys[i:i + 500]), *where)
        ):
            out[(ent, doc)] = out.get((ent, doc), 0) + 1
    return out


def build_chart(session, f: ChartFilter) -> Chart:
    types = f.chosen_types
    chart = Chart()
    facts_cache: dict = {}

    def keep_docs(pairs):
        if not (f.agency or f.since or f.until):
            return pairs  # nothing to filter on: the dates are read for the drawn reports only
        docs = {d for _, d in pairs} - set(facts_cache)
        facts_cache.update(facts_for(session, docs))
        ok = set()
        for d in {d for _, d in pairs}:
            fa = facts_cache.get(d)
            if fa is None:
                continue
            if f.agency and fa.agency != f.agency.casefold():
                continue
            if f.since and (fa.seen is None or fa.seen < f.since):
                continue
            if f.until and (fa.seen is None or fa.seen >= f.until):
                continue
            ok.add(d)
        return {k: n for k, n in pairs.items() if k[1] in ok}

    edges: dict[tuple[int, int], int] = {}
    if f.seed:
        chart.seed = find_entity(session, f.seed)
        if chart.seed is None:
            return chart
        entities, docs = {chart.seed.id}, set()
        frontier = {chart.seed.id}
        for _ in range(max(1, min(f.hops, 4))):
            found = keep_docs(_mentions(session, entity_pks=frontier, types=types + (chart.seed.type,)))
            new_docs = {d for _, d in found} - docs
            if not new_docs:
                break
            room = max(0, f.max_nodes - len(entities) - len(docs))
            if len(new_docs) > room:  # keep the most recently received
                chart.truncated = True
                new_docs = set(sorted(new_docs, reverse=True)[:room])
                found = {k: n for k, n in found.items() if k[1] in new_docs or k[1] in docs}
                if not new_docs:
                    break
            docs |= new_docs
            around = keep_docs(_mentions(session, document_pks=new_docs, types=types))
            edges.update(found)
            frontier = set()
            for (e, d), n in sorted(around.items(), key=lambda kv: kv[0][1]):
                if e not in entities and len(entities) + len(docs) >= f.max_nodes:
                    chart.truncated = True
                    continue
                edges[(e, d)] = n
                if e not in entities:
                    entities.add(e)
                    frontier.add(e)
            if not frontier:
                break
    else:
        top = list(session.scalars(
            select(Entity.id).where(Entity.type.in_(types), Entity.merged_into_id.is_(None), Entity.document_count >= 2)
            .order_by(Entity.document_count.desc(), Entity.agency_count.desc(), Entity.id).limit(OVERVIEW_ENTITIES)))
        edges = keep_docs(_mentions(session, entity_pks=top, types=types))
        # An entity left with one report after the filters links nothing.
        # The most linked go in first, each with its most recent reports up
        # to OVERVIEW_REPORTS, while the chart has room.
        docs_of: dict[int, list[int]] = {}
        for e, d in edges:
            docs_of.setdefault(e, []).append(d)
        kept_e: set[int] = set()
        kept: set[tuple[int, int]] = set()
        kept_d: set[int] = set()
        for e in sorted((e for e in docs_of if len(docs_of[e]) >= 2), key=lambda e: (-len(docs_of[e]), e)):
            mine = sorted(docs_of[e], reverse=True)
            if len(mine) > OVERVIEW_REPORTS:
                chart.truncated = True
                mine = mine[:OVERVIEW_REPORTS]
            new = set(mine) - kept_d
            if len(kept_e) + 1 + len(kept_d) + len(new) > f.max_nodes:
                chart.truncated = True
                continue
            kept_e.add(e)
            kept_d |= new
            kept |= {(e, d) for d in mine}
        edges = {k: n for k, n in edges.items() if k in kept}
        entities, docs = {e for e, _ in edges}, {d for _, d in edges}
    _assemble(session, chart, entities, docs, edges, facts_cache)
    return chart


def _assemble(session, chart: Chart, entities, docs, edges, facts) -> None:
    facts.update(facts_for(session, set(docs) - set(facts)))
    ents = {e.id: e for e in entities_where_in(session, Entity.id, sorted(entities))}
    doc_ids = dict(session.execute(select(DocumentRow.id, DocumentRow.public_id)
                                   .where(DocumentRow.id.in_(sorted(docs)))).all()) if docs else {}
    seen_of: dict[int, list] = {}
    agencies_of: dict[int, set] = {}
    for (e, d) in edges:
        fa = facts.get(d)
        if fa is not None:
            seen_of.setdefault(e, []).append(fa.seen)
            agencies_of.setdefault(e, set()).add(fa.agency)
    for pk in sorted(ents, key=lambda pk: (ents[pk].type, ents[pk].display)):
        e = ents[pk]
        seen = sorted(s for s in seen_of.get(pk, []) if s)
        chart.nodes.append(Node(e.public_id, "entity", e.type, e.display, len(seen_of.get(pk, [])),
                                len({a for a in agencies_of.get(pk, set()) if a}), seen[0] if seen else None,
                                seen[-1] if seen else None, seed=chart.seed is not None and pk == chart.seed.id))
    for pk in sorted(doc_ids):
        fa = facts.get(pk)
        when = fa.seen if fa else None
        label = f"Report {when:%d/%m/%Y}" if when else "Report"
        chart.nodes.append(Node(doc_ids[pk], "report", "REPORT", label, 1, 1 if fa and fa.agency else 0,
                                when, when, agency=fa.agency if fa else None))
    for (e, d), n in sorted(edges.items()):
        if e in ents and d in doc_ids:
            chart.edges.append(Edge(ents[e].public_id, doc_ids[d], "mentioned_in", n))
    if len(ents) > 1:
        for a, b, kind in session.execute(
            select(EntityLink.a_pk, EntityLink.b_pk, EntityLink.kind).where(
                EntityLink.kind.in_(ENTITY_LINK_KINDS),
                and_(EntityLink.a_pk.in_(sorted(ents)), EntityLink.b_pk.in_(sorted(ents))))
            .distinct()
        ):
            chart.edges.append(Edge(ents[a].public_id, ents[b].public_id, kind, 1))


def chart_json(chart: Chart) -> dict:
    """The chart as cytoscape.js elements."""
    def day(dt):
        return dt.date().isoformat() if dt else None

    nodes = [{"data": {"id": n.id, "label": n.label, "kind": n.kind, "type": n.type, "reports": n.reports,
                       "agencies": n.agencies, "first": day(n.first), "last": day(n.last), "agency": n.agency,
                       "url": n.url, "seed": n.seed}} for n in chart.nodes]
    edges = [{"data": {"id": f"l{i}", "source": e.source, "target": e.target, "kind": e.kind, "weight": e.weight}}
             for i, e in enumerate(chart.edges)]
    return {"elements": nodes + edges, "truncated": chart.truncated,
            "counts": {"entities": sum(n.kind == "entity" for n in chart.nodes),
                       "reports": sum(n.kind == "report" for n in chart.nodes), "links": len(chart.edges)}}
