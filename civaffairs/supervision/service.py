"""The inspection loop beyond what the generic register service does: a visit created with its
checklist filled from its kind of target, the report issued under a number from the numbering
service (kind "inspection", e.g. 麦民督〔2021〕5号) or its number cancelled with a reason, a
correction closed, and the plain data of the papers.

Same rules as the generic service: permission (`actor.can_write(GROUP)`: administrators and
leaders), typed `ValidationError`s, the caller's one transaction, an audit entry per change."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.notices.data import parse_document_number
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberKind, NumberStatus, register_kind
from civaffairs.records import service as records
from civaffairs.records.spec import get_register
from civaffairs.reports.figures import Period
from civaffairs.supervision import figures
from civaffairs.supervision.fields import (
    CHECKLIST, CORRECTIONS, GROUP, RESULTS, TEAMS, VISITS,
)
from civaffairs.supervision.models import (
    ChecklistLine, Correction, FollowUp, InspectionVisit, SupervisionTeam, TeamMember,
)
from civaffairs.supervision.targets import target_kind
from civaffairs.sync.capture import replayable

INSPECTION = register_kind(NumberKind("inspection", N_("Inspection report number"), default_prefix="麦民督"))


def can_write(actor: Actor) -> bool:
    return actor.can_write(GROUP)


def _require_write(actor: Actor) -> None:
    if not can_write(actor):
        raise PermissionDenied(_("Only administrators and leaders may change the supervision teams' records."))


def _visit(session: Session, visit_id: uuid.UUID, *, for_update: bool = False) -> InspectionVisit:
    visit = session.get(InspectionVisit, visit_id, with_for_update=for_update, populate_existing=for_update)
    if visit is None or visit.deleted_at is not None:
        raise NotFound(_("This inspection visit no longer exists."))
    return visit


# ------------------------------------------------------------------ visits and checklists


def create_visit(session: Session, actor: Actor, values: Mapping[str, Any]) -> records.Row:
    """A new visit (validated by the register's rules), its checklist filled from its kind of target."""
    row = records.create(session, actor, VISITS, values)
    fill_checklist(session, actor, row.id)
    return records.get(session, actor, VISITS, row.id)


@replayable("supervision.fill_checklist", register=VISITS.key, record_arg="visit_id")
def fill_checklist(session: Session, actor: Actor, visit_id: uuid.UUID) -> int:
    """Add the checklist items of the visit's kind of target, each line audited; nothing when the
    visit has a checklist already.  Returns how many lines were added."""
    _require_write(actor)
    visit = _visit(session, visit_id)
    present = session.scalar(select(func.count()).select_from(ChecklistLine).where(
        ChecklistLine.visit_id == visit_id, ChecklistLine.deleted_at.is_(None))) or 0
    if present:
        return 0
    now = now_utc()
    for position, item in enumerate(target_kind(visit.target_kind).checklist, start=1):
        text = _(item.label)
        line = ChecklistLine(visit_id=visit_id, position=position, item_code=item.code, item=text, result=None,
                             note="", created_at=now, created_by=actor.username, updated_at=now,
                             updated_by=actor.username)
        session.add(line)
        session.flush()
        audit.record(session, actor, "create", CHECKLIST.key, line.id, record_version=line.version, label=text,
                     changes={"visit_id": [None, str(visit_id)], "item": [None, text]}, at=now)
    return len(target_kind(visit.target_kind).checklist)


def checklist(session: Session, visit_id: uuid.UUID) -> list[ChecklistLine]:
    return list(session.scalars(select(ChecklistLine).where(
        ChecklistLine.visit_id == visit_id, ChecklistLine.deleted_at.is_(None))
        .order_by(ChecklistLine.position, ChecklistLine.id)))


# ------------------------------------------------------------------ report numbers


@replayable("supervision.issue_report", register=VISITS.key, record_arg="visit_id")
def issue_report(session: Session, actor: Actor, visit_id: uuid.UUID, prefix: str | None = None,
                 day: date | None = None) -> str:
    """Finalise the visit's report under the next inspection number of (prefix, year of `day`).
    Refused while a checklist line has no result or the findings are empty; a number is given once."""
    _require_write(actor)
    visit = _visit(session, visit_id, for_update=True)
    if visit.report_number:
        raise ValidationError.at("", _("This report has already been issued as {number}.").format(
            number=visit.report_number))
    day = day or today_local()
    errors: dict[str, str] = {}
    if day > today_local():
        errors["report_date"] = _("A report cannot be issued with a date in the future.")
    elif day < visit.day:
        errors["report_date"] = _("A report cannot be issued before the visit ({day}).").format(day=visit.day.isoformat())
    if not visit.findings.strip():
        errors["findings"] = _("Please write the findings before issuing the report.")
    lines = checklist(session, visit_id)
    missing = [line.item for line in lines if not line.result]
    if missing:
        errors["result"] = _("{n} checklist items have no result yet, e.g. “{item}”.").format(n=len(missing), item=missing[0])
    if errors:
        raise ValidationError(errors)
    entry = numbering.allocate(session, actor, INSPECTION, prefix or INSPECTION.default_prefix, day.year,
                               owner_register=VISITS.key, owner_id=visit.id, owner_label=_visit_label(session, visit))
    now = now_utc()
    visit.report_number, visit.report_date = entry.number, day
    visit.updated_at, visit.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "issue", VISITS.key, visit.id, record_version=visit.version,
                 label=_visit_label(session, visit), at=now,
                 changes={"report_number": [None, entry.number], "report_date": [None, day.isoformat()]})
    return entry.number


