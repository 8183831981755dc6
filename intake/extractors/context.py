"""What a recogniser may look at besides the text: the report's date (for
relative dates), the loaded gazetteers and the sentence boundaries."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

from intake.extractors.gazetteer import Gazetteers
from intake.extractors.sentences import sentence_starts


@dataclass
class TextContext:
    text: str
    report_date: date | None
    gazetteers: Gazetteers
    _starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = sentence_starts(self.text)

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding character ``offset``."""
        return bisect.bisect_right(self._starts, offset) - 1

    def sentence_span(self, offset: int) -> tuple[int, int]:
        i = self.sentence_of(offset)
        end = self._starts[i + 1] if i + 1 < len(self._starts) else len(self.text)
        return self._starts[i], end
