"""The audit log, for administrators: who changed what and when, filtered by user, register and
dates, paged from the database."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
    QPlainTextEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)
from sqlalchemy.orm import Session

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Role
from civaffairs.audit import chain
from civaffairs.audit import service as audit
from civaffairs.audit.models import AuditEntry
from civaffairs.audit.service import AuditQuery
from civaffairs.core.clock import to_local, today_local
from civaffairs.accounts.roles import person_name
from civaffairs.core.i18n import N_, _
from civaffairs.groups import group, load_all
from civaffairs.gui.admin.users import groups_text, set_column_widths
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Cancelled, Progress
from civaffairs.gui.table_model import ROW_ROLE, Column, PagedTableModel
from civaffairs.records import values as V
from civaffairs.records.spec import RegisterSpec, all_registers, get_register

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FIELD_SEPARATOR = "；"

# Registers that are not record registers, named in words.
OTHER_REGISTERS = {
    accounts.REGISTER: N_("User accounts"),
    accounts.SETTINGS_REGISTER: N_("Office settings"),
    audit.PRINT_REGISTER: N_("Printouts"),
    "database": N_("Database"),  # backups and restores (civaffairs.backup.service.AUDIT_REGISTER)
}

# The fields an account or settings entry may name (see accounts.service).
ACCOUNT_FIELDS = {
    "display_name": N_("Name"),
    "role": N_("Role"),
    "groups": N_("Working groups"),
    "active": N_("Active"),
    accounts.OFFICE_NAME: N_("Office name"),
}

# What an access entry (a printout, an export) notes besides the record's fields.
ACCESS_FIELDS = {
    "output": N_("Sent to"),
    "pages": N_("Pages"),
    "rows": N_("Rows"),
    "file": N_("File"),
}


# ------------------------------------------------------------------ text of an entry


def _spec(register: str) -> RegisterSpec | None:
    try:
        return get_register(register)
    except KeyError:
        return None


def register_name(register: str) -> str:
    if register in OTHER_REGISTERS:
        return _(OTHER_REGISTERS[register])
    spec = _spec(register)
    return spec.name if spec else register


def _account_value(key: str, text: str) -> str:
    if key == "role":
        try:
            return Role(text).label
        except ValueError:
            return text
    if key == "groups":
        return groups_text([int(n) for n in re.findall(r"\d+", text)])
    if key == "active":
        return {"true": _("Yes"), "false": _("No")}.get(text.lower(), text)
    return text


def change_lines(entry: AuditEntry) -> list[str]:
    """Each changed field as "title：old → new" (or "title：new" when it had no value before)."""
    spec = _spec(entry.register)
    lines = []
    for key, pair in (entry.changes or {}).items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
        old = "" if old is None else str(old)
        new = "" if new is None else str(new)
        if spec is not None and spec.has_field(key):
            f = spec.field(key)
            title, old, new = f.title, V.display_canonical(f, old), V.display_canonical(f, new)
        elif entry.register in OTHER_REGISTERS and key in ACCOUNT_FIELDS:
            title, old, new = _(ACCOUNT_FIELDS[key]), _account_value(key, old), _account_value(key, new)
        elif key in ACCESS_FIELDS:
            title = _(ACCESS_FIELDS[key])
        else:
            title = key
        if old == "" and new == "":
            continue
        if old == "":
            lines.append(f"{title}：{new}")
        else:
            if new == "":
                new = _("(empty)")
            lines.append(f"{title}：{old} → {new}")
    return lines


def changes_text(entry: AuditEntry) -> str:
    return FIELD_SEPARATOR.join(change_lines(entry))


def time_text(entry: AuditEntry) -> str:
    return to_local(entry.at).strftime(TIME_FORMAT)


# ------------------------------------------------------------------ model


class AuditSource:
    def __init__(self, ctx: AppContext, query: AuditQuery) -> None:
        self.ctx, self.query = ctx, query

    def count(self, session: Session) -> int:
        return audit.count(session, self.ctx.actor, self.query)

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[AuditEntry]:
        return audit.fetch(session, self.ctx.actor, self.query, offset, limit)


def audit_columns(user_label: Any = lambda username: username) -> list[Column[AuditEntry]]:
    return [
        Column("at", _("Time"), time_text, sortable=False, width_chars=19),
        Column("actor", _("User"), lambda e: user_label(e.actor), sortable=False, width_chars=14,
               tooltip=lambda e: e.actor),
        Column("action", _("Action"), lambda e: audit.action_label(e.action), sortable=False, width_chars=10),
        Column("register", _("Register"), lambda e: register_name(e.register), sortable=False, width_chars=14),
        Column("record", _("Record"), lambda e: e.record_label, sortable=False, width_chars=16),
        Column("changes", _("Changes"), changes_text, sortable=False, width_chars=30,
               tooltip=lambda e: "\n".join(change_lines(e))),
    ]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


# ------------------------------------------------------------------ dialogs


class AuditEntryDialog(QDialog):
    """One entry in full, read-only (so that it can be selected and copied)."""

    def __init__(self, entry: AuditEntry, user_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditEntryDialog")
        self.setWindowTitle(_("Audit log entry"))
        rows = [
            (_("Time"), time_text(entry)),
            (_("User"), user_label),
            (_("Action"), audit.action_label(entry.action)),
            (_("Register"), register_name(entry.register)),
        ]
        if entry.record_label:
            rows.append((_("Record"), entry.record_label))
        if entry.record_version is not None:
            rows.append((_("Version"), str(entry.record_version)))
        lines = [f"{title}：{value}" for title, value in rows]
        changes = change_lines(entry)
        if changes:
            lines += ["", _("Changes") + "："] + changes
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setObjectName("auditEntryText")
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 380)


class AuditLogDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditLogDialog")
        self.setWindowTitle(_("Audit log"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._names: dict[str, str] = {}

        # -- filters
        self.user_filter = QComboBox()
        self.user_filter.setObjectName("userFilter")
        self.user_filter.setMinimumContentsLength(14)
        self.register_filter = QComboBox()
        self.register_filter.setObjectName("registerFilter")
        self.register_filter.setMinimumContentsLength(16)
        self._fill_registers()

        today = today_local()
        self.date_from_enabled = QCheckBox(_("From"))
        self.date_from_enabled.setObjectName("dateFromEnabled")
        self.date_from = self._date_edit("dateFrom", today - timedelta(days=30))
        self.date_to_enabled = QCheckBox(_("To"))
        self.date_to_enabled.setObjectName("dateToEnabled")
        self.date_to = self._date_edit("dateTo", today)

        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.clicked.connect(self.refresh)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        user_label = QLabel(_("User:"))
        user_label.setBuddy(self.user_filter)
        register_label = QLabel(_("Register:"))
        register_label.setBuddy(self.register_filter)
        filters.addWidget(user_label)
        filters.addWidget(self.user_filter)
        filters.addSpacing(12)
        filters.addWidget(register_label)
        filters.addWidget(self.register_filter)
        filters.addSpacing(12)
        filters.addWidget(self.date_from_enabled)
        filters.addWidget(self.date_from)
        filters.addSpacing(6)
        filters.addWidget(self.date_to_enabled)
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)

        # -- the list
        self._fill_users()
        self.model: PagedTableModel[AuditEntry] = PagedTableModel(
            ctx.ops.read, audit_columns(self.user_label), AuditSource(ctx, self.query()), self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.doubleClicked.connect(self.show_details)

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.button(QDialogButtonBox.StandardButton.Close).setObjectName("closeButton")
        close.rejected.connect(self.reject)
        self.chain_label = QLabel(_("Verify checks that no entry has been changed, deleted or inserted."))
        self.chain_label.setObjectName("chainLabel")
        self.chain_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_button = QPushButton(_("Verify"))
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip(_("Check the chain of audit entries"))
        self.verify_button.clicked.connect(self.verify_chain)
        self.chain_report: chain.ChainReport | None = None
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(24)
        bottom.addWidget(self.chain_label, 1)
        bottom.addWidget(self.verify_button)
        bottom.addSpacing(12)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.apply_filters()
        set_column_widths(self.table, self.model.columns)
        for key in ("at", "actor", "action"):  # short texts: as wide as the rows shown
            column = [c.key for c in self.model.columns].index(key)
            self.table.resizeColumnToContents(column)
            self.table.setColumnWidth(column, self.table.columnWidth(column) + 12)
        for combo in (self.user_filter, self.register_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.date_from_enabled, self.date_to_enabled):
            box.toggled.connect(self._dates_toggled)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply_filters)
        self.resize(1100, 620)

    # -- building

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    def _fill_registers(self) -> None:
        load_all()
        specs = all_registers()
        names = [s.name for s in specs]
        self.register_filter.addItem(_("All registers"), None)
        for spec in specs:
            label = spec.name
            if names.count(label) > 1:  # the same name in two groups: say which
                label = f"{label}（{group(spec.group).short_name}）"
            self.register_filter.addItem(label, spec.key)
        for key in OTHER_REGISTERS:
            self.register_filter.addItem(register_name(key), key)

    def _fill_users(self) -> None:
        """Everyone who appears in the log, by name where the account is known."""
        actor = self.ctx.actor

        def read(s: Session) -> tuple[list[str], dict[str, str]]:
            return audit.actors(s, actor), {u.username: u.display_name for u in accounts.list_users(s, actor)}

        usernames, names = self.ctx.ops.read(read)
        names.setdefault(COMMAND_LINE_ACTOR.username, COMMAND_LINE_ACTOR.display_name)
        self._names = names
        current = self.user_filter.currentData()
        self.user_filter.blockSignals(True)
        self.user_filter.clear()
        self.user_filter.addItem(_("All users"), None)
        for username in usernames:
            self.user_filter.addItem(self.user_label(username), username)
        index = self.user_filter.findData(current) if current else 0
        self.user_filter.setCurrentIndex(max(index, 0))
        self.user_filter.blockSignals(False)

    def user_label(self, username: str) -> str:
        return person_name(username, self._names)

    # -- filtering

    def query(self) -> AuditQuery:
        return AuditQuery(
            actor=self.user_filter.currentData() or None,
            register=self.register_filter.currentData() or None,
            date_from=_date(self.date_from.date()) if self.date_from_enabled.isChecked() else None,
            date_to=_date(self.date_to.date()) if self.date_to_enabled.isChecked() else None,
        )

    def _dates_toggled(self) -> None:
        self.date_from.setEnabled(self.date_from_enabled.isChecked())
        self.date_to.setEnabled(self.date_to_enabled.isChecked())
        self.apply_filters()

    def apply_filters(self) -> None:
        self.model.set_source(AuditSource(self.ctx, self.query()))
        self._show_count()

    def refresh(self) -> None:
        """Read again: new entries and new users since the dialog opened."""
        self._fill_users()
        self.apply_filters()

    def _show_count(self) -> None:
        n = self.model.total_count()
        self.count_label.setText(_("{n} entries").format(n=n))

    # -- the chain

    def verify_chain(self) -> None:
        """Walk the whole chain off the GUI thread, with a progress dialog that can cancel it."""
        ctx = self.ctx

        def job(progress: Progress) -> chain.ChainReport:
            with ctx.ops.db.snapshot() as session:
                try:
                    return chain.verify_chain(session, ctx.actor, progress.report, lambda: progress.cancelled)
                except chain.VerificationCancelled:
                    raise Cancelled() from None

        ctx.ops.run_in_background(_("Verifying the audit chain…"), job, self.show_chain_report, parent=self)

    def show_chain_report(self, report: chain.ChainReport) -> None:
        self.chain_report = report
        self.chain_label.setText(report.message())
        self.chain_label.setToolTip(report.message())
        self.chain_label.setStyleSheet("" if report.intact else "color: #c62828; font-weight: bold;")

    # -- details

    def show_details(self, index: QModelIndex) -> AuditEntryDialog | None:
        entry = self.model.data(index, ROW_ROLE)
        if entry is None:
            return None
        dialog = AuditEntryDialog(entry, self.user_label(entry.actor), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
