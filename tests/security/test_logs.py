"""No personal data in any log, proven: a full replay (through the worker
process and inline) and IMAP daemon passes against a real Dovecot, at DEBUG,
in text and JSON formats, over mail with planted names, addresses, phones,
plates, subjects, file names and sender addresses, with a damaged
attachment and a failed login among them, an encrypted store and a planted
password and key. Not one of those values may appear in anything the
commands write to their log (or print)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from tests.imap.dovecot import Dovecot
from tests.imap.helpers import inbox_table, toml_str
from tests.security.planted import SUBJECT, found_tokens, other_message, planted_message, write_mbox

pytestmark = pytest.mark.slow

IMAP_PASSWORD = "Pl4nted-imap-Xylophone-77!"
WRONG_PASSWORD = "Wr0ng-planted-Quagmire-13?"
KEK = base64.b64encode(b"planted key, 32 bytes long! ....").decode()
SECRETS = [IMAP_PASSWORD, WRONG_PASSWORD, KEK]


def _hostile() -> list:
    corrupt = planted_message(msgid="<planted-2@mail.example.net>")
    # the form's bytes cut short: a damaged .docx whose name is planted
    for part in corrupt.iter_attachments():
        part.set_content(part.get_content()[:900], maintype="application",
                         subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                         filename=part.get_filename())
    broken = other_message(7, "x")
    broken.replace_header("Subject", SUBJECT + " (resent)")
    raw = broken.as_bytes().replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: base64")
    return [planted_message(), corrupt, raw]


def _config(tmp_path, fmt: str, dovecot: Dovecot | None) -> str:
    lines = ["[store]", f'url = "sqlite:///{tmp_path / f"store-{fmt}.sqlite"}"', "",
             "[encryption]", 'key_env = "INTAKE_TEST_PLANTED_KEK"', "",
             "[logging]", f'format = "{fmt}"', 'level = "DEBUG"', ""]
    if dovecot is not None:
        table = inbox_table(dovecot, password_env="INTAKE_TEST_PLANTED_IMAP", after="move:Processed")
        lines.append("[[inbox]]")
        for k, v in table.items():
            lines.append(f"{k} = " + (toml_str(v) if isinstance(v, str) else
                                       "[" + ", ".join(toml_str(x) for x in v) + "]" if isinstance(v, list) else
                                       str(v).lower() if isinstance(v, bool) else str(v)))
    path = tmp_path / f"{fmt}.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _intake(cfg: str, *args, env: dict, inline: bool) -> str:
    env = dict(env)
    if inline:
        env["INTAKE_INLINE_ANALYSIS"] = "1"
    else:
        env.pop("INTAKE_INLINE_ANALYSIS", None)
    r = subprocess.run([sys.executable, "-m", "intake.cli", "--config", cfg, "-v", *args],
                       capture_output=True, text=True, env=env, timeout=600)
    return r.stdout + r.stderr


@pytest.fixture
def dovecot():
    d = Dovecot(users={"mase-intel": IMAP_PASSWORD})
    d.start()
    try:
        yield d
    finally:
        d.cleanup()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_planted_value_or_secret_in_any_log(tmp_path, dovecot, fmt):
    mbox = write_mbox(tmp_path / "mail.mbox", _hostile())
    dovecot.append([planted_message(msgid=f"<imap-{fmt}@mail.example.net>").as_bytes(),
                    planted_message(msgid=f"<imap-{fmt}-2@mail.example.net>").as_bytes()])
    cfg = _config(tmp_path, fmt, dovecot)
    env = {**os.environ, "INTAKE_TEST_PLANTED_KEK": KEK, "INTAKE_TEST_PLANTED_IMAP": WRONG_PASSWORD}
    logs = []
    # The worker process in one format, in-process analysis in the other.
    logs.append(_intake(cfg, "replay", str(mbox), env=env, inline=fmt == "json"))
    logs.append(_intake(cfg, "poll", "--once", env=env, inline=True))  # refused: the wrong password
    env["INTAKE_TEST_PLANTED_IMAP"] = IMAP_PASSWORD
    logs.append(_intake(cfg, "poll", "--once", env=env, inline=True))
    logs.append(_intake(cfg, "export", "-o", str(tmp_path / f"out-{fmt}.jsonl"), env=env, inline=True))
    logs.append(_intake(cfg, "retention", "review", env=env, inline=True))
    logs.append(_intake(cfg, "keys", "check", env=env, inline=True))
    text = "\n".join(logs)

    # The runs did what they should (so their logs cover the work)...
    exported = (tmp_path / f"out-{fmt}.jsonl").read_text()
    assert "Vexbridge" in exported and "\"status\":\"exception\"" in exported  # the damaged form
    assert len(exported.splitlines()) >= 6, "replayed and polled documents"
    assert "imap_login_failed" in text
    # ...at DEBUG...
    assert ("DEBUG" in text) if fmt == "text" else ('"level": "DEBUG"' in text)
    if fmt == "json":
        for line in text.splitlines():
            if line.startswith("{"):
                json.loads(line)
    # ...and not one planted value or secret reached the log.
    assert found_tokens(text.encode()) == []
    assert [s for s in SECRETS if s in text] == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_traceback_logged_by_a_library_carries_no_message_or_values(fmt):
    """Libraries log with exc_info (APScheduler when a job fails): the usual
    traceback ends with the exception's message, which can quote a document."""
    import logging

    from intake.logs import JsonFormatter, TextFormatter

    formatter = TextFormatter(stamp=False) if fmt == "text" else JsonFormatter(stamp=False)
    record = None

    def quote(document_text):
        raise ValueError(f"could not read {document_text!r}")

    try:
        quote("Ottoline Vexbridge, 17 Wrenfeather Close")
    except ValueError:
        record = logging.getLogger("apscheduler.executors.default").makeRecord(
            "apscheduler", logging.ERROR, __file__, 1, "Job %r raised an exception", ("poll",), sys.exc_info())
    line = formatter.format(record)
    assert "ValueError" in line and "quote" in line  # where it happened is kept
    assert found_tokens(line.encode()) == []
