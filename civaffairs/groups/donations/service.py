"""What group 6 does beyond its registers: the donation acknowledgement (捐赠接收凭证) numbered by the
numbering service, or its number cancelled with a reason; the plain data of the acknowledgement
and of the public disclosure (公示) of a period, with donors who asked not to be named masked.

The acknowledgement is NOT the fiscal donation receipt (公益事业捐赠票据): that receipt is issued by
the finance office on its own controlled forms; the acknowledgement only records that the
organisation received the donation, and names the fiscal receipt's number once there is one.

Same rules as the generic service: permission (`actor.can_write(GROUP)`), typed `ValidationError`s,
the caller's one transaction, an audit entry per change."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.core.idnumbers import mask_name
from civaffairs.groups.donations import figures
from civaffairs.groups.donations.fields import (
    ANONYMOUS, CHANNELS, GROUP, HOUSEHOLD, MATERIALS, MONEY, PURPOSES, WITH_CREDIT_CODE, choice_title,
    quantity_text,
)
from civaffairs.groups.donations.models import (
    Allocation, Disbursement, DonationBatch, Donor, Handover, MaterialDonation, MoneyDonation,
    ReceivingOrganisation,
)
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberKind, register_kind
from civaffairs.reports.figures import Period
from civaffairs.sync.capture import replayable

ACKNOWLEDGEMENT = register_kind(NumberKind("donation_ack", N_("Donation acknowledgement number"),
                                           default_prefix="麦慈捐"))
ACKNOWLEDGED = {MONEY.key: (MONEY, MoneyDonation), MATERIALS.key: (MATERIALS, MaterialDonation)}


def can_write(actor: Actor) -> bool:
    return actor.can_write(GROUP)


def _require_write(actor: Actor) -> None:
    if not can_write(actor):
        raise PermissionDenied(_("Your account may not change the donation registers."))


def _donation(session: Session, register_key: str, record_id: uuid.UUID, *, for_update: bool = False) -> Any:
    if register_key not in ACKNOWLEDGED:
        raise ValueError(f"no acknowledgement for {register_key}")
    model = ACKNOWLEDGED[register_key][1]
    obj = session.get(model, record_id, with_for_update=for_update, populate_existing=for_update)
    if obj is None or obj.deleted_at is not None:
        raise NotFound(_("This record no longer exists."))
    return obj


def _donor_name(session: Session, donor_id: uuid.UUID) -> str:
    donor = session.get(Donor, donor_id)
    return figures.donor_label(donor.kind, donor.name) if donor is not None else ""


def _label(session: Session, register_key: str, obj: Any) -> str:
    what = (f"{obj.amount / 100:,.2f}" if register_key == MONEY.key
            else f"{obj.description} {quantity_text(obj.quantity, obj.unit)}")
    return f"{_donor_name(session, obj.donor_id)} {what} {obj.day.isoformat()}"


# ------------------------------------------------------------------ acknowledgement numbers


@replayable("donations.issue_acknowledgement", register="donations", record_arg="record_id")
def issue_acknowledgement(session: Session, actor: Actor, register_key: str, record_id: uuid.UUID, *,
                          prefix: str | None = None, day: date | None = None) -> str:
    """Give a money or material donation its acknowledgement number (e.g. 麦慈捐〔2021〕12号) of
    (prefix, year of `day`), once.  Refused for a date before the donation or in the future."""
    _require_write(actor)
    obj = _donation(session, register_key, record_id, for_update=True)
    if obj.ack_number:
        raise ValidationError.at("", _("This donation has already been acknowledged as {number}.").format(
            number=obj.ack_number))
    day = day or today_local()
    if day > today_local():
        raise ValidationError.at("ack_date", _("An acknowledgement cannot be dated in the future."))
    if day < obj.day:
        raise ValidationError.at("ack_date", _("An acknowledgement cannot be dated before the donation ({day}).")
                                 .format(day=long_date(obj.day)))
    label = _label(session, register_key, obj)
    entry = numbering.allocate(session, actor, ACKNOWLEDGEMENT, prefix or ACKNOWLEDGEMENT.default_prefix, day.year,
                               owner_register=register_key, owner_id=obj.id, owner_label=label)
    now = now_utc()
    obj.ack_number, obj.ack_date = entry.number, day
    obj.updated_at, obj.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "issue", register_key, obj.id, record_version=obj.version, label=label, at=now,
                 changes={"ack_number": [None, entry.number], "ack_date": [None, day.isoformat()]})
    return entry.number


def ensure_acknowledgement(session: Session, actor: Actor, register_key: str, record_id: uuid.UUID) -> str:
    """The donation's acknowledgement number, given now (today, default prefix) if it has none."""
    obj = _donation(session, register_key, record_id)
    if obj.ack_number:
        return str(obj.ack_number)
    prefixes = numbering.prefixes(session, ACKNOWLEDGEMENT)
    return issue_acknowledgement(session, actor, register_key, record_id, prefix=prefixes[0] if prefixes else None)


