"""The person-matching rule on its own: name parsing, blocking, and the
decision table, plus a fuzz that hostile names never crash it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.matching import person_match


@pytest.mark.parametrize("text,given_,surname", [
    ("Jason Smith", ["jason"], "smith"),
    ("SMITH, Jason", ["jason"], "smith"),
    ("Jason SMITH", ["jason"], "smith"),
    ("Mr J. Smith", ["j"], "smith"),
    ("Siobhán O'Neill", ["siobhan"], "oneill"),
    ("Jay", ["jay"], ""),
])
def test_parse_name(text, given_, surname):
    n = person_match.parse_name(text)
    assert (n.given, n.surname) == (given_, surname)


def test_blocking_key_groups_spelling_variants_and_separates_others():
    key = lambda t: person_match.blocking_key(person_match.parse_name(t))
    assert key("Jason Smith") == key("Jay Smyth") == key("J SMITH")
    assert key("Aisha Khan") == key("Aisha Kahn")
    assert key("Jason Smith") != key("Jason Jones")
    assert key("Jay").startswith("mono:")


def prof(name, aliases=(), dobs=(), years=()):
    return person_match.Profile.of(person_match.parse_name(name), aliases, dobs, years)


@pytest.mark.parametrize("a,b,expect", [
    (prof("Jason Smith"), prof("Jason Smith"), person_match.SCORE_SAME),
    (prof("Jay Smith"), prof("Jason Smith", aliases=["Jay"]), person_match.SCORE_ALIAS),
    (prof("Jason Smith", aliases=["Jay"]), prof("Jay Smith"), person_match.SCORE_ALIAS),
    (prof("Chris Ward"), prof("Christopher Ward"), person_match.SCORE_VARIANT),
    (prof("Jayson Smith"), prof("Jason Smith"), person_match.SCORE_VARIANT),
    (prof("J Smith"), prof("Jason Smith"), person_match.SCORE_INITIAL),
    (prof("Kevin Smith"), prof("Jason Smith"), None),
    (prof("Smith"), prof("Jason Smith"), None),
    (prof("Jason Smith", dobs=["2001-02-03"]), prof("Jason Smith", dobs=["1990-07-07"]), None),
    (prof("Jason Smith", years=[2012]), prof("Jason Smith", dobs=["2001-02-03"], years=[2001]), None),
    (prof("Jason Smith", years=[2002]), prof("Jason Smith", dobs=["2001-02-03"], years=[2001]), person_match.SCORE_SAME),
    (prof("Jay"), prof("Jason Smith", aliases=["Jay"]), None),
    (prof("Jay"), prof("Jay"), person_match.SCORE_SAME),
])
def test_match_rule(a, b, expect):
    assert person_match.match_score(a, b) == expect


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_hostile_names_never_crash(a, b):
    na, nb = person_match.parse_name(a), person_match.parse_name(b)
    if na and nb:
        person_match.blocking_key(na)
        s = person_match.match_score(person_match.Profile.of(na), person_match.Profile.of(nb))
        assert s is None or 0 < s <= 1


def test_listed_nicknames_match_and_unlisted_ones_do_not():
    assert person_match.match_score(prof("Bob Walsh"), prof("Robert Walsh")) == person_match.SCORE_VARIANT
    assert person_match.match_score(prof("Nate Price"), prof("Nathan Price")) == person_match.SCORE_VARIANT
    assert person_match.match_score(prof("Dean Price"), prof("Nathan Price")) is None


@pytest.mark.parametrize("a,b", [
    ("Tomek Wisniewski", "Tomasz Wisniewski"),
    ("Tomasz WISNIEWSKI", "Tomasz Wiśniewski"),
    ("Lukasz Nowak", "Łukasz Nowak"),
    ("Mehmet Yilmaz", "Mehmet Yılmaz"),
    ("Seun Adeyemi", "Oluwaseun Adeyemi"),
    ("Kasia Kowalska", "Katarzyna Kowalska"),
    ("Mohamed Farah", "Mohammed Farah"),
    ("Hussain Ali", "Hussein Ali"),
])
def test_non_english_diminutives_spellings_and_letters_match(a, b):
    assert person_match.match_score(prof(a), prof(b)) is not None
    assert person_match.blocking_key(person_match.parse_name(a)) == person_match.blocking_key(person_match.parse_name(b))


@pytest.mark.parametrize("a,b", [
    ("Kasia Wisniewski", "Tomasz Wisniewski"),
    ("Abdirahman Farah", "Abdullahi Farah"),  # both are "Abdi", not each other
])
def test_different_names_in_the_diminutive_list_do_not_match(a, b):
    assert person_match.match_score(prof(a), prof(b)) is None


def test_a_diminutive_never_overrides_a_conflicting_dob():
    assert person_match.match_score(prof("Tomek Wisniewski", dobs=["2009-08-04"]),
                          prof("Tomasz Wisniewski", dobs=["1990-01-12"])) is None


def test_fold_handles_letters_without_a_decomposition():
    assert person_match.fold("Łukasz Yılmaz Đorđević Søren") == "lukasz yilmaz dordevic soren"


@pytest.fixture
def packaged_lists_after():
    yield
    person_match.use_gazetteer_files(())


def test_a_sites_diminutives_reach_person_matching(tmp_path, packaged_lists_after):
    """A site's gazetteer file (``[extract] gazetteer_files``) names two forenames as one
    person's; the store a command opens with those settings matches them, the packaged
    lists alone do not."""
    from intake.config.settings import load_settings
    from intake.store.db import open_store

    person_match.use_gazetteer_files(())
    assert person_match.match_score(prof("Bodhi Quarrington"), prof("Thaddeus Quarrington")) is None
    (tmp_path / "names.toml").write_text('[diminutives]\nthaddeus = ["bodhi"]\n')
    config = tmp_path / "intake.toml"
    config.write_text('[extract]\ngazetteer_files = ["names.toml"]\n')
    settings = load_settings(str(config), f"sqlite:///{tmp_path / 's.sqlite'}")
    with open_store(settings):
        pass
    assert person_match.match_score(prof("Bodhi Quarrington"), prof("Thaddeus Quarrington")) == person_match.SCORE_VARIANT
