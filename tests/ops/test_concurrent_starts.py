"""Concurrent starts are normal: four `intake replay` processes
started together on one archive and a store nobody has created yet, SQLite
and PostgreSQL. All exit 0, each message is stored once, and the export is
the one a single replay gives."""

from __future__ import annotations

import json
import mailbox
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from intake.store.db import Store
from intake.store.models import Blob, Inbound, Message
from tests.imap.helpers import make_message

pytestmark = pytest.mark.slow

PROCESSES = 4
MESSAGES = 24


def _archive(path):
    box = mailbox.mbox(str(path))
    for i in range(MESSAGES):
        # Every other message shares an attachment with the one before it,
        # so processes also race on the same document blobs.
        box.add(make_message(i // 2 if i % 2 else i, tag=f"-{i}").replace(b"\r\n", b"\n"))
    box.close()
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "intake.cli", *args]


def _export(url: str) -> list[dict]:
    proc = subprocess.run(_cli("export", "--db", url), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return sorted(rows, key=lambda r: r["document_id"])


def _replay_together(url: str, archive) -> list[subprocess.CompletedProcess]:
    env = dict(os.environ, INTAKE_INLINE_ANALYSIS="1")
    procs = [subprocess.Popen(_cli("replay", "--no-progress", "--db", url, str(archive)), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(PROCESSES)]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new' / 'intake.sqlite'}"
    return request.getfixturevalue("postgres_server").new_database()


def test_four_replays_at_once_on_a_new_store(new_store_url, tmp_path):
    (tmp_path / "new").mkdir()
    archive = _archive(tmp_path / "archive.mbox")
    results = _replay_together(new_store_url, archive)
    for r in results:
        assert r.returncode == 0, r.stderr[-3000:]
        assert "Traceback" not in r.stderr
    new = sum(int(r.stdout.split("new: ")[1].split()[0]) for r in results)
    assert new == MESSAGES  # each message new to exactly one of them
    store = Store(new_store_url)
    try:
        with store.session() as s:
            assert s.scalar(select(func.count(Message.id))) == MESSAGES
            assert s.scalar(select(func.count(Inbound.id))) == MESSAGES
            assert s.scalar(select(func.count(Inbound.id)).where(Inbound.state != "done")) == 0
            assert s.scalar(select(func.count(Blob.sha256))) > MESSAGES
    finally:
        store.close()
    concurrent = _export(new_store_url)
    single_url = f"sqlite:///{tmp_path / 'single.sqlite'}"
    proc = subprocess.run(_cli("replay", "--no-progress", "--inline", "--db", single_url, str(archive)),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    single = _export(single_url)

    def stable(rows):  # which copy of a shared attachment came first depends on timing
        return sorted(json.dumps({k: v for k, v in r.items()
                                  if k not in ("duplicate_of", "status", "ingested_at", "processed_at")},
                                 sort_keys=True) for r in rows)
    assert stable(concurrent) == stable(single)
