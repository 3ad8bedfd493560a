"""The supervision teams' registers: teams and their members, inspection visits with their
checklists and required corrections, and the follow-ups of each correction.  They are the leading
group's own work (group 0): administrators and leaders write them, everyone reads them."""
from __future__ import annotations

import importlib
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import LEADING_GROUP
from civaffairs.core.i18n import N_, _
from civaffairs.groups import load_all
from civaffairs.records.rules import unique_name
from civaffairs.records.spec import (
    Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, get_register, register,
)
from civaffairs.supervision import figures
from civaffairs.supervision.models import (
    ChecklistLine, Correction, FollowUp, InspectionVisit, SupervisionTeam, TeamMember,
)
from civaffairs.supervision.targets import target_kinds

GROUP = LEADING_GROUP

RESULTS = (
    Choice("conforms", N_("Conforms"), "#1e8449"),
    Choice(figures.FAILS, N_("Fails"), "#c0392b"),
    Choice("not_applicable", N_("Not applicable"), "#7f8c8d"),
)
CORRECTION_STATES = (
    Choice(figures.OPEN, N_("Not yet corrected"), "#b7950b"),
    Choice(figures.OVERDUE, N_("Correction overdue"), "#c0392b"),
    Choice(figures.CLOSED, N_("Corrected"), "#1e8449"),
)


def _known(register_key: str) -> bool:
    """Whether a target register exists, loading its group's fields first (the group's package is
    the first part of the key), so that the order of imports does not matter."""
    package = register_key.split(".")[0]
    try:
        importlib.import_module(f"civaffairs.groups.{package}.fields")
    except ModuleNotFoundError as e:
        if e.name != f"civaffairs.groups.{package}.fields":
            raise
    try:
        get_register(register_key)
    except KeyError:
        return False
    return True


# Later groups register their kinds of target in their own fields module (a social organisation,
# an organisation receiving donations): load them all before the kinds are listed.
load_all()

# The kinds whose register exists: the others are neither offered nor shown until it does.
AVAILABLE_KINDS = tuple(k for k in target_kinds() if _known(k.register_key))


TEAMS = register(RegisterSpec(
    key="supervision.teams", group=GROUP, title=N_("Supervision teams"), record_noun=N_("supervision team"),
    model=SupervisionTeam, display_fields=("name",),
    fields=(
        FieldSpec("name", N_("Team"), required=True, max_length=50, searchable=True, width=16,
                  placeholder=N_("e.g. 第一督查组")),
        FieldSpec("leader_name", N_("Team leader"), required=True, max_length=50, searchable=True, width=10),
        FieldSpec("leader_post", N_("Leader's post"), max_length=50, width=12, placeholder=N_("e.g. 副局长")),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=24),
    ),
    rules=(unique_name(SupervisionTeam, N_("There is already a team called “{name}”.")),),
))

MEMBERS = register(RegisterSpec(
    key="supervision.members", natural_key=("team_id", "name"), group=GROUP, title=N_("Team members"), record_noun=N_("team member"),
    model=TeamMember, display_fields=("name",), default_sort="name", parent_field="team_id",
    fields=(
        FieldSpec("team_id", N_("Supervision team"), Kind.REFERENCE, reference=TEAMS.key, required=True, width=16),
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=10),
        FieldSpec("post", N_("Post"), max_length=50, width=24),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, searchable=True, width=12),
    ),
))


def _stored_visit(session: Session, record_id: uuid.UUID | None) -> InspectionVisit | None:
    return session.get(InspectionVisit, record_id) if record_id else None


