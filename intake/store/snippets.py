"""The words around an entity's mention, for the entity page: cut where
words (or, near enough, sentences) end, with the mention placed by its
offsets in the field's text, never by searching for its words, so the
second "Smith" in "Smith met Smith" is the one marked when it is the one
meant. Plain text only: the page escapes every part."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    """The words around a mention, cut where words (or, when near enough,
    sentences) end, and the mention by its place in the field's text. The
    page escapes each part; nothing here is markup."""

    before: str
    mention: str
    after: str
    cut_left: bool = False  # text was left out before it (the page shows …)
    cut_right: bool = False


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)|\n")
_SPACE = re.compile(r"\s")


def snippet(text: str, start: int, end: int, width: int = 120) -> Snippet:
    """``text[start:end]`` with up to ``width`` characters either side, cut
    at the sentence's own ends when they are that near, else at the nearest
    whole word inside the window; never inside a word."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo, hi = max(0, start - width), min(len(text), end + width)
    left, cut_left = 0, False
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, start) if m.end() >= lo]
    if ends:
        left = ends[-1]
    elif lo > 0:
        gap = _SPACE.search(text, lo, start)
        left, cut_left = (gap.end() if gap else start), True
    right, cut_right = len(text), False
    m = _SENTENCE_END.search(text, end, min(len(text), hi + 1))
    if m:
        right = m.start() if m.group() == "\n" else m.end()
    elif hi < len(text):
        spaces = [g.start() for g in _SPACE.finditer(text, end, hi + 1)]
        right, cut_right = (spaces[-1] if spaces else end), True
    before, after = text[left:start], text[end:right]
    return Snippet(before.lstrip(), text[start:end], after.rstrip(), cut_left, cut_right)


def locate(text: str, mention: str, start: int, end: int) -> tuple[int, int] | None:
    """Where a mention is in its field's text now: at its offsets, or (the
    field was corrected since) at the one place the same words stand alone."""
    if text[start:end] == mention:
        return start, end
    found = [x.span() for x in re.finditer(rf"(?<!\w){re.escape(mention)}(?!\w)", text)] if mention else []
    return found[0] if len(found) == 1 else None
