"""Group 5's screens driven through their real widgets: an organisation's status, measures and
notices in the detail pane; the not-acknowledged list (acknowledged today, recorded in the form,
printed); sending a notice to organisations of chosen kinds; taking over an issued notice; what a
viewer sees; the overview."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.core.clock import today_local
from civaffairs.db.database import Database
from civaffairs.groups import group
from civaffairs.groups.social_organisations import demo, figures
from civaffairs.groups.social_organisations.fields import (
    ASSOCIATION, DELIVERIES, FOUNDATION, NOTICES, ORGANISATIONS, OVERDUE, SUSPENDED,
)
from civaffairs.groups.social_organisations.ui import build_tab, overview_lines
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.gui.table_model import ROW_COLOURS
from civaffairs.notices import service as notices
from civaffairs.places import demo as places_demo
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel

NEVER_ACKNOWLEDGED = sum(len(n[6]) for n in demo.NOTICES)
INITIATIVE = demo.NOTICES[2]  # no "acknowledge by" day: waiting, never overdue


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")


@pytest.fixture
def member() -> Actor:
    return Actor("social", "社会组织股干事", Role.MEMBER, frozenset({5}))


@pytest.fixture
def demo_db(sqlite_db: Database) -> Database:
    places_demo.fill(sqlite_db)
    demo.fill(sqlite_db, actor=COMMAND_LINE_ACTOR)
    return sqlite_db


def _row_of(view: RegisterView, name: str, field: str = "name") -> int:
    for r in range(view.model.rowCount()):
        if view.model.row(r).values[field] == name:  # type: ignore[union-attr]
            return r
    raise AssertionError(name)


def _background(model, row: int):  # type: ignore[no-untyped-def]
    brush = model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
    return brush.color() if brush is not None else None


def test_an_organisation_shows_its_status_measures_and_notices(qtbot: QtBot, demo_db: Database, member: Actor,
                                                              tmp_path: Path) -> None:
    tab = build_tab(_ctx(demo_db, member, tmp_path), group(5))
    qtbot.addWidget(tab)
    tab.resize(1400, 850)
    tab.show()
    view = tab.register_views[ORGANISATIONS.key]
    row = _row_of(view, "麦积区钓鱼协会")
    assert _background(view.model, row) == ROW_COLOURS[RowLevel.WARNING]  # it has notices not acknowledged
    assert _background(view.model, _row_of(view, "麦积区书法家协会")) is None
    view.select_row(row)
    fishing = view.selected_rows()[0]
    assert fishing.values["status_today"] == SUSPENDED
    assert fishing.values["not_acknowledged"] == sum(1 for n in demo.NOTICES if "麦积区钓鱼协会" in n[6])
    sent = view.detail_views[DELIVERIES.key]
    assert sent.parent_id == fishing.id
    assert sent.model.total_count() == len(demo.NOTICES)
    states = [sent.model.row(r).values["state"] for r in range(sent.model.rowCount())]  # type: ignore[union-attr]
    assert states.count(OVERDUE) == 2
    overdue_row = states.index(OVERDUE)
    assert _background(sent.model, overdue_row) == ROW_COLOURS[RowLevel.ALERT]
    # A status period opens with the organisation filled in.
    form = view.detail_views["social_organisations.statuses"].add_record()
    assert form is not None and form.editors["organisation_id"].value() == fishing.id
    form.reject()


def test_the_not_acknowledged_list_records_acknowledgements_and_prints(qtbot: QtBot, demo_db: Database,
                                                                      member: Actor, tmp_path: Path) -> None:
    tab = build_tab(_ctx(demo_db, member, tmp_path), group(5))
    qtbot.addWidget(tab)
    tab.resize(1400, 850)
    tab.show()
    page = tab.not_acknowledged  # type: ignore[attr-defined]
    tab.pages.setCurrentWidget(page)
    assert page.model.rowCount() == NEVER_ACKNOWLEDGED
    overdue = [r for r in range(page.model.rowCount()) if page.model.row(r).overdue]
    assert overdue and len(overdue) < NEVER_ACKNOWLEDGED
    assert _background(page.model, overdue[0]) == ROW_COLOURS[RowLevel.ALERT]
    waiting = next(r for r in range(page.model.rowCount()) if r not in overdue)
    assert _background(page.model, waiting) == ROW_COLOURS[RowLevel.WARNING]

    # One notice: the initiative, which has no deadline.
    with demo_db.read() as s:
        initiative = next(n.id for n in figures.notices(s) if n.title == INITIATIVE[0])
    page.choose_notice(initiative)
    assert INITIATIVE[0] in page.notice.currentText()
    assert page.model.rowCount() == len(INITIATIVE[6])
    assert {page.model.row(r).organisation for r in range(page.model.rowCount())} == set(INITIATIVE[6])
    assert "未签收" in page.summary.text()

    # Acknowledged today: the selected organisation leaves the list.
    page.table.selectRow(0)
    first = page.model.row(0)
    assert page.acknowledged_button.isEnabled()
    qtbot.mouseClick(page.acknowledged_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == len(INITIATIVE[6]) - 1
    with demo_db.read() as s:
        assert records.get(s, member, DELIVERIES, first.delivery_id).values["acknowledged_date"] == today_local()

    # Recorded in the form: the date is filled in, the clerk adds who acknowledged it.
    page.table.selectRow(0)
    second = page.model.row(0)
    form = page.record_acknowledgement()
    assert form.editors["acknowledged_date"].value() == today_local()
    form.editors["acknowledged_by"].set_value("赵涛")
    with qtbot.waitSignal(tab.register_views[DELIVERIES.key].sig_record_saved, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == len(INITIATIVE[6]) - 2
    with demo_db.read() as s:
        assert records.get(s, member, DELIVERIES, second.delivery_id).values["acknowledged_by"] == "赵涛"

    # Every notice again, printed.
    page.notice.setCurrentIndex(0)
    assert page.model.rowCount() == NEVER_ACKNOWLEDGED - 2
    page.print_list()
    qtbot.waitUntil(lambda: getattr(page, "last_preview", None) is not None, timeout=20000)
    preview = page.last_preview
    assert preview.page_total() >= 1
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf)).pages).replace("\n", "")
    assert "未签收通知的社会组织名单" in text
    assert "麦积区钓鱼协会" in text and first.organisation not in text.replace("麦积区钓鱼协会", "")
    preview.close()


def test_sending_a_notice_to_the_organisations_of_the_kinds_chosen(qtbot: QtBot, demo_db: Database,
                                                                   member: Actor, tmp_path: Path) -> None:
    with demo_db.write() as s:
        records.create(s, member, NOTICES, {"title": "关于做好社会组织冬季疫情防控工作的通知", "document_number": "",
                                            "issued_by": "天水市麦积区民政局", "notice_date": date(2021, 11, 5)})
    tab = build_tab(_ctx(demo_db, member, tmp_path), group(5))
    qtbot.addWidget(tab)
    tab.show()
    view = tab.register_views[NOTICES.key]
    actions = tab.notice_actions  # type: ignore[attr-defined]
    assert not actions.send_button.isEnabled()
    view.select_row(_row_of(view, "关于做好社会组织冬季疫情防控工作的通知", "title"))
    assert actions.send_button.isEnabled()
    dialog = actions.open_send()
    assert dialog is not None
    everyone = len(demo.ORGANISATIONS)
    assert str(everyone) in dialog.count.text()
    dialog.kinds[FOUNDATION].setChecked(False)
    chosen = sum(1 for o in demo.ORGANISATIONS if o[1] != FOUNDATION)
    assert f"{chosen}家" in dialog.count.text()
    dialog.channel.setCurrentIndex(dialog.channel.findData("wechat"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.sent == chosen
    row = view.model.row(_row_of(view, "关于做好社会组织冬季疫情防控工作的通知", "title"))
    assert row.values["progress"] == f"0 / {chosen}"  # type: ignore[union-attr]
    # Sent again to foundations only: the others are counted as sent before.
    dialog = actions.open_send()
    assert dialog is not None
    dialog.kinds[ASSOCIATION].setChecked(False)
    assert "已有" in dialog.count.text()
    for box in dialog.kinds.values():
        box.setChecked(False)
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


def test_taking_over_an_issued_notice(qtbot: QtBot, demo_db: Database, member: Actor, tmp_path: Path) -> None:
    with demo_db.write() as s:
        draft = notices.create_draft(s, member, 5, "blank", today=date(2021, 11, 5))
        notices.update_draft(s, member, draft, 1, title="关于进一步做好社会组织疫情防控工作的通知",
                             body="各社会组织：请严格落实各项防控措施。", signatory="天水市麦积区民政局",
                             printing_office="天水市麦积区民政局办公室")
        number = notices.issue(s, member, draft, "麦民发", date(2021, 11, 5))
    tab = build_tab(_ctx(demo_db, member, tmp_path), group(5))
    qtbot.addWidget(tab)
    tab.show()
    dialog = tab.notice_actions.open_take_over()  # type: ignore[attr-defined]
    assert dialog.list.count() == 1 and number in dialog.list.item(0).text()
    assert not dialog.ok_button.isEnabled()
    dialog.list.setCurrentRow(0)
    dialog.deadline.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.taken is not None
    view = tab.register_views[NOTICES.key]
    row = view.model.row(_row_of(view, "关于进一步做好社会组织疫情防控工作的通知", "title"))
    assert row.values["document_number"] == number  # type: ignore[union-attr]
    assert row.values["reply_by"] == today_local()  # type: ignore[union-attr]
    assert tab.notice_actions.open_take_over().list.count() == 0  # type: ignore[attr-defined]


def test_a_viewer_sees_masked_phones_and_no_buttons_that_write(qtbot: QtBot, demo_db: Database, viewer: Actor,
                                                              tmp_path: Path) -> None:
    tab = build_tab(_ctx(demo_db, viewer, tmp_path), group(5))
    qtbot.addWidget(tab)
    page = tab.not_acknowledged  # type: ignore[attr-defined]
    assert page.acknowledged_button.isHidden() and page.record_button.isHidden()
    assert not page.print_button.isHidden()
    assert tab.notice_actions.send_button.isHidden()  # type: ignore[attr-defined]
    assert tab.notice_actions.take_over_button.isHidden()  # type: ignore[attr-defined]
    phone = page.model.columns.index(next(c for c in page.model.columns if c.key == "contact_phone"))
    shown = page.model.data(page.model.index(0, phone), Qt.ItemDataRole.DisplayRole)
    assert "****" in shown
    view = tab.register_views[ORGANISATIONS.key]
    assert "contact_phone" in view.model.row(0).masked  # type: ignore[union-attr]


def test_overview_lines(qtbot: QtBot, demo_db: Database, leader: Actor, tmp_path: Path) -> None:
    text = "\n".join(overview_lines(_ctx(demo_db, leader, tmp_path)))
    suspended = sum(1 for o in demo.ORGANISATIONS if o[4] == SUSPENDED) - len(demo.RESUMED_FOR_HARVEST)
    assert f"社会组织：共{len(demo.ORGANISATIONS)}家" in text
    assert f"暂停活动 {suspended}" in text
    assert "通知未签收：" in text and "麦积区钓鱼协会" in text
