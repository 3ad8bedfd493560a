"""Amounts of money in Chinese capitals (人民币大写), as DOCUMENTS.md describes them.

Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a four-digit section, 万 and 亿 after a section,
元角分, and 整 when an amount ends at 元.  Conventions, where the rules leave a choice:

* **No 整 after 角** (DOCUMENTS.md: optional): ¥1,409.50 → 壹仟肆佰零玖元伍角.  整 only follows 元.
* **One 零 for every run of zeros that lies between two non-zero digits**, whether the run
  crosses a section (万, 亿) or the 元: ¥4,560,900.00 → 肆佰伍拾陆万零玖佰元整,
  ¥16,409.02 → 壹万陆仟肆佰零玖元零贰分, and likewise ¥1,680.32 → 壹仟陆佰捌拾元零叁角贰分 and
  ¥100,000.50 → 壹拾万元零伍角 (the 《支付结算办法》 allows this 零 to be left out; we always
  write it, so the rule has no exception).  Zeros at the end are never written.
* **A leading ten is 壹拾**, never a bare 拾: ¥10.00 → 壹拾元整, ¥100,000.00 → 壹拾万元整.
* Below one yuan there is no 元: ¥0.50 → 伍角, ¥0.01 → 壹分; ¥0 → 零元整.
* A section unit follows every non-zero section; 亿 also follows a zero 亿-section when a 万亿
  section stands before it: ¥1,000,000,000,000 → 壹万亿元整.  Amounts of 1亿亿 yuan and
  more are refused.

Amounts are integer fen (the database's form) or `Decimal` yuan with at most two decimals; a
float is refused, since 0.1 + 0.2 is not an amount of money."""
from __future__ import annotations

from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")  # inside a four-digit section
PREFIX = "人民币"
MAX_FEN = 10**16 * 100 - 1  # 9999,9999,9999,9999.99 yuan

_DIGIT_VALUE = {c: i for i, c in enumerate(DIGITS)}
_SMALL_VALUE = {"拾": 10, "佰": 100, "仟": 1000}


def to_fen(amount: Decimal | int) -> int:
    """Integer fen from `amount`: an int is already fen, a Decimal is yuan (at most 2 decimals)."""
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
        raise TypeError(f"an amount is int fen or Decimal yuan, not {type(amount).__name__}")
    if isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(f"not an amount: {amount}")
        fen = amount * 100
        if fen != fen.to_integral_value():
            raise ValueError(f"more than two decimal places: {amount}")
        amount = int(fen)
    if amount < 0:
        raise ValueError(f"a negative amount cannot be written in capitals: {amount}")
    if amount > MAX_FEN:
        raise ValueError(f"too large to write in capitals: {amount} fen")
    return amount


def amount_in_capitals(amount: Decimal | int, *, prefix: bool = False) -> str:
    """`amount` (int fen, or Decimal yuan) in capitals, e.g. Decimal("6007.14") → 陆仟零柒元壹角肆分;
    with `prefix=True` preceded by 人民币 (人民币陆仟零柒元壹角肆分)."""
    fen = to_fen(amount)
    text = _capitals(fen)
    return PREFIX + text if prefix else text


def with_prefix(amount: Decimal | int) -> str:
    """人民币 followed directly by the capitals, as printed on receipts and forms."""
    return amount_in_capitals(amount, prefix=True)


