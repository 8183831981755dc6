"""Files intake writes are owner-only whatever the umask: the SQLite store
and its WAL, exports; an export into a folder others can read is warned
about."""

from __future__ import annotations

import os
import stat

import pytest

from intake.cli import main
from intake.store import models
from intake.store.db import Store


@pytest.fixture
def open_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_store_and_its_wal_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "s.sqlite"
    st = Store(f"sqlite:///{path}")
    with st.transaction() as s:
        s.add(models.Blob(sha256="a" * 64, size=1, data=b"x"))
    for suffix in ("", "-wal", "-shm"):
        assert _mode(f"{path}{suffix}") == 0o600, suffix
    st.close()


def test_exports_are_owner_only_and_a_readable_folder_is_warned_about(tmp_path, open_umask, capsys):
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert main(["--db", db, "migrate"]) == 0
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    capsys.readouterr()
    for folder in (private, shared):
        out = folder / "export.jsonl"
        out.write_text("old")
        os.chmod(out, 0o666)
        assert main(["--db", db, "export", "-o", str(out)]) == 0
        assert _mode(out) == 0o600
    err = capsys.readouterr().err
    assert str(shared) in err and "can be read by other users" in err
    assert str(private) not in err
