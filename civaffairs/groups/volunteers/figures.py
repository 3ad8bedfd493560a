"""Group 7's figures, computed from the shifts whenever they are asked for (Qt-free): hours per
volunteer and per activity for any period, the list columns, the certificate's hours and lines,
the overview and the statistics report all call these functions.

How a period counts (a period is whole local days, both ends included):
- *hours*: the minutes of each signed-out shift that fall inside the period, from 00:00 of its
  first day to 24:00 of its last, local time.  A shift across the period's edge (31 October 22:00
  to 1 November 06:00) gives 2 hours to October and 6 to November, so that the hours of adjacent
  periods add up to the hours of both together, and a certificate never certifies time outside
  its period.  An open shift (not signed out yet) counts no hours until it is signed out;
- *shifts* and *volunteers serving*: shifts signed in during the period (each shift is counted in
  one period only), and the volunteers who signed in to at least one;
- *activities*: those held on at least one day of the period, and those with service in it (a
  night shift of 31 October running into 1 November).
Shifts of a deleted volunteer count nowhere (until the volunteer is restored).
Hours are shown with one decimal (8.5); totals are added up in minutes and rounded once."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.i18n import _
from civaffairs.groups.volunteers.fields import ACTIVITY_KINDS, kind_title
from civaffairs.groups.volunteers.models import Activity, ServiceCertificate, Shift, Volunteer
from civaffairs.places.models import Town
from civaffairs.reports.figures import (
    Chart, Figure, FigureTable, Opens, Period, ReportSection, Series, Unit, daily_points, period_errors,
)

TENTH = Decimal("0.1")


# ------------------------------------------------------------------ time


def local_day_start(day: date) -> datetime:
    """00:00 of `day` on this PC's clock, as a UTC moment."""
    return datetime.combine(day, time.min).astimezone().astimezone(timezone.utc)


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """[start, end) of a period as UTC moments: 00:00 of its first day to 24:00 of its last."""
    return local_day_start(period.start), local_day_start(period.end + timedelta(days=1))


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def shift_minutes(sign_in: datetime, sign_out: datetime | None, bounds: tuple[datetime, datetime] | None = None) -> int:
    """The minutes of a shift, or of its part within `bounds` ([start, end) in UTC); an open
    shift has none yet."""
    if sign_out is None:
        return 0
    if bounds is None:
        return minutes_between(sign_in, sign_out)
    return minutes_between(max(sign_in, bounds[0]), min(sign_out, bounds[1]))


def hours(minutes: int) -> Decimal:
    """Minutes as hours with one decimal: 510 → 8.5, 500 → 8.3."""
    return (Decimal(minutes) / 60).quantize(TENTH, rounding=ROUND_HALF_UP)


def hours_text(minutes: int) -> str:
    return f"{hours(minutes):,}"


# ------------------------------------------------------------------ the shifts of a period


@dataclass(frozen=True)
class ShiftTime:
    id: uuid.UUID
    volunteer_id: uuid.UUID
    activity_id: uuid.UUID
    sign_in: datetime
    sign_out: datetime | None


def _shift_times(session: Session, *conds: object, bounds: tuple[datetime, datetime] | None = None) -> list[ShiftTime]:
    """Live shifts of live volunteers matching `conds`; with `bounds`, those sharing some time
    with [start, end) (an open one: signed in before the end)."""
    stmt = (select(Shift.id, Shift.volunteer_id, Shift.activity_id, Shift.sign_in, Shift.sign_out)
            .join(Volunteer, Volunteer.id == Shift.volunteer_id)
            .where(Shift.deleted_at.is_(None), Volunteer.deleted_at.is_(None), *conds))
    if bounds is not None:
        stmt = stmt.where(Shift.sign_in < bounds[1], or_(Shift.sign_out.is_(None), Shift.sign_out > bounds[0]))
    return [ShiftTime(*r) for r in session.execute(stmt)]


def _signed_in_within(s: ShiftTime, bounds: tuple[datetime, datetime]) -> bool:
    return bounds[0] <= s.sign_in < bounds[1]


@dataclass(frozen=True)
class Tally:
    """Shifts signed in, and minutes served, within a period (of one volunteer, activity, kind…)."""

    shifts: int = 0
    minutes: int = 0
    open_shifts: int = 0

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    def add(self, s: ShiftTime, bounds: tuple[datetime, datetime]) -> Tally:
        counted = _signed_in_within(s, bounds)
        return Tally(self.shifts + counted, self.minutes + shift_minutes(s.sign_in, s.sign_out, bounds),
                     self.open_shifts + (counted and s.sign_out is None))


