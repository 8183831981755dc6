"""Fixtures for the IMAP tests: a real Dovecot, a real SQLite store, messages
built with the email package (synthetic people and Ofcom drama numbers)."""

from __future__ import annotations

import pytest

from intake.ingest.inbox_config import parse_inbox
from intake.store.db import Store

from .dovecot import Dovecot
from .helpers import PASSWORD_ENV, inbox_table


@pytest.fixture(scope="session")
def dovecot_server():
    """One server for the tests that do not stop it (stopping takes seconds)."""
    d = Dovecot(spare_users=200)
    d.start()
    try:
        yield d
    finally:
        d.cleanup()


@pytest.fixture
def dovecot(dovecot_server):
    """The shared server seen as a fresh user with an empty mailbox."""
    return dovecot_server.take_user()


@pytest.fixture
def private_dovecot():
    """A server of the test's own, for tests that stop or restart it."""
    d = Dovecot()
    d.start()
    try:
        yield d
    finally:
        d.cleanup()


@pytest.fixture
def imap_env(dovecot, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    return dovecot


@pytest.fixture
def make_cfg(imap_env):
    def make(**over):
        return parse_inbox(inbox_table(imap_env, **over), 0)
    return make


@pytest.fixture
def store(tmp_path, empty_store_template):
    from tests.support.shared_stores import copy_store

    s = Store(f"sqlite:///{copy_store(empty_store_template, tmp_path / 'intake.sqlite')}")
    try:
        yield s
    finally:
        s.close()
