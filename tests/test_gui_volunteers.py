"""Group 7's screens driven through their real widgets: a shift across midnight recorded in an
activity's detail pane (and an overlapping one refused at its field), shifts typed in fast entry
with the activity carried over, a service certificate drafted, issued and printed from the
volunteers page, the hours of a period, and what a viewer sees."""
from __future__ import annotations

import time as _time
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups import group, load_all
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records
from tests.helpers import fresh_id, fresh_mobile

load_all()

from civaffairs.groups.volunteers import ui  # noqa: E402
from civaffairs.groups.volunteers.fields import ACTIVITIES, CERTIFICATES, SHIFTS, VOLUNTEERS  # noqa: E402


@pytest.fixture(autouse=True)
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").astimezone()


def _member() -> Actor:
    return Actor("volunteers", "王静", Role.MEMBER, frozenset({7}))


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")


def _setup(db: Database) -> dict[str, uuid.UUID]:
    actor = COMMAND_LINE_ACTOR
    with db.write() as s:
        town = records.create(s, actor, TOWNS, {"name": "道北街道", "kind": "subdistrict"}).id

        def volunteer(name: str) -> uuid.UUID:
            return records.create(s, actor, VOLUNTEERS, {"name": name, "id_number": fresh_id(), "phone": fresh_mobile(),
                                                         "organisation": "渭滨社区志愿服务队", "party_member": True}).id

        def activity(name: str, kind: str, day: date, last: date | None = None) -> uuid.UUID:
            return records.create(s, actor, ACTIVITIES, {"name": name, "kind": kind, "town_id": town,
                                                         "place": "渭滨广场", "day": day, "last_day": last}).id

        ids = {"zhang": volunteer("张建军"), "li": volunteer("李秀兰"),
               "duty": activity("锦绣花园东门值守点志愿值守", "duty_point", date(2021, 10, 20), date(2021, 11, 5)),
               "nat": activity("10月25日渭滨社区核酸采样点引导服务", "nat_guidance", date(2021, 10, 25))}
        records.create(s, actor, SHIFTS, {"activity_id": ids["nat"], "volunteer_id": ids["zhang"],
                                          "sign_in": at("2021-10-25 07:00"), "sign_out": at("2021-10-25 12:30")})
    return ids


