"""Group 3's tab: its registers, the "值守覆盖" view (the 24-hour duty coverage of every open
entrance on a chosen day, with its gaps) and the "一门开放" check (compounds with more than one
entrance open), and the paper: a compound's weekly duty roster and a duty point's blank entry sheet."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLayout, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.groups.community import figures
from civaffairs.groups.community.fields import COMPOUNDS, DUTY_POINTS, ENTRANCES, ROSTER
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.widgets import period_date_range
from civaffairs.reports.figures import Period

ALERT = QColor("#f8d7da")
WATCHED = frozenset({COMPOUNDS.key, ENTRANCES.key, DUTY_POINTS.key, ROSTER.key})


def _table(titles: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(titles))
    table.setObjectName("table")
    table.setHorizontalHeaderLabels(titles)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill_row(table: QTableWidget, r: int, cells: list[str], colour: QColor | None) -> None:
    for c, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if colour is not None:
            item.setBackground(QBrush(colour))
        table.setItem(r, c, item)


class CoverageView(QWidget):
    """Every open entrance on the chosen day: covered around the clock, or the hours with nobody
    on duty (a night shift of the day before counts until it ends)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("coverageView")
        self.day = period_date_range(QDateEdit(QDate(today_local())))
        self.day.setObjectName("day")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(self.refresh)
        self.only_gaps = QCheckBox(_("Only entrances with gaps"))
        self.only_gaps.setObjectName("onlyGaps")
        self.only_gaps.toggled.connect(self.refresh)
        self.print_button = QPushButton(_("Print the week's duty roster…"))
        self.print_button.setObjectName("printRosterButton")
        self.print_button.setToolTip(_("The duty roster of the selected compound for the week of the chosen day, "
                                       "to post at its duty points."))
        self.print_button.clicked.connect(self.print_roster)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Date")))
        top.addWidget(self.day)
        top.addWidget(self.only_gaps)
        top.addStretch(1)
        top.addWidget(self.print_button)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        legend = QLabel(_("Red: hours of the day with nobody on duty at an open entrance. A shift ending at or before "
                          "its start runs into the next day."))
        legend.setStyleSheet("color: #555;")
        legend.setWordWrap(True)
        self.table = _table([_("Village or community"), _("Compound"), _("Entrance"), _("Duty points"),
                             _("Not covered")])
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.lines: list[figures.EntranceCoverage] = []
        ctx.ops.sig_changed.connect(lambda keys: self.refresh() if not keys or keys & WATCHED else None)
        self.refresh()

    def selected_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def set_day(self, day: date) -> None:
        self.day.setDate(QDate(day.year, day.month, day.day))

    def refresh(self) -> None:
        day = self.selected_day()
        lines = self.ctx.ops.read(lambda s: figures.coverage(s, day))
        gaps = [line for line in lines if not line.covered]
        self.summary.setText(_("{day}: {total} open entrances, {covered} on duty around the clock, {gaps} with gaps.")
                             .format(day=long_date(day), total=len(lines), covered=len(lines) - len(gaps),
                                     gaps=len(gaps)))
        self.lines = gaps if self.only_gaps.isChecked() else lines
        self.table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            _fill_row(self.table, r, [line.community, line.compound, line.entrance, str(line.duty_points),
                                      line.gaps_text if line.gaps else _("On duty around the clock")],
                      None if line.covered else ALERT)
        self._update_buttons()

    def row_colour(self, row: int) -> QColor | None:
        brush = self.table.item(row, 0).background()
        return brush.color() if brush.style().value else None

    def _update_buttons(self) -> None:
        self.print_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def print_roster(self) -> None:
        from civaffairs.groups.community.reports import render_duty_roster, week_of
        from civaffairs.gui.printing.preview import preview_in_background

        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        line = self.lines[rows[0].row()]
        ctx, start, printed_at = self.ctx, week_of(self.selected_day()), now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return render_duty_roster(session, ctx.actor, line.compound_id, start, office_name=ctx.office_name,
                                          printed_by=ctx.actor.display_name, printed_at=printed_at,
                                          progress=progress.report)

        title = _("Duty roster of {compound}").format(compound=line.compound)
        preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=self)


