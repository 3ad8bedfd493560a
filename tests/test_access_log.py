"""The access log: printouts from the window (a register's list, any form) and from the command
line are audited like exports and searches; passwords never reach the audit, the log or an
error's text."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.audit.chain import verify_chain
from civaffairs.audit.models import AuditEntry
from civaffairs.cli import main
from civaffairs.core.errors import CivaffairsError
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.printing import preview as preview_module
from civaffairs.gui.printing.preview import PdfPreviewDialog, preview_in_background
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.notices import service as notices
from tests.helpers import bulk_check_ins, bulk_staff
from tests.test_cli_print import demo_dir, demo_template  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("qapp")


def _prints(db: Database) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "print").order_by(AuditEntry.seq)))


class _PrintDialogToFile:
    """The system's print dialog, answered OK with a PDF file as the printer."""

    def __init__(self, printer: QPrinter, _parent: Any = None) -> None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(_PrintDialogToFile.path))

    path: Path

    def setMinMax(self, *_args: Any) -> None:  # noqa: N802 - Qt's name
        pass

    def exec(self) -> QDialog.DialogCode:
        return QDialog.DialogCode.Accepted


def _open_preview(qtbot: QtBot, view: QWidget) -> PdfPreviewDialog:
    qtbot.waitUntil(lambda: isinstance(getattr(view, "last_preview", None), PdfPreviewDialog), timeout=30_000)
    return view.last_preview  # type: ignore[attr-defined]  # a child of `view`: closed with it


def test_a_register_list_printed_or_saved_from_the_window_is_audited(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with sqlite_db.write() as s:
        bulk_check_ins(s, bulk_staff(s, ["王芳", "李娜"]), [date(2021, 10, 1) + timedelta(days=d) for d in range(3)])
    ctx = AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, Preferences(), "天水市麦积区民政局")
    view = RegisterView(ctx, CHECK_INS)
    qtbot.addWidget(view)
    view.print_list()
    dialog = _open_preview(qtbot, view)
    assert _prints(sqlite_db) == []  # a preview is a look at the screen, not a printout

    _PrintDialogToFile.path = tmp_path / "printed.pdf"
    monkeypatch.setattr(preview_module, "QPrintDialog", _PrintDialogToFile)
    dialog.print_with_dialog()
    assert _PrintDialogToFile.path.exists()
    saved = tmp_path / "健康打卡.pdf"
    monkeypatch.setattr(preview_module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    dialog.save_with_dialog()
    assert saved.exists()

    printed, written = _prints(sqlite_db)
    for entry in (printed, written):
        assert entry.actor == admin.username and entry.register == CHECK_INS.key
        assert entry.record_label == CHECK_INS.name
        assert entry.changes["pages"] == [None, str(dialog.page_total())]
    assert written.changes["output"] == [None, "健康打卡.pdf"]
    with sqlite_db.read() as s:
        assert verify_chain(s, admin).intact
    assert audit.action_label("print") == "打印"


def test_a_form_printed_outside_a_register_view_is_audited_as_a_printout(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.printing.blank_form import render_blank_form

    ctx = AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, Preferences(), "天水市麦积区民政局")
    parent = QWidget()
    qtbot.addWidget(parent)
    preview_in_background(ctx, "临时救助审批表", lambda progress: render_blank_form(CHECK_INS, office_name="城关区民政局"),
                          suggested_name="审批表.pdf", parent=parent)
    dialog = _open_preview(qtbot, parent)
    monkeypatch.setattr(preview_module.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "审批表"), ""))
    dialog.save_with_dialog()
    (entry,) = _prints(sqlite_db)
    assert entry.register == audit.PRINT_REGISTER and entry.record_label == "临时救助审批表"
    assert entry.changes["output"] == [None, "审批表.pdf"]


