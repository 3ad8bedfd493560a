"""A period the figures cannot compute, and an account changed since its log-in:

- a period the figures cannot compute (year 1, year 9999…) is refused in one place
  (`reports.figures.Period`) with a Chinese message at its field, and the date editors of every
  period offer only the days that can be computed;
- an account changed since its log-in hands nothing out: the Excel export, a printout or a saved
  PDF and the statistics report re-check it first, like a write — no file, no printout, the
  window locks as for a refused save."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDateEdit, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import SessionEnded, ValidationError
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.gui.context import AppContext
from civaffairs.gui.idle_lock import IdleLock
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.reports.figures import FIRST_DAY, LAST_DAY, Period, period_errors
from tests.helpers import make_staff, quick_password_hashes

load_all()
PASSWORD = "correct horse 1"
OUT_OF_RANGE = "请选择 1971-01-01 至 2999-12-31 之间的日期。"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


def _q(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _py(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


# ================================================================== gap 1: periods at the calendar's end


@pytest.mark.parametrize(("start", "end", "fields"), [
    (date(1, 1, 1), date(1, 1, 31), {"date_from", "date_to"}),
    (date(1970, 12, 31), date(2021, 10, 1), {"date_from"}),
    (date(2021, 10, 1), date(3000, 1, 1), {"date_to"}),
    (date(9999, 12, 1), date(9999, 12, 31), {"date_from", "date_to"}),
])
def test_a_period_outside_the_computable_days_is_refused_at_its_field(start: date, end: date, fields: set[str]) -> None:
    with pytest.raises(ValidationError) as e:
        Period(start, end)
    assert set(e.value.field_errors) == fields
    assert set(e.value.field_errors.values()) == {OUT_OF_RANGE}
    assert period_errors(start, end, start_field="start", end_field="end").keys() == {
        {"date_from": "start", "date_to": "end"}[f] for f in fields}


def test_the_first_and_last_days_offered_compute_every_figure(sqlite_db: Database, admin: Actor) -> None:
    """The bounds are the days the figures' own arithmetic (a day to local moments, a day after
    the last) still handles on every platform: a period on them computes the overview and the
    statistics report."""
    from civaffairs.reports import series, statistics

    assert period_errors(FIRST_DAY, LAST_DAY) == {}
    for period in (Period(FIRST_DAY, FIRST_DAY + timedelta(days=6)), Period(LAST_DAY - timedelta(days=6), LAST_DAY)):
        with sqlite_db.read() as s:
            data = series.overview(s, admin, period, date(2021, 10, 1))
            report = statistics.build(s, admin, period, office_name="天水市麦积区民政局")
        assert data.groups and report.sections


def test_the_report_command_refuses_year_one_in_chinese(data_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from civaffairs.cli import main

    open_database(data_dir).dispose()
    out = tmp_path / "r.xlsx"
    code = main(["report", "--from", "0001-01-01", "--to", "2021-10-31", "--out", str(out), "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    assert code != 0 and captured.err.strip() == OUT_OF_RANGE and not out.exists()


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")


def _range(edit: QDateEdit) -> tuple[date, date]:
    return _py(edit.minimumDate()), _py(edit.maximumDate())


def test_the_overviews_period_offers_only_computable_days_and_says_a_typed_error_in_chinese(
        qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui import overview as overview_module
    from civaffairs.reports import series

    tab = overview_module.OverviewTab(_ctx(sqlite_db, admin, tmp_path))
    qtbot.addWidget(tab)
    try:
        qtbot.waitUntil(lambda: tab.data is not None and not tab.computing, timeout=30_000)
        assert _range(tab.date_from) == _range(tab.date_to) == (FIRST_DAY, LAST_DAY)
        tab.date_to.setDate(QDate(9999, 12, 31))
        tab.date_from.setDate(QDate(9999, 12, 1))
        assert _py(tab.date_to.date()) == LAST_DAY and _py(tab.date_from.date()) == LAST_DAY
        tab.refresh()
        qtbot.waitUntil(lambda: tab.data is not None and tab.data.period == Period(LAST_DAY, LAST_DAY)
                        and not tab.computing, timeout=30_000)
        assert "out of range" not in tab.status.text() and "未能" not in tab.status.text()

        def refused(*_a: Any, **_k: Any) -> Any:  # whatever typed error a computation meets
            raise ValidationError.at("date_to", OUT_OF_RANGE)

        monkeypatch.setattr(series, "overview", refused)
        tab.refresh()
        qtbot.waitUntil(lambda: not tab.computing and OUT_OF_RANGE in tab.status.text(), timeout=30_000)
        assert tab.status.text() == f"总览未能算出：{OUT_OF_RANGE}"
    finally:
        tab.shutdown()
        overview_module.wait_for_computations()


def test_the_statistics_dialog_offers_only_computable_days(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                           tmp_path: Path) -> None:
    from civaffairs.gui.statistics_dialog import StatisticsDialog

    dialog = StatisticsDialog(_ctx(sqlite_db, admin, tmp_path))
    qtbot.addWidget(dialog)
    assert _range(dialog.date_from) == _range(dialog.date_to) == (FIRST_DAY, LAST_DAY)
    dialog.date_from.setDate(QDate(1, 1, 1))
    assert _py(dialog.date_from.date()) == FIRST_DAY
    dialog.date_from.setDate(QDate(2021, 11, 5))
    dialog.date_to.setDate(QDate(2021, 10, 1))
    dialog.make()  # ends before it starts: at the field, nothing made
    assert dialog.errors.label("date_to").text() == "结束日期早于开始日期。" and dialog.report is None
    dialog.show()


def test_the_supervision_period_dialog_says_a_wrong_period_under_its_days(qtbot: QtBot) -> None:
    from civaffairs.supervision.ui import PeriodDialog

    dialog = PeriodDialog(date(2021, 10, 1), date(2021, 10, 31))
    qtbot.addWidget(dialog)
    assert _range(dialog.start) == _range(dialog.end) == (FIRST_DAY, LAST_DAY)
    dialog.end.setDate(QDate(9999, 12, 31))
    assert _py(dialog.end.date()) == LAST_DAY
    dialog.start.setDate(QDate(2021, 11, 1))
    dialog.end.setDate(QDate(2021, 10, 1))
    dialog.show()
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.isVisible() and not dialog.message.text().isascii()
    assert dialog.period() is None
    dialog.end.setDate(QDate(2021, 11, 30))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.period() == Period(date(2021, 11, 1), date(2021, 11, 30))


def test_the_groups_day_and_period_editors_offer_only_computable_days(qtbot: QtBot) -> None:
    """The day and period inputs of the groups' screens that feed their figures and papers."""
    from civaffairs.groups.assistance import ui_grants
    from civaffairs.groups.donations import ui as donations_ui
    from civaffairs.groups.service_institutions import ui as institutions_ui
    from civaffairs.groups.social_organisations import ui as organisations_ui
    from civaffairs.groups.volunteers import ui as volunteers_ui
    from civaffairs.supervision import ui as supervision_ui

    edits = [ui_grants._date_edit(date(2021, 10, 1), "a"), donations_ui._date_edit(date(2021, 10, 1), "b"),
             volunteers_ui._date_edit(date(2021, 10, 1), "c"), institutions_ui._date_edit(date(2021, 10, 1)),
             organisations_ui._date_edit(date(2021, 10, 1)), supervision_ui._date_edit(date(2021, 10, 1))]
    for edit in edits:
        qtbot.addWidget(edit)
        assert _range(edit) == (FIRST_DAY, LAST_DAY)


