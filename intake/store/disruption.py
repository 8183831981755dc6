"""The disruption view: businesses ranked by the reports and agencies that
name them, with the children's ages and dates (the West Midlands toolkit's
tactics work on hotels, takeaways and taxi firms "frequently linked" to
incidents), and the adults named around several children (child abduction
warning notices).

A business's kind comes from config/analysis.toml: words in its name
first, else words near where a report names it; the reason is kept and
shown. Everything here ranks and explains; an officer decides.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from intake.store.analysis_common import Child, catalogue, counted, intelligence_field, subjects_of, words_pattern
from intake.store.document_facts import facts_for
from intake.store.models import DocumentRow, Entity, MentionRow, RecordField, RecordRow
from intake.store.records import unwrap


@dataclass
class Kind:
    key: str
    label: str
    target: bool
    s116: bool
    reason: str


@dataclass
class ReportLine:
    document_id: str
    seen: datetime | None
    agency: str | None
    children: list[Child] = field(default_factory=list)
    context: str = ""


@dataclass
class Business:
    entity: Entity
    kind: Kind
    reports: list[ReportLine] = field(default_factory=list)

    @property
    def agencies(self) -> int:
        return len({r.agency for r in self.reports if r.agency})

    @property
    def ages(self) -> list[int]:
        return sorted(c.age for r in self.reports for c in r.children if c.age is not None)

    @property
    def first(self) -> datetime | None:
        return min((r.seen for r in self.reports if r.seen), default=None)

    @property
    def last(self) -> datetime | None:
        return max((r.seen for r in self.reports if r.seen), default=None)


UNKNOWN = Kind("unclassified", "unclassified", True, False, "no word in its name or near it says what it is")


def _kinds():
    cat = catalogue()["business"]
    for key in cat["order"]:
        k = cat["kinds"][key]
        yield key, k, words_pattern(k.get("name_words", [])), words_pattern(k.get("context_words", []))


def classify(name: str, contexts: list[str] = ()) -> Kind:
    """A business's kind from its name, else from the text around it."""
    for key, k, by_name, _ in _kinds():
        m = by_name.search(name) if by_name else None
        if m:
            return Kind(key, k["label"], k["target"], k["s116"], f"its name has “{m.group(0)}”")
    # Context is weaker evidence than a name: the kind must be named beside
    # it in at least a third of the places it is mentioned.
    best = None
    for key, k, _, by_context in _kinds():
        hits = [m for m in (by_context.search(t) for t in contexts if t and by_context) if m]
        if hits and len(hits) * 3 >= len(contexts) and (best is None or len(hits) > best[0]):
            best = (len(hits), Kind(key, k["label"], k["target"], k["s116"],
                                    f"reports say “{hits[0].group(0)}” beside it ({len(hits)} of {len(contexts)})"))
    return best[1] if best else UNKNOWN


def _field_texts(session, pairs) -> dict[tuple[int, str], str]:
    docs = sorted({d for d, _ in pairs})
    keys = sorted({k for _, k in pairs})
    out = {}
    for i in range(0, len(docs), 500):
        for doc_pk, key, value in session.execute(
            select(RecordRow.document_pk, RecordField.key, RecordField.value)
            .join(RecordField, RecordField.record_pk == RecordRow.id)
            .where(RecordRow.document_pk.in_(docs[i:i + 500]), RecordField.key.in_(keys),
                   RecordField.superseded.is_(False)).order_by(RecordField.id)
        ):
            v = unwrap(value)
            if isinstance(v, str):
                out[(doc_pk, key)] = v
    return out


def _window(text: str, start: int, end: int, width: int) -> str:
    """The words around a span, cut at spaces, with … where text goes on."""
    left, right = max(0, start - width), min(len(text), end + width)
    if left > 0:
        sp = text.find(" ", left, start)
        left = sp + 1 if sp != -1 else left
    if right < len(text):
        sp = text.rfind(" ", end, right)
        right = sp if sp != -1 else right
    return ("…" if left > 0 else "") + text[left:right] + ("…" if right < len(text) else "")


def _mentions_of(session, entity_pks, extra=()):
    """(entity, document, field, start, end) of intelligence mentions of
    these entities in reports that count."""
    out = []
    pks = sorted(entity_pks)
    for i in range(0, len(pks), 500):
        out += session.execute(
            select(MentionRow.entity_pk, MentionRow.document_pk, MentionRow.field, MentionRow.start,
                   MentionRow.end, DocumentRow.public_id, DocumentRow.agency)
            .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
            .where(MentionRow.entity_pk.in_(pks[i:i + 500]), intelligence_field(), counted(), *extra)
            .order_by(MentionRow.document_pk, MentionRow.start)
        ).all()
    return out


