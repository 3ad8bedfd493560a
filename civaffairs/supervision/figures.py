"""The supervision teams' figures, computed from the records whenever asked (nothing is stored as
a total): the list columns, the overdue list, the overview, the statistics report and the tests
all call these functions.  Qt-free."""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import _
from civaffairs.records.spec import get_register
from civaffairs.reports.figures import Figure, FigureTable, Opens, Period, ReportSection, Unit
from civaffairs.supervision.models import ChecklistLine, Correction, InspectionVisit, SupervisionTeam
from civaffairs.supervision.targets import TargetKind, target_kind, target_kinds

if TYPE_CHECKING:
    from civaffairs.accounts.roles import Actor

FAILS = "fails"
OPEN, OVERDUE, CLOSED = "open", "overdue", "closed"

_LIVE_VISIT = InspectionVisit.deleted_at.is_(None)
_LIVE_CORRECTION = Correction.deleted_at.is_(None)


# ------------------------------------------------------------------ targets


def _target_model(kind: TargetKind) -> tuple[Any, str] | None:
    """The model and name column of a kind's register, or None while that register does not exist."""
    try:
        spec = get_register(kind.register_key)
    except KeyError:
        return None
    return spec.model, spec.display_fields[0]


def target_names(session: Session, targets: Iterable[tuple[str, uuid.UUID | None]]) -> dict[uuid.UUID, str]:
    """The names of targets given as (kind, id), one query per kind."""
    by_kind: dict[str, set[uuid.UUID]] = defaultdict(set)
    for kind, target_id in targets:
        if target_id is not None:
            by_kind[kind].add(target_id)
    names: dict[uuid.UUID, str] = {}
    for key, ids in by_kind.items():
        found = _target_model(target_kind(key)) if key in {k.key for k in target_kinds()} else None
        if found is None:
            continue
        model, column = found
        for target_id, name in session.execute(select(model.id, getattr(model, column)).where(model.id.in_(ids))):
            names[target_id] = str(name)
    return names


def visit_target(visit: Any) -> tuple[str, uuid.UUID | None]:
    """(kind, id) of a visit's target: the id held in the kind's reference column."""
    try:
        return visit.target_kind, getattr(visit, target_kind(visit.target_kind).field)
    except (KeyError, AttributeError):
        return visit.target_kind, None


