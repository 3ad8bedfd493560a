"""The "督查" tab: the supervision teams' registers on the generic views (teams with their members
and visits in the detail pane; visits with their checklist and corrections; corrections with their
follow-ups), the overdue corrections, issuing and cancelling report numbers, and printing the
inspection report and a team's summary.  Qt only here; everything else is the services'."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QPushButton, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.table_model import ROW_COLOURS, ROW_ROLE, Column, ListSource, PagedTableModel
from civaffairs.gui.widgets import heading, period_date_range
from civaffairs.numbering import service as numbering
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel
from civaffairs.reports.figures import Period, period_errors
from civaffairs.supervision import figures, service
from civaffairs.supervision.fields import CHECKLIST, CORRECTIONS, FOLLOW_UPS, TEAMS, VISITS
from civaffairs.supervision.targets import target_kind



def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    period_date_range(edit)  # the days the figures can be computed for
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _fill_checklist_after_save(ctx: AppContext, view: RegisterView) -> None:
    """A visit saved through the generic form gets the checklist of its kind of target (the
    service adds it only when the visit has none, so an edit adds nothing)."""
    def fill(row: records.Row | None) -> None:
        if row is not None and ctx.actor.can_write(VISITS.group):
            ctx.ops.write(lambda s: service.fill_checklist(s, ctx.actor, row.id), changed=[CHECKLIST.key], parent=view)
    view.sig_record_saved.connect(fill)


# ------------------------------------------------------------------ dialogs


class IssueDialog(QDialog):
    """Issue a visit's report under the next inspection number: the prefix, the date, and a
    preview of the number it will get."""

    def __init__(self, ctx: AppContext, visit_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.visit_id = ctx, visit_id
        self.issued: str | None = None
        self.setObjectName("issueDialog")
        self.setWindowTitle(_("Issue the inspection report"))
        self.prefix = QComboBox()
        self.prefix.setObjectName("prefix")
        self.prefix.setEditable(True)
        self.prefix.addItems(ctx.ops.read(lambda s: numbering.prefixes(s, service.INSPECTION)))
        self.day = _date_edit(today_local())
        self.day.setObjectName("reportDate")
        self.preview = QLabel()
        self.preview.setObjectName("numberPreview")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        form = QFormLayout()
        form.addRow(_("Number prefix"), self.prefix)
        form.addRow(_("Report date"), self.day)
        form.addRow(_("Report number"), self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Issue the report"))
        buttons.accepted.connect(self.issue)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("The number is given once and never reused; a cancelled number stays in the "
                                  "register with its reason.")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.prefix.currentTextChanged.connect(self.update_preview)
        self.day.dateChanged.connect(self.update_preview)
        self.update_preview()

    def update_preview(self, *_changed: object) -> None:
        prefix, year = self.prefix.currentText().strip(), _pydate(self.day).year
        try:
            text = self.ctx.ops.read(lambda s: numbering.peek(s, service.INSPECTION, numbering.check_prefix(prefix), year))
        except Exception as e:  # noqa: BLE001 - a bad prefix is said here, not raised
            text = getattr(e, "message", str(e))
        self.preview.setText(text)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def issue(self) -> None:
        ctx, visit_id, prefix, day = self.ctx, self.visit_id, self.prefix.currentText(), _pydate(self.day)
        number = ctx.ops.write(lambda s: service.issue_report(s, ctx.actor, visit_id, prefix, day),
                               changed=[VISITS.key], parent=self, form=self)
        if number is not None:
            self.issued = number
            self.accept()


class CancelNumberDialog(QDialog):
    def __init__(self, ctx: AppContext, visit_id: uuid.UUID, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.visit_id = ctx, visit_id
        self.setObjectName("cancelNumberDialog")
        self.setWindowTitle(_("Cancel the report number"))
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("e.g. wrong findings, report made again"))
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Cancel the number"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Close"))
        buttons.accepted.connect(self.cancel_number)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Cancel {number}? It stays in the number register with the reason and is never "
                                  "given again; the visit can then be corrected and issued under a new number.").format(
            number=number)))
        form = QFormLayout()
        form.addRow(_("Reason"), self.reason)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def cancel_number(self) -> None:
        ctx, visit_id, reason = self.ctx, self.visit_id, self.reason.text()
        if ctx.ops.write(lambda s: service.cancel_report_number(s, ctx.actor, visit_id, reason),
                         changed=[VISITS.key], parent=self, form=self) is not None:
            self.accept()


class PeriodDialog(QDialog):
    """The period of a team's summary."""

    def __init__(self, start: date, end: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("periodDialog")
        self.setWindowTitle(_("Summary of a period"))
        self.start, self.end = _date_edit(start), _date_edit(end)
        self.start.setObjectName("periodStart")
        self.end.setObjectName("periodEnd")
        self.message = QLabel()
        self.message.setObjectName("periodMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.setVisible(False)
        form = QFormLayout(self)
        form.addRow(_("First day of the period"), self.start)
        form.addRow(_("Last day of the period"), self.end)
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def problems(self) -> dict[str, str]:
        start, end = _pydate(self.start), _pydate(self.end)
        errors = period_errors(start, end, start_field="start", end_field="end")
        if end < start and not errors:
            errors["end"] = _("The period ends before it starts.")
        return errors

    def accept(self) -> None:
        """Closes only on a period the summary can be computed for; else says why, under the days."""
        errors = self.problems()
        if errors:
            self.message.setText("\n".join(dict.fromkeys(errors.values())))
            self.message.setVisible(True)
            return
        super().accept()

    def period(self) -> Period | None:
        start, end = _pydate(self.start), _pydate(self.end)
        return None if self.problems() else Period(start, end)


# ------------------------------------------------------------------ pages


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


class VisitsPage(QWidget):
    """The visits register (checklist and corrections below) and the report buttons."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("visitsPage")
        self.view = RegisterView(ctx, VISITS)
        _fill_checklist_after_save(ctx, self.view)
        writer = ctx.actor.can_write(VISITS.group)
        self.issue_button = _button(_("Issue report number…"), "issueButton",
                                    _("Finalise the selected visit's report and give it the next inspection number."))
        self.cancel_button = _button(_("Cancel report number…"), "cancelNumberButton",
                                     _("Cancel the number of the selected visit's report, with a reason."))
        self.print_button = _button(_("Print inspection report…"), "printReportButton",
                                    _("The inspection report of the selected visit, as it will be printed."))
        self.fill_button = _button(_("Fill checklist"), "fillChecklistButton",
                                   _("Add the checklist items of the visit's kind of target (only when it has none)."))
        self.issue_button.clicked.connect(self.issue)
        self.cancel_button.clicked.connect(self.cancel_number)
        self.print_button.clicked.connect(self.print_report)
        self.fill_button.clicked.connect(self.fill_checklist)
        bar = QHBoxLayout()
        for b in (self.issue_button, self.cancel_button, self.fill_button):
            b.setVisible(writer)
            bar.addWidget(b)
        bar.addWidget(self.print_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.view.sig_current_changed.connect(self.update_buttons)
        self.update_buttons()

    def current(self) -> records.Row | None:
        rows = self.view.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def update_buttons(self, *_current: object) -> None:
        row = self.current()
        issued = bool(row and row.values.get("report_number"))
        self.issue_button.setEnabled(row is not None and not issued)
        self.cancel_button.setEnabled(issued)
        self.print_button.setEnabled(row is not None)
        self.fill_button.setEnabled(row is not None and not issued)

    def issue(self) -> IssueDialog | None:
        row = self.current()
        if row is None:
            return None
        self.issue_dialog = IssueDialog(self.ctx, row.id, self)
        self.issue_dialog.open()
        return self.issue_dialog

    def cancel_number(self) -> CancelNumberDialog | None:
        row = self.current()
        if row is None or not row.values.get("report_number"):
            return None
        self.cancel_dialog = CancelNumberDialog(self.ctx, row.id, row.values["report_number"], self)
        self.cancel_dialog.open()
        return self.cancel_dialog

    def fill_checklist(self) -> None:
        row = self.current()
        if row is not None:
            ctx = self.ctx
            ctx.ops.write(lambda s: service.fill_checklist(s, ctx.actor, row.id), changed=[CHECKLIST.key], parent=self)

    def print_report(self) -> None:
        row = self.current()
        if row is None:
            return
        from civaffairs.gui.printing.preview import preview_in_background
        from civaffairs.supervision.reports import render_inspection_report

        ctx, visit_id = self.ctx, row.id
        name = row.values.get("report_number") or _("Inspection report")

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as s:
                report = service.inspection_report(s, ctx.actor, visit_id)
            return render_inspection_report(report)

        preview_in_background(ctx, name, render, suggested_name=f"{name}.pdf", parent=self)


class TeamsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("teamsPage")
        self.view = RegisterView(ctx, TEAMS)
        if VISITS.key in self.view.detail_views:
            _fill_checklist_after_save(ctx, self.view.detail_views[VISITS.key])
        self.summary_button = _button(_("Print team summary…"), "summaryButton",
                                      _("The selected team's visits, failed items and corrections in a period."))
        self.summary_button.clicked.connect(self.print_summary)
        bar = QHBoxLayout()
        bar.addWidget(self.summary_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.view.sig_current_changed.connect(self._on_current)
        self.summary_button.setEnabled(False)

    def _on_current(self, row: records.Row | None) -> None:
        self.summary_button.setEnabled(row is not None)

    def _period_chosen(self) -> None:
        period = self.period_dialog.period()
        if period is not None:
            self.print_summary(period)

    def print_summary(self, period: Period | None = None) -> None:
        rows = self.view.selected_rows()
        if len(rows) != 1:
            return
        team_id, team_name = rows[0].id, rows[0].values["name"]
        if period is None:
            today = today_local()
            dialog = PeriodDialog(today.replace(day=1), today, self)
            self.period_dialog = dialog
            dialog.accepted.connect(self._period_chosen)
            dialog.open()
            return
        from civaffairs.gui.printing.preview import preview_in_background
        from civaffairs.supervision.reports import render_team_summary

        ctx = self.ctx

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as s:
                summary = service.team_summary(s, ctx.actor, team_id, period)
            return render_team_summary(summary)

        title = _("{team}: summary of inspections").format(team=team_name)
        preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=self)


class OverdueView(QWidget):
    """Corrections still open after their deadline on a day (today by default), most overdue first."""

    def __init__(self, ctx: AppContext, corrections: RegisterView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.corrections = ctx, corrections
        self.setObjectName("overdueView")
        self.day = _date_edit(today_local())
        self.day.setObjectName("overdueDay")
        self.day.dateChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.open_button = _button(_("Open correction…"), "openCorrectionButton",
                                   _("Open the selected correction to add a follow-up or close it."))
        self.open_button.clicked.connect(self.open_selected)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Open after their deadline on")))
        top.addWidget(self.day)
        top.addWidget(self.summary, 1)
        top.addWidget(self.open_button)
        columns: list[Column[figures.OverdueCorrection]] = [
            Column("team", _("Supervision team"), lambda o: o.team, sortable=False, width_chars=10),
            Column("visit_day", _("Date of inspection"), lambda o: o.visit_day.isoformat(), sortable=False, width_chars=10),
            Column("target", _("Target"), lambda o: f"{target_kind(o.target_kind).title}：{o.target}", sortable=False,
                   width_chars=20),
            Column("requirement", _("What must be corrected"), lambda o: o.requirement, sortable=False, width_chars=30),
            Column("deadline", _("Correction deadline"), lambda o: o.deadline.isoformat(), sortable=False, width_chars=10),
            Column("responsible", _("Responsible person"), lambda o: o.responsible, sortable=False, width_chars=10),
            Column("days", _("Days overdue"), lambda o: str(o.days_overdue), sortable=False, align_right=True,
                   width_chars=6),
        ]
        self.model = PagedTableModel(ctx.ops.read, columns, ListSource(lambda s: figures.overdue_corrections(s, _pydate(self.day))))
        self.model.row_background = lambda _o: ROW_COLOURS[RowLevel.ALERT]
        self.table = QTableView()
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(QFontMetrics(self.font()).height() + 10)
        self.table.horizontalHeader().setStretchLastSection(True)
        char = QFontMetrics(self.font()).horizontalAdvance("中")
        for i, c in enumerate(columns):
            self.table.setColumnWidth(i, max(c.width_chars * char * 6 // 10 + 16,
                                             QFontMetrics(self.font()).horizontalAdvance(c.title) + 28))
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.open_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        ctx.ops.sig_changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, changed: frozenset[str]) -> None:
        if not changed or changed & {VISITS.key, CORRECTIONS.key, FOLLOW_UPS.key, TEAMS.key}:
            self.refresh()

    def refresh(self, *_changed: object) -> None:
        self.model.refresh()
        n = self.model.total_count()
        self.summary.setText(_("{n} corrections overdue.").format(n=n) if n else _("No correction is overdue."))

    def selected(self) -> figures.OverdueCorrection | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def open_selected(self, *_index: object) -> Any:
        item = self.selected()
        return self.corrections.open_form(item.id) if item is not None else None


class SupervisionTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("supervision")
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Supervision teams of the leading group"), "groupTitle"))
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.setDocumentMode(True)
        self.teams = TeamsPage(ctx)
        self.visits = VisitsPage(ctx)
        self.corrections = RegisterView(ctx, CORRECTIONS)
        self.overdue = OverdueView(ctx, self.corrections)
        self.register_views = {TEAMS.key: self.teams.view, VISITS.key: self.visits.view,
                               CORRECTIONS.key: self.corrections}
        self.pages.addTab(self.teams, TEAMS.name)
        self.pages.addTab(self.visits, VISITS.name)
        self.pages.addTab(self.corrections, CORRECTIONS.name)
        self.pages.addTab(self.overdue, _("Overdue corrections"))
        layout.addWidget(self.pages, 1)


def build_tab(ctx: AppContext) -> QWidget:
    return SupervisionTab(ctx)


def overview_lines(ctx: AppContext) -> list[str]:
    """Open and overdue corrections today, and the visits of this week (Monday to today)."""
    today = today_local()
    monday = today - timedelta(days=today.weekday())

    def read(s):  # type: ignore[no-untyped-def]
        return (figures.open_corrections(s, today), len(figures.overdue_corrections(s, today)),
                figures.visits_between(s, monday, today))

    open_n, overdue_n, visits = ctx.ops.read(read)
    return [_("Corrections: {open} open, {overdue} of them overdue.").format(open=open_n, overdue=overdue_n),
            _("Inspection visits this week: {n}.").format(n=visits)]