def _tally(shifts: Iterable[ShiftTime], bounds: tuple[datetime, datetime], key) -> dict:  # type: ignore[no-untyped-def]
    found: dict = {}  # type: ignore[type-arg]
    for s in shifts:
        k = key(s)
        found[k] = found.get(k, Tally()).add(s, bounds)
    return found


def volunteer_minutes(session: Session, volunteer_id: uuid.UUID, period: Period) -> int:
    """The minutes a volunteer served in a period (what a certificate of that period certifies)."""
    bounds = period_bounds(period)
    return sum(shift_minutes(s.sign_in, s.sign_out, bounds)
               for s in _shift_times(session, Shift.volunteer_id == volunteer_id, bounds=bounds))


@dataclass(frozen=True)
class VolunteerHours:
    volunteer_id: uuid.UUID
    name: str
    volunteer_number: str
    organisation: str
    party_member: bool
    shifts: int
    minutes: int
    open_shifts: int

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


def hours_by_volunteer(session: Session, period: Period) -> list[VolunteerHours]:
    """Every volunteer who served in the period (a shift signed in, or minutes within it): shifts
    and hours, most hours first, then by name."""
    bounds = period_bounds(period)
    tallies = _tally(_shift_times(session, bounds=bounds), bounds, lambda s: s.volunteer_id)
    tallies = {k: t for k, t in tallies.items() if t.shifts or t.minutes}
    if not tallies:
        return []
    people = {r[0]: r[1:] for r in session.execute(
        select(Volunteer.id, Volunteer.name, Volunteer.volunteer_number, Volunteer.organisation,
               Volunteer.party_member).where(Volunteer.id.in_(list(tallies))))}
    lines = [VolunteerHours(vid, *people[vid], t.shifts, t.minutes, t.open_shifts) for vid, t in tallies.items()]
    return sorted(lines, key=lambda v: (-v.minutes, v.name, v.volunteer_id))


@dataclass(frozen=True)
class ActivityHours:
    activity_id: uuid.UUID
    name: str
    kind: str
    town: str
    place: str
    day: date
    last_day: date | None
    volunteers: int
    shifts: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)

    @property
    def days_text(self) -> str:
        if self.last_day is None or self.last_day == self.day:
            return self.day.isoformat()
        return f"{self.day.isoformat()} – {self.last_day.isoformat()}"


def _held_in(period: Period) -> list:  # type: ignore[type-arg]
    return [Activity.day <= period.end, func.coalesce(Activity.last_day, Activity.day) >= period.start]


def hours_by_activity(session: Session, period: Period) -> list[ActivityHours]:
    """Every activity held in the period or with service in it: volunteers, shifts and hours, by
    date and name."""
    bounds = period_bounds(period)
    shifts = _shift_times(session, bounds=bounds)
    tallies = {k: t for k, t in _tally(shifts, bounds, lambda s: s.activity_id).items() if t.shifts or t.minutes}
    people: dict[uuid.UUID, set[uuid.UUID]] = {}
    for s in shifts:
        if _signed_in_within(s, bounds) or shift_minutes(s.sign_in, s.sign_out, bounds):
            people.setdefault(s.activity_id, set()).add(s.volunteer_id)
    stmt = (select(Activity.id, Activity.name, Activity.kind, Town.name, Activity.place, Activity.day,
                   Activity.last_day)
            .join(Town, Town.id == Activity.town_id)
            .where(Activity.deleted_at.is_(None), or_(Activity.id.in_(list(tallies)), and_(*_held_in(period))))
            .order_by(Activity.day, Activity.name, Activity.id))
    lines = []
    for aid, name, kind, town, place, day, last_day in session.execute(stmt):
        t = tallies.get(aid, Tally())
        lines.append(ActivityHours(aid, name, kind, town, place, day, last_day, len(people.get(aid, ())),
                                   t.shifts, t.minutes))
    return lines



# ------------------------------------------------------------------ list columns (one query a page)


