"""Group 7's registers, as field specs and rules: volunteers, activities, the shifts of an
activity, and the service certificates of a volunteer.  Computed columns call `figures.py`, so
that the lists, the hours view, the certificate, the report and the tests share one computation.

Rules that need a word:
- a shift's sign-in and sign-out are moments (stored UTC, entered and shown local): 22:00 to
  06:00 the next day is 8 hours; a sign-out at or before the sign-in is refused; a shift without a
  sign-out is open (the volunteer is on duty);
- a volunteer is never in two shifts at once: a shift overlapping another of the same volunteer
  is refused with a message naming the other (an open shift runs on without end).  Touching
  shifts (one ends at 06:00, the next starts at 06:00) do not overlap.  On PostgreSQL the
  volunteer's row is locked first, so that two PCs cannot both slip a shift into the same hours;
- a shift longer than 12 hours is a warning the clerk may accept (a night at a duty point is
  long; a sign-out on the wrong day is a mistake);
- a certificate, once issued (numbered), is not changed: cancel its number first."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.core.clock import now_utc, to_local
from civaffairs.core.i18n import N_, _
from civaffairs.groups.community.fields import COMPOUNDS, DUTY_POINTS
from civaffairs.groups.community.models import DutyPoint, Entrance
from civaffairs.groups.volunteers.models import Activity, ServiceCertificate, Shift, Volunteer
from civaffairs.places.fields import TOWNS
from civaffairs.records.rules import in_order, unique_name
from civaffairs.records.spec import (
    Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, register,
)

GROUP = 7
LONG_SHIFT_HOURS = 12  # longer: "please check the sign-out", which the clerk may accept
FORGOTTEN_HOURS = 16  # an open shift signed in longer ago than this is shown yellow: not signed out?

SKILLS = (
    Choice("guidance", N_("Guidance and enquiries")),
    Choice("order", N_("Keeping order")),
    Choice("registration", N_("Registration and code checks")),
    Choice("medical", N_("Medical and nursing care")),
    Choice("delivery", N_("Deliveries")),
    Choice("counselling", N_("Psychological counselling")),
    Choice("driving", N_("Driving")),
    Choice("publicity", N_("Publicity")),
    Choice("disinfection", N_("Disinfection")),
)

AVAILABILITY = (
    Choice("weekday_day", N_("Weekday daytime")),
    Choice("weekday_evening", N_("Weekday evenings")),
    Choice("weekend", N_("Weekends")),
    Choice("night", N_("Night duty")),
    Choice("any_time", N_("Any time")),
)

NAT_GUIDANCE, ORDER, DUTY_POINT, DELIVERY, OTHER = "nat_guidance", "order", "duty_point", "delivery", "other"
ACTIVITY_KINDS = (
    Choice(NAT_GUIDANCE, N_("Guidance at a NAT site")),
    Choice(ORDER, N_("Keeping order")),
    Choice(DUTY_POINT, N_("Duty point duty")),
    Choice(DELIVERY, N_("Deliveries to households")),
    Choice(OTHER, N_("Other service")),
)


def kind_title(code: str | None) -> str:
    return next((c.title for c in ACTIVITY_KINDS if c.code == code), code or "")


def _figures():  # type: ignore[no-untyped-def]
    # figures.py reads this module's choices; imported when a page is computed, not at import time.
    from civaffairs.groups.volunteers import figures

    return figures


def moment_text(moment: datetime) -> str:
    """A moment as the clerk typed it: local time, 2021-10-25 22:00."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ volunteers


