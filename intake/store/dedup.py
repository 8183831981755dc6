"""Content-level deduplication: the same report in another format, re-saved
or re-scanned.

Byte-level dedup (Message-ID + hash, document sha256) is the pipeline's; this
module decides on the canonical record and text. The rule, readable on its
own:

1. Compare the identity fields (who reported, when, about whom) one by one.
   A clear difference in who submitted it or when it was written means a
   different report: two professionals describing one incident are linked
   through shared entities, never deduplicated. Such a pair can at most be a
   ``possible_duplicate`` for an officer to look at, and only when the
   content is near-identical.
2. Otherwise the content similarity (rapidfuzz over the normalised record
   values, see content_fingerprint.py) decides: at or above
   DUPLICATE_THRESHOLD it is a ``duplicate``; at or above POSSIBLE_THRESHOLD
   a ``possible_duplicate`` for review.

Thresholds were chosen on bench/dedup_quality.py (fixtures/make_forms.py's
labelled forms plus copies as other formats return them): PDF re-wraps and
re-saves score >= 0.999, OCR slips at 2/5/8 % of characters >= 0.945, a scan
that fell back to free_text >= 0.875, while two professionals' reports of
one incident score about 0.62. 0.88 keeps every different report out with a
wide margin; the rare copy below it reaches an officer as possible_duplicate.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from rapidfuzz import fuzz
from sqlalchemy import bindparam, func, insert, select

from intake.matching import content_fingerprint
from intake.store.models import ContentKey, DocumentRow, RecordField, RecordRow
from intake.store.records import field_values, values_of_rows

DUPLICATE_THRESHOLD = 0.88
POSSIBLE_THRESHOLD = 0.75
# Identity values are short: OCR slips in a name or a date still score high,
# a different person or a different day does not.
IDENTITY_AGREE = 0.75
# Fields whose disagreement proves a different report (different author or
# different time of writing). A differing subject alone does not: a re-typed
# form may fix a misspelt name, so it lowers the decision to "possible".
DECISIVE_FIELDS = ("submitter.name", "report_datetime")
# Candidates compared per report, most shared band keys first. 200 let the
# comparisons grow with the store (copies of one text share bands: 25 per
# report at 1,000 reports, 87 at 3,000). On the commit bench's scale run
# (1,700 reports) the best match of 886 of the 890 reports that got a
# decision ranked within its first 9 candidates, the other four within 22;
# bench/dedup_quality.py gives the same figures at 32 as at 200. The price,
# at 4,000 reports: 5 of 1,639 possible_duplicate items (similarity 0.75 to
# 0.81, a match ranked past 32) not raised; no duplicate decision changed.
MAX_CANDIDATES = 32
_DIGITS = re.compile(r"\d+")


@dataclass
class ContentMatch:
    document_pk: int
    score: float
    decision: Literal["duplicate", "possible_duplicate"]


@dataclass
class _Content:
    values: dict[str, str]
    template: str | None
    text: str

    # Cached: a new report is compared with up to MAX_CANDIDATES others.
    @cached_property
    def content(self) -> str:
        return content_fingerprint.content_string(self.values, self.text)

    @cached_property
    def normalised_text(self) -> str:
        return content_fingerprint.normalise_text_cached(self.text or "")

    @cached_property
    def values_or_text(self) -> str:
        return " ".join(self.values.values()) or self.normalised_text

    # The same strings with their words sorted: what rapidfuzz's
    # token_sort_ratio compares, made once per report rather than once per
    # pair (the strings are normalised: words split by single spaces).
    @cached_property
    def sorted_content(self) -> str:
        return _sorted_words(self.content)

    @cached_property
    def sorted_normalised_text(self) -> str:
        return _sorted_words(self.normalised_text)

    @cached_property
    def sorted_values_or_text(self) -> str:
        return _sorted_words(self.values_or_text)

    def remembered(self) -> "_Content":
        """This content as the memory of originals keeps it: the strings a
        comparison reads, made now, without the document's text. The text
        was most of an entry (often two bytes a character in memory, where
        its normalised form is ASCII); only content and normalised_text are
        made of it."""
        kept = _Content(self.values, self.template, "")
        kept.__dict__.update(content=self.content, normalised_text=self.normalised_text,
                             **{k: v for k, v in self.__dict__.items() if k in _DERIVED})
        return kept


# What _Content makes of its text and values; remembered() keeps them.
_DERIVED = ("values_or_text", "sorted_content", "sorted_normalised_text", "sorted_values_or_text")


def _sorted_words(s: str) -> str:
    return " ".join(sorted(s.split()))


# What OCR confuses in names: compare "Ca1lum Sharrna" as "callum sharma".
_OCR_FOLD = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b", "|": "l"})
_DATE_FIELDS = ("report_datetime", "subject.dob", "subject.age")


def _identity_agrees(key: str, va: str, vb: str) -> bool:
    if key in _DATE_FIELDS:
        # Dates and ages get no benefit of the doubt: 03/04 is not 04/03.
        return "".join(_DIGITS.findall(va)) == "".join(_DIGITS.findall(vb))
    fa = va.translate(_OCR_FOLD).replace("rn", "m").replace(" ", "")
    fb = vb.translate(_OCR_FOLD).replace("rn", "m").replace(" ", "")
    # Digits left after folding are real: "Worker 4" is not "Worker 6".
    if _DIGITS.findall(fa) != _DIGITS.findall(fb):
        return False
    return fuzz.ratio(fa, fb) / 100 >= IDENTITY_AGREE


def _identity_compare(a: dict[str, str], b: dict[str, str]) -> tuple[list[str], list[str]]:
    agree, differ = [], []
    for key in content_fingerprint.IDENTITY_FIELDS:
        va, vb = a.get(key), b.get(key)
        if not va or not vb:
            continue
        if va == vb or _identity_agrees(key, va, vb):
            agree.append(key)
        else:
            differ.append(key)
    return agree, differ


def content_similarity(a: str, b: str, cutoff: float = 0.0, sorted_a: str | None = None,
                       sorted_b: str | None = None) -> float:
    """Indel similarity, or the order-free version when a PDF's reading order
    shuffled blocks; both are rapidfuzz's, 0-1. Below ``cutoff`` the value
    is 0 (rapidfuzz then stops early). ``sorted_a``/``sorted_b``: the
    strings with their words sorted (_sorted_words), when the caller keeps
    them: token_sort_ratio is the ratio of those."""
    if not a or not b:
        return 0.0
    c = cutoff * 100
    r = fuzz.ratio(a, b, score_cutoff=c)
    # Only the larger counts: the second needs only to beat the first (it
    # stops early when it cannot), and returns 0 then.
    if sorted_a is not None and sorted_b is not None:
        return max(r, fuzz.ratio(sorted_a, sorted_b, score_cutoff=max(c, r))) / 100
    return max(r, fuzz.token_sort_ratio(a, b, score_cutoff=max(c, r))) / 100


def score_pair(a: _Content, b: _Content, *, deciding: bool = False,
               ) -> tuple[float, Literal["duplicate", "possible_duplicate"] | None]:
    """The decision rule for one pair; see the module docstring.
    ``deciding``: only the decision (and the score of a pair that gets one)
    is wanted, so similarities below POSSIBLE_THRESHOLD, which decide
    nothing, are not computed exactly."""
    _agree, differ = _identity_compare(a.values, b.values)
    decisive = any(k in DECISIVE_FIELDS for k in differ)
    # Deciding, a pair whose decisive fields differ gets a decision only at
    # DUPLICATE_THRESHOLD: below it the similarity need not be exact.
    # (A hair under it: 0.88 * 100 is 88.00000000000001 in floating point,
    # and a pair at exactly 88 must still be scored.)
    cut = ((DUPLICATE_THRESHOLD - 1e-9) if decisive else POSSIBLE_THRESHOLD) if deciding else 0.0
    if a.template and b.template and a.template == b.template:
        sim = content_similarity(a.content, b.content, cut, a.sorted_content, b.sorted_content)
    else:
        # Different templates (a scan that fell back to free_text, say):
        # the record shapes differ, so compare what each has as a whole.
        sim = max(
            content_similarity(a.content, b.content, cut, a.sorted_content, b.sorted_content),
            content_similarity(a.values_or_text, b.normalised_text, cut, a.sorted_values_or_text,
                               b.sorted_normalised_text),
            content_similarity(a.normalised_text, b.values_or_text, cut, a.sorted_normalised_text,
                               b.sorted_values_or_text),
        )
    if decisive:
        return sim, ("possible_duplicate" if sim >= DUPLICATE_THRESHOLD else None)
    if differ:
        return sim, ("possible_duplicate" if sim >= POSSIBLE_THRESHOLD else None)
    if sim >= DUPLICATE_THRESHOLD:
        return sim, "duplicate"
    if sim >= POSSIBLE_THRESHOLD:
        return sim, "possible_duplicate"
    return sim, None


def content_of(record, text: str | None) -> _Content:
    """The comparable content of a Record (types.Record) and its text."""
    if record is None:
        return _Content({}, None, text or "")
    return _Content(
        content_fingerprint.record_values({k: fv.value for k, fv in record.fields.items()}),
        record.template,
        text or "",
    )


def _stored(document: DocumentRow, record: RecordRow | None) -> _Content:
    return _Content(content_fingerprint.record_values(field_values(record)), record.template if record is not None else None,
                    document.text or "")


def stored_content(session, document: DocumentRow) -> _Content:
    return _stored(document, session.scalar(select(RecordRow).where(RecordRow.document_pk == document.id)))


# Stored content of originals, by document id, with the version it was read
# at: a report is a candidate of many later ones, and reading and
# normalising its record each time was most of dedup's cost. The version
# (processed_at, record id, template, number of field rows) changes with
# everything that changes the content: a reprocess sets processed_at and
# replaces the parser's rows, an officer's correction adds a row, a disposal
# moves the record to another document. Shared by the threads of one
# process, so under a lock; other processes' writes are seen through the
# version, read from the store every time.
#
# Bounded by memory, not by count: once the originals a new report can be
# compared with outgrow it, every comparison reads and normalises its
# candidate again (and a statement more per message), so dedup's cost grew
# with the store. An entry with the strings a comparison makes of it takes
# about 16.5 kB on the bench's reports, most of it the document's text, so
# the budget held about 11,600 originals; an entry now keeps the strings a
# comparison reads, not the text (_Content.remembered): about 11 kB, or
# 17,000 originals.
_CACHE: OrderedDict[int, tuple[tuple, _Content, int]] = OrderedDict()
_CACHE_BUDGET = 192 * 1024 * 1024
_CACHE_LOCK = threading.Lock()
_cache_bytes = 0


def _weight(content: _Content) -> int:
    """Bytes an entry holds once every string a comparison makes of it is
    made (each sorted form is the size of what it sorts), plus the objects
    around them."""
    made = sum(sys.getsizeof(x) for x in (content.content, content.normalised_text, content.values_or_text))
    return (1024 + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in content.values.items()) + 2 * made
            + sys.getsizeof(content.text))


def _remember(pk: int, version: tuple, content: _Content) -> None:
    global _cache_bytes
    content = content.remembered()
    weight = _weight(content)
    with _CACHE_LOCK:
        old = _CACHE.pop(pk, None)
        if old is not None:
            _cache_bytes -= old[2]
        _CACHE[pk] = (version, content, weight)
        _cache_bytes += weight
        while _cache_bytes > _CACHE_BUDGET and len(_CACHE) > 1:
            _cache_bytes -= _CACHE.popitem(last=False)[1][2]


def _recall(pk: int, version: tuple) -> _Content | None:
    with _CACHE_LOCK:
        hit = _CACHE.get(pk)
        if hit is None or hit[0] != version:
            return None
        _CACHE.move_to_end(pk)
        return hit[1]


def _originals_query(pks):
    return (DocumentRow.id.in_(pks), DocumentRow.status == "parsed", DocumentRow.duplicate_of_id.is_(None))


def _versions_query(pks):
    return (select(DocumentRow.id, DocumentRow.processed_at, RecordRow.id, RecordRow.template,
                   func.count(RecordField.id))
            .outerjoin(RecordRow, RecordRow.document_pk == DocumentRow.id)
            .outerjoin(RecordField, RecordField.record_pk == RecordRow.id)
            .where(*_originals_query(pks))
            .group_by(DocumentRow.id, DocumentRow.processed_at, RecordRow.id, RecordRow.template))


# The candidates of a new report (documents sharing a band key, most shared
# first: when a common text fills more than MAX_CANDIDATES slots, the
# likeliest copies are still compared) and their versions, in one
# statement, built once (a statement object remembers its cache key).
_CANDIDATE_VERSIONS = _versions_query(
    select(ContentKey.document_pk)
    .where(ContentKey.key.in_(bindparam("keys", expanding=True)), ContentKey.document_pk != bindparam("document"))
    .group_by(ContentKey.document_pk)
    .order_by(func.count(ContentKey.id).desc(), ContentKey.document_pk)
    .limit(bindparam("limit")))
_INSERT_KEYS = insert(ContentKey.__table__)


def _stored_originals(session, pks, params: dict | None = None):
    """(pk, stored content) of each candidate that is an original (a copy of
    a copy points at the first copy), in id order. One query reads their
    versions; the content of those not remembered at that version (their
    text, template and current field values) is read in a second, for all
    of them at once, with no ORM object built. ``pks``: ids, or None for
    the candidate query (_CANDIDATE_VERSIONS with ``params``)."""
    if isinstance(pks, list) and not pks:
        return
    stmt = _CANDIDATE_VERSIONS if pks is None else _versions_query(pks)
    versions = {pk: (at, rec, template, n) for pk, at, rec, template, n in session.execute(stmt, params)}
    out = {pk: _recall(pk, v) for pk, v in versions.items()}
    missing = sorted(pk for pk, c in out.items() if c is None)
    if missing:
        found: dict[int, tuple[str | None, str | None]] = {}
        rows: dict[int, list] = {}
        for pk, text, template, f_id, key, value, superseded in session.execute(
            select(DocumentRow.id, DocumentRow.text, RecordRow.template, RecordField.id, RecordField.key,
                   RecordField.value, RecordField.superseded)
            .outerjoin(RecordRow, RecordRow.document_pk == DocumentRow.id)
            .outerjoin(RecordField, RecordField.record_pk == RecordRow.id)
            .where(*_originals_query(missing))
        ):
            found[pk] = (text, template)
            if f_id is not None:
                rows.setdefault(pk, []).append((f_id, key, value, superseded))
        for pk in missing:
            if pk not in found:  # changed since the first query (another process)
                out.pop(pk)
                continue
            text, template = found[pk]
            out[pk] = _Content(content_fingerprint.record_values(values_of_rows(rows.get(pk, []))), template, text or "")
            _remember(pk, versions[pk], out[pk])
    for pk in sorted(out):
        yield pk, out[pk]


def remember_new_original(document: DocumentRow, record_pk: int | None, fields: int, content: _Content) -> None:
    """A document just stored as an original, remembered at the version the
    store will give it (so later reports compare with it without reading
    it back). ``fields``: its record's field rows."""
    if document.id is not None and document.processed_at is not None:
        _remember(document.id, (document.processed_at, record_pk, content.template if record_pk else None, fields),
                  content)


