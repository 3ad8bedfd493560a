"""Group 2's registers, as field specs and rules; the shared machinery does the rest.  Computed
columns call `figures.py`, so that the lists, the overview, the report and the tests agree."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from civaffairs.core.dates import long_date
from civaffairs.core.i18n import N_, _
from civaffairs.groups.service_institutions.models import (
    DailyCheck, Institution, InstitutionStatus, NatResult, NatRound, PostponedMarriage, Resident, StaffOnSite,
    SupplyReserve,
)
from civaffairs.places.fields import TOWNS
from civaffairs.records.rules import in_order, unique_name
from civaffairs.records.spec import (
    Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, register,
)
from civaffairs.records.status import StatusHistory

GROUP = 2
COVER_TARGET_DAYS = 30  # the brief: one month of basic supplies

RED, GREEN, AMBER, GREY = "#c0392b", "#1e8449", "#b7950b", "#7f8c8d"

KINDS = (
    Choice("elderly_care", N_("Elderly care institution")),
    Choice("urban_centre", N_("Urban elderly care service centre")),
    Choice("day_care", N_("Day care centre")),
    Choice("marriage_registry", N_("Marriage registry")),
    Choice("funeral", N_("Funeral service")),
    Choice("child_welfare", N_("Child welfare home")),
    Choice("relief_station", N_("Relief station")),
)

NORMAL, CLOSED, GATHERINGS_SUSPENDED, REGISTRATION_SUSPENDED = (
    "normal", "closed", "gatherings_suspended", "registration_suspended")
STATUSES = (
    Choice(NORMAL, N_("Normal operation"), GREEN),
    Choice(CLOSED, N_("Closed management"), "#a04000"),
    Choice(GATHERINGS_SUSPENDED, N_("Gathering services suspended"), AMBER),
    Choice(REGISTRATION_SUSPENDED, N_("Registration suspended"), AMBER),
)

CARE_LEVELS = (
    Choice("self_care", N_("Self-care")),
    Choice("partial", N_("Partial care")),
    Choice("full", N_("Full care")),
)
SEXES = (Choice("male", N_("Male")), Choice("female", N_("Female")))

NEGATIVE, POSITIVE, PENDING, NOT_TESTED = "negative", "positive", "pending", "not_tested"
RESULTS = (
    Choice(NEGATIVE, N_("Negative"), GREEN),
    Choice(POSITIVE, N_("Positive"), RED),
    Choice(PENDING, N_("Result pending"), AMBER),
    Choice(NOT_TESTED, N_("Not tested"), GREY),
)
# A round as a whole: every resident present negative, a positive among them, or not done yet.
ALL_NEGATIVE, HAS_POSITIVE, INCOMPLETE = "all_negative", "positive", "incomplete"
ROUND_OUTCOMES = (
    Choice(ALL_NEGATIVE, N_("All negative"), GREEN),
    Choice(HAS_POSITIVE, N_("Positive found"), RED),
    Choice(INCOMPLETE, N_("Not complete"), AMBER),
)

OTHER_ITEM = "other"
ITEMS = (
    Choice("rice", N_("Rice")),
    Choice("flour", N_("Flour")),
    Choice("cooking_oil", N_("Cooking oil")),
    Choice("vegetables", N_("Vegetables")),
    Choice("meat_eggs", N_("Meat and eggs")),
    Choice("masks", N_("Masks")),
    Choice("disinfectant", N_("Disinfectant")),
    Choice("medicines", N_("Medicines")),
    Choice(OTHER_ITEM, N_("Other")),
)


def _figures():  # type: ignore[no-untyped-def]
    # figures.py reads this module's choices; imported when a page is computed, not at import time.
    from civaffairs.groups.service_institutions import figures

    return figures


def _one_of(model: type, record_id: uuid.UUID | None, *conds: Any) -> Any:
    stmt = select(model).where(model.deleted_at.is_(None), *conds)
    if record_id is not None:
        stmt = stmt.where(model.id != record_id)
    return stmt.limit(1)


# ------------------------------------------------------------------ institutions


HISTORY = StatusHistory(InstitutionStatus, "institution_id", choices=STATUSES)


def _residents_today(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    from civaffairs.core.clock import today_local

    return _figures().residents_present(session, ids, today_local())


INSTITUTIONS = register(RegisterSpec(
    key="service_institutions.institutions", group=GROUP, title=N_("Institutions"), record_noun=N_("institution"),
    model=Institution, display_fields=("name",), default_sort="name",
    fields=(
        FieldSpec("name", N_("Institution name"), required=True, max_length=100, searchable=True, width=24),
        FieldSpec("kind", N_("Kind"), Kind.CHOICE, choices=KINDS, required=True, width=16),
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, searchable=True,
                  width=10),
        FieldSpec("address", N_("Address"), max_length=200, searchable=True, width=24),
        FieldSpec("person_in_charge", N_("Person in charge"), max_length=50, searchable=True, width=8),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, width=14),
        FieldSpec("capacity", N_("Beds"), Kind.INTEGER, minimum=0, maximum=5000, width=5),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        HISTORY.today_column(default=NORMAL, width=16),
        ComputedColumn(FieldSpec("residents_today", N_("Residents today"), Kind.INTEGER, in_form=False, width=6),
                       _residents_today),
    ),
    rules=(unique_name(Institution, N_("“{name}” is already in the list.")),),
))


def _status_fits_kind(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    institution_id, status = values.get("institution_id"), values.get("status")
    if institution_id is None or status != REGISTRATION_SUSPENDED:
        return {}
    kind = session.scalar(select(Institution.kind).where(Institution.id == institution_id))
    if kind != "marriage_registry":
        return {"status": _("Only a marriage registry suspends registration.")}
    return {}


STATUS_PERIODS = register(RegisterSpec(
    key="service_institutions.statuses", group=GROUP, title=N_("Status periods"), record_noun=N_("status period"),
    model=InstitutionStatus, display_fields=("institution_id", "status", "start_date"), date_field="start_date",
    default_sort="start_date", default_descending=True, parent_field="institution_id",
    fields=HISTORY.fields(INSTITUTIONS.key, N_("Institution")),
    rules=(HISTORY.no_overlap, _status_fits_kind),
))


# ------------------------------------------------------------------ people living in


def _present_overlap(start_col: Any, end_col: Any, start: date, end: date | None) -> list[Any]:
    """Conditions: the record's stay [start_col, end_col or open] overlaps [start, end or open]."""
    conds = [or_(end_col.is_(None), end_col >= start)]
    if end is not None:
        conds.append(start_col <= end)
    return conds


