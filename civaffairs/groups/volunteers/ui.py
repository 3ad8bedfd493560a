"""Group 7's tab: the registers (volunteers with their certificates, activities with their shifts
in the detail pane, all shifts, all certificates), the service hours of a period per volunteer
and per activity, and the volunteer service certificate: drafted in the generic form, issued
under its number, printed; its number cancelled with a reason.  Qt only here; everything else is
the services' and the figures'."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QLayout, QLineEdit, QPushButton, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.groups.volunteers import figures, service
from civaffairs.groups.volunteers.fields import (
    ACTIVITIES, CERTIFICATES, FORGOTTEN_HOURS, SHIFTS, VOLUNTEERS, moment_text,
)
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.table_model import ROW_ROLE, Column, ListSource, PagedTableModel
from civaffairs.gui.widgets import period_date_range
from civaffairs.numbering import service as numbering
from civaffairs.records import service as records
from civaffairs.reports.figures import Period

KEYS = frozenset({VOLUNTEERS.key, ACTIVITIES.key, SHIFTS.key, CERTIFICATES.key})


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def _date_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    period_date_range(edit)  # the days the figures can be computed for
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def _actions_row(view: RegisterView) -> QLayout:
    """The row of a register view that holds its buttons (found by its print button); our
    buttons go before "Print list…"."""
    layout = view.layout()
    for i in range(layout.count()):
        row = layout.itemAt(i).layout()
        if row is not None and row.indexOf(view.print_button) >= 0:
            return row
    row = QHBoxLayout()  # a different layout of the shared view: a row of our own below it
    layout.insertLayout(2, row)
    return row


def _add_buttons(view: RegisterView, buttons: list[QPushButton]) -> None:
    row = _actions_row(view)
    at = max(row.indexOf(view.print_button), 0)
    for i, button in enumerate(buttons):
        row.insertWidget(at + i, button)


# ------------------------------------------------------------------ printing


def print_certificate(ctx: AppContext, certificate_id: uuid.UUID, title: str, parent: QWidget) -> Any:
    """The certificate as it will print, in the preview (rendered off the GUI thread)."""
    from civaffairs.groups.volunteers.reports import render_certificate
    from civaffairs.gui.printing.preview import preview_in_background

    def render(progress):  # type: ignore[no-untyped-def]
        with ctx.db.snapshot() as s:
            document = service.certificate_document(s, ctx.actor, certificate_id)
        return render_certificate(document)

    return preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=parent)


# ------------------------------------------------------------------ dialogs


class IssueDialog(QDialog):
    """Issue a drafted certificate: what it will certify (the hours the shifts give now), the
    number prefix and a preview of the number it will get."""

    def __init__(self, ctx: AppContext, certificate_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.certificate_id = ctx, certificate_id
        self.issued: str | None = None
        self.setObjectName("issueCertificateDialog")
        self.setWindowTitle(_("Issue the service certificate"))
        document = ctx.ops.read(lambda s: service.certificate_document(s, ctx.actor, certificate_id))
        self.year = document.issue_date.year  # numbers run per year of issue
        self.prefix = QComboBox()
        self.prefix.setObjectName("prefix")
        self.prefix.setEditable(True)
        self.prefix.addItems(ctx.ops.read(lambda s: numbering.prefixes(s, service.CERTIFICATE)))
        self.hours = QLabel(_("{hours} hours").format(hours=document.hours_text))
        self.hours.setObjectName("hours")
        self.preview = QLabel()
        self.preview.setObjectName("numberPreview")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        form = QFormLayout()
        form.addRow(_("Volunteer"), QLabel(document.name))
        form.addRow(_("Service period"), QLabel(document.period.text))
        form.addRow(_("Service time"), self.hours)
        content = QLabel(document.content)
        content.setObjectName("content")
        content.setWordWrap(True)
        form.addRow(_("Service content"), content)
        form.addRow(_("Date of issue"), QLabel(long_date(document.issue_date)))
        form.addRow(_("Number prefix"), self.prefix)
        form.addRow(_("Certificate number"), self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Issue and print"))
        buttons.accepted.connect(self.issue)
        buttons.rejected.connect(self.reject)
        note = QLabel(_("The hours are written into the certificate with its number, which is given once and never "
                        "reused; a draft that is not issued stays in the list of certificates."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.prefix.currentTextChanged.connect(self.update_preview)
        self.update_preview()
        self.resize(520, self.sizeHint().height())

    def update_preview(self, *_changed: object) -> None:
        prefix = self.prefix.currentText().strip()
        try:
            text = self.ctx.ops.read(lambda s: numbering.peek(s, service.CERTIFICATE, numbering.check_prefix(prefix),
                                                              self.year))
        except Exception as e:  # noqa: BLE001 - a bad prefix is said here, not raised
            text = getattr(e, "message", str(e))
        self.preview.setText(text)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def issue(self) -> None:
        ctx, certificate_id, prefix = self.ctx, self.certificate_id, self.prefix.currentText()
        number = ctx.ops.write(lambda s: service.issue_certificate(s, ctx.actor, certificate_id, prefix),
                               changed=[CERTIFICATES.key], parent=self, form=self)
        if number is not None:
            self.issued = number
            self.accept()


class CancelNumberDialog(QDialog):
    def __init__(self, ctx: AppContext, certificate_id: uuid.UUID, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.certificate_id = ctx, certificate_id
        self.setObjectName("cancelCertificateNumberDialog")
        self.setWindowTitle(_("Cancel the certificate number"))
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("e.g. wrong period, certificate made again"))
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Cancel the number"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Close"))
        buttons.accepted.connect(self.cancel_number)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        text = QLabel(_("Cancel {number}? It stays in the number register with the reason and is never given again; "
                        "the certificate becomes a draft that can be corrected and issued under a new number.").format(
            number=number))
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        form = QFormLayout()
        form.addRow(_("Reason"), self.reason)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def cancel_number(self) -> None:
        ctx, certificate_id, reason = self.ctx, self.certificate_id, self.reason.text()
        if ctx.ops.write(lambda s: service.cancel_certificate_number(s, ctx.actor, certificate_id, reason),
                         changed=[CERTIFICATES.key], parent=self, form=self) is not None:
            self.accept()


# ------------------------------------------------------------------ the certificate, start to end


class CertificateFlow:
    """A new certificate for a volunteer: the generic form (filled with the usual values, the
    volunteer fixed), then the issue dialog, then the print preview.  `parent` receives the
    preview as `last_preview` (as every print does)."""

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        self.ctx, self.parent = ctx, parent
        self.form: RecordForm | None = None
        self.issue_dialog: IssueDialog | None = None

    def start(self, volunteer_id: uuid.UUID, period: Period | None = None) -> RecordForm | None:
        ctx = self.ctx
        if not service.can_write(ctx.actor):
            return None
        initial = ctx.ops.read(lambda s: service.new_certificate_values(s, ctx.actor, volunteer_id))
        initial["organisation"] = initial["organisation"] or ctx.office_name
        if period is not None:  # from the hours view: its period (issued today, after the period ends)
            initial.update(period_start=period.start, period_end=period.end)
        form = RecordForm(ctx, CERTIFICATES, None, self.parent, initial, fixed={"volunteer_id"})
        form.sig_saved.connect(lambda row: self.issue(row.id) if row is not None else None)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        self.form = form
        return form

    def issue(self, certificate_id: uuid.UUID) -> IssueDialog:
        dialog = IssueDialog(self.ctx, certificate_id, self.parent)
        dialog.accepted.connect(lambda: self.print(certificate_id, dialog.issued or ""))
        self.issue_dialog = dialog
        dialog.open()
        return dialog

    def print(self, certificate_id: uuid.UUID, number: str) -> Any:
        return print_certificate(self.ctx, certificate_id, number or _("Volunteer service certificate"), self.parent)


class CertificateButtons:
    """Issue, cancel and print on a certificates view (its page, and the detail pane of a volunteer)."""

    def __init__(self, ctx: AppContext, view: RegisterView) -> None:
        self.ctx, self.view = ctx, view
        self.flow = CertificateFlow(ctx, view)
        writer = service.can_write(ctx.actor)
        self.issue_button = _button(_("Issue certificate…"), "issueCertificateButton",
                                    _("Give the selected draft certificate its number and print it."))
        self.cancel_button = _button(_("Cancel number…"), "cancelCertificateNumberButton",
                                     _("Cancel the number of the selected certificate, with a reason."))
        self.print_button = _button(_("Print certificate…"), "printCertificateButton",
                                    _("The selected certificate as it will be printed."))
        self.issue_button.clicked.connect(self.issue)
        self.cancel_button.clicked.connect(self.cancel_number)
        self.print_button.clicked.connect(self.print_selected)
        self.issue_button.setVisible(writer)
        self.cancel_button.setVisible(writer)
        _add_buttons(view, [self.issue_button, self.cancel_button, self.print_button])
        view.sig_current_changed.connect(lambda *_a: self.update_buttons())
        view.model.modelReset.connect(self.update_buttons)
        self.update_buttons()

    def selected(self) -> records.Row | None:
        rows = self.view.selected_rows()
        return rows[0] if len(rows) == 1 and not self.view.trash.isChecked() else None

    def update_buttons(self) -> None:
        row = self.selected()
        issued = bool(row and row.values.get("number"))
        self.issue_button.setEnabled(row is not None and not issued)
        self.cancel_button.setEnabled(issued)
        self.print_button.setEnabled(row is not None)

    def issue(self) -> IssueDialog | None:
        row = self.selected()
        if row is None or row.values.get("number"):
            return None
        return self.flow.issue(row.id)

    def cancel_number(self) -> CancelNumberDialog | None:
        row = self.selected()
        if row is None or not row.values.get("number"):
            return None
        self.cancel_dialog = CancelNumberDialog(self.ctx, row.id, row.values["number"], self.view)
        self.cancel_dialog.open()
        return self.cancel_dialog

    def print_selected(self) -> Any:
        row = self.selected()
        if row is None:
            return None
        return self.flow.print(row.id, row.values.get("number") or "")


class VolunteerButtons:
    """On the volunteers page: a new service certificate for the selected volunteer."""

    def __init__(self, ctx: AppContext, view: RegisterView) -> None:
        self.ctx, self.view = ctx, view
        self.flow = CertificateFlow(ctx, view)
        self.certificate_button = _button(_("Service certificate…"), "certificateButton",
                                          _("Draft, issue and print a service certificate (志愿服务记录证明) of the "
                                            "selected volunteer."))
        self.certificate_button.clicked.connect(self.new_certificate)
        self.certificate_button.setVisible(service.can_write(ctx.actor))
        _add_buttons(view, [self.certificate_button])
        view.sig_current_changed.connect(lambda *_a: self.update_buttons())
        view.model.modelReset.connect(self.update_buttons)
        self.update_buttons()

    def selected(self) -> records.Row | None:
        rows = self.view.selected_rows()
        return rows[0] if len(rows) == 1 and not self.view.trash.isChecked() else None

    def update_buttons(self) -> None:
        self.certificate_button.setEnabled(self.selected() is not None)

    def new_certificate(self) -> RecordForm | None:
        row = self.selected()
        return self.flow.start(row.id) if row is not None else None


# ------------------------------------------------------------------ hours of a period


def _table(columns: list[Column[Any]], model: PagedTableModel[Any], stretch: int) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    metrics = QFontMetrics(table.font())
    table.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
    char = metrics.horizontalAdvance("中")
    for i, c in enumerate(columns):
        table.setColumnWidth(i, max(c.width_chars * char * 6 // 10 + 16, metrics.horizontalAdvance(c.title) + 28))
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class HoursView(QWidget):
    """服务时长: the hours of a period per volunteer and per activity (figures.hours_by_volunteer /
    hours_by_activity), with the period's totals; prints either list; a certificate of the
    period for the selected volunteer."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("hoursView")
        period = figures.since_outbreak()
        self.start = _date_edit(period.start, "periodStart")
        self.end = _date_edit(period.end, "periodEnd")
        self.start.dateChanged.connect(self.refresh)
        self.end.dateChanged.connect(self.refresh)
        self.print_button = _button(_("Print list…"), "printHoursButton", _("The list on screen, for the period."))
        self.print_button.clicked.connect(self.print_list)
        self.certificate_button = _button(_("Service certificate…"), "certificateButton",
                                          _("A service certificate of this period for the selected volunteer."))
        self.certificate_button.clicked.connect(self.new_certificate)
        self.certificate_button.setVisible(service.can_write(ctx.actor))
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Period")))
        top.addWidget(self.start)
        top.addWidget(QLabel(_("to")))
        top.addWidget(self.end)
        top.addStretch(1)
        top.addWidget(self.certificate_button)
        top.addWidget(self.print_button)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        legend = QLabel(_("Hours of signed-out shifts within the period; a shift across its first or last midnight "
                          "counts only its part inside. Shifts: those signed in during the period."))
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555;")

        self.volunteer_columns: list[Column[figures.VolunteerHours]] = [
            Column("name", _("Name"), lambda v: v.name, sortable=False, width_chars=8),
            Column("volunteer_number", _("Volunteer number"), lambda v: v.volunteer_number, sortable=False,
                   width_chars=12),
            Column("organisation", _("Organisation"), lambda v: v.organisation, sortable=False, width_chars=22),
            Column("party_member", _("Party member"), lambda v: _("Yes") if v.party_member else _("No"),
                   sortable=False, width_chars=5),
            Column("shifts", _("Shifts"), lambda v: f"{v.shifts:,}", sortable=False, align_right=True, width_chars=5),
            Column("hours", _("Service hours"), lambda v: figures.hours_text(v.minutes), sortable=False,
                   align_right=True, width_chars=7),
        ]
        self.activity_columns: list[Column[figures.ActivityHours]] = [
            Column("days", _("Date"), lambda a: a.days_text, sortable=False, width_chars=21),
            Column("name", _("Activity"), lambda a: a.name, sortable=False, width_chars=24),
            Column("kind", _("Kind of service"), lambda a: a.kind_title, sortable=False, width_chars=13),
            Column("town", _("Town or sub-district"), lambda a: a.town, sortable=False, width_chars=9),
            Column("volunteers", _("Number of volunteers"), lambda a: f"{a.volunteers:,}", sortable=False, align_right=True,
                   width_chars=5),
            Column("shifts", _("Shifts"), lambda a: f"{a.shifts:,}", sortable=False, align_right=True, width_chars=5),
            Column("hours", _("Service hours"), lambda a: figures.hours_text(a.minutes), sortable=False,
                   align_right=True, width_chars=7),
        ]
        self.volunteer_model: PagedTableModel[figures.VolunteerHours] = PagedTableModel(
            ctx.ops.read, self.volunteer_columns, ListSource(lambda s: figures.hours_by_volunteer(s, self.period())))
        self.activity_model: PagedTableModel[figures.ActivityHours] = PagedTableModel(
            ctx.ops.read, self.activity_columns, ListSource(lambda s: figures.hours_by_activity(s, self.period())))
        self.volunteer_table = _table(self.volunteer_columns, self.volunteer_model, 2)
        self.volunteer_table.setObjectName("volunteerHours")
        self.activity_table = _table(self.activity_columns, self.activity_model, 1)
        self.activity_table.setObjectName("activityHours")
        self.tables = QTabWidget()
        self.tables.setObjectName("hoursTables")
        self.tables.setDocumentMode(True)
        self.tables.addTab(self.volunteer_table, _("By volunteer"))
        self.tables.addTab(self.activity_table, _("By activity"))
        self.tables.currentChanged.connect(lambda *_a: self.update_buttons())
        self.volunteer_table.selectionModel().selectionChanged.connect(lambda *_a: self.update_buttons())
        self.volunteer_model.modelReset.connect(self.update_buttons)
        self.flow = CertificateFlow(ctx, self)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.tables, 1)
        ctx.ops.sig_changed.connect(lambda changed: self.refresh() if not changed or changed & KEYS else None)
        self.refresh()

    def period(self) -> Period:
        start, end = _pydate(self.start), _pydate(self.end)
        return Period(start, max(start, end))

    def refresh(self, *_changed: object) -> None:
        period = self.period()
        totals = self.ctx.ops.read(lambda s: figures.period_totals(s, period))
        self.volunteer_model.refresh()
        self.activity_model.refresh()
        self.summary.setText(_("{period}: {volunteers} volunteers ({party} Party members) served {shifts} shifts, "
                               "{hours} hours, at {activities} activities; {open} shifts not signed out.").format(
            period=period.text, volunteers=totals.volunteers_serving, party=totals.party_members_serving,
            shifts=f"{totals.shifts:,}", hours=figures.hours_text(totals.minutes), activities=totals.activities,
            open=totals.open_shifts))
        self.update_buttons()

    def selected_volunteer(self) -> figures.VolunteerHours | None:
        if self.tables.currentWidget() is not self.volunteer_table:
            return None
        rows = self.volunteer_table.selectionModel().selectedRows()
        return self.volunteer_model.data(rows[0], ROW_ROLE) if rows else None

    def update_buttons(self) -> None:
        self.certificate_button.setEnabled(self.selected_volunteer() is not None)

    def new_certificate(self) -> RecordForm | None:
        line = self.selected_volunteer()
        return self.flow.start(line.volunteer_id, self.period()) if line is not None else None

    def print_list(self) -> Any:
        from civaffairs.gui.printing.preview import preview_in_background
        from civaffairs.printing.table_report import ReportColumn, render_table_report

        by_volunteer = self.tables.currentWidget() is self.volunteer_table
        model = self.volunteer_model if by_volunteer else self.activity_model
        columns = self.volunteer_columns if by_volunteer else self.activity_columns
        lines = [model.row(i) for i in range(model.total_count())]
        rows = [[c.text(line) for c in columns] for line in lines]  # type: ignore[arg-type]
        title = _("Volunteer service hours by volunteer") if by_volunteer else _("Volunteer service hours by activity")
        ctx, period, printed_at = self.ctx, self.period(), now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            return render_table_report(
                office_name=ctx.office_name, title=title, filter_text=_("Period: {period}").format(period=period.text),
                columns=[ReportColumn(c.title, c.width_chars, c.align_right) for c in columns], rows=rows,
                printed_by=ctx.actor.display_name, printed_at=printed_at, total=len(rows))

        return preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=self)


