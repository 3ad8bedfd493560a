"""Group 6's registers, as field specs and rules; the shared machinery does the rest.  Computed
columns and the balances the rules check call `figures.py`, so that the lists, the overview, the
report, the disclosure and the tests agree.

The registers, parent first (a child is shown in its parent's detail pane):
- receiving organisations (慈善协会…) ← day batches ← money donations;
  ← material donations (lots) ← handovers to the coordination and support team ← allocations;
  ← disbursements of donated money;
- donors.

Balances never go below zero, whatever the order of operations:
- a lot's stock (received − handed over) and a handover's stock with the coordination team
  (handed over − allocated) are checked by the rules of the record that takes from them, with the
  parent row locked FOR UPDATE (PostgreSQL; SQLite writes are serial), and a message at the
  quantity field naming what is left;
- the money of a purpose at an organisation (received − disbursed) likewise, at the amount field;
- deleting a lot or a handover with live children is refused by the generic service; deleting a
  money donation runs no rule, so `_guard_balances` checks every balance a flush touched after
  the flush, in the same transaction, and refuses the whole write if one went negative."""
from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.errors import ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.groups.community.fields import COMPOUNDS
from civaffairs.groups.donations.models import (
    Allocation, Disbursement, DonationBatch, Donor, Handover, MaterialDonation, MoneyDonation,
    ReceivingOrganisation,
)
from civaffairs.groups.service_institutions.fields import INSTITUTIONS
from civaffairs.records.rules import unique_name
from civaffairs.records.spec import (
    Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, get_register, register,
)
from civaffairs.supervision.targets import ChecklistItem, TargetKind, register_target_kind

GROUP = 6
GREEN, AMBER, RED = "#1e8449", "#b7950b", "#c0392b"

ORGANISATION_KINDS = (
    Choice("charity_association", N_("Charity association")),
    Choice("red_cross", N_("Red Cross society")),
    Choice("civil_affairs", N_("Civil affairs department")),
    Choice("foundation", N_("Foundation")),
    Choice("other", N_("Other receiving organisation")),
)

ENTERPRISE, ORGANISATION, INDIVIDUAL, ANONYMOUS = "enterprise", "organisation", "individual", "anonymous"
DONOR_KINDS = (
    Choice(ENTERPRISE, N_("Enterprise")),
    Choice(ORGANISATION, N_("Organisation or public body")),
    Choice(INDIVIDUAL, N_("Individual")),
    Choice(ANONYMOUS, N_("Anonymous donor")),
)
WITH_CREDIT_CODE = (ENTERPRISE, ORGANISATION)

BANK_TRANSFER, CASH, ONLINE = "bank_transfer", "cash", "online"
CHANNELS = (
    Choice(BANK_TRANSFER, N_("Bank transfer")),
    Choice(CASH, N_("Cash")),
    Choice(ONLINE, N_("Online donation")),
)

UNDESIGNATED = "undesignated"
PURPOSES = (
    Choice(UNDESIGNATED, N_("Not designated (used where needed)")),
    Choice("prevention_supplies", N_("Prevention supplies")),
    Choice("people_in_difficulty", N_("Assistance for people in difficulty")),
    Choice("front_line", N_("Support for front-line workers")),
    Choice("other", N_("Other designated purpose")),
)

ITEMS = (
    Choice("masks", N_("Masks")),
    Choice("protective_suits", N_("Protective suits")),
    Choice("alcohol", N_("Medical alcohol")),
    Choice("disinfectant", N_("Disinfectant")),
    Choice("face_shields", N_("Face shields")),
    Choice("gloves", N_("Gloves")),
    Choice("other", N_("Other materials")),
)

# Whole units of each lot; the code is stored, the Chinese measure word is shown.
UNITS = (
    Choice("zhi", N_("pieces")),  # 只: masks
    Choice("ge", N_("items")),  # 个: face shields, goggles
    Choice("tao", N_("sets")),  # 套: protective suits
    Choice("jian", N_("garments")),  # 件
    Choice("ping", N_("bottles")),  # 瓶
    Choice("tong", N_("barrels")),  # 桶
    Choice("xiang", N_("cartons")),  # 箱
    Choice("he", N_("boxes")),  # 盒
    Choice("shuang", N_("pairs")),  # 双: gloves
    Choice("kg", N_("kilograms")),  # 公斤
    Choice("tai", N_("machines")),  # 台: thermometers, sprayers
)

INSTITUTION, COMPOUND, HOUSEHOLD, OTHER_RECIPIENT = "institution", "compound", "household", "other"
HOUSEHOLDS_KEY = "assistance.households"

BATCH_MATCHES, BATCH_DIFFERS = "matches", "differs"
BATCH_CHECKS = (
    Choice(BATCH_MATCHES, N_("Matches the statement"), GREEN),
    Choice(BATCH_DIFFERS, N_("Does not match the statement"), AMBER),
)

# What a supervision team checks when it inspects a receiving organisation's donation handling.
# The targets are the records of the receiving organisations register (`ORGANISATIONS`,
# "donations.organisations").
SUPERVISION_CHECKLIST = (
    ChecklistItem("donation.registered", N_("Every donation of money and materials is registered on the day it is "
                                            "received")),
    ChecklistItem("donation.reconciled", N_("Money donations agree with the bank statement and the cash book")),
    ChecklistItem("donation.acknowledged", N_("Donors receive an acknowledgement, and fiscal donation receipts are "
                                              "requested from the finance office")),
    ChecklistItem("donation.designated", N_("Designated donations are used only for their designated purpose")),
    ChecklistItem("donation.stock", N_("Materials in stock agree with the records; expired materials are set "
                                       "apart")),
    ChecklistItem("donation.handover", N_("Materials are handed over to the coordination and support team with "
                                          "signed handover slips")),
    ChecklistItem("donation.allocation", N_("Allocations are signed for by their recipients")),
    ChecklistItem("donation.disbursement", N_("Every payment of donated money is approved before it is made and "
                                              "has its voucher")),
    ChecklistItem("donation.disclosure", N_("What was received and where it went is published (公示), and donors' "
                                            "wishes about being named are kept")),
)


