"""Mentions found straight from a gazetteer list: APP, SUBSTANCE, and the
named chains and agencies under ORGANISATION. One recogniser per entity type
present in the gazetteers, so an analyst's file can add a type as well as
terms. Ambiguous variants ("bud", "molly", "snap") count only with a
context word from the list in the same sentence."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import PhraseIndex, alternation
from intake.extractors.recognizer import Candidate, Recognizer


class GazetteerTermsRecognizer(Recognizer):
    name = "gazetteer_terms"
    entity = "*"
    priority = 55

    def __init__(self) -> None:
        super().__init__()
        self._rules: list = []

    def _build(self, g) -> None:
        entries: dict[str, list] = {}
        self._types = {}
        for etype, tl in sorted(g.types.items()):
            for variant, canonical in tl.terms.items():
                entries.setdefault(variant, []).append((etype, canonical, False))
            for variant, canonical in tl.ambiguous.items():
                entries.setdefault(variant, []).append((etype, canonical, True))
            ctx_rx = (re.compile(r"(?<![\w])(?:" + alternation(tl.context) + r")(?!\w)", re.I)
                      if tl.context else None)
            self._types[etype] = (ctx_rx, tl.require_capital or etype in _CAPITALISED)
        self._index = PhraseIndex(entries)

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        self.prepare(g)
        out: list[Candidate] = []
        last_end: dict[str, int] = {}
        for start, end, payloads in self._index.finditer(text):
            raw = text[start:end]
            # a plain term beats an ambiguous one of the same type
            best: dict[str, tuple[str, bool]] = {}
            for etype, canonical, ambiguous in payloads:
                if etype not in best or best[etype][1] and not ambiguous:
                    best[etype] = (canonical, ambiguous)
            for etype, (canonical, ambiguous) in best.items():
                if start < last_end.get(etype, -1):
                    continue  # inside a longer phrase of this type
                ctx_rx, need_capital = self._types[etype]
                if need_capital and not raw[:1].isupper():
                    continue
                score = 0.85
                if ambiguous:
                    if ctx_rx is None:
                        continue
                    lo, hi = ctx.sentence_span(start)
                    # the sentence, capped so text without full stops stays linear
                    lo, hi = max(lo, start - 200), min(hi, end + 200)
                    near = [c for c in ctx_rx.finditer(text, lo, hi)
                            if not (c.start() < end and start < c.end())]
                    if not near:
                        continue
                    # A capitalised ambiguous word ("Molly", "Charlie") is a name first.
                    if raw[:1].isupper() and start > lo and len(raw) > 2:
                        continue
                    score = 0.6
                if etype == "ORGANISATION" and re.match(r"\s+(?:number|no\.?)\b", text[end:end + 9], re.I):
                    continue  # "NHS number": an identifier, not the organisation
                value = canonical if etype in _CANONICAL else " ".join(raw.split())
                last_end[etype] = end
                out.append(Candidate(etype, start, end, value, self.name, score,
                                     self.priority, pattern=f"gazetteer:{etype}"))
        return out


# Types whose value is the list's canonical name (ENTITIES.md); names of
# businesses keep the text as written.
_CANONICAL = {"APP", "SUBSTANCE"}
_CAPITALISED = {"ORGANISATION", "LOCATION", "PERSON", "GANG"}
