"""Readers keyed by media type: a new format is one new module that
registers itself here with ``@reader(...)``."""

from __future__ import annotations

from collections.abc import Callable

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
