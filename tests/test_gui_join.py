"""Issue 13 in the window: a new PC joins the office server from its first start (it downloads
its working copy with progress, can cancel, and logs in with the accounts that came down), and a
single PC's administrator moves its database onto a new, empty server (管理 → 迁到办公室服务器…),
after which the window exchanges with it at once.  Real widgets, typed into and clicked; the
server is a SQLite file, and a PostgreSQL schema too when CIVAFFAIRS_TEST_POSTGRES_URL is set."""
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from civaffairs.accounts.models import User
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.gui import join_server
from civaffairs.gui.context import AppContext
from civaffairs.gui.first_run import FirstRunDialog
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.operations import Operations, Progress
from civaffairs.gui.settings import Preferences
from civaffairs.gui.startup import Startup
from civaffairs.records import service as records
from civaffairs.sync import exchange
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.helpers import drop_postgres_schema, office_accounts, postgres_schema, quick_password_hashes, staff_values

ADMIN = Actor("admin", "管理员", Role.ADMINISTRATOR)
CLERK = Actor("clerk", "办公室文员", Role.MEMBER, frozenset({1}))
LEFT = Qt.MouseButton.LeftButton
SHOTS = "/tmp/join_{}.png"


@pytest.fixture(autouse=True)
def _program_fonts(qapp, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The program's fonts and Chinese, as at its start; cheap password hashes; no job outlives its test."""
    from civaffairs.gui.app import setup_application

    setup_application(qapp, "zh_CN")
    quick_password_hashes(monkeypatch)
    yield
    join_server.wait_for_jobs()


@pytest.fixture(params=BACKENDS)
def empty_server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a new office server is: nothing there yet (a SQLite file not yet made, an empty schema)."""
    if request.param == "postgresql":
        assert POSTGRES_URL
        url, schema = postgres_schema(POSTGRES_URL)
        yield url
        drop_postgres_schema(POSTGRES_URL, schema)
    else:
        (tmp_path / "server").mkdir()
        yield f"sqlite:///{tmp_path / 'server' / 'civaffairs.sqlite'}"


@pytest.fixture
def office_server(empty_server_url: str, tmp_path: Path) -> Iterator[Database]:
    """A working office server: migrated, with the office's accounts."""
    db = open_database(tmp_path / "server-data", empty_server_url)
    office_accounts(db)
    yield db
    db.dispose()


@pytest.fixture
def new_pc(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "pc")
    yield db
    db.dispose()


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    widget.grab().save(SHOTS.format(name))


def _first_start(qtbot: QtBot, db: Database, tmp_path: Path) -> tuple[Startup, FirstRunDialog]:
    startup = Startup(db, tmp_path / "pc", Preferences())
    startup.start()
    dialog = startup.first_run_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    return startup, dialog


def _choose_join(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    qtbot.mouseClick(dialog.join_choice, LEFT)
    assert dialog.pages.currentWidget() is dialog.join_page
    assert dialog.ok_button.text() == "连接"
    assert dialog.join_choice.text() == "连接办公室服务器（本办公室已有服务器）"


def _staff_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(bo.STAFF.model)) or 0


def test_a_new_pc_joins_from_the_first_start_and_logs_in_with_the_accounts_of_the_server(
        qtbot: QtBot, office_server: Database, new_pc: Database, tmp_path: Path) -> None:
    with office_server.write() as s:  # made at another PC, already on the server
        records.create(s, CLERK, bo.STAFF, staff_values(name="赵敏"))
    startup, dialog = _first_start(qtbot, new_pc, tmp_path)
    _shot(dialog, "first-run-new-office")
    _choose_join(qtbot, dialog)
    _shot(dialog, "first-run-join")
    qtbot.keyClicks(dialog.server.connection, office_server.url)
    assert not dialog.server.host.isEnabled()  # the connection string is used as it is
    qtbot.mouseClick(dialog.ok_button, LEFT)

    qtbot.waitUntil(lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(), timeout=60_000)
    login = startup.login_dialog
    qtbot.addWidget(login)
    assert not dialog.isVisible() and dialog.join_page.rows > 0
    assert new_pc.working_copy
    assert login.title.text() == "麦积区民政局"  # the office came down with the accounts
    login.username.setText("clerk")
    qtbot.keyClicks(login.password, "clerk-password-1")
    with qtbot.waitSignal(startup.sig_main_window_shown, timeout=10_000):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    window = startup.main_window
    qtbot.addWidget(window)
    assert window.exchanger is not None and window.sync_status is not None
    view = window.find_register_view(bo.STAFF.key)
    assert view is not None and view.model.total_count() == 1
    assert view.model.data(view.model.index(0, [c.key for c in view.model.columns].index("name"))) == "赵敏"
    qtbot.waitUntil(lambda: window.sync_status.online, timeout=30_000)


def test_cancelling_the_download_leaves_an_empty_database_that_can_join_again(
        qtbot: QtBot, office_server: Database, new_pc: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with office_server.write() as s:
        for i in range(8):
            records.create(s, CLERK, bo.STAFF, staff_values(name=f"职工{i}"))
    monkeypatch.setattr(exchange, "COPY_BATCH", 1)  # a progress report per row copied
    reached, release = threading.Event(), threading.Event()
    report = Progress.report

    def held_report(self: Progress, done: int, total: int, text: str = "") -> None:
        """The copy waits at its fifth row until the test has pressed Cancel."""
        if done >= 5 and not reached.is_set():
            reached.set()
            release.wait(30)
        report(self, done, total, text)

    monkeypatch.setattr(Progress, "report", held_report)
    startup, dialog = _first_start(qtbot, new_pc, tmp_path)
    _choose_join(qtbot, dialog)
    qtbot.keyClicks(dialog.server.connection, office_server.url)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    try:
        qtbot.waitUntil(reached.is_set, timeout=60_000)
        job = dialog.join_page.job
        assert job is not None
        progress = job.dialog
        qtbot.waitUntil(lambda: progress.isVisible() and progress.value() == 4, timeout=10_000)
        assert progress.maximum() > 8  # rows copied of the total
        what, rows = progress.labelText().splitlines()
        assert what == "正在从办公室服务器下载本机副本"
        assert rows == f"正在复制：第 4 行，共 {progress.maximum()} 行"
        _shot(progress, "progress")
        qtbot.mouseClick(progress.findChild(QPushButton), LEFT)  # 取消
    finally:
        release.set()
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)

    assert dialog.isVisible() and startup.login_dialog is None
    assert dialog.server.note.isVisible() and "已取消" in dialog.server.note.text()
    assert not new_pc.working_copy
    with new_pc.read() as s:  # nothing of the server stayed
        assert (s.scalar(select(func.count()).select_from(AuditEntry)) or 0) == 0
        assert (s.scalar(select(func.count()).select_from(User)) or 0) == 0
        assert exchange.server_url(s) is None
    assert _staff_count(new_pc) == 0

    monkeypatch.setattr(Progress, "report", report)  # and it still joins, to the end
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(), timeout=60_000)
    qtbot.addWidget(startup.login_dialog)
    assert new_pc.working_copy and _staff_count(new_pc) == 8


