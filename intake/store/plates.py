"""Plates of interest: every registration mark named in reports, with the
reports, agencies, the vehicle descriptions given with it and when it was
last seen, as a CSV an officer loads into an ANPR hotlist or takes to a
PNC check. A partial plate is listed as written ("BD61*") with the full
plates it fits: ANPR needs a full mark, a PNC partial-VRM search does not.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy import or_, select

from intake.matching import entity_keys
from intake.store.analysis_common import counted, intelligence_field
from intake.store.document_facts import facts_for
from intake.store.entities.queries import entities_where_in
from intake.store.export import _cell
from intake.store.models import DocumentRow, Entity, EntityLink, MentionRow

COLUMNS = ["vrm", "partial", "fits_full_plates", "reports", "agencies", "agency_names", "vehicle_descriptions",
           "first_seen", "last_seen", "report_ids", "entity_id"]


@dataclass
class Plate:
    entity: Entity
    reports: list[str] = field(default_factory=list)  # document ids, oldest first
    agencies: list[str] = field(default_factory=list)
    vehicles: list[str] = field(default_factory=list)
    fits: list[str] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None

    @property
    def partial(self) -> bool:
        return entity_keys.is_partial_plate(self.entity.key)


def plates_of_interest(session, *, min_reports: int = 1) -> list[Plate]:
    plates = {e.id: e for e in session.scalars(select(Entity).where(
        Entity.type == "VRM", Entity.merged_into_id.is_(None), Entity.document_count >= max(1, min_reports)))}
    ids = sorted(plates)
    rows = []
    for i in range(0, len(ids), 500):
        rows += session.execute(
            select(MentionRow.entity_pk, DocumentRow.id, DocumentRow.public_id)
            .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
            .where(MentionRow.entity_pk.in_(ids[i:i + 500]), intelligence_field(), counted()).distinct()
        ).all()
    facts = facts_for(session, {r[1] for r in rows})
    docs_of: dict[int, dict[int, str]] = {}
    for ent, doc, public_id in rows:
        docs_of.setdefault(ent, {})[doc] = public_id
    links = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        links += session.execute(
            select(EntityLink.a_pk, EntityLink.b_pk, EntityLink.kind)
            .where(EntityLink.kind.in_(("vehicle_plate", "partial_plate_candidate")),
                   or_(EntityLink.a_pk.in_(chunk), EntityLink.b_pk.in_(chunk))).distinct()
        ).all()
    others = {e.id: e for e in entities_where_in(session, Entity.id, sorted({p for a, b, _ in links for p in (a, b)}))}
    out = []
    for pk, ent in plates.items():
        docs = docs_of.get(pk, {})
        if len(docs) < min_reports:
            continue
        fs = sorted(((facts[d].seen if d in facts else None), docs[d], d) for d in docs)
        seen = [s for s, _, _ in fs if s]
        p = Plate(ent, [pid for _, pid, _ in sorted(fs, key=lambda t: (t[0] is None, t[0]))],
                  sorted({facts[d].agency for d in docs if d in facts and facts[d].agency}),
                  first=min(seen, default=None), last=max(seen, default=None))
        for a, b, kind in links:
            if kind == "vehicle_plate" and b == pk and a in others:
                p.vehicles.append(others[a].display)
            elif kind == "partial_plate_candidate" and a == pk and b in others:
                p.fits.append(others[b].key)
            elif kind == "partial_plate_candidate" and b == pk and a in others:
                pass  # a partial that fits this full plate: listed on the partial's row
        p.vehicles, p.fits = sorted(set(p.vehicles)), sorted(set(p.fits))
        out.append(p)
    out.sort(key=lambda p: (-len(p.reports), -len(p.agencies), p.last is None, -(p.last.timestamp() if p.last else 0),
                            p.entity.key))
    return out


def write_plates_csv(session, out: TextIO, *, min_reports: int = 1) -> int:
    w = csv.writer(out)
    w.writerow(COLUMNS)
    n = 0
    for p in plates_of_interest(session, min_reports=min_reports):
        w.writerow([_cell(v) for v in (
            p.entity.key, p.partial, "; ".join(p.fits), len(p.reports), len(p.agencies), "; ".join(p.agencies),
            "; ".join(p.vehicles), p.first.date().isoformat() if p.first else None,
            p.last.date().isoformat() if p.last else None, "; ".join(p.reports), p.entity.public_id)])
        n += 1
    return n
