"""The window's session: the idle lock keeps typed work and asks for the same user's password; an
account changed by the administrator locks the window at the next save; a lost database server
is told in Chinese with the form kept open for another try."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor, Role
from civaffairs.core.errors import DatabaseUnreachable
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.groups.bureau_office.models import StaffMember
from civaffairs.gui.context import AppContext
from civaffairs.gui.errors import open_error_boxes
from civaffairs.gui.form import RecordForm
from civaffairs.gui.idle_lock import IdleLock
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records
from tests.helpers import fresh_id, fresh_mobile, quick_password_hashes, table_count

PASSWORD = "correct horse 1"
WRONG = "用户名或密码错误。\n连续输错 5 次密码，账户将被锁定 15 分钟。"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


@pytest.fixture
def admin_actor(sqlite_db: Database) -> Actor:
    with sqlite_db.write() as s:
        admin = accounts.initialise_office(s, "天水市麦积区民政局", "admin", "系统管理员", PASSWORD)
        accounts.create_user(s, admin, "office", "李娜", PASSWORD, Role.MEMBER, [1])
    return admin


@pytest.fixture
def session(qtbot: QtBot, sqlite_db: Database, admin_actor: Actor, tmp_path: Path) -> tuple[RegisterView, IdleLock]:
    """The member logged in: the staff register in its window, with the idle lock installed."""
    actor = accounts.login(sqlite_db, "office", PASSWORD)
    ctx = AppContext(sqlite_db, Operations(sqlite_db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")
    view = RegisterView(ctx, STAFF)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    lock = IdleLock(view, ctx)
    yield view, lock
    if lock.screen is not None:
        lock.screen.dismiss()


def _typed_form(view: RegisterView) -> RecordForm:
    form = view.add_record()
    assert form is not None
    form.editor("name").setFocus()
    form.editor("name").insert("张伟")  # Chinese arrives whole, as an input method commits it
    form.editor("id_number").insert(fresh_id())
    form.editor("phone").insert(fresh_mobile())
    return form


def _unlock(qtbot: QtBot, lock: IdleLock, password: str) -> None:
    assert lock.screen is not None
    lock.screen.password.clear()
    qtbot.keyClicks(lock.screen.password, password)
    qtbot.keyClick(lock.screen.password, Qt.Key.Key_Return)


def _update_member(db: Database, admin: Actor, **change: object) -> None:
    values = {"display_name": "李娜", "role": Role.MEMBER.value, "groups": [1], "active": True} | change
    with db.write() as s:
        accounts.update_user(s, admin, "office", **values)  # type: ignore[arg-type]


def test_idle_lock_keeps_typed_work_and_wants_the_right_password(qtbot: QtBot, session) -> None:  # type: ignore[no-untyped-def]
    view, lock = session
    form = _typed_form(view)
    lock.set_idle_seconds(0.3)
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert lock.screen is not None and lock.screen.isVisible()
    assert not view.isVisible() and not form.isVisible()  # covered: nothing of the work shows
    assert lock.screen.findChild(QLineEdit, "lockPassword").echoMode() == QLineEdit.EchoMode.Password
    lock.screen.grab().save("/tmp/session-lock.png")

    _unlock(qtbot, lock, "not my password")
    assert lock.locked
    assert lock.screen.message.text() == WRONG  # the log-in's one answer

    _unlock(qtbot, lock, PASSWORD)
    assert not lock.locked
    assert view.isVisible() and form.isVisible()
    assert form.editor("name").text() == "张伟"
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert table_count(view.ctx.db, StaffMember) == 1


def test_input_resets_the_idle_time(qtbot: QtBot, session) -> None:  # type: ignore[no-untyped-def]
    view, lock = session
    form = _typed_form(view)
    lock.set_idle_seconds(0.5)
    end = time.monotonic() + 1.2
    while time.monotonic() < end:  # more than twice the idle time, with input all along
        qtbot.keyClick(form.editor("post"), Qt.Key.Key_A)
        qtbot.wait(100)
    assert not lock.locked
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)


def test_idle_time_zero_never_locks(qtbot: QtBot, session) -> None:  # type: ignore[no-untyped-def]
    _view, lock = session
    lock.set_idle_seconds(0)
    qtbot.wait(300)
    assert not lock.locked


def test_another_user_cannot_unlock_but_may_log_out(qtbot: QtBot, session) -> None:  # type: ignore[no-untyped-def]
    view, lock = session
    lock.lock()
    _unlock(qtbot, lock, "another user's password")
    assert lock.locked
    assert lock.screen.findChild(QLineEdit, "lockPassword") is not None
    with qtbot.waitSignal(lock.sig_log_out):
        qtbot.mouseClick(lock.screen.log_out_button, Qt.MouseButton.LeftButton)
    assert not lock.locked


def test_a_demoted_member_s_save_locks_the_window_and_keeps_the_form(qtbot: QtBot, session,  # type: ignore[no-untyped-def]
                                                                      admin_actor: Actor) -> None:
    view, lock = session
    form = _typed_form(view)
    _update_member(view.ctx.db, admin_actor, role=Role.VIEWER.value, groups=[])
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert lock.locked
    assert lock.screen.notice.text() == "您的账户已被管理员修改，请重新登录。"
    assert table_count(view.ctx.db, StaffMember) == 0
    assert form.editor("name").text() == "张伟"  # kept, under the lock
    _unlock(qtbot, lock, PASSWORD)
    assert lock.locked and not lock.screen.unlock_button.isEnabled()  # the new rights need a new window
    assert "退出登录" in lock.screen.message.text()
    lock.screen.grab().save("/tmp/session-rights-changed.png")


def test_a_new_password_locks_the_window_and_the_new_one_goes_on(qtbot: QtBot, session,  # type: ignore[no-untyped-def]
                                                                  admin_actor: Actor) -> None:
    view, lock = session
    form = _typed_form(view)
    with view.ctx.db.write() as s:
        accounts.reset_password(s, admin_actor, "office", "new password 22")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert lock.locked
    _unlock(qtbot, lock, PASSWORD)  # the old password no longer opens it
    assert lock.locked and lock.screen.message.text() == WRONG
    _unlock(qtbot, lock, "new password 22")
    assert not lock.locked and form.isVisible()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert table_count(view.ctx.db, StaffMember) == 1


def test_deactivated_member_cannot_unlock(qtbot: QtBot, session, admin_actor: Actor) -> None:  # type: ignore[no-untyped-def]
    view, lock = session
    form = _typed_form(view)
    _update_member(view.ctx.db, admin_actor, active=False)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert lock.locked and "停用" in lock.screen.notice.text()
    _unlock(qtbot, lock, PASSWORD)
    assert lock.locked and lock.screen.message.text() == WRONG


def test_lost_server_is_told_in_chinese_and_the_form_stays_open(qtbot: QtBot, session,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    view, lock = session
    form = _typed_form(view)
    changes: list[bool] = []
    view.ctx.ops.sig_reachable.connect(changes.append)
    real_create = records.create

    def server_gone(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseUnreachable()

    monkeypatch.setattr(records, "create", server_gone)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    boxes = open_error_boxes()
    assert len(boxes) == 1
    assert boxes[0].text() == ("无法连接数据库服务器，请检查网络或联系管理员。"
                               "您的输入未丢失，恢复连接后可以重新保存。")
    assert boxes[0].windowTitle() == "数据库服务器无法连接"
    form.grab().save("/tmp/session-form-kept.png")
    boxes[0].grab().save("/tmp/session-unreachable.png")
    boxes[0].close()
    assert form.isVisible() and form.editor("name").text() == "张伟"
    assert changes == [False]
    monkeypatch.setattr(records, "create", real_create)  # the server is back: the same form saves
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert changes == [False, True]
    assert table_count(view.ctx.db, StaffMember) == 1


def test_main_window_status_bar_says_the_server_is_unreachable_until_the_next_success(
        qtbot: QtBot, sqlite_db: Database, admin_actor: Actor, tmp_path: Path) -> None:
    from civaffairs.gui.main_window import MainWindow

    actor = accounts.login(sqlite_db, "admin", PASSWORD)
    ctx = AppContext(sqlite_db, Operations(sqlite_db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.idle_lock.locked is False
    assert sqlite_db.account_check is not None  # the window's writes re-check the account
    label = window.unreachable_label
    assert not label.isVisible()

    def server_gone(_session):  # type: ignore[no-untyped-def]
        raise DatabaseUnreachable()

    assert ctx.ops.write(server_gone, parent=window) is None
    assert label.isVisible() and label.text() == "数据库服务器无法连接"
    window.statusBar().grab().save("/tmp/session-status-bar.png")
    for box in open_error_boxes():
        box.close()
    ctx.ops.write(lambda s: accounts.set_office_name(s, ctx.actor, "天水市麦积区民政局"))
    assert not label.isVisible()
    window.close()
