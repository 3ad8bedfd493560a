"""Excel in and out in the window: the preview of an import, cancelling an import, paste, copy,
export of the filtered list, and undo of an import from the administrator's list."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from civaffairs.accounts.roles import Actor
from civaffairs.core.idnumbers import mask_phone
from civaffairs.db.base import Base
from civaffairs.db.database import Database
from civaffairs.exchange import importer
from civaffairs.exchange.models import ImportBatch, ImportItem
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.gui import exchange
from civaffairs.gui.admin.imports import ImportBatchesDialog
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.records import service as records
from tests.helpers import make_staff

HEADERS = ["姓名", "部门", "职务", "手机号码"]


@pytest.fixture
def xdb(sqlite_db: Database) -> Database:
    # The import batch tables, until the lead's migration 0006 makes them (a no-op after it).
    Base.metadata.create_all(sqlite_db.engine, tables=[ImportBatch.__table__, ImportItem.__table__])
    return sqlite_db


@pytest.fixture(autouse=True)
def _quiet_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    # An information box after an import or export would wait for a click.
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "测试民政局")


def _view(qtbot: QtBot, ctx: AppContext, spec=STAFF) -> RegisterView:  # type: ignore[no-untyped-def]
    view = RegisterView(ctx, spec)
    qtbot.addWidget(view)
    view.show()
    return view


def _live_staff(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(STAFF.model).where(STAFF.model.deleted_at.is_(None))) or 0


def _workbook(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _preview_dialog(qtbot: QtBot, view: RegisterView) -> exchange.ImportPreviewDialog:
    qtbot.waitUntil(lambda: getattr(view, "import_dialog", None) is not None, timeout=30000)
    return view.import_dialog


def _phone_field_title() -> str:
    return STAFF.field("phone").title


def test_a_bad_row_shows_its_message_and_import_stays_disabled(qtbot: QtBot, xdb: Database, admin: Actor,
                                                              tmp_path: Path) -> None:
    path = _workbook(tmp_path / "职工.xlsx", [["周霞", "办公室", "科员", "13909381234"],
                                             ["王建国", "办公室", "科员", "12345"]])
    view = _view(qtbot, _ctx(xdb, admin, tmp_path))
    before = _live_staff(xdb)
    exchange.import_file(view, path)
    dialog = _preview_dialog(qtbot, view)
    assert dialog.table.rowCount() == 2
    assert not dialog.import_button.isEnabled()
    bad = dialog.result.rows[1]
    assert bad.problems and not dialog.result.rows[0].problems
    problems_cell = dialog.table.item(1, 1).text()
    assert bad.problems[0].message in problems_cell
    assert any("\u4e00" <= ch <= "\u9fff" for ch in bad.problems[0].message)  # said in Chinese
    assert dialog.table.item(1, 0).text() == "3"  # the sheet's row number, as Excel shows it
    assert "1 行可导入" in dialog.summary.text() and "1 行有问题" in dialog.summary.text()
    dialog.reject()
    assert _live_staff(xdb) == before


def test_cancelling_a_large_import_leaves_the_database_unchanged(qtbot: QtBot, xdb: Database, admin: Actor,
                                                                 tmp_path: Path) -> None:
    rows = [[f"职工{i:04d}", "办公室", "科员", None] for i in range(3000)]
    path = _workbook(tmp_path / "三千人.xlsx", rows)
    ctx = _ctx(xdb, admin, tmp_path)
    view = _view(qtbot, ctx)
    before = _live_staff(xdb)
    exchange.import_file(view, path)
    dialog = _preview_dialog(qtbot, view)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    def progress_dialog() -> QProgressDialog | None:
        found = [w for w in dialog.findChildren(QProgressDialog) if w.objectName() == "progressDialog"]
        return found[0] if found else None

    qtbot.waitUntil(lambda: progress_dialog() is not None and progress_dialog().value() >= 200, timeout=60000)
    cancel = [b for b in progress_dialog().findChildren(QPushButton)][0]
    cancel.click()
    qtbot.waitUntil(lambda: not ctx.ops.busy(), timeout=60000)
    assert dialog.import_result is None
    assert _live_staff(xdb) == before
    with xdb.read() as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_paste_of_three_rows_previews_and_imports_them(qtbot: QtBot, xdb: Database, admin: Actor,
                                                      tmp_path: Path) -> None:
    ctx = _ctx(xdb, admin, tmp_path)
    view = _view(qtbot, ctx)
    QGuiApplication.clipboard().setText("姓名\t部门\t职务\n周霞\t办公室\t科员\n李明\t财务股\t股长\n赵丽\t办公室\t主任\n")
    view.activateWindow()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    dialog = _preview_dialog(qtbot, view)
    assert dialog.table.rowCount() == 3
    assert [dialog.table.item(i, 2).text() for i in range(3)] == ["周霞", "李明", "赵丽"]
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.import_result is not None, timeout=30000)
    assert dialog.import_result.created == 3
    assert _live_staff(xdb) == 3
    assert view.model.total_count() == 3  # the list refreshed


def test_copy_puts_the_selected_rows_masked_on_the_clipboard(qtbot: QtBot, xdb: Database, admin: Actor,
                                                            viewer: Actor, tmp_path: Path) -> None:
    person = make_staff(xdb, admin, name="周霞", phone="13909381234")
    make_staff(xdb, admin, name="李明")
    view = _view(qtbot, _ctx(xdb, viewer, tmp_path))
    view.search.setText("周霞")
    view.apply_filters()
    view.select_row(0)
    QGuiApplication.clipboard().clear()
    view.activateWindow()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    lines = text.strip("\n").split("\n")
    assert len(lines) == 2
    header, row = lines[0].split("\t"), lines[1].split("\t")
    assert "姓名" in header and _phone_field_title() in header
    assert row[header.index("姓名")] == "周霞"
    assert row[header.index(_phone_field_title())] == mask_phone("13909381234")
    assert "13909381234" not in text
    assert person.values["phone"] == "13909381234"
    # A viewer may export and copy, not import.
    assert [a.text() for a in view.excel_button.menu().actions()] == ["导出到Excel…", "下载导入模板…"]


def test_export_writes_the_filtered_rows(qtbot: QtBot, xdb: Database, admin: Actor, tmp_path: Path) -> None:
    for name, department in (("周霞", "办公室"), ("李明", "财务股"), ("赵丽", "办公室")):
        make_staff(xdb, admin, name=name, department=department)
    ctx = _ctx(xdb, admin, tmp_path)
    view = _view(qtbot, ctx)
    view.search.setText("办公室")
    view.apply_filters()
    assert view.model.total_count() == 2
    target = tmp_path / "导出.xlsx"
    exchange.export_view(view, target, all_rows=False)
    qtbot.waitUntil(lambda: getattr(view, "last_export_message", None) is not None, timeout=30000)
    ws = openpyxl.load_workbook(target).active
    values = [list(r) for r in ws.iter_rows(values_only=True) if any(c is not None for c in r)]
    assert "姓名" in values[0]
    assert sorted(r[values[0].index("姓名")] for r in values[1:]) == ["周霞", "赵丽"]
    assert "2" in view.last_export_message


def test_undo_from_the_admin_list_puts_the_created_records_in_the_recycle_bin(
        qtbot: QtBot, xdb: Database, admin: Actor, tmp_path: Path) -> None:
    table = importer.table_from_text("姓名\t部门\n周霞\t办公室\n李明\t财务股\n", spec=STAFF)
    with xdb.write() as s:
        result = importer.apply(s, admin, STAFF, importer.preview(s, admin, STAFF, table, file_name="职工.xlsx"))
    assert result.created == 2
    ctx = _ctx(xdb, admin, tmp_path)
    dialog = ImportBatchesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 1
    dialog.table.selectRow(0)
    assert dialog.undo_button.isEnabled()
    assert dialog.undo_selected(confirm=False) == 2
    assert _live_staff(xdb) == 0
    with xdb.read() as s:
        trash = records.fetch(s, admin, STAFF, records.ListQuery(deleted=True))
    assert {r.values["name"] for r in trash} == {"周霞", "李明"}
    assert "撤销" in dialog.model.data(dialog.model.index(0, len(dialog.columns) - 1))
    assert not dialog.undo_button.isEnabled()  # an undone import cannot be undone again
