"""The shared register view and record form, driven through group 1's registers."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import today_local
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS, STAFF
from civaffairs.groups.bureau_office.ui import ALERT, MISSING, TodayView
from civaffairs.gui.context import AppContext
from civaffairs.gui.errors import open_error_boxes
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records
from tests.helpers import make_check_in, make_staff


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")


def _view(qtbot: QtBot, ctx: AppContext, spec) -> RegisterView:  # type: ignore[no-untyped-def]
    view = RegisterView(ctx, spec)
    qtbot.addWidget(view)
    view.show()
    return view


def _form(view: RegisterView) -> RecordForm:
    forms = [w for w in view.children() if isinstance(w, RecordForm) and w.isVisible()]
    assert len(forms) == 1
    return forms[0]


def test_edit_form_loads_the_record_and_saves_the_change(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    person = make_staff(sqlite_db, admin, name="周霞")
    check_in = make_check_in(sqlite_db, admin, person.id, today_local())
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), CHECK_INS)
    view.select_row(0)
    form = view.edit_selected()
    assert form is not None
    assert form.editor("staff_id").currentText() == "周霞"
    assert form.editor("morning_temperature").text() == "36.5"
    form.editor("morning_temperature").setText("37.6")
    with qtbot.waitSignal(view.sig_record_saved):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    with sqlite_db.read() as s:
        row = records.get(s, admin, CHECK_INS, check_in.id)
    assert row.values["morning_temperature"] == Decimal("37.6")
    assert row.version == check_in.version + 1
    assert row.values["staff_id__id"] == person.id  # the reference survived the round trip


@pytest.mark.parametrize(("field", "text"), [("morning_temperature", "43.5"), ("morning_temperature", "36.55"),
                                              ("afternoon_temperature", "三十六")])
def test_bad_temperatures_are_refused_at_their_field(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path,
                                                    field: str, text: str) -> None:
    make_staff(sqlite_db, admin, name="周霞")
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), CHECK_INS)
    form = view.add_record()
    assert form is not None
    form.editors["staff_id"].set_value(view.ctx.ops.read(lambda s: records.options(s, admin, STAFF))[0].id)
    form.editor("morning_temperature").setText("36.5")
    form.editor(field).setText(text)
    form.editors["health_code"].set_value("green")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert form.error_text(field)
    assert view.model.total_count() == 0


def test_future_date_and_second_check_in_of_the_day_are_refused(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                               tmp_path: Path) -> None:
    person = make_staff(sqlite_db, admin, name="周霞")
    make_check_in(sqlite_db, admin, person.id, today_local())
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), CHECK_INS)
    form = view.add_record()
    assert form is not None
    form.editors["staff_id"].set_value(person.id)
    form.editors["day"].set_value(today_local() + timedelta(days=1))
    form.editor("morning_temperature").setText("36.5")
    form.editors["health_code"].set_value("green")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "未来" in form.error_text("day")
    form.editors["day"].set_value(today_local())
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "周霞" in form.error_text("day")
    assert view.model.total_count() == 1


def test_a_second_save_is_refused_and_shows_what_the_other_person_changed(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, office_member: Actor, tmp_path: Path) -> None:
    person = make_staff(sqlite_db, admin, name="周霞", department="办公室")
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), STAFF)
    view.select_row(0)
    form = view.edit_selected()
    assert form is not None
    # Meanwhile, on another PC, the office clerk changes the department.
    with sqlite_db.write() as s:
        records.update(s, office_member, STAFF, person.id, person.version, {"department": "社会救助股"})
    form.editor("post").setText("股长")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()  # what this user typed is still there
    boxes = [b for b in open_error_boxes() if b.isVisible()]
    assert len(boxes) == 1
    text = boxes[0].text()
    assert "科室" in text and "办公室" in text and "社会救助股" in text and "office" in text
    boxes[0].button(QMessageBox.StandardButton.Ok).click()
    with sqlite_db.read() as s:
        row = records.get(s, admin, STAFF, person.id)
    assert row.values["department"] == "社会救助股" and row.values["post"] == "科员"


def test_delete_then_restore_through_the_recycle_bin(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    make_staff(sqlite_db, admin, name="周霞")
    make_staff(sqlite_db, admin, name="马军")
    view = _view(qtbot, _ctx(sqlite_db, admin, tmp_path), STAFF)
    assert view.model.total_count() == 2
    view.select_row(0)  # sorted by name: 周霞 after 马军 in code-point order
    deleted_name = view.model.index(0, 0).data()
    view.delete_selected()
    box = view.findChild(QMessageBox, "confirmDelete")
    box.button(QMessageBox.StandardButton.Yes).click()
    assert view.model.total_count() == 1
    assert view.model.index(0, 0).data() != deleted_name
    view.trash.setChecked(True)
    assert view.model.total_count() == 1 and view.model.index(0, 0).data() == deleted_name
    assert view.restore_button.isVisible()
    view.select_row(0)
    qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)
    assert view.model.total_count() == 0
    view.trash.setChecked(False)
    assert view.model.total_count() == 2


def test_a_member_of_another_group_reads_masked_and_cannot_edit(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                               institutions_member: Actor, tmp_path: Path) -> None:
    person = make_staff(sqlite_db, admin, name="周霞")
    view = _view(qtbot, _ctx(sqlite_db, institutions_member, tmp_path), STAFF)
    assert not view.add_button.isVisible() and not view.delete_button.isVisible()
    keys = [c.key for c in view.model.columns]
    shown_id = view.model.index(0, keys.index("id_number")).data()
    assert shown_id != person.values["id_number"] and "*" in shown_id
    assert "*" in view.model.index(0, keys.index("phone")).data()
    assert "身份证" not in view.search.placeholderText()  # cannot search what it cannot see
    view.select_row(0)
    form = view.edit_selected()
    assert form is not None and not form.save_button.isEnabled()


def test_today_view_marks_who_is_missing_and_who_needs_attention(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                               tmp_path: Path) -> None:
    fine = make_staff(sqlite_db, admin, name="甲")
    feverish = make_staff(sqlite_db, admin, name="乙")
    yellow = make_staff(sqlite_db, admin, name="丙")
    make_staff(sqlite_db, admin, name="丁")  # has not checked in
    today = today_local()
    make_check_in(sqlite_db, admin, fine.id, today)
    make_check_in(sqlite_db, admin, feverish.id, today, morning_temperature=Decimal("37.3"))
    make_check_in(sqlite_db, admin, yellow.id, today, health_code="yellow")
    view = TodayView(_ctx(sqlite_db, admin, tmp_path))
    qtbot.addWidget(view)
    colours = {view.table.item(r, 0).text(): view.row_colour(r) for r in range(view.table.rowCount())}
    assert colours == {"丁": MISSING, "乙": ALERT, "丙": ALERT, "甲": None}
    assert "1" in view.summary.text()
    view.only_problems.setChecked(True)
    assert view.table.rowCount() == 3
