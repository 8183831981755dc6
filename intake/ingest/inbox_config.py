"""The ``[[inbox]]`` settings: one table per mailbox the daemon reads.

Everything is validated up front so a typo stops the daemon at start with a
message saying what to fix, rather than failing at 3 a.m. Secrets are not
read here: an inbox keeps only *where* its secret lives (``password_env`` /
``password_file`` / ``token_command``); connection.py fetches it at login,
so a rotated password is picked up without a restart.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from intake.config.settings import ConfigError

TLS_MODES = ("implicit", "starttls", "none")
AUTH_MODES = ("password", "xoauth2")
AFTER_KINDS = ("move", "flag", "keyword", "none")
# RFC 3501 system flags; anything else must be a keyword.
SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# An IMAP atom: no specials, no spaces, no wildcards (RFC 3501 atom-specials).
KEYWORD_RE = re.compile(r"^[!#$&'+\-.0-9:;<=>?@A-Z^_`a-z|~]{1,64}$")
EVERY_RE = re.compile(r"^every\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$", re.I)

KNOWN_KEYS = {
    "name", "host", "port", "tls", "ca_file", "username", "auth",
    "password_env", "password_file", "token_command", "token_timeout_s",
    "folders", "after", "schedule", "idle", "idle_renew_s", "batch_size",
    "batch_bytes", "timeout_s", "backoff_initial_s", "backoff_max_s",
    "unhealthy_after_s", "timezone",
    # sender verification (ingest/sender.py); each falls back to [sender]
    "sender_domains", "trusted_authserv_ids", "sender_require",
}


@dataclass(frozen=True)
class After:
    """What to do to a message in the mailbox once it is safely stored."""

    kind: str  # move | flag | keyword | none
    arg: str | None = None  # target folder, flag or keyword

    @property
    def changes_mailbox(self) -> bool:
        return self.kind != "none"

    def __str__(self) -> str:
        return self.kind if self.arg is None else f"{self.kind}:{self.arg}"


@dataclass(frozen=True)
class Schedule:
    text: str
    interval_s: int | None = None
    cron: str | None = None

    timezone: str = "UTC"  # for cron expressions: "7-19" means office hours here

    def trigger(self):
        if self.interval_s is not None:
            return IntervalTrigger(seconds=self.interval_s, timezone=self.timezone)
        return CronTrigger.from_crontab(self.cron, timezone=self.timezone)


@dataclass(frozen=True)
class InboxConfig:
    name: str
    host: str
    username: str
    port: int = 993
    tls: str = "implicit"
    ca_file: str | None = None
    auth: str = "password"
    # Where the secret lives; the secret itself is never held here.
    secret: dict[str, str] = field(default_factory=dict)
    token_command: str | None = None
    token_timeout_s: float = 30.0
    folders: tuple[str, ...] = ("INBOX",)
    after: After = After("none")
    schedule: Schedule = Schedule("every 60s", interval_s=60)
    idle: bool = True
    idle_renew_s: int = 300
    batch_size: int = 25
    batch_bytes: int = 32 * 1024 * 1024
    timeout_s: float = 60.0
    backoff_initial_s: float = 5.0
    backoff_max_s: float = 600.0
    unhealthy_after_s: int = 900
    # Sender verification for this inbox, over [sender]: only the keys the
    # inbox sets (allowed_domains, trusted_authserv_ids, require).
    sender: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def origin(self, folder: str, uidvalidity: int, uid: int) -> str:
        """docs/export.md: imap://user@host/INBOX;UIDVALIDITY=1;UID=42"""
        return f"imap://{self.username}@{self.host}/{folder};UIDVALIDITY={uidvalidity};UID={uid}"

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.host)

    def describe(self) -> str:
        """Safe for logs: no secret, no content."""
        return f"{self.name} ({self.username}@{self.host}:{self.port}, tls={self.tls})"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_after(text: str, where: str) -> After:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: 'after' must be a string such as \"move:Processed\"")
    text = text.strip()
    if text == "none":
        return After("none")
    kind, sep, arg = text.partition(":")
    if kind not in AFTER_KINDS or kind == "none" or not sep or not arg:
        raise ConfigError(
            f"{where}: after = {text!r} is not understood; use \"move:FOLDER\", "
            f"\"flag:\\\\Seen\", \"keyword:intake-done\" or \"none\""
        )
    if kind == "flag":
        canon = {f.lower(): f for f in SYSTEM_FLAGS}.get(arg.lower())
        if canon is None or canon == "\\Deleted":
            # \Deleted would let anyone's EXPUNGE destroy the evidence trail.
            raise ConfigError(
                f"{where}: after flag {arg!r} is not allowed; use one of "
                "\\Seen, \\Answered, \\Flagged, \\Draft (or keyword:NAME)"
            )
        arg = canon
    elif kind == "keyword":
        if arg.startswith("\\") or not KEYWORD_RE.match(arg):
            raise ConfigError(f"{where}: keyword {arg!r} must be a plain IMAP atom like intake-done")
    elif kind == "move":
        if any(ch in arg for ch in "\r\n\0*%"):
            raise ConfigError(f"{where}: move target {arg!r} contains characters not allowed in a folder name")
    return After(kind, arg)


