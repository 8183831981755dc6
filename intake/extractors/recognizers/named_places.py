"""Capitalised names the small spaCy model misses (its FAC F-score is 35):
streets ("Mare Street"), addresses ("14 Mare Street, Hackney"), places with a
kind-word ("Hanley bus station", "Victoria Park"), named businesses, schools
and homes ("Star Cabs", "Sunnyside Children's Home") and towns and districts
from the places list. The kind-words are gazetteer data (places.toml,
businesses.toml)."""

from __future__ import annotations

import re

from intake.extractors.gazetteer import alternation
from intake.extractors.recognizer import Candidate, Recognizer

# Capitalised words that start sentences or clauses but never a place name.
_LEAD_STOP = frozenset("""the a an on at in near from to outside and of by off behind opposite via
along down up into round around past towards toward inside across over under beside next
then when while where if he she they we it his her their our my your this that there here
also but or so yes no was is were went go goes going seen met meet meets lives lived living
stays stayed staying works worked working attends attended frequents drove driven taken took
back just every last both after before with without for about visited between""".split())
_NAME_TOKEN = r"(?:[A-Z][\w'’\-]*|St\.?|[0-9]+(?:st|nd|rd|th)?)"
# "Crown and Anchor" joins two single words; longer runs never take "and",
# so "Star Cabs and Sunnyside Children's Home" stays two names.
_NAME = (rf"(?:{_NAME_TOKEN}\s+(?:and|&)\s+{_NAME_TOKEN}"
         rf"|{_NAME_TOKEN}(?:\s+(?:de\s+|la\s+|le\s+)?{_NAME_TOKEN}){{0,3}})")


# Street words that are also surnames.
_SURNAME_SUFFIXES = frozenset("""hill green bank gate row side end view rise vale mount croft fold
chase court walk grove way wood field fields""".split())


def _strip_lead(text: str, start: int, name: str) -> tuple[int, str]:
    """Drop leading stop words ("On Mare" -> "Mare")."""
    words = name.split()
    offset = 0
    while words and words[0].lower().rstrip(".") in _LEAD_STOP:
        i = name.index(words[0], offset) + len(words[0])
        offset = i
        words = words[1:]
        while offset < len(name) and name[offset].isspace():
            offset += 1
    return start + offset, name[offset:]


class NamedPlacesRecognizer(Recognizer):
    name = "named_places"
    entity = "*"
    priority = 50

    def __init__(self) -> None:
        super().__init__()
        self._built_for: int | None = None

    def _build(self, g) -> None:
        street = alternation(g.word_list("street_suffixes"))
        place = alternation(g.word_list("place_suffixes"))
        business = alternation(g.word_list("business"))
        towns = alternation(g.word_list("places"))
        # Names are case-sensitive (capitalised); kind-words are not.
        self._street = re.compile(rf"(?P<name>{_NAME})\s+(?P<suf>(?i:{street}))\b\.?")
        self._address = re.compile(
            rf"(?<![\w/])(?P<m>(?:(?i:flat|apartment|apt|unit|room)\s+\d+[A-Za-z]?,?\s+)?"
            rf"\d{{1,4}}[A-Za-z]?(?:\s*-\s*\d{{1,4}})?,?\s+(?P<st>{_NAME}\s+(?i:{street})\b)"
            rf"(?:,\s*(?P<town>[A-Z][a-z'’\-]+(?:[\s\-]+[A-Z][a-z'’\-]+){{0,2}}))?)")
        self._place = re.compile(rf"(?P<name>{_NAME})\s+(?P<suf>(?i:{place}))\b")
        self._business = re.compile(rf"(?P<name>{_NAME})\s+(?P<suf>(?i:{business}))(?![\w'’])")
        self._towns = re.compile(rf"(?<![\w\-])(?:{towns})(?![\w\-])", re.I)
        self._places_set = g.word_list("places")
        self._premises = g.word_list("premises") | {"chicken", "chicken shop", "kebab shop", "takeaway"}
        self._built_for = id(g)

    def _names(self, rx, text, kind):
        for m in rx.finditer(text):
            name_start, name = _strip_lead(text, m.start("name"), m.group("name"))
            if not name or not name[0].isupper():
                continue
            yield m, name_start, name

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        if self._built_for != id(g):
            self._build(g)
        out: list[Candidate] = []
        add = lambda t, s, e, v, pat, sc=0.75: out.append(
            Candidate(t, s, e, " ".join(v.split()), self.name, sc, self.priority, pattern=pat))
        for m in self._address.finditer(text):
            st = m.group("st")
            first = st.split()[0]
            if first.lower() in _LEAD_STOP or not first[0].isupper():
                continue
            end = m.end("m")
            town = m.group("town")
            if town and town.split()[0].lower() in _LEAD_STOP:
                end = m.end("st")
            add("ADDRESS", m.start("m"), end, text[m.start("m"):end], "address", 0.8)
        first_names = g.word_list("first_names")
        for m, s, name in self._names(self._street, text, "street"):
            if (m.group("suf").lower() in _SURNAME_SUFFIXES and " " not in name
                    and name.lower() in first_names):
                continue  # "Andrew Hill", "Tyrese Green": a person
            add("LOCATION", s, m.end(), text[s:m.end()].rstrip("."), "street")
        for m, s, name in self._names(self._place, text, "place"):
            suf = m.group("suf")
            add("LOCATION", s, m.end(), text[s:m.end()], "place")
        for m, s, name in self._names(self._business, text, "business"):
            suf = m.group("suf")
            if name.lower() in self._places_set and suf.lower() in self._premises:
                continue  # "Hackney Chicken shop": a place and a kind of shop, not a name
            if suf[0].isupper():
                out.append(Candidate("ORGANISATION", s, m.end(), " ".join(text[s:m.end()].split()),
                                     self.name, 0.75, self.priority + 1, pattern="business"))
            elif not re.search(r"['’]s?$", name) and name.lower() not in g.word_list("first_names"):
                out.append(Candidate("ORGANISATION", s, s + len(name), " ".join(name.split()),
                                     self.name, 0.6, self.priority + 1, pattern="business"))
        for m in self._towns.finditer(text):
            if m.group(0)[0].isupper():
                add("LOCATION", m.start(), m.end(), m.group(0), "town", 0.7)
        return out