def _type(qtbot: QtBot, form: RecordForm, text: str) -> None:
    """One key event a character; Chinese characters as an input method commits them."""
    widget = form.focusWidget()
    assert widget is not None
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def _saved(qtbot: QtBot, view: RegisterView, form: RecordForm) -> None:
    with qtbot.waitSignal(view.sig_record_saved, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def _select(view: RegisterView, name: str) -> None:
    for i in range(view.model.total_count()):
        row = view.model.row(i)
        if row is not None and name in (row.values.get("name"), row.values.get("volunteer_id")):
            view.select_row(i)
            return
    raise AssertionError(name)


def test_recording_a_shift_across_midnight_and_refusing_an_overlap(qtbot: QtBot, sqlite_db: Database,
                                                                  tmp_path: Path) -> None:
    ids = _setup(sqlite_db)
    ctx = _ctx(sqlite_db, _member(), tmp_path)
    tab = ui.build_tab(ctx, group(7))
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.show()
    activities = tab.register_views[ACTIVITIES.key]
    tab.pages.setCurrentWidget(activities)
    _select(activities, "锦绣花园东门值守点志愿值守")
    pane = activities.detail_views[SHIFTS.key]
    assert pane.parent_id == ids["duty"] and pane.model.total_count() == 0

    form = pane.add_record()
    assert form is not None and not form.editor("activity_id").isEnabled()  # the activity is fixed
    form.editors["volunteer_id"].set_value(ids["li"])
    form.editors["sign_in"].set_value(at("2021-10-25 22:00"))
    form.editors["sign_out"].set_value(at("2021-10-26 06:00"))
    form.editor("task").setText("夜间值守")
    _saved(qtbot, pane, form)
    assert pane.model.total_count() == 1
    row = pane.model.row(0)
    assert row is not None and row.values["hours"] == 8  # 22:00 to 06:00 the next morning
    column = [c.key for c in pane.model.columns].index("hours")
    assert pane.model.data(pane.model.index(0, column)) == "8.0"
    column = [c.key for c in pane.model.columns].index("sign_out")
    assert pane.model.data(pane.model.index(0, column)) == "2021-10-26 06:00"  # shown local, as typed

    # the next morning before 06:00 the same volunteer is still on the night shift: refused at the field
    form = pane.add_record()
    assert form is not None
    form.editors["volunteer_id"].set_value(ids["li"])
    form.editors["sign_in"].set_value(at("2021-10-26 05:00"))
    form.editors["sign_out"].set_value(at("2021-10-26 09:00"))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert form.error_text("sign_in") == ("李秀兰同一时间已在另一班次：“锦绣花园东门值守点志愿值守”，"
                                          "2021-10-25 22:00至2021-10-26 06:00。")
    form.editors["sign_in"].set_value(at("2021-10-26 06:00"))
    _saved(qtbot, pane, form)
    assert pane.model.total_count() == 2
    volunteers = tab.register_views[VOLUNTEERS.key]
    volunteers.refresh()
    _select(volunteers, "李秀兰")
    assert volunteers.selected_rows()[0].values["hours"] == 11  # 8 + 3 hours, in the list's column


def test_fast_entry_of_shifts_carries_the_activity(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    """On the shifts page: the activity typed once, then per shift only the volunteer, the sign-in
    and the sign-out (a night across midnight among them), the task and the notes."""
    ids = _setup(sqlite_db)
    ctx = _ctx(sqlite_db, _member(), tmp_path)
    view = RegisterView(ctx, SHIFTS)
    qtbot.addWidget(view)
    view.show()
    form = view.start_fast_entry()
    assert form is not None and form.continuous
    qtbot.waitUntil(lambda: form.focusWidget() is form.editor("activity_id"))
    shifts = [("张建军", "2021-10-26 08:00", "2021-10-26 14:00", "测温登记"),
              ("李秀兰", "2021-10-26 14:00", "2021-10-26 22:00", "验码"),
              ("张建军", "2021-10-26 22:00", "2021-10-27 06:00", "夜间值守")]
    for i, (name, sign_in, sign_out, task) in enumerate(shifts):
        values = ([("activity_id", "锦绣花园东门值守点志愿值守 2021-10-20")] if i == 0 else []) + [
            ("volunteer_id", name), ("sign_in", sign_in), ("sign_out", sign_out), ("task", task), ("notes", "")]
        for field, value in values:
            assert form.focusWidget() is form.editor(field), (i, field)
            if value:
                _type(qtbot, form, value)
            qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Return)
    assert form.saved_count == 3, form.errors.label("sign_in").text()
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Escape)
    with sqlite_db.read() as s:
        rows = records.fetch(s, ctx.actor, SHIFTS, records.ListQuery(equals=(("activity_id", ids["duty"]),)))
    assert sorted((r.values["volunteer_id"], r.values["hours"]) for r in rows) == [
        ("张建军", 6), ("张建军", 8), ("李秀兰", 8)]
    assert {r.values["activity_id"] for r in rows} == {"锦绣花园东门值守点志愿值守"}


