"""Links between mentions of one document, as indices into the returned
list: an ALIAS to its PERSON, a VEHICLE to a plate in the same sentence."""

from __future__ import annotations

import bisect
from collections import defaultdict

from intake.types import Mention


def link(mentions: list[Mention], sentence_of) -> None:
    """``sentence_of(field, offset)`` gives a sentence id within a field.
    Mentions are grouped by sentence first, so a long document costs linear
    time, not a scan of every mention per alias."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.type in ("ALIAS", "PERSON", "VEHICLE", "VRM"):
            groups[(m.field, sentence_of(m.field, m.start))].append(i)
    for idx in groups.values():
        idx.sort(key=lambda j: mentions[j].start)
        people = [j for j in idx if mentions[j].type == "PERSON"]
        people_starts = [mentions[j].start for j in people]
        for i in idx:
            m = mentions[i]
            if m.type == "ALIAS":
                j = _person_for(mentions, i, people, people_starts)
                if j is not None:
                    m.attrs["person"] = j
            elif m.type == "VEHICLE":
                j = _nearest(mentions, i, "VRM", idx)
                if j is not None:
                    m.attrs["plate"] = j


def _person_for(ms: list[Mention], i: int, people: list[int], starts: list[int]) -> int | None:
    alias = ms[i]
    k = bisect.bisect_left(starts, alias.start + 1)
    for j in people[max(0, k - 3):k]:  # the name it sits inside: Joe "JB" Bloggs
        if ms[j].start <= alias.start and alias.end <= ms[j].end:
            return j
    before = [j for j in people[max(0, k - 3):k] if ms[j].end <= alias.start]
    if before:
        return max(before, key=lambda j: ms[j].end)
    after = people[k:k + 1]
    return after[0] if after and ms[after[0]].start >= alias.end else None


def _nearest(ms: list[Mention], i: int, etype: str, idx: list[int]) -> int | None:
    v = ms[i]
    best = None
    for j in idx:
        p = ms[j]
        if p.type == etype:
            d = p.start - v.end if p.start >= v.end else v.start - p.end
            if best is None or d < best[0]:
                best = (d, j)
    return best[1] if best else None
