"""Import batches: which records an import created or updated (with their values before an
update), so that an administrator can undo a whole import.  Migration: the lead's 0006."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.core.ids import new_id
from civaffairs.db.base import Base


class ImportBatch(Base):
    __tablename__ = "exchange_import_batch"
    __table_args__ = (Index("ix_exchange_import_batch_register_at", "register", "at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    register: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(64))


class ImportItem(Base):
    __tablename__ = "exchange_import_item"
    __table_args__ = (Index("ix_exchange_import_item_batch", "batch_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exchange_import_batch.id"))
    position: Mapped[int] = mapped_column(Integer)  # the row's place in the file
    record_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(16))  # created | updated
    record_version: Mapped[int] = mapped_column(Integer)  # the record's version after the import
    before: Mapped[dict[str, Any] | None]  # an updated record's form values before, encoded (batches.encode_values)
