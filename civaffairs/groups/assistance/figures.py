"""Group 4's figures, computed from the records whenever they are asked for (Qt-free): the
statistics report, the overview, list columns and the tests call these functions; nothing is
stored as a total.

Words used here (the group's agreed definitions):
- *newly included* in a period: approved inclusions whose `effective_from` is in the period;
  distinct households, and their persons with each household counted once (its largest decision,
  when two programmes took it in during the period);
- *temporary assistance* in a period: grants with `paid_on` in the period; distinct households,
  persons with each household counted once (its largest grant), and the sum of `paid_amount`;
  under "assist first" (先行救助、后补手续) a grant's paperwork is *owed* until
  `paperwork_completed_on`, and *overdue* when its deadline has passed while still owed;
- *reserve funds* (备用金) of a town: *allocated* = allocations dated in the period; *used* =
  grants paid from the reserve fund in the period; *left* = every allocation up to the period's
  end less every use up to then (never stored);
- a household is *not contacted for two weeks* on a day when it has no contact in the fourteen
  days ending that day."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import N_, _
from civaffairs.groups import group as working_group
from civaffairs.groups.assistance.models import (
    Contact, Household, Inclusion, ReserveFundAllocation, Rescue, TemporaryAssistanceGrant,
)
from civaffairs.places.models import Town
from civaffairs.reports.figures import Chart, Figure, FigureTable, Opens, Period, Point, ReportSection, Series, Unit

GROUP = 4
APPROVED = "approved"
CHANNELS = (("phone", N_("Contacts by phone")), ("wechat", N_("Contacts by WeChat")),
            ("home_visit", N_("Home visits")))
RESCUE_KINDS = ("vagrant", "stranded")
NOT_CONTACTED_DAYS = 14  # "not contacted for two weeks"

Grant = TemporaryAssistanceGrant


def yuan(fen: int | None) -> Decimal:
    """Integer fen as a Decimal of yuan with two decimals, as the report writes money."""
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def _as_of(period: Period) -> date:
    """The day a period's "still owed" and "overdue" are judged on: its end, or today if the period
    is not over yet (a deadline later than today has not passed)."""
    return min(period.end, today_local())


# ------------------------------------------------------------------ households and persons


@dataclass(frozen=True)
class HouseholdsPersons:
    households: int
    persons: int


def _households_persons(rows: Sequence[tuple[uuid.UUID, int | None]]) -> HouseholdsPersons:
    """Distinct households, and persons with each household counted once (its largest figure)."""
    most: dict[uuid.UUID, int] = {}
    for household, persons in rows:
        most[household] = max(most.get(household, 0), persons or 0)
    return HouseholdsPersons(len(most), sum(most.values()))


def newly_included(session: Session, period: Period) -> HouseholdsPersons:
    """Households and persons newly included in minimum living guarantee or extreme-poverty
    support in `period`: approved inclusions taking effect in it."""
    rows = session.execute(select(Inclusion.household_id, Inclusion.persons).where(
        Inclusion.deleted_at.is_(None), Inclusion.decision == APPROVED,
        Inclusion.effective_from >= period.start, Inclusion.effective_from <= period.end)).all()
    return _households_persons([(h, p) for h, p in rows])


# ------------------------------------------------------------------ temporary assistance


def _paid_in(period: Period) -> list[object]:
    return [Grant.deleted_at.is_(None), Grant.paid_on.is_not(None), Grant.paid_on >= period.start,
            Grant.paid_on <= period.end]


@dataclass(frozen=True)
class GrantFigures:
    households: int
    persons: int
    amount: int  # fen
    grants: int
    assist_first: int  # of those grants, paid under "assist first, paperwork later"
    paperwork_owed: int  # of those, paperwork not completed by the day judged on
    paperwork_overdue: int  # of those owed, with the deadline passed


def grant_figures(session: Session, period: Period) -> GrantFigures:
    """Temporary assistance paid in `period`."""
    rows = session.execute(select(Grant.household_id, Grant.persons, Grant.paid_amount, Grant.assist_first,
                                  Grant.paperwork_completed_on, Grant.paperwork_deadline)
                           .where(*_paid_in(period))).all()
    hp = _households_persons([(r[0], r[1]) for r in rows])
    day = _as_of(period)
    first = [r for r in rows if r[3]]
    owed = [r for r in first if r[4] is None or r[4] > day]
    overdue = [r for r in owed if r[5] is not None and r[5] < day]
    return GrantFigures(hp.households, hp.persons, sum(r[2] or 0 for r in rows), len(rows), len(first),
                        len(owed), len(overdue))


def is_paperwork_overdue(deadline: date | None, completed_on: date | None, day: date | None = None) -> bool:
    """An "assist first" grant's paperwork is overdue on `day` (default today) when its deadline
    has passed and it is not completed."""
    day = day or today_local()
    return deadline is not None and deadline < day and (completed_on is None or completed_on > day)


# ------------------------------------------------------------------ reserve funds


@dataclass(frozen=True)
class ReserveLine:
    town_id: uuid.UUID
    town: str
    allocated: int  # fen, in the period
    used: int  # fen, paid from it in the period
    left: int  # fen, at the period's end: everything allocated up to then less everything used

    @property
    def overdrawn(self) -> bool:
        return self.left < 0


def _sum_by_town(session: Session, column, town, *conds) -> dict[uuid.UUID, int]:  # type: ignore[no-untyped-def]
    stmt = select(town, func.coalesce(func.sum(column), 0)).where(*conds).group_by(town)
    return {t: int(n) for t, n in session.execute(stmt)}


def reserve_by_town(session: Session, period: Period) -> list[ReserveLine]:
    """Each town's reserve funds: allocated and used in `period`, left at its end.  Towns that have
    never had an allocation nor paid from one are left out."""
    a, g = ReserveFundAllocation, Grant
    live_a, live_g = a.deleted_at.is_(None), [g.deleted_at.is_(None), g.from_reserve_fund.is_(True),
                                              g.paid_on.is_not(None)]
    allocated = _sum_by_town(session, a.amount, a.town_id, live_a, a.allocated_on >= period.start,
                             a.allocated_on <= period.end)
    allocated_to_end = _sum_by_town(session, a.amount, a.town_id, live_a, a.allocated_on <= period.end)
    used = _sum_by_town(session, g.paid_amount, g.town_id, *live_g, g.paid_on >= period.start,
                        g.paid_on <= period.end)
    used_to_end = _sum_by_town(session, g.paid_amount, g.town_id, *live_g, g.paid_on <= period.end)
    everyone = set(allocated_to_end) | set(used_to_end)
    if not everyone:
        return []
    names = dict(session.execute(select(Town.id, Town.name).where(Town.id.in_(everyone))).all())
    lines = [ReserveLine(t, names.get(t, ""), allocated.get(t, 0), used.get(t, 0),
                         allocated_to_end.get(t, 0) - used_to_end.get(t, 0)) for t in everyone]
    return sorted(lines, key=lambda line: (line.town, str(line.town_id)))


def reserve_left(session: Session, town_ids: Sequence[uuid.UUID], day: date) -> dict[uuid.UUID, int]:
    """Each town's reserve fund left at the end of `day` (fen): a list column or an overview line."""
    if not town_ids:
        return {}
    a, g = ReserveFundAllocation, Grant
    allocated = _sum_by_town(session, a.amount, a.town_id, a.deleted_at.is_(None), a.allocated_on <= day,
                             a.town_id.in_(list(town_ids)))
    used = _sum_by_town(session, g.paid_amount, g.town_id, g.deleted_at.is_(None), g.from_reserve_fund.is_(True),
                        g.paid_on.is_not(None), g.paid_on <= day, g.town_id.in_(list(town_ids)))
    return {t: allocated.get(t, 0) - used.get(t, 0) for t in town_ids}


