"""`intake user add|passwd|disable|enable|unlock|list`: review-app accounts.

Passwords are typed at a prompt (twice) or read from standard input with
--password-stdin (one line), never taken from the command line, where
other users could see them in the process list. Without a terminal and
without --password-stdin, or with a password that breaks the rule
(users.check_password_policy, docs/operations.md), nothing is changed and
the exit is 2.
"""

from __future__ import annotations

import getpass
import sys

from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intake.store import repository as repo
from intake.store import users as users_store
from intake.store.db import open_store


def register(sub, common) -> None:
    p = sub.add_parser("user", parents=[common], help="manage review-app users (officer, analyst, admin)")
    verbs = p.add_subparsers(dest="verb", metavar="ACTION", required=True)
    a = verbs.add_parser("add", parents=[common], help="add a user")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=users_store.ROLES)
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.set_defaults(func=run_add)
    a = verbs.add_parser("passwd", parents=[common], help="set a user's password (ends their sessions)")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true")
    a.set_defaults(func=run_passwd)
    for verb, helptext in (("disable", "disable a user (ends their sessions)"), ("enable", "enable a user again"),
                           ("unlock", "clear a lock-out after failed sign-ins")):
        a = verbs.add_parser(verb, parents=[common], help=helptext)
        a.add_argument("name")
        a.set_defaults(func=run_state, verb=verb)
    a = verbs.add_parser("list", parents=[common], help="list users")
    a.set_defaults(func=run_list)


class _Refused(Exception):
    """No usable password: the message is the line to print, ``code`` the exit."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _password(args, name: str) -> str:
    """The new password, checked against the rule (docs/operations.md,
    Users) before the store is opened."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise _Refused("no terminal to type the password at; give it on standard input with "
                           "--password-stdin (e.g. from a file only the operator can read)", EXIT_USAGE)
        try:
            first = getpass.getpass(f"Password for {name}: ")
            second = getpass.getpass("Again: ")
        except EOFError:
            raise _Refused("no password typed; nothing changed", EXIT_USAGE) from None
        if first != second:
            raise _Refused("the two passwords differ; nothing changed", EXIT_FAILED)
        password = first
    try:
        users_store.check_password_policy(password, name)
    except users_store.UserError as exc:
        raise _Refused(f"{exc}; nothing changed", EXIT_USAGE) from None
    return password


def _new_password(args) -> str | int:
    try:
        return _password(args, args.name)
    except _Refused as exc:
        print(f"intake user: {exc}", file=sys.stderr)
        return exc.code


def _actor() -> str:
    return "cli:" + getpass.getuser()


def _run(fn) -> int:
    def wrapper(args, settings) -> int:
        try:
            with open_store(settings) as store, store.transaction() as s:
                return fn(s, args)
        except users_store.UserError as exc:
            print(f"intake user: {exc}", file=sys.stderr)
            return EXIT_FAILED
    return wrapper


def run_add(args, settings) -> int:
    password = _new_password(args)
    if isinstance(password, int):
        return password

    def add(s, args):
        user = users_store.add_user(s, args.name, args.role, password)
        repo.audit(s, _actor(), "user.added", "user", user.username, role=user.role)
        print(f"added {user.username} ({user.role})")
        return EXIT_OK
    return _run(add)(args, settings)


def run_passwd(args, settings) -> int:
    password = _new_password(args)
    if isinstance(password, int):
        return password

    def passwd(s, args):
        user = users_store.set_password(s, args.name, password)
        repo.audit(s, _actor(), "user.password_set", "user", user.username)
        print(f"password set for {user.username}; their sessions have ended")
        return EXIT_OK
    return _run(passwd)(args, settings)


def run_state(args, settings) -> int:
    def change(s, args):
        if args.verb == "unlock":
            user = users_store.unlock(s, args.name)
        else:
            user = users_store.set_active(s, args.name, args.verb == "enable")
        repo.audit(s, _actor(), f"user.{args.verb}", "user", user.username)
        print(f"{user.username}: {args.verb}d")
        return EXIT_OK
    return _run(change)(args, settings)


def run_list(args, settings) -> int:
    def show(s, args):
        for u in users_store.list_users(s):
            state = "active" if u.active else "disabled"
            print(f"{u.username:<24} {u.role:<8} {state:<9} last sign-in "
                  f"{u.last_login_at.strftime('%Y-%m-%d %H:%M') if u.last_login_at else 'never'}")
        return EXIT_OK
    return _run(show)(args, settings)
