"""A full disk or a read-only store: one line, its own exit code (4,
EXIT_STORE_WRITE), and a rerun after the fix completes with nothing lost;
read commands work on a read-only store. Real processes, a real small
tmpfs and a real read-only folder (root's override of file permissions is
dropped with setpriv so the folder's mode applies)."""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from intake import cli
from intake.cli.exit_codes import EXIT_OK, EXIT_STORE_WRITE
from intake.store.db import Store
from intake.store.models import DocumentRow, Inbound, Message
from tests.support.mail import message

pytestmark = pytest.mark.slow

INTAKE = str(Path(sys.executable).with_name("intake"))
N = 30
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def make_mbox(path: Path, n: int = N) -> Path:
    box = mailbox.mbox(str(path))
    for i in range(n):
        # Random bytes: an unsupported file stored as an exception, so the
        # store grows by ~100 KB a message without slow parsing.
        box.add(message(subject=f"Report {i}", body="Please see the attached file.\n",
                        attachments=[(f"r{i}.bin", os.urandom(40_000), "application/octet-stream")]))
    box.flush()
    box.close()
    return path


def intake(*args: str, wrap: list[str] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "INTAKE_INLINE_ANALYSIS": "1"}
    env.pop("INTAKE_CONFIG", None)
    env.pop("INTAKE_DB_URL", None)
    return subprocess.run([*wrap, INTAKE, *args], env=env, capture_output=True, text=True, timeout=600)


def custody(db: Path) -> int:
    with Store(f"sqlite:///{db}", upgrade=False, create=False, write=False) as st, st.session() as s:
        return s.scalar(select(func.count()).select_from(Inbound))


def counts(db: Path) -> tuple[int, int]:
    with Store(f"sqlite:///{db}", upgrade=False, create=False, write=False) as st, st.session() as s:
        return (s.scalar(select(func.count()).select_from(Message)),
                s.scalar(select(func.count()).select_from(DocumentRow)))


def one_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1200k,mode=0755", "tmpfs", str(mnt)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); test_store_full_is_classified covers the path")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_full_disk_then_rerun_after_the_fix_loses_nothing(small_disk, tmp_path):
    mbox = make_mbox(tmp_path / "reports.mbox")
    db = small_disk / "intake.sqlite"
    url = f"sqlite:///{db}"
    first = intake("replay", "--no-progress", "--db", url, str(mbox))
    assert first.returncode == EXIT_STORE_WRITE, first.stderr
    one_line(first.stderr, "store_full", "disk", "run the command again")
    counts_after_growing(small_disk, db)
    # Custody first, committed in batches: a batch the disk had no room for
    # is not in the store (nor acknowledged); the rerun reads it again.
    assert custody(db) < N
    second = intake("replay", "--no-progress", "--db", url, str(mbox))
    assert second.returncode == EXIT_OK, second.stderr
    assert f"messages read: {N}" in second.stdout
    assert counts(db) == (N, N)
    # Idempotent: a third run adds nothing.
    third = intake("replay", "--no-progress", "--db", url, str(mbox))
    assert third.returncode == EXIT_OK and "new: 0" in third.stdout
    assert counts(db) == (N, N)


def counts_after_growing(mnt: Path, db: Path) -> tuple[int, int]:
    """The operator's fix: more space. Then what the failed run left."""
    subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
    return counts(db)


def test_read_only_folder_reads_work_writes_refused(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "intake.sqlite"
    mbox = make_mbox(tmp_path / "reports.mbox", 3)
    assert intake("replay", "--no-progress", "--db", f"sqlite:///{db}", str(mbox)).returncode == EXIT_OK
    for p in folder.iterdir():
        p.chmod(0o444)
    folder.chmod(0o555)
    try:
        exported = intake("export", "--db", f"sqlite:///{db}", wrap=NO_DAC)
        if "setpriv" in exported.stderr and exported.returncode != 0:
            pytest.skip("setpriv cannot drop capabilities here")
        assert exported.returncode == EXIT_OK, exported.stderr
        assert len([json.loads(line) for line in exported.stdout.splitlines()]) == 3
        listed = intake("entities", "--all", "--db", f"sqlite:///{db}", wrap=NO_DAC)
        assert listed.returncode == EXIT_OK, listed.stderr
        status = intake("status", "--db", f"sqlite:///{db}", wrap=NO_DAC)
        assert status.returncode == EXIT_OK, status.stderr
        refused = intake("replay", "--no-progress", "--db", f"sqlite:///{db}", str(mbox), wrap=NO_DAC)
        assert refused.returncode == EXIT_STORE_WRITE
        one_line(refused.stderr, "store_read_only", "write access")
    finally:
        folder.chmod(0o755)
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith("-lock")) == ["intake.sqlite"]


def test_read_only_mount_reads_work_writes_refused(small_disk, tmp_path):
    db = small_disk / "intake.sqlite"
    mbox = make_mbox(tmp_path / "reports.mbox", 3)
    assert intake("replay", "--no-progress", "--db", f"sqlite:///{db}", str(mbox)).returncode == EXIT_OK
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    exported = intake("export", "--format", "csv", "--db", f"sqlite:///{db}")
    assert exported.returncode == EXIT_OK, exported.stderr
    assert len(exported.stdout.strip().splitlines()) == 1 + 3
    refused = intake("rebuild-entities", "--db", f"sqlite:///{db}")
    assert refused.returncode == EXIT_STORE_WRITE
    one_line(refused.stderr, "store_read_only")


def test_store_full_is_classified(tmp_path, monkeypatch, capsys):
    """Fault injection for machines where no tmpfs can be mounted: the
    database's own "disk full" error becomes the one line and exit 4."""
    from intake.cli.commands import entities

    def full(*a, **k):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr("intake.store.entities.resolve.rebuild_entities", full)
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    rc = cli.main(["rebuild-entities", "--db", f"sqlite:///{tmp_path / 'intake.sqlite'}"])
    err = capsys.readouterr().err
    assert rc == EXIT_STORE_WRITE and entities is not None
    one_line(err, "store_full")
