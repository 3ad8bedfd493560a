"""Group 3's paper (Qt-free): a compound's duty roster for a week, to post at the duty point, and
the blank entry-registration sheet of a duty point, to fill in by hand and type in later.

The roster is read through the register service, so a phone is printed only when the actor may
see it (masked otherwise), exactly as on screen."""
from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import N_, _
from civaffairs.groups.community.fields import ASSIGNMENTS, COMPOUNDS, DUTY_POINTS, ENTRANCES, ENTRIES, ROSTER
from civaffairs.printing.blank_form import render_blank_form
from civaffairs.printing.dates import chinese_date, chinese_datetime
from civaffairs.printing.fonts import FontRole, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.records import service as records

Progress = Callable[[int, int], None]

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
BODY_SIZE = 9.0
HEAD_SIZE = 10.5
TITLE_SIZE = 18.0
OFFICE_SIZE = 12.0
NOTE_SIZE = 9.0
MARGIN_X = 12 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 15 * mm
FOOTER_Y = 8 * mm
PAD = 3.0
HEADER_SHADE = colors.Color(0.88, 0.88, 0.88)
GAP_SHADE = colors.Color(0.99, 0.89, 0.89)  # a day when a duty point has no shift at all


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class RosterShift:
    day: date
    start: time
    end: time
    people: str
    phone: str  # masked when the actor may not see it
    role: str

    @property
    def hours_text(self) -> str:
        next_day = self.end <= self.start
        end = (_("next day {time}") if next_day else "{time}").format(time=self.end.strftime("%H:%M"))
        return f"{self.start:%H:%M}–{end}"


@dataclass
class RosterPoint:
    entrance: str
    entrance_open: bool
    name: str
    shifts: list[RosterShift] = field(default_factory=list)


@dataclass(frozen=True)
class RosterWeek:
    compound: str
    community: str
    start: date
    points: list[RosterPoint]
    assignments: list[tuple[str, str, str, str]]  # person, post, kind, phone

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(7)]


def roster_week(session: Session, actor: Actor, compound_id: uuid.UUID, start: date) -> RosterWeek:
    """The shifts of every duty point of a compound for the seven days from `start`, through the
    register service (so masked as the actor sees them), and the assignments in force."""
    compound = records.get(session, actor, COMPOUNDS, compound_id)
    end = start + timedelta(days=6)
    points: list[RosterPoint] = []
    entrances = records.fetch(session, actor, ENTRANCES, records.ListQuery(equals=(("compound_id", compound_id),)),
                              0, 1000)
    for entrance in entrances:
        for point in records.fetch(session, actor, DUTY_POINTS,
                                   records.ListQuery(equals=(("entrance_id", entrance.id),)), 0, 1000):
            rp = RosterPoint(entrance.values["name"], entrance.values["state"] == "open", point.values["name"])
            q = records.ListQuery(equals=(("duty_point_id", point.id),), date_from=start, date_to=end)
            for r in records.fetch(session, actor, ROSTER, q, 0, 5000):
                v = r.values
                rp.shifts.append(RosterShift(v["day"], v["start_time"], v["end_time"], v["people"],
                                             v["phone"] or "", v["role"] or ""))
            rp.shifts.sort(key=lambda s: (s.day, s.start))
            points.append(rp)
    kinds = ASSIGNMENTS.field("kind")
    assignments = []
    for r in records.fetch(session, actor, ASSIGNMENTS, records.ListQuery(equals=(("compound_id", compound_id),),
                                                                          sort="since"), 0, 1000):
        v = r.values
        if v["since"] <= end and (v["until"] is None or v["until"] >= start):
            assignments.append((v["person"], v["post"] or "", kinds.choice_title(v["kind"]), v["phone"] or ""))
    return RosterWeek(compound.values["name"], compound.values["community_id"] or "", start, points, assignments)


