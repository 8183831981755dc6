"""A command imports its own module, not every command's (start-up time),
and the command line still reads as a whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from intake import cli

REPO = Path(__file__).resolve().parents[2]


def _subcommands(parser) -> set[str]:
    return set(next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices)


def test_running_a_command_imports_only_its_module():
    code = ("import sys; from intake import cli; cli.build_parser(cli._command_of(sys.argv[1:]))\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('intake.cli.commands.')))")
    out = subprocess.run([sys.executable, "-c", code, "--db", "sqlite:///x", "replay", "a.mbox"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['replay']"


@pytest.mark.parametrize("argv, command", [
    (["replay", "x.mbox"], "replay"),
    (["--db", "sqlite:///export", "export"], "export"),
    (["--co", "replay", "status"], "status"),  # an abbreviated option's value is not the command
    (["-v", "keys", "status"], "keys"),
    (["--version"], None),
])
def test_the_command_word_is_found_past_the_common_options(argv, command):
    assert cli._command_of(argv) == command


def test_a_command_two_modules_name_is_found_in_both():
    # "status" is a command (daemon.py) and a verb of `keys` (keys.py).
    assert cli._modules_naming("status") == ["daemon", "keys"]
    assert "status" in _subcommands(cli.build_parser("status"))


def test_an_unknown_word_gives_the_whole_command_line():
    assert _subcommands(cli.build_parser("nonsense")) == _subcommands(cli.build_parser())
    assert {"replay", "chart", "export", "user", "serve"} <= _subcommands(cli.build_parser())


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for name in ("replay", "chart", "export", "user", "retention", "keys", "serve", "status"):
        assert name in out
