"""Resident ID numbers (GB 11643), unified social credit codes (GB 32100) and masking."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from civaffairs.core.idnumbers import (
    mask_phone, mask_resident_id, mask_text, normalise_resident_id, parse_resident_id, validate_credit_code,
)
from tests.helpers import check_digit, make_id, wrong_check_digit

# The example from GB 11643's own description (Beijing, Chaoyang district).
KNOWN = "11010519491231002X"


def test_known_number_is_accepted_with_its_parts() -> None:
    r = parse_resident_id(KNOWN)
    assert r.number == KNOWN
    assert r.birth_date == date(1949, 12, 31)
    assert r.male is False  # 17th digit 2 is even
    assert r.region_known is True


def test_male_from_odd_seventeenth_digit() -> None:
    number = make_id("110105", date(1980, 1, 2), 13)
    assert parse_resident_id(number).male is True


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert parse_resident_id("110105 19491231 002x").number == KNOWN
    assert normalise_resident_id(" 11010519491231002x ") == KNOWN


def test_wrong_check_digit_refused() -> None:
    with pytest.raises(ValueError):
        parse_resident_id(wrong_check_digit(KNOWN))
    with pytest.raises(ValueError):
        parse_resident_id("110105194912310021")


@pytest.mark.parametrize("born", ["19490230", "19491301", "20210229", "19490000"])
def test_impossible_birth_date_refused(born: str) -> None:
    body = "110105" + born + "002"
    with pytest.raises(ValueError):
        parse_resident_id(body + check_digit(body))


def test_birth_date_in_the_future_or_too_old_refused() -> None:
    future = make_id("110105", date(2030, 1, 1), 1)
    with pytest.raises(ValueError):
        parse_resident_id(future, today=date(2021, 10, 25))
    assert parse_resident_id(future, today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)
    with pytest.raises(ValueError):
        parse_resident_id(make_id("110105", date(1880, 1, 1), 1))


@pytest.mark.parametrize("text", ["", "1101051949123100", "11010519491231002XX", "1101051949123100AX", "11010519491231002Y"])
def test_malformed_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_resident_id(text)


def test_unknown_region_with_valid_check_is_accepted() -> None:
    number = make_id("999999", date(1985, 6, 15), 123)
    r = parse_resident_id(number)
    assert r.number == number
    assert r.region_known is False


def test_region_created_after_birth_is_accepted_as_unknown() -> None:
    # Maiji district (620503) got its code long after 1980: real numbers carry such codes anyway.
    number = make_id("620503", date(1980, 5, 6), 179)
    assert parse_resident_id(number).number == number


# ------------------------------------------------------------------ property


_REGIONS = st.text(alphabet="0123456789", min_size=6, max_size=6)
_BIRTHS = st.dates(min_value=date(1890, 1, 1), max_value=date(2020, 12, 31))
_SEQUENCES = st.integers(min_value=0, max_value=999)


@settings(max_examples=200, deadline=None)
@given(region=_REGIONS, born=_BIRTHS, seq=_SEQUENCES, position=st.integers(0, 16), delta=st.integers(1, 9))
def test_valid_numbers_accepted_and_single_digit_changes_refused(
    region: str, born: date, seq: int, position: int, delta: int
) -> None:
    number = make_id(region, born, seq)
    parsed = parse_resident_id(number, today=date(2021, 10, 25))
    assert parsed.number == number
    assert parsed.birth_date == born
    assert parsed.male == (seq % 2 == 1)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1:]
    with pytest.raises(ValueError):
        parse_resident_id(changed, today=date(2021, 10, 25))


# ------------------------------------------------------------------ credit codes


def _with_check(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


@pytest.mark.parametrize("body", [
    "91110000600037341",   # company (stdnum's example)
    "N2110000MJ0000001",   # registered by another authority: starts with a letter
    "Y1620503MJ0000002",
    "51620503MJ000000A",
    "12620503MB1234567",   # public institution
])
def test_valid_credit_codes(body: str) -> None:
    code = _with_check(body)
    assert validate_credit_code(code) == code
    assert validate_credit_code(" " + code.lower() + " ") == code


def test_stdnum_example_accepted() -> None:
    assert validate_credit_code("91110000600037341L") == "91110000600037341L"


@pytest.mark.parametrize("body", ["91110000600037341", "N2110000MJ0000001"])
def test_wrong_check_character_refused(body: str) -> None:
    code = _with_check(body)
    wrong = "0" if code[17] != "0" else "1"
    with pytest.raises(ValueError):
        validate_credit_code(code[:17] + wrong)


@pytest.mark.parametrize("code", ["", "9111000060003734", "91110000600037341LL", "9111000060003734IL", "O1110000600037341L"])
def test_malformed_credit_codes_refused(code: str) -> None:
    with pytest.raises(ValueError):
        validate_credit_code(code)


# ------------------------------------------------------------------ masking


def test_mask_resident_id_keeps_region_and_last_four() -> None:
    masked = mask_resident_id(KNOWN)
    assert masked == "110105********002X"
    assert len(masked) == 18
    assert "19491231" not in masked


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0931-8123456") == "093*****3456"
    assert mask_phone("12345") == "*****"


def test_mask_short_values_hide_everything() -> None:
    assert mask_resident_id("123") == "***"
    assert mask_text("甘肃省天水市麦积区道北街道") == "甘肃省***"
    assert mask_text("道北") == "***"