# ================================================================== gap 3: a changed account hands nothing out


@pytest.fixture
def member(sqlite_db: Database) -> tuple[Actor, Actor]:
    """(administrator, member logged in): the member has a staff record to hand out."""
    with sqlite_db.write() as s:
        admin = accounts.initialise_office(s, "天水市麦积区民政局", "admin", "管理员", PASSWORD)
        accounts.create_user(s, admin, "office", "李娜", PASSWORD, Role.MEMBER, [1])
    actor = accounts.login(sqlite_db, "office", PASSWORD)
    make_staff(sqlite_db, actor, name="张伟")
    return admin, actor


def _change_member(db: Database, admin: Actor, **change: object) -> None:
    values = {"display_name": "李娜", "role": Role.MEMBER.value, "groups": [1], "active": True} | change
    with db.write() as s:
        accounts.update_user(s, admin, "office", **values)  # type: ignore[arg-type]


def _entries(db: Database, action: str) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def window(qtbot: QtBot, sqlite_db: Database, member: tuple[Actor, Actor], tmp_path: Path):  # type: ignore[no-untyped-def]
    """The member's staff register in its window, signed in (the idle lock does it, as the window)."""
    _admin, actor = member
    view = RegisterView(_ctx(sqlite_db, actor, tmp_path), STAFF)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    lock = IdleLock(view, view.ctx)
    yield view, lock
    if lock.screen is not None:
        lock.screen.dismiss()
    accounts.sign_out(sqlite_db)


