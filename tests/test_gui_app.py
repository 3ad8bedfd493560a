"""Application set-up: shipped fonts, Qt's own texts in Chinese, remembered preferences, the demo
data offered on an empty database, and the screenshot script."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QProgressDialog
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS, STAFF
from civaffairs.gui.app import install_translations, register_fonts, setup_application
from civaffairs.gui.context import AppContext
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records

ROOT = Path(__file__).resolve().parents[1]


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")


def test_the_shipped_font_covers_the_chinese_interface(qapp: QApplication) -> None:
    assert "WenQuanYi Micro Hei" in register_fonts()
    setup_application(qapp, "zh_CN")
    metrics = QFontMetrics(qapp.font())
    assert all(metrics.inFontUcs4(ord(c)) for c in "局机关疫情防控组健康码身份证号码校验位")
    assert "WenQuanYi Micro Hei" in QFontDatabase.families()


def test_qt_own_buttons_speak_chinese_and_english_on_request(qtbot: QtBot, qapp: QApplication) -> None:
    install_translations(qapp, "zh_CN")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Save)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert box.button(QDialogButtonBox.StandardButton.Save).text() == "保存"
    install_translations(qapp, "en")
    english = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(english)
    assert english.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    install_translations(qapp, "zh_CN")


def test_column_widths_and_window_size_are_remembered(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    ctx = _ctx(sqlite_db, admin, tmp_path)
    view = RegisterView(ctx, STAFF)
    qtbot.addWidget(view)
    view.table.setColumnWidth(1, 333)
    again = RegisterView(_ctx(sqlite_db, admin, tmp_path), STAFF)
    qtbot.addWidget(again)
    assert again.table.columnWidth(1) == 333

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(733, 555)  # within the offscreen screen (800×600), which restoreGeometry clamps to
    window.close()
    reopened = MainWindow(_ctx(sqlite_db, admin, tmp_path))
    qtbot.addWidget(reopened)
    assert (reopened.width(), reopened.height()) == (733, 555)


def test_empty_database_offers_demo_data_filled_in_the_background(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                                tmp_path: Path) -> None:
    ctx = _ctx(sqlite_db, admin, tmp_path)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.overview.demo_button.isVisibleTo(window)
    with qtbot.waitSignal(ctx.ops.sig_changed, timeout=900_000):  # the whole demo, every group
        window.overview.demo_button.click()
        assert window.findChild(QProgressDialog, "progressDialog") is not None
    with sqlite_db.read() as s:
        assert records.count(s, admin, STAFF) > 0 and records.count(s, admin, CHECK_INS) > 0
    qtbot.waitUntil(lambda: not window.overview.demo_button.isVisibleTo(window), timeout=2000)
    assert window.group_tabs[0].register_views[STAFF.key].model.total_count() > 0


def test_demo_fill_can_be_cancelled_and_keeps_what_it_finished(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                               tmp_path: Path) -> None:
    ctx = _ctx(sqlite_db, admin, tmp_path)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.fill_demo_data()
    assert ctx.ops.busy()
    dialog = window.findChild(QProgressDialog, "progressDialog")
    dialog.cancel()
    qtbot.waitUntil(lambda: not ctx.ops.busy(), timeout=900_000)
    with sqlite_db.read() as s:
        days = records.count(s, admin, CHECK_INS)
    assert days < 48 * 30  # stopped early; the window stayed usable
    assert window.isEnabled()


def test_screenshot_script_shows_chinese(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(out)],
                          timeout=1200, capture_output=True, text=True)  # the demo of every group first
    assert done.returncode == 0, done.stderr[-3000:]
    names = {p.name for p in out.glob("*.png")}
    assert {"main-overview.png", "bureau-check_ins.png", "check-in-form.png"} <= names
    for name in names:
        image = QImage(str(out / name))
        assert image.width() > 300 and image.height() > 150


def _start_and_capture(qapp: QApplication, argv: list[str]) -> dict[str, object]:
    """Start the program as `civaffairs ARGS` does, up to its event loop, and look at the first
    window.  (Running the real loop and quitting it would stop every later test's event loop.)"""
    from civaffairs.cli import _parser
    from civaffairs.gui.app import start

    saved = sys.excepthook
    try:
        startup = start(_parser().parse_args(argv))
    finally:
        sys.excepthook = saved
    assert startup is not None
    dialog = startup.first_run_dialog
    seen: dict[str, object] = {"visible": dialog is not None and dialog.isVisible(),
                               "title": dialog.windowTitle() if dialog else ""}
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()
    startup.db.dispose()
    return seen


def test_the_program_starts_on_an_empty_data_folder_in_chinese(qapp: QApplication, tmp_path: Path) -> None:
    data = tmp_path / "data"
    seen = _start_and_capture(qapp, ["--data-dir", str(data)])
    assert seen["visible"] and seen["title"] == "civaffairs 初始设置"
    assert (data / "civaffairs.sqlite").exists()


def test_english_on_request_from_the_settings_applies_at_the_next_start(qapp: QApplication, tmp_path: Path) -> None:
    Preferences().language = "en"
    seen = _start_and_capture(qapp, ["--data-dir", str(tmp_path / "data")])
    assert seen["title"] == "Set up civaffairs"
    install_translations(qapp, "zh_CN")


def test_an_uncaught_error_is_shown_and_logged_not_fatal(qtbot: QtBot, tmp_path: Path) -> None:
    from civaffairs.gui.app import install_exception_hook
    from civaffairs.gui.errors import open_error_boxes

    saved = sys.excepthook
    try:
        install_exception_hook()
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as e:
            sys.excepthook(type(e), e, e.__traceback__)
        boxes = [b for b in open_error_boxes() if b.isVisible()]
        assert len(boxes) == 1 and "boom" in boxes[0].detailedText() and "boom" not in boxes[0].text()
        boxes[0].close()
    finally:
        sys.excepthook = saved
