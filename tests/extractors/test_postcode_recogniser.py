"""docs/uk-formats.md postcode vectors."""

import pytest

from tests.extractors.helpers import values

MUST_MATCH = {"B12 9XY": "B12 9XY", "SW1A 1AA": "SW1A 1AA", "W1A 1HQ": "W1A 1HQ",
              "EC1A 1BB": "EC1A 1BB", "M1 1AE": "M1 1AE", "cr26xh": "CR2 6XH",
              "DN55 1PT": "DN55 1PT", "GIR 0AA": "GIR 0AA"}
MUST_NOT = ["AB12 CDE", "QA1 1AA", "VX1 1AA", "AI1 1AA", "B1 1CA", "B1 1AK", "MG11", "2pm"]


@pytest.mark.parametrize("raw,value", MUST_MATCH.items())
def test_postcode_found(raw, value):
    assert values(f"She lives at {raw} with her nan.", "POSTCODE", "postcode") == [value]


@pytest.mark.parametrize("raw", MUST_NOT)
def test_not_a_postcode(raw):
    assert values(f"She lives at {raw} with her nan.", "POSTCODE", "postcode") == []


def test_postcode_inside_address_line():
    assert values("14 Mare Street, Hackney, E8 1HE.", "POSTCODE") == ["E8 1HE"]