def test_a_demoted_members_export_from_the_window_writes_nothing_and_locks_it(
        qtbot: QtBot, sqlite_db: Database, member: tuple[Actor, Actor], window, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from civaffairs.gui import exchange

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)  # "written"
    view, lock = window
    admin, _actor = member
    out = tmp_path / "工作人员.xlsx"
    exchange.export_view(view, out, all_rows=True)  # still a member: written and audited
    qtbot.waitUntil(lambda: getattr(view, "last_export_message", None) is not None, timeout=30_000)
    assert out.exists() and len(_entries(sqlite_db, "export")) == 1
    out.unlink()

    _change_member(sqlite_db, admin, role=Role.VIEWER.value, groups=[])
    exchange.export_view(view, out, all_rows=True)
    qtbot.waitUntil(lambda: lock.locked, timeout=30_000)
    qtbot.waitUntil(lambda: not view.ctx.ops.busy(), timeout=30_000)
    assert not out.exists() and len(_entries(sqlite_db, "export")) == 1
    assert lock.screen.notice.text() == "您的账户已被管理员修改，请重新登录。"


class _PrintDialogToFile:
    """The system's print dialog, answered OK with a PDF file as the printer."""

    path: Path

    def __init__(self, printer: QPrinter, _parent: Any = None) -> None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(_PrintDialogToFile.path))

    def setMinMax(self, *_args: Any) -> None:  # noqa: N802 - Qt's name
        pass

    def exec(self) -> QDialog.DialogCode:
        return QDialog.DialogCode.Accepted