def businesses(session, *, include_partners: bool = False, kind: str | None = None, min_reports: int = 1,
               entity: Entity | None = None) -> list[Business]:
    """Organisations named in reports, classified and ranked by reports
    then agencies (most first)."""
    if entity is not None:
        ents = [entity]
    else:
        ents = list(session.scalars(select(Entity).where(Entity.type == "ORGANISATION",
                                                         Entity.merged_into_id.is_(None),
                                                         Entity.document_count >= max(1, min_reports))))
    # The name decides most kinds without reading a report: partners are
    # dropped before their (many) mentions are read, and only the
    # businesses whose name says nothing need the words around them.
    named = {e.id: classify(e.display) for e in ents}
    if entity is None and not include_partners:
        ents = [e for e in ents if named[e.id].target]
    if entity is None and kind and kind != UNKNOWN.key:
        ents = [e for e in ents if named[e.id].key in (kind, UNKNOWN.key)]
    by_pk = {e.id: e for e in ents}
    rows = _mentions_of(session, by_pk)
    width = catalogue()["business"]["context_window"]
    need_words = {pk for pk in by_pk if entity is not None or named[pk] is UNKNOWN}
    texts = _field_texts(session, {(r[1], r[2]) for r in rows if r[0] in need_words})
    facts = facts_for(session, {r[1] for r in rows})
    cat = catalogue()["children"]
    children = _children_in(session, {r[1] for r in rows}, facts, tuple(cat["subject_fields"]), cat["adult_age"])
    contexts: dict[int, list[str]] = {}
    lines: dict[int, dict[int, ReportLine]] = {}
    for ent_pk, doc_pk, fld, start, end, public_id, agency in rows:
        text = texts.get((doc_pk, fld), "")
        ctx = _window(text, start, end, width) if text[start:end] else ""
        contexts.setdefault(ent_pk, []).append(ctx)
        f = facts.get(doc_pk)
        line = lines.setdefault(ent_pk, {}).setdefault(
            doc_pk, ReportLine(public_id, f.seen if f else None, f.agency if f else agency,
                               list(children.get(doc_pk, {}).values())))
        if ctx and not line.context:
            line.context = ctx
    out = []
    for ent_pk, ent in by_pk.items():
        reports = sorted(lines.get(ent_pk, {}).values(), key=lambda r: (r.seen is None, r.seen))
        if not reports or len(reports) < min_reports:
            continue
        k = named[ent_pk] if named[ent_pk] is not UNKNOWN else classify(ent.display, contexts.get(ent_pk, []))
        if (not include_partners and not k.target and entity is None) or (kind and k.key != kind):
            continue
        out.append(Business(ent, k, reports))
    return sorted(out, key=lambda b: (-len(b.reports), -b.agencies, b.entity.display.casefold()))


def address_of(session, business: Business) -> tuple[str | None, str]:
    """The establishment's address as the reports give it, and where from:
    the licensed-premises field naming it, else an address or postcode
    written just after its name. None when no report gives one."""
    ent = business.entity
    docs = [pk for pk, in session.execute(select(DocumentRow.id).where(
        DocumentRow.public_id.in_([r.document_id for r in business.reports])))]
    name = ent.display.casefold()
    for (doc_pk, key), text in sorted(_field_texts(session, {(d, "licensed_premises.name_address")
                                                             for d in docs}).items()):
        at = text.casefold().find(name)
        if at >= 0:
            rest = re.sub(r"^(?:on|at|of|in)\s+", "", text[at + len(name):].strip(" ,.-:;\n"), flags=re.I)
            if rest:
                return rest, "the licensed-premises field of a report names it with this address"
    own = [(d, f, s, e) for _, d, f, s, e, _, _ in _mentions_of(session, [ent.id])]
    places = session.execute(
        select(MentionRow.document_pk, MentionRow.field, MentionRow.start, MentionRow.value, MentionRow.type)
        .where(MentionRow.document_pk.in_(docs), MentionRow.type.in_(("ADDRESS", "POSTCODE")))
    ).all()
    found: Counter = Counter()
    for d, f, s, e in own:
        near = sorted((p for p in places if p[0] == d and p[1] == f and e <= p[2] <= e + 80), key=lambda p: p[2])
        address = [p for p in near if p[4] == "ADDRESS"][:1] or near[:1]
        if address:
            postcode = [p[3] for p in near if p[4] == "POSTCODE" and p[3] not in address[0][3]]
            found[", ".join([address[0][3]] + postcode[:1])] += 1
    if found:
        value, n = found.most_common(1)[0]
        return value, f"written just after its name in {n} report{'' if n == 1 else 's'}"
    return None, "no report gives its address: the officer fills it in"


