"""First start → log-in → main window (and back to log-in on logging out)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.gui.context import AppContext
from civaffairs.gui.first_run import FirstRunDialog
from civaffairs.gui.login import LoginDialog
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.gui.signals import emit


class Startup(QObject):
    sig_main_window_shown = Signal(object)

    def __init__(self, db: Database, data_dir: Path, prefs: Preferences,
                 login_dialog: LoginDialog | None = None) -> None:
        """`login_dialog`: one already on screen, shown before the database was open."""
        super().__init__()
        self.db, self.data_dir, self.prefs = db, data_dir, prefs
        self.first_run_dialog: FirstRunDialog | None = None
        self.login_dialog: LoginDialog | None = login_dialog
        self.main_window = None

    def start(self) -> None:
        with self.db.read() as s:
            initialised = accounts.is_initialised(s)
        if initialised:
            self.show_login()
        else:
            if self.login_dialog is not None:  # shown early, but this database has no accounts yet
                self.login_dialog.close()
                self.login_dialog = None
            self.first_run_dialog = FirstRunDialog(self.db)
            self.first_run_dialog.accepted.connect(self.show_login)
            self.first_run_dialog.show()

    def show_login(self) -> None:
        with self.db.read() as s:
            office = accounts.office_name(s)
        self.prefs.office_name_seen = office  # for the next start's early log-in
        early = self.login_dialog
        if early is not None and early.db is None and early.isVisible():
            early.sig_logged_in.connect(self.show_main_window)
            early.set_database(self.db, office)
            return
        self.login_dialog = LoginDialog(self.db, office, self.prefs)
        self.login_dialog.sig_logged_in.connect(self.show_main_window)
        self.login_dialog.show()

    def show_main_window(self, actor: Actor) -> None:
        from civaffairs.gui.main_window import MainWindow

        with self.db.read() as s:
            office = accounts.office_name(s)
        ops = Operations(self.db, actor)
        ctx = AppContext(self.db, ops, actor, self.data_dir, self.prefs, office)
        self.main_window = MainWindow(ctx)
        self.main_window.sig_logout.connect(self._logout)
        self.main_window.sig_reopen.connect(self.reopen)
        self.main_window.show()
        emit(self.sig_main_window_shown, self.main_window)

    def reopen(self) -> None:
        """Start again on the database file as it is now (after a restore): log-in first."""
        from civaffairs.db.bootstrap import open_database
        from civaffairs.gui.errors import present_error

        if self.main_window is not None:
            self.main_window.close()
            self.main_window.deleteLater()
            self.main_window = None
        url = self.db.url
        self.db.dispose()
        try:
            self.db = open_database(self.data_dir, url)
        except Exception as e:  # noqa: BLE001 - shown, never a traceback
            present_error(None, e)
            return
        self.start()

    def _logout(self) -> None:
        if self.main_window is not None:
            self.main_window.close()
            self.main_window.deleteLater()
            self.main_window = None
        self.show_login()
