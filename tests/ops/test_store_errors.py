"""The store's faults as one line with the fix and a documented exit code:
missing folder or store, not an intake store, a newer or older schema,
an unreachable or missing PostgreSQL database; `intake migrate [--check]`;
two processes creating one store at once (real processes, SQLite and
PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake import cli
from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_STORE
from intake.store.db import Store, make_engine, migrate, schema_state

REPO = Path(__file__).resolve().parents[2]
READ_COMMANDS = (["export"], ["entities"], ["status"], ["metrics"], ["entity", "E-1"])
WRITE_COMMANDS = (["rebuild-entities"], ["replay", "{mbox}"])


@pytest.fixture(autouse=True)
def _no_site_config(monkeypatch):
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    monkeypatch.delenv("INTAKE_DB_URL", raising=False)


def run(argv, tmp_path, capsys):
    mbox = tmp_path / "empty.mbox"
    mbox.write_bytes(b"")
    rc = cli.main([a.format(mbox=mbox) for a in argv])
    out = capsys.readouterr()
    return rc, out.err.strip().splitlines(), out.out


def refused(argv, rc, out) -> None:
    """Every command refuses a store it cannot use with exit 3, except
    `metrics`: monitoring sees intake_store_up 0, exit 0."""
    if argv[0] == "metrics":
        assert rc == EXIT_OK and "intake_store_up 0.0" in out, (argv, rc, out)
    else:
        assert rc == EXIT_STORE, (argv, rc)


def one_line(lines, *needles):
    assert len(lines) == 1, lines
    assert lines[0].startswith("intake: "), lines
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def old_store(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine, "0002_content_keys")
    engine.dispose()
    return url


def test_store_folder_missing_is_an_error_not_a_new_store(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'typo' / 'intake.sqlite'}"
    for argv in READ_COMMANDS + WRITE_COMMANDS:
        rc, err, out = run(["--db", url, *argv], tmp_path, capsys)
        refused(argv, rc, out)
        one_line(err, "store_missing", str(tmp_path / "typo"), "does not exist")
    assert not (tmp_path / "typo").exists()


def test_read_commands_never_create_a_store(tmp_path, capsys):
    db = tmp_path / "intake.sqlite"
    for argv in READ_COMMANDS:
        rc, err, out = run(["--db", f"sqlite:///{db}", *argv], tmp_path, capsys)
        refused(argv, rc, out)
        one_line(err, "store_missing", "intake migrate")
        assert not db.exists()


def test_write_command_creates_a_new_store_at_head(tmp_path, capsys):
    db = tmp_path / "intake.sqlite"
    rc, err, _ = run(["rebuild-entities", "--db", f"sqlite:///{db}"], tmp_path, capsys)
    assert rc == EXIT_OK, err
    engine = make_engine(f"sqlite:///{db}")
    assert schema_state(engine).state == "current"
    engine.dispose()


@pytest.mark.parametrize("kind", ["foreign-tables", "not-sqlite", "newer", "older"])
def test_unusable_store_is_refused_by_every_command(kind, tmp_path, capsys):
    db = tmp_path / "intake.sqlite"
    if kind == "foreign-tables":
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE invoices (id INTEGER)")
        con.commit()
        con.close()
        expect = ("store_not_intake", "not an intake store")
    elif kind == "not-sqlite":
        db.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 200)
        expect = ("store_not_intake", "not a SQLite database")
    elif kind == "newer":
        Store(f"sqlite:///{db}").close()
        con = sqlite3.connect(db)
        con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        con.commit()
        con.close()
        expect = ("store_too_new", "upgrade intake")
    else:
        old_store(db)
        expect = ("store_needs_migration", "0002_content_keys", "intake migrate")
    before = db.read_bytes()
    for argv in READ_COMMANDS + WRITE_COMMANDS:
        rc, err, out = run(["--db", f"sqlite:///{db}", *argv], tmp_path, capsys)
        refused(argv, rc, out)
        one_line(err, *expect)
    assert db.read_bytes() == before, "a refused store must not be changed"


def test_migrate_check_then_migrate(tmp_path, capsys):
    db = tmp_path / "intake.sqlite"
    url = old_store(db)
    rc, err, out = run(["migrate", "--check", "--db", url], tmp_path, capsys)
    assert rc == EXIT_FAILED and "0002_content_keys" in out and "intake migrate" in out
    rc, err, out = run(["migrate", "--db", url], tmp_path, capsys)
    assert rc == EXIT_OK and "upgraded from schema 0002_content_keys" in out, err
    rc, err, out = run(["migrate", "--check", "--db", url], tmp_path, capsys)
    assert rc == EXIT_OK and "current" in out
    rc, err, _ = run(["export", "--db", url], tmp_path, capsys)
    assert rc == EXIT_OK, err


def test_unreachable_postgres_is_one_line(tmp_path, capsys):
    from tests.support.postgres import _free_port

    url = f"postgresql+psycopg://intake@127.0.0.1:{_free_port()}/intake"
    for argv in READ_COMMANDS + WRITE_COMMANDS:
        rc, err, out = run(["--db", url, *argv], tmp_path, capsys)
        refused(argv, rc, out)
        one_line(err, "store_unavailable", "cannot be reached")


@pytest.mark.slow
def test_postgres_missing_database_old_schema_and_migrate(postgres_server, tmp_path, capsys):
    base = f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server.port}"
    rc, err, _ = run(["export", "--db", f"{base}/no_such_db"], tmp_path, capsys)
    assert rc == EXIT_STORE
    one_line(err, "store_missing", "does not exist")
    url = postgres_server.new_database()
    rc, err, _ = run(["export", "--db", url], tmp_path, capsys)
    assert rc == EXIT_STORE
    one_line(err, "store_missing", "empty")
    engine = make_engine(url)
    migrate(engine, "0002_content_keys")
    engine.dispose()
    rc, err, _ = run(["rebuild-entities", "--db", url], tmp_path, capsys)
    assert rc == EXIT_STORE
    one_line(err, "store_needs_migration", "intake migrate")
    rc, err, out = run(["migrate", "--db", url], tmp_path, capsys)
    assert rc == EXIT_OK and "upgraded" in out, err
    rc, err, _ = run(["export", "--db", url], tmp_path, capsys)
    assert rc == EXIT_OK, err


CREATE = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
from intake.store.db import Store
from sqlalchemy import text
s = Store(sys.argv[1], upgrade=False)
with s.session() as x:
    x.execute(text("SELECT count(*) FROM audit_log")).scalar()
s.close()
print("ok")
"""


