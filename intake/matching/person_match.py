"""When two person mentions are one person.

The rule, in the order it is applied (``match_score``):

1. Anything that contradicts it wins: two dates of birth that share no
   value, or ages/birth years more than BIRTH_YEAR_SLACK apart, never merge,
   however alike the names.
2. Surnames must agree: equal, or Jaro-Winkler >= SURNAME_SIMILAR (a typo,
   "Smyth"/"Smith"). Candidates are only ever fetched by the surname's
   Soundex code (the blocking key stored as Entity.key), so this never
   scans all people.
3. Forenames must agree, best relation wins: the same (1.0); one is an alias
   the other was given ("Jason Smith known as Jay" ↔ "Jay Smith", 0.9); a
   short form ("Chris"/"Christopher"), a spelling variant ("Jayson"/"Jason")
   or a listed nickname ("Bob"/"Robert"), 0.85; an initial ("J Smith"),
   0.7. A surname with no forename ("Smith") is too weak to merge on.
4. If two different people fit equally well, the mention is ambiguous and
   becomes an entity of its own; an officer can merge it.

String similarity is rapidfuzz's, phonetic keys jellyfish's, English
nicknames the `nicknames` package's; diminutives and spellings it does not
know ("Tomek"/"Tomasz", "Seun"/"Oluwaseun", "Hussain"/"Hussein") are curated
data in intake/config/gazetteers/diminutives.toml. Names are compared
case- and accent-folded, including letters NFKD leaves alone ("Łukasz" =
"Lukasz", "Yılmaz" = "Yilmaz"). Known gap: a typo that changes the surname's Soundex
code ("Benentt" for "Bennett") lands in another block and stays apart until
an officer merges it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import jellyfish
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

SURNAME_SIMILAR = 0.92
FORENAME_SIMILAR = 0.90
BIRTH_YEAR_SLACK = 2  # "aged 14" in March vs DOB in December, plus a guess

SCORE_SAME = 1.0
SCORE_ALIAS = 0.9
SCORE_VARIANT = 0.85
SCORE_INITIAL = 0.7

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "sir", "prof", "rev"}
# Letters with no Unicode decomposition to a base letter, as they are
# written without diacritics in English records.
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "l", "ı": "i", "İ": "i", "đ": "d", "Đ": "d", "ø": "o",
                               "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th",
                               "Þ": "th", "ð": "d", "Ð": "d", "ħ": "h", "Ħ": "h"})
_STRIP = re.compile(r"[^\w\s,'\-]", re.UNICODE)


def fold(s: str) -> str:
    """Case- and accent-free, apostrophes dropped ("O'Neil" = "ONeil")."""
    s = unicodedata.normalize("NFKD", s.translate(_UNDECOMPOSED))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.replace("'", "").replace("’", "").casefold().strip()


@dataclass
class PersonName:
    given: list[str]  # folded forenames, first is the one used; "j" for an initial
    surname: str  # folded; "" for a single name ("Jay")

    @property
    def first(self) -> str | None:
        return self.given[0] if self.given else None


def parse_name(text: str) -> PersonName | None:
    """Forenames and surname of a name as written: "Jason Smith",
    "SMITH, Jason", "Jason SMITH", "J. Smith", "Mr J Smith", "Jay"."""
    raw = _STRIP.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()
    if not raw:
        return None
    if "," in raw:
        surname_part, _, given_part = raw.partition(",")
        sur = surname_part.split()
        giv = given_part.replace(",", " ").split()
    else:
        tokens = raw.split()
        # An upper-case word among mixed-case ones is the surname, wherever
        # it stands ("Jason SMITH", "SMITH Jason"): police style.
        upper = [t for t in tokens if len(t) > 1 and t.isupper()]
        if upper and len(upper) < len(tokens):
            sur = upper
            giv = [t for t in tokens if t not in upper]
        else:
            sur, giv = tokens[-1:], tokens[:-1]
    giv = [fold(t).rstrip(".") for t in giv]
    giv = [g for g in giv if g and g not in _TITLES]
    sur = [fold(t) for t in sur if fold(t) not in _TITLES]
    if not sur and giv:
        sur, giv = [giv[-1]], giv[:-1]
    if not sur:
        return None
    if not giv and len(sur) == 1:
        # A single name is a forename or a street name, not a surname.
        return PersonName(given=[sur[0]], surname="")
    return PersonName(given=giv, surname=" ".join(sur))


@lru_cache(maxsize=8192)
def parse_name_cached(text: str) -> PersonName | None:
    """parse_name, remembered: the same names recur in report after report,
    and resolution reads each mention's name more than once. The result is
    shared: read it, never change it."""
    return parse_name(text)


@lru_cache(maxsize=8192)
def blocking_key_of(text: str) -> str:
    """blocking_key of a name as written."""
    return blocking_key(parse_name_cached(text))


def _letters(s: str) -> str:
    return "".join(c for c in s if c.isalpha())


def blocking_key(name: PersonName) -> str:
    """Entity.key of a PERSON: Soundex of the surname (last word of a
    double-barrelled one), or of the single name with a "mono:" prefix."""
    if name.surname:
        words = name.surname.replace("-", " ").split()  # "-" alone leaves no words
        last = (_letters(words[-1]) if words else "") or _letters(name.surname)
        return "sx:" + (jellyfish.soundex(last) if last else "0000")
    first = _letters(name.first or "")
    return "mono:" + (jellyfish.soundex(first) if first else "0000")


@dataclass
class Profile:
    """What is known about one person mention, or merged into an entity."""

    surnames: set[str] = field(default_factory=set)
    given: set[str] = field(default_factory=set)  # first forenames seen
    aliases: set[str] = field(default_factory=set)
    dobs: set[str] = field(default_factory=set)  # ISO dates
    birth_years: set[int] = field(default_factory=set)  # from DOBs and ages

    @classmethod
    def of(cls, name: PersonName, aliases=(), dobs=(), birth_years=()) -> "Profile":
        return cls(
            surnames={name.surname} if name.surname else set(),
            given={name.first} if name.first else set(),
            aliases={fold(a) for a in aliases if a and a.strip()},
            dobs=set(dobs),
            birth_years=set(birth_years),
        )

    @classmethod
    def from_attrs(cls, attrs: dict) -> "Profile":
        return cls(
            surnames=set(attrs.get("surnames", [])),
            given=set(attrs.get("given", [])),
            aliases=set(attrs.get("aliases", [])),
            dobs=set(attrs.get("dobs", [])),
            birth_years=set(attrs.get("birth_years", [])),
        )

    def to_attrs(self) -> dict:
        return {
            "surnames": sorted(self.surnames),
            "given": sorted(self.given),
            "aliases": sorted(self.aliases),
            "dobs": sorted(self.dobs),
            "birth_years": sorted(self.birth_years),
        }

    def absorb(self, other: "Profile") -> None:
        self.surnames |= other.surnames
        self.given |= other.given
        self.aliases |= other.aliases
        self.dobs |= other.dobs
        self.birth_years |= other.birth_years


def contradicts(a: Profile, b: Profile) -> bool:
    if a.dobs and b.dobs and not (a.dobs & b.dobs):
        return True
    if a.birth_years and b.birth_years:
        gap = min(abs(x - y) for x in a.birth_years for y in b.birth_years)
        if gap > BIRTH_YEAR_SLACK:
            return True
    return False


_NICKNAMES: NickNamer | None = None


def _nick_namer() -> NickNamer:
    """The `nicknames` package's tables, loaded once, on first use."""
    global _NICKNAMES
    if _NICKNAMES is None:
        _NICKNAMES = NickNamer()
    return _NICKNAMES


