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
from civaffairs.core.errors import ValidationError
from civaffairs.core.i18n import _

# The days a period may run over.  The figures turn a day into moments on this PC's clock
# (`datetime.astimezone()`, which asks the operating system): Windows knows local time only from
# 1970-01-02 to 3000-12-31 (elsewhere year 1 and year 9999 have no neighbouring day), so a period
# stays well inside; the date editors of every period offer only these days.
FIRST_DAY = date(1971, 1, 1)
LAST_DAY = date(2999, 12, 31)


def period_errors(start: date, end: date, *, start_field: str = "date_from",
                  end_field: str = "date_to") -> dict[str, str]:
    """What is wrong with the period `start`–`end`, by field: a day outside FIRST_DAY–LAST_DAY;
    empty when the figures can be computed for it."""
    message = _("Please choose a day between {first} and {last}.").format(first=FIRST_DAY.isoformat(),
                                                                          last=LAST_DAY.isoformat())
    errors: dict[str, str] = {}
    if not FIRST_DAY <= start <= LAST_DAY:
        errors[start_field] = message
    if not FIRST_DAY <= end <= LAST_DAY:
        errors[end_field] = message
    return errors


@dataclass(frozen=True)
class Period:
    """A period of whole days, both ends included, within FIRST_DAY–LAST_DAY (else a
    `ValidationError` at date_from / date_to)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        errors = period_errors(self.start, self.end)
        if errors:
            raise ValidationError(errors)
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
class Opens:
    """A register and the filter that shows the records behind a figure or a chart point (what
    `gui.navigation.show_register` is given)."""

    register: str  # a RegisterSpec key: "community.entries"
    date_from: date | None = None
    date_to: date | None = None
    colours: tuple[str, ...] = ()  # codes of the register's colour field: ("yellow", "red")
    search: str = ""

    @classmethod
    def period(cls, register: str, period: Period, **kw: Any) -> Opens:
        return cls(register, period.start, period.end, **kw)


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
    opens: Opens | None = None  # the register behind it: where a click on its overview tile goes

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
        if isinstance(v, Decimal):  # hours, days: as many decimals as the figure has, and the unit
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
    charts: tuple[Chart, ...] = ()  # drawn in the statistics workbook beside the section's figures

    def figure(self, key: str) -> Figure:
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(key)


@dataclass(frozen=True)
class Point:
    """One point of a chart: a day (a date) or a category (a town's name), and its value."""

    x: date | str
    value: int | Decimal
    opens: Opens | None = None  # the records behind this point


@dataclass(frozen=True)
class Series:
    name: str  # translated: the legend
    points: tuple[Point, ...]
    alert: bool = False  # drawn in red (abnormal cases)

    @property
    def total(self) -> int | Decimal:
        return sum((p.value for p in self.points), 0)


@dataclass(frozen=True)
class Chart:
    """A chart over a period: daily series (x is a date, every day of the period present, a day with
    nothing a zero) or one series by category (x is a name).  Computed by a group's `figures.py`
    from the records, like every figure; the overview draws it with QtCharts, the statistics
    workbook with openpyxl."""

    key: str  # stable: "group-1.check_ins"
    title: str  # translated
    unit: Unit
    series: tuple[Series, ...]
    category: str = ""  # translated: what the categories are ("Institution"), for a chart by category

    @property
    def by_day(self) -> bool:
        return any(isinstance(p.x, date) for s in self.series for p in s.points)

    @property
    def empty(self) -> bool:
        """Nothing to draw: no point, or every value zero."""
        return not any(p.value for s in self.series for p in s.points)


def days_of(period: Period) -> list[date]:
    from datetime import timedelta

    return [period.start + timedelta(days=i) for i in range(period.days)]


def daily_points(period: Period, values: Any, opens: Any = None) -> tuple[Point, ...]:
    """One point per day of the period from {day: value}; a day with nothing is a zero, not a gap.
    `opens(day)` gives the records behind a day."""
    return tuple(Point(d, values.get(d, 0), opens(d) if opens else None) for d in days_of(period))
