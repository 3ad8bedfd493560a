"""Group 4's household screens with real widgets: a household and its members added in the
window, a possible duplicate accepted ("save anyway"), a person refused for being in another
household and moved from the form, a person moved with the move dialog, the household's file
printed, and the "not contacted" page with a contact entered from it and the list printed."""
from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups import group
from civaffairs.groups.assistance import households as H
from civaffairs.groups.assistance.ui_households import MoveMemberDialog, add_pages, overview_lines
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.places import demo as places_demo
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from tests.helpers import fresh_id, fresh_mobile


@pytest.fixture
def clerk() -> Actor:
    return Actor("assist", "救助股干事", Role.MEMBER, frozenset({4}))


@pytest.fixture
def places(sqlite_db: Database) -> dict[str, uuid.UUID]:
    places_demo.fill(sqlite_db)
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with sqlite_db.read() as s:
        found = {o.label: o.id for o in records.options(s, admin, TOWNS)}
        found.update({o.label: o.id for o in records.options(s, admin, COMMUNITIES)})
    return found


def _tab(qtbot: QtBot, db: Database, actor: Actor, tmp_path: Path) -> GroupTab:
    ctx = AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")
    tab = GroupTab(ctx, group(4))
    add_pages(tab)
    qtbot.addWidget(tab)
    tab.resize(1400, 860)
    tab.show()
    return tab


def _create(db: Database, actor: Actor, spec, values: dict[str, Any], **kw: Any) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values, **kw)


def _household(db: Database, actor: Actor, places: dict[str, uuid.UUID], head: str, town: str = "马跑泉镇",
               community: str | None = "崖湾村") -> records.Row:
    h = _create(db, actor, H.HOUSEHOLDS, {"head_name": head, "head_id_number": fresh_id(), "town_id": places[town],
                                          "community_id": places[community] if community else None,
                                          "address": f"{town}{community or ''}1号", "phone": fresh_mobile(),
                                          "registered_on": date(2021, 3, 8)})
    _create(db, actor, H.MEMBERS, {"household_id": h.id, "name": head, "relation": "head",
                                   "id_number": h.values["head_id_number"]})
    return h


def _select(view: RegisterView, field: str, value: str) -> records.Row:
    for r in range(view.model.rowCount()):
        row = view.model.row(r)
        if row is not None and row.values[field] == value:
            view.select_row(r)
            return row
    raise AssertionError(value)


def _choose(form: RecordForm, name: str, code: str) -> None:
    combo = form.editors[name].combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(code))