def _one_live_admission(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    number, admitted, discharged = values.get("id_number"), values.get("admission_date"), values.get("discharge_date")
    if not number or admitted is None:
        return {}
    if discharged is not None and discharged < admitted:
        return {"discharge_date": _("The discharge date is before the admission date.")}
    other = session.scalar(_one_of(Resident, record_id, Resident.id_number == number,
                                   *_present_overlap(Resident.admission_date, Resident.discharge_date,
                                                     admitted, discharged)))
    if other is None:
        return {}
    where = session.scalar(select(Institution.name).where(Institution.id == other.institution_id)) or ""
    return {"id_number": _("This person ({name}) is already admitted to {institution} from {day}.").format(
        name=other.name, institution=where, day=long_date(other.admission_date))}


def _sex(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: p.sex for i, p in _figures().resident_particulars(session, ids).items()}


def _age(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: p.age for i, p in _figures().resident_particulars(session, ids).items()}


RESIDENTS = register(RegisterSpec(
    key="service_institutions.residents", group=GROUP, title=N_("Institution residents"), record_noun=N_("resident"),
    model=Resident, display_fields=("name",), date_field="admission_date", default_sort="name",
    parent_field="institution_id",
    fields=(
        FieldSpec("institution_id", N_("Institution"), Kind.REFERENCE, reference=INSTITUTIONS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, required=True, sensitive=Sensitivity.ID_NUMBER,
                  searchable=True, width=18),
        FieldSpec("care_level", N_("Care level"), Kind.CHOICE, choices=CARE_LEVELS, required=True, width=8),
        FieldSpec("central_care", N_("Extreme-poverty person in central care"), Kind.BOOLEAN, width=12),
        FieldSpec("admission_date", N_("Admission date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("discharge_date", N_("Discharge date"), Kind.DATE, not_in_future=True, width=10),
    ),
    # Sex and age come from the ID number.  Not the birth date: that is the part of the number a
    # masked list hides, and computed columns are not masked.
    computed=(
        ComputedColumn(FieldSpec("sex", N_("Sex"), Kind.CHOICE, choices=SEXES, in_form=False, width=5), _sex),
        ComputedColumn(FieldSpec("age", N_("Age"), Kind.INTEGER, in_form=False, width=4), _age),
    ),
    carry_over=("institution_id", "care_level", "admission_date"),
    rules=(_one_live_admission,),
))


STAFF_ON_SITE = register(RegisterSpec(
    key="service_institutions.staff_on_site", group=GROUP, title=N_("Staff living in"),
    record_noun=N_("staff member living in"), model=StaffOnSite, display_fields=("name",), date_field="from_date",
    default_sort="name", parent_field="institution_id",
    fields=(
        FieldSpec("institution_id", N_("Institution"), Kind.REFERENCE, reference=INSTITUTIONS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("post", N_("Post"), max_length=50, width=10),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, width=12),
        FieldSpec("from_date", N_("From"), Kind.DATE, required=True, width=10),
        FieldSpec("to_date", N_("To"), Kind.DATE, width=10),
    ),
    rules=(in_order("from_date", "to_date", N_("The end date is before the start date.")),),
))


# ------------------------------------------------------------------ NAT rounds and results


def _completion(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: c.text for i, c in _figures().round_completion(session, ids).items()}


def _outcome(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: c.outcome for i, c in _figures().round_completion(session, ids).items()}


def _round_level(row: Mapping[str, Any]) -> RowLevel | None:
    return {HAS_POSITIVE: RowLevel.ALERT, INCOMPLETE: RowLevel.WARNING}.get(row.get("outcome") or "")


NAT_ROUNDS = register(RegisterSpec(
    key="service_institutions.nat_rounds", natural_key=("institution_id", "day"), group=GROUP, title=N_("NAT rounds"), record_noun=N_("NAT round"),
    model=NatRound, display_fields=("day", "organised_by"), date_field="day", default_sort="day",
    default_descending=True, parent_field="institution_id",
    fields=(
        FieldSpec("institution_id", N_("Institution"), Kind.REFERENCE, reference=INSTITUTIONS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("organised_by", N_("Organised by"), max_length=100, searchable=True, width=14),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, width=16),
    ),
    computed=(
        ComputedColumn(FieldSpec("completion", N_("Tested / present"), in_form=False, width=10), _completion),
        ComputedColumn(FieldSpec("outcome", N_("Outcome"), Kind.CHOICE, choices=ROUND_OUTCOMES, in_form=False,
                                 width=10), _outcome),
    ),
    row_level=_round_level,
))


def _result_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get("result") == NOT_TESTED and not values.get("reason"):
        errors["reason"] = _("Please give the reason why this resident was not tested.")
    round_id, resident_id = values.get("round_id"), values.get("resident_id")
    if round_id is None or resident_id is None:
        return errors
    nat_round = session.get(NatRound, round_id)
    resident = session.get(Resident, resident_id)
    if nat_round is None or resident is None:
        return errors  # the service reports the missing record at its field
    if resident.institution_id != nat_round.institution_id:
        where = session.scalar(select(Institution.name).where(Institution.id == resident.institution_id)) or ""
        errors["resident_id"] = _("{name} lives in {institution}, not in the institution of this round.").format(
            name=resident.name, institution=where)
    elif resident.admission_date > nat_round.day or (
            resident.discharge_date is not None and resident.discharge_date < nat_round.day):
        errors["resident_id"] = _("{name} was not living in the institution on {day}.").format(
            name=resident.name, day=long_date(nat_round.day))
    elif session.scalar(_one_of(NatResult, record_id, NatResult.round_id == round_id,
                                NatResult.resident_id == resident_id)) is not None:
        errors["resident_id"] = _("{name} already has a result in this round.").format(name=resident.name)
    return errors


def _result_level(row: Mapping[str, Any]) -> RowLevel | None:
    return RowLevel.ALERT if row.get("result") == POSITIVE else None


NAT_RESULTS = register(RegisterSpec(
    key="service_institutions.nat_results", natural_key=("round_id", "resident_id"), group=GROUP, title=N_("NAT results"), record_noun=N_("NAT result"),
    model=NatResult, display_fields=("resident_id", "result"), default_sort="resident_id",
    parent_field="round_id",
    fields=(
        FieldSpec("round_id", N_("NAT round"), Kind.REFERENCE, reference=NAT_ROUNDS.key, required=True, width=10),
        FieldSpec("resident_id", N_("Resident"), Kind.REFERENCE, reference=RESIDENTS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("result", N_("Test result"), Kind.CHOICE, choices=RESULTS, required=True, width=8),
        FieldSpec("reason", N_("Reason not tested"), max_length=200, width=14),
        FieldSpec("sample_time", N_("Sample time"), Kind.DATETIME, not_in_future=True, width=16),
    ),
    carry_over=("round_id", "result"),
    row_level=_result_level,
    rules=(_result_rules,),
))


# ------------------------------------------------------------------ daily prevention checks


MEASURES = (
    ("temperature_checks", N_("Temperature checks")),
    ("masks", N_("Masks worn")),
    ("ventilation", N_("Ventilation")),
    ("disinfection", N_("Disinfection")),
    ("no_gatherings", N_("No gatherings")),
    ("visitors_refused", N_("Visitors refused")),
)


def _one_check_a_day(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    institution_id, day = values.get("institution_id"), values.get("day")
    if institution_id is None or day is None:
        return {}
    if session.scalar(_one_of(DailyCheck, record_id, DailyCheck.institution_id == institution_id,
                              DailyCheck.day == day)) is None:
        return {}
    name = session.scalar(select(Institution.name).where(Institution.id == institution_id))
    return {"day": _("{name} has already reported its check for {day}.").format(name=name, day=long_date(day))}


def _check_level(row: Mapping[str, Any]) -> RowLevel | None:
    return RowLevel.WARNING if not all(row.get(name) for name, _label in MEASURES) else None


DAILY_CHECKS = register(RegisterSpec(
    key="service_institutions.daily_checks", group=GROUP, title=N_("Daily prevention checks"),
    record_noun=N_("daily check"), model=DailyCheck, display_fields=("institution_id", "day"), date_field="day",
    default_sort="day", default_descending=True, parent_field="institution_id",
    fields=(
        FieldSpec("institution_id", N_("Institution"), Kind.REFERENCE, reference=INSTITUTIONS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        *(FieldSpec(name, label, Kind.BOOLEAN, width=5) for name, label in MEASURES),
        FieldSpec("people_checked", N_("People temperature-checked"), Kind.INTEGER, minimum=0, maximum=10000,
                  width=6),
        FieldSpec("reported_by", N_("Reported by"), max_length=50, searchable=True, width=8),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    row_level=_check_level,
    rules=(_one_check_a_day,),
))


# ------------------------------------------------------------------ supply reserves


def _reserve_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get("item") == OTHER_ITEM and not values.get("other_item"):
        errors["other_item"] = _("Please name the item.")
    use = values.get("daily_use")
    if use is not None and use <= 0:
        errors["daily_use"] = _("The daily use must be more than zero.")
    return errors


def _cover(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().days_of_cover(session, ids)


def _reserve_level(row: Mapping[str, Any]) -> RowLevel | None:
    days = row.get("days_of_cover")
    return RowLevel.WARNING if days is not None and days < COVER_TARGET_DAYS else None


RESERVES = register(RegisterSpec(
    key="service_institutions.reserves", natural_key=("institution_id", "item", "as_of"), group=GROUP, title=N_("Supply reserves"), record_noun=N_("supply reserve"),
    model=SupplyReserve, display_fields=("item", "as_of"), date_field="as_of", default_sort="as_of",
    default_descending=True, parent_field="institution_id",
    fields=(
        FieldSpec("institution_id", N_("Institution"), Kind.REFERENCE, reference=INSTITUTIONS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("item", N_("Item"), Kind.CHOICE, choices=ITEMS, required=True, width=8),
        FieldSpec("other_item", N_("Other item"), max_length=50, width=10),
        FieldSpec("quantity", N_("Stock"), Kind.INTEGER, required=True, minimum=0, maximum=10_000_000, width=7),
        FieldSpec("unit", N_("Unit"), required=True, max_length=16, width=4, placeholder=N_("e.g. kg, pieces")),
        # Two decimals, entered and stored like money (hundredths): the program has no plain decimal kind.
        FieldSpec("daily_use", N_("Daily use per resident"), Kind.MONEY, required=True, width=10,
                  minimum=0, maximum=1_000_000, placeholder=N_("e.g. 0.5")),
        FieldSpec("as_of", N_("As of"), Kind.DATE, required=True, not_in_future=True, width=10),
    ),
    computed=(ComputedColumn(FieldSpec("days_of_cover", N_("Days of cover"), Kind.INTEGER, in_form=False, width=6),
                             _cover),),
    carry_over=("institution_id", "as_of"),
    row_level=_reserve_level,
    rules=(_reserve_rules,),
))


# ------------------------------------------------------------------ postponed marriage registrations


def _marriage_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    institution_id = values.get("institution_id")
    if institution_id is not None:
        kind = session.scalar(select(Institution.kind).where(Institution.id == institution_id))
        if kind is not None and kind != "marriage_registry":
            errors["institution_id"] = _("Please choose a marriage registry.")
    if values.get("told") and values.get("new_date") is None:
        errors["new_date"] = _("Enter the new date the couple was told of.")
    return errors


def _marriage_level(row: Mapping[str, Any]) -> RowLevel | None:
    return None if row.get("told") else RowLevel.WARNING


POSTPONED_MARRIAGES = register(RegisterSpec(
    key="service_institutions.postponed_marriages", group=GROUP, title=N_("Postponed marriage registrations"),
    record_noun=N_("postponed registration"), model=PostponedMarriage, display_fields=("name_1", "name_2"),
    date_field="original_date", default_sort="original_date", parent_field="institution_id",
    fields=(
        FieldSpec("institution_id", N_("Marriage registry"), Kind.REFERENCE, reference=INSTITUTIONS.key,
                  required=True, width=12),
        FieldSpec("name_1", N_("Party A"), required=True, max_length=50, searchable=True, width=7),
        FieldSpec("phone_1", N_("Phone of party A"), Kind.PHONE, sensitive=Sensitivity.PHONE, width=12),
        FieldSpec("name_2", N_("Party B"), required=True, max_length=50, searchable=True, width=7),
        FieldSpec("phone_2", N_("Phone of party B"), Kind.PHONE, sensitive=Sensitivity.PHONE, width=12),
        FieldSpec("original_date", N_("Original appointment"), Kind.DATE, required=True, width=10),
        FieldSpec("new_date", N_("New date"), Kind.DATE, width=10),
        FieldSpec("told", N_("Told of the new date"), Kind.BOOLEAN, width=6),
    ),
    row_level=_marriage_level,
    rules=(_marriage_rules,),
))

REGISTERS = (INSTITUTIONS, STATUS_PERIODS, RESIDENTS, STAFF_ON_SITE, NAT_ROUNDS, NAT_RESULTS, DAILY_CHECKS,
             RESERVES, POSTPONED_MARRIAGES)
