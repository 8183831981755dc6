"""After an outage the daemon is back within a second or two of the server
(the first retry is quick, the backoff comes after), and `intake status`
says "reconnecting" while the server is down. Real Dovecot."""

from __future__ import annotations

import time

import pytest

from intake import cli
from intake.ingest.daemon import Daemon
from intake.ingest.inbox_config import parse_inbox
from intake.store.db import Store

from .helpers import PASSWORD_ENV, SETTINGS, count_messages, inbox_table, make_message, wait_for, write_config

pytestmark = pytest.mark.slow


def test_back_quickly_after_an_outage_and_status_says_reconnecting(private_dovecot, tmp_path, monkeypatch, capsys,
                                                                  caplog):
    import logging
    import re

    caplog.set_level(logging.DEBUG, logger="intake.ingest.imap.idle")
    d = private_dovecot
    monkeypatch.setenv(PASSWORD_ENV, d.password)
    # The shipped backoff (5 s, doubling): only the quick first retry can
    # explain a pick-up within two seconds of the server's return.
    table = inbox_table(d, schedule="every 1h", backoff_initial_s=5, backoff_max_s=600)
    cfg = parse_inbox(table, 0)
    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", table, db)
    store = Store(f"sqlite:///{db}")
    daemon = Daemon([cfg], store, SETTINGS)
    daemon.start()
    try:
        watcher = daemon.watchers["mase"]
        wait_for(watcher.idling.is_set, what="IDLE to start")
        d.stop()
        wait_for(lambda: not watcher.idling.is_set(), what="IDLE to notice the outage")
        # A pass during the outage fails and is recorded.
        wait_for(lambda: daemon.runners["mase"].run_pass(wait=True).error is not None, what="a failed pass")
        capsys.readouterr()
        assert cli.main(["status", "--config", str(conf)]) == 0
        assert "mase: RECONNECTING" in capsys.readouterr().out
        d.start()
        d.append([make_message(1)])
        t0 = time.monotonic()
        wait_for(lambda: count_messages(store) == 1, timeout=60, what="pick-up after the outage")
        took = time.monotonic() - t0
    finally:
        daemon.shutdown()
        store.close()
    print(f"\nfirst message after the server came back: {took:.2f} s")
    retries = [float(x) for r in caplog.records for x in re.findall(r"IDLE retried in ([0-9.]+)s", r.getMessage())]
    # Every reconnect during a short outage came after the quick delay, not
    # the configured 5 s backoff.
    assert retries and all(x <= 1.5 for x in retries), retries
