"""The daemon: IDLE, recovery from a server restart, kill -9 at random
moments, SIGTERM. Real Dovecot, real SQLite, the real `intake daemon`."""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.ingest.daemon import Daemon
from intake.ingest.inbox_config import parse_inbox
from intake.store import inbox_status as status
from intake.store.db import Store
from intake.store.models import Inbound

from .helpers import (
    INTAKE,
    PASSWORD_ENV,
    SETTINGS,
    HookedProcessor,
    count_messages,
    inbox_table,
    make_message,
    message_ids,
    start_daemon,
    stored_message_ids,
    unacknowledged,
    wait_for,
    write_config,
)

# Every test here runs against a real Dovecot.
pytestmark = pytest.mark.slow

def test_idle_picks_up_new_mail_within_seconds(make_cfg, store, imap_env):
    # Hourly schedule: only IDLE can explain a pick-up within the test.
    cfg = make_cfg(schedule="every 1h")
    daemon = Daemon([cfg], store, SETTINGS)
    daemon.start()
    delays = []
    try:
        watcher = daemon.watchers["mase"]
        wait_for(watcher.idling.is_set, what="IDLE to start")
        for i in range(5):
            before = count_messages(store)
            t0 = time.monotonic()
            imap_env.append([make_message(100 + i)])
            wait_for(lambda: count_messages(store) > before, what="IDLE pick-up")
            delays.append(time.monotonic() - t0)
            wait_for(lambda: imap_env.uids("INBOX") == [], what="the move")
            wait_for(watcher.idling.is_set, what="IDLE to resume")
    finally:
        daemon.shutdown()
    assert len(stored_message_ids(store)) == 5 and len(imap_env.uids("Processed")) == 5
    print(f"\nIDLE: APPEND -> stored delay over {len(delays)} messages: "
          f"median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")


def test_daemon_mail_during_pass_is_caught_by_idle(make_cfg, store, imap_env):
    cfg = make_cfg(schedule="every 1h")
    imap_env.append([make_message(i) for i in range(15)])
    late = make_message(77, tag="-during-pass")
    pipe = HookedProcessor(store, cfg, at=3, hook=lambda: imap_env.append([late]))
    daemon = Daemon([cfg], store, SETTINGS, processor_factory=lambda *_: pipe)
    daemon.start()
    try:
        wait_for(lambda: count_messages(store) == 16, what="all 16 stored")
        wait_for(lambda: imap_env.uids("INBOX") == [], what="INBOX emptied")
    finally:
        daemon.shutdown()
    assert len(imap_env.uids("Processed")) == 16


def test_server_restart_mid_pass_recovers(private_dovecot, tmp_path, monkeypatch):
    d = private_dovecot
    monkeypatch.setenv(PASSWORD_ENV, d.password)
    cfg = parse_inbox(inbox_table(d, batch_size=4), 0)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    raws = [make_message(i) for i in range(24)]
    d.append(raws)
    restarted = threading.Event()

    def restart():
        d.restart()
        restarted.set()

    extra = make_message(500)
    # The server restarts while the pass is taking mail into custody: after
    # the 6th message is received (the second batch of four is half done).
    from intake.store import mailboxes

    real_receive, received = mailboxes.receive_uid, []

    def receive_then_restart(*args):
        out = real_receive(*args)
        received.append(args[3])
        if len(received) == 6:
            restart()
        return out

    monkeypatch.setattr(mailboxes, "receive_uid", receive_then_restart)
    daemon = Daemon([cfg], store, SETTINGS)
    daemon.start()
    try:
        wait_for(restarted.is_set, what="the restart")
        wait_for(lambda: count_messages(store) == 24 and d.uids("INBOX") == [], what="recovery")
        wait_for(lambda: status.report(store, "mase").failing_since is None, what="healthy status")
        # IDLE came back too: new mail is still picked up without the hourly poll.
        wait_for(daemon.watchers["mase"].idling.is_set, what="IDLE to resume")
        d.append([extra])
        wait_for(lambda: count_messages(store) == 25, what="pick-up after restart")
    finally:
        daemon.shutdown()
    rep = status.report(store, "mase")
    assert rep.last_error and rep.last_error.startswith("imap_connection_lost")
    assert sorted(stored_message_ids(store)) == sorted(message_ids(raws + [extra]))
    assert unacknowledged(store) == 0
    store.close()


