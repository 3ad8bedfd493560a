"""What a group's `figures.py` returns: its figures for a period, as plain data.

Each working group (and the supervision teams) has a Qt-free `figures.py` whose functions compute
the group's figures from the records at the time of asking; nothing is stored as a total.  The
overview, the statistics report, the list columns that show computed values and the tests all
call these functions.  For the statistics report a `figures.py` defines

    def report_section(session: Session, actor: Actor, period: Period) -> ReportSection

and the report finds it by itself (`civaffairs.reports.statistics.CONTRIBUTORS`): a later group
adds its section without touching the report's code."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _


@dataclass(frozen=True)
class Period:
    """A period of whole days, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def text(self) -> str:
        return _("{start} to {end}").format(start=long_date(self.start), end=long_date(self.end))


class Unit(StrEnum):
    """How a figure is written: its number format in the workbook and its unit word on paper."""

    COUNT = "count"  # a whole number of things
    PERSONS = "persons"
    HOUSEHOLDS = "households"
    INSTITUTIONS = "institutions"
    TIMES = "times"  # rounds, visits, inspections
    DAYS = "days"
    HOURS = "hours"
    YUAN = "yuan"  # money: a Decimal in yuan with two decimals (stored as fen; converted for the report)
    PERCENT = "percent"  # a Decimal fraction 0–1
    TEXT = "text"  # a statement ("all negative")


UNIT_WORDS = {
    Unit.COUNT: "个", Unit.PERSONS: "人", Unit.HOUSEHOLDS: "户", Unit.INSTITUTIONS: "家", Unit.TIMES: "次",
    Unit.DAYS: "天", Unit.HOURS: "小时", Unit.YUAN: "元", Unit.PERCENT: "%", Unit.TEXT: "",
}
UNIT_WORDS_EN = {
    Unit.COUNT: "", Unit.PERSONS: "persons", Unit.HOUSEHOLDS: "households", Unit.INSTITUTIONS: "institutions",
    Unit.TIMES: "times", Unit.DAYS: "days", Unit.HOURS: "hours", Unit.YUAN: "yuan", Unit.PERCENT: "%",
    Unit.TEXT: "",
}


def unit_word(unit: Unit) -> str:
    from civaffairs.core.i18n import current_language

    return (UNIT_WORDS_EN if current_language() == "en" else UNIT_WORDS)[unit]


@dataclass(frozen=True)
class Figure:
    """One figure: "Elderly care institutions under closed management: 4 (家)"."""

    key: str  # stable name, for tests and the summary: "institutions_closed"
    label: str  # translated
    value: int | Decimal | str
    unit: Unit = Unit.COUNT
    note: str = ""  # translated; e.g. how it is computed or what it covers
    alert: bool = False  # needs attention (a positive result, an overdue correction): red on paper
    summary: bool = False  # also on the summary sheet

    @property
    def text(self) -> str:
        """The value as a person reads it, with its unit."""
        v = self.value
        if self.unit is Unit.YUAN and isinstance(v, Decimal):
            return f"{v:,.2f} {unit_word(self.unit)}"
        if self.unit is Unit.PERCENT and isinstance(v, Decimal):
            return f"{v * 100:.1f}%"
        if isinstance(v, int):
            return f"{v:,} {unit_word(self.unit)}".strip()
        return str(v)


@dataclass(frozen=True)
class FigureTable:
    """A table within a section: one row per institution, town, team…  Cells are real values
    (int, Decimal, date, str); money is a Decimal in yuan."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    alert_rows: frozenset[int] = frozenset()  # row indexes to mark


@dataclass(frozen=True)
class ReportSection:
    key: str  # "group-2", "supervision"
    title: str  # translated: the working group's name
    figures: tuple[Figure, ...]
    tables: tuple[FigureTable, ...] = ()
    notes: tuple[str, ...] = field(default=())  # translated sentences under the figures

    def figure(self, key: str) -> Figure:
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(key)
