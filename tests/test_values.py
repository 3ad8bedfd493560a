"""Turning typed text into field values, for every kind, and values back into text."""
from __future__ import annotations

import time as _time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civaffairs.core import i18n
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.records import values as V
from civaffairs.records.spec import HEALTH_CODE_CHOICES, Choice, FieldSpec, Kind, Sensitivity
from tests.helpers import KNOWN_ID, make_id, wrong_check_digit

TODAY = date(2021, 10, 25)
TEMPERATURE = bo.CHECK_INS.field("morning_temperature")
VISITOR_TEMPERATURE = bo.VISITORS.field("temperature")
HEALTH_CODE = bo.CHECK_INS.field("health_code")
DAY = bo.CHECK_INS.field("day")
TIME_IN = bo.VISITORS.field("time_in")
MONEY = FieldSpec("amount", "Amount", Kind.MONEY, minimum=Decimal("0.01"))
INTEGER = FieldSpec("persons", "Persons", Kind.INTEGER, minimum=0, maximum=100)
TEXT = FieldSpec("name", "Name", max_length=5)
LONG_TEXT = FieldSpec("notes", "Notes", Kind.LONG_TEXT)
DATE = FieldSpec("day", "Day", Kind.DATE)
DATETIME = FieldSpec("at", "At", Kind.DATETIME)
TIME = FieldSpec("time", "Time", Kind.TIME)
BOOLEAN = FieldSpec("flag", "Flag", Kind.BOOLEAN)
MULTI = bo.STAFF.field("working_groups")
REFERENCE = bo.CHECK_INS.field("staff_id")
RESIDENT_ID = bo.STAFF.field("id_number")
PHONE = bo.STAFF.field("phone")


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This PC's zone is China Standard Time (UTC+8, no summer time)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


# ------------------------------------------------------------------ empty and required


@pytest.mark.parametrize("spec", [TEXT, LONG_TEXT, INTEGER, DATE, DATETIME, TIME, MONEY, BOOLEAN, MULTI, PHONE])
@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_optional_gives_the_empty_value(spec: FieldSpec, raw: object) -> None:
    assert V.coerce(spec, raw) == V.empty_value(spec)


@pytest.mark.parametrize("spec", [bo.STAFF.field("name"), DAY, HEALTH_CODE, REFERENCE, VISITOR_TEMPERATURE,
                                  bo.VISITORS.field("id_number")])
def test_required_refused_when_empty(spec: FieldSpec) -> None:
    with pytest.raises(ValueError):
        V.coerce(spec, "")
    with pytest.raises(ValueError):
        V.coerce(spec, None)


def test_required_multi_choice_refuses_empty_list() -> None:
    spec = FieldSpec("g", "G", Kind.MULTI_CHOICE, choices=MULTI.choices, required=True)
    with pytest.raises(ValueError):
        V.coerce(spec, [])


# ------------------------------------------------------------------ text


def test_text_stripped_and_limited() -> None:
    assert V.coerce(TEXT, "  张三 ") == "张三"
    assert V.coerce(TEXT, "一二三四五") == "一二三四五"
    with pytest.raises(ValueError):
        V.coerce(TEXT, "一二三四五六")


def test_resident_id_field() -> None:
    assert V.coerce(RESIDENT_ID, "11010519491231002x") == KNOWN_ID
    with pytest.raises(ValueError):
        V.coerce(RESIDENT_ID, wrong_check_digit(KNOWN_ID))
    future = make_id("110105", date(2021, 10, 26), 1)
    with pytest.raises(ValueError):
        V.coerce(RESIDENT_ID, future, today=TODAY)


@pytest.mark.parametrize("raw,expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("0931-8123456", "0931-8123456"),
    ("(0938)8123456", "09388123456"),
    ("010-12345678", "010-12345678"),
])
def test_phone_accepted(raw: str, expected: str) -> None:
    assert V.coerce(PHONE, raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "8123456", "abc"])
def test_phone_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        V.coerce(PHONE, raw)


# ------------------------------------------------------------------ numbers


def test_integer() -> None:
    assert V.coerce(INTEGER, " 42 ") == 42
    assert V.coerce(INTEGER, 0) == 0
    for bad in ("4.2", "abc", "-1", "101"):
        with pytest.raises(ValueError):
            V.coerce(INTEGER, bad)


