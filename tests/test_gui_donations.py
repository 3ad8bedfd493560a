"""Group 6's screens through their real widgets: a money donation recorded in its day batch (the
form starts with the batch's day, organisation and channel) and its acknowledgement printed under a
new number; a handover beyond the stock refused at the quantity field with what is left; closing a
batch that does not agree asks first; the trace from a donor to the recipients and back; the
public disclosure printed; the overview."""
from __future__ import annotations

import io
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups import group, load_all
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records
from civaffairs.reports.figures import Period

load_all()

from civaffairs.groups.donations import demo, ui  # noqa: E402
from civaffairs.groups.donations import fields as F  # noqa: E402

DAY = date(2021, 10, 25)


@pytest.fixture
def member() -> Actor:
    return Actor("donations", "马丽", Role.MEMBER, frozenset({6}))


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")


def _create(db: Database, actor: Actor, spec: Any, **values: Any) -> uuid.UUID:
    with db.write() as s:
        return records.create(s, actor, spec, values).id


def _setup(db: Database, actor: Actor) -> dict[str, uuid.UUID]:
    import random

    organisation = _create(db, actor, F.ORGANISATIONS, name="麦积区慈善协会", kind="charity_association",
                           phone="0938-2735678")
    firm = _create(db, actor, F.DONORS, kind=F.ENTERPRISE, name="天水金源物流有限公司",
                   credit_code=demo.credit_code(random.Random(1), "91"), named_publicly=True)
    batch = _create(db, actor, F.BATCHES, organisation_id=organisation, day=DAY, channel=F.BANK_TRANSFER,
                    statement="农行对账单 10月25日", expected_count=1, expected_total="300000")
    lot = _create(db, actor, F.MATERIALS, organisation_id=organisation, day=DAY, donor_id=firm, item="masks",
                  description="一次性使用医用口罩", quantity=50_000, unit="zhi", estimated_value="35000")
    return {"organisation": organisation, "firm": firm, "batch": batch, "lot": lot}


def _ack_number(db: Database, actor: Actor) -> str:
    with db.read() as s:
        (row,) = records.fetch(s, actor, F.MONEY)
    return str(row.values["ack_number"])


def _tab(qtbot: QtBot, ctx: AppContext) -> ui.DonationsTab:
    tab = ui.build_tab(ctx, group(6))
    assert isinstance(tab, ui.DonationsTab)
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.show()
    return tab


def _save(qtbot: QtBot, view: RegisterView, form: RecordForm) -> None:
    with qtbot.waitSignal(view.sig_record_saved, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def test_a_money_donation_recorded_in_its_batch_and_its_acknowledgement_printed(
        qtbot: QtBot, sqlite_db: Database, member: Actor, tmp_path: Path) -> None:
    ids = _setup(sqlite_db, member)
    tab = _tab(qtbot, _ctx(sqlite_db, member, tmp_path))
    batches = tab.register_views[F.BATCHES.key]
    tab.pages.setCurrentWidget(batches)
    batches.select_row(0)
    donations = batches.detail_views[F.MONEY.key]
    assert donations.parent_id == ids["batch"]

    form = donations.add_record()
    assert form is not None
    # The batch's day, organisation and channel are there already: the clerk types donor and amount.
    assert form.editors["batch_id"].value() == ids["batch"]
    assert form.editors["day"].value() == DAY
    assert form.editors["organisation_id"].value() == ids["organisation"]
    assert form.editors["channel"].value() == F.BANK_TRANSFER
    form.editors["donor_id"].set_value(ids["firm"])
    form.editor("amount").setText("300,000.00")
    form.editors["purpose"].set_value("people_in_difficulty")
    form.editor("bank_reference").setText("20211025000123")
    form.editor("handler").setText("马丽")
    _save(qtbot, donations, form)
    assert donations.model.total_count() == 1
    batches.refresh()
    assert batches.selected_rows()[0].values["check"] == F.BATCH_MATCHES

    donations.select_row(0)
    paper = tab.acknowledgements[1]
    assert paper.view is donations and paper.print_button.isEnabled() and not paper.cancel_button.isEnabled()
    paper.print_button.click()
    qtbot.waitUntil(lambda: getattr(donations, "last_preview", None) is not None, timeout=20_000)
    preview = donations.last_preview
    number = _ack_number(sqlite_db, member)
    assert number.startswith("麦慈捐〔") and number.endswith("〕1号")
    assert preview.page_total() == 1 and number in preview.windowTitle()
    flat = "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf)).pages).replace(" ", "").replace(
        "\n", "")
    assert "人民币叁拾万元整" in flat and "天水金源物流有限公司" in flat and number in flat
    preview.grab().save(str(tmp_path / "acknowledgement.png"))
    preview.close()
    # Printed again: the same number, none given twice.
    donations.select_row(0)
    assert paper.cancel_button.isEnabled()
    donations.last_preview = None
    paper.print_button.click()
    qtbot.waitUntil(lambda: getattr(donations, "last_preview", None) is not None, timeout=20_000)
    assert number in donations.last_preview.windowTitle() and _ack_number(sqlite_db, member) == number
    donations.last_preview.close()


