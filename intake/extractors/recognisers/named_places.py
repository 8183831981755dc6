"""Capitalised names the small spaCy model misses (its FAC F-score is 35):
streets ("Mare Street"), addresses ("14 Mare Street, Hackney"), places with a
kind-word ("Hanley bus station", "Victoria Park"), named businesses, schools
and homes ("Star Cabs", "Sunnyside Children's Home") and towns and districts
from the places list. The kind-words are gazetteer data (places.toml,
businesses.toml)."""

from __future__ import annotations

import re

from intake.extractors import names
from intake.extractors.gazetteer import alternation
from intake.extractors.recogniser import Candidate, Recogniser

# Capitalised words that start sentences or clauses but never a place name.
_LEAD_STOP = frozenset("""the a an on at in near from to outside and of by off behind opposite via
along down up into round around past towards toward inside across over under beside next
then when while where if he she they we it his her their our my your this that there here
also but or so yes no was is were went go goes going seen met meet meets lives lived living
stays stayed staying works worked working attends attended frequents drove driven taken took
back just every last both after before with without for about visited between some many
any other these those such see please where what which all each local nearby""".split())
_NAME_TOKEN = r"(?:[A-Z][\w'’\-]*|St\.?|[0-9]+(?:st|nd|rd|th)?)"
# "Crown and Anchor" joins two single words; longer runs never take "and",
# so "Star Cabs and Sunnyside Children's Home" stays two names.
# Words of a name are joined by spaces only: a line break or a tab (a table
# cell) ends a name.
_NAME = (rf"(?:{_NAME_TOKEN} +(?:and|&) +{_NAME_TOKEN}"
         rf"|{_NAME_TOKEN}(?: +(?:de +|la +|le +)?{_NAME_TOKEN}){{0,3}})")


# A town after an address: "Hanley", "Stoke-on-Trent", "Newcastle-under-Lyme",
# "Burton upon Trent", "Ashby-de-la-Zouch", "Sutton Coldfield".
_TOWN_WORD = r"[A-Z][a-z'’]+(?:-(?:[a-z]{1,5}-)*[A-Z][a-z'’]+)*"
_TOWN = rf"{_TOWN_WORD}(?:\s+(?:upon|on|under|in|le|by)\s+{_TOWN_WORD}|\s+{_TOWN_WORD}){{0,2}}"
_NAME_TAIL = re.compile(rf"(?<![\w'’\-])(?P<name>{_NAME}) +$")
_CAP_WORD = re.compile(r"[A-Za-z][\w'’]*")

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


