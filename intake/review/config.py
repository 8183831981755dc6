"""The review app's settings ([review] in the site config)."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from intake.config.settings import ConfigError, read_secret


@dataclass(frozen=True)
class ReviewConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    tls_cert: str = ""
    tls_key: str = ""
    behind_proxy: bool = False
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    page_size: int = 50
    cache_mb: int = 256
    secret: str = ""

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
    sec = dict(settings.section("review")) if settings is not None else {}
    base = Path(settings.base_dir) if settings is not None else Path.cwd()

    def path(key: str) -> str:
        v = sec.get(key) or ""
        return str((base / v).resolve()) if v else ""

    secret = read_secret(sec, "secret_key", "review") if settings is not None else None
    cfg = ReviewConfig(
        host=host or sec.get("host", "127.0.0.1"),
        port=int(port or sec.get("port", 8080)),
        tls_cert=path("tls_cert"), tls_key=path("tls_key"),
        behind_proxy=bool(sec.get("behind_proxy", False)),
        session_idle_minutes=int(sec.get("session_idle_minutes", 30)),
        session_max_hours=int(sec.get("session_max_hours", 12)),
        login_max_failures=int(sec.get("login_max_failures", 5)),
        login_lockout_minutes=int(sec.get("login_lockout_minutes", 15)),
        page_size=int(sec.get("page_size", 50)),
        cache_mb=int(sec.get("cache_mb", 256)),
        # Only signs the login form's CSRF cookie; a fresh one per start
        # just means a login page open across a restart must be reloaded.
        secret=secret or secrets.token_urlsafe(32),
    )
    if bool(cfg.tls_cert) != bool(cfg.tls_key):
        raise ConfigError("[review] tls_cert and tls_key go together: set both or neither")
    for key in ("tls_cert", "tls_key"):
        p = getattr(cfg, key)
        if p and not Path(p).is_file():
            raise ConfigError(f"[review] {key}: no such file: {p}")
    if not is_loopback(cfg.host) and not cfg.tls and not cfg.behind_proxy:
        raise ConfigError(
            f"[review] serving on {cfg.host} (not loopback) needs TLS: set tls_cert and tls_key, "
            "or behind_proxy = true when a TLS proxy on this machine forwards to it")
    return cfg