def _one_target(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A visit inspects exactly one target: the one of its kind, and no other."""
    kind_key = values.get("target_kind")
    kind = next((k for k in AVAILABLE_KINDS if k.key == kind_key), None)
    if kind is None:
        return {} if kind_key is None else {"target_kind": _("This kind of target cannot be chosen yet.")}
    errors = {}
    if values.get(kind.field) is None:
        errors[kind.field] = _("Please choose the {kind} that was inspected.").format(kind=kind.title)
    for other in AVAILABLE_KINDS:
        if other is not kind and values.get(other.field) is not None:
            errors[other.field] = _("A visit inspects one target: leave this empty for a visit to a {kind}.").format(
                kind=kind.title)
    return errors


def _kind_kept_with_checklist(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """The checklist was made for the kind of target: the kind cannot change under it."""
    stored = _stored_visit(session, record_id)
    if stored is None or stored.target_kind == values.get("target_kind"):
        return {}
    lines = session.scalar(select(func.count()).select_from(ChecklistLine).where(
        ChecklistLine.visit_id == stored.id, ChecklistLine.deleted_at.is_(None))) or 0
    if lines:
        return {"target_kind": _("The checklist of this visit was made for its kind of target; "
                                 "delete its {n} checklist lines first to change the kind.").format(n=lines)}
    return {}


_REPORT_FIELDS = ("team_id", "day", "target_kind", "inspectors", "findings",
                  *(k.field for k in AVAILABLE_KINDS))


def _issued_report_kept(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """What an issued report states does not change under its number (cancel the number first)."""
    stored = _stored_visit(session, record_id)
    if stored is None or not stored.report_number:
        return {}
    changed = [n for n in _REPORT_FIELDS if values.get(n) != getattr(stored, n)]
    return {n: _("The report {number} has been issued: cancel its number before changing what it states.").format(
        number=stored.report_number) for n in changed}


VISITS = register(RegisterSpec(
    key="supervision.visits", group=GROUP, title=N_("Inspection visits"), record_noun=N_("inspection visit"),
    model=InspectionVisit, display_fields=("day", "inspectors"), date_field="day",
    default_sort="day", default_descending=True, parent_field="team_id",
    fields=(
        FieldSpec("team_id", N_("Supervision team"), Kind.REFERENCE, reference=TEAMS.key, required=True,
                  searchable=True, width=16),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=13),
        FieldSpec("target_kind", N_("Kind of target"), Kind.CHOICE, required=True, width=16,
                  choices=tuple(Choice(k.key, k.label) for k in AVAILABLE_KINDS)),
        *(FieldSpec(k.field, k.label, Kind.REFERENCE, reference=k.register_key, searchable=True, width=22)
          for k in AVAILABLE_KINDS),
        FieldSpec("inspectors", N_("Inspectors"), required=True, max_length=200, searchable=True, width=22,
                  placeholder=N_("e.g. 王建国、李娜")),
        FieldSpec("findings", N_("Findings"), Kind.LONG_TEXT, max_length=2000, searchable=True, width=30),
        FieldSpec("report_number", N_("Report number"), max_length=40, searchable=True, in_form=False, width=22),
        FieldSpec("report_date", N_("Report date"), Kind.DATE, in_form=False, width=13),
    ),
    computed=(
        ComputedColumn(FieldSpec("failed_items", N_("Failed items"), Kind.INTEGER, in_form=False, width=6),
                       figures.visit_failed_counts),
        ComputedColumn(FieldSpec("open_corrections", N_("Open corrections"), Kind.INTEGER, in_form=False, width=6),
                       figures.visit_open_counts),
        ComputedColumn(FieldSpec("overdue_corrections", N_("Overdue corrections"), Kind.INTEGER, in_form=False,
                                 width=6), figures.visit_overdue_counts),
    ),
    row_level=lambda v: RowLevel.ALERT if v.get("overdue_corrections") else None,
    rules=(_one_target, _kind_kept_with_checklist, _issued_report_kept),
))


def _report_not_issued(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    visit = session.get(InspectionVisit, values.get("visit_id")) if values.get("visit_id") else None
    if visit is not None and visit.report_number:
        return {"": _("The report {number} has been issued: cancel its number before changing its checklist.").format(
            number=visit.report_number)}
    return {}


CHECKLIST = register(RegisterSpec(
    key="supervision.checklist", natural_key=("visit_id", "item"), group=GROUP, title=N_("Checklists"), record_noun=N_("checklist line"),
    model=ChecklistLine, display_fields=("item",), default_sort="position", parent_field="visit_id",
    fields=(
        # Lines are seen under their visit (the detail pane), where this column is hidden anyway.
        FieldSpec("visit_id", N_("Inspection visit"), Kind.REFERENCE, reference=VISITS.key, required=True,
                  in_list=False),
        FieldSpec("position", N_("No."), Kind.INTEGER, in_form=False, width=5),
        FieldSpec("item", N_("Checklist item"), required=True, max_length=200, searchable=True, width=50),
        FieldSpec("result", N_("Check result"), Kind.CHOICE, choices=RESULTS, width=12),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, width=40),
    ),
    row_level=lambda v: RowLevel.WARNING if v.get("result") == figures.FAILS else None,
    carry_over=("visit_id",),
    rules=(_report_not_issued,),
))


def _visit_day(session: Session, visit_id: Any) -> Any:
    return session.scalar(select(InspectionVisit.day).where(InspectionVisit.id == visit_id)) if visit_id else None


def _closing(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A correction is closed with a date and a note saying how it was corrected; its dates follow the visit."""
    errors = {}
    closed_on, note = values.get("closed_on"), (values.get("closing_note") or "").strip()
    if closed_on is not None and not note:
        errors["closing_note"] = _("Please say how the correction was made before closing it.")
    if note and closed_on is None:
        errors["closed_on"] = _("Please enter the date the correction was closed, or leave the closing note empty.")
    day = _visit_day(session, values.get("visit_id"))
    if day is not None:
        if values.get("deadline") is not None and values["deadline"] < day:
            errors["deadline"] = _("The deadline is before the visit ({day}).").format(day=day.isoformat())
        if closed_on is not None and closed_on < day:
            errors["closed_on"] = _("A correction cannot be closed before the visit ({day}).").format(day=day.isoformat())
    return errors


CORRECTIONS = register(RegisterSpec(
    key="supervision.corrections", natural_key=("visit_id", "requirement"), group=GROUP, title=N_("Corrections"), record_noun=N_("correction"),
    model=Correction, display_fields=("requirement",), date_field="deadline", default_sort="deadline",
    parent_field="visit_id",
    fields=(
        # The list names the visit by its date, team and target (computed below) rather than by this reference.
        FieldSpec("visit_id", N_("Inspection visit"), Kind.REFERENCE, reference=VISITS.key, required=True,
                  in_list=False),
        FieldSpec("requirement", N_("What must be corrected"), Kind.LONG_TEXT, required=True, max_length=1000,
                  searchable=True, width=40),
        FieldSpec("deadline", N_("Correction deadline"), Kind.DATE, required=True, width=13),
        FieldSpec("responsible", N_("Responsible person"), required=True, max_length=50, searchable=True, width=14),
        FieldSpec("closed_on", N_("Correction closed on"), Kind.DATE, not_in_future=True, width=13),
        FieldSpec("closing_note", N_("Closing note"), Kind.LONG_TEXT, max_length=1000, width=30),
    ),
    computed=(
        ComputedColumn(FieldSpec("state", N_("Correction state"), Kind.CHOICE, choices=CORRECTION_STATES,
                                 in_form=False, width=14), figures.correction_states),
        ComputedColumn(FieldSpec("visit_day", N_("Date of inspection"), Kind.DATE, in_form=False, width=13),
                       figures.correction_visit_days),
        ComputedColumn(FieldSpec("team", N_("Supervision team"), in_form=False, width=14), figures.correction_teams),
        ComputedColumn(FieldSpec("target", N_("Target"), in_form=False, width=22), figures.correction_target_names),
    ),
    row_level=lambda v: RowLevel.ALERT if v.get("state") == figures.OVERDUE else None,
    rules=(_closing,),
))


def _after_the_visit(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    correction_id, day = values.get("correction_id"), values.get("day")
    if correction_id is None or day is None:
        return {}
    visit_day = session.scalar(select(InspectionVisit.day).join(Correction, Correction.visit_id == InspectionVisit.id)
                               .where(Correction.id == correction_id))
    if visit_day is not None and day < visit_day:
        return {"day": _("A follow-up cannot be before the visit ({day}).").format(day=visit_day.isoformat())}
    return {}


FOLLOW_UPS = register(RegisterSpec(
    key="supervision.follow_ups", natural_key=("correction_id", "day", "checked_by"), group=GROUP, title=N_("Follow-ups"), record_noun=N_("follow-up"),
    model=FollowUp, display_fields=("day", "checked_by"), date_field="day", default_sort="day",
    parent_field="correction_id",
    fields=(
        FieldSpec("correction_id", N_("Correction"), Kind.REFERENCE, reference=CORRECTIONS.key, required=True,
                  width=30),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=13),
        FieldSpec("found", N_("What was found"), Kind.LONG_TEXT, required=True, max_length=1000, searchable=True,
                  width=50),
        FieldSpec("checked_by", N_("Checked by"), required=True, max_length=50, searchable=True, width=12),
    ),
    rules=(_after_the_visit,),
))

REGISTERS = (TEAMS, MEMBERS, VISITS, CHECKLIST, CORRECTIONS, FOLLOW_UPS)
