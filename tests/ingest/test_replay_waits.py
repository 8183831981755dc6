"""On PostgreSQL with the job queue, `intake replay` waits until the
messages it took in are done, also one whose worker died holding it, so
"replay, then export" exports them all; `--no-wait` returns once they are
queued, saying how many are pending; `intake migrate` creates the job
queue's tables. Real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select

from intake.cli import main
from intake.store.db import Store
from intake.store.models import Inbound
from tests.imap.helpers import make_message

pytestmark = pytest.mark.slow


def _mbox(tmp_path, n=6):
    mbox = tmp_path / "m.mbox"
    with mbox.open("wb") as fh:
        for i in range(n):
            fh.write(b"From x Thu Mar 12 09:30:00 2026\n" + make_message(i).replace(b"\r\n", b"\n") + b"\n")
    return mbox


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg", "postgresql")


def test_migrate_creates_the_job_queue_tables(postgres_url, capsys):
    assert main(["migrate", "--db", postgres_url]) == 0
    with psycopg.connect(_libpq(postgres_url)) as c:
        assert c.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is not None


def test_no_wait_then_wait_for_a_job_held_by_a_dead_worker(postgres_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INTAKE_INLINE_ANALYSIS", "1")
    (tmp_path / "intake.toml").write_text("[workers]\nstalled_after_s = 2\n")
    conf = ["--config", str(tmp_path / "intake.toml"), "--db", postgres_url]
    mbox = _mbox(tmp_path)
    assert main(["migrate", *conf]) == 0
    capsys.readouterr()
    assert main(["replay", "--no-wait", "--no-progress", *conf, str(mbox)]) == 0
    out = capsys.readouterr()
    assert "6 message(s) queued and pending" in out.err
    assert "messages read: 6  new: 0  already known: 0  not processed yet: 6" in out.out

    # A worker took one job and died (no more heartbeats), holding it.
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as c:
        wid = c.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') "
                        "RETURNING id").fetchone()[0]
        c.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = "
                  "(SELECT min(id) FROM procrastinate_jobs WHERE queue_name = 'intake')", (wid,))
    assert main(["replay", "--no-progress", *conf, str(mbox)]) == 0
    out = capsys.readouterr().out
    assert "messages read: 6  new: 6  already known: 0" in out, out
    st = Store(postgres_url)
    try:
        with st.session() as s:
            assert s.scalar(select(func.count(Inbound.id)).where(Inbound.state != "done")) == 0
    finally:
        st.close()