def find_content_duplicate(session, document: DocumentRow, record, text: str, *, fresh: bool = False,
                           keys: list[str] | None = None) -> ContentMatch | None:
    """The earliest stored report this one is a copy of, or a near miss for
    review, or None. Records this document's content keys for later ones
    unless it is itself a duplicate (only originals are compared against).
    ``fresh``: a document being stored, with no keys yet. ``keys``: its
    band keys when the analysis worker computed them
    (content_fingerprint.content_keys_of)."""
    mine = content_of(record, text)
    if not fresh:
        # A reprocessed document replaces its own keys rather than adding more.
        forget_document(session, document.id)
    keys = content_fingerprint.unique(keys) if keys is not None else content_fingerprint.unique(content_fingerprint.band_keys(mine.content))
    best: ContentMatch | None = None
    if keys:
        params = {"keys": keys, "document": document.id, "limit": MAX_CANDIDATES}
        for pk, theirs in _stored_originals(session, None, params):  # earliest wins a tie
            score, decision = score_pair(mine, theirs, deciding=True)
            if decision is None:
                continue
            rank = (decision == "duplicate", score)
            if best is None or rank > (best.decision == "duplicate", best.score):
                best = ContentMatch(pk, round(score, 4), decision)
    if best is None or best.decision != "duplicate":
        if keys:
            session.execute(_INSERT_KEYS, [{"document_pk": document.id, "key": k} for k in keys])
            if fresh:
                rec = document.__dict__.get("record")  # set by apply_analysis, never loaded here
                remember_new_original(document, rec.id if rec is not None else None,
                                      len(record.fields) if record is not None else 0, mine)
    return best


def forget_document(session, document_pk: int) -> None:
    """Drop a document's content keys (before reprocessing or disposal)."""
    for row in session.scalars(select(ContentKey).where(ContentKey.document_pk == document_pk)):
        session.delete(row)
    session.flush()
