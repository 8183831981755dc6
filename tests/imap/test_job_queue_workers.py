"""Three `intake worker` processes on one real PostgreSQL and one Dovecot
(both started by the tests) share 500 messages from three inboxes; one is
killed -9 midway; every message is stored and acknowledged exactly once
."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.store.db import Store
from intake.store.models import DocumentRow, Inbound, Message
from tests.support.postgres import jobs_left

from .helpers import PASSWORD_ENV, inbox_table, make_message, message_ids, toml_lines, toml_str

pytestmark = pytest.mark.slow
INTAKE = str(Path(sys.executable).with_name("intake"))


def _config(path: Path, d, db: str, folders: list[str]) -> Path:
    lines = ["[store]", f"url = {toml_str(db)}", "", "[workers]", "heartbeat_s = 1", "stalled_after_s = 5", ""]
    for i, folder in enumerate(folders):
        table = inbox_table(d, name=f"inbox{i}", folders=[folder], after=f"move:Done{i}", batch_size=50,
                            schedule="every 2s")
        lines += ["[[inbox]]", *toml_lines(table), ""]
    path.write_text("\n".join(lines))
    return path


def _start(args: list[str], conf: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([INTAKE, *args, "--config", str(conf)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _done(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(Inbound.id)).where(Inbound.state == "done")) or 0


def test_three_workers_share_500_messages_and_survive_a_kill(imap_env, postgres_url, tmp_path):
    folders = ["INBOX", "Intel A", "Intel B"]
    raws = {f: [make_message(1000 * k + i, tag=f"-{k}") for i in range(167 if k < 2 else 166)]
            for k, f in enumerate(folders)}
    for f, rs in raws.items():
        imap_env.append(rs, folder=f)
    everything = [r for rs in raws.values() for r in rs]
    assert len(everything) == 500
    Store(postgres_url).close()
    conf = _config(tmp_path / "intake.toml", imap_env, postgres_url, folders)
    env = {**os.environ, PASSWORD_ENV: imap_env.password, "INTAKE_INLINE_ANALYSIS": "1", "OMP_THREAD_LIMIT": "1"}
    daemon = _start(["daemon"], conf, env)
    workers = [_start(["worker", "--workers", "1"], conf, env) for _ in range(3)]
    store = Store(postgres_url)
    try:
        deadline = time.monotonic() + 120
        while _done(store) < 120 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _done(store) >= 120, "processing did not get going"
        os.killpg(workers[0].pid, signal.SIGKILL)  # midway: its jobs in hand must not be lost
        workers[0].wait(30)
        deadline = time.monotonic() + 400
        while _done(store) < 500 and time.monotonic() < deadline:
            time.sleep(1)
        assert _done(store) == 500
        with store.session() as s:
            ids = s.scalars(select(Message.message_id)).all()
            assert sorted(ids) == sorted(message_ids(everything))  # each stored exactly once
            assert "parser_crashed" not in s.scalars(select(DocumentRow.exception_code)).all()
        for k, f in enumerate(folders):  # each acknowledged (moved) exactly once
            assert imap_env.uids(f) == []
            assert sorted(b for b, _ in imap_env.fetch_all(f"Done{k}").values()) == sorted(raws[f])
        # the killed worker's job stays 'doing' until the sweep sees it stalled and retries it (a no-op now)
        deadline = time.monotonic() + 60
        while jobs_left(postgres_url) and time.monotonic() < deadline:
            time.sleep(1)
        assert jobs_left(postgres_url) == 0
    finally:
        for p in [daemon, *workers[1:]]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in [daemon, *workers[1:]]:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        store.close()
