"""Opening a store at the head schema reads the head from the migration
files without alembic (store/db.py _plain_head); it must always be the
head alembic computes, and give way to alembic on anything but a plain
chain."""

from __future__ import annotations

import shutil
import subprocess
import sys

from intake.store import db


def test_plain_head_is_alembics_head():
    db._plain_head.cache_clear()
    assert db._plain_head() == db.head_revision()


def _copy(tmp_path):
    shutil.copytree(db.MIGRATIONS_DIR, tmp_path / "migrations")
    return tmp_path / "migrations"


def test_a_branch_or_an_unreadable_file_leaves_it_to_alembic(tmp_path, monkeypatch):
    migrations = _copy(tmp_path)
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    head = db.head_revision()
    (migrations / "versions" / "0099_branch.py").write_text(
        f'revision = "0099_branch"\ndown_revision = {head!r}\nbranch_labels = None\ndepends_on = None\n')
    db._plain_head.cache_clear()
    try:
        assert db._plain_head() == "0099_branch" == db.head_revision()
        # A second head (a branch): not plain.
        (migrations / "versions" / "0098_other.py").write_text(
            f'revision = "0098_other"\ndown_revision = {head!r}\n')
        db._plain_head.cache_clear()
        assert db._plain_head() is None
        (migrations / "versions" / "0098_other.py").write_text(
            'revision = "0098_other"\ndown_revision = ("0099_branch", "x")\n')  # a merge
        db._plain_head.cache_clear()
        assert db._plain_head() is None
    finally:
        db._plain_head.cache_clear()


def test_opening_a_current_store_does_not_import_alembic(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    db.Store(url).close()  # created at the head (alembic runs here)
    code = ("import sys; from intake.store.db import Store; s = Store(%r, upgrade=False); s.close(); "
            "print('alembic' in sys.modules)") % url
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
