"""Named gangs and groups: "the Y-Block boys", "the ABC crew", "Zone 2 gang",
"a gang called the Hillside Mandem". Value as written, without a leading
"the" (a determiner, not part of the name, so mentions resolve together)."""

from __future__ import annotations

import re

from intake.extractors.recognizer import Candidate, Recognizer

_GROUP = r"(?:boys|boyz|crew|gang|mandem|man\s+dem|massive|firm|squad|bloods|crips|posse|youngers|olders|clique|fam|set|mob|guys)"
_TOK = r"(?:[A-Z0-9][\w'’\-]*)"
_NOT_NAME = frozenset("""the a an some his her their older younger local other two three four five
few many several same those these this that big little young old new bad main rival rivals
group older school all both any""".split())


class GangRecognizer(Recognizer):
    name = "gang"
    entity = "GANG"
    priority = 68

    def __init__(self) -> None:
        super().__init__()
        self._named = re.compile(rf"(?<![\w'’\-])(?P<m>{_TOK}(?:\s+{_TOK}){{0,2}}\s+(?i:{_GROUP}))\b")
        self._called = re.compile(
            rf"\b(?i:gang|group|crew)\s+(?i:called|named|known\s+as)\s+(?i:the\s+)?[\"'“‘]?(?P<m>{_TOK}(?:\s+{_TOK}){{0,3}})")

    def analyze(self, text, ctx):
        out: list[Candidate] = []
        for rx, pat in ((self._called, "called"), (self._named, "named")):
            for m in rx.finditer(text):
                s, e = m.span("m")
                words = m.group("m").split()
                while words and words[0].lower() in _NOT_NAME:
                    s = text.index(words[1], s + len(words[0])) if len(words) > 1 else e
                    words = words[1:]
                if pat == "named" and len(words) < 2:
                    continue
                if not any(re.search(r"[A-Z]", w) for w in words[:-1] if pat == "named") and pat == "named":
                    continue  # "year 9 boys": a name has a capital letter
                if not words:
                    continue
                value = " ".join(text[s:e].split())
                out.append(Candidate(self.entity, s, e, value, self.name, 0.75, self.priority, pattern=pat))
        return out
