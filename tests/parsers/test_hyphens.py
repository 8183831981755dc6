"""The line-end hyphen rule (parsers/support/hyphens.py): a hyphen that
belongs to an address, a name or a compound is kept; a word a hyphenator
broke in two is mended; everything else keeps its hyphen."""

from __future__ import annotations

import pytest

from intake.parsers.support.hyphens import join_lines, wrap_join
from intake.parsers.support.words import Line, Word, join_wrapped
from intake.parsers.templates.units import unwrap


@pytest.mark.parametrize("before,after,joined", [
    # addresses and domains: never a hyphenation point
    ("x@community-", "paediatrics.nhs.uk", "x@community-paediatrics.nhs.uk"),
    ("jo.smith-jones@early-help-", "hub.county-council.example.org",
     "jo.smith-jones@early-help-hub.county-council.example.org"),
    ("messages from invites@party-", "nights.example.com, and", "messages from invites@party-nights.example.com, and"),
    ("see www.safe-", "guarding.example.org", "see www.safe-guarding.example.org"),
    # a capital or a digit after the break: a name or a compound
    ('known as "K-', 'Dog", who', 'known as "K-Dog", who'),
    ("from Newcastle-under-", "Lyme, is", "from Newcastle-under-Lyme, is"),
    ("the A-", "level results", "the A-level results"),
    # compounds whose halves joined are no word
    ("a well-", "known face", "a well-known face"),
    ("the drop-", "off happens", "the drop-off happens"),
    ("a so-", "called uncle", "a so-called uncle"),
    ("at the late-", "night takeaway", "at the late-night takeaway"),
    ("A 28-year-", "old man", "A 28-year-old man"),
    ("from Stoke-on-", "Trent", "from Stoke-on-Trent"),
    # a word broken by a hyphenator: one side is no word, the whole is
    ("Staff have re-", "peatedly raised", "Staff have repeatedly raised"),
    ("to the accommo-", "dation, and", "to the accommodation, and"),
    ("an investiga-", "tion into", "an investigation into"),
    ("possible exploi-", "tation is", "possible exploitation is"),
    # both halves words and the whole a word: ambiguous, the hyphen stays
    ("a pick-", "up was arranged", "a pick-up was arranged"),
    # a dash set off by a space is not a hyphenated word
    ("got into the car -", "then left", "got into the car - then left"),
    ("ordinary wrap", "continues", "ordinary wrap continues"),
])
def test_a_line_end_hyphen_is_kept_or_mended(before, after, joined):
    assert join_lines(before, after) == joined


def test_the_join_says_what_it_drops():
    assert wrap_join("exploita-", "tion") == (1, "")
    assert wrap_join("community-", "paediatrics.example.org") == (0, "")
    assert wrap_join("text", "more") == (0, " ")


def _line(text: str, y: float) -> Line:
    words, x = [], 10.0
    for t in text.split():
        words.append(Word(t, x, x + 6 * len(t), y, y + 10))
        x += 6 * len(t) + 4
    return Line(words)


def test_pdf_words_wrapped_at_a_hyphen_join_by_the_rule():
    para = [_line("Contact her at jo.bloggs@community-", 0), _line("paediatrics.example.org or Staff have re-", 12),
            _line("peatedly asked.", 24)]
    assert join_wrapped(para) == "Contact her at jo.bloggs@community-paediatrics.example.org or Staff have " \
                                 "repeatedly asked."


def test_unwrapping_a_block_at_a_hyphen_reports_what_it_removed():
    text = "Email the worker at sam.lowe@early-help-\nhub.example.org today, about the accommo-\ndation."
    out, cuts = unwrap(text)
    assert out == "Email the worker at sam.lowe@early-help-hub.example.org today, about the accommodation."
    # The newline after the kept hyphen; the hyphen and the newline after the soft one.
    assert [text[i] for i in cuts] == ["\n", "-", "\n"]