def test_a_handover_beyond_the_stock_is_refused_at_the_quantity_field(
        qtbot: QtBot, sqlite_db: Database, member: Actor, tmp_path: Path) -> None:
    ids = _setup(sqlite_db, member)
    _create(sqlite_db, member, F.HANDOVERS, material_id=ids["lot"], day=DAY, quantity=30_000, received_by="刘海燕")
    tab = _tab(qtbot, _ctx(sqlite_db, member, tmp_path))
    materials = tab.register_views[F.MATERIALS.key]
    tab.pages.setCurrentWidget(materials)
    materials.select_row(0)
    assert materials.selected_rows()[0].values["in_stock"] == 20_000
    handovers = materials.detail_views[F.HANDOVERS.key]
    form = handovers.add_record()
    assert form is not None and form.editors["material_id"].value() == ids["lot"]
    form.editors["day"].set_value(date(2021, 10, 27))
    form.editor("quantity").setText("20001")
    form.editor("received_by").setText("周敏")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert form.error_text("quantity") == "这批物资库存仅剩20,000只（接收50,000只，已移交30,000只）。"
    form.grab().save(str(tmp_path / "handover_refused.png"))
    form.editor("quantity").setText("20000")
    _save(qtbot, handovers, form)
    materials.refresh()
    assert materials.selected_rows()[0].values["in_stock"] == 0
    assert handovers.model.total_count() == 2


def test_closing_a_batch_that_does_not_agree_asks_first(qtbot: QtBot, sqlite_db: Database, member: Actor,
                                                       tmp_path: Path) -> None:
    ids = _setup(sqlite_db, member)
    tab = _tab(qtbot, _ctx(sqlite_db, member, tmp_path))
    batches = tab.register_views[F.BATCHES.key]
    batches.select_row(0)
    row = batches.selected_rows()[0]
    assert row.values["difference"] == "少1笔，少¥300,000.00"
    assert batches.model.data(batches.model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None  # yellow
    form = batches.edit_selected()
    assert form is not None
    form.editors["closed"].set_value(True)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.save_button.text() == "仍然保存"
    assert "本批次与对账单不符" in form.error_text("closed")
    _save(qtbot, batches, form)
    with sqlite_db.read() as s:
        assert records.get(s, member, F.BATCHES, ids["batch"]).values["closed"] is True


def test_trace_back_from_an_allocation_and_the_disclosure_and_overview(
        qtbot: QtBot, sqlite_db: Database, member: Actor, tmp_path: Path) -> None:
    ids = _setup(sqlite_db, member)
    handover = _create(sqlite_db, member, F.HANDOVERS, material_id=ids["lot"], day=DAY, quantity=30_000,
                       received_by="刘海燕")
    _create(sqlite_db, member, F.ALLOCATIONS, handover_id=handover, day=date(2021, 10, 26), quantity=4_800,
            recipient_kind=F.OTHER_RECIPIENT, recipient_other="道北街道核酸检测点", received_by="王芳")
    ctx = _ctx(sqlite_db, member, tmp_path)
    tab = _tab(qtbot, ctx)
    allocations = tab.register_views[F.ALLOCATIONS.key]
    tab.pages.setCurrentWidget(allocations)
    allocations.select_row(0)
    assert tab.trace_selected_allocation()
    assert tab.pages.currentWidget() is tab.trace
    assert tab.trace.tree.currentItem().text(0).startswith("→ 道北街道核酸检测点")
    assert "捐赠人：天水金源物流有限公司" in tab.trace.back.text()
    assert "接收50,000只" in tab.trace.summary.text() and "协调保障组结存25,200只" in tab.trace.summary.text()

    tab.pages.setCurrentWidget(tab.stock)
    assert tab.stock.model.total_count() == 1
    assert "口罩（只）：接收单位库存20,000，协调保障组结存25,200" in tab.stock.summary.text()

    tab.pages.setCurrentWidget(tab.disclosure)
    tab.disclosure.set_period(Period(date(2021, 10, 1), date(2021, 11, 5)))
    assert "接收捐赠物资1批" in tab.disclosure.summary.text()
    tab.disclosure.print_button.click()
    qtbot.waitUntil(lambda: getattr(tab.disclosure, "last_preview", None) is not None, timeout=20_000)
    preview = tab.disclosure.last_preview
    assert preview.page_total() >= 1
    flat = "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf)).pages).replace(" ", "").replace(
        "\n", "")
    assert "社会捐赠款物接收和使用情况公示" in flat and "道北街道核酸检测点" in flat
    preview.close()

    lines = ui.overview_lines(ctx)
    assert any("捐赠物资1批" in line for line in lines)
    assert any("协调保障组尚未分配的物资：口罩25,200只" in line for line in lines)
    assert any("与对账单不符的日批次" in line for line in lines)


def test_a_viewer_sees_no_writing_buttons(qtbot: QtBot, sqlite_db: Database, member: Actor, viewer: Actor,
                                          tmp_path: Path) -> None:
    _setup(sqlite_db, member)
    tab = _tab(qtbot, _ctx(sqlite_db, viewer, tmp_path))
    money = tab.register_views[F.MONEY.key]
    assert not money.add_button.isVisible()
    paper = tab.acknowledgements[0]
    assert not paper.cancel_button.isVisible()
    materials = tab.register_views[F.MATERIALS.key]
    materials.select_row(0)
    assert not tab.acknowledgements[2].print_button.isEnabled()  # not numbered yet, and a viewer may not number it
