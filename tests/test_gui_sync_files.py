"""Exchange files in the window (同步 → 导出交换文件… / 导入交换文件…): a PC that cannot reach the
office server writes its waiting changes to a file (a USB stick); a PC connected to the server
imports it (applied on the server, the answer written beside it); the first PC imports the answer
and has nothing waiting any more.  A damaged file is refused in Chinese.  Real main windows; the
file dialogs return paths under tmp_path; the server is a SQLite file (tests/test_gui_sync.py)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.sync_status import exchange_file_kind
from civaffairs.records import service as records
from civaffairs.sync import exchange, files
from tests.helpers import joined_pc, staff_values
from tests.test_gui_sync import CLERK, OFFICE, UNREACHABLE, _program_fonts, _window, server  # noqa: F401 - fixtures

SHOTS = Path("/tmp/gui_sync_shots")


def _pc(tmp_path: Path, server: Database, name: str) -> Database:
    return joined_pc(tmp_path / name, server)


@pytest.fixture
def town(tmp_path: Path, server: Database) -> Iterator[Database]:
    """The town office's PC: joined once, now without a network."""
    db = _pc(tmp_path, server, "town")
    yield db
    db.dispose()


@pytest.fixture
def office(tmp_path: Path, server: Database) -> Iterator[Database]:
    """A PC in the bureau, connected to the office server."""
    db = _pc(tmp_path, server, "office")
    yield db
    db.dispose()


@pytest.fixture
def unreachable() -> Iterator[Database]:
    gone = Database(UNREACHABLE)
    yield gone
    gone.dispose()


def _save_staff(window: MainWindow, name: str) -> uuid.UUID:
    ctx = window.ctx
    staff = ctx.ops.write(lambda s: records.create(s, ctx.actor, bo.STAFF, staff_values(name=name)),
                          changed={bo.STAFF.key}, parent=window)
    assert staff is not None
    return staff.id


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _choose(monkeypatch: pytest.MonkeyPatch, path: Path, seen: list[tuple[str, str, str]] | None = None) -> None:
    """The file dialogs answer with `path` (and note what they were asked with)."""
    def answer(_parent, caption="", directory="", filter="", *a, **k):  # type: ignore[no-untyped-def]
        if seen is not None:
            seen.append((caption, directory, filter))
        return str(path), filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)


def _answered_box(qtbot: QtBot, window: MainWindow, done: int, shot: str = "") -> str:
    """Waits for the export or import to end, then reads and closes the box saying what came of it."""
    fe = window.file_exchange
    qtbot.waitUntil(lambda: fe.done >= done, timeout=20_000)
    box = fe.last_box
    assert box is not None and box.isVisible()
    text = box.text()
    if shot:
        _shot(box, shot)
    box.close()
    return text


