"""Curated word lists (apps, substances, vehicles, places, businesses, first
names) kept as TOML data in intake/config/gazetteers/, so an analyst can add
slang or a new app without code: drop a file in that folder or name extra
files in ``[extract] gazetteer_files``. Files are merged by union.

File shape (see the packaged files for examples)::

    [SUBSTANCE]                 # an entity type found straight from the list
    context = ["selling", ...]  # words that make an ambiguous term count
    [SUBSTANCE.terms]           # canonical value = [variants]
    cannabis = ["weed", "skunk"]
    [SUBSTANCE.ambiguous]       # variants that are also plain English or names
    mdma = ["molly", "mandy"]

    [words]                     # named lists the rules use
    business = ["takeaway", ...]

    [vehicles]
    colours = ["silver", ...]
    [vehicles.makes]
    vauxhall = ["astra", "corsa"]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from intake.types import IntakeError


@dataclass
class TermList:
    terms: dict[str, str] = field(default_factory=dict)  # variant (lower) -> canonical
    ambiguous: dict[str, str] = field(default_factory=dict)
    context: set[str] = field(default_factory=set)
    require_capital: bool = False  # names: "subway" in lower case is not the firm


@dataclass
class Gazetteers:
    types: dict[str, TermList] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)
    colours: set[str] = field(default_factory=set)
    makes: dict[str, set[str]] = field(default_factory=dict)  # make -> models
    sources: list[str] = field(default_factory=list)

    def word_list(self, name: str) -> set[str]:
        return self.words.get(name, set())

    def models(self) -> dict[str, str]:
        """model (lower) -> make."""
        return {m: make for make, models in self.makes.items() for m in models}


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def _merge(g: Gazetteers, data: dict, origin: str) -> None:
    for key, table in data.items():
        if not isinstance(table, dict):
            raise IntakeError("gazetteer_invalid", f"{origin}: top-level key {key!r} must be a table")
        if key == "words":
            for name, items in table.items():
                g.words.setdefault(name, set()).update(_norm(i) for i in _strings(items, origin, name))
        elif key == "vehicles":
            g.colours.update(_norm(c) for c in _strings(table.get("colours", []), origin, "colours"))
            for make, models in table.get("makes", {}).items():
                g.makes.setdefault(_norm(make), set()).update(
                    _norm(m) for m in _strings(models, origin, make))
        elif key.isupper():
            tl = g.types.setdefault(key, TermList())
            tl.require_capital = tl.require_capital or bool(table.get("require_capital", False))
            tl.context.update(_norm(c) for c in _strings(table.get("context", []), origin, "context"))
            for section, target in (("terms", tl.terms), ("ambiguous", tl.ambiguous)):
                for canonical, variants in table.get(section, {}).items():
                    canon = _norm(canonical)
                    if section == "terms":
                        target[canon] = canon
                    for v in _strings(variants, origin, canonical):
                        target[_norm(v)] = canon
        else:
            raise IntakeError(
                "gazetteer_invalid",
                f"{origin}: unknown table {key!r}; use an entity type in capitals, 'words' or 'vehicles'")


def _strings(items: object, origin: str, name: str) -> Iterable[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise IntakeError("gazetteer_invalid", f"{origin}: {name!r} must be a list of strings")
    return items


def _packaged() -> list[tuple[str, str]]:
    folder = resources.files("intake.config").joinpath("gazetteers")
    return sorted((p.name, p.read_text("utf-8")) for p in folder.iterdir() if p.name.endswith(".toml"))


@lru_cache(maxsize=8)
def load_gazetteers(extra_files: tuple[str, ...] = ()) -> Gazetteers:
    """Packaged lists plus ``extra_files``; cached per process because every
    document uses the same lists."""
    g = Gazetteers()
    items = [(f"gazetteers/{name}", text) for name, text in _packaged()]
    for path in extra_files:
        try:
            items.append((Path(path).name, Path(path).read_text("utf-8")))
        except OSError as exc:
            raise IntakeError("gazetteer_unreadable",
                              f"cannot read gazetteer file {path}: {exc.strerror}") from None
    for origin, text in items:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise IntakeError("gazetteer_invalid", f"{origin} is not valid TOML: {exc}") from None
        _merge(g, data, origin)
        g.sources.append(origin)
    return g


def alternation(variants: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any
    run of white space or a hyphen ("snap chat", "snap-chat")."""
    parts = []
    for v in sorted(set(variants), key=len, reverse=True):
        words = [re.escape(w) for w in v.split()]
        parts.append(r"[\s\-]+".join(words) if len(words) > 1 else words[0])
    return "|".join(parts) if parts else r"(?!x)x"
