"""Entity public ids say nothing of what they name: keyed by a secret of
each store (so a phone number cannot be hashed and looked for in an export,
a URL or the audit log), stable for one store, sealed with the store's data
key, and ids issued before them still lead to their entity."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text

from intake.matching import entity_keys
from intake.store.db import Store, migrate
from intake.store.entities import ids as entity_ids
from intake.store.entities.graph import entity_by_value
from intake.store.entities.queries import find_entity
from intake.store.models import Entity, StoreSecret

PHONE = "07700900461"


def _phone_entity(url: str) -> str:
    store = Store(url)
    try:
        with store.transaction() as s:
            return entity_by_value(s, "PHONE", PHONE, "07700 900461").public_id
    finally:
        store.close()


def test_an_id_is_not_the_plain_hash_of_its_value(tmp_path):
    pid = _phone_entity(f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert pid.startswith("ent_") and len(pid) == 28
    # what anyone could compute from a guessed number
    assert pid != entity_keys.id_seed("PHONE", PHONE)
    assert pid != "ent_" + hashlib.blake2b(f"PHONE|{PHONE}".encode(), digest_size=12).hexdigest()


def test_each_store_has_its_own_secret_unless_one_is_given(tmp_path, monkeypatch):
    monkeypatch.delenv(entity_ids.ENV_FILE, raising=False)
    a = _phone_entity(f"sqlite:///{tmp_path / 'a.sqlite'}")
    b = _phone_entity(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert a != b
    assert _phone_entity(f"sqlite:///{tmp_path / 'a.sqlite'}") == a  # stable within a store
    key = tmp_path / "ids.key"
    key.write_text("9" * 64)
    monkeypatch.setenv(entity_ids.ENV_FILE, str(key))
    c = _phone_entity(f"sqlite:///{tmp_path / 'c.sqlite'}")
    d = _phone_entity(f"sqlite:///{tmp_path / 'd.sqlite'}")
    assert c == d and c not in (a, b)


def test_a_short_or_missing_key_file_is_a_clear_error(tmp_path, monkeypatch):
    from intake.types import IntakeError

    key = tmp_path / "short.key"
    key.write_text("abc")
    monkeypatch.setenv(entity_ids.ENV_FILE, str(key))
    with pytest.raises(IntakeError, match="at least 32"):
        _phone_entity(f"sqlite:///{tmp_path / 'e.sqlite'}")
    monkeypatch.setenv(entity_ids.ENV_FILE, str(tmp_path / "absent.key"))
    with pytest.raises(IntakeError, match="cannot read"):
        _phone_entity(f"sqlite:///{tmp_path / 'f.sqlite'}")


def test_ids_issued_before_keyed_ids_are_rewritten_and_still_lead_to_their_entity(tmp_path):
    from intake.store.db import make_engine

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    migrate(engine, "0006_security")
    old_phone = entity_keys.id_seed("PHONE", PHONE)
    old_split = entity_keys.id_seed("split", "1")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO entities (public_id, type, key, display, attrs, document_count, agency_count, "
                          "submitter_count, created_at) VALUES (:p, 'PHONE', :k, :k, '{}', 1, 1, 1, '2026-01-01')"),
                     {"p": old_phone, "k": PHONE})
        conn.execute(text("INSERT INTO entity_decisions (action, actor, reason, payload, revoked, at) "
                          "VALUES ('split', 'cli', 'two people', :p, 0, '2026-01-01')"),
                     {"p": json.dumps({"source": old_phone, "new_public_id": old_split, "anchors": []})})
    engine.dispose()

    store = Store(url)  # upgrades to head
    try:
        with store.transaction() as s:
            ent = s.scalar(select(Entity))
            assert ent.public_id != old_phone
            assert find_entity(s, old_phone).id == ent.id  # an old link still works
            # a new report of the same number finds the same entity
            assert entity_by_value(s, "PHONE", PHONE, "07700 900461").id == ent.id
            payload = s.scalar(text("SELECT payload FROM entity_decisions"))
            payload = json.loads(payload) if isinstance(payload, str) else payload
            assert payload["new_public_id"] == entity_ids.public_id(s, old_split)
            assert payload["source"] == ent.public_id
    finally:
        store.close()


def test_the_secret_is_sealed_in_an_encrypted_store(tmp_path):
    import os

    kek = os.urandom(32)
    url = f"sqlite:///{tmp_path / 'enc.sqlite'}"
    _ = Store(url, kek=kek).close()
    store = Store(url, kek=kek)
    try:
        with store.transaction() as s:
            entity_by_value(s, "PHONE", PHONE, "07700 900461")
        with store.engine.connect() as conn:
            raw = conn.execute(text("SELECT value FROM store_secrets")).scalar()
        assert raw.startswith("\x1aE")  # sealed with the data key, not the secret in clear
        with store.session() as s:
            assert len(s.scalar(select(StoreSecret.value))) == 64  # and it opens
    finally:
        store.close()


def test_a_secret_a_migration_left_in_clear_is_sealed_when_the_store_is_next_opened_with_its_key(tmp_path):
    import os

    kek = os.urandom(32)
    url = f"sqlite:///{tmp_path / 'enc.sqlite'}"
    store = Store(url, kek=kek)
    with store.transaction() as s:
        pid = entity_by_value(s, "PHONE", PHONE, "07700 900461").public_id
    with store.engine.begin() as conn:  # what 0007_entity_ids writes before the data key is open
        conn.execute(text("UPDATE store_secrets SET value = :v"), {"v": "ab" * 32})
    store.close()
    store = Store(url, kek=kek)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM store_secrets")).scalar().startswith("\x1aE")
        with store.session() as s:
            assert s.scalar(select(StoreSecret.value)) == "ab" * 32
    finally:
        store.close()
    assert pid
