"""The supervision teams' tables (prefix `supervision_`)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civaffairs.db.base import Base, RecordMixin

# Sort indexes end with the id: lists order by (column, id), so that pages are stable.


class SupervisionTeam(RecordMixin, Base):
    __tablename__ = "supervision_team"
    __table_args__ = (Index("ix_supervision_team_name", "name", "id"),)

    name: Mapped[str] = mapped_column(String(50))  # 第一督查组
    leader_name: Mapped[str] = mapped_column(String(50))
    leader_post: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class TeamMember(RecordMixin, Base):
    __tablename__ = "supervision_team_member"
    __table_args__ = (Index("ix_supervision_team_member_team", "team_id", "name", "id"),)

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_team.id"))
    name: Mapped[str] = mapped_column(String(50))
    post: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # 查人 looks people up by it


class InspectionVisit(RecordMixin, Base):
    """One visit of a team to one target.  The target is named by its kind and by exactly one
    reference column, the kind's (`targets.TargetKind.field`); the targets live in other groups'
    registers, which are not ours to constrain, so the references carry no foreign key and the
    service checks them."""

    __tablename__ = "supervision_visit"
    __table_args__ = (
        Index("ix_supervision_visit_day", "day", "id"),
        Index("ix_supervision_visit_team_day", "team_id", "day"),
        Index("ix_supervision_visit_report_number", "report_number"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_team.id"))
    day: Mapped[date]
    target_kind: Mapped[str] = mapped_column(String(32))  # "donation_organisation" is 21
    compound_id: Mapped[uuid.UUID | None]
    institution_id: Mapped[uuid.UUID | None]
    organisation_id: Mapped[uuid.UUID | None]  # a social organisation (group 5)
    donation_organisation_id: Mapped[uuid.UUID | None]  # an organisation receiving donations (group 6)
    inspectors: Mapped[str] = mapped_column(String(200), default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    # Given when the report is issued (numbering service, kind "inspection"); empty before.
    report_number: Mapped[str] = mapped_column(String(40), default="")
    report_date: Mapped[date | None]


class ChecklistLine(RecordMixin, Base):
    __tablename__ = "supervision_checklist_line"
    __table_args__ = (Index("ix_supervision_checklist_line_visit", "visit_id", "position", "id"),)

    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_visit.id"))
    position: Mapped[int] = mapped_column(default=100)  # lines added by hand come after the kind's
    item_code: Mapped[str] = mapped_column(String(60), default="")  # targets.ChecklistItem.code; "" by hand
    item: Mapped[str] = mapped_column(String(200))
    result: Mapped[str | None] = mapped_column(String(20))  # conforms / fails / not_applicable
    note: Mapped[str] = mapped_column(Text, default="")


class Correction(RecordMixin, Base):
    __tablename__ = "supervision_correction"
    __table_args__ = (
        Index("ix_supervision_correction_deadline", "deadline", "id"),
        Index("ix_supervision_correction_visit", "visit_id"),
        Index("ix_supervision_correction_closed_on", "closed_on"),
    )

    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_visit.id"))
    requirement: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    responsible: Mapped[str] = mapped_column(String(50))
    closed_on: Mapped[date | None]
    closing_note: Mapped[str] = mapped_column(Text, default="")


class FollowUp(RecordMixin, Base):
    __tablename__ = "supervision_follow_up"
    __table_args__ = (Index("ix_supervision_follow_up_correction", "correction_id", "day", "id"),)

    correction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_correction.id"))
    day: Mapped[date]
    found: Mapped[str] = mapped_column(Text)
    checked_by: Mapped[str] = mapped_column(String(50))
