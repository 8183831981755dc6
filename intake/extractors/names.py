"""What a person's name looks like in running text, for the rules and the
spaCy corrections alike.

A name is a run of capitalised words in any script ("Małgorzata",
"Wiśniewski", "Yılmaz"), with hyphens and apostrophes inside
("Thompson-Reid", "O'Donnell-Grant"), initials ("R.", "J"), lower-case
particles ("da Silva", "bin Salem", "Ó Briain") and a surname in capitals
("Tomasz WISNIEWSKI", police style). Words of a run are joined by spaces
only: a comma, a colon, a line break or a tab (a table cell) ends it.
Python's ``re`` has no Unicode upper-case class, so runs are found by
scanning tokens, not by one regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A word: letters of any script, with ' ’ - only between letters.
TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE_ENDS = ("'s", "’s")
_JOIN = re.compile(r"[ ]{1,2}")  # words of one name: spaces only
_INITIAL_DOT = re.compile(r"\.[ ]{1,2}")

# Capitalised words that start sentences, label form rows or name roles, and
# are never part of a name: a run is cut at them.
STOP = frozenset("""
a an the and or but nor so yet if then than that this these those there here where when while who
whom whose which what why how because although though after before since until unless as at by for
from in into of off on onto out over per to under up upon via with within without about above
across against along among around behind below beneath beside besides between beyond during except
inside near outside past through throughout toward towards
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
myself yourself himself herself itself ourselves themselves someone somebody anyone anybody
everyone everybody nobody noone none nothing something anything everything all both each every
either neither some any many much more most other others another such same few several
is am are was were be been being has have had having do does did done will would shall should may
might must can could said says say told tells tell disclosed reported stated states explained
admitted denied went goes go gone came comes come seen saw see met meets meet lives lived living
stays stayed works worked attends attended left lefts ran runs drove drives driven took takes taken
gave gives given got gets keeps kept made makes uses used sells sold buys bought picks picked
yes no not never always often sometimes also only just even still again already ever very too
please thanks thank dear hi hello regards kind best sent
mr mrs ms miss mx dr prof sir madam rev pc dc ds di dci sgt insp nurse
mum mother dad father nan nana gran grandma grandad nanny uncle auntie aunt brother sister cousin
son daughter wife husband partner boyfriend girlfriend friend friends mate mates neighbour
staff police officer officers source victim suspect subject child children young person people
witness referrer male female man woman boy girl lad lads men women boys girls youth youths
teenager teenagers pupil pupils student students teacher teachers worker workers manager owner
driver tenant resident residents carer social team school college academy home
unknown ref reference note notes tel mob phone mobile email e-mail number numbers name names
dob age aged address details information intelligence update summary background action actions
risk risks concern concerns year years month months week weeks day days night nights time times
today yesterday tomorrow tonight morning afternoon evening weekend weekends
monday tuesday wednesday thursday friday saturday sunday
mondays tuesdays wednesdays thursdays fridays saturdays sundays
january february march april may june july august september october november december
christmas easter eid diwali ramadan halloween
pt yp yth subj poi nominal assoc intel veh addr rhi dsl trap traps postcode guest location
""".split())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """STOP plus spaCy's English stop words (a kept list, not ours to copy)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return STOP | frozenset(STOP_WORDS)


PARTICLES_DEFAULT = frozenset({"de", "da", "dos", "das", "do", "van", "von", "der", "den", "bin", "binti",
                               "ibn", "al", "el", "la", "le", "di", "du", "ní", "nic", "ó", "ua", "mac",
                               "ap", "ter"})


def capitalised(word: str) -> bool:
    """Upper-case first letter, and not an all-capitals word of one letter
    repeated ("AAA"); capitals throughout count (a surname in capitals)."""
    return word[:1].isupper()


@dataclass(slots=True)  # made for every word of every field
class Word:
    start: int
    end: int
    text: str  # without a possessive 's
    possessive: bool = False
    initial: bool = False

    @property
    def low(self) -> str:
        return self.text.lower()


