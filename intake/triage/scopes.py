"""Negation and reported-hypothetical scopes, in the manner of ConText
(Harkema et al. 2009): a cue ("no sign of", "denies", "if", "in case")
governs the words after it up to the end of its clause, within a window.

Hand-written rather than medspaCy's ConText: medspaCy brings clinical
pipeline dependencies (PyRuSH, QuickUMLS) for a rule set about symptoms,
and intake loads spaCy's NER only (no parser to give clauses). The cues are
data, in the catalogue's [context] table."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from intake.extractors.sentences import sentence_starts
from intake.triage.catalogue import Catalogue
from intake.triage.literal_prefixes import Folded, candidates, folded

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Scope:
    start: int
    end: int
    kind: str  # negated | hypothetical
    cue_start: int
    cue_end: int


class TextScopes:
    """Sentences and cue scopes of one text."""

    def __init__(self, text: str, cat: Catalogue, prepared: Folded | None = None):
        """``prepared``: literal_prefixes.folded(text), if the
        caller has it (a cue that cannot be in the text is not looked for
        sentence by sentence)."""
        self.text = text
        self.starts = sentence_starts(text)
        self.scopes: list[Scope] = []
        prepared = folded(text) if prepared is None else prepared
        starts = cat.cue_starts
        # Each cue only in the sentences where a match of it could begin
        # (cues are matched sentence by sentence, so a word boundary at a
        # sentence's start is not the text's: where the cue could begin is
        # taken without it).
        where = {cue: candidates(starts.get(cue), prepared, word_starts=False)
                 for cue in (*cat.negation, *cat.short_negation, *cat.hypothetical)}
        kinds = [(kind, [c for c in cues if where[c] != []], window)
                 for kind, cues, window in (("negated", cat.negation, cat.window),
                                            ("negated", cat.short_negation, cat.short_window),
                                            ("hypothetical", cat.hypothetical, cat.window))]
        for s, e in self.sentences():
            sentence = None
            for kind, cues, window in kinds:
                for cue in cues:
                    at = where[cue]
                    if at is not None:
                        i = bisect_left(at, s)
                        if i == len(at) or at[i] >= e:
                            continue
                    if sentence is None:
                        sentence = text[s:e]
                    for m in cue.finditer(sentence):
                        end = self._scope_end(sentence, m.end(), cat, window)
                        self.scopes.append(Scope(s + m.start(), s + end, kind, s + m.start(), s + m.end()))
        self.post = cat.post_negation

    def sentences(self) -> list[tuple[int, int]]:
        ends = self.starts[1:] + [len(self.text)]
        return list(zip(self.starts, ends))

    def sentence_span(self, offset: int) -> tuple[int, int]:
        for s, e in self.sentences():
            if s <= offset < e:
                return s, e
        return 0, len(self.text)

    @staticmethod
    def _scope_end(sentence: str, pos: int, cat: Catalogue, window: int) -> int:
        end = len(sentence)
        stop = cat.scope_end.search(sentence, pos)
        if stop is not None:
            end = stop.start()
        words = list(_WORD.finditer(sentence, pos, end))
        if len(words) > window:
            end = words[window - 1].end()
        return end

    def qualifier(self, start: int, end: int) -> str | None:
        """'negated' or 'hypothetical' when a cue before the span governs
        it; a cue inside the match ("has not come home") is the phrase
        itself, not a qualifier."""
        for sc in self.scopes:
            if sc.cue_end <= start and sc.start <= start < sc.end:
                return sc.kind
        after = self.text[end:end + 30]
        if any(p.search(after) for p in self.post):
            return "negated"
        return None
