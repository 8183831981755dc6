"""spaCy NER for PERSON, LOCATION (GPE, LOC, FAC) and ORGANISATION.

Only the NER component is loaded (its own tok2vec makes the rest
unnecessary), once per process, and every text field of a
record goes through one ``nlp.pipe`` call. The small model's known mistakes
are corrected here with the gazetteers: a place labelled ORG ("Hackney"), a
girl's name labelled GPE ("Aisha"), initials labelled ORG ("JB")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from intake.exception_codes import CONFIG_INVALID, SPACY_MODEL_MISSING
from intake.extractors import names
from intake.extractors.recogniser import Candidate
from intake.types import IntakeError

_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
           "ORG": "ORGANISATION"}
PRIORITY = 30
# Memory grows with the characters in flight (chunk length x batch size):
# 100k-character chunks batched 64 at a time took 3.3 GB on a 1 MB body,
# 5k x 32 takes ~0.3 GB at the same speed (bench/bench_extract.py --body-mb).
# Long fields are cut into chunks at a line break, else a sentence end, else
# a space, so a name is not split; the batch is capped so that
# chunk x batch stays within the budget whatever spacy_batch_size says.
CHUNK_CHARS = 5_000
BATCH_CHARS = 160_000


@lru_cache(maxsize=2)
def load_model(name: str):
    try:
        import spacy

        return spacy.load(name, exclude=_EXCLUDE)
    except (OSError, ImportError) as exc:
        raise IntakeError(
            SPACY_MODEL_MISSING,
            f"the spaCy model '{name}' (setting extract.spacy_model) cannot be loaded: "
            f"install it into the environment or name an installed model",
        ) from exc


# Capitalised words that are roles, relations or form labels, not names.
_NOT_NAMES = frozenset("""mum mother dad father nan nana gran grandma grandad uncle auntie aunt
brother sister cousin email e-mail staff police officers officer source victim suspect child
referrer subject witness unknown ref reference note tel mob phone mobile where when who
what why how numbers number concerns concern notes details information intelligence
update summary background action actions risk risks foster
pt yp yth subj poi nominal nominals assoc intel licence girl boy rhi dsl veh mob addr crew triage
session referral receptionist""".split())
# A single capitalised word the model calls a place or firm is a person when a
# person's verb follows ("Leanne said", "Kelsey was picked up").
_PERSON_VERB = re.compile(r"^(?:['’]s\s+(?:mum|mother|dad|father|sister|brother|nan|gran|aunt|auntie|uncle|"
                          r"cousin|friend|boyfriend|girlfriend|partner|carer|foster|social\s+worker)\b|"
                          r"\s*(?:also|then|later|now|never|often|recently|previously|has|had|was|is)?\s*"
                          r"(?:said|says|told|tells|was|is|has|had|went|goes|reported|disclosed|"
                          r"met|meets|stated|states|explained|admitted|denied|lives|attends|ran|left)\b)")


_mostly_capitals = names.mostly_capitals


_CUT_AT = (re.compile(r"\n"), re.compile(r"[.!?][\"')\]]*\s"), re.compile(r"\s"))


def _chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    if len(text) <= size:
        return [(0, text)]
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + size)
        if end < len(text):
            lo = pos + size // 2
            for rx in _CUT_AT:  # the last boundary of the best kind in the second half
                last = None
                for m in rx.finditer(text, lo, end):
                    last = m
                if last is not None:
                    end = last.end()
                    break
        out.append((pos, text[pos:end]))
        pos = end
    return out


def has_capital(text: str) -> bool:
    return not text.islower() and any(c.isupper() for c in text)


def batch_size_for(requested: int, chunk_chars: int = CHUNK_CHARS, budget: int = BATCH_CHARS) -> int:
    return max(1, min(int(requested), budget // max(1, chunk_chars)))


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    span = text[s:e]
    lead = re.match(r"^(?:the|a|an)\s+", span, re.I)
    if lead:
        s += lead.end()
    tail = re.search(r"(?:['’]s|['’]|[\s.,;:]+)$", text[s:e])
    if tail:
        e -= len(tail.group(0))
    return s, e


@dataclass
class Ent:
    """One model entity while the correction steps work on it."""

    etype: str  # PERSON / LOCATION / ORGANISATION
    label: str  # the model's own label, kept for the explanation
    s: int  # offsets into the chunk
    e: int
    chunk: str
    orig_start: int  # the model's start, before trimming

    @property
    def raw(self) -> str:
        return self.chunk[self.s:self.e]


@dataclass
class Lists:
    places: set[str]
    first: set[str]
    business: set[str]
    surnames: set[str] = field(default_factory=set)
    business_words: set[str] = field(default_factory=set)  # "Chick King", "Family Bargains"
    brands: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)
    not_person: set[str] = field(default_factory=set)
    particles: set[str] = field(default_factory=set)
    name_stop: frozenset[str] = frozenset()  # words that end a name run

    @classmethod
    def of(cls, g) -> "Lists":
        business = g.word_list("business") | g.word_list("premises")
        words = g.word_list("business_name_words")
        return cls(
            places=g.word_list("places"), first=g.word_list("first_names"), business=business,
            surnames=g.word_list("surnames"), business_words=words, brands=g.word_list("brands"),
            products=g.word_list("product_words"),
            not_person=(business | words | g.word_list("street_suffixes") | g.word_list("place_suffixes")
                        | g.word_list("brands") | g.word_list("product_words")),
            particles=g.word_list("name_particles") | names.PARTICLES_DEFAULT,
            name_stop=names.stop_words() | business | words | g.word_list("street_suffixes")
            | g.word_list("place_suffixes") | g.word_list("brands") | g.word_list("product_words"),
        )


# Each step takes an entity and returns it (changed or not), or None to drop
# it. Steps run in order; ``[extract] spacy_steps_disable`` switches any off
# by name.
def trim_determiners(ent: Ent, lists: Lists) -> Ent | None:
    ent.s, ent.e = _trim(ent.chunk, ent.s, ent.e)
    return ent


def drop_non_names(ent: Ent, lists: Lists) -> Ent | None:
    raw = ent.raw
    if len(raw) < 2 or not re.search(r"[A-Za-z]", raw) or not raw[0].isupper() and not raw[0].isdigit():
        return None
    if sum(c.isdigit() for c in raw) > len(raw) // 2:
        return None  # a number, code or plate fragment
    return ent


def places_are_locations(ent: Ent, lists: Lists) -> Ent | None:
    if ent.raw.lower() in lists.places and ent.etype != "LOCATION":
        ent.etype = "LOCATION"  # "Hackney" as ORG
    return ent


def first_names_are_people(ent: Ent, lists: Lists) -> Ent | None:
    raw, low = ent.raw, ent.raw.lower()
    if ent.etype != "PERSON" and " " not in raw and low in lists.first and low not in lists.places:
        ent.etype = "PERSON"  # "Aisha" as GPE
    return ent


def person_verbs(ent: Ent, lists: Lists) -> Ent | None:
    raw, low = ent.raw, ent.raw.lower()
    if (ent.etype != "PERSON" and " " not in raw and low not in lists.places and not raw.isupper()
            and low not in lists.business and _PERSON_VERB.match(ent.chunk[ent.e:ent.e + 30])):
        ent.etype = "PERSON"  # "Leanne said", "Kelsey was picked up"
    return ent


def drop_initials_as_org(ent: Ent, lists: Lists) -> Ent | None:
    raw = ent.raw
    if ent.etype == "ORGANISATION" and raw.isupper() and len(raw) <= 3:
        return None  # initials ("JB") are aliases or noise, not firms
    return ent


def cut_at_line_break(ent: Ent, lists: Lists) -> Ent | None:
    cut = re.search(r"\s*[\n\t]", ent.raw)
    if cut:  # a line break or table cell ends a name; keep the first line
        ent.e = ent.s + cut.start()
        if len(ent.raw) < 2:
            return None
    return ent


def drop_codes(ent: Ent, lists: Lists) -> Ent | None:
    raw = ent.raw
    if any(ch.isdigit() for ch in raw) or re.search(r"[./\\\[\]:|]", raw):
        return None  # codes and references ("A1", "PS 99", "D.O.B"): model noise
    return ent


def drop_role_words(ent: Ent, lists: Lists) -> Ent | None:
    words = ent.raw.split()
    if words[0].lower() not in _NOT_NAMES:
        return ent
    rest = re.match(r"\S+\s+(?=[A-Z])", ent.raw)
    if ent.etype == "PERSON" and rest and len(words) > 2:
        ent.s += rest.end()  # "POI Darren HOLMES": the label goes, the name stays
        return ent
    return None


def drop_capitals_noise(ent: Ent, lists: Lists) -> Ent | None:
    if ent.raw.isupper() and _mostly_capitals(ent.chunk, ent.orig_start):
        return None  # in text typed in capitals the model tags any word
    return ent


def drop_premises_words(ent: Ent, lists: Lists) -> Ent | None:
    if ent.etype != "PERSON" and ent.raw.lower() in lists.business:
        return None  # "the Chicken shop": a kind of place, not a name
    return ent


_HYPHEN_TAIL = re.compile(r"(?:-(?:on|upon|under|in|le|la|de|du|en|by|super|the|sur|sub|cum)(?=-))*-[A-Z][\w'’]+")
_HYPHEN_HEAD = re.compile(r"[A-Z][\w'’]*(?:-(?:on|upon|under|in|le|la|de|du|en|by|super|the|sur|sub|cum))*-$")


def join_hyphen_compounds(ent: Ent, lists: Lists) -> Ent | None:
    """"Weston" of "Weston-super-Mare", "Mary" of "Mary-Jane": the model
    stops at a hyphen; the name goes on."""
    while True:
        tail = _HYPHEN_TAIL.match(ent.chunk, ent.e)
        if not tail:
            break
        ent.e = tail.end()
    head = _HYPHEN_HEAD.search(ent.chunk, max(0, ent.s - 40), ent.s)
    if head and head.end() == ent.s:
        ent.s = head.start()
    return ent


def _words(ent: Ent) -> list[str]:
    return [w.low for w in names.words(ent.chunk, ent.s, ent.e)]


def people_not_firms(ent: Ent, lists: Lists) -> Ent | None:
    """"Gareth Pryce-Jones", "Adebayo Ogunleye" tagged ORG: a run of name
    words with a known first name or surname, and nothing of a place or firm."""
    if ent.etype == "PERSON":
        return ent
    ws = names.words(ent.chunk, ent.s, ent.e)
    low = [w.low for w in ws]
    if (len(ws) >= 2 and all(names.capitalised(w.text) or w.low in lists.particles for w in ws)
            and not any(w in lists.not_person or w in lists.places for w in low)
            and ent.raw.lower() not in lists.places
            and (low[0] in lists.first or any(w in lists.surnames for w in low))):
        ent.etype = "PERSON"
    return ent


def firms_not_people(ent: Ent, lists: Lists) -> Ent | None:
    """"Chick King", "Family Bargains" tagged PERSON: a shop's words."""
    if ent.etype == "PERSON" and any(w in lists.business_words or w in lists.business for w in _words(ent)):
        ent.etype = "ORGANISATION"
    return ent


