"""Stores built once per test session and copied for each test.

Building a store costs: the review store replays ~150 forms and e-mails
through the real pipeline (~20 s of CPU), and even an empty store runs
every migration (~0.3 s of CPU and a few dozen fsyncs). Tests never use a
template itself: each gets a copy of the SQLite file, so a test that writes
changes only its own copy.

A template is built at most once per pytest process, whichever fixture asks
for it: a test module that imports a session fixture by name (``from
tests.review.conftest import review_db_template``) gets a fixture of its
own in pytest's eyes, and would otherwise replay the whole store again.

Each template's SHA-256 is taken when it is built and checked again when
the session ends (tests/conftest.py), so a test that writes to a template
instead of its copy fails loudly instead of leaking into later tests.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

_built: dict[str, tuple[Path, str]] = {}


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _whole(db: Path) -> None:
    """A template must be the one file a copy takes: no write-ahead log
    left beside it with transactions the main file does not hold yet."""
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, f"{db} left a write-ahead log: close every store on it"


def template(name: str, tmp_path_factory, build: Callable[[Path], Path]) -> Path:
    """The SQLite file of template ``name``: ``build(folder)`` is called the
    first time this process asks for it and must return the closed store's
    path."""
    if name not in _built:
        db = build(tmp_path_factory.mktemp(f"template-{name}"))
        _whole(db)
        _built[name] = (db, _digest(db))
    return _built[name][0]


def assert_untouched() -> None:
    """Fail if a test wrote to a template instead of a copy (tests/conftest.py
    calls this when the session ends)."""
    changed = [f"{name} ({db})" for name, (db, digest) in _built.items() if _digest(db) != digest]
    assert not changed, (f"shared stores changed by a test: {', '.join(changed)}; tests must work on a copy "
                         "(tests/support/shared_stores.py copy_store)")


def copy_store(src: Path, dest: Path) -> Path:
    """A private copy of a template for one test (or one module), with the
    template's file mode (a store intake makes is readable by its owner only)."""
    shutil.copy(src, dest)
    return dest


def build_empty(folder: Path) -> Path:
    """A new store with every migration applied and nothing in it."""
    from intake.store.db import Store

    db = folder / "empty.sqlite"
    Store(f"sqlite:///{db}").close()
    return db
