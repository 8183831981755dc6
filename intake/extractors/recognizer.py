"""The recogniser contract (after Presidio's PatternRecognizer).

A recogniser is small and declarative: the entity type it finds, regex
patterns with a base score, context words that raise the score when they sit
near a match, and ``validate`` which turns a raw match into a normalised value
(or None to drop it). Anything that needs more than that (spaCy, linking)
overrides ``analyze``.
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


class Recognizer:
    """Base class. Subclasses set ``name`` and ``entity`` and either
    ``patterns`` (with ``validate``) or their own ``analyze``."""

    name: ClassVar[str] = ""
    entity: ClassVar[str] = ""
    priority: ClassVar[int] = 50
    patterns: ClassVar[tuple[Pattern, ...]] = ()
    context: ClassVar[tuple[str, ...]] = ()
    # How far (characters) either side of a match context words count.
    context_window: ClassVar[int] = 40
    context_boost: ClassVar[float] = 0.15

    def __init__(self) -> None:
        self._compiled = [(p, re.compile(p.regex, p.flags)) for p in self.patterns]
        self._context_re = (
            re.compile(r"\b(?:" + "|".join(re.escape(w) for w in self.context) + r")\b", re.I)
            if self.context
            else None
        )

    def prepare(self, gazetteers) -> None:
        """Compile what depends on the gazetteers (``_build``) once per
        gazetteer set: analysts can load extra lists, so a new set rebuilds."""
        if getattr(self, "_built_for", None) is not gazetteers:
            self._build(gazetteers)
            self._built_for = gazetteers

    def _build(self, gazetteers) -> None:
        """Override in recognisers whose patterns come from gazetteers."""

    def validate(self, match: re.Match[str], text: str, ctx: "TextContext",
                 pattern: str) -> str | None:
        """Return the normalised value, or None to reject the match.
        ``pattern`` is the name of the pattern that matched."""
        return match.group(0)

    def span(self, match: re.Match[str]) -> tuple[int, int]:
        """The span of the mention: group "m" when the pattern names one, so
        cue words ("reg no:") are matched but not included."""
        if "m" in match.re.groupindex and match.group("m") is not None:
            return match.span("m")
        return match.span()

    def context_word(self, text: str, start: int, end: int) -> str | None:
        if self._context_re is None:
            return None
        lo = max(0, start - self.context_window)
        hi = min(len(text), end + self.context_window)
        m = self._context_re.search(text, lo, hi)
        return m.group(0).lower() if m else None

    def analyze(self, text: str, ctx: "TextContext") -> list[Candidate]:
        out: list[Candidate] = []
        for pattern, rx in self._compiled:
            for m in rx.finditer(text):
                value = self.validate(m, text, ctx, pattern.name)
                if value is None:
                    continue
                start, end = self.span(m)
                cw = self.context_word(text, start, end)
                score = min(1.0, pattern.score + (self.context_boost if cw else 0.0))
                out.append(
                    Candidate(self.entity, start, end, value, self.name, score,
                              self.priority, pattern=pattern.name, context_word=cw)
                )
        return out