def _menu_texts(window: MainWindow, shot: str = "") -> list[str]:
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text().startswith("同步")]
    if shot:
        menu.adjustSize()
        _shot(menu, shot)
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_changes_travel_by_file_from_an_offline_pc_to_the_server_and_the_answer_back(
        qtbot: QtBot, server: Database, town: Database, office: Database, unreachable: Database,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    town_window = _window(qtbot, town, OFFICE, tmp_path)
    town_window.exchanger.server_factory = lambda: unreachable
    status = town_window.sync_status
    assert "导出交换文件…" in _menu_texts(town_window, "sync-menu") and "导入交换文件…" in _menu_texts(town_window)
    ids = [_save_staff(town_window, name) for name in ("乡镇一", "乡镇二")]
    qtbot.waitUntil(lambda: not status.online and status.waiting == 2, timeout=15_000)

    # 同步 → 导出交换文件…
    stick = tmp_path / "usb"
    stick.mkdir()
    changes_file = stick / "乡镇.civsync"
    asked: list[tuple[str, str, str]] = []
    _choose(monkeypatch, stick / "乡镇", asked)  # typed without the suffix: it is added
    town_window.export_exchange_action.trigger()
    text = _answered_box(qtbot, town_window, 1, "export-done")
    (caption, default, file_filter), = asked
    assert caption == "导出交换文件" and file_filter == "交换文件 (*.civsync)"
    assert Path(default).name.startswith("本机更改-") and default.endswith(".civsync")
    assert changes_file.exists() and exchange_file_kind(changes_file) == files.CHANGES
    assert "2 项更改" in text and str(changes_file) in text and "回执文件" in text
    assert status.waiting == 2  # they wait until the answer comes back
    with server.read() as s:
        assert s.get(bo.STAFF.model, ids[0]) is None

    # at the bureau, on a PC connected to the server: 同步 → 导入交换文件…
    office_window = _window(qtbot, office, CLERK, tmp_path)
    office_window.exchanger.server_factory = lambda: server
    _choose(monkeypatch, changes_file)
    office_window.import_exchange_action.trigger()
    text = _answered_box(qtbot, office_window, 1, "import-changes-done")
    answer_file = stick / "乡镇.answer.civsync"
    assert answer_file.exists() and exchange_file_kind(answer_file) == files.ANSWER
    assert "2 项更改" in text and str(answer_file) in text
    with server.read() as s:
        assert {r.name for r in s.scalars(select(bo.STAFF.model))} == {"乡镇一", "乡镇二"}
    office_view = office_window.find_register_view(bo.STAFF.key)
    assert office_view is not None
    qtbot.waitUntil(lambda: office_view.model.total_count() == 2, timeout=15_000)  # the next exchange brings them

    # back at the town office, still without a network: the answer
    _choose(monkeypatch, answer_file)
    town_window.import_exchange_action.trigger()
    text = _answered_box(qtbot, town_window, 2, "import-answer-done")
    assert "回执" in text and "2 项" in text
    qtbot.waitUntil(lambda: status.waiting == 0, timeout=5_000)
    assert "待发送 0 项" in status.text and status.text.startswith("脱机")
    _shot(status, "status-after-answer")
    with town.read() as s:
        assert exchange.status(town).waiting == 0
    with server.read() as s:
        for staff_id in ids:
            assert s.get(bo.STAFF.model, staff_id) is not None

    # the same answer once more changes nothing
    town_window.import_exchange_action.trigger()
    _answered_box(qtbot, town_window, 3)
    assert status.waiting == 0


def test_a_damaged_file_is_refused_in_chinese_and_nothing_is_applied(
        qtbot: QtBot, server: Database, town: Database, office: Database, unreachable: Database,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui.errors import open_error_boxes

    town_window = _window(qtbot, town, OFFICE, tmp_path)
    town_window.exchanger.server_factory = lambda: unreachable
    _save_staff(town_window, "乡镇三")
    good = tmp_path / "good.civsync"
    _choose(monkeypatch, good)
    town_window.export_exchange_action.trigger()
    _answered_box(qtbot, town_window, 1)
    damaged = tmp_path / "damaged.civsync"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a bad USB stick
    damaged.write_bytes(bytes(data))

    for window, db in ((town_window, town), (_window(qtbot, office, CLERK, tmp_path), office)):
        if db is office:
            window.exchanger.server_factory = lambda: server
        _choose(monkeypatch, damaged)
        before = window.file_exchange.done
        window.import_exchange_action.trigger()
        qtbot.waitUntil(lambda w=window: w.file_exchange.done > before, timeout=20_000)
        qtbot.waitUntil(lambda: any(b.isVisible() for b in open_error_boxes()), timeout=5_000)
        (box,) = [b for b in open_error_boxes() if b.isVisible()]
        assert "damaged.civsync" in box.text() and ("损坏" in box.text() or "不是" in box.text())
        assert not box.detailedText()  # no traceback
        assert window.file_exchange.last_box is None
        _shot(box, "import-damaged")
        box.close()
        qtbot.waitUntil(lambda: not any(b.isVisible() for b in open_error_boxes()), timeout=5_000)
    with server.read() as s:
        assert not list(s.scalars(select(bo.STAFF.model)))
    assert exchange.status(town).waiting == 1


def test_an_answer_for_another_pc_is_refused(
        qtbot: QtBot, server: Database, town: Database, office: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui.errors import open_error_boxes

    with office.write() as s:
        records.create(s, CLERK, bo.STAFF, staff_values(name="局里"))
    changes = tmp_path / "office.civsync"
    files.write_changes(office, changes)
    answer = files.answer_changes(server, changes).answer
    assert answer is not None
    town_window = _window(qtbot, town, OFFICE, tmp_path)
    town_window.exchanger.server_factory = lambda: server
    _choose(monkeypatch, answer)
    town_window.import_exchange_action.trigger()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in open_error_boxes()), timeout=20_000)
    (box,) = [b for b in open_error_boxes() if b.isVisible()]
    assert "另一台电脑" in box.text() or "其他电脑" in box.text(), box.text()
    box.close()
