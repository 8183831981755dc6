"""TLS, trust and login against the real server; errors that say what to do
and never print a secret."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from intake.cli import main
from intake.ingest.imap.connection import connect, session
from intake.ingest.imap.errors import ImapError
from intake.ingest.imap.inbox_runner import InboxRunner
from intake.ingest.inbox_config import parse_inbox
from intake.store import inbox_status as status

from .dovecot import free_port, make_cert
from .helpers import PASSWORD_ENV, inbox_table, make_message, write_config

# Every test here runs against a real Dovecot.
pytestmark = pytest.mark.slow


def test_implicit_tls_with_ca_file(make_cfg):
    with session(make_cfg()) as c:
        assert c.select_folder("INBOX")


def test_starttls_on_plain_port(make_cfg, imap_env):
    with session(make_cfg(tls="starttls", port=imap_env.plain_port)) as c:
        assert c.select_folder("INBOX")


def test_plaintext_allowed_to_loopback(make_cfg, imap_env):
    with session(make_cfg(tls="none", host="127.0.0.1", port=imap_env.plain_port)) as c:
        assert c.select_folder("INBOX")


def test_password_file(make_cfg, imap_env, tmp_path):
    secret = tmp_path / "mase.secret"
    secret.write_text(imap_env.password + "\n")
    with session(make_cfg(password_env=None, password_file=str(secret))) as c:
        assert c.select_folder("INBOX")


def test_wrong_password(make_cfg, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "Wrong-Secret-123")
    with pytest.raises(ImapError) as exc:
        connect(make_cfg())
    assert exc.value.code == "imap_login_failed"
    assert make_cfg().username in exc.value.detail and "password_env" in exc.value.detail
    assert "Wrong-Secret-123" not in str(exc.value)


def test_missing_secret(make_cfg, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(ImapError) as exc:
        connect(make_cfg())
    assert exc.value.code == "imap_secret_unavailable" and PASSWORD_ENV in exc.value.detail


def test_untrusted_certificate(make_cfg, tmp_path):
    other_ca, _ = make_cert(tmp_path, "other")  # a CA that did not sign the server's cert
    with pytest.raises(ImapError) as exc:
        connect(make_cfg(ca_file=str(other_ca)))
    assert exc.value.code == "imap_tls_untrusted"
    assert "certificate verify failed" in exc.value.detail and "ca_file" in exc.value.detail
    # And with the system trust store: a self-signed certificate is refused too.
    with pytest.raises(ImapError) as exc:
        connect(make_cfg(ca_file=None))
    assert exc.value.code == "imap_tls_untrusted"


def test_starttls_untrusted(make_cfg, imap_env, tmp_path):
    other_ca, _ = make_cert(tmp_path, "other")
    with pytest.raises(ImapError) as exc:
        connect(make_cfg(tls="starttls", port=imap_env.plain_port, ca_file=str(other_ca)))
    assert exc.value.code == "imap_tls_untrusted"


def test_hostname_is_checked(make_cfg, tmp_path):
    """A certificate from the trusted CA but for another name is refused:
    a TLS server of our own presents one for mail.example.org on 127.0.0.1."""
    import ssl
    import threading

    cert, key = make_cert(tmp_path, "other-name", san="DNS:mail.example.org")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one():
        conn, _ = listener.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"* OK IMAP4rev1 ready\r\n")
        except (ssl.SSLError, OSError):
            pass  # the client hangs up on the bad name: expected

    t = threading.Thread(target=serve_one, daemon=True)
    t.start()
    try:
        with pytest.raises(ImapError) as exc:
            connect(make_cfg(host="127.0.0.1", port=port, ca_file=str(cert)))
        assert exc.value.code == "imap_tls_untrusted" and "mismatch" in exc.value.detail.lower()
    finally:
        t.join(5)
        listener.close()


def test_plaintext_to_remote_host_refused_without_connecting(make_cfg):
    cfg = dataclasses.replace(make_cfg(), host="imap.example.org", tls="none", port=143)
    with pytest.raises(ImapError) as exc:
        connect(cfg)  # a network attempt would fail as imap_unreachable instead
    assert exc.value.code == "imap_plaintext_refused"


def test_unreachable(make_cfg):
    with pytest.raises(ImapError) as exc:
        connect(make_cfg(port=free_port()))
    assert exc.value.code == "imap_unreachable" and "connection refused" in exc.value.detail


def test_xoauth2_token_command_failure_hides_output(make_cfg, tmp_path):
    script = tmp_path / "token.sh"
    script.write_text("#!/bin/sh\necho tok-SECRET-abc; echo tok-SECRET-abc >&2; exit 3\n")
    script.chmod(0o755)
    cfg = make_cfg(auth="xoauth2", password_env=None, token_command=str(script))
    with pytest.raises(ImapError) as exc:
        connect(cfg)
    assert exc.value.code == "imap_token_failed" and "status 3" in exc.value.detail
    assert "tok-SECRET" not in str(exc.value)


def test_xoauth2_token_is_sent_and_refusal_is_clear(make_cfg, tmp_path):
    # Dovecot here has no OAuth2 passdb, so the token is refused: what matters
    # is that the refusal is a clear login error without the token in it.
    script = tmp_path / "token.sh"
    script.write_text("#!/bin/sh\necho ya29.FAKE-TOKEN-value\n")
    script.chmod(0o755)
    cfg = make_cfg(auth="xoauth2", password_env=None, token_command=str(script))
    with pytest.raises(ImapError) as exc:
        connect(cfg)
    assert exc.value.code == "imap_login_failed" and "token_command" in exc.value.detail
    assert "FAKE-TOKEN" not in str(exc.value)


def test_cli_wrong_password_status_and_health(imap_env, tmp_path, monkeypatch, capsys, caplog):
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env), tmp_path / "db.sqlite")
    imap_env.append([make_message(1)])
    monkeypatch.setenv(PASSWORD_ENV, "Wrong-Secret-123")
    caplog.set_level("DEBUG")
    assert main(["poll", "--once", "--config", str(conf)]) == 1
    out = capsys.readouterr()
    assert "imap_login_failed" in out.err
    assert main(["status", "--config", str(conf), "--max-failing", "0"]) == 1
    shown = capsys.readouterr().out
    assert "UNHEALTHY" in shown and "imap_login_failed" in shown and "failing since" in shown
    assert main(["status", "--config", str(conf)]) == 0  # within unhealthy_after_s (900 s)
    capsys.readouterr()
    everything = out.out + out.err + shown + caplog.text
    assert "Wrong-Secret-123" not in everything and imap_env.password not in everything

    monkeypatch.setenv(PASSWORD_ENV, imap_env.password)
    assert main(["poll", "--once", "--config", str(conf), "--inbox", "mase"]) == 0
    # Recovered: healthy again even with a zero tolerance.
    assert main(["status", "--config", str(conf), "--max-failing", "0"]) == 0
    assert imap_env.uids("Processed") == [1]


def test_cli_status_json(imap_env, tmp_path, monkeypatch, capsys):
    import json

    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env), tmp_path / "db.sqlite")
    imap_env.append([make_message(i) for i in range(3)])
    assert main(["poll", "--once", "--config", str(conf)]) == 0
    capsys.readouterr()
    assert main(["status", "--config", str(conf), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [row] = data["inboxes"]
    assert row["inbox"] == "mase" and row["healthy"] and row["messages_handled"] == 3
    assert row["last_success"] and row["failing_since"] is None and data["unhealthy"] == []


def test_no_content_in_info_logs(imap_env, tmp_path, caplog):
    """Subjects, addresses and form text never reach the log at INFO."""
    from intake.config.settings import load_settings
    from intake.store.db import Store

    imap_env.append([make_message(i) for i in range(3)])
    cfg = parse_inbox(inbox_table(imap_env), 0)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    caplog.set_level("INFO")
    r = InboxRunner(cfg, store, load_settings())
    assert r.run_pass().ok
    r.close()
    store.close()
    text = caplog.text
    for needle in ("Intelligence report", "referrer", "example.org", "Jordan", "07700", imap_env.password):
        assert needle not in text


@pytest.fixture
def oauth_dovecot():
    """A Dovecot that checks XOAUTH2 bearer tokens against an introspection
    endpoint served here, as Microsoft 365 / Gmail check theirs."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from urllib.parse import parse_qs

    from .dovecot import Dovecot

    valid: set[str] = set()

    class Introspect(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            token = parse_qs(body).get("token", [""])[0]
            reply = {"active": True, "username": "mase-intel"} if token in valid else {"active": False}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Introspect)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    d = Dovecot(oauth2_introspection_url=f"http://127.0.0.1:{srv.server_port}/introspect")
    d.start()
    try:
        yield d, valid
    finally:
        d.cleanup()
        srv.shutdown()
        srv.server_close()


