"""Group 2's figures, computed from the records whenever they are asked for (nothing is stored as a
total): the list columns, the overview, the statistics report and the tests call these functions.

Words used here:
- a resident is *present* on a day when admitted on or before it and not discharged before it;
- a NAT round is *complete* when every resident present that day has a result, and *all negative*
  when every one of them is negative;
- an institution *must report* its daily prevention check on the days when it is under prevention
  measures, that is when a status other than normal operation is in force (closed management,
  gatherings or registration suspended); before the outbreak nobody reports;
- *days of cover* of a reserve: stock ÷ (daily use per resident × residents present on its date)."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.core.idnumbers import parse_resident_id
from civaffairs.groups import group as working_group
from civaffairs.groups.service_institutions.fields import (
    ALL_NEGATIVE, CLOSED, COVER_TARGET_DAYS, GATHERINGS_SUSPENDED, GROUP, HAS_POSITIVE, HISTORY, INCOMPLETE,
    ITEMS, KINDS, NEGATIVE, NORMAL, NOT_TESTED, OTHER_ITEM, PENDING, POSITIVE,
    REGISTRATION_SUSPENDED, STATUSES,
)
from civaffairs.groups.service_institutions.models import (
    DailyCheck, Institution, InstitutionStatus, NatResult, NatRound, PostponedMarriage, Resident, SupplyReserve,
)
from civaffairs.reports.figures import Chart, Figure, FigureTable, Opens, Period, Point, ReportSection, Series, Unit

ELDERLY_CARE = "elderly_care"


def _title(choices, code: str | None) -> str:  # type: ignore[no-untyped-def]
    return next((c.title for c in choices if c.code == code), code or "")


def kind_title(code: str | None) -> str:
    return _title(KINDS, code)


def status_title(code: str | None) -> str:
    return _title(STATUSES, code)


def item_title(item: str, other: str = "") -> str:
    return other if item == OTHER_ITEM and other else _title(ITEMS, item)


def _live(model: type) -> object:
    return model.deleted_at.is_(None)


def _present_on(day: date) -> list[object]:
    return [Resident.admission_date <= day, or_(Resident.discharge_date.is_(None), Resident.discharge_date >= day),
            Resident.deleted_at.is_(None)]


# ------------------------------------------------------------------ institutions and status


@dataclass(frozen=True)
class InstitutionLine:
    id: uuid.UUID
    name: str
    kind: str
    status: str  # in force on the day asked

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)

    @property
    def status_title(self) -> str:
        return status_title(self.status)


def institutions(session: Session) -> list[tuple[uuid.UUID, str, str]]:
    """Every live institution: (id, name, kind), by name."""
    stmt = select(Institution.id, Institution.name, Institution.kind).where(_live(Institution)).order_by(
        Institution.name, Institution.id)
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def status_on(session: Session, institution_ids: Sequence[uuid.UUID], day: date) -> dict[uuid.UUID, str]:
    """Each institution's status on `day` (normal operation when no period is in force)."""
    found = HISTORY.status_on(session, institution_ids, day)
    return {i: found.get(i, NORMAL) for i in institution_ids}


def statuses_on(session: Session, day: date) -> list[InstitutionLine]:
    """Every institution with its status on `day`: the "status on a date" query."""
    rows = institutions(session)
    found = status_on(session, [r[0] for r in rows], day)
    return [InstitutionLine(i, name, kind, found[i]) for i, name, kind in rows]


def with_status(session: Session, status: str, day: date, kind: str | None = None) -> list[InstitutionLine]:
    return [line for line in statuses_on(session, day) if line.status == status and (kind is None or line.kind == kind)]


def with_status_during(session: Session, status: str, period: Period, kind: str | None = None) -> set[uuid.UUID]:
    """The live institutions (of `kind`) that had `status` on at least one day of `period`."""
    ids = HISTORY.parents_with_during(session, status, period.start, period.end)
    return {i for i, _name, k in institutions(session) if i in ids and (kind is None or k == kind)}


# ------------------------------------------------------------------ residents


