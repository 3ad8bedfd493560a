"""统计上报: choose a period and a file, the report is made in the background."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.form_layout import field_with_error, note_label
from civaffairs.gui.operations import Progress
from civaffairs.gui.widgets import heading, ok_cancel_buttons, period_date_range


def _qdate(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


class StatisticsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("statisticsDialog")
        self.setWindowTitle(_("Statistics report"))
        self.report = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Statistics report"), "statisticsTitle"))
        layout.addWidget(note_label(_("One report for the period: a summary and a section for every working group "
                                      "and the supervision teams, computed now from the registers.")))
        self.errors = FieldErrors()
        form = QFormLayout()
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, name in ((self.date_from, "dateFrom"), (self.date_to, "dateTo")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setObjectName(name)
            period_date_range(edit)
        today = QDate(today_local())
        self.date_from.setDate(QDate(today.year(), today.month(), 1))
        self.date_to.setDate(today)
        form.addRow(_("From"), field_with_error(self.date_from, self.errors, "date_from"))
        form.addRow(_("To"), field_with_error(self.date_to, self.errors, "date_to"))
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItem(_("Excel workbook (.xlsx)"), ".xlsx")
        self.kind.addItem(_("PDF for printing (.pdf)"), ".pdf")
        form.addRow(_("Format"), self.kind)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.path = QLineEdit()
        self.path.setObjectName("path")
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self.choose_file)
        row_layout.addWidget(self.path, 1)
        row_layout.addWidget(browse)
        form.addRow(_("File"), field_with_error(self.path, self.errors, "path", shown=row))
        layout.addLayout(form)
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        buttons = ok_cancel_buttons(self)
        buttons.accepted.disconnect()
        buttons.accepted.connect(self.make)
        self.ok_button = buttons.button(buttons.StandardButton.Ok)
        self.ok_button.setText(_("Make the report"))
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._suggest)
        self._suggest()
        self.resize(520, self.sizeHint().height())

    def _suggest(self) -> None:
        suffix = self.kind.currentData()
        name = _("statistics {start} to {end}").format(start=_qdate(self.date_from.date()).isoformat(),
                                                       end=_qdate(self.date_to.date()).isoformat())
        current = Path(self.path.text()) if self.path.text() else self.ctx.data_dir / "reports" / name
        self.path.setText(str(current.with_suffix(suffix)))

    def choose_file(self) -> None:
        suffix = self.kind.currentData()
        chosen, _filter = QFileDialog.getSaveFileName(self, _("Save the report as"), self.path.text(), f"*{suffix}")
        if chosen:
            self.path.setText(str(Path(chosen).with_suffix(suffix)))

    def make(self) -> None:
        from civaffairs.reports.figures import Period, period_errors
        from civaffairs.reports.service import make_report

        start, end = _qdate(self.date_from.date()), _qdate(self.date_to.date())
        errors = period_errors(start, end)
        if end < start and not errors:
            errors["date_to"] = _("The period ends before it starts.")
        if not self.path.text().strip():
            errors["path"] = _("Please choose the file to write.")
        if errors:
            self.errors.show_field_errors(errors)
            return
        self.errors.clear()
        out = Path(self.path.text().strip()).with_suffix(self.kind.currentData())
        ctx = self.ctx

        def job(progress: Progress):  # type: ignore[no-untyped-def]
            return make_report(ctx.db, ctx.actor, Period(start, end), office_name=ctx.office_name, out=out,
                               progress=progress.report)

        def done(report) -> None:  # type: ignore[no-untyped-def]
            self.report = report
            self.result.setText(_("Written: {file}").format(file=out))

        self.worker = ctx.ops.run_in_background(_("Making the statistics report…"), job, done, parent=self)
