"""Turning encryption on for a store kept in clear: `intake keys
encrypt-existing` is killed part-way (SIGKILL, a real process), the store is
refused meanwhile, and a second run finishes the job: every value sealed,
no planted value left in the file, the export unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from intake.cli import main
from tests.security.planted import TOKENS, found_tokens, other_message, planted_message, sqlite_bytes, write_mbox
from tests.support.mail import NARRATIVE

pytestmark = pytest.mark.slow


def _run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_encrypt_existing_killed_midway_then_resumed(tmp_path, capsys, kek_b64):
    mbox = write_mbox(tmp_path / "mail.mbox", [planted_message()] + [
        other_message(i, f"Report {i}. " + NARRATIVE) for i in range(1, 6)])
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    plain_cfg = tmp_path / "plain.toml"
    plain_cfg.write_text("")
    assert _run(capsys, "--config", str(plain_cfg), "--db", db, "replay", str(mbox))[0] == 0
    before = _run(capsys, "--config", str(plain_cfg), "--db", db, "export")[1]
    assert found_tokens(sqlite_bytes(tmp_path / "store.sqlite")) == TOKENS

    (tmp_path / "store.key").write_text(kek_b64 + "\n")
    cfg = tmp_path / "enc.toml"
    cfg.write_text('[encryption]\nkey_file = "store.key"\n')
    # One row per batch, and a DEBUG line per committed batch to know when to kill.
    proc = subprocess.Popen([sys.executable, "-m", "intake.cli", "--config", str(cfg), "--db", db, "-v",
                             "keys", "encrypt-existing", "--batch-size", "1"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, INTAKE_INLINE_ANALYSIS="1"))
    committed = 0
    for line in proc.stderr:
        if "encrypt-existing batch committed" in line:
            committed += 1
            if committed == 40:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"

    # Half done: other commands refuse the store, with the fix.
    code, _, err = _run(capsys, "--config", str(cfg), "--db", db, "export")
    assert code == 3 and "store_not_encrypted" in err and "encrypt-existing" in err
    code, out, _ = _run(capsys, "--config", str(cfg), "--db", db, "keys", "status")
    assert "encrypting" in out

    code, out, err = _run(capsys, "--config", str(cfg), "--db", db, "keys", "encrypt-existing", "--batch-size", "7")
    assert code == 0, err
    code, out, _ = _run(capsys, "--config", str(cfg), "--db", db, "keys", "check")
    assert code == 0 and " 0 in clear; 0 failed" in out
    assert found_tokens(sqlite_bytes(tmp_path / "store.sqlite")) == []
    assert _run(capsys, "--config", str(cfg), "--db", db, "export")[1] == before
    # And the store goes on working: a new message, the old ones still known.
    code, out, _ = _run(capsys, "--config", str(cfg), "--db", db, "replay", str(mbox))
    assert code == 0 and "new: 0" in out