def parse_schedule(text: Any, where: str, timezone: Any = "UTC") -> Schedule:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: 'schedule' must be \"every 60s\" or a 5-field cron expression")
    text = text.strip()
    m = EVERY_RE.match(text)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        seconds = n * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
        if seconds < 1:
            raise ConfigError(f"{where}: schedule {text!r} must be at least 1 second")
        return Schedule(text, interval_s=seconds)
    if not isinstance(timezone, str):
        raise ConfigError(f"{where}: timezone must be a name such as \"Europe/London\"")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone {timezone!r} is unknown; use a name such as \"Europe/London\"") from None
    try:
        CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as exc:
        raise ConfigError(
            f"{where}: schedule {text!r} is neither \"every N s|m|h\" nor a valid cron expression ({exc})"
        ) from None
    return Schedule(text, cron=text, timezone=timezone)


def _num(table: dict, key: str, where: str, default, kind=float, minimum=0):
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {key} must be a number")
    if value < minimum:
        raise ConfigError(f"{where}: {key} must be at least {minimum}")
    return kind(value)


def parse_inbox(table: dict[str, Any], index: int) -> InboxConfig:
    where = f"[[inbox]] #{index + 1}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    name = table.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ConfigError(f"{where}: 'name' is required: letters, digits, '_', '.', '-' (max 64)")
    where = f"[[inbox]] {name!r}"
    unknown = sorted(set(table) - KNOWN_KEYS - {"password"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if "password" in table:
        raise ConfigError(f"{where}: a literal 'password' is not allowed in config; use password_env or password_file")
    for key in ("host", "username"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ConfigError(f"{where}: '{key}' is required")
    host = table["host"].strip()
    tls = table.get("tls", "implicit")
    if tls not in TLS_MODES:
        raise ConfigError(f"{where}: tls must be one of {', '.join(TLS_MODES)}")
    if tls == "none" and not is_loopback(host):
        raise ConfigError(
            f"{where}: tls = \"none\" is refused for {host}: credentials and reports would cross "
            "the network in clear; use \"implicit\" or \"starttls\" (plaintext is allowed only to loopback)"
        )
    port = table.get("port", 993 if tls == "implicit" else 143)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"{where}: port must be an integer 1-65535")
    ca_file = table.get("ca_file")
    if ca_file is not None and (not isinstance(ca_file, str) or not ca_file):
        raise ConfigError(f"{where}: ca_file must be a path")
    auth = table.get("auth", "password")
    if auth not in AUTH_MODES:
        raise ConfigError(f"{where}: auth must be one of {', '.join(AUTH_MODES)}")
    secret = {k: table[k] for k in ("password_env", "password_file") if k in table}
    for k, v in secret.items():
        if not isinstance(v, str) or not v:
            raise ConfigError(f"{where}: {k} must be a non-empty string")
    token_command = table.get("token_command")
    if auth == "password":
        if len(secret) != 1:
            raise ConfigError(f"{where}: give exactly one of password_env or password_file")
        if token_command:
            raise ConfigError(f"{where}: token_command needs auth = \"xoauth2\"")
    else:
        if not isinstance(token_command, str) or not token_command.strip():
            raise ConfigError(f"{where}: auth = \"xoauth2\" needs token_command (prints an access token)")
        if secret:
            raise ConfigError(f"{where}: auth = \"xoauth2\" takes token_command, not a password")
    folders = table.get("folders", ["INBOX"])
    if (not isinstance(folders, list) or not folders
            or not all(isinstance(f, str) and f.strip() for f in folders)):
        raise ConfigError(f"{where}: folders must be a non-empty list of folder names")
    if len(set(folders)) != len(folders):
        raise ConfigError(f"{where}: folders lists a folder twice")
    after = parse_after(table.get("after", "none"), where)
    if after.kind == "move" and after.arg in folders:
        raise ConfigError(f"{where}: cannot move processed mail into {after.arg!r}, which is also read")
    schedule = parse_schedule(table.get("schedule", "every 60s"), where, table.get("timezone", "UTC"))
    idle = table.get("idle", True)
    if not isinstance(idle, bool):
        raise ConfigError(f"{where}: idle must be true or false")
    sender = _sender_policy(table, where)
    return InboxConfig(
        name=name, host=host, port=port, tls=tls, ca_file=ca_file,
        username=table["username"].strip(), auth=auth, secret=secret,
        token_command=token_command,
        token_timeout_s=_num(table, "token_timeout_s", where, 30.0, minimum=1),
        folders=tuple(folders), after=after, schedule=schedule, idle=idle,
        # RFC 2177: re-issue IDLE at least every 29 minutes; NAT boxes and
        # some servers drop idle connections far sooner.
        idle_renew_s=_num(table, "idle_renew_s", where, 300, int, minimum=1),
        batch_size=_num(table, "batch_size", where, 25, int, minimum=1),
        batch_bytes=_num(table, "batch_bytes", where, 32 * 1024 * 1024, int, minimum=1024),
        timeout_s=_num(table, "timeout_s", where, 60.0, minimum=1),
        backoff_initial_s=_num(table, "backoff_initial_s", where, 5.0, minimum=0.1),
        backoff_max_s=_num(table, "backoff_max_s", where, 600.0, minimum=0.1),
        unhealthy_after_s=_num(table, "unhealthy_after_s", where, 900, int, minimum=1),
        sender=sender,
    )


def _sender_policy(table: dict, where: str) -> dict[str, tuple[str, ...]]:
    """The inbox's own sender-verification keys, checked like [sender]'s."""
    from intake.config.schema import SENDER_CHECKS, _domains

    out: dict[str, tuple[str, ...]] = {}
    for key, name in (("sender_domains", "allowed_domains"), ("trusted_authserv_ids", "trusted_authserv_ids"),
                      ("sender_require", "require")):
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where}: {key} must be a list of strings")
        if key == "sender_domains":
            try:
                value = _domains(value)
            except ValueError as exc:
                raise ConfigError(f"{where}: {key}: {exc}") from None
        if key == "sender_require" and any(v not in SENDER_CHECKS for v in value):
            raise ConfigError(f"{where}: {key} must list some of {', '.join(SENDER_CHECKS)}")
        out[name] = tuple(v.strip() for v in value)
    return out


def _resolve_paths(ib: InboxConfig, base: Path) -> InboxConfig:
    """Relative ca_file / password_file are relative to the config file's
    folder, like every other path in the config (settings.base_dir)."""
    import dataclasses

    def absolute(p: str) -> str:
        return p if Path(p).is_absolute() else str(base / p)

    secret = dict(ib.secret)
    if "password_file" in secret:
        secret["password_file"] = absolute(secret["password_file"])
    return dataclasses.replace(ib, ca_file=absolute(ib.ca_file) if ib.ca_file else None, secret=secret)


def load_inboxes(settings) -> list[InboxConfig]:
    """Every ``[[inbox]]`` table, validated. Names must be unique: they key
    the store's state and the per-inbox lock."""
    tables = settings.raw.get("inbox", [])
    if isinstance(tables, dict):
        tables = [tables]
    if not isinstance(tables, list):
        raise ConfigError("'inbox' must be an array of tables: [[inbox]]")
    inboxes = [_resolve_paths(parse_inbox(t, i), settings.base_dir) for i, t in enumerate(tables)]
    seen: set[str] = set()
    for ib in inboxes:
        if ib.name in seen:
            raise ConfigError(f"[[inbox]] name {ib.name!r} is used twice")
        seen.add(ib.name)
    return inboxes


def select_inboxes(inboxes: list[InboxConfig], name: str | None) -> list[InboxConfig]:
    if name is None:
        return inboxes
    chosen = [ib for ib in inboxes if ib.name == name]
    if not chosen:
        known = ", ".join(ib.name for ib in inboxes) or "none configured"
        raise ConfigError(f"no [[inbox]] named {name!r} (known: {known})")
    return chosen
