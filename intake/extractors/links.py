"""Links between mentions of one document, as indices into the returned
list: an ALIAS to its PERSON, a VEHICLE to a plate in the same sentence."""

from __future__ import annotations

from intake.types import Mention


def link(mentions: list[Mention], sentence_of) -> None:
    """``sentence_of(field, offset)`` gives a sentence id within a field."""
    for i, m in enumerate(mentions):
        if m.type == "ALIAS":
            j = _person_for(mentions, i, sentence_of)
            if j is not None:
                m.attrs["person"] = j
        elif m.type == "VEHICLE":
            j = _nearest(mentions, i, "VRM", sentence_of)
            if j is not None:
                m.attrs["plate"] = j


def _same_sentence(a: Mention, b: Mention, sentence_of) -> bool:
    return a.field == b.field and sentence_of(a.field, a.start) == sentence_of(b.field, b.start)


def _person_for(ms: list[Mention], i: int, sentence_of) -> int | None:
    alias = ms[i]
    for j, p in enumerate(ms):  # the name it sits inside: Joe "JB" Bloggs
        if p.type == "PERSON" and p.field == alias.field and p.start <= alias.start and alias.end <= p.end:
            return j
    before = [j for j, p in enumerate(ms) if p.type == "PERSON" and p.end <= alias.start
              and _same_sentence(p, alias, sentence_of)]
    if before:
        return before[-1]
    after = [j for j, p in enumerate(ms) if p.type == "PERSON" and p.start >= alias.end
             and _same_sentence(p, alias, sentence_of)]
    return after[0] if after else None


def _nearest(ms: list[Mention], i: int, etype: str, sentence_of) -> int | None:
    v = ms[i]
    best = None
    for j, p in enumerate(ms):
        if p.type == etype and _same_sentence(p, v, sentence_of):
            d = p.start - v.end if p.start >= v.end else v.start - p.end
            if best is None or d < best[0]:
                best = (d, j)
    return best[1] if best else None
