"""Start-up checks every command runs after the settings model
(intake/config/schema.py) has accepted the file: the parts of the
configuration that only the stages can judge. Each failure is a
``ConfigError`` naming the key and the file, raised before any store is
opened or any mail server contacted.

- the model's file-system checks: template folders and gazetteer files exist;
- ``[extract]``: recogniser names (the registry), the spaCy model package,
  gazetteer files (read and parsed);
- ``[parsing] template_dirs``: every template file loads;
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
from pathlib import Path

from intake.config.settings import ConfigError, Settings, read_secret, validate
from intake.ingest.inbox_config import load_inboxes
from intake.types import IntakeError


def check(settings: Settings, uses: tuple[str, ...] = ("store",)) -> None:
    where = settings.source
    # The model again, now with the file system: named folders and files exist.
    validate(settings.raw, settings.config_path, settings.url_source, check_paths=True)
    _extract(settings, where)
    _templates(settings, where)
    inboxes = load_inboxes_or_fail(settings)
    # The store is opened by every command: its password must be there.
    settings.store_password  # noqa: B018 - raises ConfigError when the named secret is missing
    if "inbox" in uses:
        for ib in inboxes:
            _inbox_secret(ib, where)
    if "review" in uses:
        read_secret(settings.section("review"), "secret_key", f"{where}: [review]")


def load_inboxes_or_fail(settings: Settings):
    try:
        return load_inboxes(settings)
    except ConfigError as exc:
        raise ConfigError(f"{settings.source}: {exc}") from None


def _extract(settings: Settings, where: str) -> None:
    from intake.extractors import registry

    ex = settings.model.extract
    known = registry.all_names()
    for key in ("recognisers", "disable"):
        for name in getattr(ex, key):
            if name not in known:
                raise ConfigError(f"{where}: [extract] {key}: unknown recogniser '{name}'; "
                                  f"known: {', '.join(known)}")
    if ex.spacy_steps_disable:
        from intake.extractors import nlp

        try:
            nlp.steps(tuple(ex.spacy_steps_disable))
        except IntakeError as exc:
            raise ConfigError(f"{where}: {exc.detail}") from None
    runs = [n for n in (ex.recognisers or known) if n not in ex.disable]
    if not runs:
        raise ConfigError(f"{where}: [extract] recognisers and disable leave no recogniser running")
    if registry.SPACY in runs and importlib.util.find_spec(ex.spacy_model) is None:
        raise ConfigError(f"{where}: [extract] spacy_model: the package '{ex.spacy_model}' is not installed "
                          "(pip install it, or name an installed model)")
    if ex.gazetteer_files:
        from intake.extractors.gazetteer import load_gazetteers

        try:
            load_gazetteers(tuple(str(settings.path(p)) for p in ex.gazetteer_files))
        except IntakeError as exc:
            raise ConfigError(f"{where}: [extract] gazetteer_files: {exc.detail}") from None


def _templates(settings: Settings, where: str) -> None:
    if not settings.model.parsing.template_dirs:
        return  # the packaged templates are checked by the test suite
    from intake.parsers.templates.registry import load_registry

    try:
        load_registry(settings)
    except IntakeError as exc:
        raise ConfigError(f"{where}: [parsing] template_dirs: {exc.detail}") from None


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
