from intake.extractors.overlaps import resolve
from intake.extractors.recogniser import Candidate
from tests.extractors.helpers import run


def test_alias_linked_to_its_person():
    ms = run('Tyrone Walker, known as "Tiny", sells from the flat. Dean is his cousin.')
    alias = next(m for m in ms if m.type == "ALIAS")
    assert alias.value == "Tiny"
    assert ms[alias.attrs["person"]].value == "Tyrone Walker"


def test_alias_inside_the_name():
    ms = run('Joe "JB" Bloggs was there.')
    alias = next(m for m in ms if m.type == "ALIAS")
    assert alias.value == "JB"
    assert ms[alias.attrs["person"]].type == "PERSON"


def test_alias_without_a_person_has_no_link():
    ms = run("He goes by Ghost.")
    alias = next(m for m in ms if m.type == "ALIAS")
    assert alias.value == "Ghost" and "person" not in alias.attrs


def test_vehicle_linked_to_plate_in_same_sentence_only():
    ms = run("He drives a silver Vauxhall Astra AB12 CDE. His brother has a black BMW.")
    v1, v2 = [m for m in ms if m.type == "VEHICLE"]
    assert v1.value == "silver vauxhall astra" and ms[v1.attrs["plate"]].value == "AB12CDE"
    assert v2.value == "black bmw" and "plate" not in v2.attrs


def test_gang():
    vals = [m.value for m in run("He runs with the Y-Block boys and the ABC crew.") if m.type == "GANG"]
    assert vals == ["Y-Block boys", "ABC crew"]


def test_overlap_priority_then_length():
    a = Candidate("EMAIL", 0, 10, "x", "email", priority=95)
    b = Candidate("SOCIAL_HANDLE", 3, 10, "y", "h", priority=75)
    c = Candidate("LOCATION", 12, 20, "z", "spacy", priority=30)
    d = Candidate("LOCATION", 12, 25, "zz", "spacy", priority=30)
    assert [x.value for x in resolve([a, b, c, d])] == ["x", "zz"]


def test_alias_may_nest_in_person():
    p = Candidate("PERSON", 0, 15, "Joe Bloggs", "spacy", priority=30)
    a = Candidate("ALIAS", 5, 7, "JB", "alias", priority=72)
    assert {x.type for x in resolve([p, a])} == {"PERSON", "ALIAS"}


def test_offsets_always_match_text():
    text = "Joe Bloggs (aka JB), 07700 900123, AB12 CDE, last Friday at 2pm, weed, B12 9XY."
    for m in run(text):
        assert text[m.start:m.end] == m.text


def test_nickname_recognised_once_counts_everywhere_in_the_report():
    from intake.extractors.extract import extract_text_fields

    ms = extract_text_fields({"problem": "One of them is known as Lil Dread.",
                              "who": "Lil Dread drives a blue Ford Focus."}, None, {})
    aliases = [(m.field, m.value) for m in ms if m.type == "ALIAS"]
    assert aliases == [("problem", "Lil Dread"), ("who", "Lil Dread")]


def test_handle_added_with_platform_named_earlier_in_sentence():
    from tests.extractors.helpers import values

    assert values("She uses Snapchat and the man added her as kev_wolves.", "SOCIAL_HANDLE") == [
        "snapchat:kev_wolves"]
    assert values("The man added her as kev_wolves.", "SOCIAL_HANDLE") == []  # no platform
