"""Group 7's tables (prefix `volunteer_`): the volunteers, their activities, the shifts they sign
in and out of, and the service certificates (志愿服务记录证明) issued to them."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin

_LIVE = text("deleted_at IS NULL")

# Sort indexes end with the id: lists order by (column, id), so that pages are stable.


class Volunteer(RecordMixin, Base):
    """A registered volunteer."""

    __tablename__ = "volunteer_volunteer"
    __table_args__ = (
        Index("ix_volunteer_volunteer_name", "name", "id"),
        Index("ix_volunteer_volunteer_id_number", "id_number"),
        Index("ix_volunteer_volunteer_number", "volunteer_number", "id"),
        Index("ix_volunteer_volunteer_organisation", "organisation", "id"),
    )

    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(20), index=True)  # 查人 looks people up by it
    skills: Mapped[list[Any]] = mapped_column(default=list)  # codes of fields.SKILLS
    organisation: Mapped[str] = mapped_column(String(100), default="")
    party_member: Mapped[bool] = mapped_column(default=False)
    availability: Mapped[list[Any]] = mapped_column(default=list)  # codes of fields.AVAILABILITY
    volunteer_number: Mapped[str] = mapped_column(String(30), default="")  # 志愿者编号, e.g. from 志愿中国
    notes: Mapped[str] = mapped_column(Text, default="")


class Activity(RecordMixin, Base):
    """A volunteer activity: guidance at a NAT site, keeping order, a duty point, deliveries to
    households…, at a place in a town, on a day (or from a first to a last day).  Where it is
    at a compound or a duty point of group 3, it may name them; group 3's tables are not ours to
    constrain, so those references carry no foreign key and the register's rules check them."""

    __tablename__ = "volunteer_activity"
    __table_args__ = (
        Index("ix_volunteer_activity_day", "day", "id"),
        Index("ix_volunteer_activity_name", "name", "id"),
        Index("ix_volunteer_activity_town", "town_id", "day", "id"),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # fields.ACTIVITY_KINDS
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place_town.id"))
    place: Mapped[str] = mapped_column(String(200))
    compound_id: Mapped[uuid.UUID | None]
    duty_point_id: Mapped[uuid.UUID | None]
    day: Mapped[date]
    last_day: Mapped[date | None]  # an activity running several days (a duty point kept for weeks)
    organiser: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Shift(RecordMixin, Base):
    """A volunteer's shift at an activity: signed in, and signed out (empty while on duty).
    Both are moments (UTC), so a shift from 22:00 to 06:00 the next day is simply 8 hours."""

    __tablename__ = "volunteer_shift"
    __table_args__ = (
        Index("ix_volunteer_shift_sign_in", "sign_in", "id"),
        Index("ix_volunteer_shift_activity", "activity_id", "sign_in", "id"),
        # the overlap check and a volunteer's hours: one volunteer's shifts in time order
        Index("ix_volunteer_shift_volunteer", "volunteer_id", "sign_in", sqlite_where=_LIVE, postgresql_where=_LIVE),
    )

    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteer_activity.id"))
    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteer_volunteer.id"))
    sign_in: Mapped[datetime]
    sign_out: Mapped[datetime | None]
    task: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class ServiceCertificate(RecordMixin, Base):
    """A volunteer service certificate (志愿服务记录证明) for a period.  Drafted as a record, then
    issued: the number comes from the numbering service (kind "volunteer_cert") and the hours
    certified are written with it, because the paper handed out keeps saying what it said even if
    a shift is corrected later (the list shows when the records have changed since)."""

    __tablename__ = "volunteer_certificate"
    __table_args__ = (
        Index("ix_volunteer_certificate_issue_date", "issue_date", "id"),
        Index("ix_volunteer_certificate_volunteer", "volunteer_id", "issue_date", "id"),
        Index("ix_volunteer_certificate_number", "number"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteer_volunteer.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    content: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(100))
    person_in_charge: Mapped[str] = mapped_column(String(50))
    handler: Mapped[str] = mapped_column(String(50))
    contact: Mapped[str] = mapped_column(String(20), index=True)  # 查人 looks people up by it
    issue_date: Mapped[date]
    # Given when issued; empty for a draft (and again after its number was cancelled).
    number: Mapped[str] = mapped_column(String(40), default="")
    minutes: Mapped[int | None]  # the service time certified, in minutes
