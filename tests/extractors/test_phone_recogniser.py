"""docs/uk-formats.md phone vectors: E.164 values, Ofcom drama ranges accepted."""

import pytest

from intake.extractors.recognisers.phone import is_drama
from tests.extractors.helpers import values

MUST_MATCH = {
    "07700 900123": "+447700900123", "07700-900-456": "+447700900456",
    "07700 900 789": "+447700900789", "+44 7700 900321": "+447700900321",
    "0044 7700 900111": "+447700900111", "+44 (0)7700 900222": "+447700900222",
    "(0121) 496 0000": "+441214960000", "0121-496-0001": "+441214960001",
    "020 7946 0123": "+442079460123", "01632 960123": "+441632960123",
    "08081 570123": "+448081570123",
}
MUST_NOT = ["2023/01234", "CAD 1234", "12/03/2024", "20-123456-24", "1430 hrs",
            "NHS 943 476 5919", "IMEI 356938035643809", "sort code 20-00-00",
            "account 01234567", "01.02.2009 14:30", "IMEI 012345678901237"]


@pytest.mark.parametrize("raw,value", MUST_MATCH.items())
def test_phone_found(raw, value):
    assert values(f"Her mobile is {raw} and she uses it daily.", "PHONE", "phone") == [value]


@pytest.mark.parametrize("raw", MUST_NOT)
def test_not_a_phone(raw):
    assert values(f"Ref {raw} noted.", "PHONE") == []


def test_real_non_drama_uk_number_is_validated_by_libphonenumber():
    assert values("Ring 01000 123456 now", "PHONE", "phone") == []  # no such area code
    assert values("Ring 0161 496 0999 now", "PHONE", "phone") == ["+441614960999"]
    assert values("Ring 07999 12345 now", "PHONE", "phone") == []


@pytest.mark.parametrize("national", ["07700900000", "07700900999", "01632960555", "02079460001",
                                      "01914980123", "02920180123", "02890180123", "09098790123",
                                      "03069990123", "01134960123"])
def test_drama_ranges(national):
    assert is_drama(national)


def test_just_outside_drama_range_is_not_drama():
    assert not is_drama("07700901000")
