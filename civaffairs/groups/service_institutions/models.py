"""Group 2's records: the civil affairs service institutions (养老机构, 婚姻登记处…), their status
over time, residents and staff living in, NAT rounds and results, daily prevention checks, supply
reserves and the marriage registrations postponed while registration is suspended."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin
from civaffairs.records.status import StatusPeriodMixin

_LIVE = text("deleted_at IS NULL")

# Sort indexes end with the id, as in group 1: lists order by (column, id).


class Institution(RecordMixin, Base):
    __tablename__ = "institution"
    __table_args__ = (
        Index("ix_institution_name", "name", "id"),
        Index("ix_institution_kind", "kind", "id"),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200), default="")  # public: not personal data
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("place_town.id"), index=True)
    person_in_charge: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # the institution's, not a person's; 查人 looks it up
    capacity: Mapped[int | None]  # beds
    notes: Mapped[str] = mapped_column(Text, default="")


class InstitutionStatus(StatusPeriodMixin, RecordMixin, Base):
    """A period of closed management, suspended services or suspended registration."""

    __tablename__ = "institution_status"
    __table_args__ = (
        Index("ix_institution_status_parent_start", "institution_id", "start_date"),
        Index("ix_institution_status_start", "start_date", "id"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))


class Resident(RecordMixin, Base):
    __tablename__ = "institution_resident"
    __table_args__ = (
        Index("ix_institution_resident_name", "name", "id"),
        Index("ix_institution_resident_parent_admitted", "institution_id", "admission_date"),
        Index("ix_institution_resident_admission", "admission_date", "id"),
        Index("ix_institution_resident_id_number", "id_number"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    care_level: Mapped[str] = mapped_column(String(16))
    central_care: Mapped[bool] = mapped_column(default=False)  # 集中供养特困人员
    admission_date: Mapped[date] = mapped_column(Date)
    discharge_date: Mapped[date | None] = mapped_column(Date)


class StaffOnSite(RecordMixin, Base):
    """A worker living inside an institution under closed management (在院工作人员)."""

    __tablename__ = "institution_staff_on_site"
    __table_args__ = (
        Index("ix_institution_staff_on_site_name", "name", "id"),
        Index("ix_institution_staff_on_site_parent", "institution_id", "from_date"),
        Index("ix_institution_staff_on_site_from", "from_date", "id"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    name: Mapped[str] = mapped_column(String(50))
    post: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)


class NatRound(RecordMixin, Base):
    """One round of nucleic-acid tests of an institution's residents on one day."""

    __tablename__ = "institution_nat_round"
    __table_args__ = (
        Index("ix_institution_nat_round_day", "day", "id"),
        Index("ix_institution_nat_round_parent_day", "institution_id", "day"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    day: Mapped[date] = mapped_column(Date)
    organised_by: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class NatResult(RecordMixin, Base):
    __tablename__ = "institution_nat_result"
    __table_args__ = (
        Index("uq_institution_nat_result_round_resident", "round_id", "resident_id", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_institution_nat_result_result", "result", "id"),
        Index("ix_institution_nat_result_resident", "resident_id"),
    )

    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution_nat_round.id"))
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution_resident.id"))
    result: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")  # why not tested
    sample_time: Mapped[datetime | None]


class DailyCheck(RecordMixin, Base):
    """An institution's daily prevention check (每日防控检查)."""

    __tablename__ = "institution_daily_check"
    __table_args__ = (
        Index("uq_institution_daily_check_parent_day", "institution_id", "day", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_institution_daily_check_day", "day", "id"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    day: Mapped[date] = mapped_column(Date)
    temperature_checks: Mapped[bool] = mapped_column(default=False)
    masks: Mapped[bool] = mapped_column(default=False)
    ventilation: Mapped[bool] = mapped_column(default=False)
    disinfection: Mapped[bool] = mapped_column(default=False)
    no_gatherings: Mapped[bool] = mapped_column(default=False)
    visitors_refused: Mapped[bool] = mapped_column(default=False)
    people_checked: Mapped[int | None]  # temperature-checked that day
    reported_by: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class SupplyReserve(RecordMixin, Base):
    __tablename__ = "institution_supply_reserve"
    __table_args__ = (
        Index("ix_institution_supply_reserve_as_of", "as_of", "id"),
        Index("ix_institution_supply_reserve_parent_item", "institution_id", "item", "as_of"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    item: Mapped[str] = mapped_column(String(32))
    other_item: Mapped[str] = mapped_column(String(50), default="")  # when item is "other"
    quantity: Mapped[int]
    unit: Mapped[str] = mapped_column(String(16))
    daily_use: Mapped[int]  # per resident and day, in hundredths of the unit
    as_of: Mapped[date] = mapped_column(Date)


class PostponedMarriage(RecordMixin, Base):
    """A marriage registration appointment postponed while registration is suspended."""

    __tablename__ = "institution_postponed_marriage"
    __table_args__ = (
        Index("ix_institution_postponed_marriage_original", "original_date", "id"),
        Index("ix_institution_postponed_marriage_name", "name_1", "id"),
    )

    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    name_1: Mapped[str] = mapped_column(String(50))
    phone_1: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    name_2: Mapped[str] = mapped_column(String(50))
    phone_2: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    original_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date | None] = mapped_column(Date)
    told: Mapped[bool] = mapped_column(default=False)  # told of the new date