@lru_cache(maxsize=16384)
def _nicknames_of(name: str) -> frozenset[str]:
    """Remembered per name: a pair of forenames is asked about once per
    pair (forename_relation), but a name meets every forename of its
    surname block, and the package normalises and copies a set each time."""
    return frozenset(_nick_namer().nicknames_of(name))


def _is_nickname(a: str, b: str) -> bool:
    """Curated English diminutives (the `nicknames` package): Nate/Nathan,
    Bob/Robert, Peggy/Margaret. Loaded once, on first use."""
    return b in _nicknames_of(a) or a in _nicknames_of(b)


_DIMINUTIVES: dict[str, set[tuple[str, str]]] | None = None
_GAZETTEER_FILES: tuple[str, ...] = ()


def use_gazetteer_files(files: tuple[str, ...]) -> None:
    """The site's own gazetteer files (``[extract] gazetteer_files``), so their
    diminutives link people as the packaged ones do. The store a command opens
    with the site's settings calls this (store/db.py open_store); a process
    that never does matches with the packaged lists only."""
    global _DIMINUTIVES, _GAZETTEER_FILES, _PARTNERS
    files = tuple(files)
    if files != _GAZETTEER_FILES:
        _GAZETTEER_FILES, _DIMINUTIVES, _PARTNERS = files, None, None
        forename_relation.cache_clear()  # it read the old lists
        related_forenames.cache_clear()


