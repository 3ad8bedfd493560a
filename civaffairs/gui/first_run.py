"""The first start on an empty database: the office's name and the first administrator."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from civaffairs.accounts import service as accounts

from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.operations import Operations


def add_field(form: QFormLayout, errors: FieldErrors, name: str, label: str, editor: QWidget) -> None:
    """A labelled editor with its error line under it."""
    editor.setObjectName(f"field_{name}")
    form.addRow(label, editor)
    form.addRow("", errors.add(name, editor))


class FirstRunDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("firstRun")
        self.setWindowTitle(_("Set up civaffairs"))
        layout = QVBoxLayout(self)
        intro = QLabel(_("Welcome. This is the first start on this database.\n"
                         "Enter your office's name and create the first administrator account."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        general = QLabel()
        self.errors = FieldErrors(general)
        layout.addWidget(general)
        form = QFormLayout()
        self.office_name = QLineEdit()
        self.office_name.setPlaceholderText(_("e.g. Maiji District Civil Affairs Bureau"))
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password_confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        add_field(form, self.errors, "office_name", _("Office name"), self.office_name)
        add_field(form, self.errors, "username", _("Administrator user name"), self.username)
        add_field(form, self.errors, "display_name", _("Administrator's name"), self.display_name)
        add_field(form, self.errors, "password", _("Password"), self.password)
        add_field(form, self.errors, "password_confirm", _("Repeat the password"), self.password_confirm)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.errors.show_field_errors(errors)

    def submit(self) -> None:
        if self.password.text() != self.password_confirm.text():
            self.errors.show_field_errors({"password_confirm": _("The two passwords differ.")})
            return
        values = (self.office_name.text(), self.username.text().strip(), self.display_name.text(), self.password.text())
        done = Operations(self.db).write(lambda s: accounts.initialise_office(s, *values), parent=self, form=self.errors)
        if done is not None:
            self.accept()


