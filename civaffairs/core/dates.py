"""Dates in sentences: "2021年10月8日" in Chinese (GB/T 9704's form: full year, no zero
padding), "8 October 2021" in English.  Lists and workbooks keep ISO dates (2021-10-08)."""
from __future__ import annotations

from datetime import date

from civaffairs.core import i18n

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def long_date(day: date) -> str:
    """A date for a sentence in the interface language."""
    if i18n.current_language() == "en":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return chinese_date(day)