def test_a_notice_printed_from_the_command_line_is_audited(demo_dir: Path, tmp_path: Path,  # noqa: F811
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from civaffairs.db.bootstrap import open_database

    out = tmp_path / "通知.pdf"
    assert main(["print", "notice", "麦民发〔2021〕1号", "--out", str(out), "--data-dir", str(demo_dir)]) == 0
    capsys.readouterr()
    db = open_database(demo_dir)
    try:
        (entry,) = _prints(db)
        assert entry.actor == "cli" and entry.register == notices.REGISTER
        assert entry.record_label == "麦民发〔2021〕1号" and entry.record_id is not None
        assert entry.changes["output"] == [None, "通知.pdf"]
    finally:
        db.dispose()


def test_an_inspection_report_printed_from_the_command_line_is_audited(
        sqlite_db: Database, data_dir: Path, leader: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_supervision import _correction, _ready_visit, _targets, _team
    from civaffairs.supervision import service
    from civaffairs.supervision.fields import VISITS

    visit = _ready_visit(sqlite_db, leader, _team(sqlite_db, leader), _targets(sqlite_db, leader)["compound"])
    _correction(sqlite_db, leader, visit, date(2021, 10, 23))
    with sqlite_db.write() as s:
        number = service.issue_report(s, leader, visit, day=date(2021, 10, 21))
    out = tmp_path / "督查报告.pdf"
    assert main(["print", "inspection", number, "--out", str(out), "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    (entry,) = _prints(sqlite_db)
    assert entry.register == VISITS.key and entry.record_id == visit and entry.record_label == number
    # A refused print (an unknown number) leaves no entry.
    assert main(["print", "inspection", "麦民督〔2021〕9号", "--out", str(tmp_path / "y.pdf"),
                 "--data-dir", str(data_dir)]) == 1
    assert len(_prints(sqlite_db)) == 1


# ------------------------------------------------------------------ passwords


def test_passwords_never_reach_the_audit_the_log_or_an_error(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    first, member, wrong, reset, changed = ("Adm1n-秘密-first", "Memb3r-秘密-new", "Wr0ng-秘密-guess",
                                            "Res3t-秘密-given", "Chang3d-秘密-own")
    errors: list[str] = []

    def attempt(fn: Any) -> Any:
        try:
            return fn()
        except CivaffairsError as e:
            errors.extend([str(e), e.message, repr(e.args)])
            return None

    with db.write() as s:
        admin = accounts.initialise_office(s, "城关区民政局", "admin", "管理员", first)
    with db.write() as s:
        accounts.create_user(s, admin, "clerk", "办公室干事", member, "member", [1])
    for _ in range(accounts.MAX_FAILED_LOGINS):  # up to the lock-out
        attempt(lambda: accounts.login(db, "clerk", wrong))
    attempt(lambda: accounts.login(db, "nobody", wrong))
    attempt(lambda: accounts.login(db, "clerk", member))  # locked: refused though right
    with db.write() as s:
        accounts.reset_password(s, admin, "clerk", reset)
    clerk = accounts.login(db, "clerk", reset)
    attempt(lambda: _in(db, lambda s: accounts.change_own_password(s, clerk, wrong, changed)))
    _in(db, lambda s: accounts.change_own_password(s, clerk, reset, changed))
    accounts.login(db, "clerk", changed)
    attempt(lambda: _in(db, lambda s: accounts.create_user(s, admin, "short", "短密码", "秘", "member", [1])))

    with db.read() as s:
        entries = list(s.scalars(select(AuditEntry)))
    actions = {e.action for e in entries}
    assert {"create", "login", "login_failed", "locked", "password", "password_changed"} <= actions
    audit_text = "\n".join(f"{e.actor}|{e.action}|{e.register}|{e.record_label}|{e.changes}" for e in entries)
    assert len(errors) >= 3 and caplog.records is not None
    log_text = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    for password in (first, member, wrong, reset, changed, "秘"):
        assert password not in audit_text
        assert password not in log_text
        assert all(password not in text for text in errors), password


def _in(db: Database, fn: Any) -> Any:
    with db.write() as s:
        return fn(s)


def test_an_export_from_the_window_is_audited(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    """The window exports in a read transaction (it would hold other PCs' saves for as long as it
    writes the workbook), so its audit entry is written apart, not lost with the read."""
    from civaffairs.gui.exchange import export_view

    with sqlite_db.write() as s:
        bulk_check_ins(s, bulk_staff(s, ["王芳"]), [date(2021, 10, 1)])
    ctx = AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, Preferences(), "天水市麦积区民政局")
    view = RegisterView(ctx, CHECK_INS)
    qtbot.addWidget(view)
    view.last_export_message = None
    monkeypatch_box = pytest.MonkeyPatch()
    monkeypatch_box.setattr("civaffairs.gui.exchange.QMessageBox.information", lambda *a, **k: None)
    try:
        export_view(view, tmp_path / "打卡.xlsx", all_rows=True)
        qtbot.waitUntil(lambda: view.last_export_message is not None, timeout=30_000)
    finally:
        monkeypatch_box.undo()
    with sqlite_db.read() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry.register == CHECK_INS.key and entry.changes["file"] == [None, "打卡.xlsx"]