@pytest.mark.parametrize("raw,expected", [
    ("36.5", Decimal("36.5")), ("34", Decimal("34.0")), ("34.0", Decimal("34.0")), ("43.0", Decimal("43.0")),
    ("37.30", Decimal("37.3")), (Decimal("36.8"), Decimal("36.8")), (36.6, Decimal("36.6")), (" 36.6 ", Decimal("36.6")),
])
def test_temperature_accepted(raw: object, expected: Decimal) -> None:
    value = V.coerce(TEMPERATURE, raw)
    assert value == expected
    assert value.as_tuple().exponent == -1


@pytest.mark.parametrize("raw", ["33.9", "43.1", "36.55", "0", "100", "abc", "NaN", "Infinity", "36.5℃"])
def test_temperature_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        V.coerce(TEMPERATURE, raw)


def test_temperature_stored_as_tenths() -> None:
    assert V.to_db(TEMPERATURE, Decimal("36.6")) == 366
    assert V.from_db(TEMPERATURE, 366) == Decimal("36.6")
    assert V.to_db(TEMPERATURE, None) is None and V.from_db(TEMPERATURE, None) is None


@given(st.integers(min_value=340, max_value=430))
def test_temperature_round_trip(tenths: int) -> None:
    text = f"{tenths // 10}.{tenths % 10}"
    value = V.coerce(TEMPERATURE, text)
    assert V.to_db(TEMPERATURE, value) == tenths
    assert V.from_db(TEMPERATURE, tenths) == value
    assert V.display_text(TEMPERATURE, value) == text


@pytest.mark.parametrize("raw,fen", [
    ("4560900.00", 456090000), ("4,560,900", 456090000), ("3713100", 371310000), ("0.29", 29),
    ("1.1", 110), ("215，000.00", 21500000), (Decimal("0.01"), 1),
])
def test_money_to_fen(raw: object, fen: int) -> None:
    value = V.coerce(MONEY, raw)
    assert V.to_db(MONEY, value) == fen
    assert V.from_db(MONEY, fen) == value


@pytest.mark.parametrize("raw", ["0.001", "12.345", "abc", "0", "-5"])
def test_money_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        V.coerce(MONEY, raw)


@given(st.integers(min_value=1, max_value=10**12))
def test_money_round_trip(fen: int) -> None:
    text = f"{fen // 100}.{fen % 100:02d}"
    value = V.coerce(MONEY, text)
    assert V.to_db(MONEY, value) == fen
    assert V.display_text(MONEY, value) == f"{Decimal(fen).scaleb(-2):,.2f}"


def test_money_display() -> None:
    assert V.display_text(MONEY, Decimal("4560900.00")) == "4,560,900.00"


# ------------------------------------------------------------------ dates and times


@pytest.mark.parametrize("raw", ["2021-10-25", "2021/10/25", "2021.10.25", "2021-10-25 ", "2021年10月25日",
                                 date(2021, 10, 25)])
def test_date_formats(raw: object) -> None:
    assert V.coerce(DATE, raw) == date(2021, 10, 25)


@pytest.mark.parametrize("raw", ["2021-02-29", "2021-13-01", "25.10.2021x", "yesterday", "2021-10"])
def test_bad_dates_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        V.coerce(DATE, raw)


def test_future_date_refused_only_when_not_in_future() -> None:
    assert V.coerce(DAY, "2021-10-25", today=TODAY) == TODAY
    with pytest.raises(ValueError):
        V.coerce(DAY, "2021-10-26", today=TODAY)
    assert V.coerce(DATE, "2021-10-26", today=TODAY) == date(2021, 10, 26)


def test_future_date_refused_against_the_real_clock() -> None:
    with pytest.raises(ValueError):
        V.coerce(DAY, date.today() + timedelta(days=2))


def test_datetime_from_aware_value_to_utc() -> None:
    cst = timezone(timedelta(hours=8))
    value = V.coerce(DATETIME, datetime(2021, 10, 25, 8, 30, 45, 123, tzinfo=cst))
    assert value == datetime(2021, 10, 25, 0, 30, tzinfo=timezone.utc)
    assert value.tzinfo == timezone.utc