def _type(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """One key event a character.  Chinese characters come as a key event carrying the text (as
    an input method commits them): Qt's test keyboard knows only ASCII."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def _click_save(qtbot: QtBot, form: RecordForm) -> None:
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def test_a_household_and_its_members_added_in_the_window(qtbot: QtBot, sqlite_db: Database, clerk: Actor,
                                                          places: dict[str, uuid.UUID], tmp_path: Path) -> None:
    other = _household(sqlite_db, clerk, places, "李德明", "甘泉镇", "甘泉村")
    born = date(1988, 5, 17)
    _create(sqlite_db, clerk, H.MEMBERS, {"household_id": other.id, "name": "王小军", "relation": "child",
                                          "id_number": fresh_id(born)})
    tab = _tab(qtbot, sqlite_db, clerk, tmp_path)
    view = tab.register_views[H.HOUSEHOLDS.key]
    form = view.add_record()
    assert form is not None
    head_number = fresh_id(date(1962, 4, 3), male=True)
    _type(qtbot, form.editor("head_name"), "王建国")
    _type(qtbot, form.editor("head_id_number"), head_number)
    form.editors["town_id"].set_value(places["甘泉镇"])
    form.editors["community_id"].set_value(places["崖湾村"])  # a village of another town
    _type(qtbot, form.editor("bank_name"), "甘肃农村信用社")
    _type(qtbot, form.editor("bank_account"), "6228 4800 1234 5678")
    _click_save(qtbot, form)
    assert form.isVisible()
    assert "马跑泉镇" in form.error_text("community_id") and "10" in form.error_text("bank_account")
    form.editors["town_id"].set_value(places["马跑泉镇"])
    form.editor("bank_account").setText("6228480012345678")
    with qtbot.waitSignal(view.sig_record_saved):
        _click_save(qtbot, form)
    household = _select(view, "head_name", "王建国")
    assert household.values["town_id"] == "马跑泉镇"

    members = view.detail_views[H.MEMBERS.key]
    assert members.parent_id == household.id
    form = members.add_record()
    assert form is not None and form.editors["household_id"].value() == household.id
    _type(qtbot, form.editor("name"), "王建国")
    _choose(form, "relation", H.HEAD)
    _type(qtbot, form.editor("id_number"), head_number)
    with qtbot.waitSignal(members.sig_record_saved):
        _click_save(qtbot, form)
    assert members.model.total_count() == 1
    head = members.model.row(0)
    assert head is not None and (head.values["sex"], head.values["birth_date"]) == ("male", date(1962, 4, 3))

    # A possible duplicate: the same name and birth date as a member of 李德明's household.
    form = members.add_record()
    assert form is not None
    _type(qtbot, form.editor("name"), "王小军")
    _choose(form, "relation", "child")
    _type(qtbot, form.editor("id_number"), fresh_id(born))
    _click_save(qtbot, form)
    assert form.isVisible() and form.save_button.text() == "仍然保存"
    assert "李德明" in form.error_text("name") and "1988年5月17日" in form.error_text("name")
    assert not form.move_here_button.isVisible()  # type: ignore[attr-defined]  # a warning, not a move
    with qtbot.waitSignal(members.sig_record_saved):
        _click_save(qtbot, form)
    assert members.model.total_count() == 2
    view.refresh()
    assert _select(view, "head_name", "王建国").values["members"] == 2


def test_a_person_in_another_household_is_moved_from_the_form(qtbot: QtBot, sqlite_db: Database, clerk: Actor,
                                                               places: dict[str, uuid.UUID], tmp_path: Path) -> None:
    a = _household(sqlite_db, clerk, places, "王建国")
    b = _household(sqlite_db, clerk, places, "李德明", "甘泉镇", "甘泉村")
    son = _create(sqlite_db, clerk, H.MEMBERS, {"household_id": a.id, "name": "王小军", "relation": "child",
                                                "id_number": fresh_id()})
    tab = _tab(qtbot, sqlite_db, clerk, tmp_path)
    view = tab.register_views[H.HOUSEHOLDS.key]
    _select(view, "head_name", "李德明")
    members = view.detail_views[H.MEMBERS.key]
    form = members.add_record()
    assert form is not None
    _type(qtbot, form.editor("name"), "王小军")
    _choose(form, "relation", "other")
    _type(qtbot, form.editor("id_number"), son.values["id_number"])
    _click_save(qtbot, form)
    assert form.isVisible()
    assert "马跑泉镇王建国户" in form.error_text("id_number")
    button = form.move_here_button  # type: ignore[attr-defined]
    assert button.isVisible() and "王小军" in button.text() and "王建国" in button.text()
    with qtbot.waitSignal(members.sig_record_saved):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    with sqlite_db.read() as s:
        moved = records.get(s, clerk, H.MEMBERS, son.id)
        assert H.member_counts(s, [a.id, b.id]) == {a.id: 1, b.id: 2}
    assert (moved.values["household_id__id"], moved.values["relation"]) == (b.id, "other")
    assert members.model.total_count() == 2  # the pane shows the person moved in


def test_a_person_is_moved_with_the_move_dialog(qtbot: QtBot, sqlite_db: Database, clerk: Actor,
                                                places: dict[str, uuid.UUID], tmp_path: Path) -> None:
    a = _household(sqlite_db, clerk, places, "王建国")
    b = _household(sqlite_db, clerk, places, "赵德明", "甘泉镇", "甘泉村")
    _household(sqlite_db, clerk, places, "赵永福", "社棠镇", "社棠社区")
    _create(sqlite_db, clerk, H.MEMBERS, {"household_id": a.id, "name": "王秀英", "relation": "parent",
                                          "id_number": fresh_id(date(1938, 10, 2), male=False)})
    tab = _tab(qtbot, sqlite_db, clerk, tmp_path)
    members = tab.register_views[H.MEMBERS.key]  # the members' own page
    button = members.findChild(QPushButton, "moveButton")
    assert button is not None and not button.isEnabled()
    row = _select(members, "name", "王秀英")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = members.last_move_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, MoveMemberDialog) and dialog.isVisible()
    assert all(c.id != a.id for c in dialog.choices)  # not back into her own household
    _type(qtbot, dialog.search, "赵")
    dialog.find()
    assert {c.head_name for c in dialog.choices} == {"赵德明", "赵永福"}
    assert not dialog.move_button.isEnabled()
    dialog.choose(b.id)
    assert dialog.relation.currentData() == "parent" and dialog.move_button.isEnabled()
    # As the head of 赵德明's household: refused in the dialog, which stays open.
    dialog.relation.setCurrentIndex(dialog.relation.findData(H.HEAD))
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "赵德明" in dialog.error.text()
    dialog.relation.setCurrentIndex(dialog.relation.findData("parent"))
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.moved is not None
    with sqlite_db.read() as s:
        assert records.get(s, clerk, H.MEMBERS, row.id).values["household_id__id"] == b.id
    members.refresh()
    assert _select(members, "name", "王秀英").values["household_id"] == "赵德明"


def test_the_not_contacted_page_a_contact_from_it_and_the_paper(qtbot: QtBot, sqlite_db: Database, clerk: Actor,
                                                                places: dict[str, uuid.UUID], tmp_path: Path) -> None:
    called = _household(sqlite_db, clerk, places, "王建国")
    _household(sqlite_db, clerk, places, "李秀兰", "马跑泉镇", "二十里铺村")
    _household(sqlite_db, clerk, places, "孙丽", "道北街道", "渭滨社区")
    _create(sqlite_db, clerk, H.CONTACTS, {"household_id": called.id, "contacted_on": date(2021, 10, 25),
                                           "channel": "phone", "contacted_by": "马红", "findings": ["none"]})
    tab = _tab(qtbot, sqlite_db, clerk, tmp_path)
    page = tab.not_contacted  # type: ignore[attr-defined]
    tab.pages.setCurrentWidget(page)
    page.set_since(date(2021, 10, 22))
    assert {line.head_name for line in page.lines} == {"李秀兰", "孙丽"}
    page.set_town("马跑泉镇")
    assert [line.head_name for line in page.lines] == ["李秀兰"]
    assert page.table.item(0, 7).text() == "从未联系" and "1户" in page.summary.text()
    page.set_since(date(2021, 10, 26))
    assert [line.head_name for line in page.lines] == ["李秀兰", "王建国"]  # by village: 二十里铺村, 崖湾村

    # Print the town's list: through the preview, as every paper.
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "last_preview", None) is not None, timeout=20000)
    preview = page.last_preview
    assert preview.pdf.startswith(b"%PDF") and preview.page_total() == 1
    preview.close()

    # A contact entered from the list takes the household off it.
    page.select_row([line.head_name for line in page.lines].index("李秀兰"))
    qtbot.mouseClick(page.contact_button, Qt.MouseButton.LeftButton)
    form = page.last_form
    assert form is not None and not form.editor("household_id").isEnabled()
    _choose(form, "channel", "home_visit")
    _type(qtbot, form.editor("contacted_by"), "村干部 王强")
    form.editors["findings"].boxes["food"].setChecked(True)  # type: ignore[attr-defined]
    with qtbot.waitSignal(form.sig_saved):
        _click_save(qtbot, form)
    assert [line.head_name for line in page.lines] == ["王建国"]
    lines = overview_lines(tab.ctx)
    assert "在册困难家庭3户" in lines[0]


def test_the_households_file_is_printed_from_the_households_page(qtbot: QtBot, sqlite_db: Database, clerk: Actor,
                                                                 places: dict[str, uuid.UUID], tmp_path: Path) -> None:
    _household(sqlite_db, clerk, places, "王建国")
    tab = _tab(qtbot, sqlite_db, clerk, tmp_path)
    view = tab.register_views[H.HOUSEHOLDS.key]
    button = tab.household_file_button  # type: ignore[attr-defined]
    assert not button.isEnabled()
    _select(view, "head_name", "王建国")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(view, "last_preview", None) is not None, timeout=20000)
    assert view.last_preview.pdf.startswith(b"%PDF") and view.last_preview.page_total() >= 1
    assert "王建国" in view.last_preview.windowTitle()
    view.last_preview.close()


def test_a_viewer_reads_masked_and_cannot_move(qtbot: QtBot, sqlite_db: Database, clerk: Actor, viewer: Actor,
                                               places: dict[str, uuid.UUID], tmp_path: Path) -> None:
    h = _household(sqlite_db, clerk, places, "王建国")
    tab = _tab(qtbot, sqlite_db, viewer, tmp_path)
    members = tab.register_views[H.MEMBERS.key]
    button = members.findChild(QPushButton, "moveButton")
    assert button is not None and button.isHidden()
    page = tab.not_contacted  # type: ignore[attr-defined]
    assert page.contact_button.isHidden()
    page.set_since(date(2021, 10, 22))
    assert page.table.item(0, 3).text() != h.values["head_id_number"]
    assert "*" in page.table.item(0, 3).text() and "*" in page.table.item(0, 4).text()
    _select(members, "name", "王建国")
    form = members.edit_selected()
    assert form is not None and not hasattr(form, "move_here_button")  # nothing to offer an edit, nor a viewer
    form.reject()