def residents_present(session: Session, institution_ids: Sequence[uuid.UUID], day: date, *,
                      central_care_only: bool = False) -> dict[uuid.UUID, int]:
    """How many residents each institution had on `day` (0 for none)."""
    if not institution_ids:
        return {}
    stmt = select(Resident.institution_id, func.count()).where(
        Resident.institution_id.in_(list(institution_ids)), *_present_on(day)).group_by(Resident.institution_id)
    if central_care_only:
        stmt = stmt.where(Resident.central_care.is_(True))
    found = {i: n for i, n in session.execute(stmt)}
    return {i: found.get(i, 0) for i in institution_ids}


def residents_present_total(session: Session, day: date, *, central_care_only: bool = False) -> int:
    stmt = select(func.count()).select_from(Resident).join(Institution, Institution.id == Resident.institution_id) \
        .where(_live(Institution), *_present_on(day))
    if central_care_only:
        stmt = stmt.where(Resident.central_care.is_(True))
    return session.scalar(stmt) or 0


@dataclass(frozen=True)
class Particulars:
    sex: str  # male, female
    birth_date: date
    age: int


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def resident_particulars(session: Session, resident_ids: Sequence[uuid.UUID], day: date | None = None
                         ) -> dict[uuid.UUID, Particulars]:
    """Sex, birth date and age (on `day`, default today) from each resident's ID number."""
    if not resident_ids:
        return {}
    day = day or today_local()
    found = {}
    for rid, number in session.execute(select(Resident.id, Resident.id_number).where(Resident.id.in_(list(resident_ids)))):
        try:
            parsed = parse_resident_id(number, today=max(day, today_local()))
        except ValueError:  # entered before a stricter check; shown empty rather than guessed
            continue
        found[rid] = Particulars("male" if parsed.male else "female", parsed.birth_date, age_on(parsed.birth_date, day))
    return found


# ------------------------------------------------------------------ NAT rounds


@dataclass(frozen=True)
class RoundCompletion:
    present: int  # residents present on the round's day
    negative: int = 0
    positive: int = 0
    pending: int = 0
    not_tested: int = 0

    @property
    def tested(self) -> int:
        """Sampled: negative, positive or waiting for the result."""
        return self.negative + self.positive + self.pending

    @property
    def missing(self) -> int:
        """Present residents with no result at all."""
        return max(self.present - self.tested - self.not_tested, 0)

    @property
    def text(self) -> str:
        return f"{self.tested} / {self.present}"

    @property
    def all_negative(self) -> bool:
        return self.present > 0 and self.negative == self.present

    @property
    def outcome(self) -> str | None:
        if self.positive:
            return HAS_POSITIVE
        if self.all_negative:
            return ALL_NEGATIVE
        return INCOMPLETE if self.present else None


def round_completion(session: Session, round_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RoundCompletion]:
    """Each round's results against the residents present on its day."""
    if not round_ids:
        return {}
    rounds = session.execute(select(NatRound.id, NatRound.institution_id, NatRound.day).where(
        NatRound.id.in_(list(round_ids)))).all()
    present = {}
    for rid, institution_id, day in rounds:
        present[rid] = residents_present(session, [institution_id], day)[institution_id]
    # Only results of residents present that day count (the rule refuses others; an admission
    # date corrected later must not make "tested" exceed "present").
    stmt = (select(NatResult.round_id, NatResult.result, func.count())
            .join(NatRound, NatRound.id == NatResult.round_id)
            .join(Resident, Resident.id == NatResult.resident_id)
            .where(NatResult.round_id.in_(list(round_ids)), _live(NatResult),
                   Resident.institution_id == NatRound.institution_id, Resident.deleted_at.is_(None),
                   Resident.admission_date <= NatRound.day,
                   or_(Resident.discharge_date.is_(None), Resident.discharge_date >= NatRound.day))
            .group_by(NatResult.round_id, NatResult.result))
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for rid, result, n in session.execute(stmt):
        counts[rid][result] = n
    return {rid: RoundCompletion(present[rid], counts[rid].get(NEGATIVE, 0), counts[rid].get(POSITIVE, 0),
                                 counts[rid].get(PENDING, 0), counts[rid].get(NOT_TESTED, 0))
            for rid, _i, _d in rounds}


