"""Which automatic daily backups to keep: the newest of each of the last 7 days, 4 weeks and 12
months that have a backup (as restic's `forget --keep-daily 7 --keep-weekly 4 --keep-monthly 12`)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Hashable
from datetime import datetime

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_MONTHLY = 12


def _day(t: datetime) -> Hashable:
    return t.date()


def _week(t: datetime) -> Hashable:
    return t.isocalendar()[:2]


def _month(t: datetime) -> Hashable:
    return (t.year, t.month)


def to_keep(stamps: Iterable[datetime], *, daily: int = KEEP_DAILY, weekly: int = KEEP_WEEKLY,
            monthly: int = KEEP_MONTHLY) -> set[datetime]:
    """The backup times to keep; every other automatic backup may be deleted."""
    newest_first = sorted(set(stamps), reverse=True)
    keep: set[datetime] = set()
    rules: list[tuple[Callable[[datetime], Hashable], int]] = [(_day, daily), (_week, weekly), (_month, monthly)]
    for period, count in rules:
        seen: set[Hashable] = set()
        for t in newest_first:
            if len(seen) >= count:
                break
            if period(t) not in seen:
                seen.add(period(t))
                keep.add(t)  # the newest backup of its day / week / month
    return keep
