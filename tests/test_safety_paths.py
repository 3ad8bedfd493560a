"""Safety paths of issue 14 that had no test: the idle lock's default, an unexpected driver error
and a log-in's traceback shown without the driver's English or the password, the program reopening
on restored data, a period at the calendar's end, and a deactivated session's export."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.backup import service as backups
from civaffairs.core.errors import CivaffairsError, SessionEnded
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.groups.bureau_office.models import StaffMember
from civaffairs.gui.context import AppContext
from civaffairs.gui.idle_lock import IdleLock
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import DEFAULT_IDLE_LOCK_MINUTES, Preferences
from tests.helpers import make_staff, quick_password_hashes

load_all()
PASSWORD = "correct horse 1"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


# ------------------------------------------------------------------ the idle lock's default


def test_the_idle_lock_defaults_to_ten_minutes_and_follows_the_setting(qtbot: QtBot, sqlite_db: Database,
                                                                       admin: Actor, tmp_path: Path) -> None:
    prefs = Preferences()
    assert DEFAULT_IDLE_LOCK_MINUTES == 10 and prefs.idle_lock_minutes == 10
    window = QWidget()
    qtbot.addWidget(window)
    lock = IdleLock(window, AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, prefs, "局"))
    assert lock._idle_seconds == 600 and lock._timer.interval() == 600_000
    prefs.idle_lock_minutes = 3
    other = QWidget()
    qtbot.addWidget(other)
    again = IdleLock(other, AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, prefs, "局"))
    assert again._idle_seconds == 180
    prefs.idle_lock_minutes = 10


# ------------------------------------------------------------------ the window's error box


def test_an_unexpected_driver_error_is_shown_in_chinese_without_the_drivers_text(qtbot: QtBot) -> None:
    from sqlalchemy.exc import OperationalError

    from civaffairs.gui.errors import open_error_boxes, present_error

    error = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    present_error(None, error)
    (box,) = [b for b in open_error_boxes() if "database is locked" in b.detailedText()]
    try:
        assert box.text().startswith("程序出现问题") and "database is locked" not in box.text()
        assert box.windowTitle() == "错误"
    finally:
        box.close()


def test_a_password_is_not_in_the_traceback_of_an_unexpected_error_at_log_in(
        db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The error box's details and the log carry the traceback of an unexpected error: the
    password typed is in neither (tests/test_access_log.py covers the program's own errors)."""
    import logging
    import traceback

    secret = "Typ3d-秘密-at-login"
    with db.write() as s:
        accounts.initialise_office(s, "天水市麦积区民政局", "admin", "管理员", PASSWORD)

    class Broken:
        def verify(self, hashed: str, password: str) -> bool:
            raise RuntimeError("the hasher broke")

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            raise AttributeError(name)

    monkeypatch.setattr(accounts, "_hasher", Broken())
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RuntimeError) as caught:
        accounts.login(db, "admin", secret)
    logging.getLogger("civaffairs.gui.errors").error("unexpected error", exc_info=caught.value)
    shown = "".join(traceback.format_exception(caught.value))  # what present_error puts in the details
    assert secret not in shown and secret not in caplog.text


# ------------------------------------------------------------------ restore: the program reopens


def test_after_a_restore_the_program_reopens_on_the_restored_data(qtbot: QtBot, data_dir: Path) -> None:
    from civaffairs.gui.startup import Startup

    db = open_database(data_dir)
    with db.write() as s:
        admin = accounts.initialise_office(s, "天水市麦积区民政局", "admin", "管理员", PASSWORD)
    make_staff(db, admin, name="备份里的人")
    info = backups.backup_now(db, backups.backups_dir(data_dir), admin)
    make_staff(db, admin, name="备份后的人")
    startup = Startup(db, data_dir, Preferences())
    startup.start()
    qtbot.addWidget(startup.login_dialog)
    actor = accounts.login(db, "admin", PASSWORD)
    startup.show_main_window(actor)
    window = startup.main_window
    qtbot.addWidget(window)
    window.open_backups()
    dialog = window.backup_dialog
    backups.restore(data_dir, info.path, actor, startup.db)
    dialog.sig_restored.emit()  # as the dialog does once the clerk closes "restored, log in again"
    try:
        assert startup.main_window is None
        assert startup.db is not db and startup.login_dialog is not None and startup.login_dialog.isVisible()
        qtbot.addWidget(startup.login_dialog)
        with startup.db.read() as s:
            assert s.scalars(select(StaffMember.name)).all() == ["备份里的人"]
    finally:
        startup.db.dispose()


# ------------------------------------------------------------------ periods and a changed account


@pytest.mark.parametrize("period", [(date(9999, 12, 1), date(9999, 12, 31)), (date(1, 1, 1), date(1, 1, 31))],
                         ids=["9999-12", "0001-01"])
def test_a_period_at_the_calendars_end_is_a_chinese_message(sqlite_db: Database, admin: Actor,
                                                             period: tuple[date, date]) -> None:
    """The overview's period, the 统计上报 dialog and `civaffairs report --from/--to` all take any
    date a QDateEdit or the command line allows (up to 9999-12-31)."""
    from civaffairs.reports import series
    from civaffairs.reports.figures import Period

    try:
        with sqlite_db.read() as s:
            series.overview(s, admin, Period(*period), date.today(), lambda: False)
    except CivaffairsError as e:
        assert not e.message.isascii()


def test_the_report_command_with_a_date_at_the_calendars_end_says_so(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civaffairs.cli import main

    open_database(data_dir).dispose()
    code = main(["report", "--from", "9999-12-01", "--to", "9999-12-31", "--out", str(tmp_path / "r.xlsx"),
                 "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    assert code != 0 and "Traceback" not in captured.err and not captured.err.isascii()


def test_a_deactivated_session_exports_nothing(db: Database, tmp_path: Path) -> None:
    from civaffairs.exchange.export import export_register

    with db.write() as s:
        admin = accounts.initialise_office(s, "天水市麦积区民政局", "admin", "管理员", PASSWORD)
        accounts.create_user(s, admin, "office", "办公室干事", PASSWORD, Role.MEMBER, [1])
    member = accounts.login(db, "office", PASSWORD)
    accounts.sign_in(db, member)  # as the window does
    make_staff(db, member, name="张伟")
    with db.write(check_account=False) as s:
        accounts.update_user(s, admin, "office", display_name="办公室干事", role=Role.MEMBER.value, groups=[1],
                             active=False)
    out = tmp_path / "工作人员.xlsx"
    with pytest.raises(SessionEnded):
        with db.read() as s:  # as gui.exchange.export_view
            export_register(s, member, STAFF, out, None, audit_in=db)
    accounts.sign_out(db)
    assert not out.exists(), "the workbook was handed out though the session had ended, and not audited"
    with db.read() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all() == []
