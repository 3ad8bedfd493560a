"""Amounts in Chinese capitals (人民币大写): DOCUMENTS.md's examples, zeros in every position, and
properties over the whole range (the capitals read back give the amount; one 零 per inner run
of zeros)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from civaffairs.printing.amounts import amount_in_capitals, capitals_to_amount, to_fen, with_prefix

# DOCUMENTS.md, "Amounts in capitals"
DOCUMENTED = [
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("4560900.00", "肆佰伍拾陆万零玖佰元整"),
]

ZEROS = [
    ("0", "零元整"),
    ("0.01", "壹分"),
    ("0.10", "壹角"),
    ("0.11", "壹角壹分"),
    ("1.00", "壹元整"),
    ("1.01", "壹元零壹分"),
    ("1.10", "壹元壹角"),
    ("10.00", "壹拾元整"),
    ("10.10", "壹拾元零壹角"),
    ("100.00", "壹佰元整"),
    ("100.01", "壹佰元零壹分"),
    ("101.00", "壹佰零壹元整"),
    ("110.00", "壹佰壹拾元整"),
    ("1000.00", "壹仟元整"),
    ("1001.00", "壹仟零壹元整"),
    ("1010.00", "壹仟零壹拾元整"),
    ("1100.00", "壹仟壹佰元整"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("10000.00", "壹万元整"),
    ("10001.00", "壹万零壹元整"),
    ("10010.00", "壹万零壹拾元整"),
    ("11000.00", "壹万壹仟元整"),
    ("100000.00", "壹拾万元整"),
    ("100000.50", "壹拾万元零伍角"),
    ("100010.00", "壹拾万零壹拾元整"),
    ("101000.00", "壹拾万零壹仟元整"),
    ("107000.53", "壹拾万零柒仟元零伍角叁分"),
    ("215000.00", "贰拾壹万伍仟元整"),
    ("1000000.00", "壹佰万元整"),
    ("1000000.01", "壹佰万元零壹分"),
    ("3713100.00", "叁佰柒拾壹万叁仟壹佰元整"),
    ("10000000.00", "壹仟万元整"),
    ("10100000.00", "壹仟零壹拾万元整"),
    ("100000000.00", "壹亿元整"),
    ("100000001.00", "壹亿零壹元整"),
    ("100000010.00", "壹亿零壹拾元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("101000000.00", "壹亿零壹佰万元整"),
    ("110000000.00", "壹亿壹仟万元整"),
    ("1000000000.00", "壹拾亿元整"),
    ("10000000000.00", "壹佰亿元整"),
    ("100000000000.00", "壹仟亿元整"),
    ("1000000000000.00", "壹万亿元整"),
    ("1000000000001.00", "壹万亿零壹元整"),
    ("1000100000000.00", "壹万零壹亿元整"),
    ("1000000010000.00", "壹万亿零壹万元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("yuan", "capitals"), DOCUMENTED + ZEROS)
def test_examples(yuan: str, capitals: str) -> None:
    amount = Decimal(yuan)
    assert amount_in_capitals(amount) == capitals
    assert amount_in_capitals(int(amount * 100)) == capitals  # int is fen
    assert capitals_to_amount(capitals) == int(amount * 100)


def test_prefix() -> None:
    assert with_prefix(Decimal("6007.14")) == "人民币陆仟零柒元壹角肆分"
    assert amount_in_capitals(1, prefix=True) == "人民币壹分"
    assert capitals_to_amount("人民币陆仟零柒元壹角肆分") == 600714


def test_decimal_forms_are_equal() -> None:
    assert amount_in_capitals(Decimal("12")) == amount_in_capitals(Decimal("12.00")) == "壹拾贰元整"
    assert amount_in_capitals(Decimal("1.2E+3")) == "壹仟贰佰元整"
    assert amount_in_capitals(Decimal("-0")) == "零元整"


@pytest.mark.parametrize("bad", [1.5, 0.0, True, "1.00", None])
def test_refuses_other_types(bad: object) -> None:
    with pytest.raises(TypeError):
        amount_in_capitals(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [Decimal("-0.01"), -1, Decimal("0.001"), Decimal("1.005"), Decimal("NaN"),
                                 Decimal("Infinity"), 10**18])
def test_refuses_bad_amounts(bad: Decimal | int) -> None:
    with pytest.raises(ValueError):
        amount_in_capitals(bad)


def test_largest_amount() -> None:
    assert amount_in_capitals(10**18 - 1).startswith("玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿")
    assert capitals_to_amount(amount_in_capitals(10**18 - 1)) == 10**18 - 1


@pytest.mark.parametrize("bad", ["", "人民币", "元整", "壹分整", "壹拾", "贰叁元整", "壹佰仟元整", "壹元贰",
                                 "壹分壹角", "伍元整整", "壹万万元整", "壹美元"])
def test_parser_refuses_what_is_not_an_amount(bad: str) -> None:
    with pytest.raises(ValueError):
        capitals_to_amount(bad)


# ------------------------------------------------------------------ properties

MAX_FEN = 99_999_999_999_999  # 999,999,999,999.99 yuan


def _sparse_amounts() -> st.SearchStrategy[int]:
    """Amounts with many zeros, in every position: uniform integers rarely have any."""
    digit = st.one_of(st.just(0), st.just(0), st.integers(1, 9))
    return st.lists(digit, min_size=14, max_size=14).map(lambda ds: int("".join(map(str, ds))))


amounts = st.one_of(st.integers(0, MAX_FEN), _sparse_amounts())


@given(amounts)
@example(0)
@example(1)
@example(MAX_FEN)
@example(10_000_000_000)  # 壹亿元整
def test_capitals_read_back_as_the_amount(fen: int) -> None:
    text = amount_in_capitals(fen)
    assert capitals_to_amount(text) == fen
    assert capitals_to_amount(with_prefix(fen)) == fen
    assert amount_in_capitals(Decimal(fen).scaleb(-2)) == text


@given(amounts)
def test_one_zero_for_each_inner_run_of_zeros(fen: int) -> None:
    """The rule as DOCUMENTS.md states it, counted on the figures rather than on the words."""
    text = amount_in_capitals(fen)
    if fen == 0:
        assert text == "零元整"
        return
    figures = str(fen).zfill(3)
    inner_runs = len(re.findall(r"(?<=[1-9])0+(?=[1-9])", figures.lstrip("0")))
    assert text.count("零") == inner_runs, (figures, text)
    assert "零零" not in text
    assert not re.search("零[拾佰仟万亿元角分整]", text) and not text.endswith("零")
    assert text.endswith(("整", "角", "分"))
    assert text.endswith("整") == (fen % 100 == 0)  # 整 after 元 only, never after 角 or 分
    assert ("元" in text) == (fen >= 100)
    assert not text.startswith(("拾", "零"))


def test_to_fen() -> None:
    assert to_fen(Decimal("1409.5")) == 140950
    assert to_fen(140950) == 140950
