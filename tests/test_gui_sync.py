"""A working copy in the window (issue 13): the status bar says 联机 or 脱机, how many changes wait
and when the last exchange was; the exchanger sends and brings changes by itself, in a worker
thread, also while the server comes and goes; conflicts are resolved on their screen.  Real
widgets on the real main window; the office server is a SQLite file (tests/test_sync.py)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.gui.context import AppContext
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records
from civaffairs.sync import exchange
from tests.helpers import joined_pc, office_accounts, quick_password_hashes, staff_values

OFFICE = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
CLERK = Actor("clerk", "办公室文员", Role.MEMBER, frozenset({1}))
UNREACHABLE = "postgresql+psycopg://nobody:x@127.0.0.1:9/x?connect_timeout=2"
SHOTS = Path("/tmp/gui_sync_shots")


@pytest.fixture(autouse=True)
def _program_fonts(qapp) -> None:  # type: ignore[no-untyped-def]
    """The program's fonts and Chinese, as at its start: the widgets are measured and looked at so."""
    from civaffairs.gui.app import setup_application

    setup_application(qapp, "zh_CN")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    quick_password_hashes(monkeypatch)
    db = open_database(tmp_path / "server")
    office_accounts(db)
    yield db
    db.dispose()


def _pc(tmp_path: Path, server: Database, name: str) -> Database:
    return joined_pc(tmp_path / name, server)


@pytest.fixture
def pc(tmp_path: Path, server: Database) -> Iterator[Database]:
    db = _pc(tmp_path, server, "pc")
    yield db
    db.dispose()


def _window(qtbot: QtBot, db: Database, actor: Actor, tmp_path: Path) -> MainWindow:
    ctx = AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "麦积区民政局")
    window = MainWindow(ctx)
    qtbot.addWidget(window)  # closed at the end: its closeEvent stops the exchanger
    window.show()
    return window


def _save_staff(window: MainWindow, name: str) -> uuid.UUID:
    """What a save in the staff form does: one write through the window's operations."""
    ctx = window.ctx
    staff = ctx.ops.write(lambda s: records.create(s, ctx.actor, bo.STAFF, staff_values(name=name)),
                          changed={bo.STAFF.key}, parent=window)
    assert staff is not None
    return staff.id


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # the layout as it will be on screen
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _same_field_conflict(tmp_path: Path, server: Database, pc: Database) -> uuid.UUID:
    """A staff record on both PCs, whose post each changes while apart; the other PC's change
    reached the server first, this PC's waits to be sent (and will be a conflict)."""
    other = _pc(tmp_path, server, "pc-other")
    with other.write() as s:
        staff = records.create(s, CLERK, bo.STAFF, staff_values(name="王芳"))
    exchange.exchange(other, server)
    exchange.exchange(pc, server)
    with other.write() as s:
        records.update(s, CLERK, bo.STAFF, staff.id, 1, {"post": "副科长"})
    exchange.exchange(other, server)
    other.dispose()
    with pc.write() as s:
        records.update(s, OFFICE, bo.STAFF, staff.id, 1, {"post": "科长"})
    return staff.id


def _conflicts_screen(qtbot: QtBot, window: MainWindow):  # type: ignore[no-untyped-def]
    dialog = window.sync_status.open_conflicts()
    qtbot.waitUntil(lambda: dialog.loads >= 1 and not dialog.loading, timeout=10_000)
    return dialog


