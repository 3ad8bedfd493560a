"""Status over time: a status with effective dates (an institution closed from 20 October, an
organisation's activities suspended, a household's categories later).

A status period is a child record of its parent with a status, a start date, an optional end date
(open-ended: still in force) and a note.  Periods of one parent may not overlap; the parent's list
shows the status in force today (a computed column), and `status_on` answers "what was the status
then" for any date.  A register gets all of it from `StatusHistory`:

    HISTORY = StatusHistory(InstitutionStatus, "institution_id", choices=INSTITUTION_STATUSES)
    INSTITUTIONS = register(RegisterSpec(..., computed=(HISTORY.today_column(default="normal"),)))
    STATUSES = register(RegisterSpec(..., fields=HISTORY.fields(INSTITUTIONS.key, N_("Institution")),
                                     rules=(HISTORY.no_overlap,), parent_field="institution_id"))
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import N_, _
from civaffairs.records.spec import Choice, ComputedColumn, FieldSpec, Kind


class StatusPeriodMixin:
    """The columns of a status period; the model adds the foreign key to its parent."""

    status: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # None: still in force
    note: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class StatusHistory:
    model: type  # a RecordMixin + StatusPeriodMixin model
    parent_field: str  # its foreign key to the parent, e.g. "institution_id"
    choices: tuple[Choice, ...]
    # True: a parent may hold several statuses at once (a household on 低保 and low income), and
    # only periods of the same status may not overlap.  False: one status at a time.
    per_status: bool = False

    def fields(self, parent_key: str, parent_label: str, *, status_label: str = N_("Status")) -> tuple[FieldSpec, ...]:
        """The period register's fields: parent, status, from, to, note."""
        return (
            FieldSpec(self.parent_field, parent_label, Kind.REFERENCE, reference=parent_key, required=True,
                      searchable=True, width=14),
            FieldSpec("status", status_label, Kind.CHOICE, choices=self.choices, required=True, width=12),
            FieldSpec("start_date", N_("From"), Kind.DATE, required=True, width=10),
            FieldSpec("end_date", N_("To (empty: still in force)"), Kind.DATE, width=10),
            FieldSpec("note", N_("Note"), Kind.LONG_TEXT, max_length=500, width=20),
        )

    def _title(self, code: str) -> str:
        return next((c.title for c in self.choices if c.code == code), code)

    def no_overlap(self, session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
        """The register rule: the end is not before the start, and no other live period of the
        same parent (of the same status, when `per_status`) overlaps this one (the message names
        the period it collides with)."""
        parent, start, end = values.get(self.parent_field), values.get("start_date"), values.get("end_date")
        if start is None or parent is None:
            return {}
        if end is not None and end < start:
            return {"end_date": _("The end date is before the start date.")}
        m = self.model
        stmt = select(m.status, m.start_date, m.end_date).where(
            getattr(m, self.parent_field) == parent, m.deleted_at.is_(None),
            or_(m.end_date.is_(None), m.end_date >= start),
        ).order_by(m.start_date)
        if end is not None:
            stmt = stmt.where(m.start_date <= end)
        if record_id is not None:
            stmt = stmt.where(m.id != record_id)
        if self.per_status:
            stmt = stmt.where(m.status == values.get("status"))
        other = session.execute(stmt.limit(1)).first()
        if other is None:
            return {}
        status, o_start, o_end = other
        if o_end is None:
            span = _("from {start}, still in force").format(start=long_date(o_start))
        else:
            span = _("{start} to {end}").format(start=long_date(o_start), end=long_date(o_end))
        return {"start_date": _("This period overlaps the period “{status}” ({span}).").format(
            status=self._title(status), span=span)}

    def status_on(self, session: Session, parent_ids: Sequence[uuid.UUID], day: date) -> dict[uuid.UUID, str]:
        """The status in force on `day` for each parent that has one."""
        if not parent_ids:
            return {}
        m = self.model
        parent = getattr(m, self.parent_field)
        stmt = select(parent, m.status).where(
            parent.in_(list(parent_ids)), m.deleted_at.is_(None), m.start_date <= day,
            or_(m.end_date.is_(None), m.end_date >= day))
        return {p: status for p, status in session.execute(stmt)}

    def statuses_on(self, session: Session, parent_ids: Sequence[uuid.UUID], day: date) -> dict[uuid.UUID, list[str]]:
        """Every status in force on `day` for each parent that has one, in the order of the
        choices (for `per_status` histories, where a parent may hold several at once)."""
        if not parent_ids:
            return {}
        m = self.model
        parent = getattr(m, self.parent_field)
        stmt = select(parent, m.status).where(
            parent.in_(list(parent_ids)), m.deleted_at.is_(None), m.start_date <= day,
            or_(m.end_date.is_(None), m.end_date >= day))
        order = {c.code: i for i, c in enumerate(self.choices)}
        found: dict[uuid.UUID, set[str]] = {}
        for p, status in session.execute(stmt):
            found.setdefault(p, set()).add(status)
        return {p: sorted(codes, key=lambda c: (order.get(c, len(order)), c)) for p, codes in found.items()}

    def parents_with(self, session: Session, status: str, day: date) -> set[uuid.UUID]:
        """The parents whose status on `day` is `status`."""
        m = self.model
        parent = getattr(m, self.parent_field)
        stmt = select(parent).where(m.status == status, m.deleted_at.is_(None), m.start_date <= day,
                                    or_(m.end_date.is_(None), m.end_date >= day))
        return set(session.scalars(stmt))

    def parents_with_during(self, session: Session, status: str, start: date, end: date) -> set[uuid.UUID]:
        """The parents that had `status` on at least one day of the period `start`–`end`."""
        m = self.model
        parent = getattr(m, self.parent_field)
        stmt = select(parent).where(m.status == status, m.deleted_at.is_(None), m.start_date <= end,
                                    or_(m.end_date.is_(None), m.end_date >= start))
        return set(session.scalars(stmt))

    def today_column(self, name: str = "status_today", label: str = N_("Status today"), *,
                     default: str | None = None, width: int = 12) -> ComputedColumn:
        """A computed list column of the parent: the status in force today (`default` when none);
        for a `per_status` history, every status in force today (a list, shown joined: 城市低保、低收入家庭)."""
        if self.per_status:
            def compute_all(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
                found = self.statuses_on(session, ids, today_local())
                return {i: found.get(i, [default] if default else []) for i in ids}

            return ComputedColumn(FieldSpec(name, label, Kind.MULTI_CHOICE, choices=self.choices, in_form=False,
                                            width=width), compute_all)

        def compute(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
            found = self.status_on(session, ids, today_local())
            return {i: found.get(i, default) for i in ids}

        return ComputedColumn(FieldSpec(name, label, Kind.CHOICE, choices=self.choices, in_form=False, width=width),
                              compute)

