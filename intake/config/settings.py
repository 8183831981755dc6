"""Load settings: a site TOML file, then the environment, then command-line
overrides (``--db``), checked against the model in intake/config/schema.py
(where every default lives).

A ``ConfigError`` is one line that names the file (or the flag or variable
the value came from) and the key, and never repeats a secret.
"""

from __future__ import annotations

import copy
import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from intake.config.schema import SECTIONS, IntakeSettings

ENV_CONFIG = "INTAKE_CONFIG"
ENV_DB_URL = "INTAKE_DB_URL"


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix.
    ``problems``: every problem found, each a line of its own (the message
    is the first); ``code``: the exception code the command prints them
    under (config_invalid, or template_invalid for a template file)."""

    def __init__(self, message: str = "", *, problems: list[str] | None = None, code: str = "config_invalid",
                 codes: list[str] | None = None):
        self.problems = list(problems) if problems else [message]
        self.code = code
        # One code per problem when they differ (a setting and a template file).
        self.codes = list(codes) if codes else [code] * len(self.problems)
        super().__init__(message or self.problems[0])


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
    """The checked settings. ``raw`` is the site's own tables (before
    defaults); ``model`` the typed settings, ``[[inbox]]`` tables included;
    ``section(name)`` is a plain dict of a table with every default filled in.

    Constructed directly (tests: ``Settings(raw={"parsing": {...}})``) the
    tables are checked on first use, without the file-system checks."""

    raw: dict[str, Any] = field(default_factory=dict)
    config_path: Path | None = None
    # Where [store] url came from when not from the file: "--db" or "$INTAKE_DB_URL".
    url_source: str | None = None
    _model: IntakeSettings | None = field(default=None, repr=False, compare=False)

    @property
    def model(self) -> IntakeSettings:
        if self._model is None:
            self._model = validate(self.raw, self.config_path, self.url_source, check_paths=False)
        return self._model

    @property
    def source(self) -> str:
        """What error messages name: the config file, or "defaults"."""
        return str(self.config_path) if self.config_path else "defaults (no --config or $INTAKE_CONFIG)"

    def updated(self, table: str, **values: Any) -> "Settings":
        """A copy with some keys of one table set (checked like the file's)."""
        raw = copy.deepcopy(self.raw)
        raw.setdefault(table, {}).update(values)
        return Settings(raw=raw, config_path=self.config_path, url_source=self.url_source)

    def section(self, name: str) -> dict[str, Any]:
        if name in SECTIONS:
            return getattr(self.model, name).model_dump()
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def base_dir(self) -> Path:
        """Relative paths in config are relative to the config file's folder,
        or to the working directory when there is no file."""
        return self.config_path.parent if self.config_path else Path.cwd()

    def path(self, value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else self.base_dir / p

    @property
    def data_dir(self) -> Path:
        return self.path(self.model.store.data_dir)

    @property
    def store_url(self) -> str:
        url = self.model.store.url
        if not url:
            return f"sqlite:///{(self.data_dir / 'intake.sqlite').as_posix()}"
        return url

    @property
    def store_url_source(self) -> str:
        if self.url_source:
            return self.url_source
        return self.source if self.model.store.url else f"[store] data_dir in {self.source}"

    @property
    def store_password(self) -> str | None:
        table = self.section("store")
        if table.get("password_file"):
            table["password_file"] = str(self.path(table["password_file"]))
        return read_secret(table, "password", f"{self.source}: [store]")

    @property
    def spacy_model(self) -> str:
        return self.model.extract.spacy_model


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


_EXPECTED = {
    "int_type": "an integer", "int_from_float": "an integer", "float_type": "a number",
    "string_type": "a string", "bool_type": "true or false", "list_type": "a list such as [\"a\", \"b\"]",
    "model_type": "a table", "dict_type": "a table", "model_attributes_type": "a table",
}


def _where(loc: tuple) -> str:
    if not loc:
        return ""
    head, rest = loc[0], loc[1:]
    if head == "inbox":
        text = "[[inbox]]" + (f" #{rest[0] + 1}" if rest and isinstance(rest[0], int) else "")
        rest = rest[1:] if rest and isinstance(rest[0], int) else rest
    else:
        text = f"[{head}]"
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else f" {part}"
    return text


def _describe(err: dict[str, Any]) -> str:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        if len(loc) == 1:
            known = difflib.get_close_matches(str(loc[0]), list(IntakeSettings.model_fields), n=1)
            hint = f" (did you mean [{known[0]}]?)" if known else f"; tables are {', '.join(IntakeSettings.model_fields)}"
            return f"unknown table [{loc[0]}]{hint}"
        model = SECTIONS.get(str(loc[0]))
        fields = list(model.model_fields) if model else []
        known = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        hint = f" (did you mean '{known[0]}'?)" if known else ""
        return f"{_where(loc[:-1])}: unknown key '{loc[-1]}'{hint}"
    where = _where(loc)
    if loc == ("inbox",) and kind == "value_error":
        # An [[inbox]] table's check names the table itself ("[[inbox]] 'mase': ...").
        return str(err.get("msg", "")).removeprefix("Value error, ")
    if loc == ("inbox",):
        return "'inbox' must be one [[inbox]] table per mailbox"
    if kind in _EXPECTED:
        got = _toml_type(err.get("input"))
        if kind in ("model_type", "dict_type", "model_attributes_type") and len(loc) == 1:
            return f"{where} must be a table, got {got}"
        return f"{where}: expected {_EXPECTED[kind]}, got {got}"
    msg = str(err.get("msg", "is not valid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    msg = msg.replace("Input should be", "must be")
    return f"{where}: {msg}" if where else msg


def validate(raw: dict[str, Any], config_path: Path | None = None, url_source: str | None = None,
             check_paths: bool = True) -> IntakeSettings:
    base = config_path.parent if config_path else Path.cwd()
    try:
        return IntakeSettings.model_validate(raw, context={"base_dir": base, "check_paths": check_paths})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)

        def origin(err) -> str:
            if url_source and tuple(err.get("loc", ()))[:2] == ("store", "url"):
                return url_source
            return str(config_path) if config_path else "defaults"
        problems = [f"{origin(err)}: {_describe(err)}" for err in errors]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ConfigError(problems[0] + more, problems=problems) from None


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
) -> Settings:
    raw: dict[str, Any] = {}
    path_str = config_path or os.environ.get(ENV_CONFIG)
    path: Path | None = None
    if path_str:
        path = Path(path_str).resolve()
        try:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except IsADirectoryError:
            raise ConfigError(f"config file {path} is a folder; name the .toml file") from None
        except PermissionError:
            raise ConfigError(f"config file {path} cannot be read (permission denied)") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"config file {path} is not valid TOML: not UTF-8") from None
    source = None
    env_url = os.environ.get(ENV_DB_URL)
    if env_url:
        raw.setdefault("store", {})
        if isinstance(raw["store"], dict):
            raw["store"]["url"] = env_url
            source = f"${ENV_DB_URL}"
    if db_url:
        raw.setdefault("store", {})
        if isinstance(raw["store"], dict):
            raw["store"]["url"] = db_url
            source = "--db"
    # Shapes, types and values here; whether named folders and files exist
    # is checked by every command at start-up (intake/cli/preflight.py),
    # so a library caller can still load a site file whose folders are
    # elsewhere.
    model = validate(raw, path, source, check_paths=False)
    return Settings(raw=raw, config_path=path, url_source=source, _model=model)
