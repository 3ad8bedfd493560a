"""Group 6's records: the receiving organisations (慈善协会 and others), donors, money donations
entered in a day's batch against the bank statement, material donations received into stock,
handed over to the leading group's coordination and support team (协调保障组) and allocated on, and
the disbursements of donated money.

Money is integer fen.  Quantities of materials are whole numbers in the unit of their donation (只,
套, 瓶…): a lot is handed over and allocated in its own unit, so no quantity ever needs a decimal.
Stock is never stored: it is what was received less what was handed over (a donation's stock) and
what was handed over less what was allocated (the coordination team's stock of a handover)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin

# Allocations name service institutions, compounds and households: their tables must be known.
from civaffairs.groups.assistance import models as _assistance  # noqa: F401
from civaffairs.groups.community import models as _community  # noqa: F401
from civaffairs.groups.service_institutions import models as _institutions  # noqa: F401

# Sort indexes end with the id, as in the other groups: lists order by (column, id).


class ReceivingOrganisation(RecordMixin, Base):
    """An organisation that receives donations: the district charity association and others.
    The supervision teams inspect their donation handling."""

    __tablename__ = "donation_organisation"
    __table_args__ = (Index("ix_donation_organisation_name", "name", "id"),)

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    person_in_charge: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    address: Mapped[str] = mapped_column(String(200), default="")
    bank_name: Mapped[str] = mapped_column(String(50), default="")
    bank_account: Mapped[str] = mapped_column(String(32), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Donor(RecordMixin, Base):
    __tablename__ = "donation_donor"
    __table_args__ = (
        Index("ix_donation_donor_name", "name", "id"),
        Index("ix_donation_donor_credit_code", "credit_code"),
        Index("ix_donation_donor_id_number", "id_number"),
    )

    kind: Mapped[str] = mapped_column(String(16))  # enterprise, organisation, individual, anonymous
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="")
    contact: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    address: Mapped[str] = mapped_column(String(200), default="")
    named_publicly: Mapped[bool] = mapped_column(default=True)  # named in the public disclosure (公示)
    notes: Mapped[str] = mapped_column(Text, default="")


class DonationBatch(RecordMixin, Base):
    """A day's money donations of one channel at one organisation, entered against what the bank
    statement (or the cash book, or the online platform's daily list) says: its count and total."""

    __tablename__ = "donation_batch"
    __table_args__ = (
        Index("ix_donation_batch_day", "day", "id"),
        Index("ix_donation_batch_organisation", "organisation_id", "day"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_organisation.id"))
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    statement: Mapped[str] = mapped_column(String(100), default="")
    expected_count: Mapped[int]
    expected_total: Mapped[int]  # fen
    closed: Mapped[bool] = mapped_column(default=False)  # checked against the statement
    note: Mapped[str] = mapped_column(Text, default="")


class MoneyDonation(RecordMixin, Base):
    __tablename__ = "donation_money"
    __table_args__ = (
        Index("ix_donation_money_day", "day", "id"),
        Index("ix_donation_money_batch", "batch_id", "id"),
        Index("ix_donation_money_donor", "donor_id", "day"),
        Index("ix_donation_money_pool", "organisation_id", "purpose"),
        Index("ix_donation_money_amount", "amount", "id"),
        Index("ix_donation_money_bank_reference", "bank_reference"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_batch.id"))
    day: Mapped[date] = mapped_column(Date)
    donor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_donor.id"))
    amount: Mapped[int]  # fen
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(24))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_organisation.id"))
    bank_reference: Mapped[str] = mapped_column(String(64), default="")
    fiscal_receipt_number: Mapped[str] = mapped_column(String(40), default="")  # 公益事业捐赠票据, by finance
    handler: Mapped[str] = mapped_column(String(50), default="")
    ack_number: Mapped[str] = mapped_column(String(40), default="")  # 捐赠接收凭证 (numbering service)
    ack_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class MaterialDonation(RecordMixin, Base):
    """One lot of donated material as received into stock: one item, one unit."""

    __tablename__ = "donation_material"
    __table_args__ = (
        Index("ix_donation_material_day", "day", "id"),
        Index("ix_donation_material_donor", "donor_id", "day"),
        Index("ix_donation_material_organisation", "organisation_id", "day"),
        Index("ix_donation_material_item", "item", "unit"),
        Index("ix_donation_material_description", "description", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_organisation.id"))
    day: Mapped[date] = mapped_column(Date)
    donor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_donor.id"))
    item: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(100))  # as on the box: 一次性医用外科口罩
    specification: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int]  # whole units of `unit`
    unit: Mapped[str] = mapped_column(String(8))
    estimated_value: Mapped[int | None]  # fen, of the whole lot
    expiry_date: Mapped[date | None] = mapped_column(Date)
    fiscal_receipt_number: Mapped[str] = mapped_column(String(40), default="")
    handler: Mapped[str] = mapped_column(String(50), default="")
    ack_number: Mapped[str] = mapped_column(String(40), default="")
    ack_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class Handover(RecordMixin, Base):
    """Part of a lot handed over to the coordination and support team (协调保障组)."""

    __tablename__ = "donation_handover"
    __table_args__ = (
        Index("ix_donation_handover_material", "material_id", "id"),
        Index("ix_donation_handover_day", "day", "id"),
    )

    material_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_material.id"))
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int]
    handed_over_by: Mapped[str] = mapped_column(String(50), default="")
    received_by: Mapped[str] = mapped_column(String(50))
    slip_number: Mapped[str] = mapped_column(String(40), default="")  # 交接单号
    note: Mapped[str] = mapped_column(Text, default="")


class Allocation(RecordMixin, Base):
    """Part of a handover allocated by the coordination team to an institution, a compound, a
    household or another recipient (a NAT site, a town's office)."""

    __tablename__ = "donation_allocation"
    __table_args__ = (
        Index("ix_donation_allocation_handover", "handover_id", "id"),
        Index("ix_donation_allocation_day", "day", "id"),
    )

    handover_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_handover.id"))
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int]
    recipient_kind: Mapped[str] = mapped_column(String(16))
    institution_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("institution.id"), index=True)
    compound_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("community_compound.id"), index=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assistance_household.id"), index=True)
    recipient_other: Mapped[str] = mapped_column(String(100), default="")
    received_by: Mapped[str] = mapped_column(String(50), default="")  # who signed for it
    note: Mapped[str] = mapped_column(Text, default="")


class Disbursement(RecordMixin, Base):
    """Donated money paid out, charged to the money of one purpose at one organisation."""

    __tablename__ = "donation_disbursement"
    __table_args__ = (
        Index("ix_donation_disbursement_day", "day", "id"),
        Index("ix_donation_disbursement_pool", "organisation_id", "purpose"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donation_organisation.id"))
    day: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int]  # fen
    recipient: Mapped[str] = mapped_column(String(100))
    use: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[str] = mapped_column(String(50))
    approval_number: Mapped[str] = mapped_column(String(40), default="")
    voucher: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
