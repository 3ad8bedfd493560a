"""Log-in.  Five wrong passwords lock an account for 15 minutes (enforced by the service).

The dialog can be shown before its database is open (`db=None`): the program shows it first and
opens the database meanwhile (`civaffairs.gui.app.start`), so it imports nothing of the database
layer until it has one; a log-in asked for before then waits for `set_database`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from civaffairs.core.errors import AuthenticationFailed
from civaffairs.core.i18n import _
from civaffairs.gui.errors import present_error
from civaffairs.gui.field_errors import ERROR_STYLE
from civaffairs.gui.settings import Preferences
from civaffairs.gui.widgets import heading
from civaffairs.gui.signals import emit

if TYPE_CHECKING:
    from civaffairs.db.database import Database


class LoginDialog(QDialog):
    sig_logged_in = Signal(object)
    """Emitted with the `Actor` after a successful log-in."""

    def __init__(self, db: Database | None, office_name: str, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.prefs = db, prefs
        self.actor = None
        self._waiting = False  # "log in" was asked for before the database was open
        self.setObjectName("login")
        self.setWindowTitle(_("Log in"))
        layout = QVBoxLayout(self)
        self.title = title = heading(office_name or _("Epidemic prevention registers"), "officeName", grow=5)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        subtitle = QLabel(_("Epidemic prevention registers"))
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(subtitle)
        form = QFormLayout()
        self.username = QLineEdit(prefs.last_username)
        self.username.setObjectName("username")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setObjectName("password")
        form.addRow(_("User name"), self.username)
        form.addRow(_("Password"), self.password)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("loginError")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Log in"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if self.username.text() else self.username).setFocus()
        self.resize(380, self.sizeHint().height())

    def set_database(self, db: Database, office_name: str) -> None:
        """The database is open: log in with it (at once, if the user already asked to)."""
        self.db = db
        if office_name:
            self.title.setText(office_name)
        if self._waiting:
            self._waiting = False
            self.message.clear()
            self.submit()

    def submit(self) -> None:
        if self.db is None:
            self._waiting = True
            self.message.setStyleSheet("")  # news, not an error
            self.message.setText(_("Opening the database…"))
            return
        self.message.setStyleSheet(ERROR_STYLE)
        from civaffairs.accounts import service as accounts

        try:
            actor = accounts.login(self.db, self.username.text(), self.password.text())
        except AuthenticationFailed as e:
            self.message.setText(e.message)
            self.password.clear()
            self.password.setFocus()
            return
        except Exception as e:  # noqa: BLE001 - e.g. the server is down
            present_error(self, e)
            return
        self.actor = actor
        self.prefs.last_username = actor.username
        self.accept()
        emit(self.sig_logged_in, actor)
