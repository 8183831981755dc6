"""People the model misses: a title and a name ("Mr Khan", "PC Smith"), a
known first name followed by a capitalised surname ("Aisha Begum"), or a
known first name on its own. First names and titles are gazetteer data
(people.toml). Runs below the model in priority: it fills gaps."""

from __future__ import annotations

from intake.extractors.gazetteer import alternation
from intake.extractors.recognizer import Found, Pattern, Recognizer

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
        # Capitalised words are checked against the sets: faster than a
        # 400-name alternation tried at every position.
        self._first_set = g.word_list("first_names")
        self._places = g.word_list("places")

    def build_patterns(self, g):
        titles = alternation(g.word_list("titles"))
        return (
            Pattern("title", rf"\b(?P<cue>(?i:{titles}))\.? +(?P<n>{_SURNAME}(?: +{_SURNAME})?)", 0.8, 0,
                    priority=self.priority + 10),
            Pattern("first_name", rf"(?<![\w\-'’])(?P<f>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w\-])"
                    rf"(?= +(?P<s>{_SURNAME})(?![\w\-]))?", 0.7, 0),
            # "Destiny, 13," / "Layla Ahmed, 17/03/2009," / "Nicole (19)": a name
            # with an age or date of birth in apposition, as forms write them.
            Pattern("apposition", rf"(?<![\w'’\-])(?P<m>[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?(?: +{_SURNAME})?)(?:, *| *\( *)"
                    r"(?:\d{1,2}(?:\s*(?:yrs?|years?|yo|y/o))?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\s*[,)]", 0.6, 0,
                    priority=self.priority - 1),
        )

    def validate_result(self, m, text, ctx, pattern):
        if pattern == "title":
            return Found(" ".join(m.group(0).split()), start=m.start(), end=m.end())
        if pattern == "apposition":
            if m.group("m").split()[0].lower() in _NOT_FIRST:
                return None
            return m.group("m")
        f = m.group("f")
        if f.split("-")[0].lower() not in self._first_set:
            return None
        if m.group("s") and m.group("s").lower() not in self._places:
            s, e, score = m.start(), m.end("s"), 0.7
        else:
            s, e, score = m.start("f"), m.end("f"), 0.5
        # a full name outranks the model; a lone first name only fills gaps
        prio = self.priority if score > 0.5 else self.priority - 10
        return Found(text[s:e], start=s, end=e, score=score, priority=prio)
