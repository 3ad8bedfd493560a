"""Notices.  Their numbers are in the numbering service's register (`civaffairs.numbering`)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
