"""The daemon's /metrics endpoint during polls against the real Dovecot:
the counters move, and no label carries content (senders, subjects, file
names). Its log, with ``[logging] format = "json"``, is one JSON object per
line with structured fields and no content, and no timestamp of its own
under systemd (JOURNAL_STREAM set). `intake metrics --textfile` writes the
store's gauges atomically for node_exporter."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import urllib.request

import pytest

from intake.cli.exit_codes import EXIT_OK
from intake.exception_codes import CATALOGUE
from intake.metrics import STAGES, STATUSES, WORKER_RESTART_REASONS

from .dovecot import free_port
from .helpers import PASSWORD_ENV, inbox_table, make_message, start_daemon, wait_for, write_config

pytestmark = pytest.mark.slow

SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        assert m, line
        labels = tuple(sorted(LABEL.findall(m.group("labels") or "")))
        out[(m.group("name"), labels)] = float(m.group("value"))
    return out


def value(samples, name: str, **labels) -> float:
    want = tuple(sorted(labels.items()))
    return samples.get((name, want), 0.0)


def allowed_label(key: str, val: str) -> bool:
    return {
        "inbox": val == "mase",
        "outcome": val in ("new", "known", "failed"),
        "result": val in ("ok", "failed", "skipped", "sent", "retry"),
        "channel": val in ("email", "webhook"),  # urgent-report notifications
        "state": val in ("pending", "sent", "failed"),
        "status": val in STATUSES or val == "other",
        "code": val == "" or val in CATALOGUE or val == "other",
        "stage": val in STAGES,
        "reason": val in WORKER_RESTART_REASONS,
        "le": True,
        "version": True,
    }.get(key, False)


def config(tmp_path, dovecot, port: int, extra: str = ""):
    conf = write_config(tmp_path / "intake.toml", inbox_table(dovecot, batch_size=5), tmp_path / "db.sqlite")
    with conf.open("a") as fh:
        fh.write(f'\n[metrics]\nport = {port}\n\n[logging]\nformat = "json"\n{extra}')
    return conf


def test_daemon_metrics_move_during_polls_and_logs_are_json(imap_env, tmp_path):
    port = free_port()
    conf = config(tmp_path, imap_env, port)
    env = {**os.environ, PASSWORD_ENV: imap_env.password, "INTAKE_INLINE_ANALYSIS": "1",
           "JOURNAL_STREAM": "8:12345"}
    imap_env.append([make_message(i) for i in range(4)])
    proc = start_daemon(conf, env)
    try:
        def got(n):
            def check():
                try:
                    s = scrape(port)
                except OSError:
                    return None
                return s if value(s, "intake_messages_processed_total", inbox="mase", outcome="new") >= n else None
            return check

        first = wait_for(got(4), timeout=120, what="4 messages counted")
        assert value(first, "intake_messages_received_total", inbox="mase") >= 4
        # While the daemon runs, more mail arrives: the counters move.
        imap_env.append([make_message(10 + i, tag="-late") for i in range(3)])
        later = wait_for(got(7), timeout=120, what="7 messages counted")
        assert value(later, "intake_messages_received_total", inbox="mase") >= 7
        assert value(later, "intake_inbox_passes_total", inbox="mase", result="ok") >= 1
        docs = sum(v for (name, _), v in later.items() if name == "intake_documents_processed_total")
        assert docs >= 7
        assert value(later, "intake_stage_seconds_count", stage="mime_walk") >= 7
        assert value(later, "intake_stage_seconds_count", stage="imap_fetch") >= 1
        # Gauges read from the store.
        assert value(later, "intake_store_up") == 1
        assert sum(v for (name, _), v in later.items() if name == "intake_documents") >= 7
        wait_for(lambda: value(scrape(port), "intake_inbox_last_success_timestamp_seconds", inbox="mase") > 0,
                 what="a successful pass recorded")
        # No label value is anything but ours: never a sender, subject or file name.
        for (name, labels), _ in later.items():
            for key, val in labels:
                assert allowed_label(key, val), (name, key, val)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    lines = [ln for ln in out.decode().splitlines() if ln.strip()]
    records = [json.loads(ln) for ln in lines]  # every line is one JSON object
    assert records and all({"level", "logger", "message"} <= r.keys() for r in records)
    assert all("ts" not in r for r in records), "journald stamps lines; we must not"
    passes = [r for r in records if r.get("inbox") == "mase" and "handled" in r]
    assert passes and sum(r["handled"] for r in passes) >= 7
    for needle in ("Intelligence report", "referrer", "Jordan", "report-1.txt", imap_env.password):
        assert needle not in out.decode()


def test_textfile_for_node_exporter_is_atomic(imap_env, tmp_path, monkeypatch):
    from intake import cli

    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env), db)
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    monkeypatch.delenv("INTAKE_DB_URL", raising=False)
    imap_env.append([make_message(i) for i in range(2)])
    assert cli.main(["poll", "--once", "--config", str(conf)]) == EXIT_OK
    prom = tmp_path / "textfile" / "intake.prom"
    prom.parent.mkdir()
    assert cli.main(["metrics", "--textfile", str(prom), "--config", str(conf)]) == EXIT_OK
    text = prom.read_text()
    assert stat.S_IMODE(prom.stat().st_mode) == 0o644
    assert 'intake_inbox_messages_handled{inbox="mase"} 2.0' in text
    assert 'intake_inbox_failing{inbox="mase"} 0.0' in text
    assert "intake_review_queue_depth" in text
    assert [p.name for p in prom.parent.iterdir()] == ["intake.prom"]  # no temporary file left