def words(text: str, lo: int = 0, hi: int | None = None) -> list[Word]:
    out = []
    for m in TOKEN.finditer(text, lo, len(text) if hi is None else hi):
        w = m.group(0)
        if w.endswith(_POSSESSIVE_ENDS):  # a possessive 's (a token holds no newline)
            out.append(Word(m.start(), m.end() - 2, w[:-2], possessive=True))
        else:
            out.append(Word(m.start(), m.end(), w, initial=len(w) == 1 and w.isupper()))
    return out


def _joined(text: str, a: Word, b: Word) -> bool:
    gap = text[a.end:b.start]
    if a.initial and _INITIAL_DOT.fullmatch(gap):
        return True  # "R. Patel"
    return bool(_JOIN.fullmatch(gap))


def runs(text: str, particles=PARTICLES_DEFAULT, lo: int = 0, hi: int | None = None,
         max_words: int = 6, ws: list[Word] | None = None) -> list[list[Word]]:
    """Maximal runs of capitalised words joined by spaces, particles allowed
    between two capitalised words; a possessive ends a run. ``ws``: the
    text's words when already known (TextContext.words)."""
    if ws is None:
        ws = words(text, lo, hi)
    out: list[list[Word]] = []
    cur: list[Word] = []
    i = 0
    while i < len(ws):
        w = ws[i]
        if capitalised(w.text):
            if cur and not (_joined(text, cur[-1], w) and not cur[-1].possessive and len(cur) < max_words):
                out.append(cur)
                cur = []
            cur.append(w)
            i += 1
            continue
        if (cur and w.low in particles and i + 1 < len(ws) and capitalised(ws[i + 1].text)
                and _joined(text, cur[-1], w) and _joined(text, w, ws[i + 1]) and not cur[-1].possessive):
            cur.append(w)  # "da" in "Maria da Silva"
            i += 1
            continue
        if cur:
            out.append(cur)
            cur = []
        i += 1
    if cur:
        out.append(cur)
    return out


def run_at(text: str, pos: int, particles=PARTICLES_DEFAULT, max_words: int = 4) -> list[Word]:
    """The run that starts at ``pos`` (after a cue such as "called")."""
    hi = min(len(text), pos + 120)
    for r in runs(text, particles, pos, hi, max_words):
        return r if r and r[0].start == pos else []
    return []


def trim(run: list[Word], stop: set[str] | frozenset[str], surnames: set[str] | frozenset[str] = frozenset()
         ) -> list[Word]:
    """Drop stop words and particles at either end ("Yesterday Kyle" ->
    "Kyle"); a listed surname before another name stays ("Do Van Hai")."""
    i, j = 0, len(run)
    while i < j and (run[i].low in stop or run[i].low in PARTICLES_DEFAULT and i == 0):
        if run[i].low in surnames and i + 1 < j and run[i + 1].low not in stop:
            break
        i += 1
    while j > i and (run[j - 1].low in stop or run[j - 1].initial or run[j - 1].low in PARTICLES_DEFAULT):
        j -= 1
    return run[i:j]


def mostly_capitals(text: str, offset: int) -> bool:
    window = text[max(0, offset - 60): offset + 60]
    letters = [c for c in window if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


# "Liam FORD": police write surnames in capitals, and the small model does
# not read a word in capitals after a forename as a name. The model sees
# such a surname in title case (same length, so offsets hold); the value is
# taken from the text as written.
# Only after a known forename: "Met MASE" or "Police PCSO" stay as written.
_CAPS_SURNAME = re.compile(r"\b([A-Z][a-z][a-z'’\-]*)([ ])([A-Z])([A-Z'’\-]*[A-Z])\b")


def model_view(chunk: str, first_names: set[str] | frozenset[str]) -> str:
    if not _CAPS_SURNAME.search(chunk):
        return chunk
    return _CAPS_SURNAME.sub(
        lambda m: m.group(0) if m.group(1).lower() not in first_names
        else m.group(1) + m.group(2) + m.group(3) + m.group(4).lower(), chunk)
