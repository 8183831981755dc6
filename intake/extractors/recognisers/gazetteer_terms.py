"""Mentions found straight from a gazetteer list: APP, SUBSTANCE, and the
named chains and agencies under ORGANISATION. One recogniser per entity type
present in the gazetteers, so an analyst's file can add a type as well as
terms. Ambiguous variants ("bud", "molly", "snap") count only with
evidence in the same sentence: a context word from the list, or a plain term
of the same type ("spice and charlie"). Slang that is also a first name
("mandy", "charlie") counts on its own when written in lower case in a text
that uses capitals: there, a person's name would have one."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import PhraseIndex, alternation
from intake.extractors.recogniser import Candidate, Recogniser


class GazetteerTermsRecogniser(Recogniser):
    name = "gazetteer_terms"
    run_order = 120
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
        first_names = g.word_list("first_names")
        out: list[Candidate] = []
        last_end: dict[str, int] = {}
        hits = list(self._index.finditer(text))
        # where each type has a plain (unambiguous) term: evidence for its slang
        plain: dict[str, list[tuple[int, int, str]]] = {}
        for start, end, payloads in hits:
            for etype, canonical, ambiguous in payloads:
                if not ambiguous:
                    plain.setdefault(etype, []).append((start, end, canonical))
        for start, end, payloads in hits:
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
                score, evidence = 0.85, None
                if ambiguous:
                    # the same substance named beside it ("nitrous oxide
                    # canisters") is one mention, not evidence for a second
                    others = [(ps, pe) for ps, pe, c in plain.get(etype, ()) if c != canonical]
                    evidence = self._evidence(text, ctx, start, end, raw, ctx_rx, others, first_names)
                    if evidence is None:
                        continue
                    score = 0.6
                if etype == "ORGANISATION" and re.match(r"\s+(?:number|no\.?)\b", text[end:end + 9], re.I):
                    continue  # "NHS number": an identifier, not the organisation
                value = canonical if etype in _CANONICAL else " ".join(raw.split())
                last_end[etype] = end
                out.append(Candidate(etype, start, end, value, self.name, score,
                                     self.priority, pattern=f"gazetteer:{etype}", context_word=evidence))
        return out

    @staticmethod
    def _evidence(text, ctx, start, end, raw, ctx_rx, plain_spans, first_names) -> str | None:
        """Why an ambiguous variant counts here (the context word, the plain
        term beside it, or "lower-case name"), or None when it does not."""
        lo, hi = ctx.sentence_span(start)
        # the sentence, capped so text without full stops stays linear
        lo, hi = max(lo, start - 200), min(hi, end + 200)
        # A capitalised ambiguous word ("Molly", "Charlie") is a name first.
        if raw[:1].isupper() and start > lo and len(raw) > 2:
            return None
        if raw.lower() in first_names and raw[:1].islower() and len(raw) > 2:
            if any(c.isupper() for c in text[lo:hi]):
                return "lower-case name"
        if ctx_rx is not None:
            for c in ctx_rx.finditer(text, lo, hi):
                if not (c.start() < end and start < c.end()):
                    return " ".join(c.group(0).lower().split())
        for ps, pe in plain_spans:
            if lo <= ps < hi and ps != start:
                return " ".join(text[ps:pe].split()).lower()
        return None


# Types whose value is the list's canonical name (docs/entities.md); names of
# businesses keep the text as written.
_CANONICAL = {"APP", "SUBSTANCE"}
_CAPITALISED = {"ORGANISATION", "LOCATION", "PERSON", "GANG"}