def drop_brands(ent: Ent, lists: Lists) -> Ent | None:
    """"Ralph Lauren", "Canada Goose", "Trapstar tracksuit": brands are
    descriptions, not people or firms that recur as intelligence."""
    if ent.raw.lower() in lists.brands or " ".join(_words(ent)) in lists.brands:
        return None
    nxt = names.words(ent.chunk, ent.e, min(len(ent.chunk), ent.e + 40))[:3]
    for i, w in enumerate(nxt):
        if w.low in lists.products:
            between = ent.chunk[ent.e:w.start]
            if i == 0 or re.fullmatch(r"[ \t]*(?:[\w'’\-]+[ \t]+){0,2}", between):
                return None
        if not names.capitalised(w.text) and w.low not in ("and", "&"):
            break
    return ent


def extend_person_names(ent: Ent, lists: Lists) -> Ent | None:
    """"Mohamed Farah" of "Abdirahman Mohamed Farah", "Horváth" of "Eszter
    Horváth": the small model often tags part of an unfamiliar name; take
    the whole run of name words around it."""
    if ent.etype != "PERSON":
        return ent
    lo, hi = max(0, ent.s - 60), min(len(ent.chunk), ent.e + 60)
    for run in names.runs(ent.chunk, lists.particles, lo, hi):
        if run[0].start > ent.s or run[-1].end < ent.e:
            continue
        run = names.trim(run, lists.name_stop, lists.surnames)
        if not run or run[0].start > ent.s or run[-1].end < ent.e:
            break
        if any(w.low in lists.places for w in run if w.start < ent.s or w.end > ent.e):
            break
        left = [w for w in run if w.start < ent.s]
        if left and _sentence_start(ent.chunk, left[0].start) and left[0].low not in lists.first | lists.surnames:
            run = [w for w in run if w.start >= ent.s] or run
        ent.s, ent.e = min(ent.s, run[0].start), max(ent.e, run[-1].end)
        break
    return ent