@replayable("donations.cancel_acknowledgement", register="donations", record_arg="record_id")
def cancel_acknowledgement(session: Session, actor: Actor, register_key: str, record_id: uuid.UUID,
                           reason: str) -> str:
    """Cancel a donation's acknowledgement number (it stays in the number register with the
    reason and is never given again); a new one can then be issued.  Returns the number."""
    _require_write(actor)
    text = numbering.clean_reason(reason)
    obj = _donation(session, register_key, record_id, for_update=True)
    entry = numbering.owner_number(session, register_key, obj.id)
    if not obj.ack_number or entry is None:
        raise ValidationError.at("", _("This donation has not been acknowledged."))
    numbering.cancel(session, actor, entry, text)
    number = obj.ack_number
    now = now_utc()
    obj.ack_number, obj.ack_date = "", None
    obj.updated_at, obj.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "cancel", register_key, obj.id, record_version=obj.version,
                 label=_label(session, register_key, obj), at=now,
                 changes={"ack_number": [number, None], "reason": [None, text]})
    return str(number)


# ------------------------------------------------------------------ the acknowledgement's content


@dataclass(frozen=True)
class AcknowledgedItem:
    description: str
    specification: str
    quantity: str  # with its unit: 50,000只
    expiry_date: date | None


@dataclass(frozen=True)
class Acknowledgement:
    """What a donation acknowledgement (捐赠接收凭证) says."""

    number: str
    issued_on: date
    organisation: str
    organisation_credit_code: str
    organisation_phone: str
    organisation_address: str
    donor: str  # 匿名 for an anonymous donor
    donor_credit_code: str  # for an enterprise or organisation
    day: date  # received
    is_money: bool
    amount: int | None  # fen: the money, or the materials' estimated value (None: not valued)
    channel: str  # translated, money only
    bank_reference: str
    purpose: str  # translated, money only
    items: tuple[AcknowledgedItem, ...]  # materials only
    handler: str
    fiscal_receipt_number: str


def acknowledgement(session: Session, actor: Actor, register_key: str, record_id: uuid.UUID) -> Acknowledgement:
    """The acknowledgement of a donation that has its number (every role may read it: it names the
    donor and the organisation, no personal data)."""
    obj = _donation(session, register_key, record_id)
    if not obj.ack_number:
        raise ValidationError.at("", _("This donation has no acknowledgement number yet."))
    organisation = session.get(ReceivingOrganisation, obj.organisation_id)
    donor = session.get(Donor, obj.donor_id)
    assert organisation is not None and donor is not None
    is_money = register_key == MONEY.key
    items: tuple[AcknowledgedItem, ...] = ()
    if not is_money:
        items = (AcknowledgedItem(obj.description, obj.specification, quantity_text(obj.quantity, obj.unit),
                                  obj.expiry_date),)
    return Acknowledgement(
        number=obj.ack_number, issued_on=obj.ack_date or obj.day, organisation=organisation.name,
        organisation_credit_code=organisation.credit_code, organisation_phone=organisation.phone,
        organisation_address=organisation.address, donor=figures.donor_label(donor.kind, donor.name),
        donor_credit_code=donor.credit_code if donor.kind in WITH_CREDIT_CODE else "", day=obj.day,
        is_money=is_money, amount=obj.amount if is_money else obj.estimated_value,
        channel=choice_title(CHANNELS, obj.channel) if is_money else "",
        bank_reference=obj.bank_reference if is_money else "",
        purpose=choice_title(PURPOSES, obj.purpose) if is_money else "", items=items,
        handler=obj.handler or actor.display_name, fiscal_receipt_number=obj.fiscal_receipt_number)


