"""备份与恢复: the backups with their results, "Back up now" to a chosen folder or USB drive, and
"Restore" after a confirmation naming the backup's date and rows; the daily automatic backup; and
the message shown at start when the database file is damaged.  The work is the Qt-free
`civaffairs.backup.service`, always off the GUI thread."""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
    QProgressDialog, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.accounts.roles import Actor, Role
from civaffairs.backup import service
from civaffairs.core.errors import DatabaseDamaged
from civaffairs.core.i18n import N_, _
from civaffairs.gui.context import AppContext
from civaffairs.gui.errors import present_error
from civaffairs.gui.signals import emit

DAILY_CHECK_MS = 60 * 60 * 1000  # whether the daily backup is due: every hour (the program runs for days)
FIRST_CHECK_MS = 2 * 60 * 1000  # and once soon after log-in, when the window has settled
# Who restores at start, when the damaged database cannot say who may: the person at this PC.
AT_START_ACTOR = Actor("startup", N_("Restore at start"), Role.ADMINISTRATOR)


class BackupDialog(QDialog):
    sig_restored = Signal()
    """The database was replaced: the window must reopen on it."""

    COLUMNS = [N_("Date"), N_("Kind"), N_("Size"), N_("Records"), N_("Check"), N_("Folder")]

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.folders: list[Path] = []  # other folders backed up to in this session (a USB drive)
        self.backups: list[service.BackupInfo] = []
        self.last_message = ""
        self.confirm_box: QMessageBox | None = None
        self.setObjectName("backupDialog")
        self.setWindowTitle(_("Backups and restore"))
        layout = QVBoxLayout(self)
        if ctx.db.is_sqlite:
            where = _("Every day the program backs up the database by itself into {folder} (the last 7 days, "
                      "4 weeks and 12 months are kept). “Back up now” writes a backup to a folder you choose, "
                      "e.g. a USB drive; those are never deleted.").format(folder=service.daily_dir(ctx.data_dir))
        else:
            where = _("The database is on the server: “Back up now” calls pg_dump; restore it on the server "
                      "with pg_restore.")
        self.note = QLabel(where)
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("backupsTable")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton(_("Back up now…"))
        self.backup_button.setObjectName("backupButton")
        self.backup_button.clicked.connect(lambda: self.back_up())
        self.restore_button = QPushButton(_("Restore…"))
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(lambda: self.restore_selected())
        self.restore_file_button = QPushButton(_("Restore from a file…"))
        self.restore_file_button.setObjectName("restoreFileButton")
        self.restore_file_button.clicked.connect(lambda: self.restore_file())
        self.verify_button = QPushButton(_("Check again"))
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.clicked.connect(self.verify_selected)
        for b in (self.backup_button, self.restore_button, self.restore_file_button, self.verify_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.restore_file_button.setVisible(ctx.db.is_sqlite)
        self.resize(900, 480)
        self.refresh()

    # -- the list

    def refresh(self) -> None:
        found = service.known_backups(self.ctx.data_dir)
        known = {b.path for b in found}
        for folder in self.folders:
            found += [b for b in service.list_backups(folder) if b.path not in known]
        self.backups = sorted(found, key=lambda b: b.created, reverse=True)
        self.table.setRowCount(len(self.backups))
        for row, b in enumerate(self.backups):
            cells = [f"{b.created:%Y-%m-%d %H:%M}", b.kind_label, service.size_text(b.size),
                     str(b.rows) if b.counts else "", b.result_text, str(b.path.parent)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 4 and b.verified is False:
                    item.setForeground(Qt.GlobalColor.red)
                if col in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(str(b.path))
                self.table.setItem(row, col, item)
        if self.backups:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> service.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.restore_button.setEnabled(self.ctx.db.is_sqlite and chosen is not None
                                       and chosen.path.suffix != service.DUMP_SUFFIX)
        self.verify_button.setEnabled(chosen is not None)

    # -- backing up

    def back_up(self, folder: Path | None = None) -> None:
        if folder is None:
            name = QFileDialog.getExistingDirectory(self, _("Back up to which folder (e.g. a USB drive)?"),
                                                    str(service.backups_dir(self.ctx.data_dir)))
            if not name:
                return
            folder = Path(name)
        target = Path(folder)
        ctx = self.ctx

        def job(progress: Any) -> service.BackupInfo:
            return service.backup_now(ctx.db, target, ctx.actor, progress=progress.report)

        def done(info: service.BackupInfo) -> None:
            if target not in self.folders and target != service.backups_dir(ctx.data_dir):
                self.folders.append(target)
            self.refresh()
            if info.verified:
                self.last_message = _("The backup was written and verified:\n{file}\n({size}, {rows} records)").format(
                    file=info.path, size=service.size_text(info.size), rows=info.rows)
            else:
                self.last_message = _("The backup {file} failed its check: {problems}.").format(
                    file=info.path, problems="；".join(info.problems))
            self.result_box = QMessageBox(
                QMessageBox.Icon.Information if info.verified else QMessageBox.Icon.Warning,
                _("Backups and restore"), self.last_message, QMessageBox.StandardButton.Ok, self)
            self.result_box.setObjectName("backupResultBox")
            self.result_box.open()  # window-modal, not blocking

        self.worker = ctx.ops.run_in_background(_("Backing up the database…"), job, done, parent=self)

    def verify_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.worker = self.ctx.ops.run_in_background(
            _("Checking the backup…"), lambda _p: service.verify_backup(chosen.path), lambda _i: self.refresh(),
            parent=self)

    # -- restoring

    def restore_file(self, path: Path | None = None) -> None:
        if path is None:
            name, _f = QFileDialog.getOpenFileName(self, _("Restore from a backup file"), "",
                                                   _("Backups") + " (*.sqlite3 *.sqlite)")
            if not name:
                return
            path = Path(name)
        ctx = self.ctx
        self.worker = ctx.ops.run_in_background(
            _("Checking the backup…"), lambda _p: service.verify_backup(Path(path)),
            lambda info: self._confirm(info) if info.verified else present_error(self, service.BackupFailed(
                _("The backup {file} did not pass its check and was not restored: {problems}.").format(
                    file=info.path.name, problems="；".join(info.problems)))),
            parent=self)

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.restore_button.isEnabled():
            self._confirm(chosen)

    def _confirm(self, info: service.BackupInfo) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, _("Restore a backup"), service.confirmation_text(info),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("restoreConfirmation")
        box.restore = box.addButton(_("Restore"), QMessageBox.ButtonRole.DestructiveRole)  # type: ignore[attr-defined]
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: self._confirmed(info) if box.clickedButton() is box.restore else None)  # type: ignore[attr-defined]
        self.confirm_box = box
        box.open()

    def _confirmed(self, info: service.BackupInfo) -> None:
        ctx = self.ctx
        window = self.parent()
        if hasattr(window, "overview"):
            window.overview.shutdown()  # nothing may read the database while its file is replaced

        def done(result: service.RestoreResult) -> None:
            self.last_message = _("The backup of {date} has been restored. The window now reopens on the "
                                  "restored data; please log in again.").format(
                date=f"{result.backup.created:%Y-%m-%d %H:%M}")
            box = QMessageBox(QMessageBox.Icon.Information, _("Restore a backup"), self.last_message,
                              QMessageBox.StandardButton.Ok, self)
            box.setObjectName("restoredBox")
            box.finished.connect(lambda _r: emit(self.sig_restored))
            self.restored_box = box
            box.open()

        self.worker = ctx.ops.run_in_background(
            _("Restoring the backup…"), lambda _p: service.restore(ctx.data_dir, info.path, ctx.actor, ctx.db),
            done, parent=self)


class DailyBackup(QObject):
    """The automatic daily backup of a SQLite database: checked hourly, run in a thread when the
    last one is a day old, without a dialog (the clerk goes on working)."""

    sig_done = Signal(object, object)  # BackupInfo or None, error or None

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.thread: threading.Thread | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(DAILY_CHECK_MS)
        self.timer.timeout.connect(self.run_if_due)
        if ctx.db.is_sqlite:
            self.timer.start()
            QTimer.singleShot(FIRST_CHECK_MS, self, self.run_if_due)

    def run_if_due(self) -> bool:
        if self.running or not service.daily_backup_due(self.ctx.data_dir):
            return False
        ctx = self.ctx

        def work() -> None:
            try:
                info = service.daily_backup(ctx.db, ctx.data_dir, ctx.actor)
            except Exception as e:  # noqa: BLE001 - shown in the status bar, logged
                emit(self.sig_done, None, e)
            else:
                emit(self.sig_done, info, None)

        self.thread = threading.Thread(target=work, name="daily-backup", daemon=True)
        self.thread.start()
        return True

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def stop(self) -> None:
        self.timer.stop()
        if self.thread is not None:
            self.thread.join()


def daily_backup_text(info: service.BackupInfo | None, error: BaseException | None) -> str:
    if error is not None:
        return _("The daily backup failed: {error}").format(error=getattr(error, "message", _("see the log")))
    if info is None:
        return ""
    if not info.verified:
        return _("The daily backup failed its check: {problems}.").format(problems="；".join(info.problems))
    return _("Daily backup written and verified: {file}").format(file=info.path.name)


# ------------------------------------------------------------------ damaged database at start


def _run_with_progress(title: str, fn: Callable[[], Any]) -> Any:
    """Run `fn` in a thread under a busy progress dialog (restoring at start: no window yet)."""
    dialog = QProgressDialog(title, "", 0, 0)
    dialog.setObjectName("progressDialog")
    dialog.setCancelButton(None)  # a restore half-done must not be cancelled
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(0)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    class Relay(QObject):
        sig = Signal()

    relay = Relay()
    relay.sig.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            outcome["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - raised on the GUI thread
            outcome["error"] = e
        emit(relay.sig)

    thread = threading.Thread(target=work, name="restore", daemon=True)
    thread.start()
    dialog.show()
    loop.exec()
    thread.join()
    dialog.close()
    dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def damaged_database_box(error: DatabaseDamaged) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, _("The database cannot be opened"), error.message)
    box.setObjectName("damagedDatabaseBox")
    box.restore = None  # type: ignore[attr-defined]
    if error.backup is not None:
        box.restore = box.addButton(_("Restore the latest verified backup…"),  # type: ignore[attr-defined]
                                    QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Quit"), QMessageBox.ButtonRole.RejectRole)
    return box


def offer_restore(error: DatabaseDamaged, data_dir: Path) -> bool:
    """Say that the database is damaged; restore the latest verified backup when asked.  True when
    the database was restored (open it again)."""
    box = damaged_database_box(error)
    box.exec()
    if box.restore is None or box.clickedButton() is not box.restore:  # type: ignore[attr-defined]
        return False
    info: service.BackupInfo = error.backup  # type: ignore[assignment]
    confirm = QMessageBox(QMessageBox.Icon.Question, _("Restore a backup"), service.confirmation_text(info),
                          QMessageBox.StandardButton.Cancel)
    confirm.setObjectName("restoreConfirmation")
    restore = confirm.addButton(_("Restore"), QMessageBox.ButtonRole.DestructiveRole)
    confirm.exec()
    if confirm.clickedButton() is not restore:
        return False
    try:
        _run_with_progress(_("Restoring the backup…"),
                           lambda: service.restore(data_dir, info.path, AT_START_ACTOR, None))
    except Exception as e:  # noqa: BLE001 - said plainly; the program then stops
        box = QMessageBox(QMessageBox.Icon.Critical, _("Restore a backup"),
                          getattr(e, "message", _("The backup could not be restored; see the log.")))
        box.setObjectName("restoreFailedBox")
        box.exec()
        return False
    return True