def _figures():  # type: ignore[no-untyped-def]
    # figures.py reads this module's choices; imported when a value is computed, not at import time.
    from civaffairs.groups.donations import figures

    return figures


def _known(register_key: str) -> bool:
    """Whether another group's register exists (group 4 is built alongside this one)."""
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


def choice_title(choices: Sequence[Choice], code: str | None) -> str:
    return next((c.title for c in choices if c.code == code), code or "")


def yuan(fen: int) -> str:
    return f"¥{Decimal(fen).scaleb(-2):,.2f}"


def quantity_text(quantity: int, unit: str | None) -> str:
    """"50,000只" (a Chinese measure word follows the number directly; an English unit after a space)."""
    from civaffairs.core.i18n import current_language

    return f"{quantity:,}{' ' if current_language() == 'en' else ''}{choice_title(UNITS, unit)}"


def _lock(session: Session, model: type, ids: Iterable[uuid.UUID | None]) -> None:
    """Lock the rows whose balance a change draws on (PostgreSQL: SELECT … FOR UPDATE, in a fixed
    order so that two writers never wait for each other; SQLite's write transaction holds the
    whole database already)."""
    wanted = sorted({i for i in ids if i is not None}, key=str)
    if wanted and session.get_bind().dialect.name != "sqlite":
        session.execute(select(model.id).where(model.id.in_(wanted)).order_by(model.id).with_for_update())


def _stored(session: Session, model: type, record_id: uuid.UUID | None) -> Any:
    return session.get(model, record_id) if record_id is not None else None


def _live(model: type) -> Any:
    return model.deleted_at.is_(None)


# ------------------------------------------------------------------ receiving organisations


def _bank_account(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    account = (values.get("bank_account") or "").replace(" ", "")
    if account and (not account.isdigit() or not 8 <= len(account) <= 32):
        return {"bank_account": _("An account number is 8 to 32 digits.")}
    return {}


def _organisation_money(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: Decimal(b.received).scaleb(-2) for i, b in _figures().organisation_balances(session, ids).items()}


def _organisation_left(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: Decimal(b.left).scaleb(-2) for i, b in _figures().organisation_balances(session, ids).items()}


ORGANISATIONS = register(RegisterSpec(
    key="donations.organisations", group=GROUP, title=N_("Receiving organisations"),
    record_noun=N_("receiving organisation"), model=ReceivingOrganisation, display_fields=("name",),
    default_sort="name",
    fields=(
        FieldSpec("name", N_("Organisation name"), required=True, max_length=100, searchable=True, width=20,
                  placeholder=N_("e.g. 麦积区慈善协会")),
        FieldSpec("kind", N_("Kind of organisation"), Kind.CHOICE, choices=ORGANISATION_KINDS, required=True,
                  width=12),
        FieldSpec("credit_code", N_("Unified social credit code"), Kind.CREDIT_CODE, searchable=True, width=18),
        FieldSpec("person_in_charge", N_("Person in charge"), max_length=50, searchable=True, width=8),
        FieldSpec("phone", N_("Contact phone"), Kind.PHONE, width=13),
        FieldSpec("address", N_("Address"), max_length=200, width=20),
        FieldSpec("bank_name", N_("Bank"), max_length=50, width=14, in_list=False,
                  placeholder=N_("e.g. 中国农业银行天水麦积支行")),
        FieldSpec("bank_account", N_("Donation account number"), sensitive=Sensitivity.BANK_ACCOUNT, width=20,
                  placeholder=N_("digits only")),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("money_received", N_("Money received (yuan)"), Kind.MONEY, in_form=False, width=14),
                       _organisation_money),
        ComputedColumn(FieldSpec("money_left", N_("Money left (yuan)"), Kind.MONEY, in_form=False, width=14),
                       _organisation_left),
    ),
    rules=(unique_name(ReceivingOrganisation, N_("“{name}” is already in the list.")), _bank_account),
))


# The supervision teams inspect the donation handling of a receiving organisation: a visit's
# `donation_organisation_id` names it (civaffairs.supervision.models.InspectionVisit).
SUPERVISION_TARGET = register_target_kind(TargetKind(
    "donation_organisation", N_("Organisation receiving donations"), ORGANISATIONS.key, "donation_organisation_id",
    SUPERVISION_CHECKLIST))


# ------------------------------------------------------------------ donors