@dataclass(frozen=True)
class RoundLine:
    id: uuid.UUID
    institution_id: uuid.UUID
    institution: str
    day: date
    completion: RoundCompletion


def rounds_in(session: Session, period: Period, institution_id: uuid.UUID | None = None) -> list[RoundLine]:
    """The live rounds of live institutions in `period`, by day and institution."""
    stmt = (select(NatRound.id, NatRound.institution_id, Institution.name, NatRound.day)
            .join(Institution, Institution.id == NatRound.institution_id)
            .where(_live(NatRound), _live(Institution), NatRound.day >= period.start, NatRound.day <= period.end)
            .order_by(NatRound.day, Institution.name, NatRound.id))
    if institution_id is not None:
        stmt = stmt.where(NatRound.institution_id == institution_id)
    rows = session.execute(stmt).all()
    done = round_completion(session, [r[0] for r in rows])
    return [RoundLine(r[0], r[1], r[2], r[3], done[r[0]]) for r in rows]


def all_negative(session: Session, period: Period, institution_id: uuid.UUID | None = None) -> bool | None:
    """Were all rounds in `period` (of one institution, or of all) complete and all negative?
    None when there was no round."""
    rounds = rounds_in(session, period, institution_id)
    if not rounds:
        return None
    return all(r.completion.all_negative for r in rounds)


@dataclass(frozen=True)
class PositiveLine:
    institution: str
    day: date
    count: int


def positives(session: Session, period: Period) -> list[PositiveLine]:
    """Positive results in `period`, per institution and round day (no names: health data)."""
    stmt = (select(Institution.name, NatRound.day, func.count())
            .select_from(NatResult).join(NatRound, NatRound.id == NatResult.round_id)
            .join(Institution, Institution.id == NatRound.institution_id)
            .where(NatResult.result == POSITIVE, _live(NatResult), _live(NatRound), _live(Institution),
                   NatRound.day >= period.start, NatRound.day <= period.end)
            .group_by(Institution.name, NatRound.day).order_by(NatRound.day, Institution.name))
    return [PositiveLine(name, day, n) for name, day, n in session.execute(stmt)]


def positives_text(lines: Iterable[PositiveLine]) -> str:
    """"马跑泉镇敬老院 2021年10月25日 阳性 1 人；…" for the overview and the report."""
    return "；".join(_("{institution}, {day}: {n} positive").format(institution=p.institution, day=long_date(p.day),
                                                                  n=p.count) for p in lines)


# ------------------------------------------------------------------ daily prevention checks


def must_report(session: Session, day: date) -> list[InstitutionLine]:
    """The institutions under prevention measures on `day` (a status other than normal)."""
    return [line for line in statuses_on(session, day) if line.status != NORMAL]


def not_reported(session: Session, day: date) -> list[InstitutionLine]:
    """The institutions that had to report their daily check for `day` and have not."""
    due = must_report(session, day)
    if not due:
        return []
    reported = set(session.scalars(select(DailyCheck.institution_id).where(
        DailyCheck.day == day, _live(DailyCheck), DailyCheck.institution_id.in_([l.id for l in due]))))
    return [line for line in due if line.id not in reported]


@dataclass(frozen=True)
class ReportingRate:
    expected: int  # institution-days on which a check was due
    reported: int  # of those, days with a check

    @property
    def rate(self) -> Decimal | None:
        return None if not self.expected else (Decimal(self.reported) / Decimal(self.expected)).quantize(Decimal("0.0001"))


