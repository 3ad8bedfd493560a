"""The first start on an empty database: either a new office on this PC (the office's name and
the first administrator), or this PC joins the office's server (it downloads its working copy;
the accounts come with it, and the log-in follows)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QFrame, QLabel, QLineEdit, QRadioButton, QSizePolicy, QStackedWidget,
    QVBoxLayout, QWidget,
)

from civaffairs.accounts import service as accounts

from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.join_server import JoinPage
from civaffairs.gui.operations import Operations


def add_field(form: QFormLayout, errors: FieldErrors, name: str, label: str, editor: QWidget) -> None:
    """A labelled editor with its error line under it."""
    editor.setObjectName(f"field_{name}")
    form.addRow(label, editor)
    form.addRow("", errors.add(name, editor))


class FirstRunDialog(QDialog):
    NEW_OFFICE, JOIN = 0, 1

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("firstRun")
        self.setWindowTitle(_("Set up civaffairs"))
        layout = QVBoxLayout(self)
        welcome = QLabel(_("Welcome. This is the first start on this PC. How does it begin?"))
        welcome.setWordWrap(True)
        layout.addWidget(welcome)
        self.new_office_choice = QRadioButton(_("Set up a new office on this PC"))
        self.new_office_choice.setObjectName("newOfficeChoice")
        self.join_choice = QRadioButton(_("Connect to the office server (this office already has a server)"))
        self.join_choice.setObjectName("joinChoice")
        self.choices = QButtonGroup(self)
        self.choices.addButton(self.new_office_choice, self.NEW_OFFICE)
        self.choices.addButton(self.join_choice, self.JOIN)
        self.new_office_choice.setChecked(True)
        for choice in (self.new_office_choice, self.join_choice):  # as wide as its words: a click beside is no choice
            choice.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        layout.addSpacing(4)
        layout.addWidget(self.new_office_choice)
        layout.addWidget(self.join_choice)
        self.join_choice.setVisible(db.is_sqlite)  # a working copy is this PC's own file, never a server
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addSpacing(6)
        layout.addWidget(line)
        layout.addSpacing(6)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._new_office_page())
        self.join_page = JoinPage(db, self)
        self.join_page.sig_joined.connect(lambda _rows: self.accept())
        self.pages.addWidget(self.join_page)
        layout.addWidget(self.pages)
        layout.addStretch(1)
        layout.addSpacing(10)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.choices.idToggled.connect(lambda _id, on: on and self._choose())
        self._choose()
        self.resize(600, self.sizeHint().height())

    def _new_office_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("newOfficePage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(_("Enter your office's name and create the first administrator account; the other PCs of "
                         "the office can join it later through an office server."))
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
        return page

    @property
    def server(self):  # type: ignore[no-untyped-def]
        """The server's fields (`join_server.ServerFields`)."""
        return self.join_page.fields

    def _choose(self) -> None:
        joining = self.choices.checkedId() == self.JOIN
        self.pages.setCurrentIndex(self.JOIN if joining else self.NEW_OFFICE)
        self.ok_button.setText(_("Connect") if joining else _("Set up"))
        self.ok_button.setObjectName("connectButton" if joining else "setUpButton")

    def reject(self) -> None:
        if self.join_page.busy:  # a download is stopped with its own Cancel, never left running
            return
        super().reject()

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.errors.show_field_errors(errors)

    def submit(self) -> None:
        if self.choices.checkedId() == self.JOIN:
            self.join_page.join()
            return
        if self.password.text() != self.password_confirm.text():
            self.errors.show_field_errors({"password_confirm": _("The two passwords differ.")})
            return
        values = (self.office_name.text(), self.username.text().strip(), self.display_name.text(), self.password.text())
        done = Operations(self.db).write(lambda s: accounts.initialise_office(s, *values), parent=self, form=self.errors)
        if done is not None:
            self.accept()