def test_a_single_pc_has_no_sync_line_nor_menu(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    window = _window(qtbot, sqlite_db, OFFICE, tmp_path)
    assert window.exchanger is None
    assert not hasattr(window, "sync_status")
    assert "同步" not in [a.text().replace("&", "") for a in window.menuBar().actions()]


def test_the_status_says_online_offline_and_the_waiting_changes_as_the_server_comes_and_goes(
        qtbot: QtBot, server: Database, pc: Database, tmp_path: Path) -> None:
    window = _window(qtbot, pc, OFFICE, tmp_path)
    exchanger, status = window.exchanger, window.sync_status
    assert exchanger is not None
    exchanger.server_factory = lambda: server
    qtbot.waitUntil(lambda: exchanger.exchanges >= 1, timeout=10_000)
    assert status.online and status.text.startswith("联机") and "待发送 0 项" in status.text
    assert "上次同步" in status.text
    assert "同步" in [a.text().replace("&", "").split("(")[0] for a in window.menuBar().actions()]

    gone = Database(UNREACHABLE)
    exchanger.server_factory = lambda: gone
    first = _save_staff(window, "离线一")  # the save asks for an exchange soon: it cannot reach the server
    qtbot.waitUntil(lambda: not status.online, timeout=15_000)
    assert status.text.startswith("脱机")
    for name in ("离线二", "离线三"):  # the user keeps working
        _save_staff(window, name)
    qtbot.waitUntil(lambda: status.waiting == 3, timeout=5_000)
    assert "待发送 3 项" in status.text and status.text.startswith("脱机")
    _shot(status, "status-offline")
    _shot(window, "main-window-offline")
    with server.read() as s:
        assert s.get(bo.STAFF.model, first) is None

    status.open_waiting()  # a click lists what waits
    dialog = status.waiting_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.total_count() == 3
    assert [dialog.model.data(dialog.model.index(r, 2)) for r in range(3)] == ["新增"] * 3
    assert dialog.model.data(dialog.model.index(0, 3)) == bo.STAFF.name
    assert dialog.model.data(dialog.model.index(0, 1)) == "办公室干事"
    assert "脱机" in dialog.state_label.text()
    _shot(dialog, "waiting-dialog")

    exchanger.server_factory = lambda: server  # the network is back
    qtbot.waitUntil(lambda: status.online and status.waiting == 0, timeout=15_000)
    assert status.text.startswith("联机") and "待发送 0 项" in status.text
    with server.read() as s:
        assert s.get(bo.STAFF.model, first).name == "离线一"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: dialog.model.total_count() == 0, timeout=5_000)
    _shot(status, "status-online")
    gone.dispose()


def test_records_from_the_server_show_in_the_open_list_by_themselves(
        qtbot: QtBot, server: Database, pc: Database, tmp_path: Path) -> None:
    window = _window(qtbot, pc, OFFICE, tmp_path)
    view = window.find_register_view(bo.STAFF.key)
    assert view is not None and view.model.total_count() == 0
    with server.write() as s:  # saved at another PC, already on the server
        records.create(s, CLERK, bo.STAFF, staff_values(name="赵敏"))
    qtbot.waitUntil(lambda: view.model.total_count() == 1, timeout=15_000)


def test_a_same_field_conflict_is_resolved_on_its_screen_by_keeping_one_side(
        qtbot: QtBot, server: Database, pc: Database, tmp_path: Path) -> None:
    staff_id = _same_field_conflict(tmp_path, server, pc)

    window = _window(qtbot, pc, OFFICE, tmp_path)
    exchanger, status = window.exchanger, window.sync_status
    assert exchanger is not None
    exchanger.server_factory = lambda: server
    qtbot.waitUntil(lambda: exchanger.exchanges >= 1, timeout=15_000)
    assert exchanger.last_error is None, exchanger.last_error
    qtbot.waitUntil(lambda: status.open_conflicts_count == 1, timeout=15_000)
    assert status.conflicts_button.isVisible() and "冲突 1 项" in status.conflicts_button.text()
    _shot(status, "status-conflict")

    window.conflicts_action.trigger()  # 同步 → 冲突处理…
    dialog = status.conflicts_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.loads >= 1 and not dialog.loading, timeout=10_000)
    assert dialog.online and dialog.model.total_count() == 1
    texts = [dialog.model.data(dialog.model.index(0, c)) for c in range(len(dialog.columns))]
    assert texts[1] == bo.STAFF.name and texts[2] and texts[4] == bo.STAFF.field("post").title
    assert texts[5] == "科长" and texts[8] == "副科长"
    assert texts[6] == "办公室干事" and texts[9] == "办公室文员" and texts[11]
    assert not dialog.mine_button.isEnabled()  # nothing selected yet
    dialog.select_row(0)
    assert dialog.mine_button.isEnabled() and dialog.theirs_button.isEnabled() and dialog.edit_button.isEnabled()
    assert dialog.mine_button.text() == "保留本机的修改" and dialog.theirs_button.text() == "保留服务器上的"
    _shot(dialog, "conflicts-dialog")

    dialog.mine_button.click()
    qtbot.waitUntil(lambda: dialog.resolved == 1 and not dialog.loading and dialog.model.total_count() == 0,
                    timeout=15_000)
    with server.read() as s:
        assert s.get(bo.STAFF.model, staff_id).post == "科长"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: status.open_conflicts_count == 0, timeout=15_000)
    assert not status.conflicts_button.isVisible()
    with pc.read() as s:
        assert s.get(bo.STAFF.model, staff_id).post == "科长"  # type: ignore[union-attr]


