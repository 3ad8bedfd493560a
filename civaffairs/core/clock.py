"""Time: stored in UTC, shown local.  Tests may replace `now_utc` with a fixed clock."""
from __future__ import annotations

from datetime import date, datetime, timezone


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def today_local() -> date:
    return now_utc().astimezone().date()


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone()