def _donor_identity(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """An enterprise or organisation gives its credit code; a person may give an ID number; an
    anonymous donor gives neither.  One live donor per credit code and per ID number."""
    kind, code, number = values.get("kind"), values.get("credit_code"), values.get("id_number")
    errors: dict[str, str] = {}
    if kind in WITH_CREDIT_CODE and not code:
        errors["credit_code"] = _("Please enter the unified social credit code of an enterprise or organisation.")
    if kind in (INDIVIDUAL, ANONYMOUS) and code:
        errors["credit_code"] = _("A person has no unified social credit code: leave it empty.")
    if kind != INDIVIDUAL and number:
        errors["id_number"] = _("Only an individual donor has an ID number.")
    for field, value in (("credit_code", code), ("id_number", number)):
        if not value or field in errors:
            continue
        stmt = select(Donor.name).where(getattr(Donor, field) == value, _live(Donor))
        if record_id is not None:
            stmt = stmt.where(Donor.id != record_id)
        other = session.scalar(stmt.limit(1))
        if other is not None:
            errors[field] = _("This number already belongs to the donor “{name}”.").format(name=other)
    return errors


def _donor_same_name(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """Another donor of that name may be the same one entered twice (a warning: two people may
    share a name)."""
    name, kind = values.get("name"), values.get("kind")
    if not name or kind == ANONYMOUS:
        return {}
    stmt = select(Donor.kind).where(Donor.name == name, Donor.kind != ANONYMOUS, _live(Donor))
    if record_id is not None:
        stmt = stmt.where(Donor.id != record_id)
    other = session.scalar(stmt.limit(1))
    if other is None:
        return {}
    return {"name": _("There is already a donor called “{name}” ({kind}): is it the same one?").format(
        name=name, kind=choice_title(DONOR_KINDS, other))}


def _donor_counts(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: t.count for i, t in _figures().donor_totals(session, ids).items()}


def _donor_amounts(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: Decimal(t.amount).scaleb(-2) for i, t in _figures().donor_totals(session, ids).items()}


def _donor_lots(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: t.lots for i, t in _figures().donor_totals(session, ids).items()}


DONORS = register(RegisterSpec(
    key="donations.donors", group=GROUP, title=N_("Donors"), record_noun=N_("donor"), model=Donor,
    display_fields=("name",), default_sort="name",
    fields=(
        FieldSpec("kind", N_("Kind of donor"), Kind.CHOICE, choices=DONOR_KINDS, required=True, width=16),
        FieldSpec("name", N_("Donor"), required=True, max_length=100, searchable=True, width=20,
                  placeholder=N_("for an anonymous donor e.g. 匿名（现金捐款箱）")),
        FieldSpec("credit_code", N_("Unified social credit code"), Kind.CREDIT_CODE, searchable=True, width=18),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, sensitive=Sensitivity.ID_NUMBER, searchable=True,
                  width=18),
        FieldSpec("contact", N_("Contact person"), max_length=50, width=8),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, searchable=True, width=12),
        FieldSpec("address", N_("Address"), max_length=200, sensitive=Sensitivity.ADDRESS, width=20, in_list=False),
        FieldSpec("named_publicly", N_("Named in the public disclosure"), Kind.BOOLEAN, width=8,
                  default=lambda: True),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("donation_count", N_("Number of money donations"), Kind.INTEGER, in_form=False,
                                 width=8),
                       _donor_counts),
        ComputedColumn(FieldSpec("money_donated", N_("Money donated (yuan)"), Kind.MONEY, in_form=False, width=14),
                       _donor_amounts),
        ComputedColumn(FieldSpec("material_lots", N_("Number of material donations"), Kind.INTEGER, in_form=False,
                                 width=8),
                       _donor_lots),
    ),
    rules=(_donor_identity,),
    warnings=(_donor_same_name,),
))


# ------------------------------------------------------------------ a day's batch against the statement


def batch_mismatch_text(check: Any) -> str:
    """"Entered 12 donations totalling ¥35,000.00; the statement says 13 totalling ¥36,000.00." """
    return _("Entered {entered} donations totalling {entered_total}; the statement says {expected} totalling "
             "{expected_total}.").format(entered=check.entered_count, entered_total=yuan(check.entered_total),
                                         expected=check.expected_count, expected_total=yuan(check.expected_total))


