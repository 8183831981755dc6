"""Which of a surname block's people a person mention could match, found
by their names instead of by scoring every one of them.

A block (Soundex of the surname) grows with the store: on the commit bench
a message scored 363 people of its blocks at 11,000 messages and 93 at
2,000, and scoring all of them was most of what made the commit's cost grow
with the store. ``match_score`` gives a score only through a relation of
forenames or aliases (person_match.py), so a person none of whose names can
relate to the mention's is never a match; this index finds the ones that
can, and the caller still scores each with ``match_score``. It must never
leave out a person ``match_score`` would score (a hypothesis test pins
that: tests/matching/test_person_candidates.py); taking in more only costs
a score.

``forename_relation(a, b)`` is not None only when:

- either is an initial and they share the first letter: an initial mention
  looks up every name starting with its letter; a full one looks up its own
  initial;
- they are equal, or the shorter (3 letters or more) starts the longer: a
  mention looks up each of its own prefixes of 3 letters or more, and every
  name that starts with it;
- they are nicknames or curated diminutives of each other: the mention
  looks up the names its lists relate it to (person_match.related_forenames);
- Jaro-Winkler >= FORENAME_SIMILAR: rapidfuzz scores the mention's name
  against every distinct name of the block at once, in C, with the same
  scorer and a cut-off a hair lower, so a rounding never leaves one out.

An alias scores through equality only: a mention's alias or forename
looked up as it is finds the people given that name or alias.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from intake.matching import person_match

# Below FORENAME_SIMILAR by more than any rounding of the scorer.
_JW_CUTOFF = person_match.FORENAME_SIMILAR - 1e-9


def names_of(profile: person_match.Profile) -> tuple[str, ...]:
    """The names a person is looked up by: forenames and aliases, folded."""
    return tuple(sorted(profile.given | profile.aliases))


class BlockIndex:
    """The names of a block's people, each to the ids of the people known
    by it. Kept small: a writer holds one for every block it has read (a
    name of one person maps to the id itself, not to a set of one)."""

    __slots__ = ("_by_name", "_sorted", "_names_of")

    def __init__(self) -> None:
        self._by_name: dict[str, int | set[int]] = {}
        self._sorted: list[str] = []  # the keys of _by_name, for prefix ranges and the fuzzy pass
        self._names_of: dict[int, tuple[str, ...]] = {}

    def __iter__(self):
        """The ids of the people indexed."""
        return iter(self._names_of)

    def add(self, key: int, profile: person_match.Profile) -> None:
        """Index a person (again, if its names changed)."""
        names = names_of(profile)
        old = self._names_of.get(key)
        if old == names:
            return
        if old is not None:
            self.remove(key)
        self._names_of[key] = names
        for n in names:
            keys = self._by_name.get(n)
            if keys is None:
                self._by_name[n] = key
                insort(self._sorted, n)
            elif isinstance(keys, set):
                keys.add(key)
            elif keys != key:
                self._by_name[n] = {keys, key}

    def remove(self, key: int) -> None:
        for n in self._names_of.pop(key, ()):
            keys = self._by_name[n]
            if isinstance(keys, set):
                keys.discard(key)
                if len(keys) > 1:
                    continue
                if keys:
                    self._by_name[n] = next(iter(keys))
                    continue
            elif keys != key:
                continue
            del self._by_name[n]
            del self._sorted[bisect_left(self._sorted, n)]

    def _starting_with(self, prefix: str):
        i = bisect_left(self._sorted, prefix)
        names = self._sorted
        while i < len(names) and names[i].startswith(prefix):
            yield names[i]
            i += 1

    def candidates(self, profile: person_match.Profile) -> set[int]:
        """The ids of every person ``match_score(profile, theirs)`` could
        score (and some it will not)."""
        if not profile.given:
            return set()  # match_score needs a forename
        by_name = self._by_name
        wanted: set[str] = set(profile.aliases)
        for g in profile.given:
            wanted.add(g)
            if len(g) == 1:
                wanted.update(self._starting_with(g))
                continue
            wanted.add(g[0])
            wanted.update(g[:k] for k in range(3, len(g)))
            if len(g) >= 3:
                wanted.update(self._starting_with(g))
            wanted |= person_match.related_forenames(g)
            wanted.update(n for n, _score, _i in process.extract(
                g, self._sorted, scorer=JaroWinkler.similarity, score_cutoff=_JW_CUTOFF, limit=None))
        out: set[int] = set()
        for n in wanted:
            keys = by_name.get(n)
            if keys is None:
                continue
            if isinstance(keys, set):
                out |= keys
            else:
                out.add(keys)
        return out
