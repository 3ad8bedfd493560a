"""The register of every number given out, and one sequence row per (kind, prefix, year)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.core.ids import new_id
from civaffairs.db.base import Base


class IssuedNumber(Base):
    """One row for every number ever given out, never deleted.  A cancelled number keeps its row,
    with who cancelled it, when and why, and is never given again.  The owner is the record that
    carries the number (a notice, an inspection visit, …), named by its register and id."""

    __tablename__ = "issued_number"
    __table_args__ = (
        UniqueConstraint("kind", "prefix", "year", "serial", name="uq_issued_number_kind_prefix_year_serial"),
        Index("ix_issued_number_owner", "owner_register", "owner_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))  # NumberKind.key: "document", "inspection", …
    prefix: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # NumberStatus
    owner_register: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[uuid.UUID | None]
    owner_label: Mapped[str] = mapped_column(String(200), default="")
    given_at: Mapped[datetime]
    given_by: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")


class NumberSequence(Base):
    """One row per (kind, prefix, year): the lock that serialises allocation (SELECT … FOR UPDATE
    on PostgreSQL; SQLite's write transaction already holds the database's lock), and the highest
    serial given out, so that even a lost register row cannot make a number be given twice."""

    __tablename__ = "number_sequence"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


class NumberBlock(Base):
    """Serials of (kind, prefix, year) reserved on the office server for one PC's working copy,
    so that it can give numbers while it cannot reach the server, and no other PC gives the same:
    the server's sequence moves past the block when it is reserved.  A block of a past year is
    returned: each serial it left unused is entered in the register as cancelled, with the reason."""

    __tablename__ = "number_block"
    __table_args__ = (Index("ix_number_block_pc_kind", "pc", "kind", "prefix", "year"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    pc: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    first: Mapped[int]
    last: Mapped[int]
    reserved_at: Mapped[datetime]
    reserved_by: Mapped[str] = mapped_column(String(64))
    returned_at: Mapped[datetime | None]