def test_with_the_server_unreachable_the_conflicts_screen_shows_this_pcs_copy_and_resolves_nothing(
        qtbot: QtBot, server: Database, pc: Database, tmp_path: Path) -> None:
    _same_field_conflict(tmp_path, server, pc)
    exchange.exchange(pc, server)  # the conflict is queued, and its copy is on this PC

    window = _window(qtbot, pc, OFFICE, tmp_path)
    exchanger, status = window.exchanger, window.sync_status
    gone = Database(UNREACHABLE)
    exchanger.server_factory = lambda: gone
    qtbot.waitUntil(lambda: not status.online, timeout=15_000)
    dialog = status.open_conflicts()
    qtbot.waitUntil(lambda: dialog.loads >= 1 and not dialog.loading, timeout=15_000)
    assert not dialog.online and dialog.model.total_count() == 1
    assert "无法连接" in dialog.state_label.text() or "连接不上" in dialog.state_label.text()
    dialog.select_row(0)
    assert not dialog.mine_button.isEnabled() and not dialog.theirs_button.isEnabled()
    assert not dialog.edit_button.isEnabled()
    _shot(dialog, "conflicts-offline")
    gone.dispose()


def test_a_conflict_about_a_field_can_be_resolved_with_a_value_typed_in(
        qtbot: QtBot, server: Database, pc: Database, tmp_path: Path) -> None:
    staff_id = _same_field_conflict(tmp_path, server, pc)
    window = _window(qtbot, pc, OFFICE, tmp_path)
    window.exchanger.server_factory = lambda: server
    qtbot.waitUntil(lambda: window.sync_status.open_conflicts_count == 1, timeout=15_000)
    dialog = _conflicts_screen(qtbot, window)
    dialog.select_row(0)
    assert "科长" in dialog.detail_label.text() and "副科长" in dialog.detail_label.text()
    dialog.edit_button.click()
    value = dialog.value_dialog
    assert value.isVisible() and value.textValue() == "科长" and "职务" in value.labelText()
    _shot(value, "conflict-value")
    value.setTextValue("主任科员")
    value.accept()
    qtbot.waitUntil(lambda: dialog.resolved == 1 and not dialog.loading and dialog.model.total_count() == 0,
                    timeout=15_000)
    with server.read() as s:
        assert s.get(bo.STAFF.model, staff_id).post == "主任科员"  # type: ignore[union-attr]


def test_a_conflict_someone_else_resolved_meanwhile_is_said_in_chinese(
        qtbot: QtBot, server: Database, pc: Database, tmp_path: Path) -> None:
    from civaffairs.gui.errors import open_error_boxes
    from civaffairs.sync import conflicts

    _same_field_conflict(tmp_path, server, pc)
    window = _window(qtbot, pc, OFFICE, tmp_path)
    window.exchanger.server_factory = lambda: server
    qtbot.waitUntil(lambda: window.sync_status.open_conflicts_count == 1, timeout=15_000)
    dialog = _conflicts_screen(qtbot, window)
    dialog.select_row(0)
    with server.write() as s:  # at another PC, a moment earlier
        (c,) = conflicts.open_conflicts(s, CLERK)
        conflicts.resolve(s, CLERK, c.id, conflicts.THEIRS)
    dialog.theirs_button.click()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in open_error_boxes()), timeout=10_000)
    (box,) = [b for b in open_error_boxes() if b.isVisible()]
    assert "这条冲突已由 clerk 处理" in box.text()
    _shot(box, "conflict-error")
    box.close()
    qtbot.waitUntil(lambda: not dialog.loading and dialog.model.total_count() == 0, timeout=10_000)
