"""spaCy NER plus the rules beside it, on text like the Met's worked example."""

from tests.extractors.helpers import run

MET = ("Joe Bloggs a 20 year old male frequents the Chicken shop on Mare Street. Young females "
       "aged about 14 also attend it. Hackney Chicken shop on Mare Street is busy.")


def pairs(text, *types):
    return [(m.type, m.value) for m in run(text) if not types or m.type in types]


def test_met_example():
    got = pairs(MET)
    assert ("PERSON", "Joe Bloggs") in got
    assert ("AGE", "20") in got and ("AGE", "14") in got
    assert ("LOCATION", "Mare Street") in got and ("LOCATION", "Hackney") in got
    # the model's errors are fixed: "20" is not a DATE, "Hackney" not an ORG, "Chicken" not an ORG
    assert ("ORGANISATION", "Hackney") not in got
    assert ("ORGANISATION", "Chicken") not in got
    assert not any(t == "DATETIME" for t, _ in got)


def test_initials_are_an_alias_not_an_organisation():
    got = pairs('He is known as "JB" and hangs around the estate.')
    assert ("ALIAS", "JB") in got and ("ORGANISATION", "JB") not in got


def test_named_businesses_and_places():
    got = pairs("She was taken to the Premier Inn on Station Road, Hanley, then to Star Cabs and "
                "Sunnyside Children's Home near Hanley bus station and Victoria Park.")
    for want in [("ORGANISATION", "Premier Inn"), ("LOCATION", "Station Road"),
                 ("ORGANISATION", "Star Cabs"), ("ORGANISATION", "Sunnyside Children's Home"),
                 ("LOCATION", "Hanley bus station"), ("LOCATION", "Victoria Park")]:
        assert want in got


def test_address():
    got = pairs("He lives at 14 Mare Street, Hackney, E8 1HE.")
    assert ("ADDRESS", "14 Mare Street, Hackney") in got and ("POSTCODE", "E8 1HE") in got


def test_girl_name_the_model_calls_a_place_is_a_person():
    got = pairs("Kyle Mensah was seen at the park with Aisha.")
    assert ("PERSON", "Aisha") in got and ("LOCATION", "Aisha") not in got


def test_spacy_can_be_switched_off_by_config():
    ms = run("Joe Bloggs met Sarah Khan in Leeds", disable=["spacy"])
    assert all(not m.recogniser.startswith("spacy") for m in ms)


def test_names_never_cross_a_line_break_or_table_cell():
    text = "METROPOLITAN\nPOLICE\tGuidance\nSee\nPolice and Appeals\nSubsection 4"
    for m in run(text):
        assert "\n" not in m.text and "\t" not in m.text


def test_a_heading_word_is_not_spread_as_a_person():
    ms = run("Appendix\nAppendix 2 lists the powers. Appendix 3 lists more.")
    assert not [m for m in ms if m.recogniser.startswith("propagate")]