def test_a_deactivated_members_printout_and_pdf_go_nowhere_and_lock_the_window(
        qtbot: QtBot, sqlite_db: Database, member: tuple[Actor, Actor], window, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui.printing import preview as preview_module

    view, lock = window
    admin, _actor = member
    view.print_list()
    qtbot.waitUntil(lambda: isinstance(getattr(view, "last_preview", None), preview_module.PdfPreviewDialog),
                    timeout=30_000)
    dialog = view.last_preview
    saved = tmp_path / "工作人员.pdf"
    monkeypatch.setattr(preview_module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    dialog.save_with_dialog()  # still active: saved and audited as before
    assert saved.exists() and len(_entries(sqlite_db, "print")) == 1
    saved.unlink()

    _change_member(sqlite_db, admin, active=False)
    dialog.save_with_dialog()
    assert not saved.exists()
    assert lock.locked and "停用" in lock.screen.notice.text()
    _PrintDialogToFile.path = tmp_path / "printed.pdf"
    monkeypatch.setattr(preview_module, "QPrintDialog", _PrintDialogToFile)
    dialog.print_with_dialog()
    assert not _PrintDialogToFile.path.exists()
    assert len(_entries(sqlite_db, "print")) == 1


def test_a_notice_preview_of_a_changed_account_prints_nothing(
        qtbot: QtBot, sqlite_db: Database, member: tuple[Actor, Actor], window, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Any paper of any group goes through the same preview (`preview_in_background`): a form
    shown outside a register view is refused alike."""
    from civaffairs.gui.printing import preview as preview_module
    from civaffairs.printing.blank_form import render_blank_form

    view, lock = window
    admin, _actor = member
    with sqlite_db.write() as s:
        accounts.reset_password(s, admin, "office", "new password 22")
    preview_module.preview_in_background(view.ctx, "临时救助审批表",
                                         lambda progress: render_blank_form(STAFF, office_name="天水市麦积区民政局"),
                                         suggested_name="审批表.pdf", parent=view)
    qtbot.waitUntil(lambda: isinstance(getattr(view, "last_preview", None), preview_module.PdfPreviewDialog),
                    timeout=30_000)
    saved = tmp_path / "审批表.pdf"
    monkeypatch.setattr(preview_module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    view.last_preview.save_with_dialog()
    assert not saved.exists() and _entries(sqlite_db, "print") == [] and lock.locked


def test_the_statistics_report_of_a_deactivated_session_writes_nothing(
        sqlite_db: Database, member: tuple[Actor, Actor], tmp_path: Path) -> None:
    from civaffairs.reports.service import REGISTER, make_report

    admin, actor = member
    accounts.sign_in(sqlite_db, actor)
    try:
        ok = tmp_path / "统计.xlsx"
        make_report(sqlite_db, actor, Period(date(2021, 10, 1), date(2021, 10, 31)), office_name="局", out=ok)
        assert ok.exists()
        _change_member(sqlite_db, admin, active=False)
        for out in (tmp_path / "再统计.xlsx", tmp_path / "再统计.pdf"):
            with pytest.raises(SessionEnded):
                make_report(sqlite_db, actor, Period(date(2021, 10, 1), date(2021, 10, 31)), office_name="局", out=out)
            assert not out.exists()
    finally:
        accounts.sign_out(sqlite_db)
    assert [e.register for e in _entries(sqlite_db, "export")] == [REGISTER]


def test_the_statistics_dialog_of_a_demoted_member_locks_the_window(
        qtbot: QtBot, sqlite_db: Database, member: tuple[Actor, Actor], window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from civaffairs.gui.statistics_dialog import StatisticsDialog

    view, lock = window
    admin, _actor = member
    _change_member(sqlite_db, admin, role=Role.VIEWER.value, groups=[])
    dialog = StatisticsDialog(view.ctx, view)
    qtbot.addWidget(dialog)
    out = tmp_path / "统计.xlsx"
    dialog.path.setText(str(out))
    dialog.make()
    qtbot.waitUntil(lambda: lock.locked, timeout=30_000)
    qtbot.waitUntil(lambda: not view.ctx.ops.busy(), timeout=30_000)
    assert not out.exists() and dialog.report is None and _entries(sqlite_db, "export") == []


def test_the_command_line_signs_no_account_in_and_still_exports(sqlite_db: Database, member: tuple[Actor, Actor],
                                                                tmp_path: Path) -> None:
    """Without a signed-in account (the command line, the self-test) nothing is re-checked."""
    from civaffairs.audit.service import check_before_output
    from civaffairs.exchange.export import export_register

    _admin, actor = member
    assert sqlite_db.account_check is None
    check_before_output(sqlite_db)
    out = tmp_path / "工作人员.xlsx"
    with sqlite_db.read() as s:
        export_register(s, actor, STAFF, out, None, audit_in=sqlite_db)
    assert out.exists()


# ------------------------------------------------------------------ a stored period the figures cannot compute

from tests.test_volunteers import _draft, shanghai, volunteers_member, world  # noqa: E402,F401 - fixtures


def test_a_certificate_whose_period_cannot_be_computed_is_refused_at_its_days_and_lists(world) -> None:  # type: ignore[no-untyped-def]
    """A certificate's days are typed in its form (any date): its hours are not shown in the list
    rather than breaking it, and issuing it says which day to change."""
    from civaffairs.groups.volunteers import figures, service

    w = world
    cert = _draft(w, w.zhang, period_start=date(1900, 1, 1))
    with w.db.read() as s:
        assert figures.certificate_hours_now(s, [cert.id]) == {}
    with w.db.write() as s, pytest.raises(ValidationError) as e:
        service.issue_certificate(s, w.actor, cert.id)
    assert e.value.field_errors == {"period_start": OUT_OF_RANGE}
