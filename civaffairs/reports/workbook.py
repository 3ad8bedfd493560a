"""The statistics report as an Excel workbook (openpyxl): a summary sheet and one sheet per
section, Chinese headings, real numbers with number formats (never numbers as text), the period and
the office's name in the title, and the time it was made."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from civaffairs.core.clock import to_local
from civaffairs.core.i18n import _
from civaffairs.reports.figures import Chart, Figure, FigureTable, Unit, unit_word
from civaffairs.reports.statistics import StatisticsReport

COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "#,##0.0"
DATE_FORMAT = "yyyy-mm-dd"
ALERT_COLOUR = "C0392B"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _number_format(unit: Unit, value: Any) -> str | None:
    if unit is Unit.YUAN:
        return MONEY_FORMAT
    if unit is Unit.PERCENT:
        return PERCENT_FORMAT
    if isinstance(value, int):
        return COUNT_FORMAT
    if isinstance(value, Decimal):
        return DECIMAL_FORMAT
    return None


def _cell_value(value: Any) -> Any:
    """Decimals become floats only here, at the workbook's edge (Excel has no decimals); a text that
    a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def sheet_title(text: str, used: set[str]) -> str:
    title = _SHEET_FORBIDDEN.sub("", text)[:28] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:26]}{n}"
        n += 1
    used.add(title)
    return title


CHART_ROWS = 18  # rows a chart covers (its height of 7.5 cm at the default row height)
CHART_DAY_FORMAT = 'm"月"d"日"'


def charts_sheet(wb: Any, charts: list[Chart], used: set[str], heading: Any, header_row: Any) -> Any:
    """One sheet with the report's charts (assistance paid per town, donations per day, NAT rounds
    per institution…): each chart's figures as a small table of real values (dates as dates, money
    as numbers) and, beside it, an openpyxl chart drawn from those cells."""
    from openpyxl.chart import BarChart, Reference

    if all(chart.empty for chart in charts):
        return None  # nothing to draw for this period: no sheet of empty frames
    ws = wb.create_sheet(sheet_title(_("Charts"), used))
    row = heading(ws, 1, _("Charts"), 3)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 16
    ws.page_setup.orientation = "landscape"  # a table and its chart side by side on paper
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    for chart in charts:
        ws.cell(row=row, column=1, value=chart.title).font = _bold()
        row += 1
        names = [s.name for s in chart.series]
        header_row(ws, row, [_("Date") if chart.by_day else chart.category or _("Item"), *names])
        first = row + 1
        points = chart.series[0].points if chart.series else ()
        for i, p in enumerate(points):
            x = ws.cell(row=first + i, column=1, value=p.x)
            if chart.by_day:
                x.number_format = DATE_FORMAT
            for c, s in enumerate(chart.series, start=2):
                cell = ws.cell(row=first + i, column=c, value=_cell_value(s.points[i].value))
                cell.number_format = MONEY_FORMAT if chart.unit is Unit.YUAN else (
                    DECIMAL_FORMAT if chart.unit is Unit.HOURS else COUNT_FORMAT)
        last = first + len(points) - 1
        if chart.empty:
            ws.cell(row=first + len(points), column=1, value=_("None in this period."))
            row = first + len(points) + 2
            continue
        bar = BarChart()
        bar.type = "col"
        bar.title = chart.title
        bar.y_axis.title = unit_word(chart.unit) or None
        bar.x_axis.title = _("Date") if chart.by_day else None
        bar.height, bar.width = 7.5, 24 if chart.by_day else 18
        bar.y_axis.number_format = "#,##0"
        bar.legend = None if len(names) == 1 else bar.legend
        bar.add_data(Reference(ws, min_col=2, max_col=1 + len(names), min_row=row, max_row=last),
                     titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        if chart.by_day:
            bar.x_axis.number_format = CHART_DAY_FORMAT
        bar.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told
        bar.y_axis.delete = False
        ws.add_chart(bar, f"E{row - 1}")
        row = max(last, row - 1 + CHART_ROWS) + 3
    return ws


def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)