def test_a_certificate_drafted_issued_and_printed_from_the_volunteers_page(qtbot: QtBot, sqlite_db: Database,
                                                                           tmp_path: Path) -> None:
    ids = _setup(sqlite_db)
    with sqlite_db.write() as s:
        records.create(s, COMMAND_LINE_ACTOR, SHIFTS, {"activity_id": ids["duty"], "volunteer_id": ids["zhang"],
                                                       "sign_in": at("2021-10-31 22:00"),
                                                       "sign_out": at("2021-11-01 06:00")})
    ctx = _ctx(sqlite_db, _member(), tmp_path)
    tab = ui.build_tab(ctx, group(7))
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.show()
    volunteers = tab.register_views[VOLUNTEERS.key]
    _select(volunteers, "张建军")
    buttons = tab.volunteer_buttons
    assert buttons.certificate_button.isVisible() and buttons.certificate_button.isEnabled()
    qtbot.mouseClick(buttons.certificate_button, Qt.MouseButton.LeftButton)
    form = buttons.flow.form
    assert form is not None and form.isVisible()
    values = form.values()
    assert values["volunteer_id"] == ids["zhang"] and not form.editor("volunteer_id").isEnabled()
    assert (values["period_start"], values["period_end"]) == (date(2021, 10, 25), date(2021, 11, 1))
    assert values["organisation"] == "天水市麦积区民政局" and values["handler"] == "王静"
    form.editors["period_end"].set_value(date(2021, 10, 31))  # October only: 2 hours of the night count
    form.editors["issue_date"].set_value(date(2021, 11, 5))
    form.editor("person_in_charge").setText("李红梅")
    form.editor("contact").setText("0938-2731234")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: buttons.flow.issue_dialog is not None and buttons.flow.issue_dialog.isVisible())
    dialog = buttons.flow.issue_dialog
    assert dialog.preview.text() == "麦民志证〔2021〕1号"
    assert dialog.hours.text() == "7.5小时"  # 5.5 at the NAT site and 2 of the night of 31 October
    assert "核酸检测点引导（1次）" in dialog.findChild(type(dialog.hours), "content").text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.issued == "麦民志证〔2021〕1号" and not dialog.isVisible()
    qtbot.waitUntil(lambda: getattr(volunteers, "last_preview", None) is not None, timeout=60_000)
    preview = volunteers.last_preview
    assert preview.page_total() == 1
    preview.close()

    pane = volunteers.detail_views[CERTIFICATES.key]
    assert pane.model.total_count() == 1
    row = pane.model.row(0)
    assert row is not None and row.values["number"] == "麦民志证〔2021〕1号" and row.values["hours_certified"] == 7.5
    certificates = tab.register_views[CERTIFICATES.key]
    tab.pages.setCurrentWidget(certificates)
    certificates.refresh()
    certificates.select_row(0)
    page = tab.certificate_buttons
    assert not page.issue_button.isEnabled() and page.cancel_button.isEnabled() and page.print_button.isEnabled()
    page.print_selected()
    qtbot.waitUntil(lambda: getattr(certificates, "last_preview", None) is not None, timeout=60_000)
    assert certificates.last_preview.page_total() == 1
    certificates.last_preview.close()

    # cancelled with a reason, it is a draft again (the issue button back)
    dialog = page.cancel_number()
    assert dialog is not None
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.message.text()  # no reason given
    dialog.reason.setText("服务期间有误，重新出具")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    certificates.select_row(0)
    assert certificates.selected_rows()[0].values["number"] == "" and page.issue_button.isEnabled()


def test_the_hours_of_a_period_per_volunteer_and_per_activity(qtbot: QtBot, sqlite_db: Database,
                                                              tmp_path: Path) -> None:
    _setup(sqlite_db)
    ctx = _ctx(sqlite_db, _member(), tmp_path)
    tab = ui.build_tab(ctx, group(7))
    qtbot.addWidget(tab)
    tab.show()
    hours = tab.hours
    tab.pages.setCurrentWidget(hours)
    hours.start.setDate(QDate(2021, 10, 1))
    hours.end.setDate(QDate(2021, 11, 5))
    assert hours.volunteer_model.total_count() == 1
    line = hours.volunteer_model.row(0)
    assert line is not None and (line.name, line.shifts, line.minutes) == ("张建军", 1, 330)
    assert hours.activity_model.total_count() == 2  # both held in the period, one without service
    assert "1名志愿者" in hours.summary.text() and "5.5小时" in hours.summary.text()
    hours.end.setDate(QDate(2021, 10, 24))
    assert hours.volunteer_model.total_count() == 0
    hours.end.setDate(QDate(2021, 11, 5))
    hours.print_list()
    qtbot.waitUntil(lambda: getattr(hours, "last_preview", None) is not None, timeout=60_000)
    assert hours.last_preview.page_total() == 1
    hours.last_preview.close()
    assert ui.overview_lines(ctx)[0].startswith("志愿者：登记2人（其中党员2人）")


def test_a_viewer_sees_masked_personal_data_and_no_write_buttons(qtbot: QtBot, sqlite_db: Database, viewer: Actor,
                                                                 tmp_path: Path) -> None:
    _setup(sqlite_db)
    ctx = _ctx(sqlite_db, viewer, tmp_path)
    tab = ui.build_tab(ctx, group(7))
    qtbot.addWidget(tab)
    tab.show()
    volunteers = tab.register_views[VOLUNTEERS.key]
    assert not volunteers.add_button.isVisible() and not tab.volunteer_buttons.certificate_button.isVisible()
    column = [c.key for c in volunteers.model.columns].index("id_number")
    assert "********" in volunteers.model.data(volunteers.model.index(0, column))
    column = [c.key for c in volunteers.model.columns].index("phone")
    assert "****" in volunteers.model.data(volunteers.model.index(0, column))
    tab.pages.setCurrentWidget(tab.register_views[CERTIFICATES.key])
    page = tab.certificate_buttons
    assert not page.issue_button.isVisible() and not page.cancel_button.isVisible() and page.print_button.isVisible()
    assert not tab.hours.certificate_button.isVisible()
