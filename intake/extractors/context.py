"""What a recogniser may look at besides the text: the report's date (for
relative dates), the loaded gazetteers and the sentence boundaries."""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import accumulate

from intake.extractors import names
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

    # Shared by the recognisers that read names, so the text is tokenised once.
    @cached_property
    def words(self) -> list[names.Word]:
        return names.words(self.text)

    @cached_property
    def _caps(self) -> tuple[array, array]:
        # machine ints: a 1 MB text costs 8 MB here, not ~60 MB of Python ints
        letters = array("i", accumulate((c.isalpha() for c in self.text), initial=0))
        upper = array("i", accumulate((c.isupper() for c in self.text), initial=0))
        return letters, upper

    def mostly_capitals(self, offset: int) -> bool:
        """names.mostly_capitals in O(1): more than 60 % of the letters within
        60 characters are capitals (text typed in capitals)."""
        letters, upper = self._caps
        lo, hi = max(0, offset - 60), min(len(self.text), offset + 60)
        n = letters[hi] - letters[lo]
        return n > 0 and upper[hi] - upper[lo] > 0.6 * n