def render_duty_roster(session: Session, actor: Actor, compound_id: uuid.UUID, start: date, *, office_name: str,
                       printed_by: str, printed_at: datetime, progress: Progress | None = None) -> bytes:
    """A4 landscape: one row per duty point, one column per day, each cell the day's shifts
    (hours, who, duty, phone); under it the cadres assigned to the compound."""
    week = roster_week(session, actor, compound_id, start)
    if progress:
        progress(1, 3)
    song, title_font = font(FontRole.SONG), font(FontRole.TITLE)
    page_w, page_h = landscape(A4)
    frame_w = page_w - 2 * MARGIN_X
    cell = ParagraphStyle("cell", fontName=song.name, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.3, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=HEAD_SIZE, leading=HEAD_SIZE * 1.3, alignment=TA_CENTER)

    def p(text: str, style: ParagraphStyle = cell) -> Paragraph:
        return Paragraph("<br/>".join(escape(song.check(line)) for line in text.split("\n")), style)

    title = _("Duty roster of {compound}").format(compound=week.compound)
    title_font.check(title)
    period = _("{start} to {end}").format(start=chinese_date(week.days[0]), end=chinese_date(week.days[-1]))
    subtitle = _("Village or community: {community}    Week: {period}").format(community=week.community,
                                                                              period=period)
    header = [p(_("Entrance / duty point"), head)] + [
        p(f"{d.month}月{d.day}日\n{_(WEEKDAYS[d.weekday()])}", head) for d in week.days]
    rows: list[list[object]] = [header]
    shade: list[tuple[int, int]] = []
    for i, point in enumerate(week.points, start=1):
        state = "" if point.entrance_open else _("(closed)")
        row: list[object] = [p(f"{point.entrance}{state}\n{point.name}")]
        for j, d in enumerate(week.days, start=1):
            lines = []
            for s in (s for s in point.shifts if s.day == d):
                lines.append(s.hours_text)
                lines.append(s.people + (f"（{s.role}）" if s.role else ""))
                if s.phone:
                    lines.append(s.phone)
            if not lines and point.entrance_open:
                lines = [_("No one on duty")]
                shade.append((j, i))
            row.append(p("\n".join(lines)))
        rows.append(row)
    if not week.points:
        rows.append([p(_("This compound has no duty points."))] + [""] * 7)
    first = 34 * mm
    widths = [first] + [(frame_w - first) / 7] * 7
    style = [
        ("FONT", (0, 0), (-1, -1), song.name, BODY_SIZE),  # the empty cells too: never Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
    ] + [("BACKGROUND", c, c, GAP_SHADE) for c in shade]
    table = Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))

    story: list[object] = [
        Paragraph(escape(song.check(office_name)), ParagraphStyle(
            "office", fontName=song.name, fontSize=OFFICE_SIZE, leading=OFFICE_SIZE * 1.4, alignment=TA_CENTER)),
        Paragraph(escape(title), ParagraphStyle("title", fontName=title_font.name, fontSize=TITLE_SIZE,
                                                leading=TITLE_SIZE * 1.4, alignment=TA_CENTER, wordWrap="CJK")),
        Spacer(0, 2 * mm),
        p(subtitle, ParagraphStyle("sub", parent=cell, fontSize=HEAD_SIZE, leading=HEAD_SIZE * 1.4)),
        Spacer(0, 2 * mm),
        table,
        Spacer(0, 4 * mm),
    ]
    if week.assignments:
        people = "；".join(
            f"{person}（{', '.join(x for x in (post, kind) if x)}）{(' ' + phone) if phone else ''}"
            for person, post, kind, phone in week.assignments)
        story.append(p(_("Assigned to this compound (包抓): {people}").format(people=people),
                       ParagraphStyle("assigned", parent=cell, fontSize=HEAD_SIZE, leading=HEAD_SIZE * 1.5,
                                      alignment=TA_LEFT)))
    story.append(Spacer(0, 2 * mm))
    story.append(p(_("A shift whose end is at or before its start ends the next day. Red: no one on duty that day."),
                   ParagraphStyle("legend", parent=cell, textColor=colors.Color(0.35, 0.35, 0.35))))
    if progress:
        progress(2, 3)
    printed = song.check(_("Printed on {date} by {name}").format(date=chinese_datetime(
        printed_at.astimezone() if printed_at.tzinfo else printed_at), name=printed_by))

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(song.name, NOTE_SIZE)
        canvas.drawString(MARGIN_X, FOOTER_Y, printed)
        canvas.drawRightString(page_w - MARGIN_X, FOOTER_Y,
                               song.check(_("Page {n} of {total}").format(n=page, total=pages)))

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(page_w, page_h), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=f"{office_name} {title}",
                          author=printed_by, creator="civaffairs", initialFontName=song.name)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, frame_w, page_h - MARGIN_TOP - MARGIN_BOTTOM, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=(page_w, page_h))])
    doc.build(story, canvasmaker=numbered_canvas(decorate))  # type: ignore[arg-type]
    if progress:
        progress(3, 3)
    return buf.getvalue()


def render_entry_sheet(session: Session, actor: Actor, duty_point_id: uuid.UUID, *, office_name: str,
                       printed_at: datetime | None = None) -> bytes:
    """The blank entry-registration sheet of a duty point: its name printed, the date left blank,
    the columns of the register in the order of fast entry."""
    point = records.get(session, actor, DUTY_POINTS, duty_point_id)
    entrance = records.get(session, actor, ENTRANCES, point.values["entrance_id__id"])
    compound = entrance.values["compound_id"] or ""
    name = point.values["name"]
    label = name if compound and compound in name else f"{compound} {name}".strip()
    return render_blank_form(ENTRIES, office_name=office_name, title=_("Entry registration sheet"),
                             header_fields=("duty_point_id", "day"), fixed={"duty_point_id": label},
                             printed_at=printed_at)
