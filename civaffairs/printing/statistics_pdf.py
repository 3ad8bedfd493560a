"""The statistics report (统计上报) on paper: the title with the office and the period, the summary,
then each section's figures and tables; "第 N 页 共 M 页" and the time it was made on every page.
Same fonts and glyph check as every other paper of the program."""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

from civaffairs.core.clock import to_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.printing.fonts import FontRole, PrintFont, font
from civaffairs.printing.pages import numbered_canvas
from civaffairs.reports.figures import Figure, FigureTable, unit_word
from civaffairs.reports.statistics import StatisticsReport

MARGIN = 18 * mm
BODY = 10.5
SMALL = 9.0
ALERT = colors.Color(0.75, 0.22, 0.17)
SHADE = colors.Color(0.9, 0.9, 0.9)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value.as_tuple().exponent == -2 else f"{value:,}"
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return long_date(value)
    return "" if value is None else str(value)


def _text_length(text: str) -> float:
    """Width in ideographs: a Latin letter or digit is about half of one."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


SHORT = 11.0  # a cell of at most this many ideographs (a date, a number, a report number) never wraps
PADDING = 13.0  # a table cell's padding left and right, in points, and a point to spare


def _widths(t: FigureTable, width: float) -> list[float]:
    """Columns as wide as their longest cell; a title may take two lines.  When the page is too
    narrow for all, the short columns (dates, numbers, report numbers) keep their width, so that
    "2021年10月9日" never breaks, and the long ones (names) share the rest."""
    n = max(1, len(t.columns))
    cells = [max([_text_length(_cell(row[j])) for row in t.rows if j < len(row)], default=0.0) for j in range(n)]
    titles = [_text_length(t.columns[j]) if j < len(t.columns) else 0.0 for j in range(n)]
    need = [min(max(cells[j], titles[j] / 2, 2.0), 24.0) * BODY + PADDING for j in range(n)]
    if sum(need) <= width:  # room for every column: the spare width shared out
        return [width * x / sum(need) for x in need]
    short = [cells[j] <= SHORT for j in range(n)]
    fixed = sum(x for x, s in zip(need, short) if s)
    flexible = sum(x for x, s in zip(need, short) if not s)
    room = width - fixed
    if not flexible or room < flexible * 0.4:  # nothing to squeeze, or too little left for the names
        return [width * x / sum(need) for x in need]
    return [x if s else x * room / flexible for x, s in zip(need, short)]


def render_statistics(report: StatisticsReport) -> bytes:
    song, hei = font(FontRole.SONG), font(FontRole.HEI)

    def p(text: str, style: ParagraphStyle, f: PrintFont = song) -> Paragraph:
        return Paragraph(escape(f.check(text)).replace("\n", "<br/>"), style)

    body = ParagraphStyle("body", fontName=song.name, fontSize=BODY, leading=BODY * 1.45, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=SMALL, leading=SMALL * 1.4)
    title = ParagraphStyle("title", fontName=hei.name, fontSize=18, leading=26, alignment=TA_CENTER, wordWrap="CJK")
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER)
    h1 = ParagraphStyle("h1", fontName=hei.name, fontSize=14, leading=20, spaceBefore=10, spaceAfter=4, wordWrap="CJK")
    h2 = ParagraphStyle("h2", fontName=hei.name, fontSize=BODY, leading=BODY * 1.5, spaceBefore=6, spaceAfter=2, keepWithNext=1,
                        wordWrap="CJK")
    alert_body = ParagraphStyle("alert", parent=body, textColor=ALERT)
    width = A4[0] - 2 * MARGIN
    made = _("Made on {time} by {name}").format(time=to_local(report.made_at).strftime("%Y-%m-%d %H:%M"),
                                                 name=report.made_by)

    def grid(rows: list[list[Any]], widths: list[float]) -> Table:
        style = [("FONT", (0, 0), (-1, -1), song.name, BODY), ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))

    def figure_rows(figures: list[tuple[str | None, Figure]]) -> Table:
        with_group = any(g is not None for g, _f in figures)
        head = ([_("Working group")] if with_group else []) + [_("Statistic"), _("Value"), _("Note")]
        rows: list[list[Any]] = [[p(h, centred, hei) for h in head]]
        for group, f in figures:
            style = alert_body if f.alert else body
            cells = [p(group or "", body)] if with_group else []
            value = f.text if not isinstance(f.value, str) else f.value
            cells += [p(f.label, style), p(value, style), p(f.note, small)]
            rows.append(cells)
        # The value column holds "4,560,900.00 元" on one line; a group's name fits its column.
        widths = ([0.26 * width] if with_group else []) + ([0.31 * width, 0.2 * width, 0.23 * width] if with_group
                                                           else [0.45 * width, 0.2 * width, 0.35 * width])
        return grid(rows, widths)

    def table(t: FigureTable) -> list[Any]:
        n = max(1, len(t.columns))
        rows: list[list[Any]] = [[p(c, centred, hei) for c in t.columns]]
        for i, values in enumerate(t.rows):
            style = alert_body if i in t.alert_rows else body
            rows.append([p(_cell(v), style) for v in values])
        if not t.rows:
            rows.append([p(_("None."), body)] + [""] * (n - 1))
        return [p(t.title, h2, hei), grid(rows, _widths(t, width))]

    story: list[Any] = [
        p(report.title, title, hei), Spacer(0, 2 * mm),
        p(_("Period: {period}").format(period=report.period.text), centred), Spacer(0, 5 * mm),
        p(_("Summary"), h1, hei),
    ]
    summary = [(s.title, f) for s, f in report.summary()]
    story.append(figure_rows(summary) if summary else p(_("None."), body))
    if report.not_reporting:
        story.append(Spacer(0, 2 * mm))
        story.append(p(_("Not yet reporting: {groups}").format(groups="、".join(report.not_reporting)), small))
    for section in report.sections:
        story.append(p(section.title, h1, hei))
        story.append(figure_rows([(None, f) for f in section.figures]))
        for note in section.notes:
            story.append(p(note, body))
        for t in section.tables:
            if len(t.rows) < 15:
                story.append(KeepTogether(table(t)))
            else:
                story.extend(table(t))

    def decorate(canvas: Any, page: int, pages: int) -> None:
        canvas.setFont(song.name, SMALL)
        canvas.drawString(MARGIN, 10 * mm, song.check(made))
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, song.check(_("Page {n} of {total}").format(n=page, total=pages)))

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=MARGIN, title=report.title, author=report.made_by, creator="civaffairs",
                          initialFontName=song.name, initialFontSize=BODY)
    frame = Frame(MARGIN, MARGIN, width, A4[1] - 2 * MARGIN, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=numbered_canvas(decorate))
    return buf.getvalue()
