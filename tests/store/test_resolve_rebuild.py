"""Incremental resolution equals a from-scratch rebuild, officers' merges and
splits are audited and survive rebuilds, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from intake.cli import main
from intake.store.entities.decisions import merge_entities, split_entity
from intake.store.entities.queries import find_entity
from intake.store.entities.resolve import rebuild_entities
from intake.store.models import AuditEntry, DocumentRow, Entity, EntityLink, MentionRow
from tests.store.entity_rows import make_record, mention, store_report

AGENCIES = ["Oakfield School", "NHS Trust", "Children's Services", "Youth Offending Team", "Taxi Licensing"]


NARRATIVES = [
    "Seen outside the school gates most afternoons waiting in a car for year nine girls.",
    "A patient disclosed an older boyfriend who gives her lifts and pays for her phone.",
    "Foster carer reports the child returns late with new clothes and will not say who bought them.",
    "Intelligence that an adult male is supplying cannabis to young people at a flat.",
    "Two girls were collected from the children's home by an unknown driver at midnight.",
    "Taxi driver concerned about repeated pickups of a young girl from a takeaway.",
]


def _load_corpus(s) -> None:
    """Clusters spread over several reports from different agencies,
    written differently, plus people who must stay apart."""
    reports = [
        [mention("PERSON", "Jason Smith"), mention("ALIAS", "Jay", person=0), mention("VRM", "AB12CDE"),
         mention("PHONE", "+447700900123"), mention("LOCATION", "Mare Street")],
        [mention("PERSON", "Jay Smith"), mention("PHONE", "+447700900123"), mention("VRM", "AB12*")],
        [mention("PERSON", "SMITH, Jason", start=0), mention("DOB", "2001-02-03", start=14),
         mention("VEHICLE", "silver vauxhall astra", plate=3), mention("VRM", "AB12CDE")],
        [mention("PERSON", "Jason Smith", start=0), mention("DOB", "1990-07-07", start=13),
         mention("POSTCODE", "B12 9XY")],
        [mention("PERSON", "Kayla Brown"), mention("PERSON", "J. Smith"), mention("SOCIAL_HANDLE", "snapchat:jbz_99"),
         mention("EMAIL", "jb@example.com")],
        [mention("PERSON", "Kayleigh Brown"), mention("SOCIAL_HANDLE", "snapchat:jbz_99"), mention("VRM", "*2CDE")],
    ]
    for i, ms in enumerate(reports):
        store_report(
            s, record=make_record(submitter__name=f"Worker {i}", submitter__agency=AGENCIES[i % 5],
                                  incident__narrative=NARRATIVES[i]),
            text=f"text {i}", date=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=7 * i), mentions=ms)


def snapshot(s) -> dict:
    """Everything resolution decides, in terms that do not depend on row ids."""
    pid = {e.id: e.public_id for e in s.scalars(select(Entity))}
    ents = {
        e.public_id: (e.type, e.key, e.display, e.merged_into_id and pid[e.merged_into_id], e.document_count,
                      e.agency_count, e.submitter_count, e.first_seen, e.last_seen, e.attrs)
        for e in s.scalars(select(Entity))
    }
    doc_pid = {d.id: d.public_id for d in s.scalars(select(DocumentRow))}
    mentions = sorted((m.id, m.entity_pk and pid[m.entity_pk]) for m in s.scalars(select(MentionRow)))
    links = sorted((pid[l.a_pk], pid[l.b_pk], l.kind, l.document_pk and doc_pid[l.document_pk])
                   for l in s.scalars(select(EntityLink)))
    return {"entities": ents, "mentions": mentions, "links": links}


def _person_of(s, text):
    m = s.scalar(select(MentionRow).where(MentionRow.type == "PERSON", MentionRow.value == text))
    return s.get(Entity, m.entity_pk)


def _scenario(store):
    with store.transaction() as s:
        _load_corpus(s)
        before = snapshot(s)
        rebuild_entities(s)
        assert snapshot(s) == before
        jason = _person_of(s, "Jason Smith")
        assert jason.document_count == 3  # reports 0, 1, 2; report 3 has another DOB
        assert jason.agency_count == 3
        assert _person_of(s, "Kayla Brown").id != _person_of(s, "Kayleigh Brown").id


def test_incremental_equals_rebuild_sqlite(store):
    _scenario(store)


@pytest.mark.slow
def test_incremental_equals_rebuild_postgresql(postgres_store):
    _scenario(postgres_store)


def test_officer_merge_and_split_are_audited_and_survive_rebuild(store):
    with store.transaction() as s:
        _load_corpus(s)
        kayla, kayleigh = _person_of(s, "Kayla Brown"), _person_of(s, "Kayleigh Brown")
        merge_entities(s, kayla.public_id, kayleigh.public_id, "user:officer1", "same girl, spelling")
        assert find_entity(s, kayleigh.public_id).id == kayla.id
        assert kayla.document_count == 2

        jason = _person_of(s, "Jason Smith")
        jay_mention = s.scalar(select(MentionRow).where(MentionRow.value == "Jay Smith"))
        _d, new = split_entity(s, jason.public_id, [jay_mention.id], "user:officer1", "different Jay")
        assert s.get(MentionRow, jay_mention.id).entity_pk == new.id
        assert "jay" not in (s.get(Entity, new.id).attrs["surnames"])
        # A later report with the split-off mention's twin goes with the automatic rule.
        store_report(s, record=make_record(submitter__name="Late", submitter__agency="School",
                                           incident__narrative="late report " * 5),
                     mentions=[mention("PERSON", "Kayleigh Brown"), mention("VRM", "AB12CDE")])
        after = snapshot(s)
        audits = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "entity").order_by(AuditEntry.id)).all()
        assert [a.action for a in audits] == ["entity.merge", "entity.split"]
        for a in audits:
            text = repr(a.detail)
            assert "Brown" not in text and "Smith" not in text and "spelling" not in text

        rebuild_entities(s)
        assert snapshot(s) == after
        assert find_entity(s, kayleigh.public_id).id == find_entity(s, kayla.public_id).id


def test_decision_errors_are_clear(store):
    from intake.types import IntakeError

    with store.transaction() as s:
        _load_corpus(s)
        person = _person_of(s, "Kayla Brown")
        phone = s.get(Entity, s.scalar(select(MentionRow).where(MentionRow.type == "PHONE")).entity_pk)
        with pytest.raises(IntakeError) as e:
            merge_entities(s, person.public_id, phone.public_id, "user:x", "r")
        assert e.value.code == "entity_type_mismatch"
        with pytest.raises(IntakeError) as e:
            merge_entities(s, person.public_id, "ent_nope", "user:x", "r")
        assert e.value.code == "entity_not_found"
        only = s.scalar(select(MentionRow).where(MentionRow.entity_pk == person.id))
        with pytest.raises(IntakeError) as e:
            split_entity(s, person.public_id, [only.id], "user:x", "r")
        assert e.value.code == "split_nothing_left"


def test_cli_lists_shows_merges_splits_and_rebuilds(store, settings, capsys):
    url = settings.store_url
    with store.transaction() as s:
        _load_corpus(s)
        phone = s.get(Entity, s.scalar(select(MentionRow).where(MentionRow.type == "PHONE")).entity_pk)
        kayla, kayleigh = _person_of(s, "Kayla Brown"), _person_of(s, "Kayleigh Brown")
        jason = _person_of(s, "Jason Smith")
        jay = s.scalar(select(MentionRow).where(MentionRow.value == "Jay Smith"))
    assert main(["entities", "--db", url, "--min-reports", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [l.split()[0] for l in out[1:]]
    assert rows[0] == jason.public_id  # 3 reports, the most
    assert phone.public_id in rows and kayla.public_id not in rows
    assert main(["entities", "--db", url, "--type", "vrm"]) == 0
    assert all(" VRM " in l for l in capsys.readouterr().out.splitlines()[1:])

    assert main(["entity", "--db", url, jason.public_id]) == 0
    shown = capsys.readouterr().out
    assert "co_mention" in shown and "alias_of" in shown and phone.public_id in shown

    assert main(["merge-entities", "--db", url, kayla.public_id, kayleigh.public_id, "--reason", "same"]) == 0
    assert main(["split-entity", "--db", url, jason.public_id, "--mentions", str(jay.id), "--reason", "x"]) == 0
    assert main(["split-entity", "--db", url, jason.public_id, "--mentions", "999999", "--reason", "x"]) == 1
    assert "mention_not_in_entity" in capsys.readouterr().err
    with store.session() as s:
        before = snapshot(s)
    assert main(["rebuild-entities", "--db", url]) == 0
    with store.session() as s:
        assert snapshot(s) == before
