"""Residential compounds (小区) under the villages and communities, their entrances and duty
points, the duty rosters, the cadres assigned to each compound (包抓), entry registrations and
the disinfection of duty points."""
from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin

_LIVE = text("deleted_at IS NULL")


def _live_index(name: str, *columns: str) -> Index:
    """An index of the live records only: lists always ask for `deleted_at IS NULL`, so the index
    then answers the filter, the order and a count by itself (the recycle bin is small)."""
    return Index(name, *columns, sqlite_where=_LIVE, postgresql_where=_LIVE)


# Sort indexes end with the id: lists order by (column, id) so that pages are stable, and the
# index then serves the whole ORDER BY.


class Compound(RecordMixin, Base):
    """A residential compound (小区) of a village or community."""

    __tablename__ = "community_compound"
    __table_args__ = (
        Index("ix_community_compound_name", "name", "id"),
        Index("ix_community_compound_community", "community_id", "name", "id"),
    )

    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place_community.id"))
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    households: Mapped[int | None]
    residents: Mapped[int | None]
    property_contact: Mapped[str] = mapped_column(String(100), default="")  # the property management's contact
    property_phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it


class Entrance(RecordMixin, Base):
    """An entrance (出入口) of a compound: open, or closed for the epidemic."""

    __tablename__ = "community_entrance"
    __table_args__ = (
        Index("ix_community_entrance_compound", "compound_id", "name", "id"),
        Index("ix_community_entrance_name", "name", "id"),
    )

    compound_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_compound.id"))
    name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10))  # open, closed
    notes: Mapped[str] = mapped_column(Text, default="")


class DutyPoint(RecordMixin, Base):
    """A duty point (值守点) at an entrance, where people coming and going are checked."""

    __tablename__ = "community_duty_point"
    __table_args__ = (
        Index("ix_community_duty_point_entrance", "entrance_id", "name", "id"),
        Index("ix_community_duty_point_name", "name", "id"),
    )

    entrance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_entrance.id"))
    name: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(Text, default="")


class DutyShift(RecordMixin, Base):
    """One shift of a duty point's roster (值班排班).  An end at or before the start is on the
    next day: 20:00–08:00 on the 5th covers the night until 08:00 on the 6th."""

    __tablename__ = "community_duty_shift"
    __table_args__ = (
        Index("ix_community_duty_shift_day", "day", "id"),
        Index("ix_community_duty_shift_point_day", "duty_point_id", "day", "id"),
    )

    duty_point_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_duty_point.id"))
    day: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time]
    people: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it
    role: Mapped[str] = mapped_column(String(50), default="")


class CompoundAssignment(RecordMixin, Base):
    """A leader, cadre or party member made responsible for a compound (下沉包抓)."""

    __tablename__ = "community_assignment"
    __table_args__ = (
        Index("ix_community_assignment_since", "since", "id"),
        Index("ix_community_assignment_compound", "compound_id", "since", "id"),
        Index("ix_community_assignment_person", "person", "id"),
    )

    compound_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_compound.id"))
    person: Mapped[str] = mapped_column(String(50))
    post: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16))  # leader, cadre, party_member
    role: Mapped[str] = mapped_column(String(50), default="")
    since: Mapped[date]
    until: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it


class EntryRegistration(RecordMixin, Base):
    """One person coming in or going out at a duty point (出入登记).  The day and the time of day
    are separate fields, so that fast entry keeps the day and the clerk types only the time.

    This register grows fastest (a busy compound registers a thousand people a day); its indexes
    cover the default order, the date filter and a duty point's own list, live records only."""

    __tablename__ = "community_entry"
    __table_args__ = (
        _live_index("ix_community_entry_day", "day", "id"),
        _live_index("ix_community_entry_point_day", "duty_point_id", "day", "id"),
        Index("ix_community_entry_name", "name", "id"),
        # 查人 (civaffairs.people) looks entries up by exact ID number and phone.
        Index("ix_community_entry_id_number", "id_number"),
        Index("ix_community_entry_phone", "phone"),
    )

    duty_point_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_duty_point.id"))
    day: Mapped[date]
    time_of_day: Mapped[time]
    direction: Mapped[str] = mapped_column(String(4))  # in, out
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    health_code: Mapped[str] = mapped_column(String(10))
    itinerary_card_checked: Mapped[bool] = mapped_column(default=True)
    pass_number: Mapped[str] = mapped_column(String(30), default="")  # 出入证号
    temperature: Mapped[int | None]  # tenths of a degree Celsius


class DutyPointDisinfection(RecordMixin, Base):
    """A disinfection of a duty point."""

    __tablename__ = "community_disinfection"
    __table_args__ = (
        Index("ix_community_disinfection_day", "day", "id"),
        Index("ix_community_disinfection_point_day", "duty_point_id", "day", "id"),
    )

    duty_point_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_duty_point.id"))
    day: Mapped[date]
    time_of_day: Mapped[time]
    area: Mapped[str] = mapped_column(String(100))
    disinfectant: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))
    operator: Mapped[str] = mapped_column(String(50))
