from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from civaffairs.core.ids import new_id
from civaffairs.db.base import Base


class AuditEntry(Base):
    """One change: who, when, which record, and each changed field's old and new value.

    `changes` maps a field name to `[old, new]` as canonical text (dates in ISO form, choices by
    their code), so entries stay readable when labels or the language change.

    `seq` and `hash` chain the entries (`civaffairs.audit.chain`): given before each flush, never
    by the caller."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_register_at", "register", "at"),
        Index("ix_audit_entry_actor_at", "actor", "at"),
        Index("ix_audit_entry_record", "record_id", "record_version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # create, update, delete, restore, …
    register: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID | None]
    record_version: Mapped[int | None]
    record_label: Mapped[str] = mapped_column(String(200), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _flush_context: Any, _instances: Any) -> None:
    new = [o for o in session.new if isinstance(o, AuditEntry)]
    if new:
        from civaffairs.audit.chain import seal_new_entries

        seal_new_entries(session, new)