class NamedPlacesRecogniser(Recogniser):
    name = "named_places"
    run_order = 130
    entity = "*"
    priority = 50

    def _build(self, g) -> None:
        street = alternation(g.word_list("street_suffixes"))
        place = alternation(g.word_list("place_suffixes"))
        business = alternation(g.word_list("business"))
        # The kind-word is found first and the capitalised name read back
        # from it: anchoring on the rare word is ~5x faster than trying a
        # name at every capital. Names are case-sensitive; kind-words are not.
        self._street = re.compile(rf"(?<![\w'’\-])(?P<suf>{street})(?![\w'’])\.?", re.I)
        self._place = re.compile(rf"(?<![\w'’\-])(?P<suf>{place})(?![\w'’])", re.I)
        self._business = re.compile(rf"(?<![\w'’\-])(?P<suf>{business})(?![\w'’])", re.I)
        self._address = re.compile(
            rf"(?<![\w/])(?P<m>(?:(?i:flat|apartment|apt|unit|room)\s+\d+[A-Za-z]?,?\s+)?"
            rf"\d{{1,4}}[A-Za-z]?(?:\s*-\s*\d{{1,4}})?,?\s+(?P<st>{_NAME}\s+(?i:{street})\b)"
            rf"(?:,\s*(?P<town>{_TOWN}))?)")
        # "110 Heronsgate, Chesterfield": a house number and a name with no
        # street word, then a town (see _bare_address for when it counts).
        self._bare = re.compile(
            rf"(?<![\w/£$.,:\-])(?P<m>\d{{1,4}}[A-Za-z]?\s+(?P<st>[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?),[ \t]*"
            rf"(?P<town>{_TOWN}))")
        self._towns = g.word_list("places")
        self._town_len = max((len(re.split(r"[\s\-]+", t)) for t in self._towns), default=1)
        self._shop_words = g.word_list("business_name_words")
        self._places_set = g.word_list("places")
        self._premises = g.word_list("premises") | {"chicken", "chicken shop", "kebab shop", "takeaway"}

    def _names(self, rx, text, kind):
        """(match of the kind-word, start of the name, the name) for each
        kind-word with a capitalised name right before it."""
        for m in rx.finditer(text):
            window_start = max(0, m.start() - 80)
            t = _NAME_TAIL.search(text, window_start, m.start())
            if t is None:
                continue
            name_start, name = _strip_lead(text, t.start("name"), t.group("name"))
            joined = re.match(r"\S+\s+(?:and|&)\s+", name)
            if joined and re.search(r"[A-Z][\w'’\-]*\s+$", text[max(0, name_start - 30):name_start]):
                # "Star Cabs and Sunnyside ...": the "and" ends one name, not joins one
                name_start += joined.end()
                name = name[joined.end():]
            if not name or not name[0].isupper():
                continue
            if any(len(w) >= 4 and w.isupper() for w in name.split()):
                # Headings typed in capitals ("SUBMIT IT AND THE POLICE") are
                # not names, but a street in a sentence typed in capitals is:
                # "A HOUSE ON GROVE STREET" -> the words after the last stop word.
                if kind != "street":
                    continue
                ws = name.split()
                cut = max((i + 1 for i, w in enumerate(ws) if w.lower() in _LEAD_STOP), default=0)
                if not 1 <= len(ws) - cut <= 2:
                    continue
                keep = " ".join(ws[cut:])
                name_start = text.index(ws[cut], name_start + len(" ".join(ws[:cut])))
                name = keep
            yield m, name_start, name

    def _town_matches(self, text):
        words = list(_CAP_WORD.finditer(text))
        i = 0
        while i < len(words):
            w = words[i]
            found = None
            if w.group(0)[0].isupper():
                for n in range(min(self._town_len, len(words) - i), 0, -1):
                    last = words[i + n - 1]
                    phrase = text[w.start():last.end()]
                    if n > 1 and not re.fullmatch(r"[\w'’]+(?:[\s\-]+[\w'’]+)*", phrase):
                        continue
                    if " ".join(phrase.lower().split()) in self._towns:
                        found = (w.start(), last.end(), n)
                        break
            if found:
                yield found[0], found[1]
                i += found[2]
            else:
                i += 1

    def analyze(self, text, ctx):
        g = ctx.gazetteers
        self.prepare(g)
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
        for s_, e_ in self._bare_address(text):
            add("ADDRESS", s_, e_, text[s_:e_], "address_no_street_word", 0.7)
        first_names = g.word_list("first_names")
        for m in self._street.finditer(text):
            suf = m.group("suf")
            if " " in suf and suf[0].isupper() and all(w[0].isupper() for w in suf.split()):
                tail = _NAME_TAIL.search(text, max(0, m.start() - 80), m.start())
                if tail is None or tail.group("name").split()[-1].lower() in _LEAD_STOP:
                    add("LOCATION", m.start(), m.end(), text[m.start():m.end()].rstrip("."), "street")
        for m, s, name in self._names(self._street, text, "street"):
            if (m.group("suf").lower() in _SURNAME_SUFFIXES and " " not in name
                    and name.lower() in first_names):
                continue  # "Andrew Hill", "Tyrese Green": a person
            end = m.end() - (1 if text[m.end() - 1] == "." else 0)  # the full stop ends the sentence
            add("LOCATION", s, end, text[s:end], "street")
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
        for s_, e_ in self._town_matches(text):
            add("LOCATION", s_, e_, text[s_:e_], "town", 0.7)
        for s_, e_ in self._shop_names(text, ctx):
            # Above the gazetteer terms: "Wine" in "Best Price Food and Wine"
            # is part of the shop's name, not alcohol.
            out.append(Candidate("ORGANISATION", s_, e_, " ".join(text[s_:e_].split()), self.name, 0.7,
                                 self.priority + 6, pattern="shop_name"))
        return out

    def _bare_address(self, text):
        """Number, name, town with no street word: an address only when the
        town is a known one, a postcode follows, or an address cue comes
        before ("addr", "lives at", "stayed at"); never when the name is
        itself a town or a month ("15 Hanley, Stoke", "12 March, Leeds")."""
        for m in self._bare.finditer(text):
            st, town = m.group("st"), m.group("town")
            words = st.lower().split()
            if (words[0] in _LEAD_STOP or st.lower() in self._towns or words[0] in names.STOP
                    or any(w in self._towns for w in words)):
                continue
            town_words = town.split()
            known = next((n for n in range(len(town_words), 0, -1)
                          if " ".join(town_words[:n]).lower() in self._towns), 0)
            end = m.end("town") if not known else m.start("town") + len(" ".join(town_words[:known]))
            before = text[max(0, m.start() - 24):m.start()]
            cue = re.search(r"(?i)\b(?:addr(?:ess)?|lives?|living|stays?|stayed|staying|at|to|from|visited|location)\b[:\s]*$",
                            before)
            postcode = re.match(r"[\s,(]*[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b", text[end:end + 14])
            if re.search(r"(?i)\b(?:aged?|approx|about|around|yr|year|room|route|no|£)\s*$", before):
                continue
            if known or postcode or cue:
                yield m.start(), end

    def _shop_names(self, text, ctx):
        """Capitalised names with a shop's word anywhere in them ("Chick
        King", "Late Stop Convenience", "Best Price Food and Wine", "Piotr's
        Polski Sklep"). Two words at least, so "Food was given" is not one;
        a place and shop words only ("Hackney Chicken shop") is not a name."""
        ws = ctx.words
        i = 0
        while i < len(ws):
            if not (ws[i].low in self._shop_words and names.capitalised(ws[i].text)):
                i += 1
                continue
            lo = hi = i
            while lo > 0 and self._shop_joined(text, ws, lo - 1, lo, lo):
                lo -= 1
            while hi + 1 < len(ws) and self._shop_joined(text, ws, hi, hi + 1, lo):
                hi += 1
            run = ws[lo:hi + 1]
            while run and (run[0].low in _LEAD_STOP or not names.capitalised(run[0].text)):
                run = run[1:]
            while run and not names.capitalised(run[-1].text):
                run = run[:-1]
            i = hi + 1
            if len(run) < 2 or ctx.mostly_capitals(run[0].start):
                continue
            rest = " ".join(w.low for w in run if w.low not in self._shop_words and w.low != "and")
            if rest in self._places_set:
                continue  # "Hackney Chicken shop": a place and a kind of shop
            if not rest and re.search(r"(?:^|[.!?:\n]\s*)$", text[max(0, run[0].start - 3):run[0].start]):
                continue  # "Fried Chicken was given ...": shop words starting a sentence
            yield run[0].start, run[-1].end + (2 if run[-1].possessive else 0)

    def _shop_joined(self, text, ws, j, k, lo) -> bool:
        """Words ``j`` and ``k`` (= j + 1) belong to one shop's name: spaces
        between or a possessive ("Sam's Chicken"); "and" / "&" only before a
        shop word ("Food and Wine") or after a one-word name ("Crown and
        Anchor"), so "Star Cabs and Sunnyside Children's Home" stays two."""
        a, b = ws[j], ws[k]
        gap = text[(a.end + 2 if a.possessive else a.end):b.start]
        amp = re.fullmatch(r"[ ]{1,2}&[ ]{1,2}", gap)
        if not (amp or re.fullmatch(r"[ ]{1,2}", gap)):
            return False
        if b.low == "and":  # look past "and" to the word it joins
            after = ws[k + 1] if k + 1 < len(ws) else None
            return (names.capitalised(a.text) and after is not None and names.capitalised(after.text)
                    and (after.low in self._shop_words or k - lo <= 1))
        if a.low == "and" or amp:
            return names.capitalised(b.text) and (b.low in self._shop_words or j - lo <= (1 if amp else 2))
        return names.capitalised(a.text) and names.capitalised(b.text)
