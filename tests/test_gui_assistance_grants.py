"""Group 4's temporary assistance in the window: the whole grant workflow in the ordinary order and
under "assist first", the paperwork-owed and reserve-balance pages, the printed approval form and
公示 list.  Screenshots in Chinese go to /tmp/shots_g/ (or $CIVAFFAIRS_SHOTS)."""
from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups import group
from civaffairs.groups.assistance import fields as _fields  # noqa: F401 - the group's registers, in tab order
from civaffairs.groups.assistance import ui_grants
from civaffairs.groups.assistance.grants import GRANTS, PAID, RESERVE_ALLOCATIONS
from civaffairs.groups.assistance.households import HOUSEHOLDS
from civaffairs.gui.app import setup_application
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from tests.test_assistance_grants import World

SHOTS = Path(os.environ.get("CIVAFFAIRS_SHOTS", "/tmp/shots_g"))


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture(autouse=True)
def _chinese_window(qapp) -> None:  # type: ignore[no-untyped-def]
    """The program's own set-up: its fonts (Chinese renders in the screenshots) and catalogue."""
    setup_application(qapp, "zh_CN")


@pytest.fixture
def clerk() -> Actor:
    return Actor("assist", "救助股干事", Role.MEMBER, frozenset({4}))


@pytest.fixture
def world(sqlite_db: Database, clerk: Actor) -> World:
    w = World(sqlite_db, clerk)
    w.allocate("1000")
    return w


