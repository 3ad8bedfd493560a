"""The groups' tabs are built when first shown: the window after the log-in builds the overview
only, not fifty lists; a tab clicked, a register asked for (a tile, 查人) is built then."""
from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.groups import GROUPS
from civaffairs.gui import navigation
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences


def _window(qtbot: QtBot, db: Database, actor: Actor, data_dir: Path) -> MainWindow:
    window = MainWindow(AppContext(db, Operations(db, actor), actor, data_dir, Preferences(), "天水市麦积区民政局"))
    qtbot.addWidget(window)
    window.show()
    return window


def test_only_the_overview_is_built_at_first(qtbot: QtBot, sqlite_db: Database, admin: Actor, data_dir: Path) -> None:
    window = _window(qtbot, sqlite_db, admin, data_dir)
    assert window.tabs.count() == 2 + len(GROUPS)
    assert window.tabs_not_built() == 1 + len(GROUPS)
    assert window.findChildren(RegisterView) == []
    assert [window.tabs.tabText(i) for i in range(1, 1 + len(GROUPS))] == [g.short_name for g in GROUPS]

    window.tabs.setCurrentIndex(1)  # the clerk clicks 局机关
    tab = window.tabs.currentWidget()
    assert isinstance(tab, GroupTab) and tab.isVisible() and window.tabs.currentIndex() == 1
    assert window.tabs.tabText(1) == GROUPS[0].short_name and window.tabs.tabToolTip(1) == GROUPS[0].name
    assert window.tabs_not_built() == len(GROUPS)
    assert {v.spec.group for v in window.findChildren(RegisterView)} == {1}


def test_a_register_asked_for_builds_the_tab_that_holds_it(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                          data_dir: Path) -> None:
    window = _window(qtbot, sqlite_db, admin, data_dir)
    view = navigation.show_register(window, "donations.money")  # a tile's click, 查人's link
    assert view is not None and view.isVisible() and view.spec.key == "donations.money"
    assert window.tabs.currentWidget().isAncestorOf(view)
    assert window.tabs_not_built() < 1 + len(GROUPS)
    window.build_all_tabs()
    assert window.tabs_not_built() == 0 and len(window.group_tabs) == len(GROUPS)
