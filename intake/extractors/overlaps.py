"""The one place overlapping candidates are settled.

Higher priority wins first (the more specific recogniser: an e-mail over a
handle, a plate over a postcode, any rule over the model), then the longer
span, then the earlier. The only overlap kept is an ALIAS inside a PERSON
(Joe "JB" Bloggs): both are true."""

from __future__ import annotations

from intake.extractors.recognizer import Candidate

_NESTABLE = {("ALIAS", "PERSON"), ("PERSON", "ALIAS")}


def resolve(cands: list[Candidate]) -> list[Candidate]:
    order = sorted(cands, key=lambda c: (-c.priority, -c.length, c.start, c.type))
    kept: list[Candidate] = []
    for c in order:
        if c.length <= 0:
            continue
        clash = False
        for k in kept:
            if c.start < k.end and k.start < c.end:
                if (c.type, k.type) in _NESTABLE:
                    person, alias = (c, k) if c.type == "PERSON" else (k, c)
                    # a nickname inside a longer name is kept; a "person"
                    # that is only (part of) the nickname is not
                    if person.start <= alias.start and alias.end <= person.end and person.length > alias.length:
                        continue
                clash = True
                break
        if not clash:
            kept.append(c)
    return sorted(kept, key=lambda c: (c.start, -c.length))
