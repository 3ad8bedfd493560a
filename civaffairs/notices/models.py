"""Notices and the document-number register."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civaffairs.core.ids import new_id
from civaffairs.db.base import Base, RecordMixin


class Notice(RecordMixin, Base):
    """A notice: a draft while it is being written, then issued under a number, after which its
    text never changes (a correction is a new notice that points here)."""

    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_group_date", "working_group", "document_date", "id"),
        Index("ix_notice_document_date", "document_date", "id"),
        Index("ix_notice_prefix_year_serial", "prefix", "year", "serial"),
    )

    # 0 = the leading group (bureau-wide); 1–7 = the working groups.  ("group" is an SQL word.)
    group: Mapped[int] = mapped_column("working_group", Integer)
    status: Mapped[str] = mapped_column(String(16))  # NoticeStatus
    template_key: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(200))
    addressee: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)  # names, in order
    signatory: Mapped[str] = mapped_column(String(100), default="")
    copy_to: Mapped[str] = mapped_column(String(500), default="")
    printing_office: Mapped[str] = mapped_column(String(100), default="")
    document_date: Mapped[date | None]  # printed under the signature; the issue date once issued
    # Fixed at issue:
    prefix: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int | None]
    serial: Mapped[int | None]
    document_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    issue_date: Mapped[date | None]
    issued_at: Mapped[datetime | None]
    issued_by: Mapped[str | None] = mapped_column(String(64))
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notice.id"), index=True)


class DocumentNumber(Base):
    """The register of document numbers: one row for every number ever given out, never deleted.
    A cancelled number keeps its row, with who cancelled it, when and why, and is not given again."""

    __tablename__ = "document_number"
    __table_args__ = (UniqueConstraint("prefix", "year", "serial", name="uq_document_number_prefix_year_serial"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    prefix: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # NumberStatus
    notice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notice.id"), index=True)
    given_at: Mapped[datetime]
    given_by: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[Notice | None] = relationship()


class DocumentNumberSequence(Base):
    """One row per (prefix, year): the lock that serialises issuing on PostgreSQL (SELECT … FOR
    UPDATE), and the highest serial given out, so that even a lost register row cannot make a
    number be given twice."""

    __tablename__ = "document_number_sequence"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)