def volunteer_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Decimal]:
    """Each volunteer's hours over all time (signed-out shifts)."""
    minutes = dict.fromkeys(ids, 0)
    for s in _shift_times(session, Shift.volunteer_id.in_(ids)):
        minutes[s.volunteer_id] += shift_minutes(s.sign_in, s.sign_out)
    return {vid: hours(m) for vid, m in minutes.items()}


def volunteer_shift_counts(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, int]:
    found = dict(session.execute(select(Shift.volunteer_id, func.count()).where(
        Shift.volunteer_id.in_(ids), Shift.deleted_at.is_(None)).group_by(Shift.volunteer_id)).all())
    return {vid: found.get(vid, 0) for vid in ids}


def activity_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Decimal]:
    """Each activity's hours over all its shifts."""
    minutes = dict.fromkeys(ids, 0)
    for s in _shift_times(session, Shift.activity_id.in_(ids)):
        minutes[s.activity_id] += shift_minutes(s.sign_in, s.sign_out)
    return {aid: hours(m) for aid, m in minutes.items()}


def activity_volunteer_counts(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, int]:
    """How many different volunteers served at each activity."""
    people: dict[uuid.UUID, set[uuid.UUID]] = {aid: set() for aid in ids}
    for s in _shift_times(session, Shift.activity_id.in_(ids)):
        people[s.activity_id].add(s.volunteer_id)
    return {aid: len(p) for aid, p in people.items()}


def shift_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Decimal | None]:
    """Each shift's hours; None while it is open."""
    return {sid: None if out is None else hours(minutes_between(start, out)) for sid, start, out in
            session.execute(select(Shift.id, Shift.sign_in, Shift.sign_out).where(Shift.id.in_(ids)))}


def certified_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Decimal | None]:
    """The hours an issued certificate states (None for a draft)."""
    return {cid: None if m is None else hours(m) for cid, m in session.execute(
        select(ServiceCertificate.id, ServiceCertificate.minutes).where(ServiceCertificate.id.in_(ids)))}


def certificate_hours_now(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Decimal]:
    """The hours the records give now for each certificate's volunteer and period."""
    return {cid: hours(volunteer_minutes(session, vid, Period(start, end))) for cid, vid, start, end in session.execute(
        select(ServiceCertificate.id, ServiceCertificate.volunteer_id, ServiceCertificate.period_start,
               ServiceCertificate.period_end).where(ServiceCertificate.id.in_(ids)))
        if end >= start and not period_errors(start, end)}  # a period that cannot be computed: no hours shown


# ------------------------------------------------------------------ a volunteer's service in a period


@dataclass(frozen=True)
class ServiceLine:
    """One activity a volunteer served at in a period: the days served, shifts and minutes."""

    activity: str
    kind: str
    place: str
    first_day: date
    last_day: date
    shifts: int
    minutes: int

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


def service_lines(session: Session, volunteer_id: uuid.UUID, period: Period) -> list[ServiceLine]:
    """The activities a volunteer served at in a period, by the first day served."""
    bounds = period_bounds(period)
    shifts = [s for s in _shift_times(session, Shift.volunteer_id == volunteer_id, bounds=bounds)
              if shift_minutes(s.sign_in, s.sign_out, bounds) or _signed_in_within(s, bounds)]
    by_activity: dict[uuid.UUID, list[ShiftTime]] = {}
    for s in shifts:
        by_activity.setdefault(s.activity_id, []).append(s)
    if not by_activity:
        return []
    about = {r[0]: r[1:] for r in session.execute(select(Activity.id, Activity.name, Activity.kind, Activity.place)
                                                  .where(Activity.id.in_(list(by_activity))))}
    lines = []
    for aid, own in by_activity.items():
        days = [max(s.sign_in, bounds[0]).astimezone().date() for s in own]
        lines.append(ServiceLine(*about[aid], min(days), max(days), sum(_signed_in_within(s, bounds) for s in own),
                                 sum(shift_minutes(s.sign_in, s.sign_out, bounds) for s in own)))
    return sorted(lines, key=lambda line: (line.first_day, line.activity))


def service_content(lines: Sequence[ServiceLine]) -> str:
    """What a certificate says the volunteer did, from the service lines: the kinds of service
    with their shifts, most first ("Duty point duty (12 shifts), guidance at a NAT site (3 shifts)")."""
    by_kind: dict[str, int] = {}
    for line in lines:
        by_kind[line.kind] = by_kind.get(line.kind, 0) + line.shifts
    order = [c.code for c in ACTIVITY_KINDS]
    kinds = sorted(by_kind, key=lambda k: (-by_kind[k], order.index(k) if k in order else len(order)))
    parts = [_("{kind} ({n} shifts)").format(kind=kind_title(k), n=by_kind[k]) for k in kinds]
    return _("Epidemic prevention volunteer service: {list}.").format(list="、".join(parts)) if parts else ""


