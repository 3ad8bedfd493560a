"""Group 3's screens: fast keyboard entry of entry registrations at a duty point, the duty
coverage view, the "one entrance open" check, the tab and the overview lines."""
from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups import group
from civaffairs.groups.community import demo, figures
from civaffairs.groups.community.fields import COMPOUNDS, DUTY_POINTS, ENTRIES
from civaffairs.groups.community.ui import ALERT, CoverageView, OneOpenView, build_tab, overview_lines
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel
from tests.helpers import fresh_id


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")


def _member() -> Actor:
    return Actor("community", "社区干事", Role.MEMBER, frozenset({3}))


def _type(qtbot: QtBot, form: RecordForm, text: str) -> None:
    """One key event a character.  Chinese characters come as a key event carrying the text (as
    an input method commits them): Qt's test keyboard knows only ASCII."""
    widget = form.focusWidget()
    assert widget is not None
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def test_ten_entry_registrations_typed_with_the_keyboard_alone(qtbot: QtBot, sqlite_db: Database,
                                                               tmp_path: Path) -> None:
    """At a duty point's detail pane: the duty point is fixed, the day typed once and carried over,
    then per person only the time, in/out, name, ID or phone, code, temperature and pass number."""
    demo.fill(sqlite_db, actor=COMMAND_LINE_ACTOR)
    actor = _member()
    ctx = _ctx(sqlite_db, actor, tmp_path)
    points = RegisterView(ctx, DUTY_POINTS)
    qtbot.addWidget(points)
    points.resize(1000, 700)
    points.show()
    points.select_row(0)
    point_id = points.selected_rows()[0].id
    pane = points.detail_views[ENTRIES.key]
    assert pane.parent_id == point_id
    with sqlite_db.read() as s:
        before = records.count(s, actor, ENTRIES, records.ListQuery(equals=(("duty_point_id", point_id),)))
    form = pane.start_fast_entry()
    assert form is not None and form.continuous
    assert form.editors["itinerary_card_checked"].value() is True  # checked unless unticked
    qtbot.waitUntil(lambda: form.focusWidget() is form.editor("day"))
    people = [("赵敏", "1", "36.5"), ("钱伟", "1", "36.4"), ("孙丽", "2", "36.6"), ("李强", "1", "37.5"),
              ("周芳", "1", "36.2"), ("吴磊", "1", "36.8"), ("郑洋", "1", "36.3"), ("王静", "1", "36.7"),
              ("冯杰", "1", "36.5"), ("陈娟", "1", "36.1")]
    typed = enters = 0
    for i, (name, code, temperature) in enumerate(people):
        by_id = i % 2 == 0
        values = ([("day", "2021-11-06")] if i == 0 else []) + [
            ("time_of_day", f"07{i * 3:02d}"), ("direction", "1" if i < 6 else "2"), ("name", name),
            ("id_number", fresh_id() if by_id else ""), ("phone", "" if by_id else f"1390938{i:04d}"),
            ("health_code", code), ("temperature", temperature), ("itinerary_card_checked", ""),
            ("pass_number", f"JX-{i + 1:04d}")]
        for field, value in values:
            assert form.focusWidget() is form.editor(field), (i, field)
            if field == "day":
                # Ctrl+A (two keys) selects today's date to type the day over it
                qtbot.keyClick(form.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
                typed += 2
            if value:
                _type(qtbot, form, value)
                typed += len(value)
            qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Return)
            enters += 1
    assert form.saved_count == 10
    # One keystroke per field beyond the typed values: 10 fields on the first record, 9 after.
    assert form.keys.count - typed == enters == 10 + 9 * 9
    q = records.ListQuery(equals=(("duty_point_id", point_id),), date_from=date(2021, 11, 6),
                          date_to=date(2021, 11, 6))
    with sqlite_db.read() as s:
        rows = records.fetch(s, actor, ENTRIES, q)
        assert records.count(s, actor, ENTRIES, records.ListQuery(equals=(("duty_point_id", point_id),))) \
            == before + 10
    assert len(rows) == 10
    assert {r.values["day"] for r in rows} == {date(2021, 11, 6)}
    assert {r.values["itinerary_card_checked"] for r in rows} == {True}
    by_name = {r.values["name"]: r.values for r in rows}
    assert by_name["孙丽"]["health_code"] == "yellow" and by_name["李强"]["temperature"] == Decimal("37.5")
    assert by_name["吴磊"]["direction"] == "in" and by_name["郑洋"]["direction"] == "out"
    assert by_name["钱伟"]["phone"] == "13909380001" and by_name["钱伟"]["id_number"] == ""
    assert by_name["冯杰"]["time_of_day"] == time(7, 24)
    assert ENTRIES.row_level is not None
    assert {n for n, v in by_name.items() if ENTRIES.row_level(v) is RowLevel.ALERT} == {"李强", "孙丽"}
    # The duty point's list shows them at once (the pane's model refreshed on the save).
    assert pane.model.total_count() == before + 10
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_coverage_view_lists_the_gaps_of_the_chosen_day(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    demo.fill(sqlite_db, actor=COMMAND_LINE_ACTOR)
    view = CoverageView(_ctx(sqlite_db, _member(), tmp_path))
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    view.set_day(date(2021, 11, 5))
    assert view.table.rowCount() == 9  # every open entrance
    red = [r for r in range(view.table.rowCount()) if view.row_colour(r) == ALERT]
    assert [(view.table.item(r, 1).text(), view.table.item(r, 4).text()) for r in red] == [("天河家园", "20:00–24:00")]
    assert "有空档1个" in view.summary.text()
    view.only_gaps.setChecked(True)
    assert view.table.rowCount() == 1
    view.set_day(date(2021, 11, 4))
    assert [view.table.item(r, 1).text() for r in range(view.table.rowCount())] == ["伯阳花苑"]
    assert view.table.item(0, 4).text() == "12:00–14:00"
    view.set_day(date(2021, 9, 30))  # before the rosters: every open entrance, all day
    assert view.table.rowCount() == 9 and {view.table.item(r, 4).text() for r in range(9)} == {"00:00–24:00"}
    assert not view.print_button.isEnabled()
    view.table.selectRow(0)
    assert view.print_button.isEnabled()
    view.only_gaps.setChecked(False)
    view.set_day(date(2021, 11, 5))
    view.grab().save(str(tmp_path / "coverage.png"))


def test_one_open_view_tab_and_overview(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    demo.fill(sqlite_db, actor=COMMAND_LINE_ACTOR)
    ctx = _ctx(sqlite_db, _member(), tmp_path)
    tab = build_tab(ctx, group(3))
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    assert tab.pages.tabText(0) == "值守覆盖" and tab.pages.tabText(1) == "一门开放"
    one_open: OneOpenView = tab.one_open_view  # type: ignore[attr-defined]
    assert one_open.table.rowCount() == 1
    assert [one_open.table.item(0, c).text() for c in range(4)] == ["道北街道", "渭滨社区", "锦绣花园", "东门、北门"]
    assert tab.entry_sheet_button.text() == "打印空白出入登记表…"  # type: ignore[attr-defined]
    compounds = tab.register_views[COMPOUNDS.key]
    names = [compounds.model.row(i).values["name"] for i in range(compounds.model.total_count())]
    row = compounds.model.row(names.index("锦绣花园"))
    assert row is not None and row.values["open_entrances"] == 2
    lines = overview_lines(ctx)
    assert lines and "小区8个" in lines[0]
    assert any("锦绣花园" in line for line in lines)
    with sqlite_db.read() as s:
        assert figures.totals(s).compounds == 8
