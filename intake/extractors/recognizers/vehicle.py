"""Vehicle descriptions: colour, make, model ("silver Vauxhall Astra", "a
black BMW", "white Transit"). Value: as written, lower case. Makes, models and
colours come from vehicles.toml. A plate in the same sentence is linked
afterwards (links.py)."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import alternation
from intake.extractors.recognizer import Candidate, Recognizer

# Makes that are also ordinary words: they count only with a capital.
_WORDY_MAKES = frozenset({"mini", "smart", "seat", "ds", "mg", "alfa", "cupra", "jaguar"})
# Models that are ordinary words or numbers: only after their make.
_MIN_MODEL_ALONE = 4


class VehicleRecognizer(Recognizer):
    name = "vehicle"
    entity = "VEHICLE"
    priority = 65

    def __init__(self) -> None:
        super().__init__()
        self._built_for: int | None = None

    def _build(self, g) -> None:
        colours = alternation(g.colours)
        makes = alternation(g.makes)
        models = alternation({m for ms in g.makes.values() for m in ms})
        self._rx = re.compile(
            rf"(?<![\w\-])(?:(?P<c>{colours})(?:\s+(?:coloured|colored|metallic))?\s+)?"
            rf"(?:(?P<mk>{makes})(?:\s+(?P<md>{models}))?|(?P<mo>{models}))(?![\w\-])",
            re.I)
        self._models = {m for ms in g.makes.values() for m in ms}
        self._built_for = id(g)

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        if self._built_for != id(g):
            self._build(g)
        out: list[Candidate] = []
        for m in self._rx.finditer(text):
            mk, md, mo, c = m.group("mk"), m.group("md"), m.group("mo"), m.group("c")
            if mk:
                if mk.lower() in _WORDY_MAKES and not mk[0].isupper():
                    continue
                if not c and not md and not mk[0].isupper():
                    continue  # "ford" alone in lower case: a river crossing
            else:
                # A model alone ("white Transit") needs a colour and a capital.
                if not c or not mo[0].isupper() or len(mo) < _MIN_MODEL_ALONE or not mo.isalpha():
                    continue
            start = m.start()
            value = " ".join(m.group(0).lower().split())
            out.append(Candidate(self.entity, start, m.end(), value, self.name, 0.8, self.priority,
                                 pattern="make" if mk else "model"))
        return out