def _one_registration(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    number = values.get("id_number")
    if not number:
        return {}
    stmt = select(Volunteer.name).where(Volunteer.id_number == number, Volunteer.deleted_at.is_(None))
    if record_id is not None:
        stmt = stmt.where(Volunteer.id != record_id)
    other = session.scalar(stmt.limit(1))
    if other is None:
        return {}
    return {"id_number": _("This ID number is already registered, as the volunteer {name}.").format(name=other)}


def _hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().volunteer_hours(session, ids)


def _shift_counts(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().volunteer_shift_counts(session, ids)


VOLUNTEERS = register(RegisterSpec(
    key="volunteers.volunteers", group=GROUP, title=N_("Registered volunteers"), record_noun=N_("volunteer"),
    model=Volunteer, display_fields=("name", "volunteer_number"), default_sort="name",
    fields=(
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, required=True, sensitive=Sensitivity.ID_NUMBER,
                  searchable=True, width=18),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, required=True, sensitive=Sensitivity.PHONE, searchable=True,
                  width=12),
        FieldSpec("volunteer_number", N_("Volunteer number"), max_length=30, searchable=True, width=13,
                  placeholder=N_("e.g. the number in the national volunteer system")),
        FieldSpec("organisation", N_("Organisation"), max_length=100, searchable=True, width=22,
                  placeholder=N_("e.g. a community volunteer team, a Party branch")),
        FieldSpec("party_member", N_("Party member"), Kind.BOOLEAN, width=5),
        FieldSpec("skills", N_("Skills"), Kind.MULTI_CHOICE, choices=SKILLS, width=22),
        FieldSpec("availability", N_("Availability"), Kind.MULTI_CHOICE, choices=AVAILABILITY, width=16),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("shifts", N_("Shifts"), Kind.INTEGER, in_form=False, width=5), _shift_counts),
        ComputedColumn(FieldSpec("hours", N_("Service hours"), Kind.INTEGER, in_form=False, width=7), _hours),
    ),
    rules=(_one_registration,
           unique_name(Volunteer, N_("The volunteer number {name} is already given to another volunteer."),
                       field="volunteer_number")),
))


# ------------------------------------------------------------------ activities


def _at_its_compound(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A duty point named with a compound is one of that compound's."""
    compound_id, point_id = values.get("compound_id"), values.get("duty_point_id")
    if compound_id is None or point_id is None:
        return {}
    of = session.scalar(select(Entrance.compound_id).join(DutyPoint, DutyPoint.entrance_id == Entrance.id)
                        .where(DutyPoint.id == point_id))
    if of is not None and of != compound_id:
        return {"duty_point_id": _("This duty point is not at the chosen compound.")}
    return {}


def _activity_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().activity_hours(session, ids)


def _activity_volunteers(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().activity_volunteer_counts(session, ids)


ACTIVITIES = register(RegisterSpec(
    key="volunteers.activities", group=GROUP, title=N_("Volunteer activities"), record_noun=N_("activity"),
    model=Activity, display_fields=("name", "day"), date_field="day", default_sort="day", default_descending=True,
    fields=(
        FieldSpec("name", N_("Activity"), required=True, max_length=100, searchable=True, width=28,
                  placeholder=N_("e.g. guidance at the Weibin community NAT site")),
        FieldSpec("kind", N_("Kind of service"), Kind.CHOICE, choices=ACTIVITY_KINDS, required=True, width=13),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, width=10),
        FieldSpec("last_day", N_("Last day"), Kind.DATE, width=10,
                  placeholder=N_("for an activity of several days")),
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, required=True,
                  searchable=True, width=10),
        FieldSpec("place", N_("Place"), required=True, max_length=200, searchable=True, width=18),
        FieldSpec("compound_id", N_("Compound"), Kind.REFERENCE, reference=COMPOUNDS.key, width=10),
        FieldSpec("duty_point_id", N_("Duty point"), Kind.REFERENCE, reference=DUTY_POINTS.key, width=12),
        FieldSpec("organiser", N_("Organiser"), max_length=100, searchable=True, width=14),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("volunteers", N_("Number of volunteers"), Kind.INTEGER, in_form=False, width=5),
                       _activity_volunteers),
        ComputedColumn(FieldSpec("hours", N_("Service hours"), Kind.INTEGER, in_form=False, width=7),
                       _activity_hours),
    ),
    rules=(in_order("day", "last_day", N_("The last day is before the first day.")), _at_its_compound),
))


# ------------------------------------------------------------------ shifts