# ------------------------------------------------------------------ the public disclosure (公示)


def public_name(kind: str, name: str, named_publicly: bool) -> str:
    """How a donor appears in public: 匿名 when anonymous, 张*明 when they asked not to be named."""
    if kind == ANONYMOUS:
        return _("Anonymous")
    return name if named_publicly else mask_name(name)


def _recipient_in_public(kind: str, name: str) -> str:
    """Institutions, compounds and other recipients by name; a household as 困难群众家庭 张*明."""
    if kind == HOUSEHOLD:
        return f"{choice_title(figures.RECIPIENT_KINDS, kind)} {mask_name(name)}"
    return name


@dataclass(frozen=True)
class MoneyLine:
    day: date
    donor: str  # as published
    amount: int  # fen
    channel: str
    purpose: str


@dataclass(frozen=True)
class MaterialLine:
    day: date
    donor: str
    description: str
    specification: str
    quantity: str  # with its unit
    estimated_value: int | None  # fen


@dataclass(frozen=True)
class AllocationLine:
    day: date
    material: str
    quantity: str
    recipient_kind: str
    recipient: str  # a household by its head's name, masked
    donor: str  # as published


@dataclass(frozen=True)
class PaymentLine:
    day: date
    purpose: str
    amount: int  # fen
    recipient: str
    use: str
    approved_by: str
    approval_number: str


@dataclass(frozen=True)
class PurposeLine:
    purpose: str
    opening: int  # fen, left the day before the period
    received: int  # fen, in the period
    used: int  # fen, in the period
    left: int  # fen, at the period's end


@dataclass(frozen=True)
class Disclosure:
    """The public disclosure (公示) of the donations received in a period and where they went."""

    office_name: str
    organisation: str  # the receiving organisation, or "" for all of them
    phone: str  # where the public asks
    period: Period
    money: tuple[MoneyLine, ...]
    materials: tuple[MaterialLine, ...]
    items: tuple[figures.ItemLine, ...]
    allocations: tuple[AllocationLine, ...]
    payments: tuple[PaymentLine, ...]
    purposes: tuple[PurposeLine, ...]
    money_count: int
    money_total: int  # fen
    used_total: int  # fen, paid out in the period
    left_total: int  # fen, at the period's end

    @property
    def materials_value(self) -> int:
        return sum(m.estimated_value or 0 for m in self.materials)


