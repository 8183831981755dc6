"""The `intake` command. Each command group lives in its own module under
intake/cli/commands/ and exposes ``register(subparsers, common)``; this
file only assembles them, so adding a command never edits a shared file.

Every command goes through the same start: settings loaded and checked
(schema, then intake/cli/preflight.py), logging set up from
``[logging]``, then the handler. Every failure ends as one line on stderr
and an exit code from intake/cli/exit_codes.py; a fault in intake itself
is logged with where it happened but no message text (it could quote a
document)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import re
import sys
from importlib import resources

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from intake import __version__
from intake.cli.exit_codes import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STORE,
    EXIT_STORE_WRITE,
    EXIT_USAGE,
)
from intake.config.settings import ConfigError, load_settings
from intake.logs import log_fault, setup_logging
from intake.types import IntakeError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_STORE", "EXIT_STORE_WRITE"]

log = logging.getLogger("intake.cli")

EPILOG = ("exit codes: 0 done; 1 something asked for failed; 2 bad arguments or configuration; "
          "3 store cannot be used; 4 store cannot be written (disk full, read-only); 70 a fault in intake; "
          "130 interrupted. See docs/operations.md.")


def _common(suppress: bool) -> argparse.ArgumentParser:
    # The same options on the main parser and on every subcommand, so they go
    # before or after the command; on a subcommand an option not given must
    # not overwrite one given before it (SUPPRESS).
    default = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--config", metavar="PATH", default=default,
                   help="site config TOML (default: $INTAKE_CONFIG)")
    p.add_argument("--db", metavar="URL", default=default,
                   help="store URL, overrides config (e.g. sqlite:////var/lib/intake/intake.sqlite)")
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="debug logging (still no form content)")
    return p


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command``, only the modules that
    register that command are imported (importing every command's module
    costs a run more than a second of start-up), the rest not at all."""
    parser = argparse.ArgumentParser(
        prog="intake",
        description="Receive, parse and link intelligence report forms.",
        parents=[_common(suppress=False)],
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"intake {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common(suppress=True)
    names = _modules_naming(command) if command else None
    for name in names or _command_modules():
        importlib.import_module(f"intake.cli.commands.{name}").register(sub, common)
    if names and command not in sub.choices:
        return build_parser()
    return parser


def _command_modules() -> list[str]:
    from intake.cli import commands

    return sorted(info.name for info in pkgutil.iter_modules(commands.__path__))


_ADD_PARSER = re.compile(r"""\.add_parser\(\s*["']([\w-]+)["']""")


def _modules_naming(command: str) -> list[str]:
    """The command modules whose source adds a parser called ``command``
    (read, not imported). A module that names a command some other way is
    still found: with no module named, every module is imported."""
    from intake.cli import commands

    out = []
    for name in _command_modules():
        try:
            source = resources.files(commands).joinpath(f"{name}.py").read_text(encoding="utf-8")
        except (OSError, UnicodeError):
            return []
        if command in _ADD_PARSER.findall(source):
            out.append(name)
    return out


def _command_of(argv: list[str]) -> str | None:
    """The command word of ``argv``: its first argument that is neither an
    option nor the value of one (the common options go before it too)."""
    takes_value = {"--config", "--db"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        # argparse also takes an option by a prefix of its name (--co).
        if len(arg) > 2 and "=" not in arg and any(o.startswith(arg) for o in takes_value):
            i += 2
            continue
        if not arg.startswith("-"):
            return arg
        i += 1
    return None


def _start_workers_early(argv: list[str]) -> None:
    """A replay's analysis workers come from a fork server that loads the
    model first (analysis/fork_server.py: about 2.5 s of CPU); started here,
    before this process imports the store and reads its settings (about a
    second), the two run side by side on two cores instead of one after the
    other. Not for a run that analyses in this process or only asks for
    help. The server is a fresh interpreter holding none of this process's
    files; it stops when this process does."""
    if os.environ.get("INTAKE_INLINE_ANALYSIS") == "1" or {"--inline", "-h", "--help"} & set(argv):
        return
    try:
        from intake.analysis.fork_server import start_fork_server

        start_fork_server()
    except Exception as exc:  # noqa: BLE001 - an optimisation: the replay starts it again when it needs it
        log_fault(logging.getLogger(__name__), "could not start the analysis fork server early", exc)


def _say(text: str) -> None:
    print(f"intake: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_of(argv)
    if command == "replay":
        _start_workers_early(argv)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    verbose = bool(getattr(args, "verbose", False))
    try:
        settings = load_settings(getattr(args, "config", None), getattr(args, "db", None))
        from intake.cli import preflight

        preflight.check(settings, tuple(getattr(args, "uses", ("store",))))
    except ConfigError as exc:
        return _config_failure(exc)
    setup_logging(verbose=verbose, level=settings.model.logging.level, fmt=settings.model.logging.format)
    try:
        return int(args.func(args, settings) or EXIT_OK)
    except ConfigError as exc:
        return _config_failure(exc)
    except BrokenPipeError:
        # `intake export | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except (SQLAlchemyError, OSError, IntakeError) as exc:
        return _failure(exc, settings)
    except Exception as exc:  # noqa: BLE001 - one line and a logged fault, never a raw traceback
        log_fault(log, "command %s failed", exc, args.command)
        _say(f"internal error ({type(exc).__name__}) in intake; the log above says where")
        return EXIT_INTERNAL


def _config_failure(exc: ConfigError) -> int:
    """Every problem found, one documented line each: `intake: <code>: ...`."""
    for code, problem in zip(exc.codes, exc.problems):
        _say(f"{code}: {problem}")
    return EXIT_USAGE


def _failure(exc: BaseException, settings) -> int:
    from intake.store.db import StoreError, store_fault

    if isinstance(exc, StoreError):
        err = exc
    elif isinstance(exc, IntakeError):
        _say(f"{exc.code}: {exc.detail}")
        return EXIT_FAILED
    else:
        err = store_fault(exc, settings.store_url if isinstance(exc, SQLAlchemyError) else None)
    if err is not None:
        _say(f"{err.code}: {err.detail}")
        return EXIT_STORE_WRITE if err.write_fault else EXIT_STORE
    if isinstance(exc, OSError) and exc.strerror:
        # A file the operator named (an -o output, an archive): the terminal
        # may show its path; logs never do.
        _say(f"{exc.strerror}" + (f": {exc.filename}" if exc.filename else ""))
        return EXIT_FAILED
    if isinstance(exc, SQLAlchemyError) and not isinstance(exc, (OperationalError, InterfaceError)):
        # A constraint, a statement or a mapping the store refused: the
        # store is fine, intake asked it something wrong (a bug).
        log_fault(log, "store refused a statement", exc)
        _say(f"internal error ({type(exc).__name__}) in intake; the log above says where")
        return EXIT_INTERNAL
    log_fault(log, "store failure", exc)
    _say(f"store error ({type(exc).__name__}); the log above says where")
    return EXIT_STORE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
