"""Group 4's registers of temporary assistance (临时救助), reserve funds (备用金) and rescue
(流浪乞讨、滞留人员救助), as field specs and rules.

A grant's state and the fields of its approval steps are kept out of the form: they are filled by
the moves of `grant_service` (on `records/workflow.py`), each audited with who and when; the
list shows them.  A grant's number comes from the numbering service when it is applied for."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import N_, _
from civaffairs.core.idnumbers import parse_resident_id
from civaffairs.groups.assistance.households import HOUSEHOLDS
from civaffairs.groups.assistance.models import ReserveFundAllocation, Rescue, TemporaryAssistanceGrant
from civaffairs.places.fields import TOWNS
from civaffairs.records.spec import Choice, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, register

GROUP = 4

# The public notice (公示) of a grant before its approval lasts at least this many days, the first
# and the last included (the usual seven days of the assistance rules).
NOTICE_DAYS = 7
# Under "assist first, paperwork later" the missing documents and steps are due this many days
# after the payment: a month, since during the outbreak home visits and offices were closed.
PAPERWORK_DAYS = 30
MAX_AMOUNT = Decimal("100000.00")  # yuan: a typing error guard, far above any one grant

RED, GREEN, AMBER, GREY, BLUE, PURPLE, TEAL, SLATE = (
    "#c0392b", "#1e8449", "#b7950b", "#7f8c8d", "#2874a6", "#7d3c98", "#117a65", "#5d6d7e")

APPLIED, INVESTIGATED, REVIEWED, PUBLICISED, APPROVED, PAID, REFUSED = (
    "applied", "investigated", "reviewed", "publicised", "approved", "paid", "refused")
STATES = (
    Choice(APPLIED, N_("Applied"), SLATE),
    Choice(INVESTIGATED, N_("Investigated"), BLUE),
    Choice(REVIEWED, N_("Reviewed by the town"), PURPLE),
    Choice(PUBLICISED, N_("Under public notice"), AMBER),
    Choice(APPROVED, N_("Approved"), TEAL),
    Choice(PAID, N_("Paid"), GREEN),
    Choice(REFUSED, N_("Refused"), GREY),
)
OPEN_STATES = (APPLIED, INVESTIGATED, REVIEWED, PUBLICISED, APPROVED)

HARDSHIPS = (
    Choice("living", N_("Basic living")),
    Choice("medical", N_("Medical costs")),
    Choice("education", N_("Education costs")),
    Choice("housing", N_("Housing")),
    Choice("outbreak", N_("Hit by the outbreak")),
    Choice("disaster", N_("Natural disaster")),
    Choice("accident", N_("Accident")),
    Choice("other", N_("Other hardship")),
)

PAYMENT_METHODS = (
    Choice("bank_transfer", N_("Bank transfer")),
    Choice("one_card", N_("Benefit card (一卡通)")),
    Choice("cash", N_("Cash")),
    Choice("in_kind", N_("In kind")),
)

DOCUMENTS = (
    Choice("application_form", N_("Application form")),
    Choice("id_copies", N_("ID card copies")),
    Choice("household_register", N_("Household register (户口簿)")),
    Choice("income_proof", N_("Income proof")),
    Choice("hardship_proof", N_("Proof of the hardship (bills, diagnosis)")),
    Choice("investigation_record", N_("Home investigation record")),
    Choice("village_opinion", N_("Village or community opinion")),
)
# What a grant paid first usually still owes: everything but the proof of the hardship, which the
# clerk has seen when deciding to pay.
DEFAULT_DOCUMENTS_OWED = ("application_form", "id_copies", "household_register", "income_proof",
                          "investigation_record", "village_opinion")

# The application: what the register's own form may change while the grant is still "applied".
APPLICATION_FIELDS = ("household_id", "town_id", "applied_on", "hardship", "reason", "persons",
                      "earlier_assistance", "proposed_amount")


def _figures():  # type: ignore[no-untyped-def]
    # The service computes balances from this module's specs: imported when a rule runs.
    from civaffairs.groups.assistance import grant_service

    return grant_service


def paperwork_level(values: Mapping[str, Any], day: date) -> RowLevel | None:
    """A grant paid first: red once its paperwork deadline has passed, yellow while it is owed."""
    if not values.get("assist_first") or values.get("state") != PAID or values.get("paperwork_completed_on"):
        return None
    deadline = values.get("paperwork_deadline")
    if isinstance(deadline, date) and deadline < day:
        return RowLevel.ALERT
    return RowLevel.WARNING


def _not_paid(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """Money that has gone out stays on the books: a paid grant is never put in the recycle bin."""
    if values.get("state") == PAID:
        return {"state": _("the grant has been paid; money paid out stays on record.")}
    return {}


def _grant_row_level(values: Mapping[str, Any]) -> RowLevel | None:
    return paperwork_level(values, today_local())


def _application_frozen(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """Once a grant has left "applied", its application is what the steps were taken on: the form
    may change only the notes."""
    if record_id is None:
        return {}
    grant = session.get(TemporaryAssistanceGrant, record_id)
    if grant is None or grant.state == APPLIED:
        return {}
    state = GRANTS.field("state").choice_title(grant.state)
    errors = {}
    for name in APPLICATION_FIELDS:
        f = GRANTS.field(name)
        stored = getattr(grant, name)
        new = values.get(name)
        if f.kind is Kind.MONEY and new is not None:
            new = int(new * 100)
        if new != stored:
            errors[name] = _("The grant is already “{state}”: its application can no longer be changed. "
                             "Write any correction in the notes.").format(state=state)
    return errors


def _reserve_still_covers(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A deleted grant paid from a reserve fund comes back (restore) only if the fund still has
    the money: meanwhile other grants may have used it."""
    if record_id is None or values.get("state") != PAID or not values.get("from_reserve_fund"):
        return {}
    message = _figures().reserve_shortfall(session, values.get("town_id"), values.get("paid_on"),
                                           values.get("paid_amount"), exclude_grant=record_id)
    return {"from_reserve_fund": message} if message else {}


