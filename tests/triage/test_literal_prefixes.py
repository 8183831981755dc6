"""The catalogue's patterns tried only where a match could begin
(triage/literal_prefixes.py) find exactly what scanning the whole text finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.triage.catalogue import load
from intake.triage.literal_prefixes import candidates, finditer, folded, prefixes_of
from intake.triage.scopes import TextScopes

CAT = load()
PATTERNS = [p.regex for _, p in CAT.patterns] + list(CAT.cue_starts)
# Words the patterns are made of, so that generated texts do match them.
WORDS = sorted({w for p in PATTERNS for w in re.findall(r"[a-z']{2,}", p.pattern)} | {"18", "9", "year 5"})
PIECES = st.one_of(st.sampled_from(WORDS), st.sampled_from([" ", "  ", ". ", ", ", "\n", "-", "'", '"', "’"]),
                   st.sampled_from(["ſ", "ı", "K", "İ", "é", "_", "x"]), st.text(max_size=3))
TEXTS = st.lists(PIECES, max_size=60).map("".join).flatmap(
    lambda t: st.sampled_from([t, t.upper(), t.title(), t.swapcase()]))


def spans(it):
    return [(m.start(), m.end(), m.group(0)) for m in it]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_pattern_finds_what_a_full_scan_finds(text):
    prepared = folded(text)
    for _, pat in CAT.patterns:
        assert spans(finditer(pat.regex, pat.starts, text, prepared)) == spans(pat.regex.finditer(text))


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_cue_scopes_and_matches_are_those_of_a_full_scan(text):
    scopes = TextScopes(text, CAT, folded(text))
    full = TextScopes(text, CAT, None)
    assert scopes.scopes == full.scopes
    # The same scopes as matching every cue in every sentence.
    expected = []
    for s, e in scopes.sentences():
        for kind, cues, window in (("negated", CAT.negation, CAT.window),
                                   ("negated", CAT.short_negation, CAT.short_window),
                                   ("hypothetical", CAT.hypothetical, CAT.window)):
            for cue in cues:
                for m in cue.finditer(text[s:e]):
                    expected.append((s + m.start(), kind))
    assert [(sc.cue_start, sc.kind) for sc in scopes.scopes] == expected


def test_prefixes_are_read_from_the_pattern():
    assert prefixes_of(re.compile(r"\b(?:runs?|deliver(?:s|ing)?)\s+drugs", re.I)) == (("delive", True), ("run", True))
    assert prefixes_of(re.compile(r"'s\b|\bmeet\s+me", re.I)) == (("'s", False), ("meet", True))
    # Nothing literal to start with: scanned everywhere.
    assert prefixes_of(re.compile(r"\w+\s+old", re.I)) is None
    assert prefixes_of(re.compile(r"(?:x)?", re.I)) is None


def test_a_text_with_characters_folding_to_ascii_letters_is_scanned_in_full():
    # "ſ" (long s) matches "s" case-insensitively but lower-cases to itself.
    text = "she went miſſing"
    assert folded(text) is None
    pat = re.compile(r"\bmissing\b", re.I)
    assert spans(finditer(pat, prefixes_of(pat), text, folded(text))) == spans(pat.finditer(text)) != []


def test_word_start_marks_cut_candidates():
    text = "ab cab abc"
    pat = re.compile(r"\bab", re.I)
    assert candidates(prefixes_of(pat), folded(text)) == [0, 7]
    assert candidates(prefixes_of(pat), folded(text), word_starts=False) == [0, 4, 7]
