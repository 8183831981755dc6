"""Vehicle descriptions: colour, make, model ("silver Vauxhall Astra", "a
black BMW", "white Transit"). Value: as written, lower case. Makes, models and
colours come from vehicles.toml. A plate in the same sentence is linked
afterwards (links.py)."""

from __future__ import annotations

from intake.extractors.gazetteer import PhraseIndex, phrase_key
from intake.extractors.recogniser import Candidate, Recogniser

# Makes that are also ordinary words: they count only with a capital.
_WORDY_MAKES = frozenset({"mini", "smart", "seat", "ds", "mg", "alfa", "cupra", "jaguar"})
# Models that are ordinary words or numbers: only after their make.
_MIN_MODEL_ALONE = 4


class VehicleRecogniser(Recogniser):
    name = "vehicle"
    run_order = 100
    entity = "VEHICLE"
    priority = 65

    def _build(self, g) -> None:
        self._first_names = g.word_list("first_names")
        self._colours = PhraseIndex({c: [c] for c in g.colours})
        self._makes = PhraseIndex({m: [m] for m in g.makes})
        self._models = PhraseIndex({})
        for make, models in g.makes.items():
            for m in models:
                self._models.map.setdefault(phrase_key(m), []).append(make)
        self._models.max_n = max((len(k.split()) for k in self._models.map), default=1)
        self._models.first_words = {k.split()[0] for k in self._models.map if " " in k}

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        self.prepare(g)
        out: list[Candidate] = []
        spans, words = self._colours.tokens(text)
        i = 0
        while i < len(spans):
            hit = self._match(text, spans, words, i, lambda pos: self._lower_case(text, pos, ctx))
            if hit is None:
                i += 1
                continue
            j, end, kind = hit
            start = spans[i][0]
            value = " ".join(text[start:end].lower().split())
            out.append(Candidate(self.entity, start, end, value, self.name, 0.8, self.priority,
                                 pattern=kind))
            i = j
        return out

    @staticmethod
    def _lower_case(text, pos, ctx) -> bool:
        """A writer who uses no capitals at all ("he drives a red corsa")
        cannot be held to the capital a model name otherwise needs."""
        lo, hi = ctx.sentence_span(pos)
        return not any(c.isupper() for c in text[max(lo, pos - 200):min(hi, pos + 200)])

    def _match(self, text, spans, words, i, lower_case=lambda pos: False):
        """(next token index, end offset, pattern) of a vehicle starting at token i."""
        if spans[i][0] and text[spans[i][0] - 1] in "-@#":
            return None
        j, colour = i, None
        c = self._colours.match_at(text, spans, words, i)
        if c:
            colour, j = c, i + c[0]
            if j < len(spans) and words[j] in ("coloured", "colored", "metallic"):
                j += 1
        if j >= len(spans):
            return None
        mk = self._makes.match_at(text, spans, words, j)
        if mk:
            raw = text[spans[j][0]:mk[1]]
            if raw.lower() in _WORDY_MAKES and not raw[0].isupper():
                return None
            k, end = j + mk[0], mk[1]
            md = self._models.match_at(text, spans, words, k) if k < len(spans) else None
            if md and mk[2][0] in md[2]:
                return k + md[0], md[1], "make"
            if not colour and not raw[0].isupper():
                return None  # "ford" alone in lower case: a river crossing
            if not colour and raw.isupper() and i > 0 and words[i - 1] in self._first_names \
                    and text[spans[i - 1][0]].isupper():
                return None  # "Liam FORD": a surname in capitals after a forename
            return k, end, "make"
        mo = self._models.match_at(text, spans, words, j)
        if mo and colour:
            raw = text[spans[j][0]:mo[1]]
            # A model alone ("white Transit") needs a colour and a capital.
            if (raw[0].isupper() or lower_case(spans[j][0])) and len(raw) >= _MIN_MODEL_ALONE and raw.isalpha():
                return j + mo[0], mo[1], "model"
        return None
