"""Broken configurations against a real Dovecot holding mail: `intake
daemon` and `intake poll --once` (real processes) stop at start-up with one
line and exit 2, and the mailbox is exactly as it was: the message is still
in INBOX, unflagged, and nothing was moved. The full table of broken
configurations x every command is tests/ops/test_broken_config.py."""

from __future__ import annotations

import os
import subprocess

import pytest

from intake.cli.exit_codes import EXIT_USAGE

from .helpers import INTAKE, PASSWORD_ENV, inbox_table, make_message, write_config

pytestmark = pytest.mark.slow

BROKEN = {
    "mime-key-typo": ("[mime]\nmax_part = 7\n", "max_part"),
    "unknown-recogniser": ('[extract]\nrecognisers = ["vrm", "plates"]\n', "plates"),
    "template-dir-missing": ('[parsing]\ntemplate_dirs = ["missing-templates"]\n', "missing-templates"),
    "log-level": ('[logging]\nlevel = "LOUD"\n', "[logging] level"),
    "timeout-words": ('[workers]\ndocument_timeout_s = "ten minutes"\n', "document_timeout_s"),
    "imap-secret-unset": ("", "INTAKE_TEST_IMAP_PASSWORD"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_config_leaves_the_mailbox_untouched(case, imap_env, tmp_path):
    extra, needle = BROKEN[case]
    imap_env.append([make_message(1)])
    before = imap_env.fetch_all("INBOX")
    db = tmp_path / "db.sqlite"
    conf = write_config(tmp_path / "intake.toml", inbox_table(imap_env), db)
    # Tables after [[inbox]] start new tables in TOML.
    conf.write_text(conf.read_text() + "\n" + extra)
    env = {**os.environ, "INTAKE_INLINE_ANALYSIS": "1"}
    if case == "imap-secret-unset":
        env.pop(PASSWORD_ENV, None)
    else:
        env[PASSWORD_ENV] = imap_env.password
    for command in (["daemon"], ["poll", "--once"]):
        r = subprocess.run([INTAKE, *command, "--config", str(conf)], env=env, capture_output=True,
                           text=True, timeout=120)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == EXIT_USAGE, (command, r.stderr)
        assert len(lines) == 1 and needle in lines[0] and str(conf) in lines[0], (command, r.stderr)
        assert "Traceback" not in r.stderr and r.stdout == ""
    assert imap_env.fetch_all("INBOX") == before  # same UIDs, bytes and flags
    if "Processed" in _folders(imap_env):
        assert imap_env.uids("Processed") == []
    assert not db.exists()


def _folders(d) -> list[str]:
    c = d.client()
    try:
        return [name for _, _, name in c.list_folders()]
    finally:
        c.logout()