def write_workbook(report: StatisticsReport, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    alert_font = Font(color=ALERT_COLOUR, bold=True)
    header_fill = PatternFill("solid", fgColor="E0E0E0")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    made = _("Made on {time} by {name}").format(time=to_local(report.made_at).strftime("%Y-%m-%d %H:%M"),
                                                 name=report.made_by)
    period = _("Period: {period}").format(period=report.period.text)

    wb = Workbook()
    used: set[str] = set()

    def heading(ws: Any, row: int, title: str, columns: int) -> int:
        ws.cell(row=row, column=1, value=title).font = title_font
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(columns, 1))
        ws.cell(row=row + 1, column=1, value=period)
        ws.cell(row=row + 2, column=1, value=made)
        return row + 4

    def header_row(ws: Any, row: int, titles: list[str]) -> None:
        for c, t in enumerate(titles, start=1):
            cell = ws.cell(row=row, column=c, value=t)
            cell.font, cell.fill, cell.border = bold, header_fill, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def figure_row(ws: Any, row: int, f: Figure, first: list[Any]) -> None:
        values = [*first, f.label, _cell_value(f.value), unit_word(f.unit), f.note]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=c, value=v)
            cell.border = border
            if c == len(first) + 2:
                fmt = _number_format(f.unit, f.value)
                if fmt:
                    cell.number_format = fmt
                if f.alert:
                    cell.font = alert_font
            cell.alignment = Alignment(vertical="center", wrap_text=c != len(first) + 2)

    def table(ws: Any, row: int, t: FigureTable) -> int:
        ws.cell(row=row, column=1, value=t.title).font = bold
        row += 1
        header_row(ws, row, list(t.columns))
        row += 1
        for i, values in enumerate(t.rows):
            for c, v in enumerate(values, start=1):
                cell = ws.cell(row=row, column=c, value=_cell_value(v))
                cell.border = border
                if isinstance(v, bool):
                    cell.value = _("Yes") if v else _("No")
                elif isinstance(v, int):
                    cell.number_format = COUNT_FORMAT
                elif isinstance(v, Decimal):
                    cell.number_format = MONEY_FORMAT if v == v.quantize(Decimal("0.01")) and v.as_tuple().exponent == -2 else DECIMAL_FORMAT
                elif isinstance(v, (date, datetime)):
                    cell.number_format = DATE_FORMAT
                if i in t.alert_rows:
                    cell.font = Font(color=ALERT_COLOUR)
            row += 1
        if not t.rows:
            ws.cell(row=row, column=1, value=_("None."))
            row += 1
        return row + 1

    # -- summary
    ws = wb.active
    ws.title = sheet_title(_("Summary"), used)
    row = heading(ws, 1, report.title, 5)
    header_row(ws, row, [_("Working group"), _("Statistic"), _("Value"), _("Unit"), _("Note")])
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    row += 1
    for section, f in report.summary():
        figure_row(ws, row, f, [section.title])
        row += 1
    if report.not_reporting:
        row += 1
        ws.cell(row=row, column=1, value=_("Not yet reporting: {groups}").format(groups="、".join(report.not_reporting)))
    for col, width in zip("ABCDE", (26, 40, 16, 8, 40)):
        ws.column_dimensions[col].width = width

    # -- one sheet per section
    for section in report.sections:
        ws = wb.create_sheet(sheet_title(section.title, used))
        widest = max([4] + [len(t.columns) for t in section.tables])
        row = heading(ws, 1, f"{report.office_name} {section.title}", widest)
        header_row(ws, row, [_("Statistic"), _("Value"), _("Unit"), _("Note")])
        ws.freeze_panes = ws.cell(row=row + 1, column=1)
        row += 1
        for f in section.figures:
            figure_row(ws, row, f, [])
            row += 1
        for note in section.notes:
            row += 1
            ws.cell(row=row, column=1, value=note)
        row += 2
        for t in section.tables:
            row = table(ws, row, t)
        widths = [40, 16, 8, 40] + [14] * max(0, widest - 4)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(width, 14)
    charts_sheet(wb, [c for s in report.sections for c in s.charts], used, heading, header_row)
    wb.properties.title = report.title
    wb.properties.creator = "civaffairs"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