def test_an_unreachable_server_is_said_in_chinese_at_the_dialog_and_the_server_is_disposed(
        qtbot: QtBot, new_pc: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Database] = []
    disposed: list[Database] = []
    make = join_server.open_server

    def tracked(url: str) -> Database:
        db = make(url)
        opened.append(db)
        dispose = db.dispose
        monkeypatch.setattr(db, "dispose", lambda: (disposed.append(db), dispose())[-1])
        return db

    monkeypatch.setattr(join_server, "open_server", tracked)
    startup, dialog = _first_start(qtbot, new_pc, tmp_path)
    _choose_join(qtbot, dialog)
    fields = dialog.server
    fields.host.clear()
    qtbot.mouseClick(dialog.ok_button, LEFT)  # nothing typed yet: said at the field
    assert fields.errors.label("host").isVisible() and fields.errors.label("host").text() == "请填写服务器地址。"
    assert not opened

    qtbot.keyClicks(fields.host, "127.0.0.1")
    fields.port.clear()
    qtbot.keyClicks(fields.port, "9")  # nobody listens there
    qtbot.keyClicks(fields.password, "p@ss:w/rd#1")
    assert make_url(fields.url()).password == "p@ss:w/rd#1"  # quoted in the URL, read back whole
    assert make_url(fields.url()).port == 9 and make_url(fields.url()).database == "civaffairs"
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: dialog.join_page.job is not None and not dialog.join_page.job.running, timeout=30_000)
    message = fields.general.text()
    assert fields.general.isVisible() and "无法连接办公室服务器" in message and "127.0.0.1:9" in message
    assert "failed" not in message and "Traceback" not in message
    _shot(dialog, "first-run-unreachable")

    fields.connection.setFocus()  # a server with no office on it yet
    qtbot.keyClicks(fields.connection, f"sqlite:///{tmp_path / 'nothing.sqlite'}")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.join_page.job.running, timeout=30_000)
    assert "服务器上的数据库还没有办公室" in fields.general.text()

    assert dialog.isVisible() and startup.login_dialog is None and not new_pc.working_copy
    assert len(opened) == 2 and disposed == opened  # in every path


