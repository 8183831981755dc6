"""Every entry point refuses a broken configuration the same way: one line
on stderr naming the problem (the key, and the file or flag it came from),
exit 2 (EXIT_USAGE, documented in README and docs/operations.md), no
traceback, no store created, and no mail touched: no IMAP connection is
attempted and neither a daemon nor a pass starts. The same cases against a
real Dovecot are in tests/imap/test_broken_config_daemon.py."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake import cli
from intake.cli.exit_codes import EXIT_USAGE

INBOX_PW = "INTAKE_TEST_OPS_IMAP_PASSWORD"

# Arguments that make each command do real work when the config is good.
ARGS = {
    "replay": ["replay", "{mbox}"],
    "export": ["export", "--format", "jsonl"],
    "poll": ["poll", "--once"],
    "daemon": ["daemon"],
    "status": ["status"],
    "entities": ["entities"],
    "entity": ["entity", "E-1"],
    "merge-entities": ["merge-entities", "E-1", "E-2", "--reason", "same plate"],
    "split-entity": ["split-entity", "E-1", "--mentions", "1", "--reason", "two people"],
    "rebuild-entities": ["rebuild-entities"],
    "migrate": ["migrate"],
    "metrics": ["metrics"],
    # the review app's commands (intake/cli/commands/review.py, users.py)
    "serve": ["serve"],
    "queue": ["queue"],
    "show": ["show", "D-1"],
    "reprocess": ["reprocess", "--pending"],
    "user": ["user", "list"],
    "worker": ["worker"],
    # security (intake/cli/commands/keys.py, retention.py)
    "keys": ["keys", "check"],
    "retention": ["retention", "review"],
    # the analyst's link chart (intake/cli/commands/chart.py)
    "chart": ["chart", "--format", "graphml"],
}
MAIL_COMMANDS = ("poll", "daemon")

INBOX = """
[[inbox]]
name = "mase"
host = "127.0.0.1"
port = 1993
tls = "implicit"
username = "mase-intel"
password_env = "{pw}"
folders = ["INBOX"]
after = "move:Processed"
"""


@dataclass(frozen=True)
class Case:
    id: str
    toml: str  # the site file; {inbox} is a good [[inbox]] table
    expect: tuple[str, ...]  # every one of these is in the error line
    commands: tuple[str, ...] = tuple(ARGS)
    files: tuple[tuple[str, str], ...] = ()  # (relative path, text) written beside the config
    argv_extra: tuple[str, ...] = ()


def inbox(**over) -> str:
    text = INBOX.format(pw=INBOX_PW)
    for k, v in over.items():
        line = f"{k} = {v}\n"
        if f"\n{k} = " in text:
            text = "\n".join(line.rstrip("\n") if ln.startswith(f"{k} = ") else ln for ln in text.split("\n"))
        else:
            text += line
    return text


CASES = [
    # unknown keys and tables
    Case("store-key-typo", '[store]\nurll = "sqlite:///x.sqlite"\n', ("[store]", "urll", "did you mean 'url'")),
    Case("table-typo", '[storee]\nurl = "sqlite:///x.sqlite"\n', ("unknown table [storee]",)),
    Case("parsing-key-typo", '[parsing]\nocr_langs = "eng"\n', ("[parsing]", "ocr_langs")),
    Case("inbox-key-typo", inbox(foldrs='["INBOX"]'), ("[[inbox]]", "foldrs")),
    Case("review-key-typo", "[review]\nprot = 8080\n", ("[review]", "prot")),
    Case("logging-key-typo", '[logging]\nlevl = "INFO"\n', ("[logging]", "levl", "did you mean 'level'")),
    # wrong types
    Case("timeout-words", '[workers]\ndocument_timeout_s = "ten minutes"\n',
         ("[workers] document_timeout_s", "expected a number", "got a string")),
    Case("url-number", "[store]\nurl = 5\n", ("[store] url", "expected a string")),
    Case("recognisers-string", '[extract]\nrecognisers = "vrm"\n', ("[extract] recognisers", "expected a list")),
    Case("template-dirs-string", '[parsing]\ntemplate_dirs = "templates"\n',
         ("[parsing] template_dirs", "expected a list")),
    Case("bool-as-string", '[review]\nbehind_proxy = "yes"\n', ("[review] behind_proxy", "true or false")),
    Case("section-not-table", "mime = 3\n", ("[mime]", "must be a table")),
    Case("inbox-port-string", inbox(port='"993"'), ("[[inbox]]", "port")),
    Case("integer-as-float", "[mime]\nmax_parts = 1.5\n", ("[mime] max_parts", "expected an integer")),
    Case("inbox-not-tables", 'inbox = "mase"\n', ("[[inbox]]",)),
    # bad values
    Case("zero-depth", "[mime]\nmax_depth = 0\n", ("[mime] max_depth", "greater than or equal to 1")),
    Case("log-level", '[logging]\nlevel = "LOUD"\n', ("[logging] level", "'INFO'")),
    Case("log-format", '[logging]\nformat = "xml"\n', ("[logging] format", "'json'")),
    Case("metrics-public", '[metrics]\nhost = "0.0.0.0"\nport = 9464\n', ("[metrics] host", "loopback")),
    Case("metrics-port", "[metrics]\nport = 70000\n", ("[metrics] port",)),
    Case("ocr-languages", '[parsing]\nocr_languages = "eng; rm -rf /"\n', ("[parsing] ocr_languages",)),
    Case("tls-half", '[review]\ntls_cert = "cert.pem"\n', ("[review]", "tls_key")),
    Case("postgres-scheme", '[store]\nurl = "postgres://intake@127.0.0.1/intake"\n',
         ("[store] url", "postgresql+psycopg://")),
    Case("mysql-scheme", '[store]\nurl = "mysql://intake@127.0.0.1/intake"\n', ("[store] url", "mysql")),
    Case("sqlite-no-path", '[store]\nurl = "sqlite://"\n', ("[store] url", "file path")),
    Case("plaintext-remote", inbox(host='"imap.example.org"', tls='"none"', port="143"),
         ("[[inbox]]", "tls", "imap.example.org")),
    Case("after-deleted", inbox(after='"flag:\\\\Deleted"'), ("[[inbox]]", "after")),
    Case("bad-schedule", inbox(schedule='"sometimes"'), ("[[inbox]]", "schedule")),
    Case("inbox-twice", inbox() + inbox(), ("[[inbox]]", "used twice")),
    Case("inbox-literal-password", inbox(password='"hunter2-literal"'), ("[[inbox]]", "literal")),
    Case("store-literal-password", '[store]\npassword = "hunter2-literal"\n', ("[store]", "literal")),
    Case("env-name", '[store]\npassword_env = "not a name"\n', ("[store] password_env", "environment variable")),
    Case("not-toml", "[store\nurl =\n", ("not valid TOML",)),
    # unknown names
    Case("unknown-recogniser", '[extract]\nrecognisers = ["vrm", "plates"]\n', ("[extract] recognisers", "plates")),
    Case("unknown-disable", '[extract]\ndisable = ["telepathy"]\n', ("[extract] disable", "telepathy")),
    Case("nothing-runs", '[extract]\nrecognisers = ["vrm"]\ndisable = ["vrm"]\n', ("[extract]", "no recogniser")),
    Case("spacy-model-missing", '[extract]\nspacy_model = "en_core_web_xx_not_installed"\n',
         ("[extract] spacy_model", "en_core_web_xx_not_installed")),
    # missing folders and broken files
    Case("template-dir-missing", '[parsing]\ntemplate_dirs = ["no-such-templates"]\n',
         ("[parsing] template_dirs", "no-such-templates")),
    Case("template-broken", '[parsing]\ntemplate_dirs = ["tpl"]\n', ("template_invalid", "tpl/broken.toml"),
         files=(("tpl/broken.toml", 'id = "x"\n[fields\n'),)),
    Case("gazetteer-missing", '[extract]\ngazetteer_files = ["slang.toml"]\n', ("[extract] gazetteer_files", "slang.toml")),
    Case("gazetteer-broken", '[extract]\ngazetteer_files = ["slang.toml"]\n',
         ("[extract] gazetteer_files", "slang.toml"), files=(("slang.toml", "[substances\n"),)),
    # missing secrets
    Case("store-secret-env", '[store]\npassword_env = "INTAKE_TEST_UNSET_DB_PASSWORD"\n',
         ("[store]", "INTAKE_TEST_UNSET_DB_PASSWORD", "not set")),
    Case("store-secret-file", '[store]\npassword_file = "secrets/db"\n', ("[store]", "secrets/db")),
    Case("inbox-secret-env", inbox(password_env='"INTAKE_TEST_UNSET_IMAP_PASSWORD"'),
         ("[[inbox]] 'mase'", "INTAKE_TEST_UNSET_IMAP_PASSWORD", "not set"), commands=MAIL_COMMANDS),
    Case("inbox-secret-file", inbox().replace(f'password_env = "{INBOX_PW}"', 'password_file = "secrets/imap"'),
         ("[[inbox]] 'mase'", "secrets/imap", "does not exist"), commands=MAIL_COMMANDS),
    Case("token-command-missing", inbox().replace(f'password_env = "{INBOX_PW}"',
                                                  'auth = "xoauth2"\ntoken_command = "/nonexistent/get-token"'),
         ("[[inbox]] 'mase'", "token_command", "/nonexistent/get-token"), commands=MAIL_COMMANDS),
    # the same checks for values given on the command line
    Case("db-flag-scheme", "", ("--db", "postgresql+psycopg://"), argv_extra=("--db", "postgres://u@127.0.0.1/x")),
    Case("config-missing", "", ("config file not found",), argv_extra=("--config", "{tmp}/no-such.toml")),
]


@pytest.fixture
def guard(monkeypatch):
    """Fail loudly if anything would touch mail."""
    touched: list[str] = []

    def refuse(what):
        def fn(*a, **k):
            touched.append(what)
            raise AssertionError(f"{what} was reached with a broken config")
        return fn

    import imapclient

    from intake.ingest.daemon import Daemon
    from intake.ingest.imap.inbox_runner import InboxRunner

    monkeypatch.setattr(imapclient.IMAPClient, "__init__", refuse("an IMAP connection"))
    monkeypatch.setattr(Daemon, "run_forever", refuse("the daemon"))
    monkeypatch.setattr(InboxRunner, "run_pass", refuse("an inbox pass"))
    monkeypatch.setenv(INBOX_PW, "not-used")
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    monkeypatch.delenv("INTAKE_DB_URL", raising=False)
    return touched


def _setup(tmp: Path, case: Case) -> tuple[Path, Path]:
    store = tmp / "var" / "intake.sqlite"
    store.parent.mkdir(exist_ok=True)
    conf = tmp / "intake.toml"
    conf.write_text(textwrap.dedent(case.toml), encoding="utf-8")
    for rel, text in case.files:
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text, encoding="utf-8")
    (tmp / "empty.mbox").write_bytes(b"")
    return conf, store


def registered() -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return set(sub.choices)


def test_every_command_is_in_the_table():
    missing = sorted(registered() - set(ARGS))
    assert missing == [], f"add arguments for {missing} to ARGS so broken configs are tried on them too"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_config_is_one_line_exit_2_and_touches_nothing(case, tmp_path, guard, capsys):
    conf, store = _setup(tmp_path, case)
    assert len(CASES) >= 30
    commands = [c for c in case.commands if c in registered()]
    assert commands
    for command in commands:
        argv = [a.format(mbox=tmp_path / "empty.mbox") for a in ARGS[command]]
        extra = [a.format(tmp=tmp_path) for a in case.argv_extra]
        if "--config" not in extra:
            extra = ["--config", str(conf), *extra]
        # Common options go before or after the command alike.
        argv = [*extra, *argv] if len(command) % 2 else [*argv, *extra]
        rc = cli.main(argv)
        out = capsys.readouterr()
        lines = out.err.strip().splitlines()
        assert rc == EXIT_USAGE, (command, out.err)
        assert len(lines) == 1, (command, out.err)
        line = lines[0]
        assert line.startswith(("intake: config_invalid: ", "intake: template_invalid: ")), (command, line)
        for needle in case.expect:
            assert needle in line, (command, needle, line)
        origin = "--db" if "--db" in case.argv_extra else str(tmp_path)
        assert origin in line, (command, line)
        assert "Traceback" not in out.err and out.out == ""
        assert "hunter2" not in line
        assert not store.exists(), command
    assert guard == []


def test_good_config_passes_the_same_gate(tmp_path, guard, capsys):
    """The control: the base configuration is accepted, so the cases above
    fail for their own reason."""
    conf, store = _setup(tmp_path, Case("good", inbox(), ()))
    assert cli.main(["--config", str(conf), "migrate"]) == 0
    assert store.exists()
    assert cli.main(["status", "--config", str(conf)]) == 0
    assert "mase" in capsys.readouterr().out
    assert guard == []
