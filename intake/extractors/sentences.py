"""Sentence boundaries without spaCy's parser (we load NER only, for speed).

Good enough for "in the same sentence" links: a full stop, ! or ? followed by
white space and a capital, digit or quote, or a line break. Abbreviations
that end in a full stop in police text ("approx.", "no.", "Mr.") do not end a
sentence.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n+")
_NO_END = re.compile(
    r"\b(?:approx|app|no|nos|mr|mrs|ms|dr|st|rd|ave|tel|mob|ref|incl|est|dob|d\.o\.b|"
    r"a\.k\.a|aka|vs|e\.g|i\.e|etc|sgt|insp|det|pc|dc|ds)\.$",
    re.I,
)


def sentence_starts(text: str) -> list[int]:
    starts = [0]
    for m in _BOUNDARY.finditer(text):
        before = text[max(0, m.start() - 8): m.start()]
        if m.group(0).startswith("\n") or not _NO_END.search(before):
            starts.append(m.end())
    return starts