@replayable("supervision.cancel_report_number", register=VISITS.key, record_arg="visit_id")
def cancel_report_number(session: Session, actor: Actor, visit_id: uuid.UUID, reason: str) -> str:
    """Cancel the visit's report number: it stays in the number register with the reason and is
    never given again; the visit can be corrected and issued under a new number.  Returns the number."""
    _require_write(actor)
    text = numbering.clean_reason(reason)
    visit = _visit(session, visit_id, for_update=True)
    entry = numbering.owner_number(session, VISITS.key, visit.id)
    if not visit.report_number or entry is None:
        raise ValidationError.at("", _("This report has not been issued."))
    numbering.cancel(session, actor, entry, text)
    now = now_utc()
    number = visit.report_number
    visit.report_number, visit.report_date = "", None
    visit.updated_at, visit.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "cancel", VISITS.key, visit.id, record_version=visit.version,
                 label=_visit_label(session, visit), at=now,
                 changes={"report_number": [number, None], "reason": [None, text]})
    return number


def find_by_number(session: Session, number: str) -> uuid.UUID:
    """The visit whose report carries `number` (typed as people do: 〔〕, [], （）)."""
    parsed = parse_document_number(number)
    if parsed is None:
        raise NotFound(_("“{number}” is not a report number such as 麦民督〔2021〕5号.").format(number=number.strip()))
    try:
        entry = numbering.find(session, INSPECTION, *parsed)
    except NotFound:
        raise NotFound(_("There is no inspection report numbered {number}.").format(
            number=INSPECTION.format(*parsed))) from None
    if entry.status == NumberStatus.CANCELLED:
        raise NotFound(_("The number {number} was cancelled: {reason}").format(number=entry.number,
                                                                           reason=entry.cancel_reason))
    if entry.owner_id is None:
        raise NotFound(_("The number {number} belongs to no inspection visit.").format(number=entry.number))
    return entry.owner_id


# ------------------------------------------------------------------ corrections


def close_correction(session: Session, actor: Actor, correction_id: uuid.UUID, expected_version: int,
                     day: date, note: str) -> records.Row:
    """Close a correction with its date and a note on how it was corrected (the register's rule
    refuses a closing without either)."""
    return records.update(session, actor, CORRECTIONS, correction_id, expected_version,
                          {"closed_on": day, "closing_note": note})


# ------------------------------------------------------------------ what the papers say


def _target(session: Session, visit: InspectionVisit) -> tuple[str, str, str]:
    """(kind title, name, address) of a visit's target."""
    kind = target_kind(visit.target_kind)
    target_id = getattr(visit, kind.field, None)
    try:
        model = get_register(kind.register_key).model
    except KeyError:
        return kind.title, "", ""
    obj = session.get(model, target_id) if target_id else None
    if obj is None:
        return kind.title, "", ""
    spec = get_register(kind.register_key)
    return kind.title, str(getattr(obj, spec.display_fields[0])), str(getattr(obj, "address", "") or "")


def _visit_label(session: Session, visit: InspectionVisit) -> str:
    _kind, name, _address = _target(session, visit)
    return f"{visit.day.isoformat()} {name}".strip()


@dataclass(frozen=True)
class ChecklistEntry:
    item: str
    result: str  # translated: 符合 / 不符合 / 不适用, or "" when not checked
    failed: bool
    note: str


@dataclass(frozen=True)
class CorrectionEntry:
    requirement: str
    deadline: date
    responsible: str
    closed_on: date | None
    closing_note: str
    follow_ups: tuple[tuple[date, str, str], ...]  # (day, what was found, by whom)


