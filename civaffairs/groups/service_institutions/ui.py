"""Group 2's tab: the registers (institutions with their residents, rounds, checks… in the detail
pane), plus "not reported today", "status on a date", and on the institutions page the
closed-management notice and the blank daily checklist."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLayout, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.groups.service_institutions import figures as G
from civaffairs.groups.service_institutions import service
from civaffairs.groups.service_institutions.fields import (
    CLOSED, COVER_TARGET_DAYS, DAILY_CHECKS, GROUP, INSTITUTIONS, STATUS_PERIODS, STATUSES,
)
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.widgets import period_date_range
from civaffairs.notices import service as notices
from civaffairs.reports.figures import Period

OUTBREAK_START = date(2021, 10, 1)  # the overview counts the NAT rounds since the outbreak began
MISSING = QColor("#fff3cd")  # not reported: the same yellow as a warning row
STATUS_COLOURS = {c.code: c.colour for c in STATUSES}


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    period_date_range(edit)  # the days the figures can be computed for
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _day(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName("table")
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, lines: list[G.InstitutionLine], background: QColor | None = None) -> None:
    table.setRowCount(len(lines))
    for r, line in enumerate(lines):
        for c, text in enumerate((line.name, line.kind_title, line.status_title)):
            item = QTableWidgetItem(text)
            if background is not None:
                item.setBackground(QBrush(background))
            if c == 2 and STATUS_COLOURS.get(line.status):
                item.setForeground(QBrush(QColor(STATUS_COLOURS[line.status])))
            table.setItem(r, c, item)


def _group_tab(widget: QWidget) -> GroupTab | None:
    parent = widget.parent()
    while parent is not None and not isinstance(parent, GroupTab):
        parent = parent.parent()
    return parent


class NotReportedView(QWidget):
    """The institutions under prevention measures whose daily check of a day is missing."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("notReportedView")
        self.day = _date_edit(today_local())
        self.day.setObjectName("day")
        self.day.dateChanged.connect(self.refresh)
        self.report_button = QPushButton(_("Enter its check…"))
        self.report_button.setObjectName("reportButton")
        self.report_button.setToolTip(_("Enter the daily prevention check of the selected institution for this day."))
        self.report_button.clicked.connect(self.enter_check)
        self.report_button.setVisible(ctx.actor.can_write(GROUP))
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Date")))
        top.addWidget(self.day)
        top.addStretch(1)
        top.addWidget(self.report_button)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        legend = QLabel(_("Institutions under closed management or with services or registration suspended "
                          "report their prevention check every day."))
        legend.setStyleSheet("color: #555;")
        legend.setWordWrap(True)
        self.table = _table([_("Institution"), _("Kind"), _("Status that day")])
        self.table.doubleClicked.connect(lambda _i: self.enter_check())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.lines: list[G.InstitutionLine] = []
        keys = {INSTITUTIONS.key, STATUS_PERIODS.key, DAILY_CHECKS.key}
        ctx.ops.sig_changed.connect(lambda changed: self.refresh() if not changed or changed & keys else None)
        self.refresh()

    def refresh(self) -> None:
        day = _day(self.day)
        due, missing = self.ctx.ops.read(lambda s: (G.must_report(s, day), G.not_reported(s, day)))
        self.lines = missing
        if not due:
            self.summary.setText(_("No institution had to report on {day}.").format(day=long_date(day)))
        else:
            self.summary.setText(_("{day}: {done} of {due} institutions have reported; {missing} not yet.").format(
                day=long_date(day), done=len(due) - len(missing), due=len(due), missing=len(missing)))
        _fill(self.table, missing, MISSING)

    def enter_check(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        tab = _group_tab(self)
        if not rows or tab is None or not self.ctx.actor.can_write(GROUP):
            return
        line = self.lines[rows[0].row()]
        view = tab.register_views[DAILY_CHECKS.key]
        view.open_form(initial={"institution_id": line.id, "day": _day(self.day), "temperature_checks": True,
                                "masks": True, "ventilation": True, "disinfection": True, "no_gatherings": True,
                                "visitors_refused": True})


class StatusOnDateView(QWidget):
    """状态查询: each institution's status on a chosen date, from the status periods."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("statusOnDateView")
        self.day = _date_edit(today_local())
        self.day.setObjectName("day")
        self.day.dateChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Status of every institution on")))
        top.addWidget(self.day)
        top.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.table = _table([_("Institution"), _("Kind"), _("Status")])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.lines: list[G.InstitutionLine] = []
        keys = {INSTITUTIONS.key, STATUS_PERIODS.key}
        ctx.ops.sig_changed.connect(lambda changed: self.refresh() if not changed or changed & keys else None)
        self.refresh()

    def set_day(self, day: date) -> None:
        self.day.setDate(QDate(day.year, day.month, day.day))

    def refresh(self) -> None:
        day = _day(self.day)
        self.lines = self.ctx.ops.read(lambda s: G.statuses_on(s, day))
        counts = {c.code: sum(1 for l in self.lines if l.status == c.code) for c in STATUSES}
        parts = [f"{c.title} {counts[c.code]}" for c in STATUSES if counts[c.code]]
        self.summary.setText(_("{day}: {parts}.").format(day=long_date(day), parts="，".join(parts) or "—"))
        _fill(self.table, self.lines)


# ------------------------------------------------------------------ the institutions page's extras


def _actions_row(view: RegisterView) -> QLayout | None:
    """The row of the register view that holds its buttons (found by its print button)."""
    layout = view.layout()
    for i in range(layout.count()):
        row = layout.itemAt(i).layout()
        if row is not None and row.indexOf(view.print_button) >= 0:
            return row
    return None


class InstitutionPaper:
    """The closed-management notice and the blank daily checklist of the selected institution."""

    def __init__(self, ctx: AppContext, tab: GroupTab, view: RegisterView) -> None:
        self.ctx, self.tab, self.view = ctx, tab, view
        self.notice_button = QPushButton(_("Closed-management notice…"))
        self.notice_button.setObjectName("closedNoticeButton")
        self.notice_button.setToolTip(_("Draft the closed-management notice of the selected institution; it opens "
                                        "in this group's notices."))
        self.notice_button.clicked.connect(self.draft_notice)
        self.notice_button.setVisible(notices.can_draft(ctx.actor, GROUP))
        self.checklist_button = QPushButton(_("Print blank checklist…"))
        self.checklist_button.setObjectName("blankChecklistButton")
        self.checklist_button.setToolTip(_("The daily prevention checklist of the selected institution, to fill in "
                                           "by hand, one line a day."))
        self.checklist_button.clicked.connect(self.print_checklist)
        row = _actions_row(view)
        if row is None:  # a different layout of the shared view: a row of our own below it
            row = QHBoxLayout()
            view.layout().insertLayout(2, row)
        at = row.indexOf(view.print_button)
        row.insertWidget(max(at, 0), self.notice_button)
        row.insertWidget(max(at, 0) + 1, self.checklist_button)
        view.table.selectionModel().selectionChanged.connect(lambda *_a: self.update_buttons())
        view.model.modelReset.connect(self.update_buttons)
        self.update_buttons()

    def selected(self):  # type: ignore[no-untyped-def]
        rows = self.view.selected_rows()
        return rows[0] if len(rows) == 1 and not self.view.trash.isChecked() else None

    def update_buttons(self) -> None:
        one = self.selected() is not None
        self.notice_button.setEnabled(one)
        self.checklist_button.setEnabled(one)

    def draft_notice(self):  # type: ignore[no-untyped-def]
        row = self.selected()
        if row is None:
            return None
        ctx = self.ctx
        notice_id = ctx.ops.write(lambda s: service.closed_management_notice(s, ctx.actor, row.id),
                                  changed=[notices.REGISTER], parent=self.view)
        if notice_id is None:
            return None
        self.tab.pages.setCurrentWidget(self.tab.notices)
        self.tab.notices.refresh()
        self.tab.notices.select_notice(notice_id)
        return self.tab.notices.open_editor(notice_id)

    def print_checklist(self):  # type: ignore[no-untyped-def]
        from civaffairs.gui.printing.preview import preview_in_background
        from civaffairs.printing.blank_form import render_blank_form

        row = self.selected()
        if row is None:
            return None
        name = row.values["name"]
        title = _("Daily prevention checklist")
        office, printed_at = self.ctx.office_name, now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            # One sheet per institution, a line a day: the clerk types it in later with fast entry.
            return render_blank_form(DAILY_CHECKS, office_name=office, title=title, header_fields=("institution_id",),
                                     fixed={"institution_id": name}, exclude=("notes",), printed_at=printed_at)

        return preview_in_background(self.ctx, f"{name} {title}", render, suggested_name=f"{name}{title}.pdf",
                                     parent=self.view)


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    tab = GroupTab(ctx, group)
    tab.not_reported = NotReportedView(ctx)  # type: ignore[attr-defined]
    tab.status_on_date = StatusOnDateView(ctx)  # type: ignore[attr-defined]
    tab.insert_page(1, tab.not_reported, _("Not reported today"))  # type: ignore[attr-defined]
    tab.insert_page(2, tab.status_on_date, _("Status on a date"))  # type: ignore[attr-defined]
    tab.institution_paper = InstitutionPaper(ctx, tab, tab.register_views[INSTITUTIONS.key])  # type: ignore[attr-defined]
    return tab


def overview_lines(ctx: AppContext) -> list[str]:
    """Today's state of the service institutions, for the leading group's overview."""
    today = today_local()
    so_far = Period(min(OUTBREAK_START, today), today)

    def read(s):  # type: ignore[no-untyped-def]
        return (G.with_status(s, CLOSED, today), G.rounds_in(s, so_far), G.positives(s, so_far),
                G.not_reported(s, today), G.reserves_below_target(s, today), G.postponed_not_told(s))

    closed, rounds, positive, missing, below, not_told = ctx.ops.read(read)
    lines = []
    if closed:
        lines.append(_("Under closed management today: {n} institutions ({names}).").format(
            n=len(closed), names="、".join(l.name for l in closed)))
    if positive:
        lines.append(_("POSITIVE NAT results: {list}.").format(list=G.positives_text(positive)))
    if rounds:
        complete = all(r.completion.all_negative for r in rounds)
        days, places = len({r.day for r in rounds}), len({r.institution_id for r in rounds})
        lines.append((_("NAT of residents: {n} rounds at {k} institutions, all negative.") if complete else
                      _("NAT of residents: {n} rounds at {k} institutions; not every resident has a negative "
                        "result yet.")).format(n=days, k=places))
    if missing:
        names = "、".join(l.name for l in missing[:4]) + ("等" if len(missing) > 4 else "")
        lines.append(_("Daily check not reported today: {n} institutions ({names}).").format(n=len(missing),
                                                                                           names=names))
    if below:
        lines.append(_("Reserves below {days} days: {list}.").format(days=COVER_TARGET_DAYS, list="；".join(
            _("{institution} {item}: {days} days").format(institution=r.institution, item=r.item, days=r.days)
            for r in below)))
    if not_told:
        lines.append(_("Postponed marriage registrations not yet told of a new date: {n}.").format(n=len(not_told)))
    return lines
