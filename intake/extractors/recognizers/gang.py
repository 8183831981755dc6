"""Named gangs and groups: "the Y-Block boys", "the ABC crew", "Zone 2 gang",
"a gang called the Hillside Mandem". Value as written, without a leading
"the" (a determiner, not part of the name, so mentions resolve together)."""

from __future__ import annotations

import re

from intake.extractors.recognizer import Found, Pattern, Recognizer

_GROUP = r"(?:boys|boyz|crew|gang|mandem|man\s+dem|massive|firm|squad|bloods|crips|posse|youngers|olders|clique|fam|set|mob|guys)"
_TOK = r"(?:[A-Z0-9][\w'’\-]*)"
_NOT_NAME = frozenset("""the a an some his her their older younger local other two three four five
few many several same those these this that big little young old new bad main rival rivals
group older school all both any""".split())


class GangRecognizer(Recognizer):
    name = "gang"
    entity = "GANG"
    priority = 68
    # Case-sensitive: a name is capitalised; the cue words are not.
    patterns = (
        Pattern("called", rf"\b(?P<cue>(?i:gang|group|crew)\s+(?i:called|named|known\s+as))\s+(?i:the\s+)?"
                rf"[\"'“‘]?(?P<m>{_TOK}(?:\s+{_TOK}){{0,3}})", 0.75, 0),
        Pattern("named", rf"(?<![\w'’\-])(?P<m>{_TOK}(?:\s+{_TOK}){{0,2}}\s+(?i:{_GROUP}))\b", 0.75, 0),
    )

    def validate_result(self, m, text, ctx, pattern):
        s, e = m.span("m")
        words = m.group("m").split()
        while words and words[0].lower() in _NOT_NAME:
            s = text.index(words[1], s + len(words[0])) if len(words) > 1 else e
            words = words[1:]
        if pattern == "named":
            if len(words) < 2:
                return None
            if not any(re.search(r"[A-Z]", w) for w in words[:-1]):
                return None  # "year 9 boys": a name has a capital letter
        if not words:
            return None
        return Found(" ".join(text[s:e].split()), start=s, end=e)
