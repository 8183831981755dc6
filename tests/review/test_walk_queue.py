"""Every queued item can be worked to the end, whatever it is: each open
item of a store holding every kind of item the fixtures give (document- and
record-level, a possible duplicate, two people of the same name), worked on
a fresh copy of the store in every way an officer can (approve, correct
every field then approve, reject, not a report, free text then approve,
reprocess, settle a duplicate), through the app's own pages. No answer may
be a server error, and afterwards the record and the entity graph must
still be consistent (every mention on a live entity, counts that match a
recount, the item gone from the queue when the action cleared it).

Also here: a correction made twice, a split then a correction, and a
failure inside an action (rolled back, kept visible, the next request
answered as usual)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from intake import canonical
from tests.review.conftest import PASSWORD, csrf_of

SAME_NAME = [
    ("head@oakfield-primary.example.org",
     "Jordan Lee aged 12 told her teacher that an older man gives her cash and a new phone. She goes missing "
     "after school on Fridays and was seen in a grey Ford Focus LM19 ZXA near the Oak Tree takeaway."),
    ("nurse@cityhospital.example.org",
     "Jordan Lee, aged 34, drives young people from the Riverside estate to parties in a grey Ford Focus "
     "LM19 ZXA. A 15 year old patient said Jordan Lee supplies cannabis and asks for photos."),
    ("youth.worker@brightfutures.example.org",
     "A different Jordan Lee, aged 16, attends our youth club and says his cousin Kai Brennan is being asked "
     "to carry packages to Stoke. Kai uses the number 07700 900123."),
]

# A value each canonical type accepts, so a correction goes through.
SAMPLE = {"text": "Corrected by the walk test", "datetime": "2026-03-11T10:30", "date": "2011-04-05",
          "int": "14", "bool": "yes", "witnessed": "police", "grade5": "2", "grade4": "B"}


def _mail(n: int, sender: str, text: str) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "intel@example.police.uk"
    m["Subject"] = f"Information report {n}"
    m["Date"] = format_datetime(datetime(2026, 3, 1 + n, 8, 15, tzinfo=timezone.utc))
    m["Message-ID"] = f"<walk-same-name-{n}@example.org>"
    m.set_content(f"Good morning,\n\n{text}\n\nKind regards\n")
    return bytes(m)


@pytest.fixture(scope="module")
def walk_db(review_db_template, tmp_path_factory) -> Path:
    """The review store plus reports naming two (three) people called
    Jordan Lee, so resolution has same-named people to keep apart."""
    from intake.analysis.workers import InlineAnalyser
    from intake.config.settings import load_settings
    from intake.ingest.processing.one_message import Pipeline
    from intake.ingest.sources.detect import iter_archive
    from intake.store.db import open_store

    out = tmp_path_factory.mktemp("walk")
    db = out / "walk.sqlite"
    shutil.copyfile(review_db_template, db)
    mbox = out / "same-name.mbox"
    with mbox.open("wb") as fh:
        for n, (sender, text) in enumerate(SAME_NAME):
            fh.write(b"From MAILER-DAEMON Sun Mar  1 08:15:00 2026\n" + _mail(n, sender, text) + b"\n")
    settings = load_settings(db_url=f"sqlite:///{db}")
    store = open_store(settings)
    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as pipe:
        for item in iter_archive(mbox):
            pipe.process(item)
    store.close()
    return db


def _items(db: Path) -> list[tuple[str, str, str]]:
    """(code, document public id, document status) of every open item."""
    from intake.config.settings import load_settings
    from intake.store.db import open_store
    from intake.store.models import DocumentRow, ExceptionItem

    store = open_store(load_settings(db_url=f"sqlite:///{db}"))
    try:
        with store.session() as s:
            rows = s.execute(select(ExceptionItem.code, DocumentRow.public_id, DocumentRow.status)
                             .join(DocumentRow, DocumentRow.id == ExceptionItem.document_pk)
                             .where(ExceptionItem.status == "open").order_by(ExceptionItem.id)).all()
    finally:
        store.close()
    return [tuple(r) for r in rows]


class Officer:
    """One officer working an app over a fresh copy of the store. The copy
    already holds their signed-in session (``signed_in``), and the pages'
    renditions are shared between copies: the walk opens every document
    many times, and neither argon2 nor LibreOffice is what it tests."""

    def __init__(self, src: Path, tmp: Path, cookie: tuple[str, str], renditions):
        from intake.config.settings import load_settings
        from intake.review.app import create_app
        from intake.review.config import review_config
        from intake.store.db import open_store

        self.path = tmp / f"copy-{len(list(tmp.glob('copy-*')))}.sqlite"
        shutil.copyfile(src, self.path)
        self.settings = load_settings(db_url=f"sqlite:///{self.path}")
        self.store = open_store(self.settings)
        self.app = create_app(self.settings, self.store, review_config(self.settings), background=False)
        self.app.state.review.renditions = renditions
        self.client = TestClient(self.app, base_url="http://127.0.0.1", raise_server_exceptions=False)
        self.client.cookies.set(*cookie)
        self.token = csrf_of(self.client.get("/reprocessing").text)
        assert self.token
        self.answers: list[tuple[str, int]] = []

    def get(self, path: str):
        r = self.client.get(path, follow_redirects=False)
        self.answers.append((f"GET {path}", r.status_code))
        return r

    def post(self, path: str, data: dict | None = None):
        r = self.client.post(path, data={"csrf": self.token, **(data or {})}, follow_redirects=False)
        self.answers.append((f"POST {path}", r.status_code))
        return r

    def close(self):
        self.app.state.review.work.close()
        self.store.close()

    @property
    def server_errors(self) -> list[tuple[str, int]]:
        return [a for a in self.answers if a[1] >= 500]


@pytest.fixture(scope="module")
def signed_in(walk_db) -> tuple[str, str]:
    """Sign in once on the store every copy is made from: the session row
    travels with each copy."""
    from intake.config.settings import load_settings
    from intake.review.app import create_app
    from intake.review.config import review_config
    from intake.store.db import open_store

    settings = load_settings(db_url=f"sqlite:///{walk_db}")
    store = open_store(settings)
    app = create_app(settings, store, review_config(settings), background=False)
    try:
        client = TestClient(app, base_url="http://127.0.0.1")
        page = client.get("/login")
        r = client.post("/login", data={"csrf": csrf_of(page.text), "username": "olive", "password": PASSWORD,
                                        "next": "/queue"}, follow_redirects=False)
        assert r.status_code == 303
        name = app.state.review.cookie_name
        return name, client.cookies.get(name)
    finally:
        app.state.review.work.close()
        store.close()


@pytest.fixture(scope="module")
def renditions(walk_db):
    from intake.config.settings import load_settings
    from intake.review.rendering import Renditions

    return Renditions(load_settings(db_url=f"sqlite:///{walk_db}"))


@pytest.fixture
def officer(walk_db, tmp_path, signed_in, renditions):
    made = []

    def make() -> Officer:
        o = Officer(walk_db, tmp_path, signed_in, renditions)
        made.append(o)
        return o

    yield make
    for o in made:
        o.close()


def _consistent(o: Officer) -> None:
    """The store after the action: every mention of a record in use sits on
    a live entity, counts match a recount, no two live entities share a
    public id, and a document has one current value per field."""
    from intake.store.models import DocumentRow, Entity, MentionRow, RecordField, RecordRow

    with o.store.session() as s:
        dangling = s.scalar(select(func.count()).select_from(MentionRow)
                            .outerjoin(Entity, Entity.id == MentionRow.entity_pk)
                            .where(MentionRow.entity_pk.is_not(None), Entity.id.is_(None)))
        assert dangling == 0
        unresolved = s.scalar(select(func.count()).select_from(MentionRow)
                              .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
                              .where(DocumentRow.status == "parsed", MentionRow.entity_pk.is_(None),
                                     MentionRow.type.in_(["PERSON", "PHONE", "VRM", "EMAIL", "POSTCODE"])))
        assert unresolved == 0
        counts = Counter()
        for ent_pk, doc_pk in s.execute(select(MentionRow.entity_pk, MentionRow.document_pk)
                                        .join(DocumentRow, DocumentRow.id == MentionRow.document_pk)
                                        .where(MentionRow.entity_pk.is_not(None),
                                               DocumentRow.duplicate_of_id.is_(None)).distinct()):
            counts[ent_pk] += 1
        for ent in s.scalars(select(Entity).where(Entity.merged_into_id.is_(None))):
            assert ent.document_count == counts.get(ent.id, 0), ent.public_id
        fields = s.execute(select(RecordRow.document_pk, RecordField.key, func.count())
                           .join(RecordField, RecordField.record_pk == RecordRow.id)
                           .where(RecordField.superseded.is_(False))
                           .group_by(RecordRow.document_pk, RecordField.key)).all()
        assert all(n == 1 for _, _, n in fields)


def _open_codes(o: Officer, doc_id: str) -> set[str]:
    from intake.store.models import DocumentRow, ExceptionItem

    with o.store.session() as s:
        return set(s.scalars(select(ExceptionItem.code).join(DocumentRow, DocumentRow.id == ExceptionItem.document_pk)
                             .where(DocumentRow.public_id == doc_id, ExceptionItem.status == "open")))


def _record_keys(o: Officer, doc_id: str) -> list[str]:
    from intake.store.models import DocumentRow

    with o.store.session() as s:
        doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == doc_id))
        if doc.record is None:
            return []
        return sorted({f.key for f in doc.record.fields})


def test_the_walk_covers_every_kind_of_item(walk_db):
    codes = Counter(code for code, _, _ in _items(walk_db))
    # document-level (no record) and record-level items, and a duplicate
    assert {"corrupt_document", "unknown_template", "ambiguous_value", "missing_required_field",
            "possible_duplicate"} <= set(codes), codes


ACTIONS = ["approve", "correct_all_then_approve", "reject", "not_a_report", "free_text_then_approve",
           "reprocess", "duplicate"]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_queued_item_can_be_worked_without_a_server_error(walk_db, officer, action):
    done = Counter()
    for code, doc_id, _ in _items(walk_db):
        if action == "duplicate" and code != "possible_duplicate":
            continue
        o = officer()
        path = f"/documents/{doc_id}"
        if action == "approve":
            r = o.post(f"{path}/approve")
            if r.status_code == 303:
                assert not _open_codes(o, doc_id), code
        elif action == "correct_all_then_approve":
            for key in _record_keys(o, doc_id):
                c = canonical.BY_KEY.get(key)
                value = SAMPLE[c.type if c else "text"]
                if key.endswith(".name"):
                    value = "Jordan Lee"  # a name another report has, for another person
                assert o.post(f"{path}/fields", {"key": key, "value": value}).status_code in (303, 400)
            o.post(f"{path}/approve")
        elif action == "reject":
            assert o.post(f"{path}/reject", {"reason": "not for this force"}).status_code == 303
            assert not _open_codes(o, doc_id)
        elif action == "not_a_report":
            assert o.post(f"{path}/not-a-report").status_code == 303
            assert not _open_codes(o, doc_id)
        elif action == "free_text_then_approve":
            assert o.post(f"{path}/template", {"template": "free_text"}).status_code in (303, 400)
            o.post(f"{path}/fields", {"key": "incident.narrative",
                                      "value": "Jordan Lee aged 13 was seen with Kai Brennan at the Oak Tree."})
            o.post(f"{path}/approve")
        elif action == "reprocess":
            assert o.post(f"{path}/reprocess").status_code == 303
            o.app.state.review.work.run_pending()
            assert o.get("/reprocessing").status_code == 200
        elif action == "duplicate":
            for answer in ("same", "different"):
                oo = officer()
                assert oo.post(f"{path}/duplicate", {"answer": answer}).status_code == 303
                assert "possible_duplicate" not in _open_codes(oo, doc_id)
                assert not oo.server_errors
                _consistent(oo)
        for p in ("/queue", path, "/entities"):
            assert o.get(p).status_code == 200
        assert not o.server_errors, (code, doc_id, o.server_errors)
        _consistent(o)
        done[code] += 1
    assert done


def test_a_correction_made_twice_and_back_again(walk_db, officer):
    """The same person field corrected to a new name, then again, then back
    (each re-resolves the same mention: it used to fail on the entity's
    public id and the item could never clear)."""
    o = officer()
    _, doc_id, _ = next(i for i in _items(walk_db) if i[0] == "ambiguous_value")
    path = f"/documents/{doc_id}"
    for name in ("Jon Smyth", "Jon Smith", "Jordan Lee", "Jon Smyth"):
        assert o.post(f"{path}/fields", {"key": "subject.name", "value": name}).status_code == 303
        narrative = f"{name} aged 15 was picked up by a man in a blue Audi AB12 CDE."
        assert o.post(f"{path}/fields", {"key": "incident.narrative", "value": narrative}).status_code == 303
    assert o.post(f"{path}/approve").status_code == 303
    assert not o.server_errors
    _consistent(o)


def test_people_of_the_same_name_stay_apart_and_can_be_split_then_corrected(walk_db, officer):
    from intake.store.models import Entity, MentionRow

    o = officer()
    with o.store.session() as s:
        people = [e for e in s.scalars(select(Entity).where(Entity.type == "PERSON", Entity.merged_into_id.is_(None)))
                  if e.display.lower().startswith("jordan lee") and e.document_count]
        assert len(people) >= 2  # the girl of 12 and the man of 34 are two people
        target = max(people, key=lambda e: e.document_count)
        mentions = s.scalars(select(MentionRow).where(MentionRow.entity_pk == target.id)).all()
    if len(mentions) >= 2:
        r = o.post(f"/entities/{target.public_id}/split", {"mention": str(mentions[0].id), "reason": "two people"})
        assert r.status_code == 303
    with o.store.session() as s:
        from intake.store.models import DocumentRow

        doc_id = s.scalar(select(DocumentRow.public_id).where(DocumentRow.id == mentions[0].document_pk))
    r = o.post(f"/documents/{doc_id}/fields", {"key": "incident.narrative",
                                                "value": "Jordan Lee aged 34 and Jordan Lee aged 12 were seen together."})
    assert r.status_code == 303
    assert not o.server_errors
    _consistent(o)


def test_a_fault_inside_an_action_rolls_it_back_keeps_what_was_typed_and_the_app_answers(walk_db, officer,
                                                                                          monkeypatch):
    from intake.store import review_actions

    o = officer()
    _, doc_id, _ = next(i for i in _items(walk_db) if i[0] == "missing_required_field")
    path = f"/documents/{doc_id}"
    before = _record_keys(o, doc_id)

    def broken(session, doc, key, text, actor):
        session.flush()
        raise RuntimeError("a fault in intake")

    monkeypatch.setattr(review_actions, "correct_field", broken)
    r = o.post(f"{path}/fields", {"key": "subject.name", "value": "Typed By The Officer"})
    assert r.status_code == 500
    assert "Typed By The Officer" in r.text and "Nothing of it was saved" in r.text
    assert "Traceback" not in r.text and "a fault in intake" not in r.text
    assert "review_action_failed" in _open_codes(o, doc_id)
    monkeypatch.undo()
    # the next requests, reads and writes, are answered as usual
    for p in ("/queue", path, "/entities"):
        assert o.get(p).status_code == 200
    assert o.post(f"{path}/fields", {"key": "subject.name", "value": "Kai Brennan"}).status_code == 303
    assert _record_keys(o, doc_id) == sorted(set(before) | {"subject.name"})
    assert o.post(f"{path}/approve").status_code == 303
    assert not _open_codes(o, doc_id)  # the failure item closes with the document


def test_a_background_reprocess_that_fails_waits_and_lets_the_others_through(walk_db, officer, monkeypatch):
    from intake.analysis import reprocess
    from intake.review import work as work_mod
    from intake.store.models import DocumentRow

    o = officer()
    docs = [d for _, d, _ in _items(walk_db)][:4]
    bad = docs[0]
    for d in docs:
        assert o.post(f"/documents/{d}/reprocess").status_code == 303
    real = reprocess.reprocess

    def flaky(store, analyser, ids, actor, stop=None, settings=None):
        if list(ids) == [bad]:
            raise RuntimeError("this document breaks the analyser")
        return real(store, analyser, ids, actor, stop=stop, settings=settings)

    monkeypatch.setattr(work_mod, "reprocess", flaky)
    work = o.app.state.review.work
    assert work.run_pending() == len(docs)
    assert work.run_pending() == 0  # the bad one waits; it is not retried at once
    with o.store.session() as s:
        rows = {d.public_id: d for d in s.scalars(select(DocumentRow).where(DocumentRow.public_id.in_(docs)))}
        assert rows[bad].reprocess_requested_at is not None and rows[bad].reprocess_failures == 1
        assert rows[bad].reprocess_not_before is not None
        assert all(rows[d].reprocess_requested_at is None for d in docs[1:])
    assert "reprocess_failed" in _open_codes(o, bad)
    page = o.get("/reprocessing")
    assert page.status_code == 200 and bad in page.text and "1 document(s) waiting" in page.text
    # once the fault is fixed and the wait is over, it goes through and its item closes
    monkeypatch.undo()
    with o.store.transaction() as s:
        s.scalar(select(DocumentRow).where(DocumentRow.public_id == bad)).reprocess_not_before = None
    assert work.run_pending() == 1
    assert "reprocess_failed" not in _open_codes(o, bad)
    assert not o.server_errors