# ------------------------------------------------------------------ rescue


def rescues(session: Session, period: Period) -> dict[str, int]:
    """Vagrants or beggars and stranded persons rescued in `period`, by kind."""
    stmt = (select(Rescue.kind, func.count()).where(Rescue.deleted_at.is_(None), Rescue.found_on >= period.start,
                                                    Rescue.found_on <= period.end).group_by(Rescue.kind))
    found = dict(session.execute(stmt).all())
    return {k: found.get(k, 0) for k in RESCUE_KINDS}


# ------------------------------------------------------------------ contacts


def contacts_by_channel(session: Session, period: Period) -> dict[str, int]:
    """Contacts with households in `period`, by channel (phone, WeChat, home visit)."""
    stmt = (select(Contact.channel, func.count()).join(Household, Household.id == Contact.household_id)
            .where(Contact.deleted_at.is_(None), Household.deleted_at.is_(None), Contact.contacted_on >= period.start,
                   Contact.contacted_on <= period.end).group_by(Contact.channel))
    found = dict(session.execute(stmt).all())
    return {code: found.get(code, 0) for code, _label in CHANNELS}


def _households_on(day: date) -> list[object]:
    """Live households on the books on `day` (registered on or before it, or with no date)."""
    return [Household.deleted_at.is_(None), or_(Household.registered_on.is_(None), Household.registered_on <= day)]


@dataclass(frozen=True)
class ContactLine:
    town_id: uuid.UUID
    town: str
    households: int  # on the books on the period's last day
    contacted: int  # of those, contacted at least once in the period
    not_contacted: int  # of those, with no contact in the two weeks ending the period's last day


