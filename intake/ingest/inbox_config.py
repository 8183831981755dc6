"""The ``[[inbox]]`` settings as the IMAP code uses them: one ``InboxConfig``
per mailbox the daemon reads, made from the typed, checked tables of the
settings model (intake/config/schema.py InboxSettings, where the keys, their
defaults and every check live). Paths are made absolute here and the
``after`` and ``schedule`` texts turned into what the IMAP pass and the
scheduler use. Secrets are not read here: an inbox keeps only *where* its
secret lives; connection.py fetches it at login, so a rotated password is
picked up without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from intake.config.schema import (
    InboxSettings,
    check_after,
    check_schedule,
    inbox_table,
    is_loopback_host,
)
from intake.config.settings import ConfigError


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
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.interval_s is not None:
            return IntervalTrigger(seconds=self.interval_s, timezone=self.timezone)
        return CronTrigger.from_crontab(self.cron, timezone=self.timezone)


_DEFAULTS = {k: f.default for k, f in InboxSettings.model_fields.items()}


@dataclass(frozen=True)
class InboxConfig:
    name: str
    host: str
    username: str
    port: int = 993
    tls: str = _DEFAULTS["tls"]
    ca_file: str | None = None
    auth: str = _DEFAULTS["auth"]
    # Where the secret lives; the secret itself is never held here.
    secret: dict[str, str] = field(default_factory=dict)
    token_command: str | None = None
    token_timeout_s: float = _DEFAULTS["token_timeout_s"]
    folders: tuple[str, ...] = tuple(_DEFAULTS["folders"])
    after: After = After("none")
    schedule: Schedule = Schedule(_DEFAULTS["schedule"], interval_s=60)
    idle: bool = _DEFAULTS["idle"]
    idle_renew_s: int = _DEFAULTS["idle_renew_s"]
    batch_size: int = _DEFAULTS["batch_size"]
    batch_bytes: int = _DEFAULTS["batch_bytes"]
    timeout_s: float = _DEFAULTS["timeout_s"]
    backoff_initial_s: float = _DEFAULTS["backoff_initial_s"]
    backoff_max_s: float = _DEFAULTS["backoff_max_s"]
    unhealthy_after_s: int = _DEFAULTS["unhealthy_after_s"]
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
    return is_loopback_host(host)


def parse_after(text: str, where: str) -> After:
    try:
        return After(*check_after(text, where))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def parse_schedule(text: Any, where: str, timezone: Any = "UTC") -> Schedule:
    try:
        text, interval_s, tz = check_schedule(text, where, timezone)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Schedule(text, interval_s=interval_s) if interval_s is not None else Schedule(text, cron=text, timezone=tz)


def inbox_config(model: InboxSettings, base: Path | None = None) -> InboxConfig:
    """The IMAP code's view of a checked table. Relative ca_file and
    password_file are relative to the config file's folder, like every other
    path in the config (settings.base_dir)."""

    def absolute(p: str) -> str:
        return p if base is None or Path(p).is_absolute() else str(base / p)

    secret = {k: getattr(model, k) for k in ("password_env", "password_file") if getattr(model, k) is not None}
    if "password_file" in secret:
        secret["password_file"] = absolute(secret["password_file"])
    sender = {name: tuple(getattr(model, key))
              for key, name in (("sender_domains", "allowed_domains"), ("trusted_authserv_ids", "trusted_authserv_ids"),
                                ("sender_require", "require"))
              if getattr(model, key) is not None}
    return InboxConfig(
        name=model.name, host=model.host, port=model.port, tls=model.tls,
        ca_file=absolute(model.ca_file) if model.ca_file else None,
        username=model.username, auth=model.auth, secret=secret, token_command=model.token_command,
        token_timeout_s=model.token_timeout_s, folders=tuple(model.folders),
        after=parse_after(model.after, model.name),
        schedule=parse_schedule(model.schedule, model.name, model.timezone),
        idle=model.idle, idle_renew_s=model.idle_renew_s, batch_size=model.batch_size,
        batch_bytes=model.batch_bytes, timeout_s=model.timeout_s, backoff_initial_s=model.backoff_initial_s,
        backoff_max_s=model.backoff_max_s, unhealthy_after_s=model.unhealthy_after_s, sender=sender,
    )


def parse_inbox(table: dict[str, Any], index: int) -> InboxConfig:
    """One table, checked as the settings model checks it (a ConfigError names
    the table and the problem); relative paths stay as written."""
    try:
        return inbox_config(InboxSettings(**inbox_table(table, index)))
    except ValueError as exc:
        if isinstance(exc, ValidationError):  # a value the checks let through but the model types refuse
            raise ConfigError(f"[[inbox]] #{index + 1}: {exc.errors(include_url=False)[0]['msg']}") from None
        raise ConfigError(str(exc)) from None


def load_inboxes(settings) -> list[InboxConfig]:
    """Every ``[[inbox]]`` table of the settings, checked by the model (a
    problem is a ConfigError naming the file and the table)."""
    return [inbox_config(model, settings.base_dir) for model in settings.model.inbox]


def select_inboxes(inboxes: list[InboxConfig], name: str | None) -> list[InboxConfig]:
    if name is None:
        return inboxes
    chosen = [ib for ib in inboxes if ib.name == name]
    if not chosen:
        known = ", ".join(ib.name for ib in inboxes) or "none configured"
        raise ConfigError(f"no [[inbox]] named {name!r} (known: {known})")
    return chosen
