"""Group 3's registers as field specs and rules: compounds under the villages and communities,
their entrances and duty points, rosters, assignments (包抓), entry registrations and disinfection."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from civaffairs.core.i18n import N_, _
from civaffairs.groups.bureau_office.fields import DISINFECTION_METHODS
from civaffairs.groups.community import figures
from civaffairs.groups.community.models import (
    Compound, CompoundAssignment, DutyPoint, DutyPointDisinfection, DutyShift, Entrance, EntryRegistration,
)
from civaffairs.places.fields import COMMUNITIES
from civaffairs.records.rules import in_order, unique_name
from civaffairs.records.spec import (
    HEALTH_CODE_CHOICES, Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, register, row_local,
)

GROUP = 3
TEMPERATURE = dict(kind=Kind.TEMPERATURE, minimum=Decimal("34.0"), maximum=Decimal("43.0"),
                   sensitive=Sensitivity.HEALTH, width=7)

ENTRANCE_STATES = (Choice("open", N_("Entrance open"), "#1e8449"), Choice("closed", N_("Entrance closed")))
DIRECTIONS = (Choice("in", N_("Coming in")), Choice("out", N_("Going out")))
ASSIGNMENT_KINDS = (
    Choice("leader", N_("Leading cadre")),
    Choice("cadre", N_("Office cadre")),
    Choice("party_member", N_("Party member")),
)


def _compound_level(values: Mapping[str, Any]) -> RowLevel | None:
    n = values.get("open_entrances")
    return RowLevel.ALERT if isinstance(n, int) and n > 1 else None


COMPOUNDS = register(RegisterSpec(
    key="community.compounds", group=GROUP, title=N_("Residential compounds"), record_noun=N_("residential compound"),
    model=Compound, display_fields=("name",), default_sort="name", parent_field="community_id",
    fields=(
        FieldSpec("community_id", N_("Village or community"), Kind.REFERENCE, reference=COMMUNITIES.key,
                  required=True, searchable=True, width=10),
        FieldSpec("name", N_("Compound"), required=True, max_length=100, searchable=True, width=14),
        FieldSpec("address", N_("Address"), max_length=200, searchable=True, width=20),
        FieldSpec("households", N_("Households"), Kind.INTEGER, minimum=0, maximum=100_000, width=6),
        FieldSpec("residents", N_("Residents"), Kind.INTEGER, minimum=0, maximum=500_000, width=6),
        FieldSpec("property_contact", N_("Property management contact"), max_length=100, searchable=True,
                  width=12),
        FieldSpec("property_phone", N_("Property management phone"), Kind.PHONE, sensitive=Sensitivity.PHONE,
                  width=12),
    ),
    computed=(ComputedColumn(FieldSpec("open_entrances", N_("Open entrances"), Kind.INTEGER, in_form=False,
                                       width=6), figures.open_entrance_counts),),
    row_level=_compound_level,
    rules=(unique_name(Compound, N_("“{name}” is already in this village or community."), parent="community_id"),),
))

ENTRANCES = register(RegisterSpec(
    key="community.entrances", group=GROUP, title=N_("Entrances"), record_noun=N_("entrance"),
    model=Entrance, display_fields=("name",), default_sort="name", parent_field="compound_id",
    fields=(
        FieldSpec("compound_id", N_("Compound"), Kind.REFERENCE, reference=COMPOUNDS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("name", N_("Entrance"), required=True, max_length=100, searchable=True, width=12),
        FieldSpec("state", N_("Open or closed"), Kind.CHOICE, choices=ENTRANCE_STATES, required=True, width=6),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=20),
    ),
    rules=(unique_name(Entrance, N_("“{name}” is already an entrance of this compound."), parent="compound_id"),),
))

DUTY_POINTS = register(RegisterSpec(
    key="community.duty_points", group=GROUP, title=N_("Duty points"), record_noun=N_("duty point"),
    model=DutyPoint, display_fields=("name",), default_sort="name", parent_field="entrance_id",
    fields=(
        FieldSpec("entrance_id", N_("Entrance"), Kind.REFERENCE, reference=ENTRANCES.key, required=True,
                  searchable=True, width=12),
        FieldSpec("name", N_("Duty point"), required=True, max_length=100, searchable=True, width=16,
                  placeholder=N_("e.g. the east gate duty point of Jinxiu Garden")),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=20),
    ),
    rules=(unique_name(DutyPoint, N_("“{name}” is already a duty point of this entrance."), parent="entrance_id"),),
))


def _people_on_duty(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    if values.get("people") is not None and not str(values.get("people")).strip():
        return {"people": _("Please enter who is on duty.")}
    return {}


ROSTER = register(RegisterSpec(
    key="community.roster", natural_key=("duty_point_id", "day", "start_time"), group=GROUP, title=N_("Duty roster"), record_noun=N_("shift"),
    model=DutyShift, display_fields=("duty_point_id", "day"), date_field="day",
    default_sort="day", default_descending=True, parent_field="duty_point_id",
    fields=(
        FieldSpec("duty_point_id", N_("Duty point"), Kind.REFERENCE, reference=DUTY_POINTS.key, required=True,
                  searchable=True, width=16),
        FieldSpec("day", N_("Shift date"), Kind.DATE, required=True, width=10),
        FieldSpec("start_time", N_("From"), Kind.TIME, required=True, width=6),
        FieldSpec("end_time", N_("To"), Kind.TIME, required=True, width=6,
                  placeholder=N_("at or before the start: the next day")),
        FieldSpec("people", N_("People on duty"), required=True, max_length=100, searchable=True, width=14),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, width=12),
        FieldSpec("role", N_("Duty"), max_length=50, width=8, placeholder=N_("e.g. guard, registration, disinfection")),
    ),
    rules=(_people_on_duty,),
))


ASSIGNMENTS = register(RegisterSpec(
    key="community.assignments", group=GROUP, title=N_("Compound assignments"), record_noun=N_("assignment"),
    model=CompoundAssignment, display_fields=("person", "since"), date_field="since",
    default_sort="since", default_descending=True, parent_field="compound_id",
    fields=(
        FieldSpec("compound_id", N_("Compound"), Kind.REFERENCE, reference=COMPOUNDS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("person", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("post", N_("Post"), max_length=100, searchable=True, width=14),
        FieldSpec("kind", N_("Assigned as"), Kind.CHOICE, choices=ASSIGNMENT_KINDS, required=True, width=8),
        FieldSpec("role", N_("Responsibility"), max_length=50, width=10, placeholder=N_("e.g. person responsible, on duty")),
        FieldSpec("since", N_("Since"), Kind.DATE, required=True, width=10),
        FieldSpec("until", N_("Until"), Kind.DATE, width=10),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, width=12),
    ),
    rules=(in_order("since", "until", N_("The end date is before the start date.")),),
))


@row_local
def _id_or_phone(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    if not values.get("id_number") and not values.get("phone"):
        return {"id_number": _("Please enter the ID number or the phone (at least one).")}
    return {}


def _entry_level(values: Mapping[str, Any]) -> RowLevel | None:
    # Masked values are text: only real codes and temperatures count.
    temperature = values.get("temperature")
    return RowLevel.ALERT if figures.is_abnormal(values.get("health_code"),
                                                 temperature if isinstance(temperature, Decimal) else None) else None


ENTRIES = register(RegisterSpec(
    key="community.entries", natural_key=("duty_point_id", "day", "time_of_day", "direction", "name"), group=GROUP, title=N_("Entry registration"), record_noun=N_("entry registration"),
    model=EntryRegistration, display_fields=("name", "day"), date_field="day", colour_field="health_code",
    default_sort="day", default_descending=True, parent_field="duty_point_id",
    carry_over=("duty_point_id", "day"),
    fields=(
        FieldSpec("duty_point_id", N_("Duty point"), Kind.REFERENCE, reference=DUTY_POINTS.key, required=True,
                  width=14),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("time_of_day", N_("Time"), Kind.TIME, required=True, width=6),
        FieldSpec("direction", N_("In or out"), Kind.CHOICE, choices=DIRECTIONS, required=True, width=4),
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, sensitive=Sensitivity.ID_NUMBER,
                  searchable=True, width=18),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, searchable=True, width=12),
        FieldSpec("health_code", N_("Health code"), Kind.CHOICE, choices=HEALTH_CODE_CHOICES, required=True,
                  sensitive=Sensitivity.HEALTH, width=6),
        FieldSpec("temperature", N_("Temperature °C"), **TEMPERATURE),
        FieldSpec("itinerary_card_checked", N_("Itinerary card checked"), Kind.BOOLEAN, width=6,
                  default=lambda: True),
        FieldSpec("pass_number", N_("Access pass number"), max_length=30, searchable=True, width=10),
    ),
    row_level=_entry_level,
    rules=(_id_or_phone,),
    bulk_rows=True,
))

DISINFECTION = register(RegisterSpec(
    key="community.disinfection", natural_key=("duty_point_id", "day", "time_of_day", "area"), group=GROUP, title=N_("Duty point disinfection"), record_noun=N_("disinfection"),
    model=DutyPointDisinfection, display_fields=("day", "area"), date_field="day",
    default_sort="day", default_descending=True, parent_field="duty_point_id",
    fields=(
        FieldSpec("duty_point_id", N_("Duty point"), Kind.REFERENCE, reference=DUTY_POINTS.key, required=True,
                  searchable=True, width=14),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("time_of_day", N_("Time"), Kind.TIME, required=True, width=6),
        FieldSpec("area", N_("Area"), required=True, max_length=100, searchable=True, width=14),
        FieldSpec("disinfectant", N_("Disinfectant"), required=True, max_length=100, searchable=True, width=14),
        FieldSpec("method", N_("Method"), Kind.CHOICE, choices=DISINFECTION_METHODS, required=True, width=8),
        FieldSpec("operator", N_("Operator"), required=True, max_length=50, searchable=True, width=8),
    ),
))

REGISTERS = (COMPOUNDS, ENTRANCES, DUTY_POINTS, ROSTER, ASSIGNMENTS, ENTRIES, DISINFECTION)
