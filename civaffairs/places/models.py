"""Towns and sub-districts, and the villages and communities under them."""
from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin

_LIVE = text("deleted_at IS NULL")


class Town(RecordMixin, Base):
    """A town (镇) or sub-district (街道) of the district."""

    __tablename__ = "place_town"
    __table_args__ = (
        Index("uq_place_town_name", "name", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_place_town_name_id", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))  # town, subdistrict
    notes: Mapped[str] = mapped_column(Text, default="")


class Community(RecordMixin, Base):
    """A village (村) or community (社区) under a town or sub-district."""

    __tablename__ = "place_community"
    __table_args__ = (
        Index("uq_place_community_town_name", "town_id", "name", unique=True, sqlite_where=_LIVE,
              postgresql_where=_LIVE),
        Index("ix_place_community_name", "name", "id"),
    )

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place_town.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))  # village, community
    notes: Mapped[str] = mapped_column(Text, default="")
