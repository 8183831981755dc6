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

    [diminutives]               # forenames that are one name (person matching)
    tomasz = ["tomek"]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from intake.exception_codes import GAZETTEER_INVALID, GAZETTEER_UNREADABLE
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
    # forename -> the rows (file, canonical) it is in; names sharing a row
    # are one name in different forms ("tomasz", "tomek")
    diminutives: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
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
            raise IntakeError(GAZETTEER_INVALID, f"{origin}: top-level key {key!r} must be a table")
        if key == "words":
            for name, items in table.items():
                g.words.setdefault(name, set()).update(_norm(i) for i in _strings(items, origin, name))
        elif key == "diminutives":
            for canonical, variants in table.items():
                for name in [canonical, *_strings(variants, origin, canonical)]:
                    g.diminutives.setdefault(_norm(name), set()).add((origin, canonical))
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
                GAZETTEER_INVALID,
                f"{origin}: unknown table {key!r}; use an entity type in capitals, 'words', 'vehicles' "
                "or 'diminutives'")


def _strings(items: object, origin: str, name: str) -> Iterable[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise IntakeError(GAZETTEER_INVALID, f"{origin}: {name!r} must be a list of strings")
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
            raise IntakeError(GAZETTEER_UNREADABLE,
                              f"cannot read gazetteer file {path}: {exc.strerror}") from None
    for origin, text in items:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise IntakeError(GAZETTEER_INVALID, f"{origin} is not valid TOML: {exc}") from None
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


_TOKEN = re.compile(r"\w(?:[\w'’&.]*\w)?")
# PhraseIndex.tokens of the last text asked for: (text, (spans, words)),
# for a text of up to KEEP_TOKENS_CHARS characters.
KEEP_TOKENS_CHARS = 100_000
_LAST_TOKENS: tuple[str, tuple[list[tuple[int, int]], list[str]]] | None = None
_JOIN = re.compile(r"[ \t\-]+")


def phrase_key(s: str) -> str:
    """Lower case, runs of white space and hyphens as one space: "Snap-Chat"
    and "snap  chat" share a key."""
    return " ".join(re.split(r"[\s\-]+", s.lower().strip()))


class PhraseIndex:
    """Longest-phrase lookup over a text's word tokens.

    Why not one regex alternation: Python's ``re`` tries every branch at every
    position, which for a few hundred gazetteer phrases cost more than the
    rest of the rules together; a dict lookup per token n-gram does not grow
    with the list."""

    def __init__(self, entries: dict[str, list]):
        self.map: dict[str, list] = {}
        for k, payloads in entries.items():
            self.map.setdefault(phrase_key(k), []).extend(payloads)
        self.max_n = max((len(k.split()) for k in self.map), default=1)
        self.first_words = {k.split()[0] for k in self.map if " " in k}

    @staticmethod
    def tokens(text: str) -> tuple[list[tuple[int, int]], list[str]]:
        """The text's word tokens (spans, lower-cased words), the same for
        every index: several recognisers (vehicles, gazetteer terms, social
        platforms) look up their phrases in each field, so the last field's
        tokens are kept and shared. Read-only for the callers."""
        global _LAST_TOKENS
        last = _LAST_TOKENS
        if last is not None and last[0] == text:
            return last[1]
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        found = spans, [text[s:e].lower() for s, e in spans]
        # A long text's tokens are not kept beyond its own lookups' need:
        # they would stay in memory until the next document.
        _LAST_TOKENS = (text, found) if len(text) <= KEEP_TOKENS_CHARS else None
        return found

    def match_at(self, text: str, spans, words, i: int):
        """(number of tokens, end offset, payloads) of the longest phrase
        starting at token ``i``, or None."""
        get = self.map.get
        w = words[i]
        if w not in self.first_words:
            if w not in self.map:
                return None  # most tokens: no phrase starts with them
            longest = 1
        else:
            longest = self.max_n
        for n in range(min(longest, len(spans) - i), 0, -1):
            if n == 1:
                payloads, e = get(words[i]), spans[i][1]
            else:
                if any(not _JOIN.fullmatch(text, spans[j][1], spans[j + 1][0])
                       for j in range(i, i + n - 1)):
                    continue
                payloads, e = get(" ".join(words[i:i + n])), spans[i + n - 1][1]
            if payloads is None:
                continue
            if e < len(text) and (text[e] in "@'’" or (text[e] == "-" and text[e + 1:e + 2].isalnum())):
                continue
            return n, e, payloads
        return None

    def finditer(self, text: str):
        """(start, end, payloads) for every token n-gram in the index, the
        longest at each start. Phrases never start inside a handle, hashtag
        or hyphenated word, nor run on into one."""
        spans, words = self.tokens(text)
        starts, first_words = self.map, self.first_words
        for i, (s, _) in enumerate(spans):
            if s and text[s - 1] in "@#/-'’":
                continue
            w = words[i]
            if w not in first_words and w not in starts:
                continue  # match_at would say None: no phrase starts with it
            hit = self.match_at(text, spans, words, i)
            if hit:
                yield s, hit[1], hit[2]
