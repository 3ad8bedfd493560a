"""Group 1's tab: the four registers and the "today" view of check-ins."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.groups.bureau_office import service
from civaffairs.groups.bureau_office.fields import CHECK_INS, GROUP, STAFF
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.widgets import period_date_range

ALERT = QColor("#f8d7da")  # fever or a code that is not green
MISSING = QColor("#fff3cd")  # no check-in yet


class TodayView(QWidget):
    """Who has not checked in today, and who needs attention (≥ 37.3 °C or a code not green)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("todayView")
        self.day = period_date_range(QDateEdit(QDate(today_local())))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(self.refresh)
        self.only_problems = QCheckBox(_("Only those not checked in or needing attention"))
        self.only_problems.setObjectName("onlyProblems")
        self.only_problems.toggled.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.check_in_button = QPushButton(_("Check in…"))
        self.check_in_button.setObjectName("checkInButton")
        self.check_in_button.setToolTip(_("Enter the check-in of the selected person for this day."))
        self.check_in_button.clicked.connect(self.check_in_selected)
        self.check_in_button.setVisible(ctx.actor.can_write(GROUP))

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Date")))
        top.addWidget(self.day)
        top.addWidget(self.only_problems)
        top.addStretch(1)
        top.addWidget(self.check_in_button)

        self.table = QTableWidget(0, 6)
        self.table.setObjectName("table")
        self.table.setHorizontalHeaderLabels([_("Name"), _("Department"), _("Status"), _("Morning °C"),
                                              _("Afternoon °C"), _("Health code")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.check_in_selected())

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        legend = QLabel(_("Yellow: not checked in yet.  Red: 37.3 °C or above, or a health code that is not green."))
        legend.setStyleSheet("color: #555;")
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.lines: list[service.TodayLine] = []
        ctx.ops.sig_changed.connect(lambda keys: self.refresh() if not keys or keys & {STAFF.key, CHECK_INS.key} else None)
        self.refresh()

    def selected_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def refresh(self) -> None:
        if not self.ctx.actor.can_read_sensitive(GROUP):
            self.summary.setText(_("Your role may not see the staff's health data."))
            self.table.setRowCount(0)
            return
        day = self.selected_day()
        lines = self.ctx.ops.read(lambda s: service.today(s, self.ctx.actor, day))
        missing = sum(1 for l in lines if not l.checked_in)
        alerts = sum(1 for l in lines if l.needs_attention)
        self.summary.setText(_("{total} staff: {done} checked in, {missing} not yet, {alerts} needing attention.").format(
            total=len(lines), done=len(lines) - missing, missing=missing, alerts=alerts))
        if self.only_problems.isChecked():
            lines = [l for l in lines if not l.checked_in or l.needs_attention]
        self.lines = lines
        code_title = CHECK_INS.field("health_code").choice_title
        self.table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            status = _("Needs attention") if line.needs_attention else _("Checked in") if line.checked_in else _("Not checked in")
            cells = [line.name, line.department, status,
                     "" if line.morning is None else str(line.morning),
                     "" if line.afternoon is None else str(line.afternoon),
                     code_title(line.health_code) if line.health_code else ""]
            colour = ALERT if line.needs_attention else MISSING if not line.checked_in else None
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                if c >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)

    def row_colour(self, row: int) -> QColor | None:
        brush = self.table.item(row, 0).background()
        return brush.color() if brush.style() != Qt.BrushStyle.NoBrush else None

    def check_in_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self.ctx.actor.can_write(GROUP):
            return
        line = self.lines[rows[0].row()]
        tab = self.parent()
        while tab is not None and not isinstance(tab, GroupTab):
            tab = tab.parent()
        if tab is None:
            return
        view = tab.register_views[CHECK_INS.key]
        if line.checked_in:
            view.open_form(line.check_in_id)
        else:
            view.open_form(initial={"staff_id": line.staff_id, "day": self.selected_day(), "health_code": "green"})


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    tab = GroupTab(ctx, group)
    tab.today_view = TodayView(ctx)  # type: ignore[attr-defined]
    tab.insert_page(0, tab.today_view, _("Today"))  # type: ignore[attr-defined]
    return tab


def overview_lines(ctx: AppContext) -> list[str]:
    """Today's check-ins, for the leading group's overview."""
    if not ctx.actor.can_read_sensitive(GROUP):
        return []
    day = today_local()
    lines = ctx.ops.read(lambda s: service.today(s, ctx.actor, day))
    if not lines:
        return []
    done = sum(1 for l in lines if l.checked_in)
    alerts = sum(1 for l in lines if l.needs_attention)
    return [_("Today: {done} of {total} staff checked in; {alerts} needing attention.").format(
        done=done, total=len(lines), alerts=alerts)]