def _sentence_start(chunk: str, pos: int) -> bool:
    before = chunk[max(0, pos - 3):pos]
    return pos == 0 or bool(re.search(r"(?:[.!?]\s+|\n\s*|^\s*)$", before))


STEPS = {f.__name__: f for f in (
    trim_determiners, drop_non_names, join_hyphen_compounds, places_are_locations,
    first_names_are_people, people_not_firms, firms_not_people, person_verbs, drop_brands,
    drop_initials_as_org, cut_at_line_break, drop_codes, drop_role_words, drop_capitals_noise,
    drop_premises_words, extend_person_names,
)}


def steps(disabled: tuple[str, ...] = ()) -> list:
    unknown = [d for d in disabled if d not in STEPS]
    if unknown:
        raise IntakeError(CONFIG_INVALID,
                          f"unknown spaCy correction step(s) {', '.join(sorted(unknown))} in "
                          f"[extract] spacy_steps_disable; known: {', '.join(STEPS)}")
    return [f for name, f in STEPS.items() if name not in disabled]


_LISTS: dict[int, tuple[object, Lists]] = {}


def _lists(gazetteers) -> Lists:
    """Lists for a gazetteer set, built once per set (kept by identity:
    the set is a mutable dataclass, not hashable)."""
    hit = _LISTS.get(id(gazetteers))
    if hit is None or hit[0] is not gazetteers:
        if len(_LISTS) > 8:
            _LISTS.clear()
        hit = _LISTS[id(gazetteers)] = (gazetteers, Lists.of(gazetteers))
    return hit[1]