def test_datetime_text_and_naive_values_are_local_time(shanghai: None) -> None:
    expected = datetime(2021, 10, 25, 0, 30, tzinfo=timezone.utc)
    assert V.coerce(DATETIME, "2021-10-25 08:30") == expected
    assert V.coerce(DATETIME, "2021/10/25 8：30") == expected
    assert V.coerce(DATETIME, datetime(2021, 10, 25, 8, 30)) == expected
    assert V.display_text(DATETIME, expected) == "2021-10-25 08:30"
    assert V.canonical_text(DATETIME, expected) == "2021-10-25T00:30+00:00"
    assert V.display_canonical(DATETIME, "2021-10-25T00:30+00:00") == "2021-10-25 08:30"


@pytest.mark.parametrize("raw", ["2021-10-25", "2021-10-25 25:00", "08:30", "2021-10-25 8.30"])
def test_bad_datetimes_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        V.coerce(DATETIME, raw)


def test_future_datetime_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = datetime(2021, 10, 25, 2, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(V, "now_utc", lambda: fixed)
    assert V.coerce(TIME_IN, fixed) == fixed
    with pytest.raises(ValueError):
        V.coerce(TIME_IN, fixed + timedelta(minutes=1))
    assert V.coerce(DATETIME, fixed + timedelta(days=1)) == fixed + timedelta(days=1)


@pytest.mark.parametrize("raw,expected", [("08:30", time(8, 30)), ("8:05", time(8, 5)), ("23：59", time(23, 59)),
                                          (time(9, 15, 42), time(9, 15))])
def test_time(raw: object, expected: time) -> None:
    assert V.coerce(TIME, raw) == expected


@pytest.mark.parametrize("raw", ["24:00", "12:60", "8", "8:5", "noon"])
def test_bad_times_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        V.coerce(TIME, raw)


# ------------------------------------------------------------------ choices and booleans


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_choice_by_code_and_by_label(language: str) -> None:
    i18n.set_language(language)
    for choice in HEALTH_CODE_CHOICES:
        assert V.coerce(HEALTH_CODE, choice.code) == choice.code
        assert V.coerce(HEALTH_CODE, choice.title) == choice.code
        assert V.coerce(HEALTH_CODE, f" {choice.title} ") == choice.code
        assert V.display_text(HEALTH_CODE, choice.code) == choice.title


def test_unknown_choice_refused() -> None:
    with pytest.raises(ValueError):
        V.coerce(HEALTH_CODE, "blue")


def test_multi_choice_keeps_a_stable_order() -> None:
    assert V.coerce(MULTI, ["3", "1", "3"]) == ["1", "3"]
    assert V.coerce(MULTI, [1, 7]) == ["1", "7"]
    with pytest.raises(ValueError):
        V.coerce(MULTI, ["8"])
    assert V.canonical_text(MULTI, ["1", "3"]) == "1,3"


@pytest.mark.parametrize("raw", [True, "是", "yes", "TRUE", "1", "y", "√", " Yes "])
def test_boolean_true(raw: object) -> None:
    assert V.coerce(BOOLEAN, raw) is True


@pytest.mark.parametrize("raw", [False, "否", "no", "false", "0", "N", "×"])
def test_boolean_false(raw: object) -> None:
    assert V.coerce(BOOLEAN, raw) is False


def test_boolean_refuses_other_answers() -> None:
    with pytest.raises(ValueError):
        V.coerce(BOOLEAN, "maybe")


def test_boolean_text() -> None:
    assert V.canonical_text(BOOLEAN, True) == "true"
    assert V.canonical_text(BOOLEAN, False) == "false"
    assert V.display_canonical(BOOLEAN, "true") == V.display_text(BOOLEAN, True)


def test_reference() -> None:
    value = uuid.uuid4()
    assert V.coerce(REFERENCE, value) == value
    assert V.coerce(REFERENCE, str(value)) == value
    with pytest.raises(ValueError):
        V.coerce(REFERENCE, "not-a-uuid")


# ------------------------------------------------------------------ masking


def test_mask_by_sensitivity() -> None:
    assert V.mask(RESIDENT_ID, KNOWN_ID) == "110105********002X"
    assert V.mask(PHONE, "13812345678") == "138****5678"
    assert V.mask(FieldSpec("a", "A", sensitive=Sensitivity.ADDRESS), "麦积区道北街道") == "麦积区***"
    assert V.mask(TEMPERATURE, "36.5") == "***"
    assert V.mask(TEMPERATURE, "") == ""


def test_choice_title_of_unknown_code_is_the_code() -> None:
    spec = FieldSpec("c", "C", Kind.CHOICE, choices=(Choice("a", "A"),))
    assert spec.choice_title("zzz") == "zzz"
    assert spec.choice_title(None) == ""