GRANTS = register(RegisterSpec(
    key="assistance.grants", group=GROUP, title=N_("Temporary assistance"), record_noun=N_("temporary assistance grant"),
    model=TemporaryAssistanceGrant, display_fields=("number", "household_id"), date_field="applied_on",
    default_sort="applied_on", default_descending=True, parent_field="household_id",
    fields=(
        FieldSpec("number", N_("Grant number"), in_form=False, searchable=True, width=16),
        FieldSpec("household_id", N_("Household (head)"), Kind.REFERENCE, reference=HOUSEHOLDS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE,
                  reference=TOWNS.key, required=True, searchable=True, width=10),
        FieldSpec("state", N_("State"), Kind.CHOICE, choices=STATES, in_form=False, width=8),
        FieldSpec("assist_first", N_("Assist first"), Kind.BOOLEAN, in_form=False, width=4),
        FieldSpec("applied_on", N_("Applied on"), Kind.DATE, required=True, not_in_future=True, width=10,
                  default=today_local),
        FieldSpec("hardship", N_("Hardship"), Kind.CHOICE, choices=HARDSHIPS, required=True, width=8),
        FieldSpec("reason", N_("Reason for the application"), Kind.LONG_TEXT, required=True, max_length=1000,
                  sensitive=Sensitivity.HEALTH, in_list=False),
        FieldSpec("persons", N_("Persons helped"), Kind.INTEGER, required=True, minimum=1, maximum=30, width=4),
        FieldSpec("earlier_assistance", N_("Assistance received before"), Kind.LONG_TEXT, max_length=500,
                  in_list=False),
        FieldSpec("proposed_amount", N_("Amount applied for (yuan)"), Kind.MONEY, required=True,
                  minimum=Decimal("0.01"), maximum=MAX_AMOUNT, width=9),
        # home investigation (入户调查)
        FieldSpec("investigated_on", N_("Investigated on"), Kind.DATE, not_in_future=True, in_form=False,
                  in_list=False),
        FieldSpec("investigator", N_("Investigated by"), max_length=50, in_form=False, in_list=False),
        FieldSpec("findings", N_("Findings of the home investigation"), Kind.LONG_TEXT, max_length=1000,
                  sensitive=Sensitivity.HEALTH, in_form=False, in_list=False),
        FieldSpec("village_opinion", N_("Opinion of the village or community committee"), Kind.LONG_TEXT,
                  max_length=500, in_form=False, in_list=False),
        # town or sub-district review (乡镇审核)
        FieldSpec("reviewed_on", N_("Reviewed on"), Kind.DATE, not_in_future=True, in_form=False, in_list=False),
        FieldSpec("reviewer", N_("Reviewed by"), max_length=50, in_form=False, in_list=False),
        FieldSpec("reviewed_amount", N_("Amount proposed by the town (yuan)"), Kind.MONEY, minimum=Decimal("0.01"),
                  maximum=MAX_AMOUNT, in_form=False, in_list=False),
        # public notice (公示)
        FieldSpec("notice_from", N_("Public notice from"), Kind.DATE, in_form=False, in_list=False),
        FieldSpec("notice_to", N_("Public notice until"), Kind.DATE, in_form=False, in_list=False),
        # district approval (区民政局审批)
        FieldSpec("approved_on", N_("Approved on"), Kind.DATE, not_in_future=True, in_form=False, in_list=False),
        FieldSpec("approver", N_("Approved by"), max_length=50, in_form=False, in_list=False),
        FieldSpec("approved_amount", N_("Amount approved (yuan)"), Kind.MONEY, minimum=Decimal("0.01"),
                  maximum=MAX_AMOUNT, in_form=False, width=9),
        # payment (发放)
        FieldSpec("paid_on", N_("Paid on"), Kind.DATE, not_in_future=True, in_form=False, width=10),
        FieldSpec("paid_amount", N_("Amount paid (yuan)"), Kind.MONEY, minimum=Decimal("0.01"), maximum=MAX_AMOUNT,
                  in_form=False, width=9),
        FieldSpec("payment_method", N_("Payment method"), Kind.CHOICE, choices=PAYMENT_METHODS, in_form=False,
                  in_list=False),
        FieldSpec("from_reserve_fund", N_("Paid from the reserve fund"), Kind.BOOLEAN, in_form=False, width=4),
        # assist first, paperwork later (先行救助、后补手续)
        FieldSpec("documents_owed", N_("Documents owed"), Kind.MULTI_CHOICE, choices=DOCUMENTS, in_form=False,
                  width=16),
        FieldSpec("paperwork_deadline", N_("Paperwork due by"), Kind.DATE, in_form=False, width=10),
        FieldSpec("paperwork_completed_on", N_("Paperwork completed on"), Kind.DATE, not_in_future=True,
                  in_form=False, in_list=False),
        FieldSpec("refused_reason", N_("Reason for refusal"), Kind.LONG_TEXT, max_length=500, in_form=False,
                  in_list=False),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=1000, in_list=False),
    ),
    rules=(_application_frozen, _reserve_still_covers),
    delete_rules=(_not_paid,),
    row_level=_grant_row_level,
    # A new grant is an application; its state moves only through grant_service.
    derive=lambda values: {"state": values.get("state") or APPLIED},
    carry_over=("town_id", "applied_on", "hardship"),
))