def disclosure(session: Session, actor: Actor, period: Period, organisation_id: uuid.UUID | None = None) -> Disclosure:
    """Everything the 公示 of `period` states, from the records (every role may make it: it holds
    nothing that is not published).  Donors are named as they wished; households masked."""
    organisation = session.get(ReceivingOrganisation, organisation_id) if organisation_id else None
    if organisation_id is not None and (organisation is None or organisation.deleted_at is not None):
        raise NotFound(_("This record no longer exists."))

    def of_organisation(model: type) -> list[Any]:
        return [model.organisation_id == organisation_id] if organisation_id is not None else []

    def published(kind: str, name: str, named: bool) -> str:
        return public_name(kind, name, named)

    money = tuple(MoneyLine(r[0], published(r[1], r[2], r[3]), r[4], choice_title(CHANNELS, r[5]),
                            choice_title(PURPOSES, r[6])) for r in session.execute(
        select(MoneyDonation.day, Donor.kind, Donor.name, Donor.named_publicly, MoneyDonation.amount,
               MoneyDonation.channel, MoneyDonation.purpose)
        .join(Donor, Donor.id == MoneyDonation.donor_id)
        .where(MoneyDonation.deleted_at.is_(None), MoneyDonation.day >= period.start, MoneyDonation.day <= period.end,
               *of_organisation(MoneyDonation))
        .order_by(MoneyDonation.day, MoneyDonation.id)))
    materials = tuple(MaterialLine(r[0], published(r[1], r[2], r[3]), r[4], r[5], quantity_text(r[6], r[7]), r[8])
                      for r in session.execute(
        select(MaterialDonation.day, Donor.kind, Donor.name, Donor.named_publicly, MaterialDonation.description,
               MaterialDonation.specification, MaterialDonation.quantity, MaterialDonation.unit,
               MaterialDonation.estimated_value)
        .join(Donor, Donor.id == MaterialDonation.donor_id)
        .where(MaterialDonation.deleted_at.is_(None), MaterialDonation.day >= period.start,
               MaterialDonation.day <= period.end, *of_organisation(MaterialDonation))
        .order_by(MaterialDonation.day, MaterialDonation.id)))
    allocation_rows = session.execute(
        select(Allocation, MaterialDonation.description, MaterialDonation.unit, Donor.kind, Donor.name,
               Donor.named_publicly)
        .join(Handover, Handover.id == Allocation.handover_id)
        .join(MaterialDonation, MaterialDonation.id == Handover.material_id)
        .join(Donor, Donor.id == MaterialDonation.donor_id)
        .where(Allocation.deleted_at.is_(None), Handover.deleted_at.is_(None), MaterialDonation.deleted_at.is_(None),
               Allocation.day >= period.start, Allocation.day <= period.end, *of_organisation(MaterialDonation))
        .order_by(Allocation.day, Allocation.id)).all()
    recipients = figures._recipient_names(session, [r[0] for r in allocation_rows])
    allocations = tuple(AllocationLine(
        a.day, description, quantity_text(a.quantity, unit),
        choice_title(figures.RECIPIENT_KINDS, a.recipient_kind), _recipient_in_public(a.recipient_kind,
                                                                                      recipients[a.id]),
        published(kind, name, named)) for a, description, unit, kind, name, named in allocation_rows)
    payments = tuple(PaymentLine(r.day, choice_title(PURPOSES, r.purpose), r.amount, r.recipient, r.use, r.approved_by,
                                 r.approval_number) for r in session.scalars(
        select(Disbursement).where(Disbursement.deleted_at.is_(None), Disbursement.day >= period.start,
                                   Disbursement.day <= period.end, *of_organisation(Disbursement))
        .order_by(Disbursement.day, Disbursement.id)))
    mf = figures.money_figures(session, period, organisation_id)
    purposes = tuple(PurposeLine(c.title, mf.opening_by_purpose.get(c.code, 0),
                                 mf.by_purpose.get(c.code, figures.CountAmount()).amount,
                                 mf.used_by_purpose.get(c.code, 0), mf.left_by_purpose.get(c.code, 0))
                     for c in PURPOSES)
    phone = organisation.phone if organisation is not None else (session.scalar(
        select(ReceivingOrganisation.phone).where(ReceivingOrganisation.deleted_at.is_(None),
                                                  ReceivingOrganisation.phone != "")
        .order_by(ReceivingOrganisation.name).limit(1)) or "")
    return Disclosure(
        office_name=accounts.office_name(session), organisation=organisation.name if organisation else "",
        phone=phone, period=period, money=money, materials=materials,
        items=tuple(figures.material_figures(session, period, organisation_id)), allocations=allocations,
        payments=payments, purposes=purposes, money_count=len(money), money_total=sum(m.amount for m in money),
        used_total=sum(p.amount for p in payments), left_total=mf.left)


# ------------------------------------------------------------------ for the forms


def batch_defaults(session: Session, batch_id: uuid.UUID) -> dict[str, Any]:
    """What a donation entered in a batch takes from it: its day, organisation and channel."""
    batch = session.get(DonationBatch, batch_id)
    if batch is None:
        return {}
    return {"day": batch.day, "organisation_id": batch.organisation_id, "channel": batch.channel}