def reporting_rate(session: Session, period: Period) -> ReportingRate:
    """Daily checks reported on the days they were due, over `period`."""
    m = InstitutionStatus
    periods = session.execute(
        select(m.institution_id, m.start_date, m.end_date).join(Institution, Institution.id == m.institution_id)
        .where(_live(m), _live(Institution), m.status != NORMAL, m.start_date <= period.end,
               or_(m.end_date.is_(None), m.end_date >= period.start))).all()
    due: set[tuple[uuid.UUID, date]] = set()
    for institution_id, start, end in periods:
        day = max(start, period.start)
        last = min(end or period.end, period.end)
        while day <= last:
            due.add((institution_id, day))
            day += timedelta(days=1)
    if not due:
        return ReportingRate(0, 0)
    checks = session.execute(select(DailyCheck.institution_id, DailyCheck.day).where(
        _live(DailyCheck), DailyCheck.day >= period.start, DailyCheck.day <= period.end)).all()
    return ReportingRate(len(due), len(due & {(i, d) for i, d in checks}))


# ------------------------------------------------------------------ supply reserves


def _cover(quantity: int, daily_use_hundredths: int, residents: int) -> int | None:
    if residents <= 0 or daily_use_hundredths <= 0:
        return None  # nobody eats from it: no meaningful number of days
    return quantity * 100 // (daily_use_hundredths * residents)


