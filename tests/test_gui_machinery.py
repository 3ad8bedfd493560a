"""The generic screens: the detail pane of child records, fast keyboard entry (连续录入), computed
and coloured columns, the sort arrow."""
from __future__ import annotations

from datetime import date, time
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QInputMethodEvent, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionHeader, QWidget
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS, DISINFECTION
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.gui.style import CivaffairsStyle
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from tests.helpers import make_check_in, make_staff


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")


def _view(qtbot: QtBot, ctx: AppContext, spec) -> RegisterView:  # type: ignore[no-untyped-def]
    view = RegisterView(ctx, spec)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    return view


def test_detail_pane_lists_the_children_of_the_selected_record(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                               tmp_path: Path) -> None:
    with sqlite_db.write() as s:
        north = records.create(s, admin, TOWNS, {"name": "道北街道", "kind": "subdistrict"})
        south = records.create(s, admin, TOWNS, {"name": "桥南街道", "kind": "subdistrict"})
        for name in ("渭滨社区", "天河社区"):
            records.create(s, admin, COMMUNITIES, {"town_id": north.id, "name": name, "kind": "community"})
        records.create(s, admin, COMMUNITIES, {"town_id": south.id, "name": "伯阳路社区", "kind": "community"})
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), TOWNS)
    child = view.detail_views[COMMUNITIES.key]
    assert child.model.total_count() == 0 and not child.add_button.isEnabled()  # nothing selected yet
    view.select_row([r.values["name"] for r in (view.model.row(0), view.model.row(1))].index("道北街道"))
    assert child.parent_id == north.id
    assert sorted(child.model.row(i).values["name"] for i in range(child.model.total_count())) == ["天河社区", "渭滨社区"]
    assert view.details.tabText(0) == "村和社区（2）"
    assert "town_id" not in [c.key for c in child.model.columns]  # the parent is the pane's caption
    # A child's form opens with its parent filled in, and it cannot be changed there.
    form = child.add_record()
    assert form is not None
    assert form.editors["town_id"].value() == north.id and not form.editor("town_id").isEnabled()
    form.editor("name").setText("向阳社区")
    form.editors["kind"].set_value("community")
    with qtbot.waitSignal(child.sig_record_saved):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert child.model.total_count() == 3 and view.details.tabText(0) == "村和社区（3）"
    # Deleting the town is refused with the number of its communities.
    view.delete_rows([view.selected_rows()[0]])
    from civaffairs.gui.errors import open_error_boxes

    boxes = open_error_boxes()
    assert boxes and "村和社区（3）" in boxes[-1].text()
    for box in boxes:
        box.close()


def _type(qtbot: QtBot, form: RecordForm, text: str) -> int:
    """Type `text` into the focused field: Latin letters and digits as keys, Chinese as an input
    method commits it (what the clerk types in the input method is the value, not overhead).
    Returns the keys pressed."""
    widget = form.focusWidget()
    assert widget is not None
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return len(text)
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
    return 0


def _enter(qtbot: QtBot, form: RecordForm) -> None:
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Return)


def test_ten_records_typed_with_the_keyboard_alone(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                   tmp_path: Path) -> None:
    """Fast entry: one Enter per field and no other key beyond the values typed; the day is typed
    once and carried over; a refused record stays open with the message at its field."""
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), DISINFECTION)
    form = view.start_fast_entry()
    assert form is not None and form.continuous
    qtbot.waitUntil(lambda: form.focusWidget() is form.editor("day"))
    typed = enters = 0
    areas = ["一楼大厅", "二楼办公区", "三楼会议室", "档案室", "卫生间", "电梯轿厢", "食堂", "婚姻登记大厅", "门卫室", "车库"]
    for i, area in enumerate(areas):
        values = ([("day", "2021-10-25")] if i == 0 else []) + [
            ("time_of_day", f"08{i:02d}"), ("area", area), ("disinfectant", "84消毒液"), ("method", "2"),
            ("operator", "马建国")]
        for name, value in values:
            assert form.focusWidget() is form.editor(name), name
            if name == "day":
                form.editor("day").selectAll()
                qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Backspace)
                typed += 1  # the old date rubbed out, then the day typed
            typed += _type(qtbot, form, value)
            _enter(qtbot, form)
            enters += 1
    with sqlite_db.read() as s:
        rows = records.fetch(s, admin, DISINFECTION)
    assert len(rows) == 10
    assert {r.values["day"] for r in rows} == {date(2021, 10, 25)}
    assert {r.values["method"] for r in rows} == {"wipe"}
    assert sorted(r.values["time_of_day"] for r in rows)[3] == time(8, 3)
    assert form.saved_count == 10
    # One keystroke per field beyond the typed values, none more (the first record also walks the day).
    assert form.keys.count - typed == enters == 6 + 9 * 5
    # A bad value keeps the record open, the message at its field, nothing saved.
    _type(qtbot, form, "25:99")
    for _ in range(5):
        _enter(qtbot, form)
    assert form.isVisible() and form.error_text("time_of_day")
    with sqlite_db.read() as s:
        assert records.count(s, admin, DISINFECTION) == 10
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_health_codes_are_shown_in_their_colour(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    person = make_staff(sqlite_db, admin)
    make_check_in(sqlite_db, admin, person.id, date(2021, 10, 25), health_code="yellow")
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), CHECK_INS)
    column = [c.key for c in view.model.columns].index("health_code")
    index = view.model.index(0, column)
    assert view.model.data(index) == "黄码"
    assert view.model.data(index, Qt.ItemDataRole.ForegroundRole).color() == QColor("#b7950b")


def _arrow(ascending: bool) -> QImage:
    """The header arrow as the program's style draws it, on white."""
    image = QImage(20, 20, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionHeader()
    option.rect = QRect(0, 0, 20, 20)
    option.sortIndicator = (QStyleOptionHeader.SortIndicator.SortDown if ascending
                            else QStyleOptionHeader.SortIndicator.SortUp)  # Qt's words for the orders
    painter = QPainter(image)
    CivaffairsStyle("Fusion").drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorHeaderArrow, option, painter, QWidget())
    painter.end()
    return image


def _ink(image: QImage, y: int) -> int:
    return sum(1 for x in range(image.width()) if image.pixelColor(x, y).lightness() < 128)


def test_the_sort_arrow_points_the_way_the_rows_are_sorted(qtbot: QtBot) -> None:
    up, down = _arrow(True), _arrow(False)
    top, bottom = 8, 11  # rows of the arrow near its top and its bottom
    assert _ink(up, top) < _ink(up, bottom)  # ▲: narrow at the top, for ascending
    assert _ink(down, top) > _ink(down, bottom)  # ▼ for descending
    assert QApplication.instance() is not None


def test_emitting_thousands_of_signals_does_not_drain_true(qtbot: QtBot) -> None:
    """PySide6 6.12.0 loses a reference to True on every Python emit (Python then aborts with
    bool_dealloc after a day's clicks); the program's `emit` gives it back."""
    import sys

    from PySide6.QtCore import QObject, Signal

    from civaffairs.gui.signals import emit

    class Source(QObject):
        sig_thing = Signal(object)

    source = Source()
    got: list[int] = []
    source.sig_thing.connect(got.append)
    emit(source.sig_thing, 0)  # the first emit finds out whether this PySide6 has the fault
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(source.sig_thing, i)
    assert len(got) == 5001
    assert sys.getrefcount(True) >= before - 5  # a few references come and go; 5,000 lost would abort
