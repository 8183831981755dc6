"""The review app's settings ([review] in the site config)."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from intake.config.schema import ReviewSettings
from intake.config.settings import ConfigError, read_secret


@dataclass(frozen=True)
class ReviewConfig:
    """[review] as the app runs with it: the typed settings (intake/config/schema.py
    ReviewSettings, where every default is stated), paths made absolute, the
    command line's --host/--port applied, and the signing secret read."""

    host: str
    port: int
    tls_cert: str
    tls_key: str
    behind_proxy: bool
    session_idle_minutes: int
    session_max_hours: int
    login_max_failures: int
    login_lockout_minutes: int
    page_size: int
    cache_mb: int
    secret: str

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def max_age(self) -> timedelta:
        return timedelta(hours=self.session_max_hours)

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.login_lockout_minutes)

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert and self.tls_key)

    @property
    def secure_cookies(self) -> bool:
        # Behind a TLS-terminating proxy the browser still speaks HTTPS.
        return self.tls or self.behind_proxy


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def review_config(settings, host: str | None = None, port: int | None = None) -> ReviewConfig:
    sec = settings.model.review if settings is not None else ReviewSettings()
    base = Path(settings.base_dir) if settings is not None else Path.cwd()

    def path(value: str) -> str:
        return str((base / value).resolve()) if value else ""

    secret = read_secret(sec.model_dump(), "secret_key", "review") if settings is not None else None
    cfg = ReviewConfig(
        host=host or sec.host,
        port=int(port or sec.port),
        tls_cert=path(sec.tls_cert), tls_key=path(sec.tls_key),
        behind_proxy=sec.behind_proxy,
        session_idle_minutes=sec.session_idle_minutes,
        session_max_hours=sec.session_max_hours,
        login_max_failures=sec.login_max_failures,
        login_lockout_minutes=sec.login_lockout_minutes,
        page_size=sec.page_size,
        cache_mb=sec.cache_mb,
        # Only signs the login form's CSRF cookie; a fresh one per start
        # just means a login page open across a restart must be reloaded.
        secret=secret or secrets.token_urlsafe(32),
    )
    # tls_cert and tls_key go together: the settings model refuses one alone.
    for key in ("tls_cert", "tls_key"):
        p = getattr(cfg, key)
        if p and not Path(p).is_file():
            raise ConfigError(f"[review] {key}: no such file: {p}")
    if not is_loopback(cfg.host) and not cfg.tls and not cfg.behind_proxy:
        raise ConfigError(
            f"[review] serving on {cfg.host} (not loopback) needs TLS: set tls_cert and tls_key, "
            "or behind_proxy = true when a TLS proxy on this machine forwards to it")
    return cfg
