"""Chinese resident ID numbers (GB 11643) and unified social credit codes (GB 32100).

Built on python-stdnum's check-digit code, wrapped because its `ric.validate` rejects real numbers
whose region is missing from its bundled table, and `uscc.validate` rejects valid codes that start
with a letter.  Errors are `ValueError`s whose text is the translated message for the field.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import _

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    male: bool
    region_known: bool


def normalise_resident_id(text: str) -> str:
    return text.strip().replace(" ", "").upper()


def parse_resident_id(text: str, *, today: date | None = None) -> ResidentId:
    number = normalise_resident_id(text)
    if len(number) != 18:
        raise ValueError(_("An ID number has 18 characters; this one has {n}.").format(n=len(number)))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValueError(_("An ID number has 17 digits followed by a digit or X."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(_("The birth date in this ID number ({d}) does not exist.").format(d=number[6:14])) from None
    if born > (today or today_local()) or born.year < 1890:
        raise ValueError(_("The birth date in this ID number ({d}) is not possible.").format(d=number[6:14]))
    # stdnum's ric.calc_check_digit takes the whole number and ignores its last character.
    if _ric.calc_check_digit(number) != number[17]:
        raise ValueError(_("The check digit of this ID number is wrong: please check every digit."))
    try:
        region_known = _ric.get_birth_place(number) is not None
    except Exception:  # stdnum raises when the region is not in its table
        region_known = False
    return ResidentId(number, born, int(number[16]) % 2 == 1, region_known)


def mask_resident_id(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def normalise_credit_code(text: str) -> str:
    return text.strip().replace(" ", "").upper()


def validate_credit_code(text: str) -> str:
    code = normalise_credit_code(text)
    if len(code) != 18:
        raise ValueError(_("A unified social credit code has 18 characters; this one has {n}.").format(n=len(code)))
    bad = [c for c in code if c not in _USCC_ALPHABET]
    if bad:
        raise ValueError(_("A unified social credit code cannot contain “{c}”.").format(c=bad[0]))
    if _uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValueError(_("The check character of this credit code is wrong: please check every character."))
    return code


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and the last four digits."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张*明 for posting a list in public (公示): the surname and the last character stay, the
    rest is starred; a two-character name keeps its surname (张*).  By code point, so that a rare
    character (生僻字) outside the BMP counts as one."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_bank_account(account: str) -> str:
    """6228 **** 1234: the first and last four digits, enough to tell accounts apart."""
    digits = account.replace(" ", "")
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** {digits[-4:]}"


def mask_text(text: str, keep: int = 3) -> str:
    """Addresses and other free text: keep the first characters, mask the rest."""
    return text[:keep] + "***" if len(text) > keep else "***"
