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