def ner(texts: list[str], model: str, gazetteers, batch_size: int = 64,
        disabled_steps: tuple[str, ...] = (), chunk_chars: int = CHUNK_CHARS,
        batch_chars: int = BATCH_CHARS) -> list[list[Candidate]]:
    nlp = load_model(model)
    # Text without a capital letter gives nothing the steps keep: an entity
    # must start with a capital or a digit (drop_non_names) and hold no digit
    # (drop_codes). With both on, such text (ticks, numbers, lower-case
    # answers, addresses of mail) does not go through the model at all.
    need_capital = not {"drop_non_names", "drop_codes"} & set(disabled_steps)
    # A generator: the chunks of a long field are made as the model asks
    # for them, not all held at once beside their Docs.
    pieces = ((i, off, chunk) for i, t in enumerate(texts) for off, chunk in _chunks(t, chunk_chars)
              if not need_capital or has_capital(chunk))
    batch_size = batch_size_for(batch_size, chunk_chars, batch_chars)
    out: list[list[Candidate]] = [[] for _ in texts]
    lists = _lists(gazetteers)
    chain = steps(disabled_steps)
    for doc, (i, off, chunk) in nlp.pipe(((names.model_view(p[2], lists.first), p) for p in pieces), batch_size=batch_size,
                                         as_tuples=True):
        for span in doc.ents:
            etype = _LABELS.get(span.label_)
            if etype is None:
                continue
            ent: Ent | None = Ent(etype, span.label_, span.start_char, span.end_char, chunk, span.start_char)
            for step in chain:
                ent = step(ent, lists)
                if ent is None:
                    break
            if ent is None:
                continue
            out[i].append(Candidate(ent.etype, off + ent.s, off + ent.e, " ".join(ent.raw.split()),
                                    f"spacy:{ent.label}", 0.7, PRIORITY, pattern=ent.label))
    return out
