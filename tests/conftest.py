"""Shared fixtures. Layer tests live in tests/<layer>/; real servers
(PostgreSQL, Dovecot) are started by fixtures in tests/support/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Analysis in-process by default: spawning a worker per Pipeline costs seconds
# per test. tests/ingest/test_workers.py covers the worker path itself.
os.environ.setdefault("INTAKE_INLINE_ANALYSIS", "1")
# Tesseract is several times faster single-threaded on 2 cores (its OpenMP threads fight each other).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

REPO = Path(__file__).resolve().parent.parent
# Every store the tests make keys its entity ids with this one secret, so
# tests that compare the exports of two stores (a killed run against a clean
# one) can compare entity ids too. tests/store/test_entity_ids.py unsets it
# to check that stores made without it get secrets of their own.
os.environ.setdefault("INTAKE_ENTITY_ID_KEY_FILE", str(REPO / "tests" / "data" / "keys" / "entity_id_key.txt"))
SHARED = REPO.parent / "shared"

# Test folders on tmpfs when the machine has room for them: SQLite fsyncs at
# every commit and migration, and on a shared disk those waits were most of
# the wall time of store-heavy tests (an empty store: 0.3 s of CPU, 3 s of
# waiting). PostgreSQL's test server runs with fsync=off for the same reason
# (tests/support/postgres.py). INTAKE_TEST_TMPFS=0, or --basetemp, keeps them
# on disk (to look at a failed test's files afterwards).
TMPFS = Path("/dev/shm")
TMPFS_ROOM = 4 << 30


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # tryfirst: pytest's tmp_path factory reads --basetemp in its own pytest_configure.
    if config.option.basetemp or os.environ.get("INTAKE_TEST_TMPFS") == "0":
        return
    try:
        st = os.statvfs(TMPFS)
    except OSError:
        return
    if st.f_bavail * st.f_frsize < TMPFS_ROOM or not os.access(TMPFS, os.W_OK):
        return
    import tempfile

    _remove_left_behind()
    config._intake_tmpfs = tempfile.mkdtemp(prefix=f"intake-tests-{os.getpid()}-", dir=TMPFS)
    config.option.basetemp = config._intake_tmpfs


def _remove_left_behind() -> None:
    """The folders of killed runs (pytest_unconfigure never ran): tmpfs is
    memory. A folder is named after its run's process id; it goes only once
    that process is gone."""
    import shutil

    for old in TMPFS.glob("intake-tests-*-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)


def pytest_unconfigure(config):
    base = getattr(config, "_intake_tmpfs", None)
    if base:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def settings(tmp_path):
    from intake.config.settings import load_settings

    return load_settings(db_url=f"sqlite:///{tmp_path / 'intake.sqlite'}")


@pytest.fixture(scope="session")
def empty_store_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite store made once per session: ``store``
    copies it rather than running every migration for each test."""
    from tests.support.shared_stores import build_empty, template

    return template("empty", tmp_path_factory, build_empty)


@pytest.fixture(scope="session", autouse=True)
def shared_stores_untouched():
    """Torn down last: fails the session if a test wrote to a shared template."""
    from tests.support.shared_stores import assert_untouched

    yield
    assert_untouched()


@pytest.fixture
def store(settings, empty_store_template):
    from intake.store.db import open_store, sqlite_path
    from tests.support.shared_stores import copy_store

    path = sqlite_path(settings.store_url)
    if path is not None and not path.exists():
        copy_store(empty_store_template, path)
    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres_server():
    from tests.support.postgres import PostgresServer

    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    url = postgres_server.new_database()
    yield url


@pytest.fixture
def postgres_store(postgres_url):
    """A store on a fresh database of the test PostgreSQL, closed after the test."""
    from intake.store.db import Store

    store = Store(postgres_url)
    yield store
    store.close()
