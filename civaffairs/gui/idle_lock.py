"""The idle lock: after a while without keyboard or mouse input the program's windows are hidden
behind a lock screen that asks for the same user's password again.  Nothing is closed, so
open forms keep what was typed in them.  The same lock ends a session whose account an
administrator changed (`SessionEnded`): the user confirms the password and goes on, or logs out.

Cheap by design: the application event filter only notes the time of the last input; one
single-shot timer wakes up when the idle time could have run out, and re-arms itself for the
rest if there was input meanwhile."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from civaffairs.accounts import service as accounts
from civaffairs.core.errors import CivaffairsError, SessionEnded
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.errors import present_error
from civaffairs.gui.field_errors import ERROR_STYLE
from civaffairs.gui.signals import emit
from civaffairs.gui.widgets import heading

_INPUT = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.HoverMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})


class LockScreen(QWidget):
    """Takes the main window's place while it is locked.  Only the locked user's password opens
    it; anyone else logs out."""

    sig_unlock = Signal(str)
    """Emitted with the typed password."""
    sig_log_out = Signal()

    def __init__(self, ctx: AppContext, notice: str) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("lockScreen")
        self.setWindowTitle(_("Locked – {office}").format(office=ctx.office_name))
        self._closing = False
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        box = QWidget()
        box.setFixedWidth(460)  # a fixed width lets the wrapped texts take the height they need
        inner = QVBoxLayout(box)
        title = heading(ctx.office_name or _("Epidemic prevention registers"), "lockOffice", grow=5)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(title)
        self.notice = QLabel(notice)
        self.notice.setObjectName("lockNotice")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.notice)
        form = QFormLayout()
        user = QLabel(_("{name} ({username})").format(name=ctx.actor.display_name, username=ctx.actor.username))
        user.setObjectName("lockUser")
        form.addRow(_("User:"), user)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setObjectName("lockPassword")
        form.addRow(_("Password:"), self.password)
        inner.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("lockError")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        inner.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.log_out_button = QPushButton(_("Log out"))
        self.log_out_button.setObjectName("lockLogOut")
        self.log_out_button.setToolTip(_("Another user: log out here, then log in with your own account."))
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.log_out_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.unlock_button.clicked.connect(lambda: emit(self.sig_unlock, self.password.text()))
        self.password.returnPressed.connect(self.unlock_button.click)
        self.log_out_button.clicked.connect(lambda: emit(self.sig_log_out))
        inner.addWidget(buttons)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.password.setFocus()

    def show_error(self, message: str) -> None:
        self.message.setText(message)
        self.password.clear()
        self.password.setFocus()

    def refuse_unlock(self, message: str) -> None:
        """Only logging out is left (the account's rights changed)."""
        self.show_error(message)
        self.password.setEnabled(False)
        self.unlock_button.setEnabled(False)
        self.log_out_button.setDefault(True)

    def dismiss(self) -> None:
        self._closing = True
        self.close()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window's close box does not unlock it: the password or "Log out" does.
        if self._closing:
            super().closeEvent(event)
        else:
            event.ignore()


class IdleLock(QObject):
    """Installed once per main window; locks it after `ctx.prefs.idle_lock_minutes` idle."""

    sig_locked = Signal()
    sig_unlocked = Signal()
    sig_log_out = Signal()
    """The user chose to log out from the lock screen: the window closes as "Log out" does."""

    def __init__(self, window: QWidget, ctx: AppContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.screen: LockScreen | None = None
        self._hidden: list[QWidget] = []
        self._last_input = time.monotonic()
        self._idle_seconds = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        accounts.sign_in(ctx.db, ctx.actor)  # every write of this session re-checks the account
        ctx.ops.on_session_ended = self._session_ended
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.set_idle_seconds(60 * ctx.prefs.idle_lock_minutes)

    @property
    def locked(self) -> bool:
        return self.screen is not None

    def set_idle_seconds(self, seconds: float) -> None:
        """0 never locks."""
        self._idle_seconds = seconds
        self._last_input = time.monotonic()
        if seconds > 0 and not self.locked:
            self._timer.start(int(seconds * 1000))
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self._last_input = time.monotonic()
        return False

    def _check(self) -> None:
        if self.locked or self._idle_seconds <= 0:
            return
        remaining = self._idle_seconds - (time.monotonic() - self._last_input)
        if remaining > 0:
            self._timer.start(int(remaining * 1000) + 1)
        else:
            self.lock()

    def _session_ended(self, error: SessionEnded) -> None:
        self.lock(error.message)

    def lock(self, notice: str = "") -> None:
        if self.screen is not None:
            if notice:
                self.screen.notice.setText(notice)
            return
        self._timer.stop()
        popup = QApplication.activePopupWidget()
        while popup is not None:  # an open menu or drop-down list
            popup.close()
            popup = QApplication.activePopupWidget()
        self.screen = LockScreen(self.ctx, notice or _("The window was locked after a time without use. "
                                                       "Enter your password to go on where you left off."))
        self.screen.sig_unlock.connect(self.try_unlock)
        self.screen.sig_log_out.connect(self.log_out)
        self.screen.setGeometry(self.window.geometry())
        self.screen.show()
        # Hidden, not closed: every form keeps what was typed in it.  The main window first, so
        # that its dialogs come back on top of it.
        windows = [w for w in QApplication.topLevelWidgets()
                   if w.isVisible() and w is not self.screen
                   and w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)]
        self._hidden = sorted(windows, key=lambda w: w is not self.window)
        for w in self._hidden:
            w.hide()
        self.screen.activateWindow()
        self.screen.password.setFocus()
        emit(self.sig_locked)

    def try_unlock(self, password: str) -> None:
        assert self.screen is not None
        old = self.ctx.actor
        try:
            actor = accounts.login(self.ctx.db, old.username, password)  # audited as the log-in is
        except CivaffairsError as e:  # a wrong password answers as the log-in does
            self.screen.show_error(e.message)
            return
        except Exception as e:  # noqa: BLE001 - shown without a traceback
            present_error(self.screen, e)
            return
        if (actor.role, actor.groups) != (old.role, old.groups):
            # The open window shows the old rights: it must be opened again with the new ones.
            self.screen.refuse_unlock(_("Your rights were changed by the administrator. "
                                        "Please log out and log in again to work with the new rights."))
            return
        # The same rights (a new password, say): go on in this window under the fresh account.
        self.ctx.actor = actor
        self.ctx.ops.actor = actor
        accounts.sign_in(self.ctx.db, actor)
        self.unlock()

    def unlock(self) -> None:
        if self.screen is not None:
            self.screen.dismiss()
            self.screen = None
        for w in self._hidden:
            w.show()
        if self._hidden:
            self._hidden[-1].activateWindow()
        self._hidden = []
        self.set_idle_seconds(self._idle_seconds)
        emit(self.sig_unlocked)

    def log_out(self) -> None:
        if self.screen is not None:
            self.screen.dismiss()
            self.screen = None
        self._hidden = []
        emit(self.sig_log_out)
