"""Notices (通知) on screen: the list of a group's notices (all of them in the overview), the
editor of a draft, issuing under a document number, corrections, cancelling a number, and the
preview that prints exactly the PDF of the printing engine."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QMenu, QPlainTextEdit, QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget,
)
from sqlalchemy.orm import Session

from civaffairs.core.clock import to_local, today_local
from civaffairs.accounts.roles import person_name
from civaffairs.core.i18n import _
from civaffairs.groups import group as working_group
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.table_model import ROW_ROLE, Column, ListSource, PagedTableModel
from civaffairs.notices import service as notices
from civaffairs.notices.data import NoticeData, NoticeStatus, NumberEntry
from civaffairs.notices.templates import templates
from civaffairs.gui.signals import emit

REGISTER = notices.REGISTER
DEFAULT_PREFIX = "麦民发"  # offered when no number was ever given out in this database


def group_name(number: int) -> str:
    return _("Leading group") if number == 0 else working_group(number).short_name


def _date_text(d: date | None) -> str:
    return d.isoformat() if d else ""


NOTICE_COLUMNS: list[Column[NoticeData]] = [
    Column("document_number", "", lambda n: n.document_number or "", width_chars=14),
    Column("title", "", lambda n: n.title, width_chars=36),
    Column("group", "", lambda n: group_name(n.group), width_chars=8),
    Column("status", "", lambda n: n.status.label, width_chars=5),
    Column("document_date", "", lambda n: _date_text(n.document_date), width_chars=10),
    Column("updated_by", "", lambda n: person_name(n.updated_by), width_chars=8),
]


def _columns() -> list[Column[NoticeData]]:
    titles = [_("Document number"), _("Title"), _("Group"), _("Status"), _("Date"), _("Last changed by")]
    return [Column(c.key, t, c.text, sortable=False, width_chars=c.width_chars) for c, t in zip(NOTICE_COLUMNS, titles)]


def preview_notice(ctx: AppContext, notice_id: uuid.UUID, parent: QWidget) -> None:
    """Render the notice off the GUI thread, then show the preview (print, save as PDF)."""
    # Imported when first needed: ReportLab and QtPdf cost start-up time (PERFORMANCE.md).
    from civaffairs.gui.printing.preview import preview_in_background
    from civaffairs.printing.notice_pdf import render_notice

    def render(progress):  # type: ignore[no-untyped-def]
        with ctx.db.read() as session:
            notice = notices.get(session, ctx.actor, notice_id)
            mark = notices.office_mark(session, notice)
        progress.report(0, 1)
        return render_notice(notice, office_mark=mark)

    with ctx.db.read() as session:
        notice = notices.get(session, ctx.actor, notice_id)
    name = (notice.document_number or _("Draft")) + " " + notice.title
    preview_in_background(ctx, name, render, suggested_name=f"{name}.pdf", parent=parent)


class NoticesView(QWidget):
    sig_editor_opened = Signal(object)

    def __init__(self, ctx: AppContext, group: int | None, parent: QWidget | None = None) -> None:
        """`group`: a working group 1–7, 0 for the leading group, None for every notice."""
        super().__init__(parent)
        self.ctx, self.group = ctx, group
        self.setObjectName("notices" if group is None else f"notices_{group}")
        draft_group = 0 if group is None else group
        self.draft_group = draft_group

        self.new_button = QPushButton(_("New notice"))  # a push button draws its menu arrow apart from the text
        self.new_button.setObjectName("newNotice")
        menu = QMenu(self.new_button)
        for t in templates():
            action = menu.addAction(t.name)
            action.setData(t.key)
            action.triggered.connect(lambda _c=False, key=t.key: self.new_from_template(key))
        self.new_button.setMenu(menu)
        self.new_button.setVisible(notices.can_draft(ctx.actor, draft_group))
        self.open_button = QPushButton(_("Open…"))
        self.preview_button = QPushButton(_("Preview and print…"))
        self.issue_button = QPushButton(_("Issue…"))
        self.correct_button = QPushButton(_("Correct…"))
        self.cancel_button = QPushButton(_("Cancel the number…"))
        self.register_button = QPushButton(_("Number register…"))
        for name, b in (("openNotice", self.open_button), ("previewNotice", self.preview_button),
                        ("issueNotice", self.issue_button), ("correctNotice", self.correct_button),
                        ("cancelNumber", self.cancel_button), ("numberRegister", self.register_button)):
            b.setObjectName(name)
        self.open_button.clicked.connect(self.open_selected)
        self.preview_button.clicked.connect(self.preview_selected)
        self.issue_button.clicked.connect(self.issue_selected)
        self.correct_button.clicked.connect(self.correct_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.register_button.clicked.connect(self.open_number_register)

        bar = QHBoxLayout()
        for w in (self.new_button, self.open_button, self.preview_button, self.issue_button,
                  self.correct_button, self.cancel_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.register_button)

        self.model: PagedTableModel[NoticeData] = PagedTableModel(
            ctx.ops.read, _columns(), ListSource(lambda s: notices.list_notices(s, ctx.actor, group)))
        self.table = QTableView()
        self.table.setObjectName("noticeTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        char = self.fontMetrics().horizontalAdvance("中")
        for i, c in enumerate(self.model.columns):
            if i != 1:
                self.table.setColumnWidth(i, c.width_chars * char + 16)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        ctx.ops.sig_changed.connect(lambda keys: self.refresh() if not keys or REGISTER in keys else None)
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()
        self._update_buttons()

    def selected(self) -> NoticeData | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def select_notice(self, notice_id: uuid.UUID) -> None:
        for r in range(self.model.rowCount()):
            if self.model.row(r).id == notice_id:  # type: ignore[union-attr]
                self.table.selectRow(r)
                return

    def _update_buttons(self) -> None:
        n = self.selected()
        actor = self.ctx.actor
        self.open_button.setEnabled(n is not None)
        self.preview_button.setEnabled(n is not None)
        self.issue_button.setEnabled(n is not None and n.status is NoticeStatus.DRAFT and notices.can_issue(actor, n.group))
        self.correct_button.setEnabled(n is not None and n.status is not NoticeStatus.DRAFT and notices.can_draft(actor, n.group))
        self.cancel_button.setEnabled(n is not None and n.status is NoticeStatus.ISSUED and notices.can_issue(actor, n.group))

    # -- actions

    def new_from_template(self, key: str) -> NoticeEditor | None:
        ctx, group = self.ctx, self.draft_group
        notice_id = ctx.ops.write(lambda s: notices.create_draft(s, ctx.actor, group, key), changed=[REGISTER], parent=self)
        if notice_id is None:
            return None
        self.select_notice(notice_id)
        return self.open_editor(notice_id)

    def open_editor(self, notice_id: uuid.UUID) -> NoticeEditor:
        editor = NoticeEditor(self.ctx, notice_id, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        emit(self.sig_editor_opened, editor)
        return editor

    def open_selected(self) -> NoticeEditor | None:
        n = self.selected()
        return self.open_editor(n.id) if n else None

    def preview_selected(self) -> None:
        n = self.selected()
        if n:
            preview_notice(self.ctx, n.id, self)

    def issue_selected(self) -> IssueDialog | None:
        n = self.selected()
        if n is None:
            return None
        dialog = IssueDialog(self.ctx, n, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def correct_selected(self) -> NoticeEditor | None:
        n = self.selected()
        if n is None:
            return None
        ctx = self.ctx
        new_id = ctx.ops.write(lambda s: notices.make_correction(s, ctx.actor, n.id), changed=[REGISTER], parent=self)
        if new_id is None:
            return None
        self.select_notice(new_id)
        return self.open_editor(new_id)

    def open_number_register(self) -> NumberRegisterDialog:
        dialog = NumberRegisterDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def cancel_selected(self) -> CancelNumberDialog | None:
        n = self.selected()
        if n is None or n.document_number is None:
            return None
        dialog = CancelNumberDialog(self.ctx, n, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class NoticeEditor(QDialog):
    """Edit a draft; an issued notice opens read-only (its text is frozen)."""

    sig_issued = Signal(str)

    def __init__(self, ctx: AppContext, notice_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.notice_id = ctx, notice_id
        self.setObjectName("noticeEditor")
        general = QLabel()
        self.errors = FieldErrors(general)
        self.number = QLabel()
        self.number.setObjectName("documentNumber")
        f = self.number.font()
        f.setBold(True)
        self.number.setFont(f)
        self.title = QLineEdit()
        self.addressee = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setMinimumHeight(320)
        self.body.setPlaceholderText(_("One paragraph per line. Headings start with 一、 （一） 1. or （1）."))
        self.attachments = QPlainTextEdit()
        self.attachments.setFixedHeight(60)
        self.attachments.setPlaceholderText(_("One attachment per line"))
        self.signatory = QLineEdit()
        self.document_date = QDateEdit()
        self.document_date.setCalendarPopup(True)
        self.document_date.setDisplayFormat("yyyy-MM-dd")
        self.copy_to = QLineEdit()
        self.printing_office = QLineEdit()
        self.fields: dict[str, QWidget] = {
            "title": self.title, "addressee": self.addressee, "body": self.body, "attachments": self.attachments,
            "signatory": self.signatory, "document_date": self.document_date, "copy_to": self.copy_to,
            "printing_office": self.printing_office,
        }
        labels = {"title": _("Title"), "addressee": _("Addressee"), "body": _("Text"), "attachments": _("Attachments"),
                  "signatory": _("Signing office"), "document_date": _("Date"), "copy_to": _("Copy to"),
                  "printing_office": _("Printing office")}
        form = QFormLayout()
        form.addRow(_("Document number"), self.number)
        for name, widget in self.fields.items():
            widget.setObjectName(f"field_{name}")
            form.addRow(labels[name], widget)
            form.addRow("", self.errors.add(name, widget))

        self.save_button = QPushButton(_("Save draft"))
        self.save_button.setObjectName("saveDraft")
        self.preview_button = QPushButton(_("Preview and print…"))
        self.preview_button.setObjectName("preview")
        self.issue_button = QPushButton(_("Issue…"))
        self.issue_button.setObjectName("issue")
        close = QPushButton(_("Close"))
        self.save_button.clicked.connect(self.save)
        self.preview_button.clicked.connect(self.save_and_preview)
        self.issue_button.clicked.connect(self.save_and_issue)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for b in (self.save_button, self.preview_button, self.issue_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        self.resize(820, 860)
        self.load()

    def load(self) -> None:
        n = self.ctx.ops.read(lambda s: notices.get(s, self.ctx.actor, self.notice_id))
        self.notice = n
        self.setWindowTitle((_("Notice {number} – {title}") if n.document_number else _("Draft notice – {title}")).format(
            number=n.document_number, title=n.title))
        self.number.setText(_("{number} ({status})").format(number=n.document_number, status=n.status.label)
                            if n.document_number else _("Given when the notice is issued"))
        self.title.setText(n.title)
        self.addressee.setText(n.addressee)
        self.body.setPlainText(n.body)
        self.attachments.setPlainText("\n".join(n.attachments))
        self.signatory.setText(n.signatory)
        d = n.document_date or today_local()
        self.document_date.setDate(QDate(d.year, d.month, d.day))
        self.copy_to.setText(n.copy_to)
        self.printing_office.setText(n.printing_office)
        editable = n.status is NoticeStatus.DRAFT and notices.can_draft(self.ctx.actor, n.group)
        for widget in self.fields.values():
            if isinstance(widget, (QLineEdit, QPlainTextEdit)):
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.issue_button.setVisible(n.status is NoticeStatus.DRAFT and notices.can_issue(self.ctx.actor, n.group))

    def values(self) -> dict[str, Any]:
        d = self.document_date.date()
        return {
            "title": self.title.text(), "addressee": self.addressee.text(), "body": self.body.toPlainText(),
            "attachments": [a.strip() for a in self.attachments.toPlainText().splitlines() if a.strip()],
            "signatory": self.signatory.text(), "document_date": date(d.year(), d.month(), d.day()),
            "copy_to": self.copy_to.text(), "printing_office": self.printing_office.text(),
        }

    def save(self) -> bool:
        if self.notice.status is not NoticeStatus.DRAFT or not notices.can_draft(self.ctx.actor, self.notice.group):
            return True
        ctx, values, version = self.ctx, self.values(), self.notice.version
        saved = ctx.ops.write(lambda s: notices.update_draft(s, ctx.actor, self.notice_id, version, **values),
                              changed=[REGISTER], parent=self, form=self.errors)
        if saved is None:
            return False
        self.errors.clear()
        self.load()
        return True

    def save_and_preview(self) -> None:
        if self.save():
            preview_notice(self.ctx, self.notice_id, self)

    def save_and_issue(self) -> IssueDialog | None:
        if not self.save():
            return None
        dialog = IssueDialog(self.ctx, self.notice, self)
        dialog.sig_issued.connect(lambda number: (self.load(), emit(self.sig_issued, number)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.issue_dialog = dialog
        return dialog


class IssueDialog(QDialog):
    """Issuing fixes the document number and the date, and freezes the text."""

    sig_issued = Signal(str)

    def __init__(self, ctx: AppContext, notice: NoticeData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.notice = ctx, notice
        self.setObjectName("issueDialog")
        self.setWindowTitle(_("Issue “{title}”").format(title=notice.title))
        self.number: str | None = None
        general = QLabel()
        self.errors = FieldErrors(general)
        self.prefix = QComboBox()
        self.prefix.setObjectName("prefix")
        self.prefix.setEditable(True)
        known = ctx.ops.read(notices.prefixes) or [DEFAULT_PREFIX]
        self.prefix.addItems(known)
        self.issue_date = QDateEdit(QDate(today_local()))
        self.issue_date.setObjectName("issueDate")
        self.issue_date.setCalendarPopup(True)
        self.issue_date.setDisplayFormat("yyyy-MM-dd")
        self.next_number = QLabel()
        self.next_number.setObjectName("nextNumber")
        form = QFormLayout()
        form.addRow(_("Document number prefix"), self.prefix)
        form.addRow("", self.errors.add("prefix", self.prefix))
        form.addRow(_("Date of issue"), self.issue_date)
        form.addRow("", self.errors.add("issue_date", self.issue_date))
        form.addRow(_("Number to be given"), self.next_number)
        note = QLabel(_("Once issued, the number and the date are fixed and the text can no longer be changed; "
                        "a mistake is put right by a correction, which is a new notice."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Issue"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.prefix.currentTextChanged.connect(self._show_next)
        self.issue_date.dateChanged.connect(self._show_next)
        self._show_next()
        self.resize(480, self.sizeHint().height())

    def _show_next(self) -> None:
        prefix, year = self.prefix.currentText().strip(), self.issue_date.date().year()
        self.next_number.setText(self.ctx.ops.read(lambda s: notices.next_number(s, prefix, year)) if prefix else "")

    def submit(self) -> None:
        ctx, n = self.ctx, self.notice
        prefix = self.prefix.currentText()
        d = self.issue_date.date()
        day = date(d.year(), d.month(), d.day())
        number = ctx.ops.write(lambda s: notices.issue(s, ctx.actor, n.id, prefix, day, expected_version=n.version),
                               changed=[REGISTER], parent=self, form=self.errors)
        if number is None:
            return
        self.number = number
        self.accept()
        emit(self.sig_issued, number)


class CancelNumberDialog(QDialog):
    """A number given out and then cancelled stays in the register, with its reason."""

    def __init__(self, ctx: AppContext, notice: NoticeData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.notice = ctx, notice
        self.setObjectName("cancelNumber")
        self.setWindowTitle(_("Cancel the number {number}").format(number=notice.document_number))
        general = QLabel()
        self.errors = FieldErrors(general)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        form = QFormLayout()
        form.addRow(_("Reason"), self.reason)
        form.addRow("", self.errors.add("reason", self.reason))
        note = QLabel(_("The notice becomes void; its number is never given again."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def submit(self) -> None:
        ctx, n, reason = self.ctx, self.notice, self.reason.text()
        done = ctx.ops.write(
            lambda s: notices.cancel_number(s, ctx.actor, n.prefix or "", n.year or 0, n.serial or 0, reason) or True,
            changed=[REGISTER], parent=self, form=self.errors)
        if done:
            self.accept()


class NumberRegisterDialog(QDialog):
    """Every document number given out under a prefix in a year, cancelled ones with their reason."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("numberRegister")
        self.setWindowTitle(_("Document number register"))
        self.prefix = QComboBox()
        self.prefix.setObjectName("prefix")
        self.prefix.addItems(ctx.ops.read(notices.prefixes) or [DEFAULT_PREFIX])
        self.year = QSpinBox()
        self.year.setObjectName("year")
        self.year.setRange(2000, 2100)
        self.year.setValue(today_local().year)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Document number prefix")))
        top.addWidget(self.prefix)
        top.addWidget(QLabel(_("Year")))
        top.addWidget(self.year)
        top.addStretch(1)
        columns: list[Column[NumberEntry]] = [
            Column("number", _("Document number"), lambda e: e.document_number, width_chars=14),
            Column("status", _("Status"), lambda e: e.status.label, width_chars=5),
            Column("title", _("Title"), lambda e: e.notice_title, width_chars=30),
            Column("given", _("Given by"), lambda e: f"{person_name(e.given_by)} {to_local(e.given_at):%Y-%m-%d %H:%M}", width_chars=16),
            Column("reason", _("Reason for cancelling"), lambda e: e.cancel_reason, width_chars=20),
        ]
        self.model: PagedTableModel[NumberEntry] = PagedTableModel(ctx.ops.read, columns, ListSource(self._entries))
        self.table = QTableView()
        self.table.setObjectName("numberTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        char = self.fontMetrics().horizontalAdvance("中")
        for i, c in enumerate(columns):
            if i != 2:
                self.table.setColumnWidth(i, c.width_chars * char + 16)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self.prefix.currentTextChanged.connect(lambda _t: self.model.refresh())
        self.year.valueChanged.connect(lambda _v: self.model.refresh())
        self.model.refresh()
        self.resize(900, 520)

    def _entries(self, session: Session) -> list[NumberEntry]:
        prefix = self.prefix.currentText().strip()
        return notices.number_register(session, self.ctx.actor, prefix, self.year.value()) if prefix else []
