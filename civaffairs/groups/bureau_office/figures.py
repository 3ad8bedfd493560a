"""Group 1's figures for a period, computed from the records when asked (nothing stored)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import _
from civaffairs.groups import group
from civaffairs.groups.bureau_office.fields import FEVER, GROUP
from civaffairs.groups.bureau_office.models import DisinfectionLog, HealthCheckIn, StaffMember, Visitor
from civaffairs.reports.figures import (
    Chart, Figure, FigureTable, Opens, Period, ReportSection, Series, Unit, daily_points,
)

FEVER_TENTHS = int(FEVER * 10)


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(timezone.utc)


def staff_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember).where(StaffMember.deleted_at.is_(None))) or 0


def check_ins(session: Session, period: Period) -> int:
    return session.scalar(select(func.count()).select_from(HealthCheckIn).where(
        HealthCheckIn.deleted_at.is_(None), HealthCheckIn.day.between(period.start, period.end))) or 0


def fevers(session: Session, period: Period) -> int:
    """Check-ins of the period at 37.3 °C or above, morning or afternoon."""
    return session.scalar(select(func.count()).select_from(HealthCheckIn).where(
        HealthCheckIn.deleted_at.is_(None), HealthCheckIn.day.between(period.start, period.end),
        or_(HealthCheckIn.morning_temperature >= FEVER_TENTHS, HealthCheckIn.afternoon_temperature >= FEVER_TENTHS),
    )) or 0


def codes_not_green(session: Session, period: Period) -> int:
    return session.scalar(select(func.count()).select_from(HealthCheckIn).where(
        HealthCheckIn.deleted_at.is_(None), HealthCheckIn.day.between(period.start, period.end),
        HealthCheckIn.health_code != "green")) or 0


def visitors(session: Session, period: Period) -> int:
    return session.scalar(select(func.count()).select_from(Visitor).where(
        Visitor.deleted_at.is_(None), Visitor.time_in >= _utc_start(period.start),
        Visitor.time_in < _utc_start(period.end + timedelta(days=1)))) or 0


def disinfections(session: Session, period: Period) -> int:
    return session.scalar(select(func.count()).select_from(DisinfectionLog).where(
        DisinfectionLog.deleted_at.is_(None), DisinfectionLog.day.between(period.start, period.end))) or 0


def check_ins_per_day(session: Session, period: Period) -> list[tuple[date, int]]:
    rows = session.execute(select(HealthCheckIn.day, func.count()).where(
        HealthCheckIn.deleted_at.is_(None), HealthCheckIn.day.between(period.start, period.end))
        .group_by(HealthCheckIn.day).order_by(HealthCheckIn.day))
    return [(d, n) for d, n in rows]


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    staff = staff_count(session)
    done = check_ins(session, period)
    fever, not_green = fevers(session, period), codes_not_green(session, period)
    expected = staff * period.days
    from decimal import Decimal

    rate = Decimal(done) / Decimal(expected) if expected else Decimal(0)
    return ReportSection(
        key=f"group-{GROUP}", title=group(GROUP).name,
        figures=(
            Figure("staff", _("Staff of the bureau"), staff, Unit.PERSONS),
            Figure("check_ins", _("Daily health check-ins"), done, Unit.TIMES, summary=True,
                   opens=Opens.period("bureau_office.check_ins", period)),
            Figure("check_in_rate", _("Check-in rate"), rate.quantize(Decimal("0.001")), Unit.PERCENT,
                   note=_("check-ins ÷ (staff × days of the period)")),
            Figure("fevers", _("Check-ins at 37.3 °C or above"), fever, Unit.TIMES, alert=fever > 0, summary=True,
                   opens=Opens.period("bureau_office.check_ins", period)),
            Figure("codes_not_green", _("Check-ins with a health code that is not green"), not_green, Unit.TIMES,
                   alert=not_green > 0, opens=Opens.period("bureau_office.check_ins", period, colours=("yellow", "red"))),
            Figure("visitors", _("Visitors registered"), visitors(session, period), Unit.PERSONS),
            Figure("disinfections", _("Disinfections of the offices"), disinfections(session, period), Unit.TIMES),
        ),
        tables=(FigureTable(_("Check-ins per day"), (_("Date"), _("Check-ins")),
                            tuple(check_ins_per_day(session, period))),),
    )





# ------------------------------------------------------------------ charts (the overview)


def abnormal_check_ins_per_day(session: Session, period: Period) -> list[tuple[date, int]]:
    """Check-ins per day at 37.3 °C or above, or with a health code that is not green."""
    rows = session.execute(select(HealthCheckIn.day, func.count()).where(
        HealthCheckIn.deleted_at.is_(None), HealthCheckIn.day.between(period.start, period.end),
        or_(HealthCheckIn.morning_temperature >= FEVER_TENTHS, HealthCheckIn.afternoon_temperature >= FEVER_TENTHS,
            HealthCheckIn.health_code != "green"))
        .group_by(HealthCheckIn.day).order_by(HealthCheckIn.day))
    return [(d, n) for d, n in rows]


def check_ins_chart(session: Session, period: Period) -> Chart:
    """Daily check-ins and the abnormal ones among them, every day of the period."""
    register = "bureau_office.check_ins"
    return Chart(f"group-{GROUP}.check_ins", _("Daily health check-ins and abnormal cases"), Unit.TIMES, (
        Series(_("Check-ins"), daily_points(period, dict(check_ins_per_day(session, period)),
                                           lambda d: Opens(register, d, d))),
        Series(_("Abnormal (37.3 °C or above, or code not green)"),
               daily_points(period, dict(abnormal_check_ins_per_day(session, period)), lambda d: Opens(register, d, d)),
               alert=True),
    ))


def chart_series(session: Session, actor: Actor, period: Period) -> tuple[Chart, ...]:
    """The charts of the leading group's overview for `period`."""
    return (check_ins_chart(session, period),)
