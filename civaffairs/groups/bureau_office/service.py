"""What is special to group 1 beyond its registers: the "today" view of check-ins."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import PermissionDenied
from civaffairs.core.i18n import _
from civaffairs.groups.bureau_office.fields import FEVER, GROUP
from civaffairs.groups.bureau_office.models import HealthCheckIn, StaffMember


@dataclass(frozen=True)
class TodayLine:
    staff_id: uuid.UUID
    name: str
    department: str
    check_in_id: uuid.UUID | None
    morning: Decimal | None
    afternoon: Decimal | None
    health_code: str | None
    travelled_outside: bool

    @property
    def checked_in(self) -> bool:
        return self.check_in_id is not None

    @property
    def fever(self) -> bool:
        return any(t is not None and t >= FEVER for t in (self.morning, self.afternoon))

    @property
    def needs_attention(self) -> bool:
        return self.fever or (self.checked_in and self.health_code != "green")


def today(session: Session, actor: Actor, day: date) -> list[TodayLine]:
    """Every live staff member with their check-in of `day`, if any: absentees first, then alerts."""
    if not actor.can_read_sensitive(GROUP):
        raise PermissionDenied(_("Your role may not see the staff's health data."))
    stmt = (
        select(StaffMember.id, StaffMember.name, StaffMember.department, HealthCheckIn.id,
               HealthCheckIn.morning_temperature, HealthCheckIn.afternoon_temperature,
               HealthCheckIn.health_code, HealthCheckIn.travelled_outside)
        .outerjoin(HealthCheckIn, and_(HealthCheckIn.staff_id == StaffMember.id, HealthCheckIn.day == day,
                                       HealthCheckIn.deleted_at.is_(None)))
        .where(StaffMember.deleted_at.is_(None))
        .order_by(StaffMember.department, StaffMember.name)
    )
    tenths = lambda v: None if v is None else Decimal(v).scaleb(-1)  # noqa: E731
    lines = [TodayLine(r[0], r[1], r[2], r[3], tenths(r[4]), tenths(r[5]), r[6], bool(r[7]))
             for r in session.execute(stmt)]
    lines.sort(key=lambda l: (l.checked_in, not l.needs_attention))
    return lines
