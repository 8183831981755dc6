"""spaCy NER for PERSON, LOCATION (GPE, LOC, FAC) and ORGANISATION.

Only the NER component is loaded (its own tok2vec makes the rest
unnecessary: TEST-INFRA.md), once per process, and every text field of a
record goes through one ``nlp.pipe`` call. The small model's known mistakes
are corrected here with the gazetteers: a place labelled ORG ("Hackney"), a
girl's name labelled GPE ("Aisha"), initials labelled ORG ("JB")."""

from __future__ import annotations

import re
from functools import lru_cache

from intake.exception_codes import SPACY_MODEL_MISSING
from intake.extractors.recognizer import Candidate
from intake.types import IntakeError

_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
           "ORG": "ORGANISATION"}
PRIORITY = 30
# spaCy refuses texts over nlp.max_length; long fields are cut at line breaks.
_CHUNK = 100_000


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
update summary background action actions risk risks""".split())
# A single capitalised word the model calls a place or firm is a person when a
# person's verb follows ("Leanne said", "Kelsey was picked up").
_PERSON_VERB = re.compile(r"^(?:['’]s\s+(?:mum|mother|dad|father|sister|brother|nan|gran|aunt|auntie|uncle|"
                          r"cousin|friend|boyfriend|girlfriend|partner|carer|foster|social\s+worker)\b|"
                          r"\s*(?:also|then|later|now|never|often|recently|previously|has|had|was|is)?\s*"
                          r"(?:said|says|told|tells|was|is|has|had|went|goes|reported|disclosed|"
                          r"met|meets|stated|states|explained|admitted|denied|lives|attends|ran|left)\b)")


def _mostly_capitals(text: str, offset: int) -> bool:
    window = text[max(0, offset - 60): offset + 60]
    letters = [c for c in window if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= _CHUNK:
        return [(0, text)]
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + _CHUNK)
        if end < len(text):
            cut = text.rfind("\n", pos, end)
            end = cut + 1 if cut > pos else end
        out.append((pos, text[pos:end]))
        pos = end
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    span = text[s:e]
    lead = re.match(r"^(?:the|a|an)\s+", span, re.I)
    if lead:
        s += lead.end()
    tail = re.search(r"(?:['’]s|['’]|[\s.,;:]+)$", text[s:e])
    if tail:
        e -= len(tail.group(0))
    return s, e


def ner(texts: list[str], model: str, gazetteers, batch_size: int = 64) -> list[list[Candidate]]:
    nlp = load_model(model)
    pieces = [(i, off, chunk) for i, t in enumerate(texts) for off, chunk in _chunks(t)]
    out: list[list[Candidate]] = [[] for _ in texts]
    places = gazetteers.word_list("places")
    first = gazetteers.word_list("first_names")
    business = gazetteers.word_list("business") | gazetteers.word_list("premises")
    for (i, off, chunk), doc in zip(pieces, nlp.pipe((p[2] for p in pieces), batch_size=batch_size)):
        for ent in doc.ents:
            etype = _LABELS.get(ent.label_)
            if etype is None:
                continue
            s, e = _trim(chunk, ent.start_char, ent.end_char)
            raw = chunk[s:e]
            if len(raw) < 2 or not re.search(r"[A-Za-z]", raw) or not raw[0].isupper() and not raw[0].isdigit():
                continue
            low = raw.lower()
            if sum(c.isdigit() for c in raw) > len(raw) // 2:
                continue  # a number, code or plate fragment
            if low in places and etype != "LOCATION":
                etype = "LOCATION"  # "Hackney" as ORG
            elif etype != "PERSON" and " " not in raw and low in first and low not in places:
                etype = "PERSON"  # "Aisha" as GPE
            if (etype != "PERSON" and " " not in raw and low not in places and not raw.isupper()
                    and low not in business and _PERSON_VERB.match(chunk[e:e + 30])):
                etype = "PERSON"
            if etype == "ORGANISATION" and raw.isupper() and len(raw) <= 3:
                continue  # initials ("JB") are aliases or noise, not firms
            cut = re.search(r"\s*[\n\t]", raw)
            if cut:  # a line break or table cell ends a name; keep the first line
                e = s + cut.start()
                raw = chunk[s:e]
                if len(raw) < 2:
                    continue
            if any(ch.isdigit() for ch in raw) or re.search(r"[./\\\[\]:|]", raw):
                continue  # codes and references ("A1", "PS 99", "D.O.B"): model noise
            if low.split()[0] in _NOT_NAMES:
                continue
            if raw.isupper() and _mostly_capitals(chunk, ent.start_char):
                continue  # in text typed in capitals the model tags any word
            if etype != "PERSON" and low in business:
                continue  # "the Chicken shop": a kind of place, not a name
            out[i].append(Candidate(etype, off + s, off + e, " ".join(raw.split()), f"spacy:{ent.label_}",
                                    0.7, PRIORITY, pattern=ent.label_))
    return out
