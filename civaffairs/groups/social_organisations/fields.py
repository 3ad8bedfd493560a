"""Group 5's registers, as field specs and rules; the shared machinery does the rest.  Computed
columns call `figures.py`, so that the lists, the overview, the report and the tests agree.

Rules that need a word:
- the unified social credit code is checked by `Kind.CREDIT_CODE` (GB 32100: 18 characters, no
  I, O, Z, S or V, MOD 31-3 check character; letter-led codes are valid).  It is unique among the
  live organisations.  Organisations registered by civil affairs have codes beginning 51 (社会团体),
  52 (民办非企业单位) or 53 (基金会): a code that does not fit the kind chosen is a warning the clerk
  may accept (the kind may be the mistake, or the organisation registered elsewhere);
- an organisation's prevention status is a `StatusHistory`: periods of activities suspended,
  online only, limited or resumed, never overlapping; with no period in force its activities are
  as usual;
- a notice is sent to an organisation at most once; it is acknowledged (签收) on or after the day
  it was sent, which is on or after the notice's date.  A notice taken over from the program's
  notices keeps the title, number and date it was issued with."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.core.dates import long_date
from civaffairs.core.i18n import N_, _
from civaffairs.groups.social_organisations.models import (
    MeasureReport, NoticeDelivery, OrganisationNotice, OrganisationStatus, SocialOrganisation,
)
from civaffairs.places.fields import TOWNS
from civaffairs.records.rules import in_order, unique_name
from civaffairs.records.spec import (
    Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, register,
)
from civaffairs.records.status import StatusHistory
from civaffairs.supervision.targets import ChecklistItem, TargetKind, register_target_kind

GROUP = 5

RED, GREEN, AMBER, GREY, BROWN = "#c0392b", "#1e8449", "#b7950b", "#7f8c8d", "#a04000"

ASSOCIATION, PRIVATE_NON_ENTERPRISE, FOUNDATION = "association", "private_non_enterprise", "foundation"
KINDS = (
    Choice(ASSOCIATION, N_("Social association")),
    Choice(PRIVATE_NON_ENTERPRISE, N_("Private non-enterprise unit")),
    Choice(FOUNDATION, N_("Foundation")),
)
# GB 32100: civil affairs (5) gives 51 to social associations, 52 to private non-enterprise units,
# 53 to foundations.
CIVIL_AFFAIRS = "5"
KIND_DIGITS = {ASSOCIATION: "1", PRIVATE_NON_ENTERPRISE: "2", FOUNDATION: "3"}

NORMAL, SUSPENDED, ONLINE, LIMITED, RESUMED = "normal", "suspended", "online", "limited", "resumed"
# What a clerk enters as a period.  "Activities as usual" is what an organisation with no period in
# force shows; it is not entered.
ENTERED_STATUSES = (
    Choice(SUSPENDED, N_("Activities suspended"), BROWN),
    Choice(ONLINE, N_("Online only"), AMBER),
    Choice(LIMITED, N_("Limited activities"), AMBER),
    Choice(RESUMED, N_("Activities resumed"), GREEN),
)
STATUSES = (Choice(NORMAL, N_("Activities as usual"), GREEN),) + ENTERED_STATUSES

MEASURES = (
    Choice("no_gatherings", N_("Gathering activities stopped")),
    Choice("online_work", N_("Work and services moved online")),
    Choice("plan", N_("Prevention plan made, person in charge named")),
    Choice("health_monitoring", N_("Staff health monitored, temperatures taken")),
    Choice("masks", N_("Masks worn")),
    Choice("disinfection", N_("Premises disinfected and ventilated")),
    Choice("code_checks", N_("Health codes checked and visitors registered")),
    Choice("publicity", N_("Prevention publicity to members and service users")),
    Choice("volunteering", N_("Members volunteer in community prevention")),
    Choice("donations", N_("Money or materials donated")),
)

CHANNELS = (
    Choice("wechat", N_("WeChat work group")),
    Choice("sms", N_("Text message")),
    Choice("email", N_("E-mail")),
    Choice("paper", N_("Delivered on paper")),
    Choice("phone", N_("By telephone")),
)

ACKNOWLEDGED, WAITING, OVERDUE, NOT_SENT = "acknowledged", "waiting", "overdue", "not_sent"
DELIVERY_STATES = (
    Choice(ACKNOWLEDGED, N_("Acknowledged"), GREEN),
    Choice(WAITING, N_("Not yet acknowledged"), AMBER),
    Choice(OVERDUE, N_("Acknowledgement overdue"), RED),
)
NOTICE_STATES = (
    Choice(ACKNOWLEDGED, N_("All acknowledged"), GREEN),
    Choice(WAITING, N_("Not all acknowledged"), AMBER),
    Choice(OVERDUE, N_("Acknowledgements overdue"), RED),
    Choice(NOT_SENT, N_("Not sent yet"), GREY),
)

# What a supervision team checks at a social organisation (the target kind is registered at the
# end of this module).
SUPERVISION_CHECKLIST = (
    ChecklistItem("social_org.no_gatherings", N_("No gathering activities are held while they are suspended")),
    ChecklistItem("social_org.plan", N_("A prevention plan exists and a person in charge is named")),
    ChecklistItem("social_org.health_monitoring", N_("Staff health is monitored and temperatures are taken daily")),
    ChecklistItem("social_org.premises", N_("Premises are disinfected and ventilated; masks are worn")),
    ChecklistItem("social_org.visitors", N_("Health codes of visitors are checked and visitors are registered")),
    ChecklistItem("social_org.notices", N_("The bureau's notices were acknowledged and are carried out")),
    ChecklistItem("social_org.fundraising", N_("Donations are raised only as the law allows and are made public")),
    ChecklistItem("social_org.publicity", N_("Members and service users are told of the prevention rules")),
)


def _figures():  # type: ignore[no-untyped-def]
    # figures.py reads this module's choices; imported when a page is computed, not at import time.
    from civaffairs.groups.social_organisations import figures

    return figures


def _one_of(model: type, record_id: uuid.UUID | None, *conds: Any) -> Any:
    stmt = select(model).where(model.deleted_at.is_(None), *conds)
    if record_id is not None:
        stmt = stmt.where(model.id != record_id)
    return stmt.limit(1)


def _title(choices: Sequence[Choice], code: str | None) -> str:
    return next((c.title for c in choices if c.code == code), code or "")


# ------------------------------------------------------------------ organisations


HISTORY = StatusHistory(OrganisationStatus, "organisation_id", choices=ENTERED_STATUSES)


def _unique_code(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    code = values.get("credit_code")
    if not code:
        return {}
    other = session.scalar(_one_of(SocialOrganisation, record_id, SocialOrganisation.credit_code == code))
    if other is None:
        return {}
    return {"credit_code": _("{code} is already the code of {name}.").format(code=code, name=other.name)}


def _code_fits_kind(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A warning: a civil-affairs code of another kind (52… for a 社会团体), or a code given by
    another department (91… is an enterprise's)."""
    code, kind = values.get("credit_code"), values.get("kind")
    if not code or kind not in KIND_DIGITS:
        return {}
    expected = CIVIL_AFFAIRS + KIND_DIGITS[kind]
    if code.startswith(expected):
        return {}
    return {"credit_code": _("A {kind} registered by civil affairs has a code beginning with {expected}; this "
                             "one begins with {start}. Please check the code and the kind.").format(
        kind=_title(KINDS, kind), expected=expected, start=code[:2])}


