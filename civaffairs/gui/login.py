"""Log-in.  Five wrong passwords lock an account for 15 minutes (enforced by the service)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from civaffairs.accounts import service as accounts
from civaffairs.core.errors import AuthenticationFailed
from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.gui.errors import present_error
from civaffairs.gui.field_errors import ERROR_STYLE
from civaffairs.gui.settings import Preferences
from civaffairs.gui.widgets import heading
from civaffairs.gui.signals import emit


class LoginDialog(QDialog):
    sig_logged_in = Signal(object)
    """Emitted with the `Actor` after a successful log-in."""

    def __init__(self, db: Database, office_name: str, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.prefs = db, prefs
        self.actor = None
        self.setObjectName("login")
        self.setWindowTitle(_("Log in"))
        layout = QVBoxLayout(self)
        title = heading(office_name or _("Epidemic prevention registers"), "officeName", grow=5)
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

    def submit(self) -> None:
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
