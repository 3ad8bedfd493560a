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
from civaffairs.reports.figures import Figure, FigureTable, Unit, unit_word
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
    wb.properties.title = report.title
    wb.properties.creator = "civaffairs"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