def _closing_checks(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """Closing a batch whose donations do not add up to the statement is possible (the clerk may
    know why) but asked about first."""
    if not values.get("closed"):
        return {}
    expected_total = values.get("expected_total")
    expected = _figures().BatchCheck(values.get("expected_count") or 0,
                                     int((expected_total or Decimal(0)) * 100), 0, 0)
    if record_id is not None:
        found = _figures().batch_checks(session, [record_id]).get(record_id)
        if found is not None:
            expected = _figures().BatchCheck(expected.expected_count, expected.expected_total, found.entered_count,
                                             found.entered_total)
    if expected.matches:
        return {}
    return {"closed": _("This batch does not agree with the statement. {difference} Close it anyway?").format(
        difference=batch_mismatch_text(expected))}


def _batch_kept_with_donations(session: Session, values: Mapping[str, Any],
                               record_id: uuid.UUID | None) -> dict[str, str]:
    """The donations of a batch carry its day, organisation and channel: these do not change under them."""
    stored = _stored(session, DonationBatch, record_id)
    if stored is None:
        return {}
    n = session.scalar(select(func.count()).select_from(MoneyDonation).where(
        MoneyDonation.batch_id == stored.id, _live(MoneyDonation))) or 0
    if not n:
        return {}
    message = _("{n} donations of this batch carry it: change or move them first.").format(n=n)
    return {name: message for name in ("day", "organisation_id", "channel")
            if values.get(name) != getattr(stored, name)}


def _batch_entered_count(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: c.entered_count for i, c in _figures().batch_checks(session, ids).items()}


def _batch_entered_total(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: Decimal(c.entered_total).scaleb(-2) for i, c in _figures().batch_checks(session, ids).items()}


def _batch_check(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: BATCH_MATCHES if c.matches else BATCH_DIFFERS for i, c in _figures().batch_checks(session, ids).items()}


def _batch_difference(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: c.difference_text for i, c in _figures().batch_checks(session, ids).items()}


BATCHES = register(RegisterSpec(
    key="donations.batches", group=GROUP, title=N_("Day batches"), record_noun=N_("day batch"),
    model=DonationBatch, display_fields=("day", "statement"), date_field="day", default_sort="day",
    default_descending=True, parent_field="organisation_id",
    fields=(
        FieldSpec("organisation_id", N_("Receiving organisation"), Kind.REFERENCE, reference=ORGANISATIONS.key,
                  required=True, searchable=True, width=14),
        FieldSpec("day", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("channel", N_("Channel"), Kind.CHOICE, choices=CHANNELS, required=True, width=8),
        FieldSpec("statement", N_("Statement"), max_length=100, searchable=True, width=24,
                  placeholder=N_("e.g. 农行对账单 第12页, 现金日记账")),
        FieldSpec("expected_count", N_("Donations on the statement"), Kind.INTEGER, required=True, minimum=0,
                  maximum=100_000, width=6),
        FieldSpec("expected_total", N_("Total on the statement (yuan)"), Kind.MONEY, required=True,
                  minimum=Decimal(0), maximum=Decimal("99999999.99"), width=14),
        FieldSpec("closed", N_("Checked and closed"), Kind.BOOLEAN, width=6),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, width=16),
    ),
    computed=(
        ComputedColumn(FieldSpec("entered_count", N_("Donations entered"), Kind.INTEGER, in_form=False, width=6),
                       _batch_entered_count),
        ComputedColumn(FieldSpec("entered_total", N_("Total entered (yuan)"), Kind.MONEY, in_form=False, width=14),
                       _batch_entered_total),
        ComputedColumn(FieldSpec("check", N_("Check against the statement"), Kind.CHOICE, choices=BATCH_CHECKS,
                                 in_form=False, width=14), _batch_check),
        ComputedColumn(FieldSpec("difference", N_("Difference"), in_form=False, width=22), _batch_difference),
    ),
    row_level=lambda row: RowLevel.WARNING if row.get("check") == BATCH_DIFFERS else None,
    rules=(_batch_kept_with_donations,),
    warnings=(_closing_checks,),
))


# ------------------------------------------------------------------ money donations


def _pool_errors(session: Session, pools: Iterable[tuple[Any, Any]], *, field: str,
                 exclude_donation: uuid.UUID | None = None, add: Mapping[tuple[Any, Any], int] | None = None,
                 exclude_disbursement: uuid.UUID | None = None, take: Mapping[tuple[Any, Any], int] | None = None,
                 ) -> dict[str, str]:
    """The money of each (organisation, purpose) pool stays covered after the change: what was
    received there (without `exclude_donation`, plus `add`) is at least what was paid out
    (without `exclude_disbursement`, plus `take`).  The message names what is left."""
    figures = _figures()
    for organisation_id, purpose in pools:
        if organisation_id is None or purpose is None:
            continue
        balance = figures.pool_balance(session, organisation_id, purpose, exclude_donation=exclude_donation,
                                       exclude_disbursement=exclude_disbursement)
        received = balance.received + (add or {}).get((organisation_id, purpose), 0)
        wanted = (take or {}).get((organisation_id, purpose), 0)
        if received - balance.used - wanted < 0:
            name = session.scalar(select(ReceivingOrganisation.name).where(
                ReceivingOrganisation.id == organisation_id)) or ""
            if take:  # a payment: say how much it may take
                message = _("Only {left} of the money for “{purpose}” at {organisation} is left (received {received}, "
                            "paid out {used}).")
            else:  # a donation made smaller or moved: say what has been spent already
                message = _("{used} of the money for “{purpose}” at {organisation} has already been paid out: after "
                            "this change only {received} would have been received.")
            return {field: message.format(left=yuan(max(received - balance.used, 0)),
                                          purpose=choice_title(PURPOSES, purpose), organisation=name,
                                          received=yuan(received), used=yuan(balance.used))}
    return {}


def _donation_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    batch = session.get(DonationBatch, values["batch_id"]) if values.get("batch_id") else None
    stored = _stored(session, MoneyDonation, record_id)
    if batch is not None:
        for name, message in (
                ("day", _("A donation of this batch is dated {value}, the batch's day.")),
                ("organisation_id", _("A donation of this batch was received by {value}, the batch's organisation.")),
                ("channel", _("A donation of this batch came by {value}, the batch's channel."))):
            if values.get(name) is not None and values.get(name) != getattr(batch, name):
                value = (long_date(batch.day) if name == "day" else choice_title(CHANNELS, batch.channel)
                         if name == "channel" else session.scalar(select(ReceivingOrganisation.name).where(
                             ReceivingOrganisation.id == batch.organisation_id)) or "")
                errors[name] = message.format(value=value)
        new_money = stored is None or stored.batch_id != batch.id or \
            stored.amount != int((values.get("amount") or Decimal(0)) * 100)
        if batch.closed and new_money:
            errors.setdefault("batch_id", _("This batch has been checked and closed: reopen it to add a donation or "
                                            "change an amount."))
    if stored is not None and (stored.batch_id != values.get("batch_id")):
        old = session.get(DonationBatch, stored.batch_id)
        if old is not None and old.closed:
            errors.setdefault("batch_id", _("The batch of {day} has been checked and closed: reopen it to move a "
                                            "donation out of it.").format(day=long_date(old.day)))
    if stored is not None:
        # Money already paid out of the old pool must stay covered after this edit.
        _lock(session, ReceivingOrganisation, (stored.organisation_id, values.get("organisation_id")))
        amount = int((values.get("amount") or Decimal(0)) * 100)
        new_pool = (values.get("organisation_id"), values.get("purpose"))
        field = "amount" if new_pool == (stored.organisation_id, stored.purpose) else "purpose"
        errors.update({k: v for k, v in _pool_errors(
            session, [(stored.organisation_id, stored.purpose)], field=field, exclude_donation=stored.id,
            add={new_pool: amount}).items() if k not in errors})
    return errors


# What an acknowledgement states: these do not change under its number (cancel it first).
MONEY_ACKNOWLEDGED = ("day", "donor_id", "amount", "channel", "purpose", "organisation_id", "bank_reference")
MATERIAL_ACKNOWLEDGED = ("day", "donor_id", "organisation_id", "description", "specification", "quantity", "unit",
                         "estimated_value", "expiry_date")


def _acknowledged_kept(model: type, names: tuple[str, ...]) -> Any:
    def rule(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
        stored = _stored(session, model, record_id)
        if stored is None or not stored.ack_number:
            return {}
        errors = {}
        for name in names:
            old = getattr(stored, name)
            new = values.get(name)
            if name in ("amount", "estimated_value") and new is not None:
                new = int(new * 100)  # stored in fen
            if new != old and not (old in (None, "") and new in (None, "")):
                errors[name] = _("The acknowledgement {number} states this: cancel its number before changing "
                                 "it.").format(number=stored.ack_number)
        return errors
    return rule


def _not_acknowledged(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """The donor holds an acknowledgement of this donation: it stays on the books until that
    acknowledgement's number is cancelled."""
    if values.get("ack_number"):
        return {"ack_number": _("the donor holds its acknowledgement {number}; cancel that number first.").format(
            number=values["ack_number"])}
    return {}


def _same_bank_reference(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A bank reference already entered is most likely the same transfer entered twice."""
    reference = values.get("bank_reference")
    if not reference:
        return {}
    stmt = select(MoneyDonation.day, Donor.name).join(Donor, Donor.id == MoneyDonation.donor_id).where(
        MoneyDonation.bank_reference == reference, _live(MoneyDonation))
    if record_id is not None:
        stmt = stmt.where(MoneyDonation.id != record_id)
    other = session.execute(stmt.limit(1)).first()
    if other is None:
        return {}
    return {"bank_reference": _("This bank reference was already entered on {day} for {donor}: is it the same "
                                "transfer?").format(day=long_date(other[0]), donor=other[1])}


MONEY = register(RegisterSpec(
    key="donations.money", group=GROUP, title=N_("Money donations"), record_noun=N_("money donation"),
    model=MoneyDonation, display_fields=("donor_id", "amount", "day"), date_field="day", default_sort="day",
    default_descending=True, parent_field="batch_id",
    fields=(
        FieldSpec("batch_id", N_("Day batch"), Kind.REFERENCE, reference=BATCHES.key, required=True, width=10),
        FieldSpec("day", N_("Date received"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("donor_id", N_("Donor"), Kind.REFERENCE, reference=DONORS.key, required=True, searchable=True,
                  width=18),
        FieldSpec("amount", N_("Amount (yuan)"), Kind.MONEY, required=True, minimum=Decimal("0.01"),
                  maximum=Decimal("99999999.99"), width=13),
        FieldSpec("channel", N_("Channel"), Kind.CHOICE, choices=CHANNELS, required=True, width=8),
        FieldSpec("purpose", N_("Designated purpose"), Kind.CHOICE, choices=PURPOSES, required=True, width=14),
        FieldSpec("organisation_id", N_("Receiving organisation"), Kind.REFERENCE, reference=ORGANISATIONS.key,
                  required=True, width=14),
        FieldSpec("bank_reference", N_("Bank reference"), max_length=64, searchable=True, width=16),
        FieldSpec("fiscal_receipt_number", N_("Fiscal receipt number"), max_length=40, searchable=True, width=14,
                  placeholder=N_("公益事业捐赠票据号码, once the finance office issues it")),
        FieldSpec("handler", N_("Handled by"), max_length=50, width=8),
        FieldSpec("ack_number", N_("Acknowledgement number"), max_length=40, searchable=True, in_form=False,
                  width=18),
        FieldSpec("ack_date", N_("Acknowledged on"), Kind.DATE, in_form=False, width=10),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, width=16, in_list=False),
    ),
    carry_over=("batch_id", "day", "channel", "organisation_id", "handler"),
    rules=(_donation_rules, _acknowledged_kept(MoneyDonation, MONEY_ACKNOWLEDGED)),
    delete_rules=(_not_acknowledged,),
    warnings=(_same_bank_reference,),
))


# ------------------------------------------------------------------ material donations (lots)


def _lot_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """What was handed over of a lot stays covered by its quantity; its item and unit stay what
    the handovers counted in; it was received before it was handed over."""
    stored = _stored(session, MaterialDonation, record_id)
    if stored is None:
        return {}
    figures = _figures()
    handed = figures.handed_over(session, stored.id)
    errors: dict[str, str] = {}
    quantity = values.get("quantity")
    if quantity is not None and quantity < handed:
        errors["quantity"] = _("{handed} of this donation have already been handed over: the quantity cannot be "
                               "less.").format(handed=quantity_text(handed, stored.unit))
    if figures.handover_count(session, stored.id):
        for name in ("item", "unit"):
            if values.get(name) != getattr(stored, name):
                errors[name] = _("This donation has been handed over in {unit}: delete its handovers before "
                                 "changing its item or unit.").format(unit=choice_title(UNITS, stored.unit))
        first = figures.first_handover_day(session, stored.id)
        if first is not None and values.get("day") is not None and values["day"] > first:
            errors["day"] = _("Part of it was handed over on {day}: it was received before.").format(
                day=long_date(first))
    return errors


def _lot_expired_on_receipt(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    expiry, day = values.get("expiry_date"), values.get("day")
    if expiry is not None and day is not None and expiry < day:
        return {"expiry_date": _("These materials had expired when they were received ({day}).").format(
            day=long_date(expiry))}
    return {}


def _lot_handed_over(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: b.handed_over for i, b in _figures().lot_balances(session, ids).items()}


def _lot_in_stock(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: b.in_stock for i, b in _figures().lot_balances(session, ids).items()}


def _lot_level(row: Mapping[str, Any]) -> RowLevel | None:
    expiry = row.get("expiry_date")
    if expiry is not None and expiry < today_local() and (row.get("in_stock") or 0) > 0:
        return RowLevel.ALERT  # expired materials still in stock: set them apart
    return None


MATERIALS = register(RegisterSpec(
    key="donations.materials", group=GROUP, title=N_("Material donations"), record_noun=N_("material donation"),
    model=MaterialDonation, display_fields=("description", "day"), date_field="day", default_sort="day",
    default_descending=True, parent_field="organisation_id",
    fields=(
        FieldSpec("organisation_id", N_("Receiving organisation"), Kind.REFERENCE, reference=ORGANISATIONS.key,
                  required=True, width=14),
        FieldSpec("day", N_("Date received"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("donor_id", N_("Donor"), Kind.REFERENCE, reference=DONORS.key, required=True, searchable=True,
                  width=18),
        FieldSpec("item", N_("Kind of material"), Kind.CHOICE, choices=ITEMS, required=True, width=8),
        FieldSpec("description", N_("Material"), required=True, max_length=100, searchable=True, width=16,
                  placeholder=N_("as on the package, e.g. 一次性医用外科口罩")),
        FieldSpec("specification", N_("Specification"), max_length=100, width=14,
                  placeholder=N_("e.g. 17.5×9.5cm，50只/盒")),
        FieldSpec("quantity", N_("Quantity"), Kind.INTEGER, required=True, minimum=1, maximum=100_000_000, width=8),
        FieldSpec("unit", N_("Unit"), Kind.CHOICE, choices=UNITS, required=True, width=4),
        FieldSpec("estimated_value", N_("Estimated value (yuan)"), Kind.MONEY, minimum=Decimal(0),
                  maximum=Decimal("99999999.99"), width=13),
        FieldSpec("expiry_date", N_("Expiry date"), Kind.DATE, width=10),
        FieldSpec("fiscal_receipt_number", N_("Fiscal receipt number"), max_length=40, searchable=True, width=14,
                  in_list=False),
        FieldSpec("handler", N_("Handled by"), max_length=50, width=8, in_list=False),
        FieldSpec("ack_number", N_("Acknowledgement number"), max_length=40, searchable=True, in_form=False,
                  width=18),
        FieldSpec("ack_date", N_("Acknowledged on"), Kind.DATE, in_form=False, width=10, in_list=False),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("handed_over", N_("Handed over"), Kind.INTEGER, in_form=False, width=8),
                       _lot_handed_over),
        ComputedColumn(FieldSpec("in_stock", N_("In stock"), Kind.INTEGER, in_form=False, width=8), _lot_in_stock),
    ),
    row_level=_lot_level,
    carry_over=("organisation_id", "day", "donor_id"),
    rules=(_lot_rules, _acknowledged_kept(MaterialDonation, MATERIAL_ACKNOWLEDGED)),
    delete_rules=(_not_acknowledged,),
    warnings=(_lot_expired_on_receipt,),
))


# ------------------------------------------------------------------ handovers to the coordination team


def _handover_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A handover takes from its lot's stock (locked meanwhile): never more than is left; a
    handover already allocated keeps at least what was allocated; dates in order."""
    lot_id, quantity, day = values.get("material_id"), values.get("quantity"), values.get("day")
    if lot_id is None:
        return {}
    figures = _figures()
    _lock(session, MaterialDonation, [lot_id])
    lot = session.get(MaterialDonation, lot_id)
    if lot is None:
        return {}
    errors: dict[str, str] = {}
    if day is not None and day < lot.day:
        errors["day"] = _("These materials were received on {day}: they cannot be handed over before.").format(
            day=long_date(lot.day))
    if quantity is not None:
        others = figures.handed_over(session, lot.id, exclude=record_id)
        left = lot.quantity - others
        if quantity > left:
            errors["quantity"] = _("Only {left} of this donation are in stock (received {received}, handed over "
                                   "{handed}).").format(left=quantity_text(max(left, 0), lot.unit),
                                                        received=quantity_text(lot.quantity, lot.unit),
                                                        handed=quantity_text(others, lot.unit))
    if record_id is not None:
        allocated = figures.allocated(session, record_id)
        if quantity is not None and quantity < allocated and "quantity" not in errors:
            errors["quantity"] = _("{allocated} of this handover have already been allocated: the quantity cannot be "
                                   "less.").format(allocated=quantity_text(allocated, lot.unit))
        first = figures.first_allocation_day(session, record_id)
        if first is not None and day is not None and day > first and "day" not in errors:
            errors["day"] = _("Part of it was allocated on {day}: it was handed over before.").format(
                day=long_date(first))
    return errors


def _handover_expired(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    lot = session.get(MaterialDonation, values["material_id"]) if values.get("material_id") else None
    day = values.get("day")
    if lot is not None and lot.expiry_date is not None and day is not None and lot.expiry_date < day:
        return {"day": _("These materials expired on {day}: hand them over anyway?").format(
            day=long_date(lot.expiry_date))}
    return {}


def _handover_item(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: line.item_text for i, line in _figures().handover_lines(session, ids).items()}


def _handover_allocated(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: line.allocated for i, line in _figures().handover_lines(session, ids).items()}


def _handover_left(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: line.left for i, line in _figures().handover_lines(session, ids).items()}


HANDOVERS = register(RegisterSpec(
    key="donations.handovers", group=GROUP, title=N_("Handovers to the coordination team"),
    record_noun=N_("handover"), model=Handover, display_fields=("day", "received_by", "slip_number"),
    date_field="day", default_sort="day", default_descending=True, parent_field="material_id",
    fields=(
        FieldSpec("material_id", N_("Material donation"), Kind.REFERENCE, reference=MATERIALS.key, required=True,
                  searchable=True, width=16),
        FieldSpec("day", N_("Date handed over"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("quantity", N_("Quantity"), Kind.INTEGER, required=True, minimum=1, maximum=100_000_000, width=8),
        FieldSpec("handed_over_by", N_("Handed over by"), max_length=50, width=8),
        FieldSpec("received_by", N_("Received by (coordination and support team)"), required=True, max_length=50,
                  searchable=True, width=10),
        FieldSpec("slip_number", N_("Handover slip number"), max_length=40, searchable=True, width=12),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("item", N_("Material and unit"), in_form=False, width=28), _handover_item),
        ComputedColumn(FieldSpec("allocated", N_("Allocated"), Kind.INTEGER, in_form=False, width=8),
                       _handover_allocated),
        ComputedColumn(FieldSpec("left", N_("Left with the team"), Kind.INTEGER, in_form=False, width=8),
                       _handover_left),
    ),
    carry_over=("material_id", "day", "handed_over_by", "received_by"),
    rules=(_handover_rules,),
    warnings=(_handover_expired,),
))


# ------------------------------------------------------------------ allocations by the coordination team


RECIPIENT_FIELDS = {INSTITUTION: "institution_id", COMPOUND: "compound_id", HOUSEHOLD: "household_id",
                    OTHER_RECIPIENT: "recipient_other"}
# Group 4's households are built alongside this group: a household can be chosen once its register is there.
HOUSEHOLDS_AVAILABLE = _known(HOUSEHOLDS_KEY)
RECIPIENT_KINDS = tuple(c for c in (
    Choice(INSTITUTION, N_("Service institution")),
    Choice(COMPOUND, N_("Residential compound")),
    Choice(HOUSEHOLD, N_("Household in difficulty")),
    Choice(OTHER_RECIPIENT, N_("Other recipient")),
) if c.code != HOUSEHOLD or HOUSEHOLDS_AVAILABLE)


def _one_recipient(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    kind = values.get("recipient_kind")
    if kind is None:
        return {}
    chosen = RECIPIENT_FIELDS.get(kind)
    errors = {}
    if chosen is not None and not values.get(chosen):
        errors[chosen] = _("Please name the recipient: {kind}.").format(kind=choice_title(RECIPIENT_KINDS, kind))
    for other, field in RECIPIENT_FIELDS.items():
        if field != chosen and values.get(field):
            errors[field] = _("An allocation goes to one recipient: leave this empty for “{kind}”.").format(
                kind=choice_title(RECIPIENT_KINDS, kind))
    return errors


def _allocation_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """An allocation takes from what its handover left with the team (locked meanwhile)."""
    handover_id, quantity, day = values.get("handover_id"), values.get("quantity"), values.get("day")
    if handover_id is None:
        return {}
    _lock(session, Handover, [handover_id])
    handover = session.get(Handover, handover_id)
    if handover is None:
        return {}
    lot = session.get(MaterialDonation, handover.material_id)
    unit = lot.unit if lot is not None else None
    errors: dict[str, str] = {}
    if day is not None and day < handover.day:
        errors["day"] = _("These materials reached the coordination team on {day}: they cannot be allocated "
                          "before.").format(day=long_date(handover.day))
    if quantity is not None:
        others = _figures().allocated(session, handover.id, exclude=record_id)
        left = handover.quantity - others
        if quantity > left:
            errors["quantity"] = _("Only {left} of this handover are left with the coordination team (handed over "
                                   "{handed}, allocated {allocated}).").format(
                left=quantity_text(max(left, 0), unit), handed=quantity_text(handover.quantity, unit),
                allocated=quantity_text(others, unit))
    return errors


def _allocation_item(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: o.item_text for i, o in _figures().allocation_origins(session, ids).items()}


def _allocation_donor(session: Session, ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Any]:
    return {i: o.donor for i, o in _figures().allocation_origins(session, ids).items()}


_HOUSEHOLD_FIELDS = (FieldSpec("household_id", N_("Household in difficulty"), Kind.REFERENCE, reference=HOUSEHOLDS_KEY,
                               searchable=True, width=10),) if HOUSEHOLDS_AVAILABLE else ()

ALLOCATIONS = register(RegisterSpec(
    key="donations.allocations", group=GROUP, title=N_("Allocations"), record_noun=N_("allocation"),
    model=Allocation, display_fields=("day", "received_by"), date_field="day", default_sort="day",
    default_descending=True, parent_field="handover_id",
    fields=(
        FieldSpec("handover_id", N_("Handover"), Kind.REFERENCE, reference=HANDOVERS.key, required=True, width=10),
        FieldSpec("day", N_("Date allocated"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("quantity", N_("Quantity"), Kind.INTEGER, required=True, minimum=1, maximum=100_000_000, width=8),
        FieldSpec("recipient_kind", N_("Kind of recipient"), Kind.CHOICE, choices=RECIPIENT_KINDS, required=True,
                  width=10),
        FieldSpec("institution_id", N_("Service institution"), Kind.REFERENCE, reference=INSTITUTIONS.key,
                  searchable=True, width=16),
        FieldSpec("compound_id", N_("Residential compound"), Kind.REFERENCE, reference=COMPOUNDS.key,
                  searchable=True, width=12),
        *_HOUSEHOLD_FIELDS,
        FieldSpec("recipient_other", N_("Other recipient"), max_length=100, searchable=True, width=14,
                  placeholder=N_("e.g. 道北街道核酸检测点")),
        FieldSpec("received_by", N_("Signed for by"), max_length=50, searchable=True, width=8),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    computed=(
        ComputedColumn(FieldSpec("item", N_("Material and unit"), in_form=False, width=28), _allocation_item),
        ComputedColumn(FieldSpec("donor", N_("Donor"), in_form=False, width=16), _allocation_donor),
    ),
    carry_over=("handover_id", "day", "recipient_kind"),
    rules=(_one_recipient, _allocation_rules),
))


# ------------------------------------------------------------------ use of donated money


def _disbursement_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A payment takes from the money of its purpose at its organisation (locked meanwhile)."""
    organisation_id, purpose, amount = values.get("organisation_id"), values.get("purpose"), values.get("amount")
    if organisation_id is None or purpose is None or amount is None:
        return {}
    _lock(session, ReceivingOrganisation, [organisation_id])
    return _pool_errors(session, [(organisation_id, purpose)], field="amount", exclude_disbursement=record_id,
                        take={(organisation_id, purpose): int(amount * 100)})


DISBURSEMENTS = register(RegisterSpec(
    key="donations.disbursements", group=GROUP, title=N_("Use of donated money"), record_noun=N_("payment"),
    model=Disbursement, display_fields=("day", "recipient"), date_field="day", default_sort="day",
    default_descending=True, parent_field="organisation_id",
    fields=(
        FieldSpec("organisation_id", N_("Receiving organisation"), Kind.REFERENCE, reference=ORGANISATIONS.key,
                  required=True, width=14),
        FieldSpec("day", N_("Date paid"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("purpose", N_("Paid from the money for"), Kind.CHOICE, choices=PURPOSES, required=True, width=14),
        FieldSpec("amount", N_("Amount (yuan)"), Kind.MONEY, required=True, minimum=Decimal("0.01"),
                  maximum=Decimal("99999999.99"), width=13),
        FieldSpec("recipient", N_("Paid to"), required=True, max_length=100, searchable=True, width=22),
        FieldSpec("use", N_("What it paid for"), required=True, max_length=200, searchable=True, width=30),
        FieldSpec("approved_by", N_("Approved by"), required=True, max_length=50, searchable=True, width=16),
        FieldSpec("approval_number", N_("Approval document number"), max_length=40, searchable=True, width=14),
        FieldSpec("voucher", N_("Voucher number"), max_length=40, width=10),
        FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    rules=(_disbursement_rules,),
))

REGISTERS = (ORGANISATIONS, DONORS, BATCHES, MONEY, MATERIALS, HANDOVERS, ALLOCATIONS, DISBURSEMENTS)


# ------------------------------------------------------------------ the last guard of every balance


def _old_values(obj: Any, *names: str) -> list[Any]:
    """The values `names` had before this flush (for a record moved to another pool)."""
    state = inspect(obj)
    found = []
    for name in names:
        history = state.attrs[name].history
        found.append(history.deleted[0] if history.deleted else getattr(obj, name))
    return found


def _guard_balances(session: Session, _context: Any) -> None:
    """After every flush that touched a lot, a handover, an allocation, a money donation or a
    payment: every balance it touched is still at least zero, or the write is refused.  The rules
    say it first at the field; this also covers what runs no rule (deleting a money donation that
    was already spent)."""
    session.info.pop("donations.figures", None)  # what the list columns computed may have changed
    lots: set[uuid.UUID] = set()
    handovers: set[uuid.UUID] = set()
    pools: set[tuple[uuid.UUID, str]] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, MaterialDonation):
            lots.add(obj.id)
        elif isinstance(obj, Handover):
            lots.add(obj.material_id)
            handovers.add(obj.id)
        elif isinstance(obj, Allocation):
            handovers.add(obj.handover_id)
        elif isinstance(obj, (MoneyDonation, Disbursement)):
            pools.add((obj.organisation_id, obj.purpose))
            if isinstance(obj, MoneyDonation) and obj not in session.new:
                pools.add(tuple(_old_values(obj, "organisation_id", "purpose")))  # type: ignore[arg-type]
    if not (lots or handovers or pools):
        return
    figures = _figures()
    _lock(session, ReceivingOrganisation, (p[0] for p in pools))
    for lot_id, balance in figures.lot_balances(session, sorted(lots, key=str)).items():
        if balance.in_stock < 0:
            raise ValidationError.at("quantity", _("This would hand over more of a material donation than was "
                                                   "received ({received}, handed over {handed}).").format(
                received=balance.received, handed=balance.handed_over))
    for handover_id, line in figures.handover_lines(session, sorted(handovers, key=str)).items():
        if line.left < 0:
            raise ValidationError.at("quantity", _("This would allocate more of a handover than the coordination team "
                                                   "received ({handed}, allocated {allocated}).").format(
                handed=line.quantity, allocated=line.allocated))
    for organisation_id, purpose in pools:
        balance = figures.pool_balance(session, organisation_id, purpose)
        if balance.left < 0:
            raise ValidationError.at("", _("This would leave the money for “{purpose}” below zero: {used} has been "
                                           "paid out of {received} received.").format(
                purpose=choice_title(PURPOSES, purpose), used=yuan(balance.used), received=yuan(balance.received)))


if not event.contains(Session, "after_flush", _guard_balances):
    event.listen(Session, "after_flush", _guard_balances)


def recipient_field(kind: str | None) -> str | None:
    return RECIPIENT_FIELDS.get(kind or "")
