"""The 督查 tab driven through its real widgets: a visit added in the generic form gets its
checklist; a result entered; the report issued under a number; a correction required, followed
up and closed (refused first without a closing note); the overdue list before and after."""
from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path


from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.gui.table_model import ROW_COLOURS
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel, get_register

load_all()

from civaffairs.supervision import service, ui  # noqa: E402
from civaffairs.supervision.fields import CHECKLIST, CORRECTIONS, FOLLOW_UPS, MEMBERS, TEAMS, VISITS  # noqa: E402
from civaffairs.supervision.targets import COMPOUND, INSTITUTION  # noqa: E402


def _setup(db: Database) -> dict[str, uuid.UUID]:
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with db.write() as s:
        town = records.create(s, admin, TOWNS, {"name": "桥南街道", "kind": "subdistrict"}).id
        community = records.create(s, admin, COMMUNITIES, {"town_id": town, "name": "伯阳路社区", "kind": "community"}).id
        compound = records.create(s, admin, get_register(COMPOUND.register_key),
                                  {"community_id": community, "name": "伯阳花苑"}).id
        home = records.create(s, admin, get_register(INSTITUTION.register_key),
                              {"name": "麦积区中心敬老院", "kind": "elderly_care"}).id
        team = records.create(s, admin, TEAMS, {"name": "第二督查组", "leader_name": "刘海燕", "leader_post": "副局长"}).id
        records.create(s, admin, MEMBERS, {"team_id": team, "name": "周敏", "post": "养老服务股股长"})
    return {"compound": compound, "institution": home, "team": team}