def _signed_out_after_in(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    sign_in, sign_out = values.get("sign_in"), values.get("sign_out")
    if isinstance(sign_in, datetime) and isinstance(sign_out, datetime) and sign_out <= sign_in:
        return {"sign_out": _("The sign-out ({out}) is not after the sign-in ({sign_in}).").format(
            out=moment_text(sign_out), sign_in=moment_text(sign_in))}
    return {}


def _on_the_activitys_days(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """The sign-in falls on one of the activity's days (or in the night after its last day,
    for a volunteer who comes after midnight)."""
    activity_id, sign_in = values.get("activity_id"), values.get("sign_in")
    if activity_id is None or not isinstance(sign_in, datetime):
        return {}
    found = session.execute(select(Activity.name, Activity.day, Activity.last_day)
                            .where(Activity.id == activity_id)).first()
    if found is None:
        return {}
    name, first, last = found
    day = to_local(sign_in).date()
    if first <= day <= (last or first) + timedelta(days=1):
        return {}
    days = first.isoformat() if last is None or last == first else f"{first.isoformat()} – {last.isoformat()}"
    return {"sign_in": _("The activity “{activity}” is on {days}; this sign-in is on {day}.").format(
        activity=name, days=days, day=day.isoformat())}


def overlapping_shift(session: Session, volunteer_id: uuid.UUID, sign_in: datetime, sign_out: datetime | None,
                      record_id: uuid.UUID | None = None) -> Shift | None:
    """Another live shift of the volunteer that shares some time with [sign_in, sign_out) (an open
    shift, without sign-out, runs on without end), the earliest first."""
    stmt = select(Shift).where(Shift.volunteer_id == volunteer_id, Shift.deleted_at.is_(None),
                               (Shift.sign_out.is_(None)) | (Shift.sign_out > sign_in))
    if sign_out is not None:
        stmt = stmt.where(Shift.sign_in < sign_out)
    if record_id is not None:
        stmt = stmt.where(Shift.id != record_id)
    return session.scalar(stmt.order_by(Shift.sign_in, Shift.id).limit(1))


def _one_shift_at_a_time(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    volunteer_id, sign_in, sign_out = values.get("volunteer_id"), values.get("sign_in"), values.get("sign_out")
    if volunteer_id is None or not isinstance(sign_in, datetime):
        return {}
    if isinstance(sign_out, datetime) and sign_out <= sign_in:
        return {}  # said by the rule on the order
    # Serialise shifts of one volunteer: FOR UPDATE on PostgreSQL (SQLite's write lock is held already).
    name = session.scalar(select(Volunteer.name).where(Volunteer.id == volunteer_id).with_for_update())
    other = overlapping_shift(session, volunteer_id, sign_in, sign_out if isinstance(sign_out, datetime) else None,
                              record_id)
    if other is None:
        return {}
    activity = session.scalar(select(Activity.name).where(Activity.id == other.activity_id)) or ""
    if other.sign_out is None:
        message = _("{name} is already on another shift at the same time: “{activity}”, signed in {start} and "
                    "not yet signed out.").format(name=name, activity=activity, start=moment_text(other.sign_in))
    else:
        message = _("{name} is already on another shift at the same time: “{activity}”, {start} to {end}.").format(
            name=name, activity=activity, start=moment_text(other.sign_in), end=moment_text(other.sign_out))
    return {"sign_in": message}


def _long_shift(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    sign_in, sign_out = values.get("sign_in"), values.get("sign_out")
    if not isinstance(sign_in, datetime) or not isinstance(sign_out, datetime):
        return {}
    hours = (sign_out - sign_in).total_seconds() / 3600
    if hours <= LONG_SHIFT_HOURS:
        return {}
    return {"sign_out": _("This shift lasts {hours} hours: please check the dates of the sign-in and the "
                          "sign-out.").format(hours=f"{hours:.1f}")}


def _shift_level(values: Mapping[str, Any]) -> RowLevel | None:
    sign_in = values.get("sign_in")
    if values.get("sign_out") is None and isinstance(sign_in, datetime) \
            and now_utc() - sign_in > timedelta(hours=FORGOTTEN_HOURS):
        return RowLevel.WARNING  # signed in long ago and never out: forgotten?
    return None


def _shift_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().shift_hours(session, ids)


SHIFTS = register(RegisterSpec(
    key="volunteers.shifts", group=GROUP, title=N_("Shift sign-ins"), record_noun=N_("shift"),
    model=Shift, display_fields=("volunteer_id", "sign_in"), date_field="sign_in",
    default_sort="sign_in", default_descending=True, parent_field="activity_id",
    carry_over=("activity_id",),
    fields=(
        FieldSpec("activity_id", N_("Activity"), Kind.REFERENCE, reference=ACTIVITIES.key, required=True,
                  searchable=True, width=20),
        FieldSpec("volunteer_id", N_("Volunteer"), Kind.REFERENCE, reference=VOLUNTEERS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("sign_in", N_("Signed in"), Kind.DATETIME, required=True, not_in_future=True, width=16),
        FieldSpec("sign_out", N_("Signed out"), Kind.DATETIME, not_in_future=True, width=16,
                  placeholder=N_("empty while on duty")),
        FieldSpec("task", N_("Task"), max_length=100, searchable=True, width=12,
                  placeholder=N_("e.g. queue guidance, code checks, registration")),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(ComputedColumn(FieldSpec("hours", N_("Hours"), Kind.INTEGER, in_form=False, width=5), _shift_hours),),
    row_level=_shift_level,
    rules=(_signed_out_after_in, _on_the_activitys_days, _one_shift_at_a_time),
    warnings=(_long_shift,),
))


# ------------------------------------------------------------------ certificates


def _issued_after_the_period(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    end, issued = values.get("period_end"), values.get("issue_date")
    if end is not None and issued is not None and issued < end:
        return {"issue_date": _("A certificate is issued after its period ends ({day}).").format(day=end.isoformat())}
    return {}


CHANGEABLE = ("volunteer_id", "period_start", "period_end", "content", "organisation", "person_in_charge",
              "handler", "contact", "issue_date")


def _issued_stays(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """An issued certificate says what it said: a change needs its number cancelled first."""
    if record_id is None:
        return {}
    stored = session.get(ServiceCertificate, record_id)
    if stored is None or not stored.number:
        return {}
    if all(values.get(n) == getattr(stored, n) for n in CHANGEABLE):
        return {}
    return {"": _("This certificate has been issued as {number} and is not changed; cancel its number first to "
                  "correct it.").format(number=stored.number)}


def _certified_hours(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().certified_hours(session, ids)


def _hours_now(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().certificate_hours_now(session, ids)


def _certificate_level(values: Mapping[str, Any]) -> RowLevel | None:
    certified, now = values.get("hours_certified"), values.get("hours_now")
    if values.get("number") and certified is not None and now is not None and certified != now:
        return RowLevel.WARNING  # shifts of the period were changed after the certificate was issued
    return None


def _not_issued(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A certificate handed to a volunteer stays on record, as its number does in the numbering
    register: it leaves only once its number is cancelled."""
    if values.get("number"):
        return {"number": _("it has been issued as {number}; cancel its number first.").format(
            number=values["number"])}
    return {}


CERTIFICATES = register(RegisterSpec(
    key="volunteers.certificates", group=GROUP, title=N_("Service certificates"),
    record_noun=N_("service certificate"), model=ServiceCertificate, display_fields=("volunteer_id", "issue_date"),
    date_field="issue_date", default_sort="issue_date", default_descending=True, parent_field="volunteer_id",
    fields=(
        FieldSpec("volunteer_id", N_("Volunteer"), Kind.REFERENCE, reference=VOLUNTEERS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("number", N_("Certificate number"), in_form=False, searchable=True, width=16),
        FieldSpec("period_start", N_("Service from"), Kind.DATE, required=True, width=10),
        FieldSpec("period_end", N_("Service to"), Kind.DATE, required=True, width=10),
        FieldSpec("content", N_("Service content"), Kind.LONG_TEXT, max_length=300, width=20,
                  placeholder=N_("empty: written from the shifts of the period when the certificate is issued")),
        FieldSpec("organisation", N_("Issuing organisation"), required=True, max_length=100, width=14),
        FieldSpec("person_in_charge", N_("Person in charge"), required=True, max_length=50, width=8),
        FieldSpec("handler", N_("Handler"), required=True, max_length=50, width=8),
        FieldSpec("contact", N_("Contact phone"), Kind.PHONE, required=True, width=12),
        FieldSpec("issue_date", N_("Date of issue"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("minutes", N_("Minutes certified"), Kind.INTEGER, in_form=False, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("hours_certified", N_("Hours certified"), Kind.INTEGER, in_form=False, width=6),
                       _certified_hours),
        ComputedColumn(FieldSpec("hours_now", N_("Hours in the records now"), Kind.INTEGER, in_form=False, width=6),
                       _hours_now),
    ),
    row_level=_certificate_level,
    rules=(in_order("period_start", "period_end", N_("The end of the period is before its start.")),
           _issued_after_the_period, _issued_stays),
    delete_rules=(_not_issued,),
))

REGISTERS = (VOLUNTEERS, ACTIVITIES, SHIFTS, CERTIFICATES)
