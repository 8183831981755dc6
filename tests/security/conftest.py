"""Fixtures for the security tests: store keys, encrypted stores, and the
planted report whose every value must stay out of files and logs."""

from __future__ import annotations

import base64
import os

import pytest

from intake.store.db import Store


@pytest.fixture
def kek() -> bytes:
    return os.urandom(32)


@pytest.fixture
def kek_b64(kek) -> str:
    return base64.b64encode(kek).decode()


@pytest.fixture
def encrypted_store(tmp_path, kek):
    st = Store(f"sqlite:///{tmp_path / 'enc.sqlite'}", kek=kek)
    yield st
    st.close()
