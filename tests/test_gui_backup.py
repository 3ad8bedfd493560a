"""备份与恢复 in the window: the list, backing up to a chosen folder, restoring after the
confirmation, the daily backup, and the damaged-database message at start."""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from civaffairs.accounts.roles import Actor
from civaffairs.backup import service
from civaffairs.core.paths import DATABASE_FILE
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.models import StaffMember
from civaffairs.gui.app import setup_application
from civaffairs.gui.backup_dialog import BackupDialog, DailyBackup, daily_backup_text
from civaffairs.gui.context import AppContext
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from tests.helpers import make_staff


@pytest.fixture(autouse=True)
def _chinese_window(qapp: QApplication) -> None:
    setup_application(qapp, "zh_CN")  # the shipped font and Qt's own buttons in Chinese, as in the program


def _ctx(db: Database, actor: Actor, data_dir: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, data_dir, Preferences(), "测试民政局")


def test_the_menu_entry_is_for_administrators_only(qtbot: QtBot, sqlite_db: Database, admin: Actor, leader: Actor,
                                                   data_dir: Path) -> None:
    window = MainWindow(_ctx(sqlite_db, admin, data_dir))
    qtbot.addWidget(window)
    assert window.backup_action.text() == "备份与恢复…"
    other = MainWindow(_ctx(sqlite_db, leader, data_dir))
    qtbot.addWidget(other)
    assert not hasattr(other, "backup_action")


def test_the_dialog_lists_backups_and_backs_up_to_a_chosen_folder(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                                  data_dir: Path, tmp_path: Path) -> None:
    make_staff(sqlite_db, admin)
    older = service.backup_now(sqlite_db, service.backups_dir(data_dir), admin, now=datetime.now() - timedelta(days=2))
    dialog = BackupDialog(_ctx(sqlite_db, admin, data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "备份与恢复"
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (1, 4)] == ["手动备份", "校验通过"]
    assert dialog.table.item(0, 0).text() == f"{older.created:%Y-%m-%d %H:%M}"

    usb = tmp_path / "U盘"
    dialog.back_up(usb)
    qtbot.waitUntil(lambda: dialog.last_message != "", timeout=60_000)
    assert dialog.last_message.startswith("备份已写入并校验通过")
    for box in dialog.findChildren(QMessageBox):
        box.close()
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 5).text() == str(usb)
    assert len(list(usb.glob("*.sqlite3"))) == 1
    dialog.grab().save("/tmp/backup-dialog.png")


def test_restore_asks_with_the_date_and_counts_then_reopens(qtbot: QtBot, data_dir: Path, admin: Actor) -> None:
    db = open_database(data_dir)
    make_staff(db, admin, name="备份里的人")
    info = service.backup_now(db, service.backups_dir(data_dir), admin)
    make_staff(db, admin, name="备份后的人")
    dialog = BackupDialog(_ctx(db, admin, data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.selectRow(0)
    dialog.restore_button.click()
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    assert f"{info.created:%Y-%m-%d %H:%M}" in box.text() and "工作人员：1" in box.text()
    box.grab().save("/tmp/backup-confirm.png")
    with qtbot.waitSignal(dialog.sig_restored, timeout=60_000):
        box.restore.click()
        qtbot.waitUntil(lambda: getattr(dialog, "restored_box", None) is not None, timeout=60_000)
        assert "请重新登录" in dialog.restored_box.text()
        dialog.restored_box.accept()
    again = open_database(data_dir)
    try:
        with again.read() as s:
            assert s.scalars(select(StaffMember.name)).all() == ["备份里的人"]
    finally:
        again.dispose()
    assert any(b.kind == "before-restore" and b.verified for b in service.known_backups(data_dir))


def test_the_daily_backup_runs_off_the_gui_thread_when_due(qtbot: QtBot, sqlite_db: Database, office_member: Actor,
                                                           data_dir: Path) -> None:
    daily = DailyBackup(_ctx(sqlite_db, office_member, data_dir))
    with qtbot.waitSignal(daily.sig_done, timeout=60_000) as done:
        assert daily.run_if_due()
    info, error = done.args
    assert error is None and info.verified and info.path.parent == service.daily_dir(data_dir)
    assert daily_backup_text(info, None).startswith("每日自动备份已完成并校验通过")
    daily.stop()
    assert not daily.run_if_due()  # not due again the same day


def test_the_main_window_keeps_the_daily_backup_and_says_its_result_in_the_status_bar(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, data_dir: Path) -> None:
    window = MainWindow(_ctx(sqlite_db, admin, data_dir))
    qtbot.addWidget(window)
    assert window.daily_backup.timer.isActive()  # checked every hour while the program runs
    with qtbot.waitSignal(window.daily_backup.sig_done, timeout=60_000):
        assert window.daily_backup.run_if_due()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("每日自动备份已完成并校验通过"))
    window.daily_backup.stop()
    assert [b.kind for b in service.known_backups(data_dir)] == ["daily"]


def _garbage(db_file: Path) -> None:
    data = bytearray(db_file.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 65536] = b"\xa5" * 65536
    db_file.write_bytes(bytes(data))


def test_a_damaged_database_at_start_offers_the_latest_verified_backup(
        qtbot: QtBot, qapp: QApplication, data_dir: Path, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui import app

    db = open_database(data_dir)
    make_staff(db, admin, name="恢复回来的人")
    info = service.backup_now(db, service.backups_dir(data_dir), admin)
    db.dispose()
    (data_dir / DATABASE_FILE).write_bytes(b"")  # an empty file: never taken for a new database
    seen: list[str] = []

    def click_when_shown(object_name: str, pick) -> None:  # type: ignore[no-untyped-def]
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != object_name:
            QTimer.singleShot(50, lambda: click_when_shown(object_name, pick))
            return
        seen.append(box.text())
        box.grab().save(f"/tmp/backup-{object_name}.png")
        pick(box).click()
        if object_name == "damagedDatabaseBox":
            QTimer.singleShot(50, lambda: click_when_shown(
                "restoreConfirmation", lambda b: next(x for x in b.buttons() if x.text() == "恢复")))

    monkeypatch.setattr(app, "install_exception_hook", lambda: None)
    QTimer.singleShot(50, lambda: click_when_shown("damagedDatabaseBox", lambda b: b.restore))
    startup = app.start(argparse.Namespace(lang="zh_CN", data_dir=str(data_dir), database_url=None))
    assert startup is not None
    try:
        assert str(data_dir / DATABASE_FILE) in seen[0] and str(info.path) in seen[0]
        assert any("工作人员：1" in text for text in seen[1:])
        with startup.db.read() as s:
            assert s.scalars(select(StaffMember.name)).all() == ["恢复回来的人"]
    finally:
        for w in (startup.login_dialog, startup.first_run_dialog):
            if w is not None:
                w.close()
        startup.db.dispose()


def test_a_damaged_database_without_a_backup_only_says_so(qtbot: QtBot, data_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui import app

    data_dir.mkdir(parents=True)
    (data_dir / DATABASE_FILE).write_bytes(b"garbage" * 1000)
    seen: list[str] = []

    def close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, close)
            return
        seen.append(box.text())
        assert box.restore is None
        box.buttons()[0].click()

    monkeypatch.setattr(app, "install_exception_hook", lambda: None)
    QTimer.singleShot(50, close)
    assert app.start(argparse.Namespace(lang="zh_CN", data_dir=str(data_dir), database_url=None)) is None
    assert "未找到经过校验的备份" in seen[0] and "Traceback" not in seen[0]
