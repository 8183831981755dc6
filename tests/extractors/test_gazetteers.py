"""Gazetteers are data: packaged lists load, an analyst's file extends them."""

import pytest

from intake.extractors.gazetteer import load_gazetteers
from intake.types import IntakeError
from tests.extractors.helpers import run, values


@pytest.mark.parametrize("text,value", [
    ("She was smoking weed in the park", "cannabis"),
    ("selling skunk from the flat", "cannabis"),
    ("they were selling bud to the kids", "cannabis"),
    ("he gave her MDMA", "mdma"),
    ("she was given molly at the party", "mdma"),
    ("they took mandy", "mdma"),
    ("bottles of vodka", "alcohol"),
    ("nos canisters everywhere", "nitrous oxide"),
])
def test_substance_slang_to_canonical(text, value):
    assert values(text, "SUBSTANCE", "gazetteer_terms") == [value]


@pytest.mark.parametrize("text", ["Molly is 14 and lives with her nan", "Mandy Jones rang",
                                  "the bud of a rose", "a green coat", "he is my bud"])
def test_ambiguous_slang_needs_a_drug_word(text):
    assert values(text, "SUBSTANCE", "gazetteer_terms") == []


@pytest.mark.parametrize("text,value", [
    ("She uses Snapchat", "snapchat"), ("on snap chat", "snapchat"), ("her insta", "instagram"),
    ("via Whats App", "whatsapp"), ("on Tik Tok", "tiktok"),
])
def test_app_variants(text, value):
    assert values(text, "APP", "gazetteer_terms") == [value]


def test_organisation_names_need_a_capital():
    assert values("went through the subway", "ORGANISATION", "gazetteer_terms") == []
    assert values("ate at Chicken Cottage", "ORGANISATION", "gazetteer_terms") == ["Chicken Cottage"]


def test_analyst_file_adds_slang_and_a_type(tmp_path):
    extra = tmp_path / "local.toml"
    extra.write_text('[SUBSTANCE.terms]\ncannabis = ["zazza"]\n[GANG.terms]\n"zone two" = ["Zone 2"]\n')
    ms = run("selling zazza with Zone 2", "gazetteer_terms", gazetteer_files=[str(extra)])
    assert {(m.type, m.value) for m in ms} == {("SUBSTANCE", "cannabis"), ("GANG", "Zone 2")}
    # the packaged lists are still there
    assert values("smoking weed", "SUBSTANCE", "gazetteer_terms") == ["cannabis"]


def test_bad_gazetteer_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[SUBSTANCE.terms]\ncannabis = 'weed'\n")
    with pytest.raises(IntakeError) as e:
        load_gazetteers((str(bad),))
    assert e.value.code == "gazetteer_invalid" and "bad.toml" in e.value.detail
    with pytest.raises(IntakeError) as e:
        load_gazetteers((str(tmp_path / "missing.toml"),))
    assert e.value.code == "gazetteer_unreadable"


def test_packaged_lists_have_what_the_brief_names():
    g = load_gazetteers()
    subs = g.types["SUBSTANCE"]
    for slang in ("weed", "skunk", "mdma"):
        assert subs.terms[slang] in ("cannabis", "mdma")
    assert subs.ambiguous["molly"] == subs.ambiguous["mandy"] == "mdma"
    assert "vauxhall" in g.makes and "astra" in g.makes["vauxhall"]
    assert {"takeaway", "hotel", "taxi", "cabs", "children's home"} <= g.word_list("business")


def test_site_config_names_a_gazetteer_relative_to_itself(tmp_path):
    from datetime import date

    from intake.config.settings import load_settings
    from intake.extractors.extract import extract_text_fields

    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "slang.toml").write_text('[SUBSTANCE.terms]\ncannabis = ["zazza"]\n')
    cfg = tmp_path / "site.toml"
    cfg.write_text('[extract]\ngazetteer_files = ["local/slang.toml"]\ndisable = ["spacy"]\n')
    ms = extract_text_fields({"f": "selling zazza"}, date(2026, 1, 1), load_settings(cfg))
    assert [(m.type, m.value) for m in ms] == [("SUBSTANCE", "cannabis")]
