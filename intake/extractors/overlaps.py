"""The one place overlapping candidates are settled.

Higher priority wins first (the more specific recogniser: an e-mail over a
handle, a plate over a postcode, any rule over the model), then the longer
span, then the earlier. The only overlap kept is an ALIAS inside a longer
PERSON (Joe "JB" Bloggs): both are true; a PERSON that is only (part of) a
nickname goes."""

from __future__ import annotations

import bisect

from intake.extractors.recogniser import Candidate

_NESTABLE = {("ALIAS", "PERSON"), ("PERSON", "ALIAS")}


def _compatible(c: Candidate, k: Candidate) -> bool:
    if (c.type, k.type) not in _NESTABLE:
        return False
    person, alias = (c, k) if c.type == "PERSON" else (k, c)
    return person.start <= alias.start and alias.end <= person.end and person.length > alias.length


def resolve(cands: list[Candidate]) -> list[Candidate]:
    order = sorted(cands, key=lambda c: (-c.priority, -c.length, c.start, c.type))
    # Kept spans sorted by start; only those starting within the longest
    # kept length before c can reach it, so each check is a short scan.
    starts: list[int] = []
    kept: list[Candidate] = []
    longest = 0
    for c in order:
        if c.length <= 0:
            continue
        lo = bisect.bisect_left(starts, c.start - longest)
        hi = bisect.bisect_left(starts, c.end)
        if any(c.start < k.end and k.start < c.end and not _compatible(c, k) for k in kept[lo:hi]):
            continue
        pos = bisect.bisect_left(starts, c.start)
        starts.insert(pos, c.start)
        kept.insert(pos, c)
        longest = max(longest, c.length)
    return sorted(kept, key=lambda c: (c.start, -c.length))