def contacts_by_town(session: Session, period: Period) -> list[ContactLine]:
    """Per town: households, those contacted in `period`, those not contacted for two weeks by its end."""
    end = period.end
    recent_from = end - timedelta(days=NOT_CONTACTED_DAYS - 1)
    households = session.execute(select(Household.id, Household.town_id).where(*_households_on(end))).all()
    contacts = session.execute(
        select(Contact.household_id, func.max(Contact.contacted_on))
        .join(Household, Household.id == Contact.household_id)
        .where(Contact.deleted_at.is_(None), *_households_on(end), Contact.contacted_on >= min(period.start, recent_from),
               Contact.contacted_on <= end)
        .group_by(Contact.household_id)).all()
    in_period = session.execute(
        select(Contact.household_id).join(Household, Household.id == Contact.household_id)
        .where(Contact.deleted_at.is_(None), *_households_on(end), Contact.contacted_on >= period.start,
               Contact.contacted_on <= end).distinct()).scalars().all()
    last = dict(contacts)
    contacted = set(in_period)
    per_town: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0, 0])
    for household, town in households:
        line = per_town[town]
        line[0] += 1
        line[1] += household in contacted
        line[2] += last.get(household) is None or last[household] < recent_from
    if not per_town:
        return []
    names = dict(session.execute(select(Town.id, Town.name).where(Town.id.in_(list(per_town)))).all())
    lines = [ContactLine(t, names.get(t, ""), *n) for t, n in per_town.items()]
    return sorted(lines, key=lambda line: (line.town, str(line.town_id)))


def not_contacted_count(session: Session, day: date) -> int:
    """Households on the books with no contact in the two weeks ending `day` (the overview)."""
    since = day - timedelta(days=NOT_CONTACTED_DAYS - 1)
    recent = (select(Contact.id).where(Contact.household_id == Household.id, Contact.deleted_at.is_(None),
                                       Contact.contacted_on >= since, Contact.contacted_on <= day).exists())
    return session.scalar(select(func.count()).select_from(Household).where(*_households_on(day), ~recent)) or 0


# ------------------------------------------------------------------ the statistics report


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """Group 4's part of the statistics report (统计上报) for `period`: counts and money only, no
    personal data."""
    included = newly_included(session, period)
    grants = grant_figures(session, period)
    reserves = reserve_by_town(session, period)
    rescued = rescues(session, period)
    channels = contacts_by_channel(session, period)
    towns = contacts_by_town(session, period)
    not_contacted = sum(t.not_contacted for t in towns)
    as_of = long_date(_as_of(period))
    last_day = long_date(period.end)

    figures = [
        Figure("included_households", _("Households newly included in minimum living guarantee or extreme-poverty "
                                        "support"), included.households, Unit.HOUSEHOLDS, summary=True),
        Figure("included_persons", _("Persons newly included"), included.persons, Unit.PERSONS, summary=True),
        Figure("grant_households", _("Households given temporary assistance"), grants.households, Unit.HOUSEHOLDS,
               summary=True),
        Figure("grant_persons", _("Persons in households given temporary assistance"), grants.persons,
               Unit.PERSONS, summary=True),
        Figure("grant_amount", _("Temporary assistance paid"), yuan(grants.amount), Unit.YUAN, summary=True,
               opens=Opens("assistance.grants"),
               note=_("{n} grants paid.").format(n=grants.grants)),
        Figure("assist_first", _("Grants paid under “assist first, paperwork later”"), grants.assist_first,
               Unit.COUNT),
        Figure("paperwork_owed", _("Of those, paperwork still owed on {day}").format(day=as_of),
               grants.paperwork_owed, Unit.COUNT),
        Figure("paperwork_overdue", _("Of those, paperwork overdue on {day}").format(day=as_of),
               grants.paperwork_overdue, Unit.COUNT, alert=bool(grants.paperwork_overdue),
               opens=Opens("assistance.grants")),
        Figure("reserve_allocated", _("Reserve funds allocated to towns and sub-districts"),
               yuan(sum(r.allocated for r in reserves)), Unit.YUAN, summary=True),
        Figure("reserve_used", _("Temporary assistance paid from reserve funds"), yuan(sum(r.used for r in reserves)),
               Unit.YUAN),
        Figure("reserve_left", _("Reserve funds left on {day}").format(day=last_day),
               yuan(sum(r.left for r in reserves)), Unit.YUAN, alert=any(r.overdrawn for r in reserves),
               opens=Opens("assistance.reserve_allocations")),
        Figure("rescued_vagrants", _("Vagrants or beggars rescued"), rescued["vagrant"], Unit.PERSONS, summary=True,
               opens=Opens.period("assistance.rescues", period)),
        Figure("rescued_stranded", _("Stranded persons in difficulty rescued"), rescued["stranded"], Unit.PERSONS,
               summary=True),
    ]
    figures += [Figure(f"contacts_{code}", _(label), channels[code], Unit.TIMES) for code, label in CHANNELS]
    figures += [
        Figure("households_contacted", _("Households contacted"), sum(t.contacted for t in towns), Unit.HOUSEHOLDS,
               note=_("Of {n} households on the books.").format(n=sum(t.households for t in towns))),
        Figure("not_contacted", _("Households not contacted for two weeks on {day}").format(day=last_day),
               not_contacted, Unit.HOUSEHOLDS, alert=bool(not_contacted), opens=Opens("assistance.households")),
    ]
    tables = []
    if reserves:
        tables.append(FigureTable(
            _("Reserve funds by town or sub-district"),
            (_("Town or sub-district"), _("Allocated (yuan)"), _("Used (yuan)"),
             _("Left on {day} (yuan)").format(day=last_day)),
            tuple((r.town, yuan(r.allocated), yuan(r.used), yuan(r.left)) for r in reserves),
            frozenset(n for n, r in enumerate(reserves) if r.overdrawn)))
    if towns:
        tables.append(FigureTable(
            _("Contacts with households by town or sub-district"),
            (_("Town or sub-district"), _("Households"), _("Contacted in the period"),
             _("Not contacted for two weeks")),
            tuple((t.town, t.households, t.contacted, t.not_contacted) for t in towns),
            frozenset(n for n, t in enumerate(towns) if t.not_contacted)))
    notes = []
    if grants.paperwork_overdue:
        notes.append(_("{n} grants paid under “assist first” have their paperwork overdue: see “Paperwork owed”.")
                     .format(n=grants.paperwork_overdue))
    if not_contacted:
        notes.append(_("{n} households have not been contacted for two weeks: see “Not contacted”.")
                     .format(n=not_contacted))
    return ReportSection(f"group-{GROUP}", working_group(GROUP).name, tuple(figures), tuple(tables), tuple(notes),
                         charts=(paid_by_town_chart(session, period),))