def test_kill_9_at_random_moments(imap_env, tmp_path):
    seed = int(os.environ.get("INTAKE_TEST_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env, batch_size=3), db)
    env = {**os.environ, PASSWORD_ENV: imap_env.password, "INTAKE_INLINE_ANALYSIS": "1"}
    store = Store(f"sqlite:///{db}")
    raws: list[bytes] = []
    kills = []
    for round_ in range(6):
        batch = [make_message(i, tag=f"-r{round_}") for i in range(30)]
        raws += batch
        imap_env.append(batch)
        before = count_messages(store)
        proc = start_daemon(conf, env)
        # Kill once the pass is under way, at a random point inside it.
        wait_for(lambda: count_messages(store) > before or proc.poll() is not None, what="a pass to start")
        time.sleep(rng.uniform(0.0, 0.3))
        proc.kill()
        proc.wait()
        kills.append(f"{count_messages(store) - before}/{len(raws) - before}")
    print(f"\nkill -9 (seed {seed}): stored/pending at each kill: {kills}")
    started = datetime.now(timezone.utc)
    proc = start_daemon(conf, env)
    try:
        # A pass of its own first: the killed daemons may have left nothing to
        # do, and a SIGTERM before this one is up (its handler in place) is
        # not the clean stop the test asks for.
        wait_for(lambda: (status.report(store, "mase").last_success_at or started) > started, timeout=120,
                 what="the final daemon's first pass")
        wait_for(lambda: count_messages(store) == len(raws) and imap_env.uids("INBOX") == []
                 and unacknowledged(store) == 0, timeout=120, what="the final daemon to finish")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
    # Every message stored exactly once and acknowledged exactly once.
    assert sorted(stored_message_ids(store)) == sorted(message_ids(raws))
    assert sorted(b for b, _ in imap_env.fetch_all("Processed").values()) == sorted(raws)
    store.close()


def test_sigterm_finishes_message_and_exits_0(imap_env, tmp_path):
    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env, batch_size=5), db)
    env = {**os.environ, PASSWORD_ENV: imap_env.password, "INTAKE_INLINE_ANALYSIS": "1"}
    raws = [make_message(i) for i in range(120)]
    imap_env.append(raws)
    store = Store(f"sqlite:///{db}")
    proc = start_daemon(conf, env)
    wait_for(lambda: count_messages(store) >= 5, what="the pass to start")
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    log = out.decode(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "finishing the current message" in log and "daemon stopped" in log
    stored = count_messages(store)
    with store.session() as s:
        held = s.scalar(select(func.count(Inbound.id)))
        waiting = s.scalar(select(func.count(Inbound.id)).where(Inbound.state != "done"))
    # What is in the store's custody was acknowledged, and only that;
    # nothing half-done: every custody row is processed or waiting for it.
    assert unacknowledged(store) == 0
    assert len(imap_env.uids("Processed")) == held
    assert len(imap_env.uids("INBOX")) == len(raws) - held
    assert stored + waiting == held
    # No content and no secret in the daemon's own log.
    for needle in ("Intelligence report", "referrer", "Jordan", imap_env.password):
        assert needle not in log
    store.close()


def test_server_down_at_start_backs_off_then_recovers(private_dovecot, tmp_path, monkeypatch):
    d = private_dovecot
    monkeypatch.setenv(PASSWORD_ENV, d.password)
    cfg = parse_inbox(inbox_table(d, backoff_initial_s=0.1, backoff_max_s=0.8), 0)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    d.append([make_message(i) for i in range(3)])
    d.stop()
    daemon = Daemon([cfg], store, SETTINGS)
    runner = daemon.runners["mase"]
    daemon.start()
    try:
        wait_for(lambda: runner.failures >= 4, what="several failed attempts")
        rep = status.report(store, "mase")
        assert rep.failing_since is not None and rep.last_error.startswith("imap_unreachable")
        assert count_messages(store) == 0
        d.start()
        wait_for(lambda: count_messages(store) == 3 and d.uids("INBOX") == [], what="recovery")
    finally:
        daemon.shutdown()
    assert status.report(store, "mase").failing_since is None
    store.close()


def test_backoff_grows_and_is_capped(make_cfg, store):
    from intake.ingest.imap.inbox_runner import InboxRunner

    r = InboxRunner(make_cfg(backoff_initial_s=1, backoff_max_s=30), store)
    delays = []
    for failures in range(1, 9):
        r.failures = failures
        delays.append(r.backoff_delay())
    assert 0.9 <= delays[0] <= 1.1 and 1.8 <= delays[1] <= 2.2 and 3.6 <= delays[2] <= 4.4
    assert all(27 <= x <= 33 for x in delays[5:])  # capped at backoff_max_s (with jitter)


def test_generated_forms_through_real_cli_and_worker(imap_env, tmp_path):
    """The production path end to end: generated force forms (docx) and
    free-text reports as attachments, `intake poll --once` as a separate
    process with the parser worker process (not in-line analysis)."""
    import json
    from email.message import EmailMessage
    from email.policy import SMTP

    from intake.store.models import DocumentRow

    repo = Path(__file__).resolve().parents[2]
    out = tmp_path / "forms-out"
    subprocess.run([sys.executable, str(repo / "fixtures" / "make_forms.py"), "--quick", "--out", str(out)],
                   check=True, capture_output=True, timeout=120)
    chosen = sorted(out.glob("forms/*-standard-docx.docx"))[:4] + sorted(out.glob("forms/free-text-*.txt"))[:2]
    assert len(chosen) >= 4, "the fixture generator produced no standard forms"
    raws, expected = [], {}
    for i, path in enumerate(chosen):
        meta = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text())
        expected[meta["sha256"]] = meta
        msg = EmailMessage()
        msg["From"] = f"referrer{i}@example.org"
        msg["To"] = "mase-intel@example.com"
        msg["Subject"] = f"Referral {i}"
        msg["Message-ID"] = f"<form{i}.{os.getpid()}@example.org>"
        msg.set_content("Form attached.\n")
        sub = ("vnd.openxmlformats-officedocument.wordprocessingml.document", "application") \
            if path.suffix == ".docx" else ("plain", "text")
        msg.add_attachment(path.read_bytes(), maintype=sub[1], subtype=sub[0], filename=path.name)
        raws.append(msg.as_bytes(policy=SMTP))
    imap_env.append(raws)
    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env), db)
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_INLINE_ANALYSIS"}
    env[PASSWORD_ENV] = imap_env.password
    proc = subprocess.run([INTAKE, "poll", "--once", "--config", str(conf)], env=env,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    assert imap_env.uids("INBOX") == [] and len(imap_env.uids("Processed")) == len(raws)
    store = Store(f"sqlite:///{db}")
    try:
        with store.session() as s:
            docs = {d.sha256: d for d in s.scalars(select(DocumentRow))}
        # Every attachment arrived byte-identical through IMAP and was analysed.
        assert set(expected) <= set(docs)
        lines = [f"{expected[h]['fixture_id']}: {docs[h].status} template={docs[h].template} "
                 f"(expected {expected[h]['expected_status']} {expected[h]['template']})" for h in expected]
        print("\n" + "\n".join(lines))
        assert all(docs[h].status in ("parsed", "exception", "not_a_report") for h in expected)
    finally:
        store.close()
    log = proc.stdout.decode() + proc.stderr.decode()
    for needle in ("Referral", "referrer", "Form attached", imap_env.password):
        assert needle not in log


def test_two_daemons_one_store_one_inbox(imap_env, tmp_path):
    """Two daemons on one SQLite store: the per-inbox lock keeps them apart,
    and every message is stored and moved exactly once."""
    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env, batch_size=4), db)
    env = {**os.environ, PASSWORD_ENV: imap_env.password, "INTAKE_INLINE_ANALYSIS": "1"}
    raws = [make_message(i) for i in range(60)]
    imap_env.append(raws)
    store = Store(f"sqlite:///{db}")
    procs = [start_daemon(conf, env), start_daemon(conf, env)]
    try:
        wait_for(lambda: count_messages(store) == 60 and imap_env.uids("INBOX") == []
                 and unacknowledged(store) == 0, timeout=120, what="both daemons to finish")
        late = [make_message(200 + i, tag="-late") for i in range(5)]
        imap_env.append(late)  # IDLE in whichever daemon holds the lock
        wait_for(lambda: count_messages(store) == 65, what="late mail")
    finally:
        logs = []
        for p in procs:
            p.send_signal(signal.SIGTERM)
            logs.append(p.communicate(timeout=60)[0].decode(errors="replace"))
    assert [p.returncode for p in procs] == [0, 0], logs
    assert sorted(stored_message_ids(store)) == sorted(message_ids(raws + late))
    assert sorted(b for b, _ in imap_env.fetch_all("Processed").values()) == sorted(raws + late)
    store.close()


def test_idle_renewed_and_still_delivering(make_cfg, store, imap_env):
    cfg = make_cfg(schedule="every 1h", idle_renew_s=1)
    daemon = Daemon([cfg], store, SETTINGS)
    daemon.start()
    try:
        watcher = daemon.watchers["mase"]
        wait_for(lambda: watcher.renewals >= 3, what="three IDLE renewals")
        wait_for(watcher.idling.is_set, what="IDLE")
        imap_env.append([make_message(1)])
        wait_for(lambda: count_messages(store) == 1, what="pick-up after renewals")
    finally:
        daemon.shutdown()


def test_polling_alone_when_idle_is_off(make_cfg, store, imap_env):
    cfg = make_cfg(schedule="every 1s", idle=False)
    daemon = Daemon([cfg], store, SETTINGS)
    daemon.start()
    try:
        assert daemon.watchers == {}
        wait_for(lambda: status.report(store, "mase").last_success_at is not None, what="first poll")
        imap_env.append([make_message(i) for i in range(3)])
        wait_for(lambda: count_messages(store) == 3 and imap_env.uids("INBOX") == [], what="a scheduled poll")
    finally:
        daemon.shutdown()
