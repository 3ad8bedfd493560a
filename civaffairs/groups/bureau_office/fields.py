"""Group 1's four registers, as field specs and rules; the shared machinery does the rest."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.core.i18n import N_, _
from civaffairs.groups import GROUP_CHOICES
from civaffairs.groups.bureau_office.models import DisinfectionLog, HealthCheckIn, StaffMember, Visitor
from civaffairs.records.spec import (
    HEALTH_CODE_CHOICES, Choice, FieldSpec, Kind, RegisterSpec, Sensitivity, register,
)

GROUP = 1
FEVER = Decimal("37.3")  # at or above: flagged in the "today" view
TEMPERATURE = dict(kind=Kind.TEMPERATURE, minimum=Decimal("34.0"), maximum=Decimal("43.0"),
                   sensitive=Sensitivity.HEALTH, width=7)
HEALTH_CODE = dict(kind=Kind.CHOICE, choices=HEALTH_CODE_CHOICES, required=True,
                   sensitive=Sensitivity.HEALTH, width=6)


def _staff_id_unique(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    number = values.get("id_number")
    if not number:
        return {}
    stmt = select(StaffMember.name).where(StaffMember.id_number == number, StaffMember.deleted_at.is_(None))
    if record_id:
        stmt = stmt.where(StaffMember.id != record_id)
    other = session.scalar(stmt)
    if other:
        return {"id_number": _("This ID number already belongs to {name}.").format(name=other)}
    return {}


STAFF = register(RegisterSpec(
    key="bureau_office.staff", group=GROUP, title=N_("Staff"), record_noun=N_("staff member"),
    model=StaffMember, display_fields=("name",), default_sort="name",
    fields=(
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("department", N_("Department"), max_length=50, searchable=True, width=10),
        FieldSpec("post", N_("Post"), max_length=50, width=10),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, searchable=True, width=12),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, sensitive=Sensitivity.ID_NUMBER,
                  searchable=True, width=18),
        FieldSpec("working_groups", N_("Working groups"), Kind.MULTI_CHOICE, choices=GROUP_CHOICES, width=14),
    ),
    rules=(_staff_id_unique,),
))


def _one_check_in_a_day(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    staff_id, day = values.get("staff_id"), values.get("day")
    if staff_id is None or day is None:
        return {}
    stmt = select(HealthCheckIn.id).where(
        HealthCheckIn.staff_id == staff_id, HealthCheckIn.day == day, HealthCheckIn.deleted_at.is_(None)
    )
    if record_id:
        stmt = stmt.where(HealthCheckIn.id != record_id)
    if session.scalar(stmt) is None:
        return {}
    name = session.scalar(select(StaffMember.name).where(StaffMember.id == staff_id))
    return {"day": _("{name} already has a check-in on {day}.").format(name=name, day=day.isoformat())}


def _some_temperature(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    if values.get("morning_temperature") is None and values.get("afternoon_temperature") is None:
        return {"morning_temperature": _("Please enter at least the morning or the afternoon temperature.")}
    return {}


CHECK_INS = register(RegisterSpec(
    key="bureau_office.check_ins", group=GROUP, title=N_("Daily health check-ins"), record_noun=N_("check-in"),
    model=HealthCheckIn, display_fields=("staff_id", "day"), date_field="day", colour_field="health_code",
    default_sort="day", default_descending=True,
    fields=(
        FieldSpec("staff_id", N_("Staff member"), Kind.REFERENCE, reference=STAFF.key, required=True,
                  searchable=True, width=8),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("morning_temperature", N_("Morning °C"), **TEMPERATURE),
        FieldSpec("afternoon_temperature", N_("Afternoon °C"), **TEMPERATURE),
        FieldSpec("health_code", N_("Health code"), **HEALTH_CODE),
        FieldSpec("travelled_outside", N_("Left the district in the last 14 days"), Kind.BOOLEAN,
                  sensitive=Sensitivity.HEALTH, width=6),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=16),
    ),
    rules=(_one_check_in_a_day, _some_temperature),
))


def _left_after_arriving(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    time_in, time_out = values.get("time_in"), values.get("time_out")
    if time_in and time_out and time_out < time_in:
        return {"time_out": _("The time out is before the time in.")}
    return {}


VISITORS = register(RegisterSpec(
    key="bureau_office.visitors", group=GROUP, title=N_("Visitors"), record_noun=N_("visitor"),
    model=Visitor, display_fields=("name", "time_in"), date_field="time_in", colour_field="health_code",
    default_sort="time_in", default_descending=True,
    fields=(
        FieldSpec("time_in", N_("Time in"), Kind.DATETIME, required=True, not_in_future=True, width=16),
        FieldSpec("time_out", N_("Time out"), Kind.DATETIME, not_in_future=True, width=16),
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, required=True,
                  sensitive=Sensitivity.ID_NUMBER, searchable=True, width=18),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, required=True, sensitive=Sensitivity.PHONE,
                  searchable=True, width=12),
        FieldSpec("work_unit", N_("Work unit"), max_length=100, width=14),
        FieldSpec("person_visited", N_("Person visited"), max_length=50, width=8),
        FieldSpec("temperature", N_("Temperature °C"), required=True, **TEMPERATURE),
        FieldSpec("health_code", N_("Health code"), **HEALTH_CODE),
        FieldSpec("itinerary_card_checked", N_("Itinerary card checked"), Kind.BOOLEAN, width=6),
        FieldSpec("purpose", N_("Purpose"), max_length=200, width=16),
    ),
    rules=(_left_after_arriving,),
))


DISINFECTION_METHODS = (
    Choice("spray", N_("Spraying")),
    Choice("wipe", N_("Wiping")),
    Choice("uv", N_("Ultraviolet lamp")),
    Choice("fumigate", N_("Fumigation")),
    Choice("soak", N_("Soaking")),
)

DISINFECTION = register(RegisterSpec(
    key="bureau_office.disinfection", natural_key=("day", "time_of_day", "area"), group=GROUP, title=N_("Disinfection log"), record_noun=N_("disinfection"),
    model=DisinfectionLog, display_fields=("day", "area"), date_field="day",
    default_sort="day", default_descending=True,
    fields=(
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("time_of_day", N_("Time"), Kind.TIME, required=True, width=6),
        FieldSpec("area", N_("Area"), required=True, max_length=100, searchable=True, width=14),
        FieldSpec("disinfectant", N_("Disinfectant"), required=True, max_length=100, searchable=True, width=14),
        FieldSpec("method", N_("Method"), Kind.CHOICE, choices=DISINFECTION_METHODS, required=True, width=8),
        FieldSpec("operator", N_("Operator"), required=True, max_length=50, searchable=True, width=8),
    ),
))

REGISTERS = (STAFF, CHECK_INS, VISITORS, DISINFECTION)