def _tab(qtbot: QtBot, world: World, actor: Actor, tmp_path: Path) -> GroupTab:
    ctx = AppContext(world.db, Operations(world.db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")
    tab = GroupTab(ctx, group(4))
    ui_grants.add_pages(tab)
    qtbot.addWidget(tab)
    tab.resize(1400, 860)
    tab.show()
    return tab


def _select(view: RegisterView, number: str) -> None:
    for r in range(view.model.rowCount()):
        row = view.model.row(r)
        if row is not None and row.values["number"] == number:
            view.select_row(r)
            return
    raise AssertionError(number)


def _steps(tab: GroupTab) -> set[str]:
    return set(tab.grant_actions.step_buttons)  # type: ignore[attr-defined]


def _step(qtbot: QtBot, tab: GroupTab, key: str, values: dict[str, object], *, shot_name: str = "") -> ui_grants.StepDialog:
    """Click the step's button, fill in its dialog and press its OK button."""
    actions = tab.grant_actions  # type: ignore[attr-defined]
    qtbot.mouseClick(actions.step_buttons[key], Qt.MouseButton.LeftButton)
    dialog = actions.last_dialog
    assert dialog is not None and dialog.isVisible() and dialog.key == key
    for name, value in values.items():
        dialog.editors[name].set_value(value)
    if shot_name:
        shot(dialog, shot_name)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog


def _state(tab: GroupTab) -> str:
    row = tab.grant_actions.selected()  # type: ignore[attr-defined]
    assert row is not None
    return row.values["state"]


def _wait_preview(qtbot: QtBot, view: RegisterView):  # type: ignore[no-untyped-def]
    view.last_preview = None  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: getattr(view, "last_preview", None) is not None, timeout=30000)
    return view.last_preview  # type: ignore[attr-defined]


def test_the_grant_workflow_in_the_ordinary_order(qtbot: QtBot, world: World, clerk: Actor, tmp_path: Path) -> None:
    tab = _tab(qtbot, world, clerk, tmp_path)
    view = tab.register_views[GRANTS.key]
    tab.pages.setCurrentWidget(view)
    actions = tab.grant_actions  # type: ignore[attr-defined]
    assert not actions.steps_bar.isVisible() and not actions.form_button.isEnabled()

    # The application: the household's town comes by itself; saved, it has its number.
    form = view.add_record()
    assert isinstance(form, ui_grants.GrantApplicationForm)
    assert "state" not in form.editors and "number" not in form.editors
    form.editors["household_id"].set_value(world.household)
    assert form.editors["town_id"].value() == world.town
    form.editors["applied_on"].set_value(date(2021, 10, 8))
    form.editors["hardship"].set_value("outbreak")
    form.editors["reason"].set_value("受疫情影响，户主停工，妻子患尿毒症需定期透析。")
    form.editors["persons"].set_value("2")
    form.editors["proposed_amount"].set_value(Decimal("2000"))
    form.editors["earlier_assistance"].set_value("2020年享受临时救助1000元。")
    shot(form, "01_application_form")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert view.model.total_count() == 1
    _select(view, "麦民救〔2021〕1号")
    assert _state(tab) == "applied" and _steps(tab) == {"investigate", "pay_first", "refuse"}
    assert actions.form_button.isEnabled()

    _step(qtbot, tab, "investigate", {"investigated_on": date(2021, 10, 9), "investigator": "李娜、赵强",
                                      "findings": "经入户调查，情况属实。", "village_opinion": "情况属实，同意上报。"},
          shot_name="02_step_investigate")
    assert _state(tab) == "investigated" and _steps(tab) == {"review", "pay_first", "refuse"}
    dialog = _step(qtbot, tab, "review", {"reviewed_on": date(2021, 10, 10), "reviewer": "张明"})
    assert dialog.editors["reviewed_amount"].value() == "2,000.00"  # the amount applied for, as the default
    dialog = _step(qtbot, tab, "publicise", {"notice_from": date(2021, 10, 11), "notice_to": date(2021, 10, 16)})
    assert dialog.isVisible() and "不少于7天" in dialog.error_text("notice_to")  # too short: stays open
    dialog.editors["notice_to"].set_value(date(2021, 10, 17))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and _state(tab) == "publicised"

    # Approval before the notice has ended is refused, with the reason at the date.
    dialog = _step(qtbot, tab, "approve", {"approved_on": date(2021, 10, 15), "approver": "刘志刚",
                                           "approved_amount": Decimal("1800")})
    assert dialog.isVisible()
    assert dialog.error_text("approved_on") == "公示期至2021年10月17日，尚未结束，不能审批；最早可于2021年10月18日审批。"
    shot(dialog, "03_step_approve_refused")
    dialog.editors["approved_on"].set_value(date(2021, 10, 18))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and _state(tab) == "approved" and _steps(tab) == {"pay", "refuse"}

    # A payment the town's reserve fund cannot cover is refused with the balance; paid otherwise.
    dialog = _step(qtbot, tab, "pay", {"paid_on": date(2021, 10, 19), "from_reserve_fund": True})
    assert dialog.isVisible() and "可用余额为1,000.00元" in dialog.error_text("from_reserve_fund")
    shot(dialog, "04_step_pay_overdraw")
    dialog.editors["from_reserve_fund"].set_value(False)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and _state(tab) == PAID and _steps(tab) == set()
    assert not actions.steps_bar.isVisible()
    progress = actions.progress.text()
    assert "2021-10-09入户调查（李娜、赵强）" in progress and "2021-10-19发放1,800.00元" in progress
    view.setFocus()
    shot(tab, "05_grants_page_paid")

    # The approval form of the grant, and the 公示 list of the month.
    actions.print_approval_form()
    preview = _wait_preview(qtbot, view)
    assert preview.page_total() == 1 and preview.pdf.startswith(b"%PDF")
    (SHOTS / "approval_form.pdf").write_bytes(preview.pdf)  # looked at with pdftoppm
    preview.close()
    dialog = actions.print_publicity_list()
    dialog.start.setDate(QDate(2021, 10, 1))
    dialog.end.setDate(QDate(2021, 10, 31))
    dialog.contact.setText("0938-2731234")
    shot(dialog, "07_publicity_dialog")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    preview = _wait_preview(qtbot, view)
    assert preview.page_total() == 1
    (SHOTS / "publicity_list.pdf").write_bytes(preview.pdf)
    preview.close()

    # The balances page: nothing was paid from the fund.
    balances = tab.reserve_balances  # type: ignore[attr-defined]
    balances.set_day(date(2021, 10, 31))
    assert [(b.town, b.allocated, b.used, b.balance) for b in balances.balances] == [("马跑泉镇", 100000, 0, 100000)]
    tab.pages.setCurrentWidget(balances)
    shot(tab, "09_reserve_balances")


def test_the_grant_workflow_under_assist_first(qtbot: QtBot, world: World, clerk: Actor, tmp_path: Path) -> None:
    tab = _tab(qtbot, world, clerk, tmp_path)
    # Applied for from the household's detail pane: numbered too.
    households = tab.register_views[HOUSEHOLDS.key]
    tab.pages.setCurrentWidget(households)
    households.select_row(0)
    pane = households.detail_views[GRANTS.key]
    form = pane.add_record()
    assert isinstance(form, ui_grants.GrantApplicationForm)
    assert form.editors["household_id"].value() == world.household
    assert form.editors["town_id"].value() == world.town  # the household's
    form.editors["applied_on"].set_value(date(2021, 10, 8))
    form.editors["hardship"].set_value("living")
    form.editors["reason"].set_value("封控期间无收入，家中断粮。")
    form.editors["persons"].set_value("2")
    form.editors["proposed_amount"].set_value(Decimal("800"))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible() and pane.model.total_count() == 1
    assert pane.model.row(0).values["number"] == "麦民救〔2021〕1号"  # type: ignore[union-attr]

    view = tab.register_views[GRANTS.key]
    tab.pages.setCurrentWidget(view)
    view.refresh()
    _select(view, "麦民救〔2021〕1号")
    dialog = _step(qtbot, tab, "pay_first", {"paid_on": date(2021, 10, 9), "paid_amount": Decimal("800"),
                                             "payment_method": "cash", "from_reserve_fund": True,
                                             "paperwork_deadline": date(2021, 11, 8)}, shot_name="10_step_pay_first")
    assert not dialog.isVisible()
    row = tab.grant_actions.selected()  # type: ignore[attr-defined]
    assert row.values["state"] == PAID and row.values["assist_first"] is True
    assert row.values["documents_owed"] == ["application_form", "id_copies", "household_register", "income_proof",
                                            "investigation_record", "village_opinion"]
    assert _steps(tab) == {"investigate_later", "documents_in", "complete_paperwork"}

    # The paperwork page: owed, then overdue after the deadline.
    paperwork = tab.paperwork  # type: ignore[attr-defined]
    paperwork.set_day(date(2021, 11, 8))
    assert [(l.number, l.overdue) for l in paperwork.lines] == [("麦民救〔2021〕1号", False)]
    paperwork.set_day(date(2021, 11, 12))
    assert [(l.number, l.days_overdue) for l in paperwork.lines] == [("麦民救〔2021〕1号", 4)]
    assert paperwork.table.item(0, 0).background().color().name() == "#f8d7da"
    assert "逾期1笔" in paperwork.summary.text()
    tab.pages.setCurrentWidget(paperwork)
    shot(tab, "11_paperwork_owed")
    paperwork.table.selectRow(0)
    qtbot.mouseClick(paperwork.open_button, Qt.MouseButton.LeftButton)
    assert tab.pages.currentWidget() is view and _state(tab) == PAID
    assert "待补环节：入户调查、镇（街道）审核、审批" in tab.grant_actions.progress.text()  # type: ignore[attr-defined]
    shot(tab, "12_grants_page_assist_first")

    # The leading group's overview counts it (its deadline is long past).
    assert ui_grants.overview_lines(tab.ctx) == ["先行救助逾期未补齐手续：1笔。"]

    # Completing the paperwork before the steps is refused, saying what is missing.
    dialog = _step(qtbot, tab, "complete_paperwork", {"paperwork_completed_on": date(2021, 11, 12)})
    assert dialog.isVisible() and dialog.error_text("") == "手续尚未补齐，还需补录：入户调查、镇（街道）审核、审批。"
    dialog.reject()
    _step(qtbot, tab, "investigate_later", {"investigated_on": date(2021, 10, 12), "investigator": "李娜",
                                            "findings": "补查属实。"})
    assert _steps(tab) == {"review_later", "documents_in", "complete_paperwork"} and _state(tab) == PAID
    _step(qtbot, tab, "review_later", {"reviewed_on": date(2021, 10, 13), "reviewer": "张明"})
    _step(qtbot, tab, "approve_later", {"approved_on": date(2021, 10, 14), "approver": "刘志刚"},
          shot_name="13_step_approve_later")
    dialog = _step(qtbot, tab, "documents_in", {"documents_owed": ["income_proof"]}, shot_name="14_step_documents_in")
    assert not dialog.isVisible()
    assert tab.grant_actions.selected().values["documents_owed"] == ["income_proof"]  # type: ignore[attr-defined]
    _step(qtbot, tab, "complete_paperwork", {"paperwork_completed_on": date(2021, 11, 12)})
    row = tab.grant_actions.selected()  # type: ignore[attr-defined]
    assert row.values["state"] == PAID and row.values["paperwork_completed_on"] == date(2021, 11, 12)
    assert _steps(tab) == set() and paperwork.lines == []
    assert ui_grants.overview_lines(tab.ctx) == []

    balances = tab.reserve_balances  # type: ignore[attr-defined]
    balances.set_day(date(2021, 10, 31))
    assert [(b.allocated, b.used, b.balance) for b in balances.balances] == [(100000, 80000, 20000)]


def test_a_viewer_sees_no_steps_and_no_add(qtbot: QtBot, world: World, viewer: Actor, tmp_path: Path) -> None:
    world.apply()
    tab = _tab(qtbot, world, viewer, tmp_path)
    view = tab.register_views[GRANTS.key]
    tab.pages.setCurrentWidget(view)
    _select(view, "麦民救〔2021〕1号")
    assert _steps(tab) == set() and not tab.grant_actions.steps_bar.isVisible()  # type: ignore[attr-defined]
    assert not view.add_button.isVisible()
    assert tab.grant_actions.form_button.isEnabled()  # the form prints, masked  # type: ignore[attr-defined]
    assert view.selected_rows()[0].values["reason"] == "***"
    buttons = [b.text() for b in view.findChildren(QPushButton) if b.isVisible()]
    assert "打印审批表…" in buttons and "打印公示名单…" in buttons


def test_the_reserve_fund_and_rescue_registers(qtbot: QtBot, world: World, clerk: Actor, tmp_path: Path) -> None:
    from civaffairs.groups.assistance.grants import RESCUES
    from civaffairs.records import service as records
    from tests.helpers import fresh_id

    with world.db.write() as s:
        records.create(s, clerk, RESCUES, {
            "kind": "stranded", "found_on": date(2021, 10, 20), "place_found": "麦积区火车站广场", "town_id": world.town,
            "patrol": "道北街道巡查组", "name": "赵国平", "id_number": fresh_id(date(1980, 11, 3), True),
            "home_place": "甘肃省定西市", "health": "腿部冻伤", "help_given": ["food", "lodging", "ticket"],
            "outcome": "returned_home"})
        records.create(s, clerk, RESCUES, {
            "kind": "vagrant", "found_on": date(2021, 10, 23), "place_found": "马跑泉镇农贸市场", "town_id": world.town,
            "patrol": "马跑泉镇巡查组", "sex": "male", "approximate_age": "60", "health": "神志不清",
            "help_given": ["food", "medical", "station"], "outcome": "relief_station"})
    tab = _tab(qtbot, world, clerk, tmp_path)
    rescues = tab.register_views[RESCUES.key]
    tab.pages.setCurrentWidget(rescues)
    assert rescues.model.total_count() == 2
    shot(tab, "15_rescues")
    form = rescues.add_record()
    assert form is not None
    shot(form, "16_rescue_form")
    form.reject()
    allocations = tab.register_views[RESERVE_ALLOCATIONS.key]
    tab.pages.setCurrentWidget(allocations)
    assert allocations.model.total_count() == 1
    shot(tab, "17_reserve_allocations")
