"""The tables of the exchange.  Every database has all of them (one schema everywhere): the
outbox and the state are used on a PC's working copy, the applied changes and the conflicts on
the office server (and conflicts are copied down to the PCs, for the overview and the screen)."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.core.ids import new_id
from civaffairs.db.base import Base


class OutboxEntry(Base):
    """A change made on this PC's working copy, waiting for the server (or sent, with what
    became of it).  `id` is the change id the server applies it by, exactly once."""

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_sent_at_position", "sent_at", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    position: Mapped[int] = mapped_column(BigInteger, unique=True)  # the order the changes were made in
    made_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    command: Mapped[str] = mapped_column(String(16))  # create, update, delete, restore
    register: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID]
    record_label: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sent_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # applied, merged, conflict, already


class SyncState(Base):
    """A PC's side of the exchange, as text: which server, this PC's id, the server's audit
    position it has pulled up to, the last exchange and its error."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class AppliedChange(Base):
    """On the server: a PC's change that has been applied (or queued as a conflict), so that a
    repeated exchange (cut off before the PC heard the answer) applies nothing twice."""

    __tablename__ = "sync_applied"

    change_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    pc: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))


class SyncConflict(Base):
    """A change that could not be applied by itself: the same field changed on two PCs, an edit
    against a delete, or a change the server's rules or the user's rights refused.  Nothing of
    it is lost: `payload` is the whole change; a person with the right to edit the register
    resolves it (keep mine, keep theirs, or edit), which is an ordinary audited change."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_resolved_at", "resolved_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    change_id: Mapped[uuid.UUID] = mapped_column(index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # same_field, edit_delete, refused, permission
    register: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID]
    record_label: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(64), default="")  # "" for the whole change
    mine: Mapped[str | None] = mapped_column(Text)  # the PC's value, as the audit trail writes it
    theirs: Mapped[str | None] = mapped_column(Text)  # the server's value meanwhile
    mine_by: Mapped[str] = mapped_column(String(64))
    mine_at: Mapped[datetime]
    theirs_by: Mapped[str] = mapped_column(String(64), default="")
    theirs_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(16))  # mine, theirs, edit
