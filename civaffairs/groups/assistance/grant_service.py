"""Temporary assistance (临时救助) beyond the generic register service: the application with its
number, the moves of a grant through its approval steps, "assist first, paperwork later", the
overdue-paperwork list, and the towns' reserve funds (备用金), whose balance never goes below zero.

The workflow (`records/workflow.py`):

    applied → investigated → reviewed → publicised (公示, at least NOTICE_DAYS days) → approved → paid
    refused: from any state before payment, with a reason
    assist first: applied (or investigated, reviewed, publicised) → paid, with the documents owed and
    a paperwork deadline (PAPERWORK_DAYS after payment by default); then, the state staying "paid",
    the missing investigation, review and approval are recorded afterwards, documents are ticked
    off as they come in, and `complete_paperwork` closes the file.

The number (e.g. 麦民救〔2021〕12号) is given when the grant is applied for: every step, the
approval form and the 公示 list name it, a grant paid first must carry one before any approval
exists, and a refused application keeps its number (the number register says so) rather than
leaving a gap nobody can explain.

Reserve funds: a payment from a town's reserve fund locks the town's row (`place_town`, SELECT …
FOR UPDATE on PostgreSQL; SQLite's write transaction already holds the database's lock), then
checks that the fund covers it on the payment's day and every day after (later payments already
made included).  The balance is computed from the allocations and the payments, never stored.

Same rules as the generic service: permission (`actor.can_write(4)`), typed errors at the field,
the caller's one transaction, an audit entry per change."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.errors import NotFound, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.groups.assistance.grants import (
    APPLIED, APPROVED, DEFAULT_DOCUMENTS_OWED, GRANTS, INVESTIGATED, NOTICE_DAYS, OPEN_STATES, PAID,
    PAPERWORK_DAYS, PUBLICISED, REFUSED, REVIEWED,
)
from civaffairs.groups.assistance.models import (
    Household, ReserveFundAllocation, TemporaryAssistanceGrant,
)
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberKind, register_kind
from civaffairs.places.models import Town
from civaffairs.records import service as records
from civaffairs.records import workflow as wf
from civaffairs.records.workflow import MoveRefused, Transition, Workflow
from civaffairs.sync.capture import replayable

GRANT_NUMBER = register_kind(NumberKind("grant", N_("Temporary assistance number"), default_prefix="麦民救"))


def _fen(amount: Decimal | int | None) -> int:
    if amount is None:
        return 0
    return amount if isinstance(amount, int) else int(amount * 100)


def yuan(fen: int) -> str:
    """12,345.60: as lists and messages show money."""
    return f"{Decimal(fen).scaleb(-2):,.2f}"


# ------------------------------------------------------------------ reserve funds


def lock_town(session: Session, town_id: uuid.UUID) -> None:
    """Hold the town's row until the transaction ends, so that two payments from its reserve
    fund are checked one after the other (PostgreSQL: FOR UPDATE; SQLite's write transaction
    already holds the database's lock and the dialect leaves FOR UPDATE out)."""
    session.execute(select(Town.id).where(Town.id == town_id).with_for_update())


def _events(session: Session, town_id: uuid.UUID, *, exclude_grant: uuid.UUID | None = None,
            exclude_allocation: uuid.UUID | None = None) -> dict[date, int]:
    """Money into (+) and out of (−) a town's reserve fund, by day, in fen."""
    events: dict[date, int] = {}
    alloc = select(ReserveFundAllocation.allocated_on, func.sum(ReserveFundAllocation.amount)).where(
        ReserveFundAllocation.town_id == town_id, ReserveFundAllocation.deleted_at.is_(None))
    if exclude_allocation is not None:
        alloc = alloc.where(ReserveFundAllocation.id != exclude_allocation)
    for day, amount in session.execute(alloc.group_by(ReserveFundAllocation.allocated_on)):
        events[day] = events.get(day, 0) + int(amount or 0)
    G = TemporaryAssistanceGrant
    used = select(G.paid_on, func.sum(G.paid_amount)).where(
        G.town_id == town_id, G.deleted_at.is_(None), G.state == PAID, G.from_reserve_fund.is_(True),
        G.paid_on.is_not(None))
    if exclude_grant is not None:
        used = used.where(G.id != exclude_grant)
    for day, amount in session.execute(used.group_by(G.paid_on)):
        events[day] = events.get(day, 0) - int(amount or 0)
    return events


def _lowest_from(events: Mapping[date, int], day: date) -> int:
    """The lowest balance on `day` and on any later day money moves."""
    balance = sum(v for d, v in events.items() if d <= day)
    lowest = balance
    for d in sorted(d for d in events if d > day):
        balance += events[d]
        lowest = min(lowest, balance)
    return lowest


def _lowest_ever(events: Mapping[date, int]) -> tuple[int, date | None]:
    balance, lowest, when = 0, 0, None
    for d in sorted(events):
        balance += events[d]
        if balance < lowest:
            lowest, when = balance, d
    return lowest, when


def _town_name(session: Session, town_id: uuid.UUID | None) -> str:
    town = session.get(Town, town_id) if town_id else None
    return town.name if town is not None else ""


def available(session: Session, town_id: uuid.UUID, day: date, *, exclude_grant: uuid.UUID | None = None) -> int:
    """Fen a town's reserve fund can still pay on `day` without going below zero then or later."""
    return max(_lowest_from(_events(session, town_id, exclude_grant=exclude_grant), day), 0)


def reserve_shortfall(session: Session, town_id: uuid.UUID | None, day: date | None, amount: Decimal | int | None,
                      *, exclude_grant: uuid.UUID | None = None) -> str | None:
    """Why a payment of `amount` on `day` from the town's reserve fund is refused, or None when
    the fund covers it.  Locks the town's row first (see `lock_town`)."""
    if town_id is None or day is None or amount is None:
        return None
    lock_town(session, town_id)
    fen = _fen(amount)
    left = available(session, town_id, day, exclude_grant=exclude_grant)
    if fen <= left:
        return None
    return _("The reserve fund of {town} has {balance} yuan available on {day}: a payment of {amount} yuan "
             "from it would overdraw it.").format(town=_town_name(session, town_id), balance=yuan(left),
                                                  day=long_date(day), amount=yuan(fen))


def allocation_change_shortfall(session: Session, allocation_id: uuid.UUID, town_id: uuid.UUID | None,
                                allocated_on: date | None, amount: Decimal | int | None) -> str | None:
    """Why changing an allocation so (town, day, amount) would leave a reserve fund short of
    the grants already paid from it, or None."""
    old = session.get(ReserveFundAllocation, allocation_id)
    towns = {t for t in (town_id, old.town_id if old is not None else None) if t is not None}
    for town in sorted(towns, key=str):  # the same order everywhere: no deadlock between two edits
        lock_town(session, town)
    for town in sorted(towns, key=str):
        events = _events(session, town, exclude_allocation=allocation_id)
        if town == town_id and allocated_on is not None and amount is not None:
            events[allocated_on] = events.get(allocated_on, 0) + _fen(amount)
        lowest, when = _lowest_ever(events)
        if lowest < 0 and when is not None:
            return _("The grants already paid from the reserve fund of {town} need this money: its balance on "
                     "{day} would be {balance} yuan.").format(town=_town_name(session, town), day=long_date(when),
                                                              balance=yuan(lowest))
    return None


@dataclass(frozen=True)
class ReserveBalance:
    town_id: uuid.UUID
    town: str
    allocated: int  # fen, up to the day
    used: int  # fen paid from it up to the day
    balance: int  # fen

    @property
    def low(self) -> bool:
        return self.allocated > 0 and self.balance * 10 < self.allocated  # less than a tenth left


def reserve_balances(session: Session, actor: Actor, day: date) -> list[ReserveBalance]:
    """Every town's reserve fund at the end of `day`: allocated, paid from it, left.  Anyone may
    read it (amounts only, no personal data)."""
    A, G = ReserveFundAllocation, TemporaryAssistanceGrant
    allocated = dict(session.execute(
        select(A.town_id, func.sum(A.amount)).where(A.deleted_at.is_(None), A.allocated_on <= day)
        .group_by(A.town_id)).all())
    used = dict(session.execute(
        select(G.town_id, func.sum(G.paid_amount)).where(
            G.deleted_at.is_(None), G.state == PAID, G.from_reserve_fund.is_(True), G.paid_on <= day)
        .group_by(G.town_id)).all())
    towns = session.execute(select(Town.id, Town.name).where(Town.deleted_at.is_(None)).order_by(Town.name, Town.id))
    out = []
    for town_id, name in towns:
        a, u = int(allocated.get(town_id) or 0), int(used.get(town_id) or 0)
        out.append(ReserveBalance(town_id, name, a, u, a - u))
    return out


# ------------------------------------------------------------------ the workflow's checks


def _not_before(first: str, then: str, message: str):  # type: ignore[no-untyped-def]
    """A rule: the step's date `then` is not before the record's (or the step's) date `first`."""

    def rule(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
        a = values.get(first, current.get(first))
        b = values.get(then)
        if a is not None and b is not None and b < a:
            return {then: _(message).format(day=long_date(a))}
        return {}

    return rule


def _notice_long_enough(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    start, end = values.get("notice_from"), values.get("notice_to")
    if start is None or end is None:
        return {}
    if end < start:
        return {"notice_to": _("The notice cannot end before it begins.")}
    if (end - start).days + 1 < NOTICE_DAYS:
        return {"notice_to": _("The public notice lasts at least {n} days: from {start} until {end} at the "
                               "earliest.").format(n=NOTICE_DAYS, start=long_date(start),
                                                   end=long_date(start + timedelta(days=NOTICE_DAYS - 1)))}
    return {}


def _notice_over(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    """公示未结束，不能审批: approval on the day after the notice's last day at the earliest."""
    end, day = current.get("notice_to"), values.get("approved_on")
    if end is not None and day is not None and day <= end:
        return {"approved_on": _("The public notice runs until {end} and has not ended: the grant cannot be "
                                 "approved before {next}.").format(end=long_date(end),
                                                                   next=long_date(end + timedelta(days=1)))}
    return {}


def _paid_within_approval(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    approved, paid = current.get("approved_amount"), values.get("paid_amount")
    if approved is not None and paid is not None and paid > approved:
        return {"paid_amount": _("More than the amount approved ({amount} yuan).").format(amount=yuan(_fen(approved)))}
    return {}


def _approval_covers_payment(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    paid, approved = current.get("paid_amount"), values.get("approved_amount")
    if paid is not None and approved is not None and approved < paid:
        return {"approved_amount": _("{amount} yuan have already been paid under “assist first”: the amount "
                                     "approved cannot be less.").format(amount=yuan(_fen(paid)))}
    return {}


def _deadline_after_payment(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    paid, deadline = values.get("paid_on"), values.get("paperwork_deadline")
    if paid is not None and deadline is not None and deadline < paid:
        return {"paperwork_deadline": _("The paperwork cannot be due before the payment ({day}).").format(
            day=long_date(paid))}
    return {}


def _reserve_covers(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    if not values.get("from_reserve_fund"):
        return {}
    message = reserve_shortfall(session, current.get("town_id"), values.get("paid_on"), values.get("paid_amount"),
                                exclude_grant=current.get("id"))
    return {"from_reserve_fund": message} if message else {}


STEPS_AFTERWARDS = (
    ("investigated_on", N_("home investigation")),
    ("reviewed_on", N_("town review")),
    ("approved_on", N_("approval")),
)


def missing_steps(current: Mapping[str, Any]) -> list[str]:
    """The approval steps a grant paid first still lacks, translated."""
    return [_(label) for name, label in STEPS_AFTERWARDS if current.get(name) is None]


def _steps_complete(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    missing = missing_steps(current)
    if missing:
        return {"": _("The paperwork is not complete: still to be recorded: {steps}.").format(steps="、".join(missing))}
    return {}


def _assist_first_open(current: Mapping[str, Any]) -> str | None:
    if not current.get("assist_first"):
        return _("This grant was paid after its approval: there is no paperwork to complete.")
    if current.get("paperwork_completed_on") is not None:
        return _("The paperwork of this grant was completed on {day}.").format(
            day=long_date(current["paperwork_completed_on"]))
    return None


def _afterwards(field: str, done: str, needs: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A step recorded afterwards under "assist first": once, and after the step before it."""

    def available(current: Mapping[str, Any]) -> str | None:
        why = _assist_first_open(current)
        if why is None and current.get(field) is not None:
            return _(done)
        if why is None and needs is not None and current.get(needs[0]) is None:
            return _(needs[1])
        return why

    return available


def _documents_owed_open(current: Mapping[str, Any]) -> str | None:
    why = _assist_first_open(current)
    if why is None and not current.get("documents_owed"):
        return _("No documents are owed.")
    return why


def _investigation_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    return {"investigated_on": today_local()}


def _review_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    return {"reviewed_on": today_local(), "reviewed_amount": current.get("proposed_amount")}


def _notice_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    start = today_local()
    return {"notice_from": start, "notice_to": start + timedelta(days=NOTICE_DAYS - 1)}


def _approval_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    day = today_local()
    end = current.get("notice_to")
    if end is not None and day <= end:
        day = end + timedelta(days=1)
    return {"approved_on": day, "approved_amount": current.get("paid_amount") or current.get("reviewed_amount")
            or current.get("proposed_amount")}


def _payment_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    return {"paid_on": today_local(), "paid_amount": current.get("approved_amount"), "payment_method": "bank_transfer"}


def documents_owed_by_default(current: Mapping[str, Any]) -> list[str]:
    """What a grant paid first owes: the usual documents, less the records of steps already taken."""
    owed = list(DEFAULT_DOCUMENTS_OWED)
    if current.get("investigated_on") is not None:
        owed = [d for d in owed if d not in ("investigation_record", "village_opinion")]
    return owed


def _pay_first_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    day = today_local()
    return {"paid_on": day, "paid_amount": current.get("reviewed_amount") or current.get("proposed_amount"),
            "payment_method": "bank_transfer", "documents_owed": documents_owed_by_default(current),
            "paperwork_deadline": day + timedelta(days=PAPERWORK_DAYS)}


def _pay_first_effect(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    deadline = values.get("paperwork_deadline") or values["paid_on"] + timedelta(days=PAPERWORK_DAYS)
    return {"assist_first": True, "paperwork_deadline": deadline}


def _completion_defaults(session: Session, current: Mapping[str, Any]) -> dict[str, Any]:
    return {"paperwork_completed_on": today_local()}


def _completion_effect(session: Session, current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {"documents_owed": []}


INVESTIGATION = ("investigated_on", "investigator", "findings", "village_opinion")
REVIEW = ("reviewed_on", "reviewer", "reviewed_amount")
APPROVAL = ("approved_on", "approver", "approved_amount")
PAYMENT = ("paid_on", "paid_amount", "payment_method", "from_reserve_fund")

_investigated_after_application = _not_before("applied_on", "investigated_on",
                                              N_("The investigation cannot be before the application ({day})."))
_reviewed_after_investigation = _not_before("investigated_on", "reviewed_on",
                                            N_("The review cannot be before the home investigation ({day})."))
_approved_after_review = _not_before("reviewed_on", "approved_on",
                                     N_("The approval cannot be before the town's review ({day})."))

WORKFLOW = Workflow(GRANTS, "state", (
    Transition("investigate", N_("Record the home investigation…"), (APPLIED,), INVESTIGATED,
               fields=INVESTIGATION, required=("investigated_on", "investigator", "findings"),
               rules=(_investigated_after_application,), defaults=_investigation_defaults,
               hint=N_("Village or community cadres visit the household and check what the application says.")),
    Transition("review", N_("Record the town's review…"), (INVESTIGATED,), REVIEWED,
               fields=REVIEW, required=REVIEW, rules=(_reviewed_after_investigation,), defaults=_review_defaults,
               hint=N_("The town or sub-district reviews the file and proposes the amount.")),
    Transition("publicise", N_("Post the public notice…"), (REVIEWED,), PUBLICISED,
               fields=("notice_from", "notice_to"), required=("notice_from", "notice_to"),
               rules=(_not_before("reviewed_on", "notice_from", N_("The notice cannot begin before the review ({day}).")),
                      _notice_long_enough),
               defaults=_notice_defaults,
               hint=N_("The grant is posted in its village or community; the district approves it only after the notice has ended.")),
    Transition("approve", N_("Record the district's approval…"), (PUBLICISED,), APPROVED,
               fields=APPROVAL, required=APPROVAL, rules=(_approved_after_review,), guards=(_notice_over,),
               defaults=_approval_defaults,
               hint=N_("The district civil affairs bureau approves the amount once the public notice has ended.")),
    Transition("pay", N_("Record the payment…"), (APPROVED,), PAID,
               fields=PAYMENT, required=("paid_on", "paid_amount", "payment_method"),
               rules=(_not_before("approved_on", "paid_on", N_("The payment cannot be before the approval ({day}).")),
                      _paid_within_approval),
               guards=(_reserve_covers,), defaults=_payment_defaults),
    Transition("pay_first", N_("Assist first: pay now…"), (APPLIED, INVESTIGATED, REVIEWED, PUBLICISED), PAID,
               fields=PAYMENT + ("documents_owed", "paperwork_deadline"),
               required=("paid_on", "paid_amount", "payment_method"),
               rules=(_not_before("applied_on", "paid_on", N_("The payment cannot be before the application ({day}).")),
                      _deadline_after_payment),
               guards=(_reserve_covers,), effect=_pay_first_effect, defaults=_pay_first_defaults,
               hint=N_("先行救助、后补手续: pay now; the documents owed and the missing steps are completed by the "
                       "deadline.")),
    Transition("refuse", N_("Refuse…"), OPEN_STATES, REFUSED, fields=("refused_reason",), required=("refused_reason",),
               hint=N_("The application is refused; the applicant is told the reason.")),
    # Assist first: the steps completed afterwards, the grant staying "paid".
    Transition("investigate_later", N_("Record the home investigation afterwards…"), (PAID,), None,
               fields=INVESTIGATION, required=("investigated_on", "investigator", "findings"),
               available=_afterwards("investigated_on", N_("The home investigation is already recorded.")),
               rules=(_investigated_after_application,), defaults=_investigation_defaults),
    Transition("review_later", N_("Record the town's review afterwards…"), (PAID,), None,
               fields=REVIEW, required=REVIEW,
               available=_afterwards("reviewed_on", N_("The town's review is already recorded."),
                                     needs=("investigated_on", N_("Please record the home investigation first."))),
               rules=(_reviewed_after_investigation,),
               defaults=_review_defaults),
    Transition("approve_later", N_("Record the approval afterwards…"), (PAID,), None,
               fields=APPROVAL, required=APPROVAL,
               available=_afterwards("approved_on", N_("The approval is already recorded."),
                                     needs=("reviewed_on", N_("Please record the town's review first."))),
               rules=(_approved_after_review, _approval_covers_payment),
               defaults=_approval_defaults),
    Transition("documents_in", N_("Documents received…"), (PAID,), None,
               fields=("documents_owed",), available=_documents_owed_open,
               hint=N_("Untick the documents that have come in; those still ticked are still owed.")),
    Transition("complete_paperwork", N_("Paperwork complete…"), (PAID,), None,
               fields=("paperwork_completed_on",), required=("paperwork_completed_on",),
               available=_assist_first_open,
               rules=(_not_before("paid_on", "paperwork_completed_on",
                                  N_("The paperwork cannot be completed before the payment ({day})."),),),
               guards=(_steps_complete,), effect=_completion_effect, defaults=_completion_defaults,
               hint=N_("Every document owed has come in and the missing steps are recorded.")),
))


# ------------------------------------------------------------------ application and moves


def _issue_number(session: Session, actor: Actor, grant: TemporaryAssistanceGrant, prefix: str | None) -> str:
    label = records._label(session, GRANTS, {"household_id": grant.household_id})
    entry = numbering.allocate(session, actor, GRANT_NUMBER, prefix or GRANT_NUMBER.default_prefix,
                               grant.applied_on.year, owner_register=GRANTS.key, owner_id=grant.id, owner_label=label)
    now = now_utc()
    grant.number = entry.number
    grant.updated_at, grant.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "issue", GRANTS.key, grant.id, record_version=grant.version,
                 label=f"{entry.number} {label}".strip(), changes={"number": [None, entry.number]}, at=now)
    return entry.number


@replayable("assistance.apply", register=GRANTS.key)
def apply(session: Session, actor: Actor, values: Mapping[str, Any], *, prefix: str | None = None,
          accept: tuple[str, ...] = ()) -> records.Row:
    """A new application (state "applied") with its number from the numbering service.  The town
    is the household's when none is given."""
    given = dict(values)
    household_id = given.get("household_id")
    if not given.get("town_id") and isinstance(household_id, uuid.UUID):
        household = session.get(Household, household_id)
        if household is not None:
            given["town_id"] = household.town_id
    row = records.create(session, actor, GRANTS, given, accept=accept)
    grant = session.get(TemporaryAssistanceGrant, row.id)
    assert grant is not None
    number = _issue_number(session, actor, grant, prefix)
    # The row as created, with its number: reading it again would cost a query per application.
    return replace(row, version=grant.version, values={**row.values, "number": number})


@replayable("assistance.move", register=GRANTS.key, record_arg="grant_id", version_arg="expected_version",
            model=TemporaryAssistanceGrant)
def move(session: Session, actor: Actor, grant_id: uuid.UUID, expected_version: int, key: str,
         values: Mapping[str, Any], *, today: date | None = None) -> records.Row:
    """Take the step `key` of `WORKFLOW` (investigate, review, publicise, approve, pay, pay_first,
    refuse, investigate_later, review_later, approve_later, documents_in, complete_paperwork).
    "pay_first" without `documents_owed` owes the usual documents (`documents_owed_by_default`)."""
    G = TemporaryAssistanceGrant
    found = session.execute(select(G.number, G.investigated_on, G.deleted_at).where(G.id == grant_id)).first()
    if key == "pay_first" and "documents_owed" not in values and found is not None:
        # Not said at all (an import, a script): the usual documents; an empty list given means none.
        values = {**values, "documents_owed": documents_owed_by_default({"investigated_on": found.investigated_on})}
    if found is not None and found.deleted_at is None and not found.number and actor.can_write(GRANTS.group):
        # Entered without `apply` (an import, the bare register service): numbered at its first step.
        grant = session.get(G, grant_id)
        assert grant is not None
        _issue_number(session, actor, grant, None)
        expected_version += 1
    return wf.move(session, actor, WORKFLOW, grant_id, expected_version, key, values, today=today)


def complete_paperwork(session: Session, actor: Actor, grant_id: uuid.UUID, expected_version: int,
                       day: date) -> records.Row:
    """The documents owed under "assist first" are in and the missing steps recorded: the file
    is complete on `day` (refused while investigation, review or approval is missing)."""
    return move(session, actor, grant_id, expected_version, "complete_paperwork", {"paperwork_completed_on": day})


def allowed_steps(session: Session, grant_id: uuid.UUID) -> list[Transition]:
    """The steps that can be taken now on the grant, in the workflow's order."""
    return WORKFLOW.allowed(wf.current_values(session, WORKFLOW, grant_id))


# ------------------------------------------------------------------ paperwork owed


@dataclass(frozen=True)
class PaperworkOwed:
    grant_id: uuid.UUID
    version: int
    number: str
    household: str  # the head's name
    town: str
    paid_on: date
    paid_amount: int  # fen
    deadline: date
    documents: list[str]  # translated titles of the documents owed
    steps: list[str]  # translated names of the steps still to be recorded
    days_overdue: int  # 0 while the deadline has not passed

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def paperwork_owed(session: Session, actor: Actor, day: date, *, overdue_only: bool = False) -> list[PaperworkOwed]:
    """Grants paid first whose paperwork is not complete, the most overdue first."""
    G = TemporaryAssistanceGrant
    stmt = (select(G, Household.head_name, Town.name)
            .join(Household, Household.id == G.household_id).join(Town, Town.id == G.town_id)
            .where(G.deleted_at.is_(None), G.state == PAID, G.assist_first.is_(True),
                   G.paperwork_completed_on.is_(None)))
    if overdue_only:
        stmt = stmt.where(G.paperwork_deadline < day)
    stmt = stmt.order_by(G.paperwork_deadline, G.id)
    documents = GRANTS.field("documents_owed")
    out = []
    for grant, head, town in session.execute(stmt):
        deadline = grant.paperwork_deadline or grant.paid_on
        current = {"investigated_on": grant.investigated_on, "reviewed_on": grant.reviewed_on,
                   "approved_on": grant.approved_on}
        out.append(PaperworkOwed(grant.id, grant.version, grant.number, head, town, grant.paid_on,
                                 grant.paid_amount or 0, deadline,
                                 [documents.choice_title(d) for d in grant.documents_owed or []],
                                 missing_steps(current), max((day - deadline).days, 0)))
    return out


def overdue_paperwork(session: Session, actor: Actor, day: date) -> list[PaperworkOwed]:
    """Grants paid first whose paperwork deadline passed before `day` and is still not complete."""
    return paperwork_owed(session, actor, day, overdue_only=True)


def count_overdue(session: Session, day: date) -> int:
    G = TemporaryAssistanceGrant
    return session.scalar(select(func.count()).select_from(G).where(
        G.deleted_at.is_(None), G.state == PAID, G.assist_first.is_(True), G.paperwork_completed_on.is_(None),
        G.paperwork_deadline < day)) or 0


def grant(session: Session, actor: Actor, grant_id: uuid.UUID) -> records.Row:
    row = records.get(session, actor, GRANTS, grant_id)
    if row.deleted_at is not None:
        raise NotFound(_("This record no longer exists."))
    return row


__all__ = [
    "GRANT_NUMBER", "WORKFLOW", "MoveRefused", "ValidationError", "apply", "move", "complete_paperwork",
    "allowed_steps", "paperwork_owed", "overdue_paperwork", "count_overdue", "reserve_balances",
    "reserve_shortfall", "available", "lock_town", "ReserveBalance", "PaperworkOwed", "yuan",
]
