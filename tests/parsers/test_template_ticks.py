"""Tick boxes and "delete as appropriate": every style a submitter uses, and
no guess when both or neither are marked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.parsers.templates.ticks import read_choice

WITNESS = {"professional": ("Professional",), "member_of_public": ("Member of the Public", "Member of Public")}
YESNO = {"true": ("Yes", "Y"), "false": ("No", "N")}


@pytest.mark.parametrize("mark", ["☒", "☑", "✓", "✔", "X", "x", "[X]", "(x)", "Xx", "[x", "|X|"])
def test_each_tick_style_next_to_the_option_in_its_own_cell(mark):
    assert read_choice(["Professional", mark, "Member of the Public", ""], WITNESS).value == "professional"
    assert read_choice(["Professional", "", "Member of the Public", mark], WITNESS).value == "member_of_public"


@pytest.mark.parametrize("parts, want", [
    (["Professional ☐", "Member of Public ☒"], "member_of_public"),
    (["☒ Professional", "☐ Member of the Public"], "professional"),
    (["☐ Professional ☒ Member of the Public"], "member_of_public"),
    (["X Professional", "Member of the Public"], "professional"),
    (["Member of Public", "☐", "Professional", "☒"], "professional"),
])
def test_box_before_or_after_its_option(parts, want):
    assert read_choice(parts, WITNESS).value == want


@pytest.mark.parametrize("text, want", [
    ("Yes ☐   No ☒", "false"),
    ("Yes ☒   No ☐", "true"),
    ("Yes (delete as appropriate)", "true"),
    ("No (delete as appropriate)", "false"),
    ("Yes", "true"),
    ("no", "false"),
    ("Y", "true"),
    ("N", "false"),
    ("No - they refused", "false"),
    ("Yes, happy to speak to police", "true"),
])
def test_yes_no_answers(text, want):
    assert read_choice([text], YESNO).value == want


@pytest.mark.parametrize("parts, status", [
    (["Yes/No (delete as appropriate)"], "neither"),
    (["Yes ☒ No ☒"], "both"),
    (["Yes ☐ No ☐"], "neither"),
    (["Professional", "X", "Member of the Public", "X"], "both"),
    (["Professional", "", "Member of the Public", ""], "neither"),
    (["Y/N"], "neither"),
])
def test_both_or_neither_is_no_answer(parts, status):
    ch = read_choice(parts, YESNO if "Y" in parts[0] else WITNESS)
    assert ch.value is None and ch.status == status


@pytest.mark.parametrize("parts", [[], [""], ["   "], ["n/a"], ["not applicable really"]])
def test_nothing_written_is_empty(parts):
    assert read_choice(parts, YESNO).status == "empty"


def test_words_that_merely_contain_an_option_do_not_count():
    assert read_choice(["Nobody knows"], YESNO).status == "empty"
    assert read_choice(["Yesterday"], YESNO).status == "empty"
    assert read_choice(["Xbox"], WITNESS).status == "empty"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("YesNo ☒☐xX✓[]()/-")) | st.characters(), max_size=20),
                max_size=6))
def test_any_input_gives_a_status_never_an_error(parts):
    ch = read_choice(parts, YESNO)
    assert ch.status in {"ok", "empty", "neither", "both"}
    assert (ch.value is not None) == (ch.status == "ok")