# ------------------------------------------------------------------ the tab


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    tab = GroupTab(ctx, group)
    volunteers = tab.register_views[VOLUNTEERS.key]
    tab.volunteer_buttons = VolunteerButtons(ctx, volunteers)  # type: ignore[attr-defined]
    tab.certificate_buttons = CertificateButtons(ctx, tab.register_views[CERTIFICATES.key])  # type: ignore[attr-defined]
    if CERTIFICATES.key in volunteers.detail_views:  # a volunteer's own certificates, in the detail pane
        tab.volunteer_certificate_buttons = CertificateButtons(  # type: ignore[attr-defined]
            ctx, volunteers.detail_views[CERTIFICATES.key])
    tab.hours = HoursView(ctx)  # type: ignore[attr-defined]
    tab.insert_page(3, tab.hours, _("Hours of a period"))  # type: ignore[attr-defined]
    return tab


def overview_lines(ctx: AppContext) -> list[str]:
    """The volunteers on the register, their service since the outbreak, and who is on duty."""
    period = figures.since_outbreak()

    def read(s):  # type: ignore[no-untyped-def]
        return figures.registered(s), figures.period_totals(s, period), figures.on_duty(s)

    reg, totals, duty = ctx.ops.read(read)
    lines = [_("Volunteers: {n} registered ({party} Party members); since {start}: {shifts} shifts, {hours} hours of "
               "service.").format(n=reg.volunteers, party=reg.party_members, start=long_date(period.start),
                                  shifts=f"{totals.shifts:,}", hours=figures.hours_text(totals.minutes))]
    if duty:
        now = now_utc()
        late = [d for d in duty if (now - d[2]).total_seconds() > FORGOTTEN_HOURS * 3600]
        lines.append(_("Signed in and not signed out: {n} ({names}).").format(
            n=len(duty), names="、".join(f"{name} {moment_text(at)}" for name, _activity, at in duty[:4])
            + ("等" if len(duty) > 4 else "")))
        if late:
            lines.append(_("{n} of them signed in more than {hours} hours ago: please sign them out.").format(
                n=len(late), hours=FORGOTTEN_HOURS))
    return lines