# ------------------------------------------------------------------ now


def on_duty(session: Session) -> list[tuple[str, str, datetime]]:
    """Who is on duty now: (volunteer, activity, signed in) of every open shift, earliest first."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(Volunteer.name, Activity.name, Shift.sign_in)
        .join(Volunteer, Volunteer.id == Shift.volunteer_id).join(Activity, Activity.id == Shift.activity_id)
        .where(Shift.deleted_at.is_(None), Volunteer.deleted_at.is_(None), Shift.sign_out.is_(None),
               Shift.sign_in <= now_utc())
        .order_by(Shift.sign_in, Shift.id))]


@dataclass(frozen=True)
class Registered:
    volunteers: int
    party_members: int


def registered(session: Session) -> Registered:
    """The volunteers on the register now (live records)."""
    live = Volunteer.deleted_at.is_(None)
    n = session.scalar(select(func.count()).select_from(Volunteer).where(live)) or 0
    party = session.scalar(select(func.count()).select_from(Volunteer).where(live, Volunteer.party_member.is_(True))) or 0
    return Registered(n, party)


# ------------------------------------------------------------------ a period's totals


@dataclass(frozen=True)
class PeriodTotals:
    volunteers_serving: int  # signed in to at least one shift in the period
    party_members_serving: int
    shifts: int  # signed in during the period
    open_shifts: int  # of those, not signed out (yet)
    across_midnight: int  # of those, running past a local midnight
    minutes: int  # served within the period
    activities: int  # held on a day of the period, or with service in it
    certificates: int  # issued (numbered) with an issue date in the period

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


def period_totals(session: Session, period: Period) -> PeriodTotals:
    bounds = period_bounds(period)
    shifts = _shift_times(session, bounds=bounds)
    signed_in = [s for s in shifts if _signed_in_within(s, bounds)]
    serving = {s.volunteer_id for s in signed_in}
    party = set(session.scalars(select(Volunteer.id).where(Volunteer.id.in_(list(serving)),
                                                           Volunteer.party_member.is_(True)))) if serving else set()
    midnight = sum(1 for s in signed_in if s.sign_out is not None
                   and s.sign_out.astimezone().date() > s.sign_in.astimezone().date())
    activities = len(hours_by_activity(session, period))
    certificates = session.scalar(select(func.count()).select_from(ServiceCertificate).where(
        ServiceCertificate.deleted_at.is_(None), ServiceCertificate.number != "",
        ServiceCertificate.issue_date >= period.start, ServiceCertificate.issue_date <= period.end)) or 0
    return PeriodTotals(len(serving), len(party), len(signed_in), sum(1 for s in signed_in if s.sign_out is None),
                        midnight, sum(shift_minutes(s.sign_in, s.sign_out, bounds) for s in shifts), activities,
                        certificates)


@dataclass(frozen=True)
class GroupLine:
    """Service of a period grouped by a kind of activity or a town."""

    name: str
    activities: int
    volunteers: int
    shifts: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


def _grouped(lines: Sequence[ActivityHours], shifts: Sequence[ShiftTime], bounds: tuple[datetime, datetime],
             key, names: Sequence[str]) -> list[GroupLine]:  # type: ignore[no-untyped-def]
    of_activity = {a.activity_id: key(a) for a in lines}
    people: dict[str, set[uuid.UUID]] = {}
    for s in shifts:
        if s.activity_id in of_activity and (_signed_in_within(s, bounds) or shift_minutes(s.sign_in, s.sign_out, bounds)):
            people.setdefault(of_activity[s.activity_id], set()).add(s.volunteer_id)
    found = []
    for name in names:
        mine = [a for a in lines if key(a) == name]
        if mine:
            found.append(GroupLine(name, len(mine), len(people.get(name, ())),
                                   sum(a.shifts for a in mine), sum(a.minutes for a in mine)))
    return found


def by_kind_and_town(session: Session, period: Period) -> tuple[list[GroupLine], list[GroupLine]]:
    """The period's service by kind of activity (in the order of the kinds) and by town (by name)."""
    bounds = period_bounds(period)
    lines = hours_by_activity(session, period)
    shifts = _shift_times(session, bounds=bounds)
    kinds = _grouped(lines, shifts, bounds, lambda a: a.kind_title, [c.title for c in ACTIVITY_KINDS])
    towns = _grouped(lines, shifts, bounds, lambda a: a.town, sorted({a.town for a in lines}))
    return kinds, towns