# ------------------------------------------------------------------ charts and today's alerts (the overview)

# A town's reserve fund is "nearly spent" when what is left is under this share of everything
# allocated to it so far: the office has a few days to allocate more before grants must wait.
RESERVE_NEARLY_SPENT = Decimal("0.10")


def paid_by_town(session: Session, period: Period) -> list[tuple[str, int]]:
    """Temporary assistance paid in `period` per town or sub-district (name, fen), largest first."""
    stmt = (select(Town.name, func.coalesce(func.sum(Grant.paid_amount), 0))
            .join(Town, Town.id == Grant.town_id).where(*_paid_in(period)).group_by(Town.name))
    return sorted(((name, int(fen)) for name, fen in session.execute(stmt)), key=lambda r: (-r[1], r[0]))


def paid_by_town_chart(session: Session, period: Period) -> Chart:
    return Chart(f"group-{GROUP}.paid_by_town", _("Temporary assistance paid per town or sub-district"), Unit.YUAN, (
        Series(_("Paid (yuan)"), tuple(Point(town, yuan(fen), Opens("assistance.grants", search=town))
                                       for town, fen in paid_by_town(session, period))),),
                 category=_("Town or sub-district"))


def chart_series(session: Session, actor: Actor, period: Period) -> tuple[Chart, ...]:
    return (paid_by_town_chart(session, period),)


def reserves_nearly_spent(session: Session, day: date) -> list[tuple[str, int, int]]:
    """Towns whose reserve fund left at the end of `day` is under 10% of all allocated to them by
    then (town, allocated fen, left fen); an overdrawn fund is among them."""
    everything = reserve_by_town(session, Period(day, day))
    allocated = _sum_by_town(session, ReserveFundAllocation.amount, ReserveFundAllocation.town_id,
                             ReserveFundAllocation.deleted_at.is_(None), ReserveFundAllocation.allocated_on <= day)
    return [(r.town, allocated.get(r.town_id, 0), r.left) for r in everything
            if allocated.get(r.town_id, 0) > 0 and Decimal(r.left) < RESERVE_NEARLY_SPENT * allocated[r.town_id]]


def today_alerts(session: Session, actor: Actor, day: date) -> tuple[Figure, ...]:
    towns = reserves_nearly_spent(session, day)
    overdue = grant_figures(session, Period(date(2000, 1, 1), day)).paperwork_overdue
    return (
        Figure("reserves_nearly_spent", _("Towns whose reserve fund has under a tenth left"), len(towns), Unit.COUNT,
               alert=bool(towns), note="、".join(t for t, _a, _l in towns),
               opens=Opens("assistance.reserve_allocations")),
        Figure("paperwork_overdue_today", _("Grants paid first with paperwork overdue"), overdue, Unit.COUNT,
               alert=bool(overdue), opens=Opens("assistance.grants")),
    )
