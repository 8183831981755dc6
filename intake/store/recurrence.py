"""Recurrence on arrival: a record that shares a person, plate, phone,
handle, address or business with other reports "links to N earlier
reports from M agencies", with the shared entities.

Cheap by construction: one statement for a whole page of documents, which
starts from the page's own mentions (index on mentions.document_pk) and
reaches the other reports through the entities those mentions resolved to
(index on mentions.entity_pk); nothing scans the history. "Earlier" is
received earlier (a smaller document id: the order intake read them in);
later reports are counted apart, so an old document's page shows both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import aliased

from intake.store.analysis_common import counted, intelligence_field, recurrence_types
from intake.store.entity_queries import entities_where_in
from intake.store.models import DocumentRow, Entity, MentionRow

SHOWN_ENTITIES = 8


@dataclass
class SharedEntity:
    public_id: str
    type: str
    display: str
    reports: int  # other reports sharing it
    agencies: int
    other_agencies: int = 0  # of those, agencies other than this record's own


@dataclass
class Recurrence:
    document_pk: int
    earlier_reports: int = 0
    earlier_agencies: int = 0
    later_reports: int = 0
    # linked reports (earlier or later) sent by an agency other than this
    # record's own: corroboration in the 3x5x2 sense
    other_agency_reports: int = 0
    other_agencies: int = 0
    shared: list[SharedEntity] = field(default_factory=list)
    earlier_ids: list[str] = field(default_factory=list)  # oldest first
    later_ids: list[str] = field(default_factory=list)

    @property
    def reports(self) -> int:
        return self.earlier_reports + self.later_reports

    @property
    def more_shared(self) -> int:
        return max(0, len(self.shared) - SHOWN_ENTITIES)


def recurrence_for(session, document_pks) -> dict[int, Recurrence]:
    """Recurrence of each document (by pk), for a page of them at once."""
    pks = sorted({int(p) for p in document_pks if p})
    if not pks:
        return {}
    m1, m2 = aliased(MentionRow), aliased(MentionRow)
    d1, d2 = aliased(DocumentRow), aliased(DocumentRow)
    rows = session.execute(
        select(m1.document_pk, d1.agency, m1.entity_pk, d2.id, d2.public_id, d2.agency)
        .join(d1, d1.id == m1.document_pk)
        .join(m2, m2.entity_pk == m1.entity_pk)
        .join(d2, d2.id == m2.document_pk)
        .where(m1.document_pk.in_(pks), m1.entity_pk.is_not(None), m1.type.in_(recurrence_types()),
               intelligence_field(m1), intelligence_field(m2), m2.document_pk != m1.document_pk, counted(d2))
        .distinct()
    ).all()
    per_doc: dict[int, dict] = {}
    for doc_pk, own_agency, ent_pk, other_pk, other_id, other_agency in rows:
        d = per_doc.setdefault(doc_pk, {"own": own_agency, "reports": {}, "by_entity": {}})
        d["reports"][other_pk] = (other_id, other_agency)
        d["by_entity"].setdefault(ent_pk, set()).add(other_pk)
    ents = {e.id: e for e in entities_where_in(session, Entity.id,
                                               sorted({e for d in per_doc.values() for e in d["by_entity"]}))}
    out = {pk: Recurrence(pk) for pk in pks}
    for doc_pk, d in per_doc.items():
        r = out[doc_pk]
        earlier = sorted(p for p in d["reports"] if p < doc_pk)
        later = sorted(p for p in d["reports"] if p > doc_pk)
        r.earlier_reports, r.later_reports = len(earlier), len(later)
        r.earlier_agencies = len({d["reports"][p][1] for p in earlier if d["reports"][p][1]})
        others = [p for p, (_, agency) in d["reports"].items() if agency and agency != d["own"]]
        r.other_agency_reports = len(others)
        r.other_agencies = len({d["reports"][p][1] for p in others})
        r.earlier_ids = [d["reports"][p][0] for p in earlier]
        r.later_ids = [d["reports"][p][0] for p in later]
        shared = []
        for ent_pk, docs in d["by_entity"].items():
            e = ents.get(ent_pk)
            if e is None:
                continue
            agencies = {d["reports"][p][1] for p in docs if d["reports"][p][1]}
            shared.append(SharedEntity(e.public_id, e.type, e.display, len(docs), len(agencies),
                                       len(agencies - {d["own"]})))
        r.shared = sorted(shared, key=lambda s: (-s.reports, -s.agencies, s.type, s.display))
    return out


def recurrence_of(session, document_pk: int) -> Recurrence:
    return recurrence_for(session, [document_pk])[document_pk]


def recurrence_by_public_ids(session, public_ids) -> dict[str, Recurrence]:
    """The same, keyed by document public id (what the templates hold)."""
    ids = sorted(set(public_ids))
    if not ids:
        return {}
    pk_of = dict(session.execute(select(DocumentRow.public_id, DocumentRow.id)
                                 .where(DocumentRow.public_id.in_(ids))).all())
    by_pk = recurrence_for(session, pk_of.values())
    return {pid: by_pk[pk] for pid, pk in pk_of.items()}