def _single_pc(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "pc")
    office_accounts(db)
    with db.write() as s:
        records.create(s, ADMIN, bo.STAFF, staff_values(name="李雷"))
    return db


def _window(qtbot: QtBot, db: Database, tmp_path: Path) -> MainWindow:
    ctx = AppContext(db, Operations(db, ADMIN), ADMIN, tmp_path, Preferences(), "麦积区民政局")
    window = MainWindow(ctx)
    qtbot.addWidget(window)  # closed at the end: its closeEvent stops the exchanger
    window.show()
    return window


def _publish(qtbot: QtBot, window: MainWindow, url: str):  # type: ignore[no-untyped-def]
    admin_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "").startswith("管理"))
    action = next(a for a in admin_menu.actions() if a.objectName() == "publishAction")
    assert action.text() == "迁到办公室服务器…" and action.isVisible()
    action.trigger()
    dialog = window.publish_dialog
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.fields.connection, url)
    qtbot.mouseClick(dialog.move_button, LEFT)
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    return dialog, box


def test_publishing_from_the_admin_menu_puts_the_window_online_and_later_saves_reach_the_server(
        qtbot: QtBot, empty_server_url: str, tmp_path: Path) -> None:
    pc = _single_pc(tmp_path)
    window = _window(qtbot, pc, tmp_path)
    assert window.exchanger is None and not hasattr(window, "sync_status")
    dialog, box = _publish(qtbot, window, empty_server_url)
    assert "整个数据库" in box.informativeText() and "其他电脑" in box.informativeText()
    _shot(dialog, "publish")
    _shot(box, "publish-confirm")
    qtbot.mouseClick(box.findChild(QPushButton, "publishConfirmYes"), LEFT)

    qtbot.waitUntil(lambda: window.exchanger is not None, timeout=60_000)
    assert not dialog.isVisible() and pc.working_copy
    status = window.sync_status
    qtbot.waitUntil(lambda: status.online and status.text.startswith("联机"), timeout=30_000)
    assert "同步" in [a.text().replace("&", "").split("(")[0] for a in window.menuBar().actions()]
    assert not window.publish_action.isVisible()
    _shot(window.statusBar(), "publish-status")

    server = Database(empty_server_url)
    try:
        with server.read() as s:  # the PC's records went up with it
            assert [r.name for r in s.scalars(select(bo.STAFF.model))] == ["李雷"]
        ctx = window.ctx
        saved = ctx.ops.write(lambda s: records.create(s, ctx.actor, bo.STAFF, staff_values(name="韩梅梅")),
                              changed={bo.STAFF.key}, parent=window)
        assert saved is not None
        staff_id: uuid.UUID = saved.id

        def arrived() -> bool:
            with server.read() as s:
                return s.get(bo.STAFF.model, staff_id) is not None

        qtbot.waitUntil(arrived, timeout=30_000)
        qtbot.waitUntil(lambda: status.waiting == 0, timeout=30_000)
    finally:
        server.dispose()
        window.close()
        pc.dispose()


def test_publishing_onto_a_server_that_holds_records_is_refused_in_chinese(
        qtbot: QtBot, office_server: Database, tmp_path: Path) -> None:
    pc = _single_pc(tmp_path)
    window = _window(qtbot, pc, tmp_path)
    try:
        dialog, box = _publish(qtbot, window, office_server.url)
        qtbot.mouseClick(box.findChild(QPushButton, "publishConfirmYes"), LEFT)
        qtbot.waitUntil(lambda: dialog.job is not None and not dialog.job.running, timeout=60_000)
        assert dialog.isVisible() and dialog.fields.general.isVisible()
        assert "办公室服务器上已有记录" in dialog.fields.general.text()
        _shot(dialog, "publish-refused")
        assert window.exchanger is None and not pc.working_copy and window.publish_action.isVisible()
        with pc.read() as s:
            assert exchange.server_url(s) is None
    finally:
        window.close()
        pc.dispose()