def _capitals(fen: int) -> str:
    if fen == 0:
        return "零元整"
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    out: list[str] = []
    zero_pending = False  # a run of zeros seen since the last digit written

    def digit(d: int, unit: str) -> None:
        nonlocal zero_pending
        if d == 0:
            zero_pending = bool(out)  # zeros before the first digit are not "inside"
            return
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(DIGITS[d] + unit)

    if yuan:
        text = str(yuan)
        places = len(text)
        for i, ch in enumerate(text):
            p = places - 1 - i  # power of ten of this digit
            digit(int(ch), SMALL_UNITS[p % 4])
            if p % 4 == 0 and p > 0:  # the end of a section: 万 (p = 4, 12) or 亿 (p = 8)
                section = (yuan // 10**p) % 10**4
                if p == 8:
                    if yuan // 10**8:  # 亿 closes the 亿 section and any 万亿 section before it
                        out.append("亿")
                elif section:
                    out.append("万")
        out.append("元")
    digit(jiao, "角")
    digit(fen_digit, "分")
    if jiao == 0 and fen_digit == 0:
        out.append("整")
    return "".join(out)


def capitals_to_amount(text: str) -> int:
    """The amount in fen written by `text` (人民币 optional): the inverse of `amount_in_capitals`,
    written independently of it (a classic accumulate-by-unit parser) so that tests can check
    one against the other.  ValueError for text that is not an amount in capitals."""
    s = text.strip()
    if s.startswith(PREFIX):
        s = s[len(PREFIX):]
    if not s:
        raise ValueError("empty amount")
    if s.endswith("整"):
        s = s[:-1]
        if not s.endswith(("元", "角")):
            raise ValueError(f"整 follows 元 or 角 only: {text}")
    if "整" in s:
        raise ValueError(f"整 only at the end: {text}")
    if s.count("元") > 1:
        raise ValueError(f"元 twice: {text}")
    integer, _sep, fraction = s.rpartition("元") if "元" in s else ("", "", s)
    if "元" in s and not integer:
        raise ValueError(f"no yuan before 元: {text}")
    fen = _parse_integer(integer, text) * 100 if integer else 0
    fen += _parse_fraction(fraction, text)
    if not integer and not fraction:
        raise ValueError(f"not an amount: {text}")
    return fen


def _parse_integer(s: str, original: str) -> int:
    total = 0  # complete 亿 groups
    wan = 0  # the part below 亿 that 万 has closed
    section = 0  # the current four-digit section
    pending: int | None = None  # a digit waiting for its unit
    last_unit = 10**5  # units must fall within a section: 仟 > 佰 > 拾 > (digit)
    for ch in s:
        if ch == "零":
            if pending is not None:
                raise ValueError(f"零 after a digit without a unit: {original}")
            continue
        if ch in _DIGIT_VALUE:
            if pending is not None:
                raise ValueError(f"two digits in a row: {original}")
            pending = _DIGIT_VALUE[ch]
        elif ch in _SMALL_VALUE:
            unit = _SMALL_VALUE[ch]
            if pending is None or unit >= last_unit:
                raise ValueError(f"misplaced {ch}: {original}")
            section += pending * unit
            pending, last_unit = None, unit
        elif ch == "万":
            if pending is not None:
                section += pending
            if section == 0 or wan:
                raise ValueError(f"misplaced 万: {original}")
            wan, section, pending, last_unit = section * 10**4, 0, None, 10**5
        elif ch == "亿":
            if pending is not None:
                section += pending
            value = total + wan + section
            if value == 0 or total:
                raise ValueError(f"misplaced 亿: {original}")
            total, wan, section, pending, last_unit = value * 10**8, 0, 0, None, 10**5
        else:
            raise ValueError(f"not a capital digit or unit: {ch!r} in {original}")
    if pending is not None:
        section += pending
    return total + wan + section


def _parse_fraction(s: str, original: str) -> int:
    fen = 0
    expect = "角"
    pending: int | None = None
    for ch in s:
        if ch == "零":
            if pending is not None:
                raise ValueError(f"misplaced 零: {original}")
            continue
        if ch in _DIGIT_VALUE:
            if pending is not None:
                raise ValueError(f"two digits in a row: {original}")
            pending = _DIGIT_VALUE[ch]
        elif ch in ("角", "分"):
            if pending is None or (ch == "角" and expect != "角"):
                raise ValueError(f"misplaced {ch}: {original}")
            fen += pending * (10 if ch == "角" else 1)
            pending, expect = None, "分"
        else:
            raise ValueError(f"not a capital digit or unit: {ch!r} in {original}")
    if pending is not None:
        raise ValueError(f"a digit without 角 or 分: {original}")
    return fen
