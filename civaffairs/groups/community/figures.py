"""Group 3's figures, computed from the records whenever they are asked for (Qt-free): the
"one entrance open" rule, the 24-hour duty coverage of open entrances, entry registrations and
their abnormal ones, assignments and disinfection; the list columns, the views, the overview,
the statistics report and the tests all call these functions."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups.community.models import (
    Compound, CompoundAssignment, DutyPoint, DutyPointDisinfection, DutyShift, Entrance, EntryRegistration,
)
from civaffairs.places.models import Community, Town
from civaffairs.reports.figures import (
    Chart, Figure, FigureTable, Opens, Period, ReportSection, Series, Unit, daily_points,
)

FEVER = Decimal("37.3")  # at or above: an abnormal entry
FEVER_TENTHS = 373
NOT_GREEN = ("yellow", "red")
DAY_MINUTES = 24 * 60


def is_abnormal(health_code: str | None, temperature: Decimal | None) -> bool:
    """An entry needing attention: a health code that is not green, or 37.3 °C or above."""
    return health_code in NOT_GREEN or (temperature is not None and temperature >= FEVER)


# ------------------------------------------------------------------ one entrance open


def open_entrance_counts(session: Session, compound_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, int]:
    """How many live entrances of each compound are open (the compounds' list column)."""
    stmt = (select(Entrance.compound_id, func.count())
            .where(Entrance.compound_id.in_(compound_ids), Entrance.state == "open", Entrance.deleted_at.is_(None))
            .group_by(Entrance.compound_id))
    found = {cid: n for cid, n in session.execute(stmt)}
    return {cid: found.get(cid, 0) for cid in compound_ids}


@dataclass(frozen=True)
class OneOpenBreach:
    """A compound with more than one open entrance: it should keep one open and close the rest."""

    compound_id: uuid.UUID
    compound: str
    community: str
    town: str
    open_entrances: tuple[str, ...]


def one_open_breaches(session: Session) -> list[OneOpenBreach]:
    """Every live compound with more than one open entrance, by town, community and name."""
    stmt = (select(Compound.id, Compound.name, Community.name, Town.name, Entrance.name)
            .join(Entrance, and_(Entrance.compound_id == Compound.id, Entrance.state == "open",
                                 Entrance.deleted_at.is_(None)))
            .join(Community, Community.id == Compound.community_id)
            .join(Town, Town.id == Community.town_id)
            .where(Compound.deleted_at.is_(None))
            .order_by(Town.name, Community.name, Compound.name, Compound.id, Entrance.name))
    grouped: dict[uuid.UUID, tuple[str, str, str, list[str]]] = {}
    for cid, compound, community, town, entrance in session.execute(stmt):
        grouped.setdefault(cid, (compound, community, town, []))[3].append(entrance)
    return [OneOpenBreach(cid, c, cm, t, tuple(names)) for cid, (c, cm, t, names) in grouped.items()
            if len(names) > 1]


# ------------------------------------------------------------------ 24-hour coverage


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def clock_text(m: int) -> str:
    """Minutes of a day as a clock reads: 0 → 00:00, 1440 → 24:00 (the end of the day)."""
    return f"{m // 60:02d}:{m % 60:02d}"


def shift_span(shift_day: date, start: time, end: time, day: date) -> tuple[int, int] | None:
    """The minutes of `day` (0–1440) covered by a shift of `shift_day` from `start` to `end`; an
    end at or before the start is on the next day (so 08:00–08:00 is a whole 24 hours)."""
    s, e = minutes(start), minutes(end)
    if e <= s:
        e += DAY_MINUTES
    offset = (shift_day - day).days * DAY_MINUTES
    a, b = max(s + offset, 0), min(e + offset, DAY_MINUTES)
    return (a, b) if a < b else None


def gaps_of(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The minutes of the day (0–1440) that no span covers, as (start, end) pairs in order."""
    found: list[tuple[int, int]] = []
    reached = 0
    for a, b in sorted(spans):
        if a > reached:
            found.append((reached, a))
        reached = max(reached, b)
    if reached < DAY_MINUTES:
        found.append((reached, DAY_MINUTES))
    return found


def gaps_text(gaps: Sequence[tuple[int, int]]) -> str:
    return "、".join(f"{clock_text(a)}–{clock_text(b)}" for a, b in gaps)


@dataclass(frozen=True)
class EntranceCoverage:
    """An open entrance's duty coverage on one day."""

    compound_id: uuid.UUID
    compound: str
    community: str
    entrance_id: uuid.UUID
    entrance: str
    duty_points: int
    gaps: tuple[tuple[int, int], ...]  # uncovered minutes of the day, (start, end), 0–1440

    @property
    def covered(self) -> bool:
        return not self.gaps

    @property
    def uncovered_minutes(self) -> int:
        return sum(b - a for a, b in self.gaps)

    @property
    def gaps_text(self) -> str:
        return gaps_text(self.gaps)


def coverage(session: Session, day: date) -> list[EntranceCoverage]:
    """Every open entrance of every live compound on `day`, with the times of the day when none
    of its duty points had anyone on duty.  Shifts of the day before that run past midnight count
    (20:00–08:00 on the 5th covers the 6th until 08:00)."""
    entrances = session.execute(
        select(Entrance.id, Entrance.name, Compound.id, Compound.name, Community.name)
        .join(Compound, Compound.id == Entrance.compound_id)
        .join(Community, Community.id == Compound.community_id)
        .where(Entrance.state == "open", Entrance.deleted_at.is_(None), Compound.deleted_at.is_(None))
        .order_by(Community.name, Compound.name, Compound.id, Entrance.name, Entrance.id)).all()
    ids = [e[0] for e in entrances]
    points: dict[uuid.UUID, int] = {}
    spans: dict[uuid.UUID, list[tuple[int, int]]] = {}
    if ids:
        for entrance_id, n in session.execute(
                select(DutyPoint.entrance_id, func.count()).where(DutyPoint.entrance_id.in_(ids),
                                                                  DutyPoint.deleted_at.is_(None))
                .group_by(DutyPoint.entrance_id)):
            points[entrance_id] = n
        shifts = session.execute(
            select(DutyPoint.entrance_id, DutyShift.day, DutyShift.start_time, DutyShift.end_time)
            .join(DutyPoint, DutyPoint.id == DutyShift.duty_point_id)
            .where(DutyPoint.entrance_id.in_(ids), DutyPoint.deleted_at.is_(None), DutyShift.deleted_at.is_(None),
                   DutyShift.day.in_([day - timedelta(days=1), day])))
        for entrance_id, shift_day, start, end in shifts:
            span = shift_span(shift_day, start, end, day)
            if span is not None:
                spans.setdefault(entrance_id, []).append(span)
    return [EntranceCoverage(cid, compound, community, eid, name, points.get(eid, 0),
                             tuple(gaps_of(spans.get(eid, []))))
            for eid, name, cid, compound, community in entrances]


def coverage_gaps(session: Session, day: date) -> list[EntranceCoverage]:
    """The open entrances that were not covered around the clock on `day`."""
    return [c for c in coverage(session, day) if not c.covered]


# ------------------------------------------------------------------ registers' totals


@dataclass(frozen=True)
class Totals:
    compounds: int
    households: int
    residents: int
    entrances_open: int
    entrances_closed: int
    duty_points: int


def totals(session: Session) -> Totals:
    """The compounds, entrances and duty points as they are now (live records)."""
    compounds, households, residents = session.execute(
        select(func.count(), func.coalesce(func.sum(Compound.households), 0),
               func.coalesce(func.sum(Compound.residents), 0)).where(Compound.deleted_at.is_(None))).one()
    states = dict(session.execute(
        select(Entrance.state, func.count()).join(Compound, Compound.id == Entrance.compound_id)
        .where(Entrance.deleted_at.is_(None), Compound.deleted_at.is_(None)).group_by(Entrance.state)).all())
    points = session.scalar(select(func.count()).select_from(DutyPoint).where(DutyPoint.deleted_at.is_(None))) or 0
    return Totals(compounds, int(households), int(residents), states.get("open", 0), states.get("closed", 0), points)


@dataclass(frozen=True)
class EntryCounts:
    total: int
    coming_in: int
    going_out: int
    abnormal: int  # health code not green, or 37.3 °C or above
    not_green: int
    fever: int


def entry_counts(session: Session, period: Period, duty_point_id: uuid.UUID | None = None) -> EntryCounts:
    """Entry registrations of the period (one duty point's, when given), in and out, and abnormal."""
    not_green = EntryRegistration.health_code.in_(NOT_GREEN)
    fever = EntryRegistration.temperature >= FEVER_TENTHS
    one = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    stmt = select(func.count(), one(EntryRegistration.direction == "in"), one(EntryRegistration.direction == "out"),
                  one(or_(not_green, fever)), one(not_green), one(fever)).where(
        EntryRegistration.deleted_at.is_(None), EntryRegistration.day >= period.start,
        EntryRegistration.day <= period.end)
    if duty_point_id is not None:
        stmt = stmt.where(EntryRegistration.duty_point_id == duty_point_id)
    return EntryCounts(*(int(v) for v in session.execute(stmt).one()))


def assignments_by_kind(session: Session, period: Period) -> dict[str, int]:
    """Assignments (包抓) in force at some time in the period, by kind (leader, cadre, party_member)."""
    stmt = (select(CompoundAssignment.kind, func.count())
            .join(Compound, Compound.id == CompoundAssignment.compound_id)
            .where(CompoundAssignment.deleted_at.is_(None), Compound.deleted_at.is_(None),
                   CompoundAssignment.since <= period.end,
                   or_(CompoundAssignment.until.is_(None), CompoundAssignment.until >= period.start))
            .group_by(CompoundAssignment.kind))
    found = dict(session.execute(stmt).all())
    return {k: found.get(k, 0) for k in ("leader", "cadre", "party_member")}


def disinfection_count(session: Session, period: Period) -> int:
    return session.scalar(select(func.count()).select_from(DutyPointDisinfection).where(
        DutyPointDisinfection.deleted_at.is_(None), DutyPointDisinfection.day >= period.start,
        DutyPointDisinfection.day <= period.end)) or 0


def shifts_count(session: Session, period: Period) -> int:
    return session.scalar(select(func.count()).select_from(DutyShift).where(
        DutyShift.deleted_at.is_(None), DutyShift.day >= period.start, DutyShift.day <= period.end)) or 0


# ------------------------------------------------------------------ the statistics report


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """Group 3's part of the statistics report (counts only: no personal data)."""
    t = totals(session)
    breaches = one_open_breaches(session)
    gaps = coverage_gaps(session, period.end)
    kinds = assignments_by_kind(session, period)
    entries = entry_counts(session, period)
    disinfections = disinfection_count(session, period)
    last_day = long_date(period.end)
    figures = (
        Figure("compounds", _("Residential compounds"), t.compounds, Unit.COUNT, summary=True),
        Figure("duty_points", _("Duty points"), t.duty_points, Unit.COUNT, summary=True),
        Figure("entrances_open", _("Entrances open"), t.entrances_open, Unit.COUNT),
        Figure("entrances_closed", _("Entrances closed"), t.entrances_closed, Unit.COUNT),
        Figure("compounds_more_than_one_open", _("Compounds with more than one entrance open"), len(breaches),
               Unit.COUNT, note=_("A compound keeps one entrance open and closes the rest."),
               alert=bool(breaches), summary=True, opens=Opens("community.entrances")),
        Figure("coverage_gaps", _("Open entrances without 24-hour duty on {day}").format(day=last_day), len(gaps),
               Unit.COUNT, alert=bool(gaps), summary=True,
               opens=Opens("community.roster", period.end, period.end)),
        Figure("shifts", _("Duty shifts"), shifts_count(session, period), Unit.TIMES),
        Figure("assigned_leaders", _("Leading cadres assigned to compounds"), kinds["leader"], Unit.PERSONS,
               summary=True),
        Figure("assigned_cadres", _("Office cadres assigned to compounds"), kinds["cadre"], Unit.PERSONS),
        Figure("assigned_party_members", _("Party members assigned to compounds"), kinds["party_member"],
               Unit.PERSONS),
        Figure("entries", _("Entry registrations"), entries.total, Unit.TIMES, summary=True,
               opens=Opens.period("community.entries", period)),
        Figure("entries_in", _("Registered coming in"), entries.coming_in, Unit.TIMES),
        Figure("entries_out", _("Registered going out"), entries.going_out, Unit.TIMES),
        Figure("entries_abnormal", _("Abnormal entries (health code not green, or 37.3 °C or above)"),
               entries.abnormal, Unit.TIMES, alert=bool(entries.abnormal), summary=True,
               opens=Opens.period("community.entries", period, colours=NOT_GREEN)),
        Figure("disinfections", _("Disinfections of duty points"), disinfections, Unit.TIMES),
    )
    tables = []
    if breaches:
        tables.append(FigureTable(
            _("Compounds with more than one entrance open"),
            (_("Town or sub-district"), _("Village or community"), _("Compound"), _("Open entrances")),
            tuple((b.town, b.community, b.compound, "、".join(b.open_entrances)) for b in breaches),
            alert_rows=frozenset(range(len(breaches)))))
    if gaps:
        tables.append(FigureTable(
            _("Duty gaps on {day}").format(day=last_day),
            (_("Village or community"), _("Compound"), _("Entrance"), _("Not covered")),
            tuple((g.community, g.compound, g.entrance, g.gaps_text) for g in gaps),
            alert_rows=frozenset(range(len(gaps)))))
    return ReportSection("group-3", _("Community mass prevention group"), figures, tuple(tables))


# ------------------------------------------------------------------ charts and today's alerts (the overview)


def entries_per_day(session: Session, period: Period) -> tuple[dict[date, int], dict[date, int]]:
    """Entry registrations per day, and the abnormal ones per day."""
    e = EntryRegistration
    abnormal = or_(e.health_code.in_(NOT_GREEN), e.temperature >= FEVER_TENTHS)
    rows = session.execute(select(e.day, func.count(), func.coalesce(func.sum(case((abnormal, 1), else_=0)), 0))
                           .where(e.deleted_at.is_(None), e.day >= period.start, e.day <= period.end)
                           .group_by(e.day)).all()
    return {d: int(n) for d, n, _a in rows}, {d: int(a) for d, _n, a in rows}


def entries_chart(session: Session, period: Period) -> Chart:
    register = "community.entries"
    total, abnormal = entries_per_day(session, period)
    return Chart("group-3.entries", _("Entry registrations per day"), Unit.TIMES, (
        Series(_("Entry registrations"), daily_points(period, total, lambda d: Opens(register, d, d))),
        Series(_("Abnormal entries"), daily_points(period, abnormal,
                                                   lambda d: Opens(register, d, d, colours=NOT_GREEN)), alert=True),
    ))


def chart_series(session: Session, actor: Actor, period: Period) -> tuple[Chart, ...]:
    return (entries_chart(session, period),)


def today_alerts(session: Session, actor: Actor, day: date) -> tuple[Figure, ...]:
    """What needs attention today, whatever period the overview shows."""
    n = entry_counts(session, Period(day, day)).abnormal
    return (Figure("entries_abnormal_today", _("Abnormal entries today"), n, Unit.TIMES, alert=bool(n),
                   opens=Opens("community.entries", day, day, colours=NOT_GREEN)),)
