"""docs/uk-formats.md plate vectors, every one, plus partial and cued forms."""

import pytest

from tests.extractors.helpers import run, values

MUST_MATCH = {
    "AB12 CDE": "AB12CDE", "AB12CDE": "AB12CDE", "bd61 xkf": "BD61XKF", "AB 12 CDE": "AB12CDE",
    "LR69 ZZZ": "LR69ZZZ", "A123 BCD": "A123BCD", "Y5 ABC": "Y5ABC", "Q123 ABC": "Q123ABC",
    "TRD 567A": "TRD567A", "ABZ 1234": "ABZ1234", "OIL 1234": "OIL1234", "AB12 ???": "AB12*",
    "AB12 C??": "AB12C*", "AB?? CDE": "AB*CDE", "starts with BD61": "BD61*",
    "ending in XKF": "*XKF", "reg no: 123 ABC": "123ABC", "first two letters LR": "LR*",
    "AB12 ***": "AB12*",
}
MUST_NOT = ["B12 9XY", "CR2 6XH", "14:30", "1430hrs", "COVID19 JAB", "MG11", "CR/123456/24",
            "20/123456/24", "PC 1234 SMITH", "DC 4321", "M6", "A1 road", "on 12 dec", "@ab12cde",
            "MI5", "MP5", "AB01 CDE", "IQ12 ABC", "AB12 CDI", "B4 THE", "WAS 2A", "FLAT 12B"]


@pytest.mark.parametrize("raw,value", MUST_MATCH.items())
def test_plate_found_and_normalised(raw, value):
    text = f"The vehicle seen was {raw} outside the shop."
    ms = [m for m in run(text, "vrm") if m.type == "VRM"]
    assert [m.value for m in ms] == [value]
    assert text[ms[0].start:ms[0].end] == ms[0].text


@pytest.mark.parametrize("raw", MUST_NOT)
def test_not_a_plate(raw):
    assert values(f"He mentioned {raw} to staff.", "VRM", "vrm") == []


@pytest.mark.parametrize("raw", MUST_NOT)
def test_not_a_plate_in_full_pipeline(raw):
    # With every recogniser and overlap resolution, no plate either.
    assert values(f"He mentioned {raw} to staff.", "VRM") == []


def test_prefix_shape_counts_with_a_vehicle_cue_in_lower_case():
    assert values("he drives a car with reg y5 abc", "VRM", "vrm") == ["Y5ABC"]


def test_plate_in_handle_or_email_is_not_a_plate():
    ms = run("Contact ab12cde@example.com or @ab12cde on Snapchat")
    assert "VRM" not in {m.type for m in ms}


def test_postcode_wins_over_plate_and_plate_over_postcode():
    ms = run("Seen at B12 9XY in AB12 CDE")
    assert [(m.type, m.value) for m in ms if m.type in ("VRM", "POSTCODE")] == [
        ("POSTCODE", "B12 9XY"), ("VRM", "AB12CDE")]


def test_key_keeps_o_and_zero_as_written():
    assert values("car AB12 C0E", "VRM", "vrm") == []  # a zero where a letter goes
    assert values("car AB12 COE", "VRM", "vrm") == ["AB12COE"]


@pytest.mark.parametrize("text", ["reg SJ15 CMM", "reg SJ15  CMM", "reg SJ15-CMM",
                                  "The reg is sj15  cmm.", "VRM: SJ15\tCMM", "reg no SJ 15 CMM",
                                  "a silver Corsa SJ15 CMM was seen", "the car was sj15 cmm"])
def test_a_spaced_plate_is_never_cut_to_a_partial(text):
    assert values(text, "VRM") == ["SJ15CMM"]


def test_an_oddly_cased_plate_is_the_whole_plate_not_its_front():
    # partner agencies type plates in any mix of case
    assert values("reg Sj15 Cmm", "VRM") == ["SJ15CMM"]
