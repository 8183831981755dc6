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


@pytest.fixture
def settings(tmp_path):
    from intake.config.settings import load_settings

    return load_settings(db_url=f"sqlite:///{tmp_path / 'intake.sqlite'}")


@pytest.fixture
def store(settings):
    from intake.store.db import open_store

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
