"""Readers keyed by media type: a new format is one new module in
intake/parsers/readers/ (or a package there, its reader in ``reader.py``)
that declares its media types with ``@reader(...)``; ``discover`` imports
every module of the readers package, so nothing else is edited."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable

from intake.parsers.support.options import ParsingOptions
from intake.types import Document, Layout

ReaderFn = Callable[[Document, ParsingOptions], Layout]

_READERS: dict[str, ReaderFn] = {}


def reader(*media_types: str) -> Callable[[ReaderFn], ReaderFn]:
    def register(fn: ReaderFn) -> ReaderFn:
        for mt in media_types:
            if mt in _READERS and _READERS[mt] is not fn:
                raise RuntimeError(f"two readers claim {mt}")
            _READERS[mt] = fn
        return fn

    return register


def reader_for(media_type: str) -> ReaderFn | None:
    return _READERS.get(media_type.split(";", 1)[0].strip().lower())


def media_types() -> list[str]:
    return sorted(_READERS)


def discover(path: Iterable[str], package: str) -> None:
    """Import every module of the readers package (subpackages included), so
    each registers the media types it reads."""
    for info in pkgutil.walk_packages(path, package + "."):
        importlib.import_module(info.name)
