"""Entity resolution's own tests, run again on an encrypted store: keys
looked up by equality (deterministic cipher), partial plates and counts
must behave exactly as they do in clear."""

from __future__ import annotations

import pytest

from intake.store.db import Store
from tests.store.test_resolve import *  # noqa: F401,F403 - every resolution test, on the store below
from tests.support.shared_stores import copy_store


@pytest.fixture
def store(tmp_path, kek, empty_store_template):
    # A copy of the session's empty store: its data key is made when it is
    # first opened with a key, exactly as for a store made here.
    st = Store(f"sqlite:///{copy_store(empty_store_template, tmp_path / 'enc.sqlite')}", kek=kek)
    assert st.keyring is not None
    yield st
    st.close()
