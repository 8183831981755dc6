"""Every mention says why it was found (Presidio-style explanation): the
recogniser, the pattern name and, where one lifted it, the context word."""

from datetime import date

from intake.extractors.extract import extract_text_fields

TEXT = ("Kyle Mensah (DOB 03/04/2011) drives a silver Vauxhall Astra, reg AB12 CDE. "
        "His number is 07700 900123 and his snap is kyle_x9. He sells weed in Hackney.")


def _mentions():
    return extract_text_fields({"incident.narrative": TEXT}, date(2026, 3, 12), {})


def test_every_mention_names_its_pattern():
    ms = _mentions()
    assert ms
    for m in ms:
        assert m.recogniser, m
        assert isinstance(m.pattern, str) and m.pattern, m
        assert m.context is None or isinstance(m.context, str)
        assert isinstance(m.attrs, dict)


def test_context_word_is_kept_when_it_lifted_the_match():
    by_type = {m.type: m for m in _mentions()}
    assert by_type["VRM"].pattern == "current"
    assert by_type["PHONE"].context in {"number", "no"}
    assert by_type["DOB"].context == "dob"


def test_a_handle_names_its_platform_and_slang_its_evidence():
    by_type = {m.type: m for m in _mentions()}
    assert by_type["SOCIAL_HANDLE"].value == "snapchat:kyle_x9"
    assert by_type["SOCIAL_HANDLE"].context == "snap"
    slang = extract_text_fields({"f": "He sells bud to younger boys."}, date(2026, 3, 12), {})
    assert [(m.value, m.context) for m in slang if m.type == "SUBSTANCE"] == [("cannabis", "sells")]