def days_of_cover(session: Session, reserve_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """Whole days each reserve lasts for the residents present on its date."""
    if not reserve_ids:
        return {}
    rows = session.execute(select(SupplyReserve.id, SupplyReserve.institution_id, SupplyReserve.quantity,
                                  SupplyReserve.daily_use, SupplyReserve.as_of)
                           .where(SupplyReserve.id.in_(list(reserve_ids)))).all()
    present: dict[tuple[uuid.UUID, date], int] = {}
    for _rid, institution_id, _q, _u, as_of in rows:
        if (institution_id, as_of) not in present:
            present[(institution_id, as_of)] = residents_present(session, [institution_id], as_of)[institution_id]
    return {rid: _cover(q, u, present[(i, d)]) for rid, i, q, u, d in rows}


@dataclass(frozen=True)
class ReserveLine:
    id: uuid.UUID
    institution_id: uuid.UUID
    institution: str
    item: str  # its name, translated
    quantity: int
    unit: str
    daily_use: Decimal  # per resident
    as_of: date
    residents: int  # present on `as_of`
    days: int | None

    @property
    def below_target(self) -> bool:
        return self.days is not None and self.days < COVER_TARGET_DAYS


def current_reserves(session: Session, day: date) -> list[ReserveLine]:
    """The latest stock count on or before `day` of each item of each institution."""
    rows = session.execute(
        select(SupplyReserve.id, SupplyReserve.institution_id, Institution.name, SupplyReserve.item,
               SupplyReserve.other_item, SupplyReserve.quantity, SupplyReserve.unit, SupplyReserve.daily_use,
               SupplyReserve.as_of)
        .join(Institution, Institution.id == SupplyReserve.institution_id)
        .where(_live(SupplyReserve), _live(Institution), SupplyReserve.as_of <= day)
        .order_by(Institution.name, SupplyReserve.item, SupplyReserve.as_of.desc(), SupplyReserve.id.desc())).all()
    latest = {}
    for r in rows:
        latest.setdefault((r[1], r[3], r[4]), r)  # rows come newest first within an item
    order = {c.code: n for n, c in enumerate(ITEMS)}
    chosen = sorted(latest.values(), key=lambda r: (r[2], order.get(r[3], len(order)), r[4]))
    cover = days_of_cover(session, [r[0] for r in chosen])
    present = {}
    for r in chosen:
        if (r[1], r[8]) not in present:
            present[(r[1], r[8])] = residents_present(session, [r[1]], r[8])[r[1]]
    return [ReserveLine(r[0], r[1], r[2], item_title(r[3], r[4]), r[5], r[6], Decimal(r[7]).scaleb(-2), r[8],
                        present[(r[1], r[8])], cover[r[0]]) for r in chosen]


def reserves_below_target(session: Session, day: date) -> list[ReserveLine]:
    return [r for r in current_reserves(session, day) if r.below_target]


# ------------------------------------------------------------------ postponed marriage registrations


@dataclass(frozen=True)
class PostponedLine:
    id: uuid.UUID
    couple: str
    original_date: date
    new_date: date | None


def postponed_not_told(session: Session) -> list[PostponedLine]:
    """Postponed registrations whose couple has not yet been told of a new date."""
    stmt = (select(PostponedMarriage.id, PostponedMarriage.name_1, PostponedMarriage.name_2,
                   PostponedMarriage.original_date, PostponedMarriage.new_date)
            .join(Institution, Institution.id == PostponedMarriage.institution_id)
            .where(_live(PostponedMarriage), _live(Institution), PostponedMarriage.told.is_(False))
            .order_by(PostponedMarriage.original_date, PostponedMarriage.id))
    return [PostponedLine(r[0], f"{r[1]}、{r[2]}", r[3], r[4]) for r in session.execute(stmt)]


def postponed_counts(session: Session, period: Period) -> tuple[int, int]:
    """(postponed, told of the new date) for the appointments originally in `period`."""
    stmt = (select(func.count(), func.count().filter(PostponedMarriage.told.is_(True)))
            .select_from(PostponedMarriage).join(Institution, Institution.id == PostponedMarriage.institution_id)
            .where(_live(PostponedMarriage), _live(Institution), PostponedMarriage.original_date >= period.start,
                   PostponedMarriage.original_date <= period.end))
    total, told = session.execute(stmt).one()
    return total or 0, told or 0


# ------------------------------------------------------------------ the statistics report


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """Group 2's part of the statistics report (统计上报) for `period`."""
    end = period.end
    everything = institutions(session)
    closed_elderly = with_status_during(session, CLOSED, period, ELDERLY_CARE)
    closed_any = with_status_during(session, CLOSED, period)
    suspended = with_status_during(session, GATHERINGS_SUSPENDED, period)
    registration = with_status_during(session, REGISTRATION_SUSPENDED, period)
    rounds = rounds_in(session, period)
    round_days = {r.day for r in rounds}
    positive_lines = positives(session, period)
    positive_total = sum(p.count for p in positive_lines)
    negative = all_negative(session, period)
    rate = reporting_rate(session, period)
    reserves = current_reserves(session, end)
    below = [r for r in reserves if r.below_target]
    postponed, told = postponed_counts(session, period)

    if negative is None:
        nat_text = _("No round in this period")
    elif positive_total:
        nat_text = _("Positive results: {n}").format(n=positive_total)
    elif negative:
        nat_text = _("All negative")
    else:
        nat_text = _("Not all complete")

    figures = [
        Figure("institutions", _("Service institutions"), len(everything), Unit.INSTITUTIONS),
        Figure("elderly_care_closed", _("Elderly care institutions under closed management"), len(closed_elderly),
               Unit.INSTITUTIONS, summary=True),
        Figure("institutions_closed", _("Institutions under closed management (all kinds)"), len(closed_any),
               Unit.INSTITUTIONS),
        Figure("gatherings_suspended", _("Institutions with gathering services suspended"), len(suspended),
               Unit.INSTITUTIONS, summary=True),
        Figure("registration_suspended", _("Marriage registries with registration suspended"), len(registration),
               Unit.INSTITUTIONS, summary=True),
        Figure("residents", _("Residents present on the last day"), residents_present_total(session, end),
               Unit.PERSONS),
        Figure("central_care_residents", _("Extreme-poverty persons in central care present on the last day"),
               residents_present_total(session, end, central_care_only=True), Unit.PERSONS, summary=True),
        Figure("nat_rounds", _("NAT rounds"), len(round_days), Unit.TIMES, summary=True,
               opens=Opens.period("service_institutions.nat_rounds", period),
               note=_("Test days; {n} institution rounds at {k} institutions.").format(
                   n=len(rounds), k=len({r.institution_id for r in rounds}))),
        Figure("nat_tests", _("Residents tested (all rounds)"), sum(r.completion.tested for r in rounds),
               Unit.PERSONS),
        Figure("nat_all_negative", _("NAT results"), nat_text, Unit.TEXT, summary=True,
               alert=bool(positive_total) or negative is False,
               opens=Opens.period("service_institutions.nat_rounds", period)),
        Figure("nat_positive", _("Positive NAT results"), positive_total, Unit.PERSONS, alert=bool(positive_total),
               opens=Opens.period("service_institutions.nat_rounds", period),
               note=positives_text(positive_lines)),
        Figure("reserves_below_target", _("Reserves below {n} days of cover").format(n=COVER_TARGET_DAYS), len(below),
               Unit.COUNT, alert=bool(below), opens=Opens("service_institutions.reserves")),
        Figure("daily_check_rate", _("Daily prevention checks reported"),
               rate.rate if rate.rate is not None else _("None due"),
               Unit.PERCENT if rate.rate is not None else Unit.TEXT,
               note=_("{reported} of {expected} institution-days under prevention measures.").format(
                   reported=rate.reported, expected=rate.expected)),
        Figure("postponed_marriages", _("Marriage registrations postponed"), postponed, Unit.COUNT),
        Figure("postponed_told", _("Couples told of the new date"), told, Unit.COUNT),
    ]

    by_kind = []
    for kind in KINDS:
        ids = {i for i, _n, k in everything if k == kind.code}
        if ids:
            by_kind.append((kind.title, len(ids), len(ids & closed_any), len(ids & suspended), len(ids & registration)))
    per_institution = []
    alert_rows = set()
    for i, name, _kind in everything:
        own = [r for r in rounds if r.institution_id == i]
        if not own:
            continue
        pos = sum(r.completion.positive for r in own)
        outcome = (_("Positive results: {n}").format(n=pos) if pos else
                   _("All negative") if all(r.completion.all_negative for r in own) else _("Not all complete"))
        if pos:
            alert_rows.add(len(per_institution))
        per_institution.append((name, len(own), sum(r.completion.tested for r in own), outcome))
    tables = [
        FigureTable(_("Institutions by kind and status during the period"),
                    (_("Kind"), _("Institutions"), _("Closed management"), _("Gathering services suspended"),
                     _("Registration suspended")), tuple(by_kind)),
        FigureTable(_("NAT rounds per institution"), (_("Institution"), _("Rounds"), _("Tested"), _("Results")),
                    tuple(per_institution), frozenset(alert_rows)),
        FigureTable(_("Supply reserves and days of cover on {day}").format(day=long_date(end)),
                    (_("Institution"), _("Item"), _("Stock"), _("Unit"), _("Daily use per resident"), _("Residents present"),
                     _("Days of cover")),
                    tuple((r.institution, r.item, r.quantity, r.unit, r.daily_use, r.residents,
                           r.days if r.days is not None else "—") for r in reserves),
                    frozenset(n for n, r in enumerate(reserves) if r.below_target)),
    ]
    notes = []
    if positive_total:
        notes.append(_("Positive NAT results: {list}.").format(list=positives_text(positive_lines)))
    if below:
        notes.append(_("Below the {n}-day target: {list}.").format(n=COVER_TARGET_DAYS, list="；".join(
            _("{institution} {item}: {days} days").format(institution=r.institution, item=r.item, days=r.days)
            for r in below)))
    return ReportSection(f"group-{GROUP}", working_group(GROUP).name, tuple(figures), tuple(tables), tuple(notes),
                         charts=(rounds_per_institution_chart(session, period, rounds),))


# ------------------------------------------------------------------ charts (the overview, the workbook)


def rounds_per_institution_chart(session: Session, period: Period, rounds: Sequence[RoundLine] | None = None) -> Chart:
    """NAT rounds held in `period` per institution, most first."""
    counts: dict[str, int] = {}
    for r in rounds if rounds is not None else rounds_in(session, period):
        counts[r.institution] = counts.get(r.institution, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Chart(f"group-{GROUP}.nat_rounds", _("NAT rounds per institution"), Unit.TIMES, (
        Series(_("NAT rounds"), tuple(Point(name, n, Opens.period("service_institutions.nat_rounds", period,
                                                                  search=name)) for name, n in ordered)),),
                 category=_("Institution"))


def chart_series(session: Session, actor: Actor, period: Period) -> tuple[Chart, ...]:
    return (rounds_per_institution_chart(session, period),)