# ------------------------------------------------------------------ the statistics report


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """Group 7's part of the statistics report (counts only: no personal data)."""
    reg = registered(session)
    t = period_totals(session, period)
    kinds, towns = by_kind_and_town(session, period)
    figures = (
        Figure("volunteers_registered", _("Volunteers registered"), reg.volunteers, Unit.PERSONS,
               note=_("On the register at the time of the report.")),
        Figure("party_members_registered", _("of whom Party members"), reg.party_members, Unit.PERSONS),
        Figure("volunteers_serving", _("Volunteers who served"), t.volunteers_serving, Unit.PERSONS, summary=True,
               opens=Opens.period("volunteers.shifts", period),
               note=_("Signed in to at least one shift in the period.")),
        Figure("party_members_serving", _("Party members who served"), t.party_members_serving, Unit.PERSONS),
        Figure("activities", _("Volunteer activities held"), t.activities, Unit.COUNT),
        Figure("shifts", _("Volunteer shifts"), t.shifts, Unit.TIMES, summary=True,
               opens=Opens.period("volunteers.shifts", period),
               note=_("Shifts signed in during the period.")),
        Figure("shifts_across_midnight", _("of which night shifts across midnight"), t.across_midnight, Unit.TIMES),
        Figure("hours", _("Volunteer service hours"), t.hours, Unit.HOURS, summary=True,
               opens=Opens.period("volunteers.shifts", period),
               note=_("Hours of signed-out shifts within the period; a shift across its first or last midnight "
                      "counts only its part inside.")),
        Figure("shifts_open", _("Shifts not signed out"), t.open_shifts, Unit.TIMES,
               note=_("On duty at the time of the report, or not signed out: they count no hours yet.")),
        Figure("certificates", _("Service certificates issued"), t.certificates, Unit.COUNT),
    )
    columns = (_("Volunteer activities held"), _("Volunteers who served"), _("Volunteer shifts"),
               _("Service hours"))
    tables = (
        FigureTable(_("Volunteer service by kind"), (_("Kind of service"), *columns),
                    tuple((k.name, k.activities, k.volunteers, k.shifts, k.hours) for k in kinds)),
        FigureTable(_("Volunteer service by town or sub-district"), (_("Town or sub-district"), *columns),
                    tuple((k.name, k.activities, k.volunteers, k.shifts, k.hours) for k in towns)),
    )
    return ReportSection("group-7", _("Volunteer service group"), figures, tables)


def since_outbreak(today: date | None = None) -> Period:
    """From 1 October 2021 (the outbreak) to today, for the overview."""
    today = today or today_local()
    return Period(min(date(2021, 10, 1), today), today)


# ------------------------------------------------------------------ charts (the overview)


def minutes_per_day(session: Session, period: Period) -> dict[date, int]:
    """Minutes served on each local day of `period`: a shift across midnight gives each day its own
    part (as a period's hours do), so the days add up to the period's hours."""
    bounds = period_bounds(period)
    found: dict[date, int] = {}
    for s in _shift_times(session, bounds=bounds):
        if s.sign_out is None:
            continue
        day = max(s.sign_in.astimezone().date(), period.start)
        while day <= period.end:
            day_bounds = period_bounds(Period(day, day))
            if day_bounds[0] >= s.sign_out:
                break
            found[day] = found.get(day, 0) + shift_minutes(s.sign_in, s.sign_out, day_bounds)
            day += timedelta(days=1)
    return found


def hours_chart(session: Session, period: Period) -> Chart:
    per_day = {d: hours(m) for d, m in minutes_per_day(session, period).items()}
    return Chart("group-7.hours", _("Volunteer service hours per day"), Unit.HOURS, (
        Series(_("Service hours"), daily_points(period, per_day, lambda d: Opens("volunteers.shifts", d, d))),))


def chart_series(session: Session, actor: Actor, period: Period) -> tuple[Chart, ...]:
    return (hours_chart(session, period),)
