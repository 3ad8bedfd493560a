"""The log-in is on screen before the database is open (on a PC that has logged in before): the
window's start no longer waits for SQLAlchemy, the migrations and the groups to load.  A log-in
asked for meanwhile waits, then goes through; a first start on a PC still opens the database
first, since its first window (set-up or log-in) depends on it."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from civaffairs.accounts import service as accounts
from civaffairs.db.bootstrap import open_database
from civaffairs.gui import app as gui_app
from civaffairs.gui.login import LoginDialog
from civaffairs.gui.settings import Preferences

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cret-pass"


def _office(data_dir: Path) -> None:
    db = open_database(data_dir)
    with db.write() as s:
        accounts.initialise_office(s, "天水市麦积区民政局", "admin", "王主任", PASSWORD)
    db.dispose()


def _args(data_dir: Path) -> argparse.Namespace:
    return argparse.Namespace(lang="zh_CN", data_dir=str(data_dir), database_url=None)


def test_the_log_in_needs_nothing_of_the_database_layer() -> None:
    code = ("import sys; import civaffairs.gui.app, civaffairs.gui.login; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True)
    assert done.stdout.strip() == "[]"


def test_a_log_in_typed_before_the_database_is_open_goes_through_once_it_is(
        qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _office(data_dir)
    prefs = Preferences()
    prefs.last_username, prefs.office_name_seen = "admin", "天水市麦积区民政局"
    held: list[gui_app.DatabaseOpening] = []
    real_start = gui_app.DatabaseOpening.start
    monkeypatch.setattr(gui_app.DatabaseOpening, "start", lambda self: held.append(self))  # not yet
    monkeypatch.setattr(gui_app, "install_exception_hook", lambda: None)

    launch = gui_app.start(_args(data_dir), wait=False)
    assert isinstance(launch, gui_app.Launch) and launch.startup is None and held
    login = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible())
    qtbot.addWidget(login)
    assert login.db is None and login.title.text() == "天水市麦积区民政局"
    assert login.username.text() == "admin"
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert login.message.text() == "正在打开数据库…" and login.isVisible()

    real_start(held[0])  # the database opens now
    qtbot.waitUntil(lambda: launch.startup is not None and launch.startup.main_window is not None, timeout=30_000)
    window = launch.startup.main_window
    qtbot.addWidget(window)
    assert window.isVisible() and not login.isVisible()
    assert window.ctx.actor.username == "admin" and window.ctx.office_name == "天水市麦积区民政局"
    window.close()
    launch.startup.db.dispose()


def test_the_early_log_in_makes_way_for_the_set_up_on_a_database_without_accounts(
        qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefs = Preferences()
    prefs.last_username = "admin"  # this PC knew another database
    monkeypatch.setattr(gui_app, "install_exception_hook", lambda: None)
    launch = gui_app.start(_args(data_dir), wait=False)
    assert isinstance(launch, gui_app.Launch)
    qtbot.waitUntil(lambda: launch.startup is not None, timeout=30_000)
    startup = launch.startup
    assert startup.first_run_dialog is not None and startup.first_run_dialog.isVisible()
    assert not any(isinstance(w, LoginDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    startup.first_run_dialog.close()
    startup.db.dispose()


def test_a_first_start_on_a_pc_opens_the_database_before_its_first_window(
        qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gui_app, "install_exception_hook", lambda: None)
    launch = gui_app.start(_args(data_dir), wait=False)  # no one has logged in on this PC
    assert isinstance(launch, gui_app.Launch) and launch.startup is not None
    assert launch.startup.first_run_dialog is not None and launch.startup.first_run_dialog.isVisible()
    launch.startup.first_run_dialog.close()
    launch.startup.db.dispose()