def _status_today(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    from civaffairs.core.clock import today_local

    return _figures().status_on(session, ids, today_local())


def _pending(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return _figures().not_acknowledged_counts(session, ids)


def _organisation_level(row: Mapping[str, Any]) -> RowLevel | None:
    return RowLevel.WARNING if row.get("not_acknowledged") else None


ORGANISATIONS = register(RegisterSpec(
    key="social_organisations.organisations", group=GROUP, title=N_("Social organisations"),
    record_noun=N_("social organisation"), model=SocialOrganisation, display_fields=("name",), default_sort="name",
    fields=(
        FieldSpec("name", N_("Organisation name"), required=True, max_length=100, searchable=True, width=32),
        FieldSpec("kind", N_("Kind"), Kind.CHOICE, choices=KINDS, required=True, width=12),
        FieldSpec("credit_code", N_("Unified social credit code"), Kind.CREDIT_CODE, required=True, searchable=True,
                  width=18, placeholder=N_("18 characters, e.g. 51620503MJ2630012B")),
        # Nearly always this bureau: in the form and on the record, not a list column.
        FieldSpec("registration_authority", N_("Registration authority"), required=True, max_length=100, width=14,
                  in_list=False, placeholder=N_("e.g. 麦积区民政局")),
        FieldSpec("legal_representative", N_("Legal representative"), max_length=50, searchable=True, width=8),
        FieldSpec("contact_person", N_("Contact person"), max_length=50, searchable=True, width=8),
        FieldSpec("contact_phone", N_("Contact phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, width=15),
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, searchable=True,
                  width=12),
        FieldSpec("address", N_("Address"), max_length=200, searchable=True, width=26),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("status_today", N_("Status today"), Kind.CHOICE, choices=STATUSES, in_form=False,
                                 width=18), _status_today),
        ComputedColumn(FieldSpec("not_acknowledged", N_("Notices not acknowledged"), Kind.INTEGER, in_form=False,
                                 width=6), _pending),
    ),
    row_level=_organisation_level,
    rules=(unique_name(SocialOrganisation, N_("“{name}” is already in the list.")), _unique_code),
    warnings=(_code_fits_kind,),
))


STATUS_PERIODS = register(RegisterSpec(
    key="social_organisations.statuses", group=GROUP, title=N_("Prevention status"), record_noun=N_("status period"),
    model=OrganisationStatus, display_fields=("organisation_id", "status", "start_date"), date_field="start_date",
    default_sort="start_date", default_descending=True, parent_field="organisation_id",
    fields=HISTORY.fields(ORGANISATIONS.key, N_("Organisation name")),
    rules=(HISTORY.no_overlap,),
))


# ------------------------------------------------------------------ measures reported


def _one_report_a_day(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    organisation_id, day = values.get("organisation_id"), values.get("day")
    if organisation_id is None or day is None:
        return {}
    if session.scalar(_one_of(MeasureReport, record_id, MeasureReport.organisation_id == organisation_id,
                              MeasureReport.day == day)) is None:
        return {}
    name = session.scalar(select(SocialOrganisation.name).where(SocialOrganisation.id == organisation_id))
    return {"day": _("{name} has already reported its measures for {day}: please add to that report.").format(
        name=name, day=long_date(day))}


MEASURE_REPORTS = register(RegisterSpec(
    key="social_organisations.measures", group=GROUP, title=N_("Prevention measures reported"),
    record_noun=N_("measures report"), model=MeasureReport, display_fields=("organisation_id", "day"),
    date_field="day", default_sort="day", default_descending=True, parent_field="organisation_id",
    fields=(
        FieldSpec("organisation_id", N_("Organisation name"), Kind.REFERENCE, reference=ORGANISATIONS.key, required=True,
                  searchable=True, width=26),
        FieldSpec("day", N_("Date reported"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("measures", N_("Measures taken"), Kind.MULTI_CHOICE, choices=MEASURES, required=True, width=90),
        FieldSpec("reported_by", N_("Reported by"), max_length=50, searchable=True, width=8),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, width=12),
    ),
    rules=(_one_report_a_day,),
))


# ------------------------------------------------------------------ notices and their acknowledgement


def _linked_notice_kept(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A notice taken over from the program's issued notices keeps what it was issued with."""
    from civaffairs.notices.models import Notice

    notice_id = values.get("notice_id")
    if notice_id is None:
        return {}
    notice = session.get(Notice, notice_id)
    if notice is None:
        return {}
    issued = {"title": notice.title, "document_number": notice.document_number or "",
              "notice_date": notice.issue_date or notice.document_date}
    message = _("This notice was taken over from the issued notice {number}: it keeps the title, number and date "
                "it was issued with.").format(number=notice.document_number or notice.title)
    return {name: message for name, value in issued.items() if values.get(name) != value}


def _progress(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: p.text for i, p in _figures().notice_progress(session, ids).items()}


def _notice_state(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: p.state for i, p in _figures().notice_progress(session, ids).items()}


def _state_level(row: Mapping[str, Any]) -> RowLevel | None:
    return {OVERDUE: RowLevel.ALERT, WAITING: RowLevel.WARNING}.get(row.get("state") or "")


NOTICES = register(RegisterSpec(
    key="social_organisations.notices", group=GROUP, title=N_("Notices to organisations"),
    record_noun=N_("notice to organisations"), model=OrganisationNotice, display_fields=("title",),
    date_field="notice_date", default_sort="notice_date", default_descending=True,
    fields=(
        FieldSpec("title", N_("Title"), required=True, max_length=200, searchable=True, width=40),
        FieldSpec("document_number", N_("Document number"), max_length=40, searchable=True, width=16,
                  placeholder=N_("e.g. 麦民发〔2021〕12号; empty if it has none")),
        FieldSpec("issued_by", N_("Issued by"), max_length=100, searchable=True, width=14),
        FieldSpec("notice_date", N_("Date of the notice"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("reply_by", N_("Acknowledge by"), Kind.DATE, width=10),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, in_list=False),
        # Set by `service.take_over_notice`, never typed: the program's notice this one is.
        FieldSpec("notice_id", N_("Notice of the program"), in_form=False, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("progress", N_("Acknowledged / sent"), in_form=False, width=8), _progress),
        ComputedColumn(FieldSpec("state", N_("Acknowledgement"), Kind.CHOICE, choices=NOTICE_STATES, in_form=False,
                                 width=10), _notice_state),
    ),
    row_level=_state_level,
    rules=(in_order("notice_date", "reply_by", N_("Acknowledgements cannot be due before the notice's date.")),
           _linked_notice_kept),
))


def _delivery_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    sent, acknowledged = values.get("sent_date"), values.get("acknowledged_date")
    if values.get("acknowledged_by") and acknowledged is None:
        errors["acknowledged_date"] = _("Enter the date the receipt was acknowledged.")
    notice_id, organisation_id = values.get("org_notice_id"), values.get("organisation_id")
    notice = session.get(OrganisationNotice, notice_id) if notice_id is not None else None
    if notice is not None and sent is not None and sent < notice.notice_date:
        errors["sent_date"] = _("The notice is dated {day}: it cannot have been sent before.").format(
            day=long_date(notice.notice_date))
    if notice is not None and organisation_id is not None:
        other = session.scalar(_one_of(NoticeDelivery, record_id, NoticeDelivery.org_notice_id == notice_id,
                                       NoticeDelivery.organisation_id == organisation_id))
        if other is not None:
            name = session.scalar(select(SocialOrganisation.name).where(SocialOrganisation.id == organisation_id))
            errors["org_notice_id"] = _("{name} was already sent this notice on {day}.").format(
                name=name, day=long_date(other.sent_date))
    return errors


def _delivery_state(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    from civaffairs.core.clock import today_local

    return _figures().delivery_states(session, ids, today_local())


DELIVERIES = register(RegisterSpec(
    key="social_organisations.deliveries", group=GROUP, title=N_("Notices sent"), record_noun=N_("notice sent"),
    model=NoticeDelivery, display_fields=("organisation_id", "org_notice_id"), date_field="sent_date",
    default_sort="sent_date", default_descending=True, parent_field="organisation_id",
    fields=(
        FieldSpec("organisation_id", N_("Organisation name"), Kind.REFERENCE, reference=ORGANISATIONS.key, required=True,
                  searchable=True, width=26),
        FieldSpec("org_notice_id", N_("Notice"), Kind.REFERENCE, reference=NOTICES.key, required=True,
                  searchable=True, width=30),
        FieldSpec("sent_date", N_("Date sent"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("channel", N_("Sent by"), Kind.CHOICE, choices=CHANNELS, width=10),
        FieldSpec("acknowledged_date", N_("Receipt acknowledged on"), Kind.DATE, not_in_future=True, width=10),
        FieldSpec("acknowledged_by", N_("Acknowledged by"), max_length=50, searchable=True, width=8),
    ),
    computed=(ComputedColumn(FieldSpec("state", N_("Acknowledgement"), Kind.CHOICE, choices=DELIVERY_STATES,
                                       in_form=False, width=10), _delivery_state),),
    carry_over=("org_notice_id", "sent_date", "channel"),
    row_level=_state_level,
    rules=(in_order("sent_date", "acknowledged_date", N_("A notice is acknowledged on or after the day it was sent.")),
           _delivery_rules),
))

# The supervision teams inspect social organisations: a visit's `organisation_id` names the
# organisation (civaffairs.supervision.models.InspectionVisit), checked against SUPERVISION_CHECKLIST.
SUPERVISION_TARGET = register_target_kind(TargetKind(
    "social_organisation", N_("Social organisation"), ORGANISATIONS.key, "organisation_id", SUPERVISION_CHECKLIST))

REGISTERS = (ORGANISATIONS, STATUS_PERIODS, MEASURE_REPORTS, NOTICES, DELIVERIES)
