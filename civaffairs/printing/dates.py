"""Dates as they are written on paper: `2021年10月8日` (GB/T 9704: the full year, no zero padding),
whatever the interface language; lists on screen and workbooks keep ISO dates.  Qt-free."""
from __future__ import annotations

from datetime import date, datetime


def chinese_date(day: date) -> str:
    """`2021年10月25日`: the full year, no zero padding."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: datetime) -> str:
    """`2021年10月25日 08:30`: the date as on paper, the time of day as a clock shows it."""
    return f"{chinese_date(moment)} {moment:%H:%M}"
