"""Document-level consistency: a name or nickname recognised once is the
same thing everywhere in the report. "known as Lil Dread" in one sentence
makes "Lil Dread drives ..." in the next an ALIAS too, though no cue is
there. Only exact, capitalised, word-bounded repeats not already covered by
another mention are added."""

from __future__ import annotations

import bisect
import re

from intake.extractors.recogniser import Candidate

_TYPES = ("ALIAS", "PERSON")


def propagate(per_field: dict[str, list[Candidate]], fields: dict[str, str]) -> None:
    seen: dict[str, tuple[str, str]] = {}  # surface text -> (type, value)
    for f, cands in per_field.items():
        for c in cands:
            if c.type in _TYPES and not c.recogniser.startswith("propagate"):
                if c.type == "PERSON" and c.recogniser.startswith("spacy") and " " not in c.value:
                    continue  # the model's lone capitalised words are too often headings
                surface = fields[f][c.start:c.end]
                if len(surface) >= 2 and surface[0].isupper() and surface not in seen:
                    seen[surface] = (c.type, c.value)
    if not seen:
        return
    # 'by "Skinny"' then "Skinny's email": the model's lone word is the nickname.
    for f, cands in per_field.items():
        for c in cands:
            if c.type == "PERSON" and c.recogniser.startswith("spacy") and " " not in c.value:
                hit = seen.get(fields[f][c.start:c.end])
                if hit and hit[0] == "ALIAS":
                    c.type, c.value = hit
    rx = re.compile(r"(?<![\w'’\-])(?:" + "|".join(
        re.escape(s) for s in sorted(seen, key=len, reverse=True)) + r")(?![\w\-])")
    for f, text in fields.items():
        cands = per_field[f]
        taken = sorted((c.start, c.end) for c in cands)
        starts = [s for s, _ in taken]
        longest = max((e - s for s, e in taken), default=0)
        for m in rx.finditer(text):
            lo = bisect.bisect_left(starts, m.start() - longest)
            hi = bisect.bisect_left(starts, m.end())
            if any(s < m.end() and m.start() < e for s, e in taken[lo:hi]):
                continue
            etype, value = seen[m.group(0)]
            cands.append(Candidate(etype, m.start(), m.end(), value, f"propagate:{etype.lower()}",
                                   0.6, 0, pattern="repeat"))
