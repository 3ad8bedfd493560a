"""The bureau's own staff and premises."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin

_LIVE = text("deleted_at IS NULL")


# Sort indexes end with the id: lists order by (column, id) so that pages are stable, and the
# index then serves the whole ORDER BY (without it SQLite sorts 100,000 rows for every page).


class StaffMember(RecordMixin, Base):
    __tablename__ = "bureau_staff_member"
    __table_args__ = (
        Index("ix_bureau_staff_member_name", "name", "id"),
        Index("ix_bureau_staff_member_department", "department"),
        # One live record per person; a deleted one may be entered again.
        Index("uq_bureau_staff_member_id_number", "id_number", unique=True,
              sqlite_where=text("deleted_at IS NULL AND id_number <> ''"),
              postgresql_where=text("deleted_at IS NULL AND id_number <> ''")),
    )

    name: Mapped[str] = mapped_column(String(50))
    department: Mapped[str] = mapped_column(String(50), default="")
    post: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    id_number: Mapped[str] = mapped_column(String(18), default="")
    working_groups: Mapped[list[Any]] = mapped_column(default=list)  # codes "1"–"7"


class HealthCheckIn(RecordMixin, Base):
    __tablename__ = "bureau_health_check_in"
    __table_args__ = (
        Index("uq_bureau_health_check_in_staff_day", "staff_id", "day", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_bureau_health_check_in_day", "day", "id"),
        Index("ix_bureau_health_check_in_health_code", "health_code", "day"),
    )

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bureau_staff_member.id"))
    day: Mapped[date]
    morning_temperature: Mapped[int | None]  # tenths of a degree Celsius
    afternoon_temperature: Mapped[int | None]
    health_code: Mapped[str] = mapped_column(String(10))
    travelled_outside: Mapped[bool] = mapped_column(default=False)  # left the district in the last 14 days
    notes: Mapped[str] = mapped_column(Text, default="")


class Visitor(RecordMixin, Base):
    __tablename__ = "bureau_visitor"
    __table_args__ = (
        Index("ix_bureau_visitor_time_in", "time_in", "id"),
        Index("ix_bureau_visitor_name", "name", "id"),
        Index("ix_bureau_visitor_health_code", "health_code", "time_in"),
    )

    time_in: Mapped[datetime]
    time_out: Mapped[datetime | None]
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)  # 查人 looks people up by it
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    work_unit: Mapped[str] = mapped_column(String(100), default="")
    person_visited: Mapped[str] = mapped_column(String(50), default="")
    temperature: Mapped[int | None]  # tenths of a degree Celsius
    health_code: Mapped[str] = mapped_column(String(10))
    itinerary_card_checked: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str] = mapped_column(String(200), default="")


class DisinfectionLog(RecordMixin, Base):
    __tablename__ = "bureau_disinfection_log"
    __table_args__ = (Index("ix_bureau_disinfection_log_day", "day", "id"),)

    day: Mapped[date]
    time_of_day: Mapped[time]
    area: Mapped[str] = mapped_column(String(100))
    disinfectant: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))
    operator: Mapped[str] = mapped_column(String(50))
