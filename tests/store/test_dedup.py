"""Deduplication at every level: message (Message-ID + content), document
(sha256), and report content (another format, re-saved, re-scanned)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from intake.store.dedup import content_similarity, find_content_duplicate
from intake.store.models import ContentKey, DocumentRow, ExceptionItem, Message, Sighting
from intake.types import RawMessage
from tests.store.entity_rows import make_record, mention, store_report

NARRATIVE = (
    "On 21/09/2025 Lacey did not return home and was reported missing. Jay Smith is driving girls "
    "to parties in a silver Vauxhall Astra AB12 CDE. Lacey has been spending time with Gareth Yates, "
    "known as JB, who is 19 years old. She hangs around the Bullring after school with older males "
    "and says they were given vodka at a flat on Mare Street. Her phone shows calls from 07700 900123."
)
PARAPHRASE = (
    "Lacey Vaughan went missing overnight on the 21st. Her mum believes she was with a man called "
    "Jay Smith who drives a silver Astra, reg AB12CDE, and ferries girls to parties. Another man, "
    "Gareth Yates ('JB'), aged about 19, is also involved. Lacey was seen at the Bullring with older "
    "males and later at a flat where alcohol was handed out. Number used: 07700 900123."
)


def record(narrative=NARRATIVE, submitter="Nadia Jenkins", agency="Community Health NHS Trust",
           when="2025-10-02T17:25:00", **kw):
    return make_record(report_datetime=when, submitter__name=submitter, submitter__agency=agency,
                       subject__name="Lacey Vaughan", subject__age=17, incident__narrative=narrative, **kw)


def as_pdf_text(s: str) -> str:
    """What a PDF reader gives back: hard line breaks, a hyphenated word at a
    line end, doubled spaces."""
    words, lines, cur = s.split(" "), [], ""
    for w in words:
        if len(cur) + len(w) > 60:
            lines.append(cur)
            cur = ""
        cur = (cur + "  " + w) if cur else w
    lines.append(cur)
    text = "\n".join(lines)
    return text.replace("parties", "par-\nties", 1)


def ocr_noise(s: str, rate: float, seed: int = 7) -> str:
    rnd = random.Random(seed)
    swaps = {"l": "1", "O": "0", "e": "c", "m": "rn", "i": "l", "S": "5", "a": "o"}
    out = []
    for c in s:
        if c in swaps and rnd.random() < rate * 3:
            out.append(swaps[c])
        else:
            out.append(c)
    return "".join(out)


def test_docx_and_its_pdf_are_one_report(store):
    with store.transaction() as s:
        first = store_report(s, record=record(), text=NARRATIVE, filename="report.docx")
        again = store_report(s, record=record(narrative=as_pdf_text(NARRATIVE)), text=as_pdf_text(NARRATIVE),
                             filename="report.pdf")
        assert again.status == "duplicate"
        assert again.duplicate_of_id == first.id
        assert again.duplicate_reason == "content"


def test_a_rescan_with_ocr_slips_is_a_duplicate(store):
    with store.transaction() as s:
        first = store_report(s, record=record(), text=NARRATIVE)
        noisy = ocr_noise(NARRATIVE, 0.03)
        assert noisy != NARRATIVE
        scan = store_report(s, record=record(narrative=noisy, submitter="Nadia Jenkins"), text=noisy)
        assert scan.match is not None and scan.match.decision == "duplicate"
        assert scan.duplicate_of_id == first.id


def test_two_professionals_reporting_one_incident_are_linked_not_deduplicated(store):
    with store.transaction() as s:
        a = store_report(s, record=record(), text=NARRATIVE,
                         mentions=[mention("PERSON", "Jay Smith"), mention("VRM", "AB12CDE")])
        b = store_report(s, record=record(narrative=PARAPHRASE, submitter="Sian Evans", agency="Oakfield Academy",
                                          when="2025-10-03T09:00:00"), text=PARAPHRASE,
                         mentions=[mention("PERSON", "Jay Smith"), mention("VRM", "AB12CDE")])
        assert b.status == "parsed" and b.duplicate_of_id is None
        assert b.match is None
        for t in ("PERSON", "VRM"):
            ea = next(m.entity_pk for m in a.mentions if m.type == t)
            eb = next(m.entity_pk for m in b.mentions if m.type == t)
            assert ea == eb


def test_same_text_from_a_different_submitter_is_only_a_possible_duplicate(store):
    with store.transaction() as s:
        store_report(s, record=record(), text=NARRATIVE)
        other = store_report(s, record=record(submitter="Sian Evans", when="2025-10-05T10:00:00"), text=NARRATIVE)
        assert other.status == "parsed"
        assert other.match is not None and other.match.decision == "possible_duplicate"


def test_an_edited_resend_is_a_possible_duplicate(store):
    with store.transaction() as s:
        first = store_report(s, record=record(), text=NARRATIVE)
        edited = NARRATIVE.replace("Her phone shows calls from 07700 900123.",
                                   "Update: she was found safe on 23/09 and spoke to police about the flat, "
                                   "naming two more men and a second car.")
        resend = store_report(s, record=record(narrative=edited), text=edited)
        assert resend.status == "parsed"
        assert resend.match is not None and resend.match.decision == "possible_duplicate"
        assert resend.match.document_pk == first.id


def test_a_copy_of_a_copy_points_at_the_first(store):
    with store.transaction() as s:
        first = store_report(s, record=record(), text=NARRATIVE)
        second = store_report(s, record=record(narrative=as_pdf_text(NARRATIVE)), text="x")
        third = store_report(s, record=record(), text=NARRATIVE)
        assert second.duplicate_of_id == first.id and third.duplicate_of_id == first.id
        # Copies leave no keys: only originals are compared against.
        assert s.scalar(select(func.count()).select_from(ContentKey).where(ContentKey.document_pk == second.id)) == 0


def test_different_reports_on_one_template_are_not_duplicates(store):
    other = ("A foster carer reports that Mia, aged 13, comes home with new trainers and a phone "
             "she cannot explain. A man called Dean drives a black BMW and waits near the park on Fridays.")
    with store.transaction() as s:
        store_report(s, record=record(), text=NARRATIVE)
        b = store_report(s, record=record(narrative=other), text=other)
        assert b.match is None and b.status == "parsed"


def test_text_only_documents_are_compared_on_text(store):
    with store.transaction() as s:
        first = store_report(s, record=None, text=NARRATIVE)
        again = store_report(s, record=None, text=as_pdf_text(NARRATIVE))
        assert again.duplicate_of_id == first.id


def test_reprocessing_replaces_a_documents_keys(store):
    with store.transaction() as s:
        d = store_report(s, record=record(), text=NARRATIVE)
        n = s.scalar(select(func.count()).select_from(ContentKey).where(ContentKey.document_pk == d.id))
        assert find_content_duplicate(s, d, record(), NARRATIVE) is None  # never its own duplicate
        assert s.scalar(select(func.count()).select_from(ContentKey).where(ContentKey.document_pk == d.id)) == n


def test_similarity_ignores_layout_but_not_content():
    assert content_similarity("a b c", "") == 0.0
    assert content_similarity(NARRATIVE.lower(), NARRATIVE.lower()) == 1.0
    assert content_similarity(NARRATIVE.lower(), PARAPHRASE.lower()) < 0.75


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(narrative=st.text(max_size=400), when=st.one_of(st.none(), st.text(max_size=30)))
def test_hostile_content_never_crashes_dedup(store, narrative, when):
    with store.transaction() as s:
        d = store_report(s, record=make_record(incident__narrative=narrative, report_datetime=when),
                         text=narrative, apply_dedup=False)
        m = find_content_duplicate(s, d, make_record(incident__narrative=narrative, report_datetime=when), narrative)
        assert m is None or m.decision in ("duplicate", "possible_duplicate")


# --------------------------------------------------------------------------
# through the pipeline: message and document level
# --------------------------------------------------------------------------


def _pipeline(store, settings):
    from intake.ingest.processing.one_message import Pipeline

    return Pipeline(store, settings)


def _mail(body=NARRATIVE, msgid="<r1@school.example.org>", sender="Sam <sam@school.example.org>", attachments=()):
    from tests.support.mail import message

    return message(body=body, msgid=msgid, sender=sender, attachments=list(attachments)).as_bytes()


def test_same_message_in_two_mailboxes_is_one_message_and_a_sighting(store, settings):
    raw = _mail()
    with _pipeline(store, settings) as p:
        a = p.process(RawMessage("mbox:/archive/a.mbox#3", raw))
        b = p.process(RawMessage("maildir:/archive/b/cur/1", raw))
    assert a.new and not b.new and a.message_pk == b.message_pk
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1
        origins = sorted(x.origin for x in s.scalars(select(Sighting)))
        assert origins == ["maildir:/archive/b/cur/1", "mbox:/archive/a.mbox#3"]


def test_same_message_id_different_content_is_kept_and_flagged(store, settings):
    with _pipeline(store, settings) as p:
        a = p.process(RawMessage("eml:/a.eml", _mail()))
        b = p.process(RawMessage("eml:/b.eml", _mail(body=PARAPHRASE)))
    assert a.message_pk != b.message_pk and b.new
    with store.session() as s:
        assert s.get(Message, b.message_pk).clash_with_id == a.message_pk
        assert s.scalar(select(func.count()).select_from(Message)) == 2
        docs = s.scalars(select(DocumentRow).order_by(DocumentRow.id)).all()
        assert [d.status for d in docs] == ["parsed", "parsed"]


def test_same_attachment_forwarded_by_another_agency_is_a_sha256_duplicate(store, settings):
    att = ("report.txt", NARRATIVE.encode(), "text/plain")
    with _pipeline(store, settings) as p:
        p.process(RawMessage("eml:/a.eml", _mail(body="Please see attached.", attachments=[att])))
        p.process(RawMessage("eml:/b.eml", _mail(body="Forwarding as requested.", msgid="<r2@trust.example.org>",
                                                  sender="Bo <bo@trust.example.org>", attachments=[att])))
    with store.session() as s:
        docs = s.scalars(select(DocumentRow).where(DocumentRow.filename == "report.txt").order_by(DocumentRow.id)).all()
        assert len(docs) == 2
        assert docs[1].status == "duplicate" and docs[1].duplicate_reason == "sha256"
        assert docs[1].duplicate_of_id == docs[0].id


def test_same_report_rewrapped_in_another_mail_is_a_content_duplicate_and_exported_so(store, settings):
    import io
    import json

    from intake.store.export import write_jsonl

    with _pipeline(store, settings) as p:
        p.process(RawMessage("eml:/a.eml", _mail()))
        p.process(RawMessage("eml:/b.eml", _mail(body=as_pdf_text(NARRATIVE), msgid="<r9@trust.example.org>",
                                                  sender="Bo <bo@trust.example.org>")))
        p.process(RawMessage("eml:/c.eml", _mail(body=PARAPHRASE, msgid="<r10@trust.example.org>")))
    with store.session() as s:
        buf = io.StringIO()
        write_jsonl(s, buf)
        rows = [json.loads(l) for l in buf.getvalue().splitlines()]
        open_items = s.scalars(select(ExceptionItem.code)).all()
    assert [r["status"] for r in rows] == ["parsed", "duplicate", "parsed"]
    assert rows[1]["duplicate_of"] == rows[0]["document_id"]
    assert rows[0]["duplicate_of"] is None and rows[2]["duplicate_of"] is None
    assert "possible_duplicate" not in open_items


def test_a_copy_is_found_among_more_lookalikes_than_dedup_compares(store, monkeypatch):
    """Dedup compares a report with at most MAX_CANDIDATES stored ones, most
    shared band keys first: however many earlier reports share some of its
    text, its real original (which shares nearly every band) is among them."""
    from intake.matching import content_fingerprint
    from intake.store import dedup

    rnd = random.Random(3)
    words = NARRATIVE.split(" ")

    def lookalike() -> str:  # a third of its words changed: a candidate, not a copy
        return " ".join(w if rnd.random() < 0.67 else "".join(rnd.choice("abcdefghij") for _ in w) for w in words)

    with store.transaction() as s:
        for _ in range(dedup.MAX_CANDIDATES + 24):
            text = lookalike()
            assert store_report(s, record=record(narrative=text), text=text).status == "parsed"
        original = store_report(s, record=record(), text=NARRATIVE)
        copy_text = as_pdf_text(NARRATIVE)
        mine = dedup.content_of(record(narrative=copy_text), copy_text)
        keys = content_fingerprint.unique(content_fingerprint.band_keys(mine.content))
        sharing = s.scalar(select(func.count(func.distinct(ContentKey.document_pk))).where(ContentKey.key.in_(keys)))
        assert sharing > dedup.MAX_CANDIDATES  # more lookalikes than are compared
        compared = []
        real = dedup.score_pair
        monkeypatch.setattr(dedup, "score_pair", lambda a, b, **kw: compared.append(1) or real(a, b, **kw))
        copy = store_report(s, record=record(narrative=copy_text), text=copy_text)
        assert copy.status == "duplicate" and copy.duplicate_of_id == original.id
        assert len(compared) <= dedup.MAX_CANDIDATES


def _dedup_outcomes(store) -> list:
    rnd = random.Random(11)
    words = NARRATIVE.split(" ")
    out = []
    with store.transaction() as s:
        for i in range(30):
            # Every third one a copy of an earlier one, the rest near misses.
            text = (" ".join(w if rnd.random() < 0.8 else w.upper()[::-1] for w in words) if i % 3
                    else as_pdf_text(NARRATIVE))
            row = store_report(s, record=record(narrative=text), text=text)
            out.append((row.status, row.duplicate_of_id, row.match and (row.match.decision, row.match.score)))
    return out


def test_remembered_originals_stay_within_their_budget_and_decide_nothing(store, monkeypatch):
    """The memory of stored originals is bounded by bytes, the least recently
    used forgotten first; a report forgotten is read from the store again,
    so what dedup decides never depends on what is remembered."""
    from intake.store import dedup

    monkeypatch.setattr(dedup, "_CACHE", type(dedup._CACHE)())
    monkeypatch.setattr(dedup, "_cache_bytes", 0)
    remembered = _dedup_outcomes(store)
    assert len(dedup._CACHE) > 5

    budget = 3 * dedup._weight(dedup.content_of(record(), NARRATIVE))
    monkeypatch.setattr(dedup, "_CACHE", type(dedup._CACHE)())
    monkeypatch.setattr(dedup, "_cache_bytes", 0)
    monkeypatch.setattr(dedup, "_CACHE_BUDGET", budget)
    with store.transaction() as s:  # a second run into an empty store: forget the first's reports
        s.execute(ContentKey.__table__.delete())
        s.query(DocumentRow).update({DocumentRow.status: "deleted"})
    tight = _dedup_outcomes(store)
    assert 1 <= len(dedup._CACHE) <= 3 and dedup._cache_bytes <= budget
    assert dedup._cache_bytes == sum(w for _v, _c, w in dedup._CACHE.values())
    first = [(st_, dec) for st_, _d, dec in remembered]
    second = [(st_, dec) for st_, _d, dec in tight]
    assert first == second
    assert any(st_ == "duplicate" for st_, _ in first) and any(d and d[0] == "possible_duplicate" for _, d in first)


@given(narrative=st.text(max_size=300), text=st.text(max_size=300), other=st.text(max_size=300),
       template=st.sampled_from([None, "TEMPLATE_A", "TEMPLATE_B"]),
       new_template=st.sampled_from([None, "TEMPLATE_A"]))
@hsettings(max_examples=60, deadline=None)
def test_a_remembered_original_keeps_no_text_and_scores_as_the_original(narrative, text, other, template,
                                                                          new_template):
    """What the memory of originals keeps (no document text, the strings a
    comparison reads) scores every pair as the content it was made of, on
    the same template and across templates, and its weight is what it holds."""
    from intake.store import dedup

    original = dedup.content_of(make_record(incident__narrative=narrative), text)
    original.template = template
    kept = original.remembered()
    assert kept.text == "" and kept.values == original.values
    new = dedup.content_of(make_record(incident__narrative=other), other)
    new.template = new_template
    for deciding in (False, True):
        assert dedup.score_pair(new, kept, deciding=deciding) == dedup.score_pair(new, original, deciding=deciding)
    assert dedup._weight(kept) < dedup._weight(original) or not text
