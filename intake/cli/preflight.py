"""Start-up checks every command runs after the settings model
(intake/config/schema.py) has accepted the file: the parts of the
configuration that only the stages can judge. Every problem found names
the key and the file; all of them are raised together, as one
``ConfigError``, before any store is opened or any mail server contacted.

- the model's file-system checks: template folders and gazetteer files exist;
- ``[extract]``: recogniser names (the registry), the spaCy model package,
  gazetteer files (read and parsed);
- every template file, packaged and ``[parsing] template_dirs``: it loads
  and its field keys are canonical;
- ``[[inbox]]``: every table (inbox_config.py);
- secrets the command will use: the store's password, the inboxes'
  passwords or token commands, the review app's key. Which ones a command
  uses it declares with ``set_defaults(uses=(...))``; the store's are
  always checked. A secret's value is read only to see that it is there and
  is never shown.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
from contextlib import contextmanager
from pathlib import Path

from intake.config.settings import ConfigError, Settings, read_secret, validate
from intake.exception_codes import TEMPLATE_INVALID
from intake.ingest.inbox_config import load_inboxes
from intake.types import IntakeError


def check(settings: Settings, uses: tuple[str, ...] = ("store",)) -> None:
    """Every check runs and every problem found is listed (one ConfigError
    holding them all), so an operator fixes a file in one go."""
    where = settings.source
    found = _Problems()
    with found.collect():
        # The model again, now with the file system: named folders and files exist.
        validate(settings.raw, settings.config_path, settings.url_source, check_paths=True)
    if not found.lines:  # it reads the same files the model check found missing
        with found.collect():
            _extract(settings, where)
    _templates(settings, where, found)
    inboxes = []
    with found.collect():
        inboxes = load_inboxes_or_fail(settings)
    with found.collect():
        # The store is opened by every command: its password must be there.
        settings.store_password  # noqa: B018 - raises ConfigError when the named secret is missing
    if "inbox" in uses:
        for ib in inboxes:
            with found.collect():
                _inbox_secret(ib, where)
    if "review" in uses:
        with found.collect():
            read_secret(settings.section("review"), "secret_key", f"{where}: [review]")
    found.raise_any()


class _Problems:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []  # (code, problem)

    @contextmanager
    def collect(self):
        try:
            yield
        except ConfigError as exc:
            self.add_all(exc)

    def add_all(self, exc: ConfigError) -> None:
        for code, problem in zip(exc.codes, exc.problems):
            if (code, problem) not in self.lines:
                self.lines.append((code, problem))

    def add(self, code: str, problem: str) -> None:
        self.lines.append((code, problem))

    def raise_any(self) -> None:
        if self.lines:
            codes, problems = zip(*self.lines)
            more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
            raise ConfigError(problems[0] + more, problems=list(problems), codes=list(codes))


def load_inboxes_or_fail(settings: Settings):
    try:
        return load_inboxes(settings)
    except ConfigError as exc:
        raise ConfigError(f"{settings.source}: {exc}") from None


def _extract(settings: Settings, where: str) -> None:
    ex = settings.model.extract
    spacy_runs = True  # with no names given every recogniser runs, spaCy among them
    if ex.recognisers or ex.disable:
        # Only names given need the registry, which imports every
        # recogniser (dateparser, phonenumbers: a tenth of a second of
        # every command's start-up).
        from intake.extractors import registry

        known = registry.all_names()
        for key in ("recognisers", "disable"):
            for name in getattr(ex, key):
                if name not in known:
                    raise ConfigError(f"{where}: [extract] {key}: unknown recogniser '{name}'; "
                                      f"known: {', '.join(known)}")
        runs = [n for n in (ex.recognisers or known) if n not in ex.disable]
        if not runs:
            raise ConfigError(f"{where}: [extract] recognisers and disable leave no recogniser running")
        spacy_runs = registry.SPACY in runs
    if ex.spacy_steps_disable:
        from intake.extractors import nlp

        try:
            nlp.steps(tuple(ex.spacy_steps_disable))
        except IntakeError as exc:
            raise ConfigError(f"{where}: {exc.detail}") from None
    if spacy_runs and importlib.util.find_spec(ex.spacy_model) is None:
        raise ConfigError(f"{where}: [extract] spacy_model: the package '{ex.spacy_model}' is not installed "
                          "(pip install it, or name an installed model)")
    if ex.gazetteer_files:
        from intake.extractors.gazetteer import load_gazetteers

        try:
            load_gazetteers(tuple(str(settings.path(p)) for p in ex.gazetteer_files))
        except IntakeError as exc:
            raise ConfigError(f"{where}: [extract] gazetteer_files: {exc.detail}") from None


def _templates(settings: Settings, where: str, found: _Problems) -> None:
    """Every template file, the packaged ones and a site's: it loads, and
    its field keys are canonical (intake/canonical.py): a misspelt key
    would otherwise parse into a field nobody exports or shows."""
    from intake.parsers.templates.loader import load_file
    from intake.parsers.templates.registry import template_dirs

    try:
        dirs = template_dirs(settings)
    except IntakeError:
        dirs = template_dirs(None)  # a missing folder: the model's path check has said so
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            try:
                load_file(path)
            except IntakeError as exc:
                found.add(TEMPLATE_INVALID, f"{path}: {_without_name(exc.detail, path)}")
            for problem in _non_canonical_keys(path):
                found.add(TEMPLATE_INVALID, f"{path}: {problem}")


def _without_name(detail: str, path: Path) -> str:
    prefix = f"template file {path.name}: "
    return detail[len(prefix):] if detail.startswith(prefix) else detail


def _non_canonical_keys(path: Path) -> list[str]:
    import difflib
    import tomllib

    from intake import canonical

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # load_file has said so
    fields = data.get("fields")
    if data.get("kind") == "not_a_report" or not isinstance(fields, dict):
        return []
    out = []
    for key in fields:
        if key not in canonical.BY_KEY:
            close = difflib.get_close_matches(key, canonical.KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            out.append(f'fields."{key}" is not a canonical field{hint}; the canonical keys are '
                       "listed in intake/canonical.py")
    return out


def _inbox_secret(ib, where: str) -> None:
    name = f"{where}: [[inbox]] {ib.name!r}"
    env = ib.secret.get("password_env")
    if env and env not in os.environ:
        raise ConfigError(f"{name}: password_env: environment variable {env} is not set")
    file = ib.secret.get("password_file")
    if file and not os.access(file, os.R_OK):
        state = "does not exist" if not Path(file).exists() else "cannot be read"
        raise ConfigError(f"{name}: password_file {file} {state}")
    if ib.token_command:
        try:
            program = shlex.split(ib.token_command)[0]
        except (ValueError, IndexError):
            raise ConfigError(f"{name}: token_command is not a command line") from None
        if shutil.which(program) is None:
            raise ConfigError(f"{name}: token_command: program {program} is not found or not executable")