def _race(url: str, tmp_path: Path, n: int = 4) -> list[subprocess.CompletedProcess]:
    go = tmp_path / f"go-{time.monotonic_ns()}"
    procs = [subprocess.Popen([sys.executable, "-c", CREATE, url, str(go)], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(n)]
    time.sleep(1.0)  # let every process import and wait at the gate
    go.touch()
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs]


@pytest.mark.slow
def test_processes_creating_one_new_sqlite_store_at_once(tmp_path):
    for round_ in range(3):
        url = f"sqlite:///{tmp_path / f'race{round_}.sqlite'}"
        done = _race(url, tmp_path)
        assert all(p.returncode == 0 and p.stdout.strip() == b"ok" for p in done), \
            [p.stderr.decode()[-600:] for p in done]


@pytest.mark.slow
def test_processes_creating_one_new_postgres_store_at_once(postgres_url, tmp_path):
    done = _race(postgres_url, tmp_path)
    assert all(p.returncode == 0 and p.stdout.strip() == b"ok" for p in done), \
        [p.stderr.decode()[-600:] for p in done]


def test_store_errors_never_show_a_password(tmp_path, capsys):
    from tests.support.postgres import _free_port

    url = f"postgresql+psycopg://intake:s3cret-pw@127.0.0.1:{_free_port()}/intake"
    rc, err, _ = run(["export", "--db", url], tmp_path, capsys)
    assert rc == EXIT_STORE and "s3cret-pw" not in "\n".join(err)
    os.environ.pop("INTAKE_DB_URL", None)