def test_xoauth2_login_and_token_rotation(oauth_dovecot, tmp_path):
    from intake.config.settings import load_settings
    from intake.store.db import Store

    d, valid = oauth_dovecot
    token_file = tmp_path / "token"
    script = tmp_path / "get-token"
    script.write_text(f"#!/bin/sh\ncat {token_file}\n")
    script.chmod(0o755)
    table = inbox_table(d, auth="xoauth2", password_env=None, token_command=str(script))
    cfg = parse_inbox(table, 0)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    r = InboxRunner(cfg, store, load_settings())
    try:
        valid.add("ya29.first-token")
        token_file.write_text("ya29.first-token\n")
        d.append([make_message(1)])
        assert r.run_pass().result.new_messages == 1
        # The provider rotates the token: the command is run again at each login.
        valid.clear()
        valid.add("ya29.second-token")
        token_file.write_text("ya29.second-token\n")
        d.append([make_message(2)])
        assert r.run_pass().result.new_messages == 1
        valid.clear()  # revoked
        out = r.run_pass()
        assert out.error is not None and out.error.code == "imap_login_failed"
        assert "ya29" not in out.error.detail and "ya29" not in (status.report(store, "mase").last_error or "")
    finally:
        r.close()
        store.close()


def test_status_max_silence_catches_a_stopped_daemon(imap_env, tmp_path, capsys):
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env), tmp_path / "db.sqlite")
    # No store yet: a read command does not create one, and says so (exit 3).
    assert main(["status", "--config", str(conf)]) == 3
    assert "store_missing" in capsys.readouterr().err
    assert main(["migrate", "--config", str(conf)]) == 0
    assert main(["status", "--config", str(conf), "--max-silence", "3600"]) == 1  # never polled
    assert "is the daemon running" in capsys.readouterr().out
    assert main(["poll", "--once", "--config", str(conf)]) == 0
    assert main(["status", "--config", str(conf), "--max-silence", "3600"]) == 0
    assert main(["status", "--config", str(conf), "--max-silence", "0"]) == 1
