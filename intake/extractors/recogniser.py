"""The recogniser contract (after Presidio's PatternRecogniser).

A recogniser is small and declarative: the entity type it finds, regex
patterns with a base score, context words that raise the score when they sit
near a match, and ``validate_result``, which turns a raw match into a
normalised value or rejects it (Presidio's ``validate_result``). Patterns
that depend on the gazetteers come from ``build_patterns``. A cue written
into a pattern as the group ``(?P<cue>...)`` is the context word that lifted
the match, and the group ``(?P<m>...)`` is the mention's span, so "reg no:"
is matched but not included. Anything that is more than patterns + context +
a validator (spaCy, the date grammar, phrase lists) overrides ``analyze``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from intake.extractors.context import TextContext


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: str
    score: float = 0.8
    flags: int = re.IGNORECASE
    # Overrides the recogniser's priority for matches of this pattern (a
    # weak shape that should only fill gaps, a strong one that must win).
    priority: int | None = None


@dataclass
class Found:
    """What ``validate_result`` returns when a plain value is not enough: a
    different span, attributes, or another type or score."""

    value: str
    start: int | None = None
    end: int | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    type: str | None = None
    score: float | None = None
    priority: int | None = None


@dataclass
class Candidate:
    """A mention before overlaps are resolved; offsets are into one field's text."""

    type: str
    start: int
    end: int
    value: str
    recogniser: str
    score: float = 0.8
    # Higher wins an overlap before length is considered (overlaps.py).
    priority: int = 50
    attrs: dict[str, Any] = field(default_factory=dict)
    # Explanation for a reviewer: which pattern and which context word.
    pattern: str = ""
    context_word: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


class Recogniser:
    """Base class. Subclasses set ``name``, ``entity`` and ``run_order`` and either
    ``patterns`` / ``build_patterns`` (with ``validate_result``) or their
    own ``analyze``."""

    name: ClassVar[str] = ""
    entity: ClassVar[str] = ""
    # Where it runs among the others (lower first): the registry finds every
    # recogniser in intake/extractors/recognisers/ and orders them by this.
    run_order: ClassVar[int] = 1000
    priority: ClassVar[int] = 50
    patterns: ClassVar[tuple[Pattern, ...]] = ()
    context: ClassVar[tuple[str, ...]] = ()
    # How far (characters) either side of a match context words count.
    context_window: ClassVar[int] = 40
    context_boost: ClassVar[float] = 0.15

    def __init__(self) -> None:
        self._compiled = self._compile(self.patterns)
        self._context_re = (
            re.compile(r"\b(?:" + "|".join(re.escape(w) for w in self.context) + r")\b", re.I)
            if self.context
            else None
        )

    @staticmethod
    def _compile(patterns) -> list[tuple[Pattern, re.Pattern[str]]]:
        return [(p, re.compile(p.regex, p.flags)) for p in patterns]

    def prepare(self, gazetteers) -> None:
        """Compile what depends on the gazetteers (``_build``) once per
        gazetteer set: analysts can load extra lists, so a new set rebuilds."""
        if getattr(self, "_built_for", None) is not gazetteers:
            self._build(gazetteers)
            built = self.build_patterns(gazetteers)
            if built:
                self._compiled = self._compile((*self.patterns, *built))
            self._built_for = gazetteers

    def _build(self, gazetteers) -> None:
        """Override in recognisers that keep gazetteer-derived state."""

    def build_patterns(self, gazetteers) -> tuple[Pattern, ...]:
        """Patterns made from gazetteer lists (titles, street words), added
        to the static ``patterns``."""
        return ()

    def scan_text(self, text: str) -> str:
        """The text the patterns run over; same length as ``text``."""
        return text

    def validate_result(self, match: re.Match[str], text: str, ctx: "TextContext",
                        pattern: str) -> str | Found | None:
        """The normalised value (or a ``Found``), or None to reject the
        match. ``pattern`` is the name of the pattern that matched."""
        return match.group(0)

    def span(self, match: re.Match[str]) -> tuple[int, int]:
        """The span of the mention: group "m" when the pattern names one, so
        cue words ("reg no:") are matched but not included."""
        if "m" in match.re.groupindex and match.group("m") is not None:
            return match.span("m")
        return match.span()

    def context_word(self, text: str, start: int, end: int, match: re.Match[str] | None = None) -> str | None:
        if match is not None and "cue" in match.re.groupindex and match.group("cue"):
            return " ".join(match.group("cue").split()).lower()
        if self._context_re is None:
            return None
        lo = max(0, start - self.context_window)
        hi = min(len(text), end + self.context_window)
        m = self._context_re.search(text, lo, hi)
        return m.group(0).lower() if m else None

    def analyze(self, text: str, ctx: "TextContext") -> list[Candidate]:
        self.prepare(ctx.gazetteers)
        scanned = self.scan_text(text)
        out: list[Candidate] = []
        for pattern, rx in self._compiled:
            for m in rx.finditer(scanned):
                result = self.validate_result(m, text, ctx, pattern.name)
                if result is None:
                    continue
                start, end = self.span(m)
                found = result if isinstance(result, Found) else Found(result)
                start = found.start if found.start is not None else start
                end = found.end if found.end is not None else end
                cw = self.context_word(text, start, end, m)
                base = found.score if found.score is not None else pattern.score
                score = min(1.0, base + (self.context_boost if cw else 0.0))
                prio = next(p for p in (found.priority, pattern.priority, self.priority) if p is not None)
                out.append(
                    Candidate(found.type or self.entity, start, end, found.value, self.name, score,
                              prio, dict(found.attrs), pattern=pattern.name, context_word=cw)
                )
        return out
