"""The administrator's audit log shows the chain's state: 校验 walks it off the GUI thread with a
progress dialog and shows "intact, N entries" or the first broken link in red."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressDialog, QPushButton
from sqlalchemy import update

from civaffairs.accounts.roles import Actor
from civaffairs.audit import chain
from civaffairs.audit.models import AuditEntry
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.gui.admin import AuditLogDialog
from civaffairs.gui.context import AppContext
from civaffairs.records import service as records
from tests.helpers import staff_values
from tests.test_gui_admin import admin_actor, child, make_ctx  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def ctx(sqlite_db: Database, admin_actor: Actor, data_dir: Path) -> Iterator[AppContext]:  # noqa: F811
    with sqlite_db.write() as s:
        for i in range(30):
            records.create(s, admin_actor, STAFF, staff_values(name=f"李娜{i}"))
    context = make_ctx(sqlite_db, admin_actor, data_dir)
    yield context
    context.ops.wait_all()


@pytest.fixture(autouse=True)
def _program_font(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The program's shipped Chinese face, so that the screenshots look as a clerk sees them."""
    from PySide6.QtGui import QFont

    from civaffairs.gui.app import register_fonts

    before = qapp.font()
    qapp.setFont(QFont(register_fonts()[0], 9))
    yield
    qapp.setFont(before)


def _grab(dialog: AuditLogDialog, name: str) -> None:
    dialog.grab().save(f"/tmp/{name}.png")


def _verify(qtbot, dialog: AuditLogDialog) -> QLabel:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(child(dialog, QPushButton, "verifyButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.chain_report is not None, timeout=10_000)
    return child(dialog, QLabel, "chainLabel")


def test_verify_shows_the_intact_chain(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = AuditLogDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert child(dialog, QPushButton, "verifyButton").text() == "校验"
    label = _verify(qtbot, dialog)
    assert label.text() == "审计记录链完整，共 31 条。"  # the administrator's creation and 30 staff
    assert "c62828" not in label.styleSheet()
    _grab(dialog, "audit-chain-intact")


def test_verify_names_the_first_broken_link_in_red(qtbot, ctx: AppContext, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    with sqlite_db.engine.begin() as conn:
        conn.execute(update(AuditEntry.__table__).where(AuditEntry.seq == 7).values(actor="mallory"))
    dialog = AuditLogDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    label = _verify(qtbot, dialog)
    assert label.text().startswith("审计记录链在第 7 条断开") and "mallory" in label.text()
    assert "c62828" in label.styleSheet()
    _grab(dialog, "audit-chain-broken")


def test_verify_runs_off_the_gui_thread_and_can_be_cancelled(qtbot, ctx: AppContext, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(chain, "VERIFY_PAGE", 2)  # many pages, so there is a progress to cancel
    dialog = AuditLogDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    real = chain.content_hash

    def slow(previous: str, entry: object) -> str:
        import time

        time.sleep(0.05)
        return real(previous, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(chain, "content_hash", slow)
    qtbot.mouseClick(child(dialog, QPushButton, "verifyButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.findChild(QProgressDialog, "progressDialog") is not None
                    and dialog.findChild(QProgressDialog, "progressDialog").isVisible(), timeout=5000)
    progress = dialog.findChild(QProgressDialog, "progressDialog")
    assert progress.labelText() == "正在校验审计记录链…"
    qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)  # 取消
    qtbot.waitUntil(lambda: not ctx.ops.busy(), timeout=5000)
    assert dialog.chain_report is None  # cancelled: nothing claimed
    assert "校验" in child(dialog, QLabel, "chainLabel").text()
