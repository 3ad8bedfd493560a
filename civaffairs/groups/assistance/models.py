"""Group 4's records: households in difficulty and their members, categories over time (低保,
特困, disabled person or child in difficulty, low income), contacts with each household,
applications for inclusion, temporary assistance grants (临时救助) with their approval steps,
reserve funds allocated to towns (备用金), and people rescued from the streets.

Money is integer fen.  Sensitive columns (ID numbers, phones, addresses, bank accounts, health)
are masked by the register specs, never here."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin, UTCDateTime
from civaffairs.records.status import StatusPeriodMixin

# Sort indexes end with the id, as in groups 1–3: lists order by (column, id).


class Household(RecordMixin, Base):
    __tablename__ = "assistance_household"
    __table_args__ = (
        Index("ix_assistance_household_head_name", "head_name", "id"),
        Index("ix_assistance_household_head_id_number", "head_id_number"),
        Index("ix_assistance_household_town", "town_id", "id"),
        Index("ix_assistance_household_registered", "registered_on", "id"),
        Index("ix_assistance_household_phone", "phone"),  # the possible-duplicate check
    )

    head_name: Mapped[str] = mapped_column(String(50))
    head_id_number: Mapped[str] = mapped_column(String(18))  # the household's natural key
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place_town.id"))
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("place_community.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    bank_name: Mapped[str] = mapped_column(String(50), default="")
    bank_account: Mapped[str] = mapped_column(String(32), default="")
    registered_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")


class HouseholdMember(RecordMixin, Base):
    __tablename__ = "assistance_member"
    __table_args__ = (
        Index("ix_assistance_member_household", "household_id", "id"),
        Index("ix_assistance_member_name", "name", "id"),
        Index("ix_assistance_member_id_number", "id_number"),
        Index("ix_assistance_member_phone", "phone"),
        Index("ix_assistance_member_name_birth", "name", "birth_date"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_household.id"))
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(18))
    sex: Mapped[str | None] = mapped_column(String(8))  # derived from the ID number
    birth_date: Mapped[date | None] = mapped_column(Date)  # derived from the ID number
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")  # where it differs from the household's
    health: Mapped[str | None] = mapped_column(String(16))
    work: Mapped[str | None] = mapped_column(String(16))
    monthly_income: Mapped[int | None] = mapped_column(Integer)  # fen
    notes: Mapped[str] = mapped_column(Text, default="")


class HouseholdCategory(StatusPeriodMixin, RecordMixin, Base):
    """A household's category over time: urban or rural minimum living guarantee, low income."""

    __tablename__ = "assistance_household_category"
    __table_args__ = (
        Index("ix_assistance_household_category_parent_start", "household_id", "start_date"),
        Index("ix_assistance_household_category_start", "start_date", "id"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_household.id"))
    monthly_benefit: Mapped[int | None] = mapped_column(Integer)  # fen


class PersonCategory(StatusPeriodMixin, RecordMixin, Base):
    """A person's category over time: extreme poverty (central or scattered care), disabled
    person in difficulty (certificate and grade), child in difficulty."""

    __tablename__ = "assistance_person_category"
    __table_args__ = (
        Index("ix_assistance_person_category_parent_start", "member_id", "start_date"),
        Index("ix_assistance_person_category_start", "start_date", "id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_member.id"))
    care_mode: Mapped[str | None] = mapped_column(String(16))  # 特困: central or scattered
    certificate_number: Mapped[str] = mapped_column(String(32), default="")  # disability certificate
    disability_grade: Mapped[str | None] = mapped_column(String(8))
    monthly_benefit: Mapped[int | None] = mapped_column(Integer)  # fen


class Contact(RecordMixin, Base):
    """One contact with a household: by phone, WeChat or a home visit (打电话、发微信、上门询问)."""

    __tablename__ = "assistance_contact"
    __table_args__ = (
        Index("ix_assistance_contact_household_day", "household_id", "contacted_on"),
        Index("ix_assistance_contact_day", "contacted_on", "id"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_household.id"))
    contacted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    contacted_by: Mapped[str] = mapped_column(String(50))
    findings: Mapped[list[str]] = mapped_column(JSON, default=list)  # food, medicine, heating, income lost…
    situation: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")


class Inclusion(RecordMixin, Base):
    """An application to include a household in minimum living guarantee or extreme-poverty
    support, with its decision and the date it takes effect."""

    __tablename__ = "assistance_inclusion"
    __table_args__ = (
        Index("ix_assistance_inclusion_household", "household_id", "applied_on"),
        Index("ix_assistance_inclusion_applied", "applied_on", "id"),
        Index("ix_assistance_inclusion_effective", "effective_from"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_household.id"))
    programme: Mapped[str] = mapped_column(String(24))
    applied_on: Mapped[date] = mapped_column(Date)
    persons: Mapped[int] = mapped_column(Integer)  # persons included by the decision
    decision: Mapped[str] = mapped_column(String(16))  # pending, approved, refused
    decided_on: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[date | None] = mapped_column(Date)
    monthly_benefit: Mapped[int | None] = mapped_column(Integer)  # fen
    notes: Mapped[str] = mapped_column(Text, default="")


class TemporaryAssistanceGrant(RecordMixin, Base):
    """A temporary assistance grant (临时救助) and its approval steps: application → home
    investigation → town review → public notice → district approval → payment.  Under "assist
    first, paperwork later" (先行救助、后补手续) it is paid before the steps are done; it then owes
    `documents_owed` by `paperwork_deadline`."""

    __tablename__ = "assistance_grant"
    __table_args__ = (
        Index("ix_assistance_grant_number", "number"),
        Index("ix_assistance_grant_household", "household_id", "applied_on"),
        Index("ix_assistance_grant_applied", "applied_on", "id"),
        Index("ix_assistance_grant_paid", "paid_on", "id"),
        Index("ix_assistance_grant_state", "state", "id"),
        Index("ix_assistance_grant_town", "town_id", "paid_on"),
    )

    number: Mapped[str] = mapped_column(String(40), default="")  # from the numbering service
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_household.id"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place_town.id"))  # whose reserve fund may pay
    state: Mapped[str] = mapped_column(String(24))
    assist_first: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_on: Mapped[date] = mapped_column(Date)
    hardship: Mapped[str] = mapped_column(String(24))  # living, medical, education, housing, outbreak…
    reason: Mapped[str] = mapped_column(Text, default="")
    persons: Mapped[int] = mapped_column(Integer)  # persons in the household the grant helps
    earlier_assistance: Mapped[str] = mapped_column(Text, default="")
    proposed_amount: Mapped[int] = mapped_column(Integer)  # fen
    # home investigation (入户调查)
    investigated_on: Mapped[date | None] = mapped_column(Date)
    investigator: Mapped[str] = mapped_column(String(50), default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    village_opinion: Mapped[str] = mapped_column(Text, default="")
    # town or sub-district review (乡镇审核)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(50), default="")
    reviewed_amount: Mapped[int | None] = mapped_column(Integer)  # fen
    # public notice (公示)
    notice_from: Mapped[date | None] = mapped_column(Date)
    notice_to: Mapped[date | None] = mapped_column(Date)
    # district approval (区民政局审批)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approver: Mapped[str] = mapped_column(String(50), default="")
    approved_amount: Mapped[int | None] = mapped_column(Integer)  # fen
    # payment (发放)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[int | None] = mapped_column(Integer)  # fen
    payment_method: Mapped[str | None] = mapped_column(String(16))
    from_reserve_fund: Mapped[bool] = mapped_column(Boolean, default=False)
    # assist first, paperwork later
    documents_owed: Mapped[list[str]] = mapped_column(JSON, default=list)
    paperwork_deadline: Mapped[date | None] = mapped_column(Date)
    paperwork_completed_on: Mapped[date | None] = mapped_column(Date)
    refused_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class ReserveFundAllocation(RecordMixin, Base):
    """Reserve funds (备用金) the district allocates to a town or sub-district for temporary
    assistance.  A town's balance is its allocations less the grants paid from them: computed,
    never stored."""

    __tablename__ = "assistance_reserve_allocation"
    __table_args__ = (
        Index("ix_assistance_reserve_allocation_town", "town_id", "allocated_on"),
        Index("ix_assistance_reserve_allocation_day", "allocated_on", "id"),
    )

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place_town.id"))
    allocated_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)  # fen
    document: Mapped[str] = mapped_column(String(60), default="")  # the allocating document's number
    notes: Mapped[str] = mapped_column(Text, default="")


class Rescue(RecordMixin, Base):
    """A vagrant or beggar (流浪乞讨人员) or a stranded person in difficulty (滞留生活困难人员) rescued."""

    __tablename__ = "assistance_rescue"
    __table_args__ = (
        Index("ix_assistance_rescue_day", "found_on", "id"),
        Index("ix_assistance_rescue_kind", "kind", "id"),
    )

    kind: Mapped[str] = mapped_column(String(16))  # vagrant, stranded
    found_on: Mapped[date] = mapped_column(Date)
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place_found: Mapped[str] = mapped_column(String(200))
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("place_town.id"), index=True)
    patrol: Mapped[str] = mapped_column(String(100), default="")  # the street patrol that found them
    name: Mapped[str] = mapped_column(String(50), default="")  # empty: not identifiable
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)  # 查人 looks people up by it
    sex: Mapped[str | None] = mapped_column(String(8))
    approximate_age: Mapped[int | None] = mapped_column(Integer)
    home_place: Mapped[str] = mapped_column(String(200), default="")
    health: Mapped[str] = mapped_column(Text, default="")
    help_given: Mapped[list[str]] = mapped_column(JSON, default=list)  # food, lodging, medical, ticket, station
    outcome: Mapped[str] = mapped_column(String(24))
    notes: Mapped[str] = mapped_column(Text, default="")


class PersonSearchEntry(Base):
    """What the person search looks in: one row per live member of a live household, kept by
    `assistance/search.py` on every flush that changes a member or a household's address (never
    edited by hand; `search.rebuild` makes it anew).  Not a record: no version, audit or recycle bin.

    Ordered as the members' list, (name, member id), and without a rowid on SQLite, so that a page
    of matches is one ordered walk that stops as soon as the page is full, and a count one scan of
    a narrow table instead of the members joined to their households (measured in
    bench/bench_person_search.py).  The texts are NFKC-normalised and upper-cased, as the terms are:
    `name_text` is what a role that may not see personal data searches, `full_text` (the name, ID
    number, phone and address — the member's own, else the household's — joined by U+001F) what a
    role that may see it searches."""

    __tablename__ = "assistance_person_search"
    __table_args__ = (
        Index("ix_assistance_person_search_member", "member_id"),
        {"sqlite_with_rowid": False},
    )

    name: Mapped[str] = mapped_column(String(50), primary_key=True)  # as the member's, for the order
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_member.id"), primary_key=True)
    name_text: Mapped[str] = mapped_column(String(50))
    full_text: Mapped[str] = mapped_column(String(400))
