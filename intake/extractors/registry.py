"""The recogniser registry: every rule recogniser by name, found in
intake/extractors/recognisers/ (``python -m intake.extractors.registry``
lists them). Which ones run is
configuration (``[extract] recognisers`` / ``disable``), not code; spaCy is
the recogniser named "spacy"."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from functools import lru_cache

from intake.exception_codes import CONFIG_INVALID
from intake.extractors import recognisers
from intake.extractors.recogniser import Recogniser
from intake.types import IntakeError


def _discover() -> dict[str, type[Recogniser]]:
    """Every recogniser class in intake/extractors/recognisers/, by name, in
    run order: adding a recogniser is adding its module."""
    found: dict[str, type[Recogniser]] = {}
    for info in pkgutil.iter_modules(recognisers.__path__):
        module = importlib.import_module(f"{recognisers.__name__}.{info.name}")
        for cls in vars(module).values():
            if (isinstance(cls, type) and issubclass(cls, Recogniser) and cls.__module__ == module.__name__
                    and cls.name):
                if cls.name in found:
                    raise RuntimeError(f"two recognisers are named {cls.name!r}")
                found[cls.name] = cls
    return dict(sorted(found.items(), key=lambda item: (item[1].run_order, item[0])))


RECOGNISERS: dict[str, type[Recogniser]] = _discover()
SPACY = "spacy"


def all_names() -> list[str]:
    return [*RECOGNISERS, SPACY]


@lru_cache(maxsize=8)
def build(enabled: tuple[str, ...] | None, disabled: tuple[str, ...]) -> tuple[list[Recogniser], bool]:
    """Instances of the enabled rule recognisers, and whether spaCy runs.
    Recognisers are stateless apart from compiled patterns, so one set per
    process serves every document."""
    names = list(enabled) if enabled else all_names()
    unknown = [n for n in [*names, *disabled] if n not in RECOGNISERS and n != SPACY]
    if unknown:
        raise IntakeError(
            CONFIG_INVALID,
            f"unknown recogniser(s) {', '.join(sorted(unknown))} in [extract]; "
            f"known: {', '.join(all_names())}")
    names = [n for n in names if n not in disabled]
    return [RECOGNISERS[n]() for n in names if n != SPACY], SPACY in names


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write("\n".join(all_names()) + "\n")
