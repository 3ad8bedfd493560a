"""Group 5's records: the registered social organisations (社会团体, 民办非企业单位, 基金会), their
prevention status over time, the measures each reports, the notices the group sends them and,
for each organisation a notice went to, when it was sent and when the organisation acknowledged it."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin
from civaffairs.records.status import StatusPeriodMixin

_LIVE = text("deleted_at IS NULL")

# Sort indexes end with the id, as in group 1: lists order by (column, id).


class SocialOrganisation(RecordMixin, Base):
    __tablename__ = "social_org_organisation"
    __table_args__ = (
        Index("ix_social_org_organisation_name", "name", "id"),
        Index("ix_social_org_organisation_kind", "kind", "id"),
        # One live organisation per code; the register rule says so first, this stops two PCs.
        Index("uq_social_org_organisation_credit_code", "credit_code", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))  # association, private_non_enterprise, foundation
    credit_code: Mapped[str] = mapped_column(String(18))
    registration_authority: Mapped[str] = mapped_column(String(100), default="")
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    contact_person: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # a person's: sensitive; 查人 looks it up
    address: Mapped[str] = mapped_column(String(200), default="")  # the organisation's premises
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("place_town.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class OrganisationStatus(StatusPeriodMixin, RecordMixin, Base):
    """A period of suspended, online-only or limited activities, or of activities resumed."""

    __tablename__ = "social_org_status"
    __table_args__ = (
        Index("ix_social_org_status_parent_start", "organisation_id", "start_date"),
        Index("ix_social_org_status_start", "start_date", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_org_organisation.id"))


class MeasureReport(RecordMixin, Base):
    """The prevention measures an organisation reported on a day."""

    __tablename__ = "social_org_measure_report"
    __table_args__ = (
        Index("ix_social_org_measure_report_day", "day", "id"),
        Index("ix_social_org_measure_report_parent_day", "organisation_id", "day"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_org_organisation.id"))
    day: Mapped[date] = mapped_column(Date)
    measures: Mapped[list[Any]] = mapped_column(default=list)  # codes, as a JSON list
    reported_by: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class OrganisationNotice(RecordMixin, Base):
    """A notice sent to social organisations: either one of the program's own notices (linked by
    `notice_id`, its title, number and date copied when it is taken over) or a notice known only by
    its title and date (one of the district headquarters', a 倡议书 without a number)."""

    __tablename__ = "social_org_notice"
    __table_args__ = (
        Index("ix_social_org_notice_date", "notice_date", "id"),
        Index("ix_social_org_notice_title", "title", "id"),
        Index("uq_social_org_notice_notice", "notice_id", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
    )

    title: Mapped[str] = mapped_column(String(200))
    document_number: Mapped[str] = mapped_column(String(40), default="")
    issued_by: Mapped[str] = mapped_column(String(100), default="")
    notice_date: Mapped[date] = mapped_column(Date)
    reply_by: Mapped[date | None] = mapped_column(Date)  # acknowledgements are due by this day
    notice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notice.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class NoticeDelivery(RecordMixin, Base):
    """One notice sent to one organisation, and its acknowledgement of receipt (回执) once given."""

    __tablename__ = "social_org_notice_delivery"
    __table_args__ = (
        Index("ix_social_org_notice_delivery_sent", "sent_date", "id"),
        Index("ix_social_org_notice_delivery_parent", "organisation_id", "sent_date"),
        Index("uq_social_org_notice_delivery_notice_org", "org_notice_id", "organisation_id", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_social_org_notice_delivery_acknowledged", "acknowledged_date", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_org_organisation.id"))
    org_notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_org_notice.id"))
    sent_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16), default="")
    acknowledged_date: Mapped[date | None] = mapped_column(Date)
    acknowledged_by: Mapped[str] = mapped_column(String(50), default="")
