"""Printed guidance after a label ("Include as much detail as possible
...") is never part of the value, however a re-issue words it."""

from __future__ import annotations

import re
from itertools import islice

from rapidfuzz import fuzz

from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import norm

HINT_MATCH = 85  # rapidfuzz ratio of the text's head against a hint
_BRACKETED = re.compile(r"\([^)]{0,200}\)")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W_]+")
_HINT_CLOSE = re.compile(r"^\s*(?:etc\.?)?\s*[.:;)?!]*")


def strip_hints(f: FieldDef, text: str) -> str:
    changed = True
    while changed and text.strip():
        changed = False
        t = text.lstrip(" \t:;.-–")
        # Parenthesised qualifiers right after a label are the form's; a
        # dialling code "(0121) 496 ..." is the answer's.
        m = _BRACKETED.match(t)
        if m and not _LETTER.search(m.group()):
            m = None
        if m:
            text = t[m.end():]
            changed = True
            continue
        # The words a hint can reach (its own, give or take three): found
        # once for all the field's hints, not once per hint over the whole
        # value.
        reach = max((len(norm(h).split()) for h in f.hints), default=0) + 3
        words = list(islice(_WORD.finditer(t), reach)) if f.hints else []
        for h in f.hints:
            cut = _hint_end(t, norm(h), words)
            if cut is not None:
                text = t[cut:]
                # The hint's own closing punctuation.
                text = _HINT_CLOSE.sub("", text)
                changed = True
                break
    return text


def _hint_end(t: str, hint: str, words: list[re.Match]) -> int | None:
    """Where a hint ends at the start of ``t`` (give or take three words;
    ``words``: the words of ``t``), or None when ``t`` does not start with
    it."""
    k = len(hint.split())
    best, cut = 0.0, None
    for n in range(max(1, k - 3), min(len(words), k + 3) + 1):
        cand = norm(t[: words[n - 1].end()])
        score = fuzz.ratio(cand, hint)
        if score > best:
            best, cut = score, words[n - 1].end()
    return cut if best >= HINT_MATCH and cut is not None else None
