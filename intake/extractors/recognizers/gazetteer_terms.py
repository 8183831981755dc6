"""Mentions found straight from a gazetteer list: APP, SUBSTANCE, and the
named chains and agencies under ORGANISATION. One recogniser per entity type
present in the gazetteers, so an analyst's file can add a type as well as
terms. Ambiguous variants ("bud", "molly", "snap") count only with a
context word from the list in the same sentence."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import alternation
from intake.extractors.recognizer import Candidate, Recognizer


class GazetteerTermsRecognizer(Recognizer):
    name = "gazetteer_terms"
    entity = "*"
    priority = 55

    def __init__(self) -> None:
        super().__init__()
        self._built_for: int | None = None
        self._rules: list = []

    def _build(self, g) -> None:
        self._rules = []
        for etype, tl in sorted(g.types.items()):
            if not tl.terms and not tl.ambiguous:
                continue
            variants = set(tl.terms) | set(tl.ambiguous)
            rx = re.compile(r"(?<![\w@#/'’\-])(?:" + alternation(variants) + r")(?![\w@'’]|-\w)", re.I)
            ctx_rx = (re.compile(r"(?<![\w])(?:" + alternation(tl.context) + r")(?!\w)", re.I)
                      if tl.context else None)
            self._rules.append((etype, tl, rx, ctx_rx, tl.require_capital or etype in _CAPITALISED))
        self._built_for = id(g)

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        if self._built_for != id(g):
            self._build(g)
        out: list[Candidate] = []
        for etype, tl, rx, ctx_rx, need_capital in self._rules:
            for m in rx.finditer(text):
                raw = m.group(0)
                key = " ".join(raw.lower().replace("-", " ").split())
                canonical = tl.terms.get(key) or tl.terms.get(raw.lower())
                score = 0.85
                if need_capital and not raw[:1].isupper():
                    continue
                if canonical is None:
                    canonical = tl.ambiguous.get(key) or tl.ambiguous.get(raw.lower())
                    if canonical is None or ctx_rx is None:
                        continue
                    lo, hi = ctx.sentence_span(m.start())
                    near = [c for c in ctx_rx.finditer(text, lo, hi)
                            if not (c.start() < m.end() and m.start() < c.end())]
                    if not near:
                        continue
                    # A capitalised ambiguous word ("Molly", "Charlie") is a name first.
                    if raw[:1].isupper() and m.start() > lo and len(raw) > 2:
                        continue
                    score = 0.6
                if etype == "ORGANISATION" and re.match(r"\s+(?:number|no\.?)\b", text[m.end():m.end() + 9], re.I):
                    continue  # "NHS number": an identifier, not the organisation
                value = canonical if etype in _CANONICAL else " ".join(raw.split())
                out.append(Candidate(etype, m.start(), m.end(), value, self.name, score,
                                     self.priority, pattern=f"gazetteer:{etype}"))
        return out


# Types whose value is the list's canonical name (ENTITIES.md); names of
# businesses keep the text as written.
_CANONICAL = {"APP", "SUBSTANCE"}
_CAPITALISED = {"ORGANISATION", "LOCATION", "PERSON", "GANG"}