@dataclass(frozen=True)
class InspectionReport:
    """What the inspection report (督查报告) of one visit says."""

    visit_id: uuid.UUID
    office_name: str
    number: str  # "" before the report is issued (printed as a draft)
    report_date: date | None
    team: str
    leader: str
    leader_post: str
    members: tuple[str, ...]
    inspectors: str
    day: date
    target_kind: str
    target: str
    target_address: str
    checklist: tuple[ChecklistEntry, ...]
    findings: str
    corrections: tuple[CorrectionEntry, ...]


def _result_title(code: str | None) -> str:
    return next((c.title for c in RESULTS if c.code == code), "")


def _corrections(session: Session, visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[CorrectionEntry]]:
    found: dict[uuid.UUID, list[CorrectionEntry]] = {v: [] for v in visit_ids}
    corrections = list(session.scalars(select(Correction).where(
        Correction.visit_id.in_(visit_ids), Correction.deleted_at.is_(None)).order_by(Correction.deadline, Correction.id)))
    follow: dict[uuid.UUID, list[tuple[date, str, str]]] = {c.id: [] for c in corrections}
    for f in session.scalars(select(FollowUp).where(FollowUp.correction_id.in_(list(follow)), FollowUp.deleted_at.is_(None))
                             .order_by(FollowUp.day, FollowUp.id)):
        follow[f.correction_id].append((f.day, f.found, f.checked_by))
    for c in corrections:
        found[c.visit_id].append(CorrectionEntry(c.requirement, c.deadline, c.responsible, c.closed_on,
                                                 c.closing_note, tuple(follow[c.id])))
    return found


def inspection_report(session: Session, actor: Actor, visit_id: uuid.UUID) -> InspectionReport:
    """The report of a visit (every role may read it: it names no personal data beyond the
    names of the team and of the responsible persons)."""
    visit = _visit(session, visit_id)
    team = session.get(SupervisionTeam, visit.team_id)
    assert team is not None
    members = tuple(session.scalars(select(TeamMember.name).where(
        TeamMember.team_id == team.id, TeamMember.deleted_at.is_(None)).order_by(TeamMember.id)))
    kind, name, address = _target(session, visit)
    return InspectionReport(
        visit_id=visit.id, office_name=accounts.office_name(session), number=visit.report_number,
        report_date=visit.report_date, team=team.name, leader=team.leader_name, leader_post=team.leader_post,
        members=members, inspectors=visit.inspectors, day=visit.day, target_kind=kind, target=name,
        target_address=address,
        checklist=tuple(ChecklistEntry(line.item, _result_title(line.result), line.result == figures.FAILS, line.note)
                        for line in checklist(session, visit.id)),
        findings=visit.findings, corrections=tuple(_corrections(session, [visit.id])[visit.id]))


@dataclass(frozen=True)
class TeamSummary:
    """A team's summary for a period (督查工作小结): its visits and their corrections."""

    office_name: str
    period: Period
    team: str
    leader: str
    leader_post: str
    members: tuple[str, ...]
    figures: figures.TeamFigures
    visits: tuple[figures.VisitLine, ...]
    corrections: tuple[tuple[figures.VisitLine, CorrectionEntry], ...]


def team_summary(session: Session, actor: Actor, team_id: uuid.UUID, period: Period) -> TeamSummary:
    team = session.get(SupervisionTeam, team_id)
    if team is None or team.deleted_at is not None:
        raise NotFound(_("This supervision team no longer exists."))
    pf = figures.period_figures(session, period, team_id)
    visits = figures.visit_lines(session, period, team_id)
    corrections = _corrections(session, [v.id for v in visits])
    members = tuple(session.scalars(select(TeamMember.name).where(
        TeamMember.team_id == team.id, TeamMember.deleted_at.is_(None)).order_by(TeamMember.id)))
    return TeamSummary(accounts.office_name(session), period, team.name, team.leader_name, team.leader_post, members,
                       pf.teams[0], tuple(visits),
                       tuple((v, c) for v in visits for c in corrections[v.id]))


def teams(session: Session) -> list[tuple[uuid.UUID, str]]:
    return list(session.execute(select(SupervisionTeam.id, SupervisionTeam.name).where(
        SupervisionTeam.deleted_at.is_(None)).order_by(SupervisionTeam.id)))


__all__ = ["INSPECTION", "TEAMS", "create_visit", "fill_checklist", "issue_report", "cancel_report_number",
           "find_by_number", "close_correction", "inspection_report", "team_summary"]
