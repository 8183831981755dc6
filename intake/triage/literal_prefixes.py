"""What a catalogue pattern's match must begin with, so the pattern is
tried only where that is in a text, not at every position.

Python's ``re`` tries a case-insensitive pattern that opens with ``\\b`` at
every position of the text (it only skips ahead on a literal or case-less
first character), and the catalogue's patterns nearly all open so: with
dozens of them, scanning a report costs milliseconds where a substring test
for the few words a pattern can start with costs microseconds. The words
come from the pattern itself (its parse tree: the literal characters every
match starts with, down each branch), so the catalogue stays plain regular
expressions and a pattern this cannot read (one opening with ``\\w+``) is
simply always scanned. Hand-written because no maintained library gives
this for Python's own regex dialect (RE2 sets would, but under RE2's
syntax and word boundaries, not the catalogue's).

The words are a necessary condition only: the pattern itself is matched at
every place one of them is, so the matches are exactly what scanning the
whole text finds."""

from __future__ import annotations

import re
import re._constants as sre  # the parse tree's opcodes (stable across 3.11-3.13)
import re._parser as sre_parse
from functools import lru_cache

MAX_PREFIXES = 200  # beyond this a pattern's starts are not worth listing
MAX_LENGTH = 6  # characters of a start worth comparing

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
# A character outside ASCII that a case-insensitive ASCII letter matches
# although its lower case is no ASCII letter (dotless i, long s, the
# Kelvin sign): in such a text a substring test of lower-cased words could
# miss a match, so it is scanned in full.
_ASCII_LETTER = re.compile("[a-z]", re.I)
_folds: dict[str, bool] = {}


class _Unknown(Exception):
    pass


# A state: (the literal start so far, still extendable, a word boundary
# (\b) stands before it).
_State = tuple[str, bool, bool]


def _close(states) -> set[_State]:
    return {(s, False, b) for s, _, b in states}


def _expand(items, states: set[_State]) -> set[_State]:
    """``states``: every way through the pattern up to here."""
    for op, av in items:
        open_ = {st for st in states if st[1]}
        if not open_:
            return states
        closed = states - open_
        if op is sre.LITERAL and av < 128:
            ch = chr(av).lower()
            states = closed | {(s + ch, len(s) + 1 < MAX_LENGTH, b) for s, _, b in open_}
        elif op is sre.IN and _few_chars(av) is not None:
            states = closed | {(s + ch, len(s) + 1 < MAX_LENGTH, b) for s, _, b in open_ for ch in _few_chars(av)}
        elif op is sre.AT:
            # Consumes nothing; a \b before the first character says where
            # a match can start.
            states = closed | {(s, True, b or (not s and av is sre.AT_BOUNDARY)) for s, _, b in open_}
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            continue  # consumes nothing: the start is the same with or without it
        elif op is sre.SUBPATTERN:
            states = _expand(av[-1], states)
        elif op is sre.BRANCH:
            out: set[_State] = set()
            for branch in av[1]:
                out |= _expand(branch, states)
            states = out
        elif op in _REPEATS:
            lo, _hi, item = av
            # After one pass of the item the text could hold it again or
            # what follows: the start ends there.
            once = _close(_expand(item, open_))
            states = closed | once | (open_ if lo == 0 else set())
        else:
            # Any other character class or construct: the start ends here.
            states = closed | _close(open_)
        if len(states) > MAX_PREFIXES:
            raise _Unknown
    return states


def _few_chars(items) -> set[str] | None:
    """The characters a small class of ASCII characters ([2-6], [xy])
    stands for, lower-cased; None for any other class."""
    out: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL and av < 128:
            out.add(chr(av).lower())
        elif op is sre.RANGE and av[1] < 128 and av[1] - av[0] < 10:
            out.update(chr(c).lower() for c in range(av[0], av[1] + 1))
        else:
            return None
    return out if len(out) <= 10 else None


Starts = tuple[tuple[str, bool], ...]


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w is to re on str patterns


@lru_cache(maxsize=1024)
def prefixes_of(pattern: re.Pattern) -> Starts | None:
    """(lower-case string, at a word start) pairs: every match of
    ``pattern`` begins with one of the strings, at a word start when so
    marked. None when that cannot be told (then the pattern is scanned as
    usual)."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
        states = _expand(tree, {("", True, False)})
    except (_Unknown, RecursionError, re.error, TypeError, ValueError):
        return None
    # The boundary only tells where a word character starts (and what a
    # word character is, only as re reads it without re.ASCII).
    unicode_words = not pattern.flags & re.ASCII
    starts = {(s, b and unicode_words and _word(s[0])) for s, _, b in states if s}
    if not starts or any(not s for s, _, _ in states):
        return None
    # "ab" adds nothing when "a" is there, unless "a" needs a word start
    # and "ab" does not.
    kept = sorted((s, b) for s, b in starts
                  if not any((o, ob) != (s, b) and s.startswith(o) and (b or not ob) for o, ob in starts))
    return tuple(kept)


class Folded:
    """A text prepared for ``finditer``: itself and lower-cased."""

    __slots__ = ("text", "low")

    def __init__(self, text: str, low: str):
        self.text, self.low = text, low


def folded(text: str) -> Folded | None:
    """The text prepared for ``finditer``, or None when a character in it
    would make the search unsafe (see _ASCII_LETTER)."""
    if not text.isascii():
        for ch in set(text):
            if ord(ch) < 128:
                continue
            hit = _folds.get(ch)
            if hit is None:
                hit = _folds[ch] = _ASCII_LETTER.match(ch) is not None and not ch.lower().isascii()
            if hit:
                return None
    low = text.lower()
    return Folded(text, low) if len(low) == len(text) else None


def candidates(starts: Starts | None, text: Folded | None, word_starts: bool = True) -> list[int] | None:
    """Where in the text a match could begin, in order; None when
    anywhere could (``starts`` or ``text`` None). ``word_starts`` False:
    the word starts ``starts`` mark are not required (a pattern matched
    against a slice of the text, whose own start is a word boundary)."""
    if starts is None or text is None:
        return None
    low, raw = text.low, text.text
    if not any(s in low for s, _ in starts):
        return []
    out: set[int] = set()
    for s, at_word in starts:
        at_word = at_word and word_starts
        i = low.find(s)
        while i >= 0:
            if not at_word or i == 0 or not _word(raw[i - 1]):
                out.add(i)
            i = low.find(s, i + 1)
    return sorted(out)


def finditer(pattern: re.Pattern, starts: Starts | None, text: str, prepared: Folded | None):
    """The matches ``pattern.finditer(text)`` gives, trying the pattern only
    where one of its ``starts`` is (``prepared``: ``folded(text)``). Its
    matches are never empty (each begins with a literal), so matching at
    each candidate past the last match, in order, is what a scan finds."""
    at = candidates(starts, prepared)
    if at is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for i in at:
        if i < end:
            continue
        m = pattern.match(text, i)
        if m is not None:
            yield m
            end = m.end()