# ------------------------------------------------------------------ reserve funds


def _allocation_keeps_balance(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """An allocation made smaller, moved to a later date or to another town, or restored cannot
    leave a town's reserve fund short of the grants it has already paid."""
    if record_id is None:
        return {}  # a new allocation only adds money
    message = _figures().allocation_change_shortfall(session, record_id, values.get("town_id"),
                                                     values.get("allocated_on"), values.get("amount"))
    return {"amount": message} if message else {}


def _allocation_not_needed(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """An allocation the grants paid from it still need does not go to the recycle bin."""
    if record_id is None:
        return {}
    message = _figures().allocation_change_shortfall(session, record_id, None, None, None)
    return {"amount": message} if message else {}


RESERVE_ALLOCATIONS = register(RegisterSpec(
    key="assistance.reserve_allocations", group=GROUP, title=N_("Reserve fund allocations"),
    record_noun=N_("reserve fund allocation"), model=ReserveFundAllocation,
    display_fields=("town_id", "allocated_on"), date_field="allocated_on", default_sort="allocated_on",
    default_descending=True,
    fields=(
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, required=True,
                  searchable=True, width=10),
        FieldSpec("allocated_on", N_("Allocated on"), Kind.DATE, required=True, not_in_future=True, width=10,
                  default=today_local),
        FieldSpec("amount", N_("Amount (yuan)"), Kind.MONEY, required=True, minimum=Decimal("0.01"),
                  maximum=Decimal("10000000.00"), width=10),
        FieldSpec("document", N_("Allocating document"), max_length=60, searchable=True, width=20,
                  placeholder=N_("e.g. 麦民发〔2021〕30号")),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, width=20),
    ),
    rules=(_allocation_keeps_balance,),
    delete_rules=(_allocation_not_needed,),
))