class OneOpenView(QWidget):
    """Compounds with more than one entrance open: each should keep one open and close the rest."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("oneOpenView")
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        legend = QLabel(_("A compound keeps one entrance open and closes the rest."))
        legend.setStyleSheet("color: #555;")
        self.table = _table([_("Town or sub-district"), _("Village or community"), _("Compound"),
                             _("Open entrances")])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.breaches: list[figures.OneOpenBreach] = []
        ctx.ops.sig_changed.connect(lambda keys: self.refresh() if not keys or keys & WATCHED else None)
        self.refresh()

    def refresh(self) -> None:
        self.breaches = self.ctx.ops.read(figures.one_open_breaches)
        total = self.ctx.ops.read(lambda s: figures.totals(s).compounds)
        self.summary.setText(_("{n} of {total} compounds have more than one entrance open.").format(
            n=len(self.breaches), total=total) if self.breaches
            else _("Every compound keeps at most one entrance open ({total} compounds).").format(total=total))
        self.table.setRowCount(len(self.breaches))
        for r, b in enumerate(self.breaches):
            _fill_row(self.table, r, [b.town, b.community, b.compound, "、".join(b.open_entrances)], ALERT)


def _layout_holding(layout: QLayout, widget: QWidget) -> QLayout | None:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is widget:
            return layout
        if item.layout() is not None:
            found = _layout_holding(item.layout(), widget)
            if found is not None:
                return found
    return None


def add_entry_sheet_button(ctx: AppContext, view: RegisterView) -> QPushButton:
    """"Print blank entry sheet…" beside the duty points' print button: the sheet of the selected
    duty point, to fill in by hand at the gate."""
    button = QPushButton(_("Print blank entry sheet…"))
    button.setObjectName("printEntrySheetButton")
    button.setToolTip(_("A blank entry-registration sheet of the selected duty point, to fill in by hand."))

    def print_sheet() -> None:
        from civaffairs.groups.community.reports import render_entry_sheet
        from civaffairs.gui.printing.preview import preview_in_background

        rows = view.selected_rows()
        if not rows:
            return
        point_id, printed_at = rows[0].id, now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return render_entry_sheet(session, ctx.actor, point_id, office_name=ctx.office_name,
                                          printed_at=printed_at)

        title = _("Entry registration sheet")
        preview_in_background(ctx, title, render, suggested_name=f"{title} {rows[0].values['name']}.pdf", parent=view)

    button.clicked.connect(print_sheet)
    holder = _layout_holding(view.layout(), view.print_button)
    if holder is not None:
        holder.insertWidget(holder.indexOf(view.print_button), button)
    else:  # the view's layout changed: keep the button reachable under the list
        view.layout().addWidget(button)
    return button


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    tab = GroupTab(ctx, group)
    tab.coverage_view = CoverageView(ctx)  # type: ignore[attr-defined]
    tab.one_open_view = OneOpenView(ctx)  # type: ignore[attr-defined]
    tab.insert_page(0, tab.coverage_view, _("Duty coverage"))  # type: ignore[attr-defined]
    tab.insert_page(1, tab.one_open_view, _("One entrance open"))  # type: ignore[attr-defined]
    if DUTY_POINTS.key in tab.register_views:
        tab.entry_sheet_button = add_entry_sheet_button(ctx, tab.register_views[DUTY_POINTS.key])  # type: ignore[attr-defined]
    return tab


def overview_lines(ctx: AppContext) -> list[str]:
    """Today's state of the compounds, for the leading group's overview."""
    day = today_local()

    def read(s):  # type: ignore[no-untyped-def]
        t = figures.totals(s)
        return t, figures.one_open_breaches(s), figures.coverage_gaps(s, day), figures.entry_counts(s, Period(day, day))

    totals, breaches, gaps, entries = ctx.ops.read(read)
    if not totals.compounds:
        return []
    lines = [_("{compounds} compounds, {points} duty points, {open} entrances open and {closed} closed.").format(
        compounds=totals.compounds, points=totals.duty_points, open=totals.entrances_open,
        closed=totals.entrances_closed)]
    if breaches:
        lines.append(_("More than one entrance open: {names}.").format(names="、".join(b.compound for b in breaches)))
    if gaps:
        lines.append(_("Today {n} open entrances lack 24-hour duty: {where}.").format(
            n=len(gaps), where="、".join(f"{g.compound}{g.entrance} {g.gaps_text}" for g in gaps[:5])))
    lines.append(_("Today's entry registrations: {total} ({in_} in, {out} out), {abnormal} abnormal.").format(
        total=entries.total, in_=entries.coming_in, out=entries.going_out, abnormal=entries.abnormal))
    return lines
