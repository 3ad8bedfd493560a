"""查人 in the window: type an ID number, Enter, the four registers are listed; a double-click
opens the record selected in its register; a wrong check digit is shown at the field."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.gui.context import AppContext
from civaffairs.gui.find_person import RECORD_ROLE
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.navigation import register_view
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.people.service import QUERY_FIELD
from tests.helpers import wrong_check_digit
from tests.test_find_person import _add_person


def _window(qtbot: QtBot, db: Database, actor: Actor, tmp_path: Path) -> MainWindow:
    ctx = AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_an_id_number_and_enter_list_the_four_registers_and_a_double_click_opens_the_record(
        qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR, frozenset())
    person = _add_person(sqlite_db, admin)
    _add_person(sqlite_db, admin, name="李娜")  # someone else: not listed
    window = _window(qtbot, sqlite_db, admin, tmp_path)
    window.find_person_action.trigger()
    dialog = window.find_person_dialog
    qtbot.keyClicks(dialog.query, person.id_number)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)

    tree = dialog.tree
    listed = {}
    for i in range(tree.topLevelItemCount()):
        head = tree.topLevelItem(i)
        for j in range(head.childCount()):
            key, record_id = head.child(j).data(0, RECORD_ROLE)
            listed[key] = record_id
    assert listed == person.records
    assert tree.topLevelItemCount() == 4
    assert all(tree.topLevelItem(i).text(0).replace("（", "(").replace("）", ")").endswith("(1)") for i in range(4))

    for key, record_id in person.records.items():
        item = next(tree.topLevelItem(i).child(0) for i in range(tree.topLevelItemCount())
                    if tree.topLevelItem(i).child(0).data(0, RECORD_ROLE)[0] == key)
        tree.setCurrentItem(item)
        qtbot.keyClick(tree, Qt.Key.Key_Return)  # Enter opens it, as a double-click does
        view = register_view(window, key)
        assert view is not None and [r.id for r in view.selected_rows()] == [record_id]

    # A double-click on the first result.
    item = tree.topLevelItem(0).child(0)
    key, record_id = item.data(0, RECORD_ROLE)
    rect = tree.visualItemRect(item)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = register_view(window, key)
    assert view is not None and [r.id for r in view.selected_rows()] == [record_id]


def test_a_wrong_check_digit_is_shown_at_the_field_and_nothing_is_listed(
        qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR, frozenset())
    person = _add_person(sqlite_db, admin)
    window = _window(qtbot, sqlite_db, admin, tmp_path)
    window.find_person_action.trigger()
    dialog = window.find_person_dialog
    qtbot.keyClicks(dialog.query, wrong_check_digit(person.id_number))
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert dialog.tree.topLevelItemCount() == 0
    label = dialog.errors.label(QUERY_FIELD)
    assert label.isVisible() and label.text() != ""
