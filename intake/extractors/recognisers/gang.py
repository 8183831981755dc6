"""Named gangs and groups: "the Y-Block boys", "the ABC crew", "Zone 2 gang",
"Cash Gang 23", "a gang called the Hillside Mandem", "the Zone 9 lot", and a
numbered name ("Zone 9", "Block 4") in a sentence about gangs. Value as
written, without a leading "the" (a determiner, not part of the name, so
mentions resolve together) or a trailing "lot"."""

from __future__ import annotations

import re

from intake.extractors.recogniser import Found, Pattern, Recogniser

_GROUP = r"(?:boys|boyz|crew|gang|mandem|man\s+dem|massive|firm|squad|bloods|crips|posse|youngers|olders|clique|fam|set|mob|guys)"
_TOK = r"(?:[A-Z0-9][\w'’\-]*)"
# "Year 9", "Room 12", "Junction 10": numbered things that are not gangs.
_NUMBERED_THINGS = frozenset("""year years room rooms flat flats unit bus route junction platform ward
level floor gate page section number no apartment house appendix chapter box class set form grade
stage step tier phase item question exhibit line channel district door bay lane road street car
coach seat table zone1 key stand terminal pitch court act article part schedule option tactic
week day month age aged""".split())
_GANG_CONTEXT = re.compile(
    r"\b(?:gangs?|group|crew|part\s+of|members?\s+of|member|runs?\s+with|running\s+with|rivals?|beef|"
    r"fight(?:ing|s)?|recruit(?:ing|s|ed)?|territory|postcode|affiliated|linked\s+to|owes?|"
    r"mandem|drill|opps|olders|youngers|elders|calls?\s+(?:it|them)sel(?:f|ves)|known\s+as|"
    r"repping|reps|colours|tags?|tagged|tagging|sprayed|patch|line|opps|assoc|associates?|ends|"
    r"going\s+country|county\s+lines?|(?:driv|work|sell|deal|run|carr|hold)\w*\s+for)\b", re.I)
# Ordinary firms and a phone: "Taxi firm", "Jermaine's mob".
_NOT_GANG_HEAD = frozenset("""taxi taxis cab cabs security building builders law cleaning removal removals
rental hire private family""".split())
_NOT_NAME = frozenset("""the a an some his her their older younger local other two three four five
few many several same those these this that big little young old new bad main rival rivals
group older school all both any""".split())


class GangRecogniser(Recogniser):
    name = "gang"
    run_order = 110
    entity = "GANG"
    priority = 68
    # Case-sensitive: a name is capitalised; the cue words are not.
    patterns = (
        # Above the alias rule: "a group known as Block 4" names a group.
        Pattern("called", rf"\b(?P<cue>(?i:gang|group|crew)\s+(?i:called|named|known\s+as|calling\s+(?:it|them)sel(?:f|ves)))"
                rf"\s+(?i:the\s+)?[\"'“‘]?(?P<m>{_TOK}(?:\s+{_TOK}){{0,3}})", 0.75, 0, priority=74),
        Pattern("named", rf"(?<![\w'’\-])(?P<m>{_TOK}(?:\s+{_TOK}){{0,2}}\s+(?i:{_GROUP})(?:\s+\d{{1,3}})?)\b", 0.75, 0),
        # "the Zone 9 lot": the group word is not part of the name
        Pattern("lot", rf"(?<=\b[Tt]he\s)(?P<m>{_TOK}(?:\s+{_TOK}){{0,2}})\s+lot\b", 0.7, 0),
        # "part of Zone 9", "Block 4 is recruiting": a capitalised name and a
        # number, only in a sentence about gangs.
        Pattern("numbered", r"(?<![\w'’\-])(?P<m>[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)?\s+\d{1,3})(?![\w/:]|\.\d)", 0.6, 0,
                priority=66),
        # "the 23s": a number in the plural after "the" names a group; the
        # tens ("the 90s") are decades and "the under 14s" a team.
        Pattern("the_number", r"(?<![Uu]nder\s)(?<=\b[Tt]he\s)(?P<m>\d{1,3}s)\b(?!['’]?\s*(?:music|fashion|style|era))",
                0.7, 0, priority=70),
    )

    def validate_result(self, m, text, ctx, pattern):
        s, e = m.span("m")
        words = m.group("m").split()
        while words and words[0].lower() in _NOT_NAME:
            s = text.index(words[1], s + len(words[0])) if len(words) > 1 else e
            words = words[1:]
        if pattern in ("named", "lot"):
            if len(words) < (2 if pattern == "named" else 1):
                return None
            named = words[:-1] if pattern == "named" else words
            if not any(re.search(r"[A-Z]", w) for w in named):
                return None  # "year 9 boys": a name has a capital letter
        if pattern in ("numbered", "lot", "named") and words and words[0].lower() in _NUMBERED_THINGS:
            return None  # "Year 9 boys", "Room 12"
        if pattern == "named" and (words[0].lower() in _NOT_GANG_HEAD
                                   or (words[-1].lower() == "mob" and re.search(r"['’]s$", words[-2]))):
            return None
        if pattern == "called" and not re.search(r"[^\W\d_]", m.group("m")):
            return None  # "crew called 19/1": a date, not a name
        if pattern == "the_number":
            n = int(m.group("m")[:-1])
            return None if n % 10 == 0 or n > 199 else Found(m.group("m"))
        if pattern == "numbered":
            lo, hi = ctx.sentence_span(m.start())
            lo, hi = max(lo, m.start() - 200), min(hi, m.end() + 200)
            if not _GANG_CONTEXT.search(text, lo, hi):
                return None
            if text[max(0, s - 1):s] in "\"'“‘" and s > 0:
                # 'the "Zone 9" line': quoted, but a group's name, not a nickname
                return Found(" ".join(text[s:e].split()), start=s, end=e, priority=74)
        if not words:
            return None
        return Found(" ".join(text[s:e].split()), start=s, end=e)
