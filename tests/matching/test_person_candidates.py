"""The block index (person_candidates.py) may offer people match_score
will not score, never leave out one it would: resolution scores only what
the index offers."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nicknames import NickNamer

from intake.matching import person_match
from intake.matching.person_candidates import BlockIndex
from intake.matching.person_match import Profile, match_score

_NN = NickNamer()
_LISTED = sorted(person_match._diminutives())
_COMMON = ["jason", "jay", "james", "jim", "jimmy", "john", "jon", "jonathan", "katherine", "catherine",
           "kathy", "kristopher", "christopher", "chris", "robert", "bob", "rob", "bobby", "margaret", "peggy",
           "william", "bill", "liam", "aisha", "ayesha", "mohammed", "muhammad", "mohamed", "tomasz", "tomek",
           "oluwaseun", "seun", "sean", "shaun", "shawn", "nathan", "nate", "nathaniel", "alex", "alexander",
           "alexandra", "sasha", "aleksandr", "jo", "joe", "joseph", "josephine", "j", "k", "c", "m"]


def _variants(name: str) -> list[str]:
    """Spellings one edit away: Jaro-Winkler neighbours across first letters too."""
    out = []
    letters = "aeiouckys"
    for i in range(len(name)):
        for c in letters:
            out.append(name[:i] + c + name[i + 1:])
        if i + 1 < len(name):
            out.append(name[:i] + name[i + 1] + name[i] + name[i + 2:])
    return out


_POOL = sorted(set(_COMMON) | set(_LISTED[:200]) | {v for n in _COMMON[:20] for v in _variants(n)[::3]}
               | {n for c in _COMMON[:30] for n in list(_NN.nicknames_of(c))[:4]}
               | {n for c in _COMMON[:30] for n in list(_NN.canonicals_of(c))[:4]})

names = st.one_of(st.sampled_from(_POOL), st.text(string.ascii_lowercase, min_size=1, max_size=9))
profiles = st.builds(
    lambda surnames, given_, aliases, years: Profile(set(surnames), set(given_), set(aliases), set(), set(years)),
    st.sets(st.sampled_from(["smith", "smyth", "smithe"]), max_size=2),
    st.sets(names, max_size=3),
    st.sets(names, max_size=2),
    st.sets(st.integers(2000, 2010), max_size=1),
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, st.lists(profiles, min_size=1, max_size=12))
def test_the_index_offers_everyone_match_score_would_score(mention, people):
    index = BlockIndex()
    for k, p in enumerate(people):
        index.add(k, p)
    offered = index.candidates(mention)
    for k, p in enumerate(people):
        if match_score(mention, p) is not None:
            assert k in offered, (mention, p)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles, min_size=1, max_size=8), st.data())
def test_an_index_changed_person_by_person_equals_one_built_afresh(people, data):
    """Re-indexing a person whose names changed, and removing one, leaves
    the index as if it had been built from the people as they are now."""
    index = BlockIndex()
    for k, p in enumerate(people):
        index.add(k, p)
    now = dict(enumerate(people))
    for k in data.draw(st.lists(st.sampled_from(sorted(now)), max_size=4)):
        if k not in now:
            continue
        if data.draw(st.booleans()):
            index.remove(k)
            del now[k]
        else:
            now[k] = data.draw(profiles)
            index.add(k, now[k])
    fresh = BlockIndex()
    for k, p in now.items():
        fresh.add(k, p)
    mention = data.draw(profiles)
    assert index.candidates(mention) == fresh.candidates(mention)
    assert index._sorted == sorted(index._by_name) == fresh._sorted
    assert index._by_name == fresh._by_name


def test_the_cases_the_rule_names():
    people = {
        1: Profile({"smith"}, {"catherine"}), 2: Profile({"smith"}, {"christopher"}), 3: Profile({"smith"}, {"j"}),
        4: Profile({"smith"}, {"robert"}), 5: Profile({"smith"}, {"tomek"}), 6: Profile({"smith"}, {"zed"}, {"jay"}),
        7: Profile({"smith"}, {"alexandra"}), 8: Profile({"smith"}, {"xavier"}),
    }
    index = BlockIndex()
    for k, p in people.items():
        index.add(k, p)
    ask = {"katherine": 1, "kristopher": 2, "jason": 3, "bob": 4, "tomasz": 5, "jay": 6, "alex": 7}
    for name, k in ask.items():
        offered = index.candidates(Profile({"smith"}, {name}))
        assert k in offered, name
        assert 8 not in offered, name
    assert index.candidates(Profile({"smith"}, set(), {"jay"})) == set()  # no forename: never a match


def test_the_nickname_tables_are_each_others_inverse():
    """related_forenames relies on it: a name is in b's nicknames exactly
    when b is among its canonical names."""
    for canonical, nicks in NickNamer().nickname_lookup.items():
        for n in nicks:
            assert canonical in _NN.canonicals_of(n)
