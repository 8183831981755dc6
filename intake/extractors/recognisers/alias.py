"""Nicknames and street names: 'known as "JB"', "aka Tiny", "a.k.a. Big
Mike", "goes by Dee", "calls himself King", "street name Ghost", and a quoted
name inside or after a person's name (Joe "JB" Bloggs). Value as written,
without quotes. The person it belongs to is linked afterwards (links.py)."""

from __future__ import annotations

import re

from intake.extractors import names
from intake.extractors.recogniser import Found, Pattern, Recogniser

_Q1, _Q2 = r"[\"'“‘]", r"[\"'”’]"
_CUE = (r"(?i:\b(?:also\s+)?known\s+(?:only\s+|just\s+|locally\s+)?(?:to\s+(?:the\s+|his\s+|her\s+|their\s+|most\s+)?[a-z]+\s+)?as|\bknows?\s+(?:him|her|them)?\s*(?:only\s+|just\s+)?as|"
        r"\bcalled\s+(?:himself|herself|themselves)|\baka\b|\ba\.k\.a\.?|\bgoes\s+by(?:\s+the\s+name(?:\s+of)?)?|"
        r"\bcalls\s+(?:himself|herself|themselves)|\bcalling\s+(?:himself|herself)|"
        r"\bstreet\s+name(?:\s+(?:is|of|was))?|\bnick\s*-?name[ds]?(?:\s+(?:is|of|was))?|"
        r"\balso\s+called|\buses\s+the\s+name|\balias|\bcalls?\s+(?:him|her|them)(?!\s+(?:on|back|up|out|over|in|again|later|tomorrow|if|when|to|from|at)\b)|"
        r"\bgoes\s+under\s+the\s+name|\bnamed|\bcalled)")
_NAME = r"(?:[A-Z0-9][\w'’\-]*(?:\s+[A-Z0-9][\w'’\-]*){0,2})"
_STOP = frozenset("he she they him her his the a an and or but police social who which that this""".split())
# Words that end an unquoted alias, for text in capitals ("KNOWN AS DOT AND DRIVES").
_END = frozenset("""and or but who which that is was has had from with at in on to for of by he she
they drives drove lives lived sells sold runs works uses used goes went said says is are
were will would can could also""".split())
# A quoted phrase after these is a label or a quotation, not a nickname.
_NOT_ALIAS_BEFORE = re.compile(r"(?i)(?:saved\s+as|listed\s+as|stored\s+as|titled|wrote|written|reads?|"
                               r"words?|message|text|texts|texted|slogan|song|film|post|caption)\s*[:\-]?\s*$")


class AliasRecogniser(Recogniser):
    name = "alias"
    run_order = 90
    entity = "ALIAS"
    priority = 72
    # Case-sensitive: names are capitalised; cues carry their own (?i:).
    patterns = (
        Pattern("cued", rf"(?P<cue>{_CUE})\s*[:\-]?\s*(?:{_Q1}(?P<q>[^\"'“”‘’\n]{{1,30}}?){_Q2}(?!\w)|(?P<n>{_NAME}))",
                0.85, 0),
        # A short capitalised phrase in quotes ("Smokey", "Big Mike") in a
        # report is a nickname far more often than a quotation.
        Pattern("quoted_name", r"(?<![\w])[\"“‘'](?P<q>[A-Z0-9][\w\-]*(?:\s+[A-Z0-9][\w\-]*){0,2})[\"”’'](?![\w])",
                0.6, 0, priority=71),
        # Joe "JB" Bloggs / Joe Bloggs ("JB") / Joe Bloggs 'JB'
        Pattern("quoted", rf"\b[A-Z][a-z'’\-]+\s+\(?{_Q1}(?P<q>[A-Za-z0-9][\w\-. ]{{0,20}}?){_Q2}\)?"
                r"(?=\s+[A-Z][a-z]|\s*[,.;)]|\s+(?:is|was|who|has|and)\b)", 0.7, 0),
    )

    def validate_result(self, m, text, ctx, pattern):
        if pattern == "cued":
            return self._cued(m, text, ctx)
        s, e = m.span("q")
        value = " ".join(m.group("q").split())
        if pattern == "quoted_name":
            if _NOT_ALIAS_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
                return None
            if value.lower() in _STOP or value.lower().split()[0] in _END:
                return None
        elif len(value.split()) > 3 or value.lower() in _STOP:
            return None
        return Found(value, start=s, end=e)

    def _cued(self, m, text, ctx):
        cue = m.group("cue").lower()
        if m.group("q") is not None:
            s, e = m.span("q")
        else:
            s, e = m.span("n")
            words = text[s:e].split()
            keep = []
            for w in words:
                if w.lower() in _END:
                    break
                keep.append(w)
            if not keep:
                return None
            e = s + len(" ".join(keep)) if text[s:e].startswith(" ".join(keep)) else e
            if cue in ("named", "called") and (len(keep) > 1 or keep[0].lower().rstrip(".") in (
                    ctx.gazetteers.word_list("first_names") | ctx.gazetteers.word_list("surnames")
                    | ctx.gazetteers.word_list("titles"))):
                # "a man called Jason / Mehmet Yilmaz" is a name (person_rules);
                # "one is called Stretch" a nickname.
                return None
        value = " ".join(text[s:e].split()).strip(" .,")
        if not value or value.lower() in _STOP:
            return None
        if m.group("q") is None and not re.search(r"[^\W\d_]", value):
            return None  # "Crew called 19/1 2305": a date follows, not a name
        if cue.startswith("call") and m.group("q") is None and value.lower() in names.stop_words():
            return None  # "I will call him Monday"
        e = s + len(text[s:e].rstrip(" .,"))
        return Found(value, start=s, end=e)
