"""Encryption at rest, end to end: with a key configured, nothing of a
planted report can be read from the SQLite file or a pg_dump, replay and
export equal the run in clear, rotation keeps every value readable, and a
store refuses to open without its key."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from sqlalchemy import select

from intake.cli import main
from intake.store import models
from intake.store.db import Store, StoreError
from intake.store.store_keys import check
from tests.security.planted import TOKENS, found_tokens, planted_message, sqlite_bytes, write_mbox

pytestmark = pytest.mark.slow


def _config(tmp_path, name: str, key: str | None, env: str | None = None):
    cfg = tmp_path / f"{name}.toml"
    text = ""
    if key is not None:
        (tmp_path / f"{name}.key").write_text(key + "\n")
        text = f'[encryption]\nkey_file = "{name}.key"\n'
    elif env:
        text = f'[encryption]\nkey_env = "{env}"\n'
    cfg.write_text(text)
    return cfg


def _intake(capsys, cfg, db, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--config", str(cfg), "--db", db, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def mbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("mail")
    return write_mbox(root / "planted.mbox", [planted_message()])


def test_no_plaintext_in_the_sqlite_file_and_the_same_export(tmp_path, capsys, mbox, kek_b64):
    plain_db, enc_db = tmp_path / "plain.sqlite", tmp_path / "enc.sqlite"
    plain, enc = _config(tmp_path, "plain", None), _config(tmp_path, "enc", kek_b64)
    assert _intake(capsys, plain, f"sqlite:///{plain_db}", "replay", str(mbox))[0] == 0
    assert _intake(capsys, enc, f"sqlite:///{enc_db}", "replay", str(mbox))[0] == 0
    # The grep itself works: in clear, every planted value is in the file.
    assert found_tokens(sqlite_bytes(plain_db)) == TOKENS
    assert found_tokens(sqlite_bytes(enc_db)) == []
    code, out_plain, _ = _intake(capsys, plain, f"sqlite:///{plain_db}", "export")
    code2, out_enc, _ = _intake(capsys, enc, f"sqlite:///{enc_db}", "export")
    assert code == code2 == 0
    assert out_enc == out_plain
    assert "Vexbridge" in out_enc  # what is exported is the report, opened
    # Replaying again finds the message by its (sealed) Message-ID: nothing new.
    code, out, _ = _intake(capsys, enc, f"sqlite:///{enc_db}", "replay", str(mbox))
    assert code == 0 and "new: 0" in out
    code, out, _ = _intake(capsys, enc, f"sqlite:///{enc_db}", "keys", "check")
    assert code == 0 and " 0 in clear; 0 failed" in out


def _pg_dump(server, url: str) -> bytes:
    name = url.rsplit("/", 1)[1]
    return subprocess.run([f"{server.bindir}/pg_dump", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres",
                           name], check=True, capture_output=True).stdout


_HEX_RUN = re.compile(rb"\\x[0-9a-f]{16,}", re.IGNORECASE)


def _found_in_dump(dump: bytes) -> list[str]:
    # bytea columns are dumped as hex, so a digit-only value ("900461" of a
    # phone) turns up inside random ciphertext hex about once in 16**6 places:
    # look for values in the text outside hex runs, and for their hex inside.
    hex_runs = b" ".join(_HEX_RUN.findall(dump)).lower()
    hexed = [t for t in TOKENS if t.lower().encode().hex().encode() in hex_runs or t.encode().hex().encode() in hex_runs]
    return sorted(set(found_tokens(_HEX_RUN.sub(b" ", dump))) | set(hexed))


def test_no_plaintext_in_a_pg_dump(tmp_path, capsys, mbox, kek_b64, postgres_server):
    plain_url, enc_url = postgres_server.new_database(), postgres_server.new_database()
    plain, enc = _config(tmp_path, "plain", None), _config(tmp_path, "enc", kek_b64)
    assert _intake(capsys, plain, plain_url, "replay", str(mbox))[0] == 0
    assert _intake(capsys, enc, enc_url, "replay", str(mbox))[0] == 0
    assert _found_in_dump(_pg_dump(postgres_server, plain_url)) == sorted(TOKENS)
    assert _found_in_dump(_pg_dump(postgres_server, enc_url)) == []
    assert _intake(capsys, enc, enc_url, "export")[1] == _intake(capsys, plain, plain_url, "export")[1]


def test_rotation_rewraps_the_key_and_every_value_still_opens(tmp_path, capsys, mbox, kek_b64):
    db = f"sqlite:///{tmp_path / 'enc.sqlite'}"
    old = _config(tmp_path, "old", kek_b64)
    assert _intake(capsys, old, db, "replay", str(mbox))[0] == 0
    before = _intake(capsys, old, db, "export")[1]
    code, new_key, _ = _intake(capsys, old, db, "keys", "generate")
    (tmp_path / "next.key").write_text(new_key)
    code, out, err = _intake(capsys, old, db, "keys", "rotate", "--new-key-file", str(tmp_path / "next.key"))
    assert code == 0, err
    new = _config(tmp_path, "new", new_key.strip())
    code, out, err = _intake(capsys, old, db, "export")
    assert code == 3 and "store_key_wrong" in err and len(err.strip().splitlines()) == 1
    code, out, _ = _intake(capsys, new, db, "keys", "check")
    assert code == 0 and " 0 failed" in out
    assert _intake(capsys, new, db, "export")[1] == before
    with Store(db, kek=__import__("base64").b64decode(new_key)) as st:
        census = check(st.engine, st.keyring)
    assert census.total_failed == 0 and census.sealed["blobs.data"] >= 2


def test_a_store_without_its_key_refuses_to_start(tmp_path, capsys, mbox, kek_b64, monkeypatch):
    db = f"sqlite:///{tmp_path / 'enc.sqlite'}"
    enc = _config(tmp_path, "enc", kek_b64)
    assert _intake(capsys, enc, db, "replay", str(mbox))[0] == 0
    for cfg in (_config(tmp_path, "none", None), _config(tmp_path, "unset", None, env="INTAKE_TEST_NO_SUCH_KEY")):
        monkeypatch.delenv("INTAKE_TEST_NO_SUCH_KEY", raising=False)
        for command in (["export"], ["replay", str(mbox)], ["status"]):
            code, out, err = _intake(capsys, cfg, db, *command)
            assert code == 3, (cfg.name, command, err)
            assert "store_key_missing" in err and len(err.strip().splitlines()) == 1
            assert kek_b64 not in err
    # A store kept in clear is refused once a key is configured, until it is encrypted.
    plain_db = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    assert _intake(capsys, _config(tmp_path, "p", None), plain_db, "replay", str(mbox))[0] == 0
    code, _, err = _intake(capsys, enc, plain_db, "export")
    assert code == 3 and "store_not_encrypted" in err


def test_a_wrong_key_is_refused_before_anything_is_read(tmp_path, kek):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store(url, kek=kek).close()
    with pytest.raises(StoreError) as err:
        Store(url, kek=os.urandom(32))
    assert err.value.code == "store_key_wrong"


def _store_with_a_message(tmp_path, kek, **fields) -> Store:
    """An encrypted store holding one message (subject "Secret subject")."""
    st = Store(f"sqlite:///{tmp_path / 's.sqlite'}", kek=kek)
    with st.transaction() as s:
        s.add(models.Blob(sha256="a" * 64, size=3, data=b"abc"))
        s.flush()
        s.add(models.Message(message_id="<x@y>", content_sha256="c" * 64, raw_sha256="a" * 64, origin="t",
                        subject="Secret subject", **fields))
    return st


def test_sealed_columns_hold_no_plaintext_and_equality_lookups_work(tmp_path, kek):
    from sqlalchemy import text

    from intake.store.crypto import is_sealed_text

    st = _store_with_a_message(tmp_path, kek, signature={"signer": "Someone"})
    with st.transaction() as s:
        assert s.scalar(select(models.Message).where(models.Message.message_id == "<x@y>")).subject == "Secret subject"
        raw = s.execute(text("SELECT message_id, subject, signature FROM messages")).one()
        assert all(is_sealed_text(v if not v.startswith('"') else json.loads(v)) for v in raw)
        # Deterministic for equality, random for content.
        s.add(models.Message(message_id="<x2@y>", content_sha256="d" * 64, raw_sha256="a" * 64, origin="t",
                        subject="Secret subject"))
        s.flush()
        subjects = [r[0] for r in s.execute(text("SELECT subject FROM messages"))]
        assert subjects[0] != subjects[1]
    st.close()


def test_a_sealed_value_moved_to_another_column_does_not_open(tmp_path, kek):
    from sqlalchemy import text

    st = _store_with_a_message(tmp_path, kek, from_addr="someone@example.org")
    with st.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET from_addr = subject"))
    with st.session() as s:
        from intake.store.crypto import SealedValueError

        with pytest.raises(SealedValueError):
            s.scalar(select(models.Message.from_addr))
    with st.session() as s:
        census = check(st.engine, st.keyring)
    assert census.failed == {"messages.from_addr": 1}
    st.close()


def test_values_that_look_sealed_survive_a_store_in_clear(tmp_path):
    """A sender cannot make intake misread a value by starting it with the
    marker: in clear such values are escaped, blobs included."""
    st = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    tricky = "\x1aE1:AAAA"
    blob = b"\x1aintake-sealed\x00\x00\x01rest"
    with st.transaction() as s:
        s.add(models.Blob(sha256="a" * 64, size=len(blob), data=blob))
        s.flush()
        s.add(models.Message(message_id=tricky, content_sha256="c" * 64, raw_sha256="a" * 64, origin="t",
                        subject=tricky, signature={"v": tricky}))
    with st.session() as s:
        msg = s.scalar(select(models.Message))
        assert (msg.subject, msg.message_id, msg.signature) == (tricky, tricky, {"v": tricky})
        assert s.get(models.Blob, "a" * 64).data == blob
        assert s.scalar(select(models.Message.id).where(models.Message.message_id == tricky)) == msg.id
    st.close()