# ------------------------------------------------------------------ rescue

RESCUE_KINDS = (
    Choice("vagrant", N_("Vagrant or beggar")),
    Choice("stranded", N_("Stranded person in difficulty")),
)
SEXES = (Choice("male", N_("Male")), Choice("female", N_("Female")))
HELP = (
    Choice("food", N_("Food")),
    Choice("lodging", N_("Lodging")),
    Choice("medical", N_("Medical care")),
    Choice("ticket", N_("Ticket home")),
    Choice("station", N_("Handed to the relief station")),
    Choice("clothing", N_("Warm clothing")),
)
OUTCOMES = (
    Choice("returned_home", N_("Returned home")),
    Choice("family_collected", N_("Collected by the family")),
    Choice("relief_station", N_("Staying at the relief station")),
    Choice("hospital", N_("In hospital")),
    Choice("declined", N_("Declined help")),
    Choice("other", N_("Other")),
)


def _rescued_person(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """An ID number belongs to somebody named; the sex entered agrees with it."""
    errors = {}
    number = values.get("id_number")
    if number and not values.get("name"):
        errors["name"] = _("Please enter the name of the person whose ID number is given.")
    if number and values.get("sex"):
        try:
            male = parse_resident_id(number).male
        except ValueError:
            return errors
        if values["sex"] != ("male" if male else "female"):
            errors["sex"] = _("The ID number belongs to a {sex}.").format(
                sex=RESCUES.field("sex").choice_title("male" if male else "female"))
    return errors


def _rescue_derive(values: Mapping[str, Any]) -> dict[str, Any]:
    """Sex and age from the ID number, where the clerk left them empty."""
    number = values.get("id_number")
    if not number:
        return {}
    try:
        person = parse_resident_id(number)
    except ValueError:
        return {}
    derived: dict[str, Any] = {}
    if not values.get("sex"):
        derived["sex"] = "male" if person.male else "female"
    found = values.get("found_on")
    if values.get("approximate_age") is None and isinstance(found, date):
        born = person.birth_date
        derived["approximate_age"] = found.year - born.year - ((found.month, found.day) < (born.month, born.day))
    return derived


RESCUES = register(RegisterSpec(
    key="assistance.rescues", group=GROUP, title=N_("Rescue"), record_noun=N_("person rescued"), model=Rescue,
    display_fields=("found_on", "place_found"), date_field="found_on", default_sort="found_on",
    default_descending=True,
    fields=(
        FieldSpec("kind", N_("Kind"), Kind.CHOICE, choices=RESCUE_KINDS, required=True, width=12),
        FieldSpec("found_on", N_("Found on"), Kind.DATE, required=True, not_in_future=True, width=10,
                  default=today_local),
        FieldSpec("found_at", N_("Time found"), Kind.DATETIME, not_in_future=True, in_list=False),
        FieldSpec("place_found", N_("Place found"), required=True, max_length=200, searchable=True, width=18),
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, searchable=True,
                  width=10),
        FieldSpec("patrol", N_("Street patrol"), max_length=100, searchable=True, width=12),
        FieldSpec("name", N_("Name (if known)"), max_length=50, searchable=True, width=8),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, sensitive=Sensitivity.ID_NUMBER, searchable=True,
                  width=18),
        FieldSpec("sex", N_("Sex"), Kind.CHOICE, choices=SEXES, width=4),
        FieldSpec("approximate_age", N_("Age (about)"), Kind.INTEGER, minimum=0, maximum=120, width=4),
        FieldSpec("home_place", N_("Home place"), max_length=200, searchable=True, width=14),
        FieldSpec("health", N_("Health"), Kind.LONG_TEXT, max_length=500, sensitive=Sensitivity.HEALTH, width=14),
        FieldSpec("help_given", N_("Help given"), Kind.MULTI_CHOICE, choices=HELP, required=True, width=16),
        FieldSpec("outcome", N_("Outcome of the rescue"), Kind.CHOICE, choices=OUTCOMES, required=True, width=10),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    rules=(_rescued_person,),
    derive=_rescue_derive,
    carry_over=("found_on", "town_id", "patrol"),
))

REGISTERS = (GRANTS, RESERVE_ALLOCATIONS, RESCUES)