def _saved(qtbot: QtBot, view: RegisterView, form: RecordForm) -> None:
    with qtbot.waitSignal(view.sig_record_saved, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def _refused(qtbot: QtBot, form: RecordForm) -> None:
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()


def test_a_visit_a_correction_and_its_follow_up_to_closed(qtbot: QtBot, sqlite_db: Database, leader: Actor,
                                                         tmp_path: Path) -> None:
    ids = _setup(sqlite_db)
    ctx = AppContext(sqlite_db, Operations(sqlite_db, leader), leader, tmp_path, Preferences(), "天水市麦积区民政局")
    tab = ui.build_tab(ctx)
    assert isinstance(tab, QWidget)
    qtbot.addWidget(tab)
    tab.show()
    visits: RegisterView = tab.visits.view

    # -- a visit, first refused for naming a target of the other kind
    form = visits.add_record()
    assert form is not None
    form.editors["team_id"].set_value(ids["team"])
    form.editors["day"].set_value(date(2021, 10, 20))
    form.editors["target_kind"].set_value("compound")
    form.editors["institution_id"].set_value(ids["institution"])
    form.editor("inspectors").setText("刘海燕、周敏")
    form.editor("findings").setPlainText("值守点夜间无人值守。")
    _refused(qtbot, form)
    assert form.error_text("compound_id") and form.error_text("institution_id")
    form.editors["institution_id"].set_value(None)
    form.editors["compound_id"].set_value(ids["compound"])
    _saved(qtbot, visits, form)
    assert visits.model.total_count() == 1
    visits.select_row(0)
    checklist: RegisterView = visits.detail_views[CHECKLIST.key]
    assert checklist.model.total_count() == 6  # filled from the compound's items
    assert visits.detail_views[CORRECTIONS.key].parent_id == visits.selected_rows()[0].id

    # -- one result through the form, the others through the service
    checklist.select_row(2)
    line_form = checklist.edit_selected()
    assert line_form is not None and "24" in line_form.editor("item").text()
    line_form.editors["result"].set_value("fails")
    line_form.editor("note").setPlainText("夜间值守点无人")
    _saved(qtbot, checklist, line_form)
    visit_id = visits.selected_rows()[0].id
    with sqlite_db.write() as s:
        for line in records.fetch(s, leader, CHECKLIST, records.ListQuery(equals=(("visit_id", visit_id),))):
            if line.values["result"] is None:
                records.update(s, leader, CHECKLIST, line.id, line.version, {"result": "conforms"})
    visits.refresh()
    visits.select_row(0)
    assert visits.model.row(0).values["failed_items"] == 1

    # -- the report issued under a number, with the issue button
    assert tab.visits.issue_button.isEnabled() and not tab.visits.cancel_button.isEnabled()
    qtbot.mouseClick(tab.visits.issue_button, Qt.MouseButton.LeftButton)
    dialog = tab.visits.issue_dialog
    dialog.day.setDate(QDate(2021, 10, 21))
    assert dialog.preview.text() == "麦民督〔2021〕1号"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.issued == "麦民督〔2021〕1号" and not dialog.isVisible()
    visits.select_row(0)
    assert visits.selected_rows()[0].values["report_number"] == "麦民督〔2021〕1号"
    assert not tab.visits.issue_button.isEnabled() and tab.visits.cancel_button.isEnabled()

    # -- a correction required, in the visit's detail pane (its form opens with the visit filled in)
    corrections_of_visit: RegisterView = visits.detail_views[CORRECTIONS.key]
    form = corrections_of_visit.add_record()
    assert form is not None
    form.editor("requirement").setPlainText("落实24小时值守，排定夜间值班表")
    form.editors["deadline"].set_value(date(2021, 10, 25))
    form.editor("responsible").setText("包抓干部")
    _saved(qtbot, corrections_of_visit, form)

    # -- overdue two days after its deadline: listed and red
    tab.overdue.day.setDate(QDate(2021, 10, 27))
    assert tab.overdue.model.total_count() == 1
    assert tab.overdue.model.row(0).days_overdue == 2
    background = tab.overdue.model.data(tab.overdue.model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert background.color() == ROW_COLOURS[RowLevel.ALERT]
    corrections: RegisterView = tab.corrections
    corrections.refresh()
    assert corrections.model.row(0).values["state"] == "overdue"  # open after its deadline today

    # -- a follow-up, then the correction closed
    corrections.select_row(0)
    follow_ups: RegisterView = corrections.detail_views[FOLLOW_UPS.key]
    form = follow_ups.add_record()
    assert form is not None
    form.editors["day"].set_value(date(2021, 10, 23))
    form.editor("found").setPlainText("已排定夜间值班表，复查值守到位")
    form.editor("checked_by").setText("周敏")
    _saved(qtbot, follow_ups, form)
    assert follow_ups.model.total_count() == 1

    form = corrections.edit_selected()
    assert form is not None
    form.editors["closed_on"].set_value(date(2021, 10, 24))
    _refused(qtbot, form)  # no closing note
    assert form.error_text("closing_note")
    form.editor("closing_note").setPlainText("复查确认已整改到位")
    _saved(qtbot, corrections, form)
    assert corrections.model.row(0).values["state"] == "closed"
    assert corrections.model.row(0).values["closed_on"] == date(2021, 10, 24)
    assert tab.overdue.model.total_count() == 0
    assert "没有逾期" in tab.overdue.summary.text()
    lines = ui.overview_lines(ctx)
    assert lines[0] == "整改：未整改0项，其中逾期0项。"

    # -- the inspection report prints
    visits.select_row(0)
    tab.visits.print_report()
    qtbot.waitUntil(lambda: getattr(tab.visits, "last_preview", None) is not None, timeout=60_000)
    preview = tab.visits.last_preview
    assert preview.page_total() == 1
    preview.close()
    with sqlite_db.read() as s:
        report = service.inspection_report(s, leader, visit_id)
    assert report.number == "麦民督〔2021〕1号" and report.corrections[0].closed_on == date(2021, 10, 24)


def test_a_viewer_sees_the_tab_without_write_buttons(qtbot: QtBot, sqlite_db: Database, viewer: Actor,
                                                     tmp_path: Path) -> None:
    _setup(sqlite_db)
    ctx = AppContext(sqlite_db, Operations(sqlite_db, viewer), viewer, tmp_path, Preferences(), "天水市麦积区民政局")
    tab = ui.build_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.teams.view.model.total_count() == 1
    tab.pages.setCurrentWidget(tab.visits)
    assert not tab.visits.issue_button.isVisible() and not tab.visits.fill_button.isVisible()
    assert not tab.visits.cancel_button.isVisible() and tab.visits.print_button.isVisible()
    assert not tab.visits.view.add_button.isVisible()
