"""Going to a register from elsewhere (an overview tile, a person found): the page comes to the
front with the filters asked for and the record selected."""
from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS, STAFF
from civaffairs.gui.context import AppContext
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.navigation import register_view, show_register
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from tests.helpers import PAST, make_check_in, make_staff


def test_a_register_comes_to_the_front_filtered_with_its_record_selected(qtbot: QtBot, sqlite_db: Database,
                                                                         tmp_path: Path) -> None:
    actor = Actor("admin", "管理员", Role.ADMINISTRATOR, frozenset())
    staff = [make_staff(sqlite_db, actor, name=name).id for name in ("王建国", "李娜", "张伟")]
    for i, member in enumerate(staff):
        make_check_in(sqlite_db, actor, member, PAST, health_code="yellow" if i == 1 else "green")
    ctx = AppContext(sqlite_db, Operations(sqlite_db, actor), actor, tmp_path, Preferences(), "测试民政局")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.currentIndex() == 0  # the overview

    view = show_register(window.overview, CHECK_INS.key, date_from=PAST, date_to=PAST, colours=("yellow",))
    assert view is register_view(window, CHECK_INS.key) and view is not None
    assert window.tabs.currentWidget().isAncestorOf(view) and view.isVisible()
    assert view.model.total_count() == 1 and view.model.query.colours == ("yellow",)
    assert view.model.query.date_from == view.model.query.date_to == PAST

    view = show_register(window, STAFF.key, record_id=staff[2])
    assert view is not None and [r.id for r in view.selected_rows()] == [staff[2]]
    assert view.model.query.search == ""  # on the first page: found without narrowing the list
    assert show_register(window, "no.such.register") is None
