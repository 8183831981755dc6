"""Urgent-report notifications against real local servers: an SMTP server
(aiosmtpd, STARTTLS and implicit TLS, with a login whose password comes from
the environment) and an HTTPS webhook. The notification carries a link and
the triage reasons and never the report's content: planted names, places,
the narrative, the subject and the sender must appear nowhere in what is
sent or logged. A failed send is retried, counted and shown."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select

from intake.analysis.workers import InlineAnalyser
from intake.config.settings import ConfigError, load_settings
from intake.ingest.processing.notifier import Notifier
from intake.ingest.processing.one_message import Pipeline
from intake.store.models import DocumentRow, Notification
from intake.store.notifications import states_of
from tests.triage.helpers import ROUTINE_TEXT, URGENT_TEXT, body_message
from tests.triage.servers import SmtpServer, WebhookServer, make_cert

# Values planted in the urgent report that must never leave in a notification.
PLANTED = ["Keira", "Hollins", "Boothen", "ST4 4AB", "Darren", "Pike", "vodka", "placement",
           "Concern about a pupil", "pat.jones", "northfield"]
BASE = "https://intake.example.police.uk"


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"))


def _settings(tmp_path, notify: dict):
    cfg = tmp_path / "intake.toml"
    lines = ["[notify]"] + [f"{k} = {_toml(v)}" for k, v in notify.items()]
    cfg.write_text("\n".join(lines) + "\n")
    return load_settings(config_path=cfg, db_url=f"sqlite:///{tmp_path / 'n.sqlite'}")


def _toml(v):
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, int):
        return str(v)
    return '"' + str(v) + '"'


def _ingest(store, settings, *messages):
    with Pipeline(store, settings, analyser=InlineAnalyser(settings)) as p:
        return [p.process(m).documents[0].public_id for m in messages]


def _urgent_and_routine(store, settings):
    return _ingest(store, settings, body_message(1, URGENT_TEXT), body_message(2, ROUTINE_TEXT))


def _assert_no_content(blob: str):
    for value in PLANTED:
        assert value.lower() not in blob.lower(), f"report content {value!r} left in a notification"


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit_tls"])
def test_urgent_report_mails_the_duty_mailbox_without_content(tmp_path, cert, monkeypatch, caplog, implicit):
    from intake.store.db import open_store

    monkeypatch.setenv("TEST_NOTIFY_SMTP_PASSWORD", "s3cret")
    with SmtpServer(*cert, implicit=implicit) as smtp:
        settings = _settings(tmp_path, dict(
            base_url=BASE, mail_to=["duty@example.police.uk"], mail_from="intake@example.police.uk",
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="implicit" if implicit else "starttls",
            smtp_ca_file=str(cert[0]), smtp_username="duty", password_env="TEST_NOTIFY_SMTP_PASSWORD"))
        store = open_store(settings)
        try:
            urgent, routine = _urgent_and_routine(store, settings)
            caplog.set_level(logging.DEBUG)
            sent = Notifier.from_settings(store, settings).run_once()
            assert sent == 1
            assert len(smtp.got.mails) == 1 and smtp.got.logins
            assert implicit or smtp.got.starttls == [True]
            mail = smtp.got.mails[0].decode("utf-8", "replace")
            assert f"{BASE}/documents/{urgent}" in mail
            assert routine not in mail
            assert "missing now" in mail  # the reasons, in the catalogue's words
            _assert_no_content(mail)
            _assert_no_content(caplog.text)
            assert "s3cret" not in caplog.text
            # a second pass sends nothing more
            assert Notifier.from_settings(store, settings).run_once() == 0
        finally:
            store.close()


def test_webhook_gets_json_with_link_and_reasons_only(tmp_path, cert, monkeypatch):
    from intake.store.db import open_store

    monkeypatch.setenv("TEST_HOOK_TOKEN", "tok-123")
    with WebhookServer(*cert) as hook:
        settings = _settings(tmp_path, dict(base_url=BASE, webhook_url=hook.url, webhook_ca_file=str(cert[0]),
                                            webhook_token_env="TEST_HOOK_TOKEN"))
        store = open_store(settings)
        try:
            urgent, _ = _urgent_and_routine(store, settings)
            assert Notifier.from_settings(store, settings).run_once() == 1
        finally:
            store.close()
    assert len(hook.requests) == 1
    req = hook.requests[0]
    assert req["headers"]["Authorization"] == "Bearer tok-123"
    assert req["json"]["document_id"] == urgent and req["json"]["level"] == "urgent"
    assert req["json"]["link"] == f"{BASE}/documents/{urgent}" and req["json"]["reasons"]
    _assert_no_content(req["body"].decode())


def test_failed_webhook_is_retried_counted_and_shown(tmp_path, cert, caplog):
    from intake import metrics
    from intake.store.db import open_store

    before = metrics.NOTIFICATIONS.labels("webhook", "retry")._value.get()
    with WebhookServer(*cert, statuses=(503, 200)) as hook:
        settings = _settings(tmp_path, dict(base_url=BASE, webhook_url=hook.url, webhook_ca_file=str(cert[0]),
                                            retry_seconds=1))
        store = open_store(settings)
        try:
            urgent, _ = _urgent_and_routine(store, settings)
            notifier = Notifier.from_settings(store, settings)
            caplog.set_level(logging.WARNING)
            assert notifier.run_once() == 0
            with store.session() as s:
                doc = s.scalar(select(DocumentRow).where(DocumentRow.public_id == urgent))
                [state] = states_of(s, doc.id)
            assert (state["status"], state["attempts"], state["last_error"]) == ("pending", 1, "webhook:http_503")
            assert metrics.NOTIFICATIONS.labels("webhook", "retry")._value.get() == before + 1
            assert "will retry" in caplog.text
            _assert_no_content(caplog.text)
            assert notifier.run_once() == 0  # not due yet
            time.sleep(1.2)
            assert notifier.run_once() == 1
            with store.session() as s:
                [state] = states_of(s, doc.id)
            assert state["status"] == "sent" and state["attempts"] == 2
        finally:
            store.close()
    assert len(hook.requests) == 2


def test_a_send_that_keeps_failing_ends_failed_not_lost(tmp_path, cert):
    from intake.store.db import open_store

    settings = _settings(tmp_path, dict(base_url=BASE, webhook_url="https://127.0.0.1:9/none",
                                        webhook_ca_file=str(cert[0]), max_attempts=1, timeout_s=2))
    store = open_store(settings)
    try:
        _urgent_and_routine(store, settings)
        assert Notifier.from_settings(store, settings).run_once() == 0
        with store.session() as s:
            rows = s.scalars(select(Notification)).all()
        assert [(r.status, r.attempts) for r in rows] == [("failed", 1)]
        assert rows[0].last_error.startswith("webhook:")
        from intake import metrics

        scraped = metrics.render(store, with_process=False).decode()
        assert 'intake_notifications_by_state{state="failed"} 1.0' in scraped
    finally:
        store.close()


@pytest.mark.parametrize("notify, message", [
    (dict(base_url=BASE, webhook_url="http://hooks.example.org/x"), "https"),
    (dict(base_url=BASE, mail_to=["d@x.uk"], mail_from="i@x.uk", smtp_host="smtp.example.org", smtp_tls="none"),
     "loopback"),
    (dict(base_url=BASE, webhook_url="https://h.example.org/x", webhook_token="abc"), "literal"),
    (dict(base_url=BASE, mail_to=["d@x.uk"], mail_from="i@x.uk", smtp_host="h", password="pw"), "literal"),
    (dict(webhook_url="https://h.example.org/x"), "base_url"),
])
def test_bad_notify_config_is_refused(tmp_path, notify, message):
    with pytest.raises(ConfigError, match=message):
        _settings(tmp_path, notify)
