"""Group 2's screens: an institution's residents in the detail pane, the tab's own pages (not
reported, status on a date), the closed-management notice, the blank checklist and the overview."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.groups import group
from civaffairs.groups.service_institutions import demo
from civaffairs.groups.service_institutions.fields import INSTITUTIONS, NAT_ROUNDS, RESIDENTS, RESERVES
from civaffairs.groups.service_institutions.ui import build_tab, overview_lines
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.places import demo as places_demo
from civaffairs.records import service as records
from civaffairs.notices import service as notices


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")


@pytest.fixture
def demo_db(sqlite_db: Database) -> Database:
    places_demo.fill(sqlite_db)
    demo.fill(sqlite_db, actor=COMMAND_LINE_ACTOR)
    return sqlite_db


def _row_of(view: RegisterView, name: str) -> int:
    for r in range(view.model.rowCount()):
        if view.model.row(r).values["name"] == name:  # type: ignore[union-attr]
            return r
    raise AssertionError(name)


def test_an_institution_shows_its_residents_in_the_detail_pane(qtbot: QtBot, demo_db: Database,
                                                                institutions_member: Actor, tmp_path: Path) -> None:
    view = RegisterView(_ctx(demo_db, institutions_member, tmp_path), INSTITUTIONS)
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    view.select_row(_row_of(view, "马跑泉镇敬老院"))
    home = view.selected_rows()[0]
    assert home.values["status_today"] == "closed"  # closed since 2021-10-20, still in force
    pane = view.detail_views[RESIDENTS.key]
    assert pane.parent_id == home.id
    assert pane.model.total_count() == 26
    names = {pane.model.row(r).values["institution_id"] for r in range(pane.model.rowCount())}  # type: ignore[union-attr]
    assert names == {"马跑泉镇敬老院"}
    assert "26" in view.details.tabText(list(view.detail_views).index(RESIDENTS.key))  # type: ignore[union-attr]
    # A new resident opens with the institution filled in.
    form = pane.add_record()
    assert form is not None and form.editors["institution_id"].value() == home.id
    form.reject()
    rounds = view.detail_views[NAT_ROUNDS.key]
    assert rounds.model.total_count() == 3
    assert {rounds.model.row(r).values["outcome"] for r in range(3)} == {"all_negative"}  # type: ignore[union-attr]
    view.select_row(_row_of(view, "甘泉镇中心敬老院"))
    reserves = view.detail_views[RESERVES.key]
    rows = [reserves.model.row(r) for r in range(reserves.model.rowCount())]
    short = [n for n, row in enumerate(rows) if row.values["days_of_cover"] < 30]  # type: ignore[union-attr]
    assert [rows[n].values["item"] for n in short] == ["vegetables"]  # type: ignore[union-attr]
    # The row below the 30-day target is coloured; the others are not.
    background = lambda n: reserves.model.data(reserves.model.index(n, 0), Qt.ItemDataRole.BackgroundRole)  # noqa: E731
    assert background(short[0]) is not None
    assert all(background(n) is None for n in range(len(rows)) if n not in short)


def test_the_tab_not_reported_status_on_a_date_and_the_paper(qtbot: QtBot, demo_db: Database,
                                                            institutions_member: Actor, tmp_path: Path) -> None:
    ctx = _ctx(demo_db, institutions_member, tmp_path)
    tab = build_tab(ctx, group(2))
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show()
    missing = tab.not_reported  # type: ignore[attr-defined]
    missing.day.setDate(QDate(2021, 11, 5))
    assert [l.name for l in missing.lines] == [demo.NOT_REPORTING]
    assert missing.table.item(0, 0).background() != QBrush()
    tab.pages.setCurrentWidget(missing)

    status = tab.status_on_date  # type: ignore[attr-defined]
    status.set_day(date(2021, 10, 19))
    assert {l.status for l in status.lines} == {"normal"}
    status.set_day(date(2021, 10, 25))
    by_name = {l.name: l.status for l in status.lines}
    assert by_name["麦积区社会福利中心"] == "closed" and by_name["道北日间照料中心"] == "gatherings_suspended"
    assert by_name["麦积区婚姻登记处"] == "registration_suspended" and by_name["麦积区殡仪服务中心"] == "normal"
    tab.pages.setCurrentWidget(status)

    view = tab.register_views[INSTITUTIONS.key]
    paper = tab.institution_paper  # type: ignore[attr-defined]
    assert not paper.notice_button.isEnabled()
    view.select_row(_row_of(view, "社棠镇敬老院"))
    assert paper.notice_button.isEnabled() and paper.checklist_button.isEnabled()
    tab.pages.setCurrentWidget(view)
    editor = paper.draft_notice()
    assert editor is not None and tab.pages.currentWidget() is tab.notices
    selected = tab.notices.selected()
    assert selected is not None and selected.title == "关于对社棠镇敬老院实行封闭管理的通知"
    editor.close()

    paper.print_checklist()
    qtbot.waitUntil(lambda: getattr(view, "last_preview", None) is not None, timeout=20000)
    preview = view.last_preview
    assert preview.page_total() >= 1
    assert preview.pdf.startswith(b"%PDF")
    preview.close()


def test_overview_lines_say_what_needs_attention(qtbot: QtBot, demo_db: Database, leader: Actor,
                                                 tmp_path: Path) -> None:
    lines = overview_lines(_ctx(demo_db, leader, tmp_path))
    text = "\n".join(lines)
    assert "今日封闭管理机构4家" in text
    assert "3轮，结果全部阴性" in text
    assert "甘泉镇中心敬老院蔬菜" in text
    assert "阳性" not in text.replace("全部阴性", "")


def test_a_viewer_sees_no_paper_buttons_that_write(qtbot: QtBot, demo_db: Database, viewer: Actor,
                                                  tmp_path: Path) -> None:
    tab = build_tab(_ctx(demo_db, viewer, tmp_path), group(2))
    qtbot.addWidget(tab)
    assert tab.institution_paper.notice_button.isHidden()  # type: ignore[attr-defined]
    assert not notices.can_draft(viewer, 2)
    assert tab.not_reported.report_button.isHidden()  # type: ignore[attr-defined]
    with demo_db.read() as s:
        resident = records.fetch(s, viewer, RESIDENTS, records.ListQuery(), 0, 1)[0]
    assert "id_number" in resident.masked
