"""Exit codes that match docs/operations.md: `keys status` when
the key does not open the store, `metrics` on a store it cannot read,
`serve` on a port in use, `user add`/`passwd` without a terminal or with a
password that breaks the rule."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
from pathlib import Path

from intake import cli
from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intake.store.db import Store


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = cli.main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _encrypted(tmp_path: Path) -> tuple[str, Path]:
    kek = os.urandom(32)
    url = f"sqlite:///{tmp_path / 'enc.sqlite'}"
    Store(url, kek=kek).close()
    good = tmp_path / "good.toml"
    (tmp_path / "good.key").write_text(base64.b64encode(kek).decode() + "\n")
    good.write_text('[encryption]\nkey_file = "good.key"\n')
    return url, good


def test_keys_status_fails_when_the_key_does_not_open_the_store(tmp_path, capsys):
    url, good = _encrypted(tmp_path)
    rc, out, _ = _main(capsys, "--config", str(good), "--db", url, "keys", "status")
    assert rc == EXIT_OK and "opens it" in out
    (tmp_path / "wrong.key").write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[encryption]\nkey_file = "wrong.key"\n')
    rc, out, _ = _main(capsys, "--config", str(wrong), "--db", url, "keys", "status")
    assert rc == EXIT_FAILED and "does NOT open it" in out
    rc, out, _ = _main(capsys, "--db", url, "keys", "status")
    assert rc == EXIT_FAILED and "is missing" in out


def test_metrics_on_a_store_it_cannot_read_says_store_up_0_and_exits_0(tmp_path, capsys):
    url, good = _encrypted(tmp_path)
    rc, out, _ = _main(capsys, "--config", str(good), "--db", url, "metrics")
    assert rc == EXIT_OK and "intake_store_up 1.0" in out
    rc, out, err = _main(capsys, "--db", url, "metrics")  # no key configured
    assert rc == EXIT_OK and "intake_store_up 0.0" in out
    assert err.startswith("intake: store_key_missing: ") and len(err.strip().splitlines()) == 1, err
    prom = tmp_path / "intake.prom"
    rc, _, _ = _main(capsys, "--db", f"sqlite:///{tmp_path / 'none' / 'x.sqlite'}", "metrics", "--textfile", str(prom))
    assert rc == EXIT_OK and "intake_store_up 0.0" in prom.read_text()


def test_serve_on_a_port_in_use_is_exit_2_before_the_store_is_touched(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INTAKE_TEST_REVIEW_SECRET", "x" * 40)
    conf = tmp_path / "intake.toml"
    conf.write_text('[review]\nsecret_key_env = "INTAKE_TEST_REVIEW_SECRET"\n')
    db = tmp_path / "store.sqlite"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        rc, _, err = _main(capsys, "--config", str(conf), "--db", f"sqlite:///{db}", "serve", "--port", str(port))
    assert rc == EXIT_USAGE
    assert err.strip().startswith("intake: config_invalid: ") and f"127.0.0.1:{port} is in use" in err
    assert not db.exists(), "the store was opened (and created) before the port was checked"


def _user(tmp_path: Path, *argv: str, stdin=subprocess.DEVNULL, data: str | None = None):
    return subprocess.run([sys.executable, "-m", "intake.cli", "--db", f"sqlite:///{tmp_path / 's.sqlite'}",
                           "user", *argv], stdin=stdin if data is None else None, input=data,
                          capture_output=True, text=True, timeout=120)


def test_user_add_without_a_terminal_points_to_password_stdin(tmp_path):
    for argv in (["add", "jbloggs", "--role", "officer"], ["passwd", "jbloggs"]):
        proc = _user(tmp_path, *argv)
        assert proc.returncode == EXIT_USAGE, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "--password-stdin" in lines[0] and "Traceback" not in proc.stderr
        assert not (tmp_path / "s.sqlite").exists()


def test_password_rule_is_a_usage_error(tmp_path):
    proc = _user(tmp_path, "add", "jbloggs", "--role", "officer", "--password-stdin", data="jbloggs-long-enough\n")
    assert proc.returncode == EXIT_USAGE and "must not contain the user name" in proc.stderr
    proc = _user(tmp_path, "add", "jbloggs", "--role", "officer", "--password-stdin", data="short\n")
    assert proc.returncode == EXIT_USAGE and "at least 12 characters" in proc.stderr
    proc = _user(tmp_path, "add", "jbloggs", "--role", "officer", "--password-stdin",
                 data="Correct horse battery staple\n")
    assert proc.returncode == EXIT_OK, proc.stderr
