"""Recurrence on arrival: a record that shares a person, plate, phone,
handle, address or business with other reports "links to N earlier
reports from M agencies", with the shared entities.

Cheap by construction: two statements for a whole page of documents. The
first reads the page's own mentions (index on mentions.document_pk) with
their entities; the second the other reports naming those entities (index
on mentions.entity_pk), each entity once. Nothing scans the history, and
an entity named in more than [recurrence] hub_reports reports is listed
with its stored totals instead of being read report by report. "Earlier" is
received earlier (a smaller document id: the order intake read them in);
later reports are counted apart, so an old document's page shows both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from intake.store.analysis_common import catalogue, counted, intelligence_field, recurrence_types
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
    hub: bool = False  # named so widely its reports are not counted one by one


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
    widely_named: int = 0  # shared entities over the hub threshold (listed, not counted)

    @property
    def reports(self) -> int:
        return self.earlier_reports + self.later_reports

    @property
    def any(self) -> bool:
        return bool(self.reports or self.widely_named)

    @property
    def more_shared(self) -> int:
        return max(0, len(self.shared) - SHOWN_ENTITIES)


def hub_reports() -> int:
    return int(catalogue()["recurrence"].get("hub_reports", 200))


def recurrence_for(session, document_pks) -> dict[int, Recurrence]:
    """Recurrence of each document (by pk), for a page of them at once: one
    statement for the page's own entities (index on mentions.document_pk),
    one for the other reports naming them (index on mentions.entity_pk),
    each entity read once however many of the page's documents name it."""
    pks = sorted({int(p) for p in document_pks if p})
    if not pks:
        return {}
    own = session.execute(
        select(MentionRow.document_pk, DocumentRow.agency, Entity.id, Entity.public_id, Entity.type, Entity.display,
               Entity.document_count, Entity.agency_count)
        .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
        .join(Entity, Entity.id == MentionRow.entity_pk)
        .where(MentionRow.document_pk.in_(pks), MentionRow.type.in_(recurrence_types()), intelligence_field())
        .distinct()
    ).all()
    # An entity named in more reports than this (a chain hotel, a busy
    # street) links everything to everything: it is listed with its own
    # totals, and its reports are not read one by one into the counts.
    hub = hub_reports()
    linked = sorted({r[2] for r in own if r[6] <= hub})
    docs_of: dict[int, set[int]] = {}
    report: dict[int, tuple[str, str | None]] = {}
    for i in range(0, len(linked), 500):
        for ent_pk, doc_pk, public_id, agency in session.execute(
            select(MentionRow.entity_pk, DocumentRow.id, DocumentRow.public_id, DocumentRow.agency)
            .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
            .where(MentionRow.entity_pk.in_(linked[i:i + 500]), intelligence_field(), counted()).distinct()
        ):
            docs_of.setdefault(ent_pk, set()).add(doc_pk)
            report[doc_pk] = (public_id, agency)
    out = {pk: Recurrence(pk) for pk in pks}
    per_doc: dict[int, list] = {}
    for row in own:
        per_doc.setdefault(row[0], []).append(row)
    for doc_pk, rows in per_doc.items():
        r, own_agency = out[doc_pk], rows[0][1]
        others: set[int] = set()
        shared = []
        for _, _, ent_pk, public_id, type_, display, count, agencies in rows:
            if count > hub:
                r.widely_named += 1
                shared.append(SharedEntity(public_id, type_, display, count - 1, agencies,
                                           agencies - 1 if agencies > 1 else 0, hub=True))
                continue
            docs = docs_of.get(ent_pk, set()) - {doc_pk}
            if not docs:
                continue
            others |= docs
            names = {report[d][1] for d in docs if report[d][1]}
            shared.append(SharedEntity(public_id, type_, display, len(docs), len(names), len(names - {own_agency})))
        earlier = sorted(p for p in others if p < doc_pk)
        later = sorted(p for p in others if p > doc_pk)
        r.earlier_reports, r.later_reports = len(earlier), len(later)
        r.earlier_agencies = len({report[p][1] for p in earlier if report[p][1]})
        other_agency = [p for p in others if report[p][1] and report[p][1] != own_agency]
        r.other_agency_reports = len(other_agency)
        r.other_agencies = len({report[p][1] for p in other_agency})
        r.earlier_ids = [report[p][0] for p in earlier]
        r.later_ids = [report[p][0] for p in later]
        r.shared = sorted(shared, key=lambda s: (s.hub, -s.reports, -s.agencies, s.type, s.display))
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
