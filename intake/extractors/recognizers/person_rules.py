"""People the model misses: a title and a name ("Mr Khan", "PC Smith"), a
known first name followed by a capitalised surname ("Aisha Begum"), or a
known first name on its own. First names and titles are gazetteer data
(people.toml). Runs below the model in priority: it fills gaps."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import alternation
from intake.extractors.recognizer import Candidate, Recognizer

_SURNAME = r"(?:(?:Mc|Mac|O['’]|De|Van|Al-|El-)?[A-Z][a-z'’\-]+(?:-[A-Z][a-z'’]+)?)"


# Capitalised words that come before ", 13," in reports but are not names.
_NOT_FIRST = frozenset("""victim suspect subject child source age aged dob concerns where when who
male female boy girl year yes no flat room unit appendix section part stage step chapter table
figure schedule article paragraph page annex item point level tier number tel""".split())


class PersonRulesRecognizer(Recognizer):
    name = "person_rules"
    entity = "PERSON"
    priority = 35

    def _build(self, g) -> None:
        titles = alternation(g.word_list("titles"))
        self._titled = re.compile(rf"\b(?i:{titles})\.? +(?P<n>{_SURNAME}(?: +{_SURNAME})?)")
        # Capitalised words are checked against the set: faster than a
        # 400-name alternation tried at every position.
        self._first = re.compile(
            rf"(?<![\w\-'’])(?P<f>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w\-])(?= +(?P<s>{_SURNAME})(?![\w\-]))?")
        self._first_set = g.word_list("first_names")
        # "Destiny, 13," / "Layla Ahmed, 17/03/2009," / "Nicole (19)": a name
        # with an age or date of birth in apposition, as forms write them.
        self._appos = re.compile(
            rf"(?<![\w'’\-])(?P<n>[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?(?: +{_SURNAME})?)(?:, *| *\( *)"
            r"(?:\d{1,2}(?:\s*(?:yrs?|years?|yo|y/o))?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\s*[,)]")
        self._places = g.word_list("places")

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        self.prepare(g)
        out: list[Candidate] = []
        for m in self._titled.finditer(text):
            out.append(Candidate(self.entity, m.start(), m.end(), " ".join(m.group(0).split()),
                                 self.name, 0.8, self.priority + 10, pattern="title"))
        for m in self._first.finditer(text):
            f = m.group("f")
            if f.split("-")[0].lower() not in self._first_set:
                continue
            if m.group("s") and m.group("s").lower() not in self._places:
                s, e, score = m.start(), m.end("s"), 0.7
            else:
                s, e, score = m.start("f"), m.end("f"), 0.5
            # a full name outranks the model; a lone first name only fills gaps
            prio = self.priority if score > 0.5 else self.priority - 10
            out.append(Candidate(self.entity, s, e, text[s:e], self.name, score,
                                 prio, pattern="first_name"))
        for m in self._appos.finditer(text):
            if m.group("n").split()[0].lower() in _NOT_FIRST:
                continue
            out.append(Candidate(self.entity, m.start("n"), m.end("n"), m.group("n"), self.name, 0.6,
                                 self.priority - 1, pattern="apposition"))
        return out
