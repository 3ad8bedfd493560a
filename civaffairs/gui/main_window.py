"""The main window: the overview tab and one tab per working group, in the order of the brief."""
from __future__ import annotations

import importlib.util
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from civaffairs import __version__
from civaffairs.core.i18n import _
from civaffairs.core.paths import database_in_words, describe_url
from civaffairs.groups import GROUPS
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import ERROR_STYLE
from civaffairs.gui.group_tab import build_group_tab, build_supervision_tab
from civaffairs.gui.operations import Progress
from civaffairs.gui.overview import OverviewTab
from civaffairs.gui.register_view import RegisterView


class MainWindow(QMainWindow):
    sig_logout = Signal()
    sig_reopen = Signal()  # the database was restored from a backup: start again on it

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self._update_title()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.overview = OverviewTab(ctx)
        self.tabs.addTab(self.overview, _("Overview"))
        # The groups' tabs are built when first shown (or asked for): built all at once, their 50
        # lists and forms took seconds between the log-in and the window.
        self._unbuilt: dict[QWidget, Callable[[], QWidget | None]] = {}
        for group in GROUPS:
            self._add_tab_later(lambda g=group: build_group_tab(ctx, g), group.short_name, group.name)
        if importlib.util.find_spec("civaffairs.supervision") is not None:
            self._add_tab_later(lambda: build_supervision_tab(ctx), _("Supervision"),
                                _("The three supervision teams: inspections and corrections"))
        self.tabs.currentChanged.connect(self.build_tab)
        self.setCentralWidget(self.tabs)
        self.overview.demo_button.clicked.connect(self.fill_demo_data)
        self._build_menus()
        self._build_status_bar()
        from civaffairs.gui.backup_dialog import DailyBackup, daily_backup_text

        self.daily_backup = DailyBackup(ctx, self)
        self.daily_backup.sig_done.connect(
            lambda info, error: self.statusBar().showMessage(daily_backup_text(info, error), 15000))
        from civaffairs.gui.idle_lock import IdleLock

        self.idle_lock = IdleLock(self, ctx)  # also re-checks the account before every write
        self.idle_lock.sig_log_out.connect(self.sig_logout.emit)
        self.exchanger = None  # a PC working with an office server: its exchanges, status and 同步 menu
        if ctx.db.working_copy:
            from civaffairs.gui.sync_status import install_sync

            self.exchanger = install_sync(self)
        state = ctx.prefs.window_state("main")
        if state is None or not self.restoreGeometry(state):
            self.resize(1280, 800)

    def _add_tab_later(self, build: Callable[[], QWidget | None], title: str, tooltip: str) -> None:
        placeholder = QWidget()
        placeholder.setObjectName("tabNotBuiltYet")
        index = self.tabs.addTab(placeholder, title)
        self.tabs.setTabToolTip(index, tooltip)
        self._unbuilt[placeholder] = build

    def build_tab(self, index: int) -> QWidget:
        """The tab at `index`, built now if it was not yet (its place, title and tip kept)."""
        placeholder = self.tabs.widget(index)
        build = self._unbuilt.pop(placeholder, None)
        if build is None:
            return placeholder
        tab = build() or QWidget()
        current = self.tabs.currentIndex()
        title, tooltip = self.tabs.tabText(index), self.tabs.tabToolTip(index)
        blocker = QSignalBlocker(self.tabs)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, tab, title)
        self.tabs.setTabToolTip(index, tooltip)
        self.tabs.setCurrentIndex(current)
        del blocker
        placeholder.deleteLater()
        return tab

    def build_all_tabs(self) -> None:
        for index in range(self.tabs.count()):
            self.build_tab(index)

    def tabs_not_built(self) -> int:
        return len(self._unbuilt)

    def find_register_view(self, register_key: str) -> RegisterView | None:
        """The main list of a register, building the tabs one by one until one holds it."""
        def found() -> RegisterView | None:
            return next((v for v in self.findChildren(RegisterView)
                         if v.spec.key == register_key and not v.in_detail_pane), None)

        view = found()
        for index in range(self.tabs.count()):
            if view is not None:
                break
            if self.tabs.widget(index) in self._unbuilt:
                self.build_tab(index)
                view = found()
        return view

    @property
    def group_tabs(self) -> list[QWidget]:
        return [self.build_tab(i) for i in range(1, 1 + len(GROUPS))]

    @property
    def supervision_tab(self) -> QWidget | None:
        index = 1 + len(GROUPS)
        return self.build_tab(index) if index < self.tabs.count() else None

    def _update_title(self) -> None:
        self.setWindowTitle(_("{office} – epidemic prevention registers").format(office=self.ctx.office_name))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.settings_action = QAction(_("Settings…"), self)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        logout = QAction(_("Log out"), self)
        logout.triggered.connect(self.sig_logout.emit)
        file_menu.addAction(logout)
        file_menu.addSeparator()
        quit_action = QAction(_("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        # 查人: Ctrl+Shift+F, because every register list takes Ctrl+F for its own search box.
        from civaffairs.people.service import may_search

        search_menu = bar.addMenu(_("&Search"))
        self.find_person_action = QAction(_("Find a person…"), self)
        self.find_person_action.setObjectName("findPersonAction")
        self.find_person_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.find_person_action.setEnabled(may_search(self.ctx.actor))
        self.find_person_action.triggered.connect(self.open_find_person)
        search_menu.addAction(self.find_person_action)

        if self.ctx.actor.is_administrator:
            admin = bar.addMenu(_("&Administration"))
            self.users_action = QAction(_("User accounts…"), self)
            self.users_action.triggered.connect(self.open_users)
            admin.addAction(self.users_action)
            self.audit_action = QAction(_("Audit log…"), self)
            self.audit_action.triggered.connect(self.open_audit_log)
            admin.addAction(self.audit_action)
            self.imports_action = QAction(_("Imports from Excel…"), self)
            self.imports_action.triggered.connect(self.open_imports)
            admin.addAction(self.imports_action)
            self.backup_action = QAction(_("Backups and restore…"), self)
            self.backup_action.setObjectName("backupAction")
            self.backup_action.triggered.connect(self.open_backups)
            admin.addAction(self.backup_action)
            if self.ctx.db.is_sqlite and not self.ctx.db.working_copy:  # a single PC: 迁到办公室服务器…
                from civaffairs.gui.join_server import add_publish_action

                add_publish_action(self, admin)
            admin.addSeparator()
            self.demo_action = QAction(_("Fill with demo data…"), self)
            self.demo_action.triggered.connect(self.fill_demo_data)
            admin.addAction(self.demo_action)

        help_menu = bar.addMenu(_("&Help"))
        about = QAction(_("About"), self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, _("About"), _("civaffairs {version}\nEpidemic prevention registers of the civil affairs bureau.\nWorks without a network.").format(version=__version__)))
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        actor = self.ctx.actor
        self.user_label = QLabel(_("User: {name} ({username})").format(name=actor.display_name, username=actor.username))
        self.user_label.setObjectName("statusUser")
        self.role_label = QLabel(_("Role: {role}").format(role=actor.role.label))
        self.role_label.setObjectName("statusRole")
        self.database_label = QLabel(_("Database: {db}").format(db=database_in_words(self.ctx.db.url)))
        self.database_label.setToolTip(describe_url(self.ctx.db.url))
        self.database_label.setObjectName("statusDatabase")
        self.unreachable_label = QLabel(_("Database server unreachable"))
        self.unreachable_label.setObjectName("statusUnreachable")
        self.unreachable_label.setStyleSheet(ERROR_STYLE)
        self.unreachable_label.hide()  # shown from a lost server until the next successful action
        self.ctx.ops.sig_reachable.connect(lambda reachable: self.unreachable_label.setVisible(not reachable))
        for label in (self.unreachable_label, self.user_label, self.role_label, self.database_label):
            self.statusBar().addPermanentWidget(label)

    # -- actions

    def open_settings(self) -> None:
        from civaffairs.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        dialog.accepted.connect(self._update_title)
        dialog.accepted.connect(lambda: self.idle_lock.set_idle_seconds(60 * self.ctx.prefs.idle_lock_minutes))
        dialog.open()
        self.settings_dialog = dialog

    def open_find_person(self) -> None:
        from civaffairs.gui.find_person import FindPersonDialog

        if getattr(self, "find_person_dialog", None) is None:
            self.find_person_dialog = FindPersonDialog(self.ctx, self)
        self.find_person_dialog.show()
        self.find_person_dialog.raise_()
        self.find_person_dialog.activateWindow()
        self.find_person_dialog.query.setFocus()
        self.find_person_dialog.query.selectAll()

    def open_users(self) -> None:
        from civaffairs.gui.admin.users import UsersDialog

        self.users_dialog = UsersDialog(self.ctx, self)
        self.users_dialog.open()

    def open_imports(self) -> None:
        from civaffairs.gui.admin.imports import ImportBatchesDialog

        self.imports_dialog = ImportBatchesDialog(self.ctx, self)
        self.imports_dialog.open()

    def open_backups(self) -> None:
        from civaffairs.gui.backup_dialog import BackupDialog

        self.backup_dialog = BackupDialog(self.ctx, self)
        self.backup_dialog.sig_restored.connect(self.sig_reopen.emit)
        self.backup_dialog.open()

    def open_audit_log(self) -> None:
        from civaffairs.gui.admin.audit import AuditLogDialog

        self.audit_dialog = AuditLogDialog(self.ctx, self)
        self.audit_dialog.open()

    def fill_demo_data(self) -> None:
        from civaffairs import demo

        ctx = self.ctx

        def job(progress: Progress) -> dict[str, int]:
            counts = demo.fill(ctx.db, actor=ctx.actor, progress=progress.report)
            demo.fill_groups(ctx.db, actor=ctx.actor, progress=progress.report)
            return counts

        def done(counts: dict[str, int]) -> None:
            self.statusBar().showMessage(
                _("Added: {staff} staff, {check_ins} check-ins, {visitors} visitors, {disinfection} disinfection entries.").format(**counts), 10000)

        self.demo_worker = ctx.ops.run_in_background(_("Filling with demo data…"), job, done, parent=self, changed=())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.prefs.set_window_state("main", self.saveGeometry())
        self.ctx.prefs.sync()
        self.overview.shutdown()
        self.daily_backup.stop()
        if self.exchanger is not None:
            self.exchanger.stop()
        self.ctx.ops.wait_all()
        super().closeEvent(event)
