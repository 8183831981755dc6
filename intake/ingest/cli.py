"""The `intake` command. Each command group lives in its own module under
intake/ingest/commands/ and exposes ``register(subparsers)``; this file only
assembles them, so adding a command never edits a shared file."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from intake import __version__
from intake.config.settings import ConfigError, load_settings
from intake.logs import setup_logging

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="site config TOML (default: $INTAKE_CONFIG)")
    common.add_argument("--db", metavar="URL", help="store URL, overrides config (e.g. sqlite:///var/intake.sqlite)")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging (still no form content)")
    parser = argparse.ArgumentParser(
        prog="intake",
        description="Receive, parse and link intelligence report forms.",
    )
    parser.add_argument("--version", action="version", version=f"intake {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from intake.ingest import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"intake.ingest.commands.{info.name}")
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    setup_logging(verbose=getattr(args, "verbose", False))
    try:
        settings = load_settings(getattr(args, "config", None), getattr(args, "db", None))
        return int(args.func(args, settings) or 0)
    except ConfigError as exc:
        print(f"intake: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `intake export | head`: the reader left; that is not an error.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("intake: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
