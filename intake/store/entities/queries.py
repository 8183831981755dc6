"""Reading the entity graph: search by value, one entity's page, and the
public id a mention's entity stands under now (through officers' merges).
Shared by the review app, ``intake entities``/``intake entity`` and the
export.

Search takes what an officer types and reads it the way the resolver keyed
it: a plate in any spacing or case, also partial ("AB12*", "AB?? CDE",
"ending XKF" is typed as "*XKF"); a phone in any format (libphonenumber,
region GB); an e-mail; a handle with or without "@" or platform; and a
person's or alias's name with fuzzy matching (rapidfuzz), so "Tomek
Wisnewski" finds "Tomasz WISNIEWSKI".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select

from intake import entity_types
from intake.matching import entity_keys
from intake.store.crypto import session_keyring
from intake.store.document_facts import facts_for
from intake.store.entities import ids as entity_ids
from intake.store.models import DocumentRow, Entity, EntityLink, MentionRow, Message
from intake.store.records import field_values
from intake.store.snippets import Snippet, locate, snippet

TYPES = entity_types.ENTITY_NAMES  # the types that become entities (intake/config/entity_types.toml)
NAME_CUTOFF = 80
_PLATE = re.compile(r"^[A-Za-z0-9?* ]{2,10}$")
_PHONE_CHARS = re.compile(r"^[+\d()\s.-]{7,24}$")


def live_entity(session, ent: Entity | None) -> Entity | None:
    seen = set()
    while ent is not None and ent.merged_into_id is not None and ent.id not in seen:
        seen.add(ent.id)
        ent = session.get(Entity, ent.merged_into_id)
    return ent


def public_ids_of(session, entity_pks) -> dict[int, str]:
    """Entity pk → public id of the entity it stands under now."""
    ids = {pk for pk in entity_pks if pk}
    if not ids:
        return {}
    rows = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    out = {}
    for pk in ids:
        ent = live_entity(session, rows.get(pk))
        if ent is not None:
            out[pk] = ent.public_id
    return out


def find_entity(session, ref: str) -> Entity | None:
    """By public id (an id issued before ids were keyed included, or a
    numeric id), followed through merges."""
    ent = session.scalar(select(Entity).where(Entity.public_id == ref))
    if ent is None and (moved := entity_ids.legacy_redirect(session, ref)) is not None:
        ent = session.scalar(select(Entity).where(Entity.public_id == moved))
    if ent is None and ref.isdigit():
        ent = session.get(Entity, int(ref))
    return live_entity(session, ent)


# --------------------------------------------------------------------------
# matching keys and names, in clear or sealed
# --------------------------------------------------------------------------


def like_regex(pattern: str, escape: str | None = None) -> re.Pattern:
    """A SQL LIKE pattern as a regular expression (case-insensitive, as
    SQLite's LIKE is for ASCII)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def entities_where_in(session, column, values: list) -> list[Entity]:
    """Entities whose ``column`` is one of ``values``, in lists of 500 (a
    bound on parameters per statement)."""
    out: list[Entity] = []
    for i in range(0, len(values), 500):
        out.extend(session.scalars(select(Entity).where(column.in_(values[i:i + 500]))))
    return out


def _by_ids(session, ids: list[int]) -> list[Entity]:
    out = {e.id: e for e in entities_where_in(session, Entity.id, ids)}
    return [out[i] for i in ids if i in out]


def entities_matching(session, where, column, pattern: str, *, escape: str | None = None,
                      limit: int | None = None, lower: bool = False) -> list[Entity]:
    """Entities meeting ``where`` whose ``column`` (Entity.key or
    Entity.display) is LIKE ``pattern``. In clear the database does it; in
    an encrypted store LIKE cannot see through the cipher, so the column is
    read for the entities meeting ``where`` and matched here (the
    deterministic cipher's opened values are cached)."""
    if session_keyring(session) is None:
        target = func.lower(column) if lower else column
        q = select(Entity).where(*where, target.like(pattern, escape=escape))
        return list(session.scalars(q.limit(limit) if limit else q))
    rx = like_regex(pattern, escape)
    ids = []
    for pk, value in session.execute(select(Entity.id, column).where(*where).order_by(Entity.id)):
        if value is not None and rx.fullmatch(value.casefold() if lower else value):
            ids.append(pk)
            if limit and len(ids) >= limit:
                break
    return _by_ids(session, ids)


@dataclass
class Hit:
    entity: Entity
    why: str  # "exact plate", "partial plate", "name 91%", ...
    score: float = 100.0


def _live(q):
    return q.where(Entity.merged_into_id.is_(None), Entity.document_count > 0)


def _phone_key(text: str) -> str | None:
    try:
        n = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def _plates(session, text: str) -> list[Hit]:
    key = text.upper().replace(" ", "").replace("?", "*")
    key = re.sub(r"\*+", "*", key)
    if not re.search(r"[A-Z]", key) or not re.search(r"\d", key.replace("*", "")) and "*" not in key:
        return []
    hits = []
    live_vrm = (Entity.type == "VRM", Entity.merged_into_id.is_(None), Entity.document_count > 0)
    if "*" in key:
        for e in entities_matching(session, live_vrm, Entity.key, entity_keys.like_pattern(key), limit=200):
            hits.append(Hit(e, "plate fits the pattern"))
        # Stored partial plates this pattern agrees with ("AB12*" typed, "AB*" stored).
        for e in entities_matching(session, live_vrm, Entity.key, "%*%"):
            if e.key != key and (entity_keys.plate_consistent(e.key, key.replace("*", "")) or e.key == key):
                hits.append(Hit(e, "partial plate", 80))
        return hits
    exact = session.scalar(_live(select(Entity).where(Entity.type == "VRM", Entity.key == key)))
    if exact is not None:
        hits.append(Hit(exact, "exact plate"))
    for e in entities_matching(session, live_vrm, Entity.key, "%*%"):
        if entity_keys.plate_consistent(e.key, key):
            hits.append(Hit(e, "partial plate that fits", 80))
    return hits


_NAME_SPLIT = re.compile(r"[\s,.()\"“”]+")
FORENAME_WEIGHT = 0.95  # a surname typed alone ranks its surnames above first names that look like it


def _name_parts(display: str) -> list[str]:
    """A name's words, and the parts of a double-barrelled one ("Smith-Jones"
    is found by "Jones" too)."""
    out = []
    for w in _NAME_SPLIT.split(display.casefold()):
        if len(w) < 2:
            continue
        out.append(w)
        out += [p for p in re.split(r"[-'’]", w) if len(p) >= 2 and p != w]
    return out


def _one_word_scores(word: str, choices: dict[int, str]) -> dict[int, tuple[float, str]]:
    """A single word (a surname, say) against each part of every name, so
    "Wisniewski" finds "Tomasz WISNIEWSKI" (the whole name scores 74 for it
    and would fall under the cut-off)."""
    out = {}
    for pk, display in choices.items():
        parts = _name_parts(display or "")
        if not parts:
            continue
        tokens = [w for w in _NAME_SPLIT.split(display) if w]
        # "WISNIEWSKI, Tomasz" puts the surname first
        surname = set(_name_parts(tokens[0] if "," in display else tokens[-1])) if tokens else set()
        best, why = 0.0, ""
        for p in parts:
            score = fuzz.ratio(word, p)
            if p in surname:
                label = "surname"
            else:
                score, label = score * FORENAME_WEIGHT, "part of the name"
            if score > best:
                best, why = score, label
        if best >= NAME_CUTOFF:
            out[pk] = (best, why)
    return out


def _names(session, text: str, types=("PERSON", "ALIAS"), limit: int = 50) -> list[Hit]:
    rows = session.execute(_live(select(Entity.id, Entity.display).where(Entity.type.in_(types)))).all()
    if not rows:
        return []
    choices = {pk: display for pk, display in rows}
    scored: dict[int, tuple[float, str]] = {}
    for _, score, k in process.extract(text, choices, scorer=fuzz.token_sort_ratio, processor=str.casefold,
                                       score_cutoff=NAME_CUTOFF, limit=limit):
        scored[k] = (score, "name")
    words = [w for w in _NAME_SPLIT.split(text.strip().casefold()) if w]
    if len(words) == 1:
        for k, (score, why) in _one_word_scores(words[0], choices).items():
            if score > scored.get(k, (0.0, ""))[0]:
                scored[k] = (score, why)
    best = sorted(scored.items(), key=lambda kv: -kv[1][0])[:limit]
    ents = {e.id: e for e in _by_ids(session, [k for k, _ in best])}
    return [Hit(ents[k], f"{why} {score:.0f}%", score) for k, (score, why) in best if k in ents]


def search_entities(session, text: str, type_: str | None = None, limit: int = 50) -> list[Hit]:
    text = (text or "").strip()
    if not text:
        return []
    hits: list[Hit] = []
    want = (lambda t: type_ is None or type_ == t)
    def live(type_):
        return (Entity.type == type_, Entity.merged_into_id.is_(None), Entity.document_count > 0)

    if want("EMAIL") and "@" in text and not text.startswith("@"):
        for e in entities_matching(session, live("EMAIL"), Entity.key, f"%{_escape(text.casefold())}%",
                                   escape="\\", limit=limit):
            hits.append(Hit(e, "e-mail", 100 if e.key == text.casefold() else 90))
    if want("SOCIAL_HANDLE") and (text.startswith("@") or ":" in text or (" " not in text and "@" not in text)):
        handle = text.lstrip("@").casefold()
        pat = handle if ":" in handle else f"%:{handle}"
        for e in entities_matching(session, live("SOCIAL_HANDLE"), Entity.key,
                                   _escape(pat).replace("\\%", "%"), escape="\\", limit=limit):
            hits.append(Hit(e, "handle"))
    if want("PHONE") and _PHONE_CHARS.match(text) and sum(c.isdigit() for c in text) >= 7:
        key = _phone_key(text)
        if key:
            for e in session.scalars(_live(select(Entity).where(Entity.type == "PHONE", Entity.key == key))):
                hits.append(Hit(e, "phone"))
    if want("VRM") and _PLATE.match(text):
        hits += _plates(session, text)
    if want("POSTCODE") and _PLATE.match(text):
        key = entity_keys.exact_key("POSTCODE", text)
        for e in session.scalars(_live(select(Entity).where(Entity.type == "POSTCODE", Entity.key == key))):
            hits.append(Hit(e, "postcode"))
    if type_ in (None, "PERSON", "ALIAS") and any(c.isalpha() for c in text):
        hits += _names(session, text, types=(type_,) if type_ else ("PERSON", "ALIAS"), limit=limit)
    if type_ not in ("PERSON", "ALIAS", "VRM", "PHONE", "EMAIL", "SOCIAL_HANDLE") and len(text) >= 3:
        of_type = (Entity.type == type_) if type_ else Entity.type.notin_(("PERSON", "ALIAS"))
        for e in entities_matching(session, (of_type, Entity.merged_into_id.is_(None), Entity.document_count > 0),
                                   Entity.display, f"%{_escape(text.casefold())}%", escape="\\", limit=limit,
                                   lower=True):
            hits.append(Hit(e, "text", 70))
    seen, out = set(), []
    for h in sorted(hits, key=lambda h: (-h.score, -h.entity.document_count, h.entity.id)):
        if h.entity.id not in seen:
            seen.add(h.entity.id)
            out.append(h)
    return out[:limit]


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --------------------------------------------------------------------------
# one entity
# --------------------------------------------------------------------------


@dataclass
class EntityMentionView:
    id: int
    document_id: str
    document_status: str
    field: str
    text: str
    snippet: Snippet
    recogniser: str
    seen: datetime | None
    agency: str | None
    filename: str | None = None
    subject: str | None = None
    located: bool = True  # False: the field was corrected and the mention is no longer in it

    @property
    def document_title(self) -> str:
        return self.filename or self.subject or "e-mail body"


@dataclass
class LinkView:
    kind: str
    reports: int
    entity: Entity


@dataclass
class ReportView:
    document_id: str
    status: str
    date: datetime | None
    agency: str | None
    filename: str | None
    subject: str | None
    mentions: int

    @property
    def title(self) -> str:
        return self.filename or self.subject or "e-mail body"


@dataclass
class EntityProfile:
    entity: Entity
    mentions: list[EntityMentionView]
    links: list[LinkView]
    merged_from: list[str]
    # (document id, status, date, agency, file name), oldest first
    reports: list[tuple[str, str, datetime | None, str | None, str | None]] = field(default_factory=list)
    report_views: list[ReportView] = field(default_factory=list)  # the same, with subject and mention count


def entity_profile(session, ent: Entity, mention_limit: int = 500) -> EntityProfile:
    rows = session.execute(
        select(MentionRow, DocumentRow, Message.subject).join(DocumentRow, MentionRow.document_pk == DocumentRow.id)
        .join(Message, Message.id == DocumentRow.message_pk)
        .where(MentionRow.entity_pk == ent.id, DocumentRow.disposed_at.is_(None))
        .order_by(MentionRow.document_pk, MentionRow.start).limit(mention_limit)
    ).all()
    facts = facts_for(session, {d.id for _, d, _ in rows})
    mentions = []
    text_cache: dict[int, dict] = {}
    for m, d, subject in rows:
        values = text_cache.setdefault(d.id, field_values(d.record))
        text = values.get(m.field) if isinstance(values.get(m.field), str) else m.text
        span = locate(text, m.text, m.start, m.end)
        snip = snippet(text, *span) if span else Snippet("", m.text, "")
        f = facts.get(d.id)
        mentions.append(EntityMentionView(m.id, d.public_id, d.status, m.field, m.text, snip, m.recogniser,
                                          f.seen if f else None, d.agency, d.filename, subject, span is not None))
    reports: dict[str, ReportView] = {}
    for mv in mentions:
        r = reports.get(mv.document_id)
        if r is None:
            reports[mv.document_id] = ReportView(mv.document_id, mv.document_status, mv.seen, mv.agency,
                                                 mv.filename, mv.subject, 1)
        else:
            r.mentions += 1
    report_views = sorted(reports.values(), key=lambda r: (r.date is None, r.date))
    links = session.execute(
        select(EntityLink.kind, EntityLink.a_pk, EntityLink.b_pk, func.count())
        .where(or_(EntityLink.a_pk == ent.id, EntityLink.b_pk == ent.id))
        .group_by(EntityLink.kind, EntityLink.a_pk, EntityLink.b_pk)
    ).all()
    link_views = []
    for kind, a, b, n in sorted(links, key=lambda r: (-r[3], r[0], r[1], r[2])):
        other = live_entity(session, session.get(Entity, b if a == ent.id else a))
        if other is not None and other.id != ent.id:
            link_views.append(LinkView(kind, n, other))
    merged = list(session.scalars(select(Entity.public_id).where(Entity.merged_into_id == ent.id)))
    return EntityProfile(ent, mentions, link_views, merged,
                         [(r.document_id, r.status, r.date, r.agency, r.filename) for r in report_views],
                         report_views)


def list_entities(session, *, type_: str | None = None, min_reports: int = 1, limit: int | None = 100,
                  offset: int = 0) -> tuple[list[Entity], int]:
    """Live entities by how many reports and agencies mention them, and
    how many there are in all."""
    q = select(Entity).where(Entity.merged_into_id.is_(None), Entity.document_count >= max(1, min_reports))
    if type_:
        q = q.where(Entity.type == type_)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    q = q.order_by(Entity.document_count.desc(), Entity.agency_count.desc(), Entity.submitter_count.desc(),
                   Entity.id).offset(offset)
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q)), total