@lru_cache(maxsize=16384)
def related_forenames(name: str) -> frozenset[str]:
    """Every forename ``forename_relation`` can relate to ``name`` through
    a list rather than through spelling: its nicknames and the names it is
    a nickname of (the package's two tables are each other's inverse), and
    the curated diminutives that share a row with it. A block's candidate
    index (person_candidates.py) looks these up by name."""
    return _nicknames_of(name) | frozenset(_nick_namer().canonicals_of(name)) | _diminutive_partners(name)


def _diminutives() -> dict[str, set[tuple[str, str]]]:
    global _DIMINUTIVES
    if _DIMINUTIVES is None:
        from intake.extractors.gazetteer import load_gazetteers

        _DIMINUTIVES = {}
        for name, rows in load_gazetteers(_GAZETTEER_FILES).diminutives.items():
            _DIMINUTIVES.setdefault(fold(name), set()).update(rows)
    return _DIMINUTIVES


_PARTNERS: dict[tuple[str, str], frozenset[str]] | None = None


def _diminutive_partners(name: str) -> frozenset[str]:
    """The names sharing a curated diminutive row with ``name``."""
    global _PARTNERS
    table = _diminutives()
    if _PARTNERS is None:
        by_row: dict[tuple[str, str], set[str]] = {}
        for n, rows in table.items():
            for row in rows:
                by_row.setdefault(row, set()).add(n)
        _PARTNERS = {row: frozenset(names) for row, names in by_row.items()}
    out: frozenset[str] = frozenset()
    for row in table.get(name, ()):
        out |= _PARTNERS[row]
    return out


def _is_diminutive(a: str, b: str) -> bool:
    """Curated non-English diminutives and spellings (gazetteer data: the
    packaged lists and the site's), folded the same way as names. Loaded
    once, on first use."""
    table = _diminutives()
    ra, rb = table.get(a), table.get(b)
    return bool(ra and rb and ra & rb)


@lru_cache(maxsize=16384)
def forename_relation(a: str, b: str) -> float | None:
    """Remembered: a person mention is scored against every person of its
    surname block, so the same pairs of forenames come back message after
    message (use_gazetteer_files forgets them when the lists change)."""
    # Initials first: "J" = "J" says no more than "J" = "Jason" does.
    if len(a) == 1 or len(b) == 1:
        return SCORE_INITIAL if a[0] == b[0] else None
    if a == b:
        return SCORE_SAME
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 3 and long_.startswith(short):
        return SCORE_VARIANT
    if JaroWinkler.similarity(a, b) >= FORENAME_SIMILAR or _is_nickname(a, b) or _is_diminutive(a, b):
        return SCORE_VARIANT
    return None


@lru_cache(maxsize=16384)
def _surnames_similar(x: str, y: str) -> bool:
    return JaroWinkler.similarity(x, y) >= SURNAME_SIMILAR


def _surnames_agree(a: set[str], b: set[str]) -> bool:
    return any(x == y or _surnames_similar(x, y) for x in a for y in b)


def match_score(mention: Profile, entity: Profile) -> float | None:
    """How well a mention fits an entity, or None when it must not merge."""
    if contradicts(mention, entity):
        return None
    if mention.surnames or entity.surnames:
        if not (mention.surnames and entity.surnames and _surnames_agree(mention.surnames, entity.surnames)):
            return None
    if not mention.given:
        return None
    # Once a person is known by a full forename, an initial merged in earlier
    # ("J. Smith") must not make every "J" name fit: Jason would absorb John.
    entity_given = {g for g in entity.given if len(g) > 1} or entity.given
    best: float | None = None
    for g in mention.given:
        for e in entity_given:
            r = forename_relation(g, e)
            if r is not None and (best is None or r > best):
                best = r
        # Jason aka Jay ↔ Jay: either side's alias meets the other's forename.
        if g in entity.aliases and (best is None or SCORE_ALIAS > best):
            best = SCORE_ALIAS
    if mention.aliases & (entity.given | entity.aliases) and (best is None or SCORE_ALIAS > best):
        best = SCORE_ALIAS
    if not entity.surnames and best is not None and best < SCORE_ALIAS:
        # Two single names: only the same name or a given alias.
        return None
    return best
