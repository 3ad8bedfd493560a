"""User accounts, for administrators: the list, adding and editing an account, and setting a new
password (which also lifts a lock after too many wrong passwords).

The services check that the actor is an administrator; the main window shows this dialog only
to administrators."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame, QGridLayout,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)
from sqlalchemy.orm import Session

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Role
from civaffairs.accounts.service import UserInfo
from civaffairs.core.i18n import _
from civaffairs.groups import GROUPS, group
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.form_layout import field_with_error, grow_to_fit, note_label
from civaffairs.gui.widgets import ok_cancel_buttons
from civaffairs.gui.table_model import ROW_ROLE, Column, ListSource, PagedTableModel

INACTIVE_BACKGROUND = QColor("#eeeeee")


def groups_text(groups: Sequence[int]) -> str:
    return "、".join(group(g).short_name for g in groups if 1 <= g <= len(GROUPS))


class _GroupsBox(QFrame):
    """The working-group checkboxes.  FieldErrors marks an editor with an unscoped style sheet,
    which would draw a frame round every checkbox; here it frames the box only."""

    def setStyleSheet(self, sheet: str) -> None:  # noqa: N802 - Qt's name
        super().setStyleSheet(f"_GroupsBox#{self.objectName()} {{ {sheet} }}" if sheet else "")


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMinimumWidth(260)
    return edit


def _passwords_differ(dialog: QDialog, errors: FieldErrors) -> None:
    errors.show_field_errors({"confirm_password": _("The two passwords are not the same.")})
    grow_to_fit(dialog)


# ------------------------------------------------------------------ add / edit


class UserEditDialog(QDialog):
    """Add an account (`user` None) or edit one (display name, role, working groups, active)."""

    def __init__(self, ctx: AppContext, user: UserInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setObjectName("userEditDialog")
        self.setWindowTitle(_("New user account") if user is None else _("Edit user account"))
        general = QLabel()
        general.setObjectName("error_general")
        self._errors = FieldErrors(general)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(32)
        self.username.setMinimumWidth(260)
        form.addRow(_("User name:"), field_with_error(self.username, self._errors, "username"))
        if user is not None:
            self.username.setText(user.username)
            self.username.setReadOnly(True)
            self.username.setEnabled(False)
        else:
            self.username.setPlaceholderText(_("Letters and digits, used to log in"))

        self.display_name = QLineEdit()
        self.display_name.setObjectName("displayName")
        self.display_name.setMaxLength(64)
        form.addRow(_("Name:"), field_with_error(self.display_name, self._errors, "display_name"))

        self.password: QLineEdit | None = None
        self.confirm_password: QLineEdit | None = None
        if user is None:
            self.password = _password_edit("password")
            self.password.setPlaceholderText(
                _("At least {n} characters").format(n=accounts.MIN_PASSWORD_LENGTH))
            form.addRow(_("Password:"), field_with_error(self.password, self._errors, "password"))
            self.confirm_password = _password_edit("confirmPassword")
            form.addRow(_("Password again:"),
                        field_with_error(self.confirm_password, self._errors, "confirm_password"))

        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in Role:
            self.role.addItem(role.label, role.value)
        form.addRow(_("Role:"), field_with_error(self.role, self._errors, "role"))

        groups_box = _GroupsBox()
        groups_box.setObjectName("groupsBox")
        grid = QGridLayout(groups_box)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setHorizontalSpacing(16)
        self.group_boxes: dict[int, QCheckBox] = {}
        for i, g in enumerate(GROUPS):
            box = QCheckBox(f"{g.number} {g.short_name}")
            box.setObjectName(f"group_{g.number}")
            box.setToolTip(g.name)
            grid.addWidget(box, i // 2, i % 2)
            self.group_boxes[g.number] = box
        self._groups_field = field_with_error(groups_box, self._errors, "groups")
        form.addRow(_("Working groups:"), self._groups_field)
        self._form = form

        self.active: QCheckBox | None = None
        if user is not None:
            self.active = QCheckBox(_("Active (may log in)"))
            self.active.setObjectName("active")
            form.addRow("", self.active)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addSpacing(6)
        layout.addWidget(ok_cancel_buttons(self))

        self.setMinimumWidth(460)
        if user is None:
            self.role.setCurrentIndex(self.role.findData(Role.MEMBER.value))
        else:
            self.display_name.setText(user.display_name)
            self.role.setCurrentIndex(self.role.findData(user.role.value))
            for g in user.groups:
                if g in self.group_boxes:
                    self.group_boxes[g].setChecked(True)
            assert self.active is not None
            self.active.setChecked(user.active)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        (self.username if user is None else self.display_name).setFocus()

    def selected_role(self) -> str:
        return str(self.role.currentData())

    def selected_groups(self) -> list[int]:
        if self.selected_role() != Role.MEMBER:
            return []  # only group members belong to working groups
        return [n for n, box in self.group_boxes.items() if box.isChecked()]

    def groups_visible(self) -> bool:
        return self._form.isRowVisible(self._groups_field)

    def _role_changed(self) -> None:
        self._form.setRowVisible(self._groups_field, self.selected_role() == Role.MEMBER)
        self.adjustSize()
        grow_to_fit(self)

    def accept(self) -> None:
        self._errors.clear()
        ctx, role, groups = self.ctx, self.selected_role(), self.selected_groups()
        display_name = self.display_name.text()
        if self.user is None:
            assert self.password is not None and self.confirm_password is not None
            username, password = self.username.text(), self.password.text()
            if password != self.confirm_password.text():
                _passwords_differ(self, self._errors)
                return

            def save(s: Session) -> object:
                return accounts.create_user(s, ctx.actor, username, display_name, password, role, groups)
        else:
            username = self.user.username
            active = self.active.isChecked() if self.active is not None else True

            def save(s: Session) -> object:
                accounts.update_user(s, ctx.actor, username, display_name=display_name, role=role,
                                     groups=groups, active=active)
                return True

        if ctx.ops.write(save, changed=[accounts.REGISTER], parent=self, form=self._errors) is not None:
            self.saved_username = username.strip()
            super().accept()
        else:
            grow_to_fit(self)


class PasswordResetDialog(QDialog):
    """An administrator sets a new password for an account; this also lifts a lock."""

    def __init__(self, ctx: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setObjectName("passwordResetDialog")
        self.setWindowTitle(_("Set a new password"))
        general = QLabel()
        general.setObjectName("error_general")
        self._errors = FieldErrors(general)

        intro = QLabel(_("New password for {name} ({user}):").format(name=user.display_name, user=user.username))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        self.password = _password_edit("password")
        self.password.setPlaceholderText(_("At least {n} characters").format(n=accounts.MIN_PASSWORD_LENGTH))
        form.addRow(_("New password:"), field_with_error(self.password, self._errors, "password"))
        self.confirm_password = _password_edit("confirmPassword")
        form.addRow(_("Password again:"), field_with_error(self.confirm_password, self._errors, "confirm_password"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if user.locked:
            note = note_label(_("The account is locked after too many wrong passwords; the new password unlocks it."))
            note.setObjectName("lockedNote")
            layout.addWidget(note)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addSpacing(6)
        layout.addWidget(ok_cancel_buttons(self))
        self.setMinimumWidth(440)
        self.password.setFocus()

    def accept(self) -> None:
        self._errors.clear()
        password = self.password.text()
        if password != self.confirm_password.text():
            _passwords_differ(self, self._errors)
            return
        ctx, username = self.ctx, self.user.username

        def save(s: Session) -> bool:
            accounts.reset_password(s, ctx.actor, username, password)
            return True

        if ctx.ops.write(save, changed=[accounts.REGISTER], parent=self, form=self._errors):
            super().accept()
        else:
            grow_to_fit(self)


# ------------------------------------------------------------------ the list


def user_columns() -> list[Column[UserInfo]]:
    return [
        Column("username", _("User name"), lambda u: u.username, width_chars=14),
        Column("display_name", _("Name"), lambda u: u.display_name, width_chars=12),
        Column("role", _("Role"), lambda u: u.role.label, width_chars=10),
        Column("groups", _("Working groups"), lambda u: groups_text(u.groups), width_chars=36,
               tooltip=lambda u: "\n".join(group(g).name for g in u.groups if 1 <= g <= len(GROUPS))),
        Column("active", _("Active"), lambda u: _("Yes") if u.active else _("No"), width_chars=6),
        Column("locked", _("Locked"), lambda u: _("Locked") if u.locked else "", width_chars=8),
    ]


def set_column_widths(view: QTableView, columns: Sequence[Column[Any]]) -> None:
    """Initial widths from each column's `width_chars`; the user may drag them."""
    char = max(view.fontMetrics().averageCharWidth(), 1)
    for i, column in enumerate(columns):
        view.setColumnWidth(i, column.width_chars * char + 16)


class UsersDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("usersDialog")
        self.setWindowTitle(_("User accounts"))

        self.model: PagedTableModel[UserInfo] = PagedTableModel(
            ctx.ops.read, user_columns(), ListSource(lambda s: accounts.list_users(s, ctx.actor)), self)
        self.model.row_background = lambda u: None if u.active else INACTIVE_BACKGROUND
        self.table = QTableView()
        self.table.setObjectName("usersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(lambda _index: self.edit_user())

        self.add_button = QPushButton(_("Add…"))
        self.add_button.setObjectName("addButton")
        self.add_button.clicked.connect(self.add_user)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.setObjectName("editButton")
        self.edit_button.clicked.connect(self.edit_user)
        self.reset_button = QPushButton(_("Set new password…"))
        self.reset_button.setObjectName("resetPasswordButton")
        self.reset_button.clicked.connect(self.reset_password)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.button(QDialogButtonBox.StandardButton.Close).setObjectName("closeButton")
        close.rejected.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.refresh()
        self.table.resizeColumnsToContents()  # a handful of rows: fit them
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, self.table.columnWidth(column) + 12)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self.resize(max(820, self.table.horizontalHeader().length() + 40), 440)

    # -- state

    def refresh(self, select: str | None = None) -> None:
        keep = select or (self.selected_user().username if self.selected_user() else None)
        self.model.refresh()
        if keep:
            self.select_user(keep)
        self._update_buttons()

    def selected_user(self) -> UserInfo | None:
        if self.table.selectionModel() is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def select_user(self, username: str) -> bool:
        for row in range(self.model.rowCount()):
            user = self.model.row(row)
            if user is not None and user.username == username:
                self.table.selectionModel().select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _update_buttons(self) -> None:
        chosen = self.selected_user() is not None
        self.edit_button.setEnabled(chosen)
        self.reset_button.setEnabled(chosen)

    # -- actions: each opens a window-modal sub-dialog and returns it (tests fill it in)

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda d=dialog: self.refresh(getattr(d, "saved_username", None)))
        dialog.open()
        return dialog

    def add_user(self) -> QDialog:
        return self._open(UserEditDialog(self.ctx, None, self))

    def edit_user(self) -> QDialog | None:
        user = self.selected_user()
        return self._open(UserEditDialog(self.ctx, user, self)) if user else None

    def reset_password(self) -> QDialog | None:
        user = self.selected_user()
        return self._open(PasswordResetDialog(self.ctx, user, self)) if user else None