@dataclass
class PersonAround:
    entity: Entity
    children: list[Child]
    reports: list[ReportLine]

    @property
    def agencies(self) -> int:
        return len({r.agency for r in self.reports if r.agency})


def _children_in(session, docs, facts, subject_fields, adult) -> dict[int, dict]:
    """doc -> {child key: Child}: the report's subject (subject.name's person,
    else the name as written) and every person named in it whose stated age
    (a birth year from "aged 14") makes them a child on the report's date."""
    subjects = subjects_of(session, docs, {d: f.seen for d, f in facts.items()})
    out: dict[int, dict] = {}
    for chunk in (sorted(docs)[j:j + 500] for j in range(0, len(docs), 500)):
        for doc_pk, ent_pk, fld, text, attrs in session.execute(
            select(MentionRow.document_pk, MentionRow.entity_pk, MentionRow.field, MentionRow.text, MentionRow.attrs)
            .where(MentionRow.document_pk.in_(chunk), MentionRow.type == "PERSON", MentionRow.entity_pk.is_not(None))
        ):
            subject = subjects.get(doc_pk)
            if fld in subject_fields and subject is not None:
                if subject.age is None or subject.age < adult:
                    out.setdefault(doc_pk, {})[ent_pk] = subject
                continue
            years = ((attrs or {}).get("_profile") or {}).get("birth_years") or []
            f = facts.get(doc_pk)
            if years and f and f.seen and f.seen.year - max(years) < adult:
                out.setdefault(doc_pk, {})[ent_pk] = Child(text, f.seen.year - max(years))
    for doc_pk, subject in subjects.items():
        if subject.name and doc_pk not in out and (subject.age is None or subject.age < adult):
            out[doc_pk] = {subject.name.casefold(): subject}
    return out


def _tokens(s: str | None) -> set[str]:
    return set((s or "").casefold().replace(",", " ").split())


def people_around_children(session, *, min_children: int = 2, limit: int = 100) -> list[PersonAround]:
    """Adults named in reports about at least ``min_children`` different
    children. A child is a report's subject or a person named with an age
    under 18; a name that is part of the child's own ("Brandon" in a
    report about Brandon Doyle) is taken to be the child, never counted."""
    subject_fields = tuple(catalogue()["children"]["subject_fields"])
    adult = catalogue()["children"]["adult_age"]
    people = list(session.scalars(select(Entity).where(Entity.type == "PERSON", Entity.merged_into_id.is_(None),
                                                       Entity.document_count >= min_children)))
    by_pk = {e.id: e for e in people}
    rows = _mentions_of(session, by_pk, (MentionRow.field.notin_(subject_fields),))
    docs = {r[1] for r in rows}
    facts = facts_for(session, docs)
    kids = _children_in(session, docs, facts, subject_fields, adult)
    per: dict[int, dict] = {}
    for ent_pk, doc_pk, _f, _s, _e, public_id, agency in rows:
        here = kids.get(doc_pk, {})
        mine = _tokens(by_pk[ent_pk].display)
        if ent_pk in here or any(mine <= _tokens(c.name) for c in here.values()):
            continue
        for key, child in here.items():
            p = per.setdefault(ent_pk, {"children": {}, "reports": {}})
            p["children"].setdefault(key, child)
            f = facts.get(doc_pk)
            line = p["reports"].setdefault(doc_pk, ReportLine(public_id, f.seen if f else None,
                                                              f.agency if f else agency))
            line.children.append(child)
    out = [PersonAround(by_pk[pk], list(p["children"].values()),
                        sorted(p["reports"].values(), key=lambda r: (r.seen is None, r.seen)))
           for pk, p in per.items() if len(p["children"]) >= min_children]
    out.sort(key=lambda p: (-len(p.children), -len(p.reports), p.entity.display.casefold()))
    return out[:limit]
