"""What people type and where a message was read from are sealed like the
report itself: a reject reason, a corrected value, a note, a triage
reason, an archive's folder name (in every origin) and an audit entry's
detail are found in neither the SQLite file nor a pg_dump of an encrypted
store, while the review app and the export show them as typed. A store in
clear keeps them readable (and the grep finds them there, so it can fail);
`intake keys encrypt-existing` seals them in a store kept in clear and in
an encrypted store upgraded from a schema that left them in clear."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import select, text

from intake.cli import main
from intake.store import repository as repo
from intake.types import ExceptionInfo
from tests.security.planted import (
    FREE_TEXT,
    found_tokens,
    pg_dump,
    planted_message,
    sqlite_bytes,
    words_in,
    write_mbox,
)

pytestmark = pytest.mark.slow

WORDS = sorted(FREE_TEXT.values())
# Shown by the review app's document page / exported in the document's object.
ON_THE_PAGE = sorted(FREE_TEXT[k] for k in ("origin", "correction", "note", "triage"))
EXPORTED = sorted(FREE_TEXT[k] for k in ("origin", "reject", "correction", "note", "triage"))


def _intake(capsys, cfg, db, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--config", str(cfg), "--db", db, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _config(tmp_path, name: str, key: str | None):
    cfg = tmp_path / f"{name}.toml"
    if key is None:
        cfg.write_text("")
    else:
        (tmp_path / f"{name}.key").write_text(key + "\n")
        cfg.write_text(f'[encryption]\nkey_file = "{name}.key"\n')
    return cfg


@pytest.fixture(scope="module")
def mbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mail") / f"{FREE_TEXT['origin']} referrals"
    folder.mkdir()
    return write_mbox(folder / "school.mbox", [planted_message()])


@pytest.fixture(autouse=True)
def _inline(monkeypatch):
    monkeypatch.setenv("INTAKE_INLINE_ANALYSIS", "1")


def _typed_by_officers(cfg, db: str) -> dict[str, str]:
    """Replayed already: an officer corrects a field, adds a note, changes
    the triage level and rejects the form in the review app; a command's
    audit entry carries a word in its detail. Returns the pages the app
    showed afterwards."""
    from starlette.testclient import TestClient

    from intake.config.settings import load_settings
    from intake.review.app import create_app
    from intake.review.config import review_config
    from intake.store import users as users_store
    from intake.store.db import open_store
    from intake.store.models import DocumentRow, RecordRow
    from tests.review.conftest import PASSWORD, csrf_of

    settings = load_settings(cfg, db_url=db)
    store = open_store(settings)
    try:
        with store.transaction() as s:
            users_store.add_user(s, "olive", "officer", PASSWORD)
            users_store.add_user(s, "adam", "admin", PASSWORD)
            repo.audit(s, "cli:test", "test.planted", "store", None, said=f"{FREE_TEXT['audit']} was here")
            doc = s.scalars(select(DocumentRow).join(RecordRow, RecordRow.document_pk == DocumentRow.id)
                            .order_by(DocumentRow.id)).first()
            doc_id, source = doc.public_id, doc.message.source
            # An open item, so that the queue lists it (and filters it by source).
            repo.open_exception(s, ExceptionInfo("ambiguous_value", "Two ticks on one question"), document=doc)
        assert FREE_TEXT["origin"] in source
        app = create_app(settings, store, review_config(settings), background=False)
        try:
            def sign_in(user):
                c = TestClient(app, base_url="http://127.0.0.1")
                r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "username": user,
                                           "password": PASSWORD, "next": "/queue"}, follow_redirects=False)
                assert r.status_code == 303
                return c, csrf_of(c.get("/entities").text)

            olive, token = sign_in("olive")

            def post(path, **form):
                r = olive.post(f"/documents/{doc_id}{path}", data={"csrf": token, **form}, follow_redirects=False)
                assert r.status_code == 303, (path, r.status_code)

            # The queue's source filter is an equality on a sealed column: it still finds the document.
            assert doc_id in olive.get("/queue", params={"source": source}).text
            assert doc_id not in olive.get("/queue", params={"source": "mbox:/elsewhere/x.mbox"}).text
            assert FREE_TEXT["origin"] in olive.get("/queue").text  # among the sources to choose from
            post("/fields", key="submitter.role", value=f"{FREE_TEXT['correction']} liaison officer")
            post("/notes", note=f"Rang {FREE_TEXT['note']} at the school")
            post("/triage", level="urgent", reason=f"{FREE_TEXT['triage']} said she is missing tonight")
            page = olive.get(f"/documents/{doc_id}").text
            post("/reject", reason=f"{FREE_TEXT['reject']} sent it by mistake")
            adam, _ = sign_in("adam")
            audit = adam.get("/audit").text
        finally:
            app.state.review.work.close()
    finally:
        store.close()
    return {"document": page, "audit": audit}


def _shown(pages: dict[str, str]) -> None:
    assert words_in(pages["document"].encode(), WORDS) == ON_THE_PAGE
    assert FREE_TEXT["audit"] in pages["audit"]


def _exported(capsys, cfg, db) -> str:
    code, out, err = _intake(capsys, cfg, db, "export")
    assert code == 0, err
    return out


def test_sqlite_sealed_with_a_key_clear_without_and_sealed_by_encrypt_existing(tmp_path, capsys, mbox, kek_b64):
    plain_file, enc_file = tmp_path / "plain.sqlite", tmp_path / "enc.sqlite"
    plain_db, enc_db = f"sqlite:///{plain_file}", f"sqlite:///{enc_file}"
    plain, enc = _config(tmp_path, "plain", None), _config(tmp_path, "enc", kek_b64)
    for cfg, db in ((plain, plain_db), (enc, enc_db)):
        assert _intake(capsys, cfg, db, "replay", str(mbox))[0] == 0
        _shown(_typed_by_officers(cfg, db))
        assert words_in(_exported(capsys, cfg, db).encode(), WORDS) == EXPORTED

    # In clear every word is in the file (the grep can fail) and the store works as before.
    assert words_in(sqlite_bytes(plain_file), WORDS) == WORDS
    assert words_in(sqlite_bytes(enc_file), WORDS) == []
    assert found_tokens(sqlite_bytes(enc_file)) == []
    code, out, _ = _intake(capsys, enc, enc_db, "keys", "check")
    assert code == 0 and " 0 in clear; 0 failed" in out
    # Read again from the same place: the sealed origin is found, nothing new.
    code, out, _ = _intake(capsys, enc, enc_db, "replay", str(mbox))
    assert code == 0 and "new: 0" in out

    # The store kept in clear, encrypted afterwards: the same export, nothing left in the file.
    before = _exported(capsys, plain, plain_db)
    code, out, err = _intake(capsys, _config(tmp_path, "later", kek_b64), plain_db, "keys", "encrypt-existing")
    assert code == 0, err
    later = tmp_path / "later.toml"
    assert words_in(sqlite_bytes(plain_file), WORDS) == []
    assert found_tokens(sqlite_bytes(plain_file)) == []
    assert _exported(capsys, later, plain_db) == before


def test_an_encrypted_store_from_before_is_sealed_on_upgrade(tmp_path, capsys, mbox, kek_b64):
    """An encrypted store whose origins and audit details an older intake
    wrote in clear: `intake migrate` marks it, other commands refuse it
    until `intake keys encrypt-existing` has sealed them, and then reading
    the same archive again finds the message by its sealed origin."""
    from intake.store.db import Store, alembic_config

    path = tmp_path / "old.sqlite"
    db = f"sqlite:///{path}"
    cfg = _config(tmp_path, "enc", kek_b64)
    assert _intake(capsys, cfg, db, "replay", str(mbox))[0] == 0
    before = _exported(capsys, cfg, db)
    # As the older intake left it: schema 0008_review_notes, these values in clear.
    import base64

    from alembic import command

    with Store(db, kek=base64.b64decode(kek_b64)) as st:
        clear = {}
        with st.session() as s:
            from intake.store import models

            for model, cols in ((models.Message, ("origin", "source")), (models.Inbound, ("origin", "source")),
                                (models.Sighting, ("origin",)), (models.AuditEntry, ("detail",))):
                for row in s.scalars(select(model)):
                    clear[(model.__tablename__, row.id)] = {c: getattr(row, c) for c in cols}
        command.downgrade(alembic_config(st.engine), "0008_review_notes")
    con = sqlite3.connect(path)
    with con:
        for (table, pk), values in clear.items():
            for col, value in values.items():
                con.execute(f"UPDATE {table} SET {col} = ? WHERE id = ?",
                            (json.dumps(value) if col == "detail" else value, pk))
        con.execute("UPDATE audit_log SET detail = ? WHERE id = (SELECT max(id) FROM audit_log)",
                    (json.dumps({"said": FREE_TEXT["audit"]}),))
    con.close()
    assert FREE_TEXT["origin"].encode() in sqlite_bytes(path)

    code, out, err = _intake(capsys, cfg, db, "migrate")
    assert code == 0 and "encrypt-existing" in out, (out, err)
    code, _, err = _intake(capsys, cfg, db, "export")
    assert code == 3 and "store_not_encrypted" in err and "encrypt-existing" in err
    code, out, err = _intake(capsys, cfg, db, "keys", "encrypt-existing")
    assert code == 0, err
    assert words_in(sqlite_bytes(path), WORDS) == []
    code, out, _ = _intake(capsys, cfg, db, "keys", "check")
    assert code == 0 and " 0 in clear; 0 failed" in out
    assert _exported(capsys, cfg, db) == before
    code, out, _ = _intake(capsys, cfg, db, "replay", str(mbox))
    assert code == 0 and "new: 0" in out
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM inbound").fetchone()[0] == 1  # no second custody row
    assert con.execute("SELECT count(*) FROM sightings").fetchone()[0] == 1
    con.close()


def test_no_free_text_in_a_pg_dump(tmp_path, capsys, mbox, kek_b64, postgres_server):
    plain_url, enc_url = postgres_server.new_database(), postgres_server.new_database()
    plain, enc = _config(tmp_path, "plain", None), _config(tmp_path, "enc", kek_b64)
    assert _intake(capsys, plain, plain_url, "replay", str(mbox))[0] == 0
    assert _intake(capsys, enc, enc_url, "replay", str(mbox))[0] == 0
    _shown(_typed_by_officers(enc, enc_url))
    assert words_in(_exported(capsys, enc, enc_url).encode(), WORDS) == EXPORTED
    # The grep finds what a store in clear holds (the archive's folder in its origins).
    assert FREE_TEXT["origin"] in words_in(pg_dump(postgres_server, plain_url), WORDS)
    assert words_in(pg_dump(postgres_server, enc_url), WORDS) == []
    from sqlalchemy import create_engine

    engine = create_engine(enc_url)
    with engine.connect() as c:
        types = dict(c.execute(text("SELECT table_name || '.' || column_name, data_type FROM "
                                    "information_schema.columns WHERE column_name IN ('origin', 'source')")).all())
    engine.dispose()
    # Ciphertext is longer than the value: no length limit left on these columns.
    assert {types[k] for k in ("inbound.origin", "inbound.source", "sightings.origin", "messages.source")} == {"text"}
