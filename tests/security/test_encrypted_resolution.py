"""Entity resolution's own tests, run again on an encrypted store: keys
looked up by equality (deterministic cipher), partial plates and counts
must behave exactly as they do in clear."""

from __future__ import annotations

import pytest

from intake.store.db import Store
from tests.store.test_resolve import *  # noqa: F401,F403 - every resolution test, on the store below


@pytest.fixture
def store(tmp_path, kek):
    st = Store(f"sqlite:///{tmp_path / 'enc.sqlite'}", kek=kek)
    assert st.keyring is not None
    yield st
    st.close()
