"""The models and the Alembic head must agree, on SQLite and PostgreSQL,
or a deployed store would drift from the code."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from intake.store.db import Store
from intake.store.models import Base


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_head_migration_matches_models(tmp_path, backend, request):
    url = (f"sqlite:///{tmp_path / 'm.sqlite'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    st = Store(url)
    try:
        with st.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            diffs = compare_metadata(ctx, Base.metadata)
        assert diffs == []
    finally:
        st.close()


def test_opening_twice_is_harmless(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    Store(url).close()
    st = Store(url)
    with st.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    st.close()
    assert mode == "wal"


def test_a_populated_store_upgrades_to_the_write_path(tmp_path):
    """0011_write_path on a store with entities that mentions point at (a
    table copy would break their foreign keys): its entities are marked to
    be recounted once, new ones are counted by delta."""
    from sqlalchemy import text

    from intake.store.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    engine = make_engine(url)
    migrate(engine, "0006_security")
    now = "2026-01-01 00:00:00"
    with engine.begin() as c:
        c.execute(text("INSERT INTO blobs (sha256, size, data, created_at) VALUES ('b', 1, x'00', :t)"), {"t": now})
        c.execute(text("INSERT INTO messages (id, content_sha256, raw_sha256, origin, first_seen_at, status) "
                       "VALUES (1, 'c', 'b', 'eml:/x', :t, 'processed')"), {"t": now})
        c.execute(text("INSERT INTO documents (id, public_id, message_pk, part_path, kind, media_type, sha256, size, "
                       "status, processed_at) VALUES (1, 'd_1', 1, '1', 'attachment', 'text/plain', 'b', 1, "
                       "'parsed', :t)"), {"t": now})
        c.execute(text("INSERT INTO entities (id, public_id, type, key, display, attrs, document_count, agency_count, "
                       "submitter_count, created_at) VALUES (1, 'ent_1', 'PHONE', '07700900123', '07700900123', "
                       "'{}', 1, 1, 1, :t)"), {"t": now})
        c.execute(text("INSERT INTO mentions (document_pk, field, type, text, value, start, \"end\", recogniser, "
                       "score, attrs, entity_pk) VALUES (1, 'f', 'PHONE', 'x', 'x', 0, 1, '', 1.0, '{}', 1)"))
    engine.dispose()
    st = Store(url)
    try:
        with st.engine.connect() as c:
            assert c.execute(text("SELECT facts_indexed FROM entities")).scalar() in (0, False)
            assert c.execute(text("SELECT count(*) FROM mentions WHERE entity_pk = 1")).scalar() == 1
            assert c.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    finally:
        st.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_change_numbers_go_down_and_up_again_on_a_populated_store(tmp_path, backend, request):
    """0013_entity_change_numbers with entities that mentions point at: down
    (no table copy: the foreign keys forbid it) and up again, after which
    SQLite numbers every change once more."""
    from alembic import command
    from sqlalchemy import text

    from intake.store.db import alembic_config, migrate
    from tests.store.test_block_cache import _report

    url = (f"sqlite:///{tmp_path / 'm.sqlite'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    st = Store(url)
    try:
        with st.transaction() as s:
            _report(s, "Jason Smith")
        command.downgrade(alembic_config(st.engine), "0012_sealed_free_text")
        with st.engine.connect() as c:
            cols = [r[1] for r in c.exec_driver_sql("PRAGMA table_info(entities)")] if backend == "sqlite" else [
                r[0] for r in c.execute(text("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'entities'"))]
            assert "change_no" not in cols
        migrate(st.engine, "head")
    finally:
        st.close()
    st = Store(url)
    try:
        with st.transaction() as s:
            _report(s, "Jason Smith")
            numbered = s.execute(text("SELECT count(*) FROM entities WHERE change_no IS NOT NULL")).scalar()
            last = s.execute(text("SELECT last_no FROM entity_changes")).scalar()
            people = s.execute(text("SELECT count(*) FROM entities WHERE type = 'PERSON'")).scalar()
        assert people == 1
        if backend == "sqlite":
            assert numbered >= 1 and last >= numbered
        else:
            assert numbered == 0 and last == 0
    finally:
        st.close()
