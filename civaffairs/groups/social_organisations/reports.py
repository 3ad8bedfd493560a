"""Group 5's paper (Qt-free): the list of the organisations that have not acknowledged a notice,
to work through by telephone.  It is read through `service.not_acknowledged`, so a contact phone
is printed only when the actor may see it (masked otherwise), exactly as on screen."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import _
from civaffairs.groups.social_organisations import figures, service
from civaffairs.printing.dates import chinese_date
from civaffairs.printing.table_report import ReportColumn, render_table_report

Progress = Callable[[int, int], None]


def not_acknowledged_title() -> str:
    return _("Organisations that have not acknowledged receipt of a notice")


def render_not_acknowledged(session: Session, actor: Actor, *, day: date, notice_id: uuid.UUID | None = None,
                            office_name: str, printed_by: str, printed_at: datetime,
                            progress: Progress | None = None) -> bytes:
    """A table of the notices not acknowledged on `day` (of one notice, or of every notice): the
    organisation, the notice (when all are listed), when it was sent and was due, how long it has
    waited, whom to call.  A line past its "acknowledge by" day says so in that column."""
    lines = service.not_acknowledged(session, actor, notice_id=notice_id, day=day)
    one = None
    if notice_id is not None:
        one = next((n for n in figures.notices(session) if n.id == notice_id), None)
    if one is not None:
        number = f"（{one.document_number}）" if one.document_number else ""
        filter_text = _("Notice: {title}{number}, dated {date}. Not acknowledged on {day}.").format(
            title=one.title, number=number, date=chinese_date(one.notice_date), day=chinese_date(day))
    else:
        filter_text = _("Every notice sent to organisations. Not acknowledged on {day}.").format(day=chinese_date(day))

    columns = [ReportColumn(_("Organisation name"), 26), ReportColumn(_("Kind"), 15)]
    if one is None:
        columns.append(ReportColumn(_("Notice"), 34))
    columns += [ReportColumn(_("Date sent"), 10), ReportColumn(_("Acknowledge by"), 19),
                ReportColumn(_("Days waiting"), 6, align_right=True), ReportColumn(_("Contact person"), 8),
                ReportColumn(_("Contact phone"), 13)]

    def due(line: figures.PendingLine) -> str:
        if line.reply_by is None:
            return ""
        text = line.reply_by.isoformat()
        return _("{date} (overdue)").format(date=text) if line.overdue else text

    def cells(line: figures.PendingLine) -> list[str]:
        row = [line.organisation, line.kind_title]
        if one is None:
            row.append(line.notice)
        return row + [line.sent_date.isoformat(), due(line), str(line.days_waiting), line.contact_person,
                      line.contact_phone]

    return render_table_report(office_name=office_name, title=not_acknowledged_title(), filter_text=filter_text,
                               columns=columns, rows=(cells(line) for line in lines), printed_by=printed_by,
                               printed_at=printed_at, progress=progress, total=len(lines))