def _visit_targets(session: Session, visit_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    visits = list(session.scalars(select(InspectionVisit).where(InspectionVisit.id.in_(visit_ids))))
    names = target_names(session, (visit_target(v) for v in visits))
    return {v.id: names.get(visit_target(v)[1], "") for v in visits if visit_target(v)[1] is not None}


def visit_target_names(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    """List column of visits: the target's name."""
    return _visit_targets(session, ids)


def correction_target_names(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    """List column of corrections: the name of the inspected target."""
    pairs = {cid: vid for cid, vid in session.execute(select(Correction.id, Correction.visit_id).where(Correction.id.in_(ids)))}
    names = _visit_targets(session, list(set(pairs.values())))
    return {cid: names.get(vid, "") for cid, vid in pairs.items()}


def correction_visit_days(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    """List column of corrections: the date of the visit that required them."""
    return {cid: day for cid, day in session.execute(
        select(Correction.id, InspectionVisit.day).join(InspectionVisit, InspectionVisit.id == Correction.visit_id)
        .where(Correction.id.in_(ids)))}


def correction_teams(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    """List column of corrections: the team that required them."""
    return {cid: name for cid, name in session.execute(
        select(Correction.id, SupervisionTeam.name).join(InspectionVisit, InspectionVisit.id == Correction.visit_id)
        .join(SupervisionTeam, SupervisionTeam.id == InspectionVisit.team_id).where(Correction.id.in_(ids)))}


# ------------------------------------------------------------------ corrections


def correction_state(closed_on: date | None, deadline: date | None, day: date) -> str:
    """A correction's state on `day`: closed (on or before it), overdue (open after its deadline) or open."""
    if closed_on is not None and closed_on <= day:
        return CLOSED
    if deadline is not None and deadline < day:
        return OVERDUE
    return OPEN


def correction_states(session: Session, ids: Sequence[uuid.UUID], day: date | None = None) -> Mapping[uuid.UUID, Any]:
    """List column of corrections: open / overdue / closed today (or on `day`)."""
    day = day or today_local()
    rows = session.execute(select(Correction.id, Correction.closed_on, Correction.deadline).where(Correction.id.in_(ids)))
    return {cid: correction_state(closed, deadline, day) for cid, closed, deadline in rows}


def _open_on(day: date) -> Any:
    """Corrections required by a visit on or before `day` and not closed by then."""
    return and_(_LIVE_CORRECTION, _LIVE_VISIT, InspectionVisit.day <= day,
                or_(Correction.closed_on.is_(None), Correction.closed_on > day))


@dataclass(frozen=True)
class OverdueCorrection:
    id: uuid.UUID
    visit_id: uuid.UUID
    team: str
    visit_day: date
    target_kind: str
    target: str
    requirement: str
    deadline: date
    responsible: str
    days_overdue: int


def overdue_corrections(session: Session, day: date | None = None) -> list[OverdueCorrection]:
    """Corrections still open on `day` (default today) after their deadline, most overdue first."""
    day = day or today_local()
    stmt = (select(Correction, InspectionVisit, SupervisionTeam.name)
            .join(InspectionVisit, InspectionVisit.id == Correction.visit_id)
            .join(SupervisionTeam, SupervisionTeam.id == InspectionVisit.team_id)
            .where(_open_on(day), Correction.deadline < day)
            .order_by(Correction.deadline, Correction.id))
    rows = list(session.execute(stmt))
    names = target_names(session, (visit_target(v) for _c, v, _t in rows))
    return [OverdueCorrection(c.id, v.id, team, v.day, v.target_kind, names.get(visit_target(v)[1], ""),
                              c.requirement, c.deadline, c.responsible, (day - c.deadline).days)
            for c, v, team in rows]


def open_corrections(session: Session, day: date | None = None) -> int:
    day = day or today_local()
    return session.scalar(select(func.count()).select_from(Correction)
                          .join(InspectionVisit, InspectionVisit.id == Correction.visit_id)
                          .where(_open_on(day))) or 0


# ------------------------------------------------------------------ visits


def _count_by_visit(session: Session, stmt: Any) -> dict[uuid.UUID, int]:
    return {vid: n for vid, n in session.execute(stmt)}


def visit_failed_counts(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    """List column of visits: checklist items found failing."""
    found = _count_by_visit(session, select(ChecklistLine.visit_id, func.count()).where(
        ChecklistLine.visit_id.in_(ids), ChecklistLine.deleted_at.is_(None), ChecklistLine.result == FAILS)
        .group_by(ChecklistLine.visit_id))
    return {i: found.get(i, 0) for i in ids}


def visit_open_counts(session: Session, ids: Sequence[uuid.UUID], day: date | None = None) -> Mapping[uuid.UUID, Any]:
    """List column of visits: corrections not closed yet."""
    day = day or today_local()
    found = _count_by_visit(session, select(Correction.visit_id, func.count()).where(
        Correction.visit_id.in_(ids), _LIVE_CORRECTION,
        or_(Correction.closed_on.is_(None), Correction.closed_on > day)).group_by(Correction.visit_id))
    return {i: found.get(i, 0) for i in ids}


def visit_overdue_counts(session: Session, ids: Sequence[uuid.UUID], day: date | None = None) -> Mapping[uuid.UUID, Any]:
    """List column of visits: corrections open after their deadline."""
    day = day or today_local()
    found = _count_by_visit(session, select(Correction.visit_id, func.count()).where(
        Correction.visit_id.in_(ids), _LIVE_CORRECTION, Correction.deadline < day,
        or_(Correction.closed_on.is_(None), Correction.closed_on > day)).group_by(Correction.visit_id))
    return {i: found.get(i, 0) for i in ids}


def visits_between(session: Session, start: date, end: date) -> int:
    return session.scalar(select(func.count()).select_from(InspectionVisit).where(
        _LIVE_VISIT, InspectionVisit.day >= start, InspectionVisit.day <= end)) or 0


# ------------------------------------------------------------------ a period


@dataclass(frozen=True)
class TeamFigures:
    team_id: uuid.UUID
    team: str
    leader: str
    visits: int
    visits_by_kind: dict[str, int]
    failed_items: int
    corrections_opened: int
    corrections_closed: int
    corrections_open: int  # at the period's end
    corrections_overdue: int  # at the period's end


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    teams: tuple[TeamFigures, ...]
    failed_by_item: tuple[tuple[str, int], ...]  # (item, times failed), most first

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.teams)

    def visits_of_kind(self, kind: str) -> int:
        return sum(t.visits_by_kind.get(kind, 0) for t in self.teams)


def period_figures(session: Session, period: Period, team_id: uuid.UUID | None = None) -> PeriodFigures:
    """Visits per team and per target kind in `period`, checklist items failed, and corrections
    opened (required by a visit in the period), closed in it, and open and overdue at its end."""
    end = period.end
    teams = list(session.execute(
        select(SupervisionTeam.id, SupervisionTeam.name, SupervisionTeam.leader_name)
        .where(SupervisionTeam.deleted_at.is_(None), *([SupervisionTeam.id == team_id] if team_id else []))
        .order_by(SupervisionTeam.id)))
    in_period = and_(_LIVE_VISIT, InspectionVisit.day >= period.start, InspectionVisit.day <= end)

    by_kind: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for tid, kind, n in session.execute(select(InspectionVisit.team_id, InspectionVisit.target_kind, func.count())
                                        .where(in_period).group_by(InspectionVisit.team_id, InspectionVisit.target_kind)):
        by_kind[tid][kind] = n

    failed_stmt = (select(InspectionVisit.team_id, ChecklistLine.item, func.count())
                   .join(InspectionVisit, InspectionVisit.id == ChecklistLine.visit_id)
                   .where(in_period, ChecklistLine.deleted_at.is_(None), ChecklistLine.result == FAILS)
                   .group_by(InspectionVisit.team_id, ChecklistLine.item))
    failed: Counter[uuid.UUID] = Counter()
    failed_items: Counter[str] = Counter()
    team_ids = {t[0] for t in teams}
    for tid, item, n in session.execute(failed_stmt):
        if tid in team_ids:
            failed[tid] += n
            failed_items[item] += n

    def per_team(condition: Any) -> Counter[uuid.UUID]:
        stmt = (select(InspectionVisit.team_id, func.count()).select_from(Correction)
                .join(InspectionVisit, InspectionVisit.id == Correction.visit_id)
                .where(_LIVE_CORRECTION, _LIVE_VISIT, condition).group_by(InspectionVisit.team_id))
        return Counter({tid: n for tid, n in session.execute(stmt)})

    opened = per_team(and_(InspectionVisit.day >= period.start, InspectionVisit.day <= end))
    closed = per_team(and_(Correction.closed_on >= period.start, Correction.closed_on <= end))
    still_open = per_team(_open_on(end))
    overdue = per_team(and_(_open_on(end), Correction.deadline < end))

    return PeriodFigures(period, tuple(
        TeamFigures(tid, name, leader, sum(by_kind[tid].values()), dict(by_kind[tid]), failed[tid],
                    opened[tid], closed[tid], still_open[tid], overdue[tid])
        for tid, name, leader in teams), tuple(failed_items.most_common()))


@dataclass(frozen=True)
class VisitLine:
    id: uuid.UUID
    team_id: uuid.UUID
    day: date
    target_kind: str
    target: str
    failed_items: int
    corrections: int
    corrections_open: int  # at the period's end
    report_number: str


def visit_lines(session: Session, period: Period, team_id: uuid.UUID | None = None) -> list[VisitLine]:
    """The visits of `period` (of one team), by date, with their failed items and corrections."""
    stmt = select(InspectionVisit).where(_LIVE_VISIT, InspectionVisit.day >= period.start, InspectionVisit.day <= period.end)
    if team_id is not None:
        stmt = stmt.where(InspectionVisit.team_id == team_id)
    visits = list(session.scalars(stmt.order_by(InspectionVisit.day, InspectionVisit.id)))
    ids = [v.id for v in visits]
    names = target_names(session, (visit_target(v) for v in visits))
    failed = visit_failed_counts(session, ids)
    open_at_end = visit_open_counts(session, ids, period.end)
    total = _count_by_visit(session, select(Correction.visit_id, func.count()).where(
        Correction.visit_id.in_(ids), _LIVE_CORRECTION).group_by(Correction.visit_id))
    return [VisitLine(v.id, v.team_id, v.day, v.target_kind, names.get(visit_target(v)[1], ""), failed[v.id],
                      total.get(v.id, 0), open_at_end[v.id], v.report_number) for v in visits]


def _kind_title(key: str) -> str:
    try:
        return target_kind(key).title
    except KeyError:
        return key


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """The supervision teams' part of the statistics report (every role may read it: no personal data)."""
    pf = period_figures(session, period)
    overdue = pf.total("corrections_overdue")
    figures = [
        Figure("supervision_visits", _("Inspection visits"), pf.total("visits"), Unit.TIMES, summary=True,
               opens=Opens.period("supervision.visits", period)),
        *(Figure(f"supervision_visits_{k.key}", _("Inspection visits to: {kind}").format(kind=k.title),
                 pf.visits_of_kind(k.key), Unit.TIMES) for k in target_kinds()),
        Figure("supervision_failed_items", _("Checklist items found failing"), pf.total("failed_items"), Unit.COUNT,
               alert=pf.total("failed_items") > 0, opens=Opens.period("supervision.visits", period)),
        Figure("supervision_corrections_opened", _("Corrections required"), pf.total("corrections_opened"),
               Unit.COUNT, summary=True),
        Figure("supervision_corrections_closed", _("Corrections closed"), pf.total("corrections_closed"), Unit.COUNT),
        Figure("supervision_corrections_open", _("Corrections open at the end of the period"),
               pf.total("corrections_open"), Unit.COUNT),
        Figure("supervision_corrections_overdue", _("Corrections overdue at the end of the period"), overdue,
               Unit.COUNT, alert=overdue > 0, summary=True, opens=Opens("supervision.corrections"),
               note=_("open after their deadline on {day}").format(day=period.end.isoformat())),
    ]
    kinds = target_kinds()
    team_table = FigureTable(
        _("Inspections by supervision team"),
        (_("Supervision team"), _("Team leader"), _("Number of visits"), *(k.title for k in kinds), _("Failed items"),
         _("Corrections required"), _("Corrected"), _("Not yet corrected"), _("Correction overdue")),
        tuple((t.team, t.leader, t.visits, *(t.visits_by_kind.get(k.key, 0) for k in kinds), t.failed_items,
               t.corrections_opened, t.corrections_closed, t.corrections_open, t.corrections_overdue)
              for t in pf.teams),
        frozenset(i for i, t in enumerate(pf.teams) if t.corrections_overdue))
    tables = [team_table]
    lines = visit_lines(session, period)
    for t in pf.teams:
        mine = [v for v in lines if v.team_id == t.team_id]
        if not mine:
            continue
        tables.append(FigureTable(
            _("{team}: inspection visits").format(team=t.team),
            (_("Date"), _("Kind of target"), _("Target"), _("Failed items"), _("Corrections required"),
             _("Not yet corrected"), _("Report number")),
            tuple((v.day, _kind_title(v.target_kind), v.target, v.failed_items, v.corrections, v.corrections_open,
                   v.report_number) for v in mine),
            frozenset(i for i, v in enumerate(mine) if v.corrections_open)))
    if pf.failed_by_item:
        tables.append(FigureTable(_("Checklist items found failing"), (_("Checklist item"), _("Times failed")),
                                  tuple(pf.failed_by_item)))
    notes = []
    if overdue:
        notes.append(_("{n} corrections were still open after their deadline on {day}.").format(
            n=overdue, day=period.end.isoformat()))
    return ReportSection("supervision", _("Supervision teams"), tuple(figures), tuple(tables), tuple(notes))
