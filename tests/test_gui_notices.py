"""Notices in the window: draft from a template → edit → issue → preview with the right number of
pages → print to a PDF file through the printer path."""
from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialogButtonBox
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import today_local
from civaffairs.core.errors import PermissionDenied
from civaffairs.db.database import Database
from civaffairs.gui.context import AppContext
from civaffairs.gui.notices import IssueDialog, NoticeEditor, NoticesView
from civaffairs.gui.operations import Operations
from civaffairs.gui.printing.preview import PdfPreviewDialog
from civaffairs.gui.settings import Preferences
from civaffairs.notices import service as notices
from civaffairs.notices.data import NoticeStatus
from civaffairs.printing.notice_pdf import render_notice


@pytest.fixture(autouse=True)
def _office(sqlite_db: Database) -> None:
    """The office name signs the notices."""
    with sqlite_db.write() as s:
        accounts.initialise_office(s, "天水市麦积区民政局", "admin", "王主任", "password-123")


def _ctx(db: Database, actor: Actor, tmp_path: Path) -> AppContext:
    return AppContext(db, Operations(db, actor), actor, tmp_path, Preferences(), "天水市麦积区民政局")


def _ok(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_draft_issue_preview_and_print(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    ctx = _ctx(sqlite_db, admin, tmp_path)
    view = NoticesView(ctx, 4)
    qtbot.addWidget(view)
    editor = view.new_from_template("assistance")
    assert isinstance(editor, NoticeEditor)
    qtbot.addWidget(editor)
    assert "救助" in editor.title.text()
    assert view.model.rowCount() == 1
    editor.title.setText("关于进一步做好疫情期间困难群众临时救助工作的通知")
    # The template asks for the contact phone: a notice is not issued with the placeholder left.
    editor.body.setPlainText(editor.body.toPlainText().replace("（请填写：联系电话）", "0938-2731234"))

    # A bad prefix is refused at its field; nothing is issued.
    dialog = editor.save_and_issue()
    assert isinstance(dialog, IssueDialog)
    dialog.prefix.setCurrentText("")
    _ok(dialog)
    assert not dialog.errors.label("prefix").isHidden()
    dialog.prefix.setCurrentText("麦民发")
    year = today_local().year
    assert dialog.next_number.text() == f"麦民发〔{year}〕1号"
    with qtbot.waitSignal(editor.sig_issued):
        _ok(dialog)
    assert dialog.number == f"麦民发〔{year}〕1号"

    # Issued: the number shows, the text is frozen, here and in the service.
    assert f"麦民发〔{year}〕1号" in editor.number.text()
    assert editor.title.isReadOnly() and not editor.save_button.isVisible()
    notice = editor.notice
    assert notice.status is NoticeStatus.ISSUED and notice.title.startswith("关于进一步")
    with pytest.raises(PermissionDenied), sqlite_db.write() as s:
        notices.update_draft(s, admin, notice.id, notice.version, title="改")

    # Preview: exactly the PDF of the printing engine, with its number of pages.
    with sqlite_db.read() as s:
        expected = render_notice(notices.get(s, admin, notice.id), office_mark=notices.office_mark(s, notice))
    pages = len(PdfReader(io.BytesIO(expected)).pages)
    assert pages >= 2  # the assistance notice is a real, long one
    view.refresh()
    view.select_notice(notice.id)
    assert view.issue_button.isEnabled() is False and view.correct_button.isEnabled()
    view.preview_selected()
    qtbot.waitUntil(lambda: isinstance(getattr(view, "last_preview", None), PdfPreviewDialog), timeout=30_000)
    preview: PdfPreviewDialog = view.last_preview
    qtbot.addWidget(preview)
    assert preview.page_total() == pages
    # The same document (byte for byte but for its creation stamp and id).
    texts = lambda pdf: [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]  # noqa: E731
    assert texts(preview.pdf) == texts(expected)
    assert f"麦民发〔{year}〕1号" in texts(preview.pdf)[0]

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    preview.print_to(printer)
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages
        width, height = pdf.pages[0].width, pdf.pages[0].height
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4


def test_correction_is_a_new_draft_and_the_overview_lists_every_group(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                                     tmp_path: Path) -> None:
    ctx = _ctx(sqlite_db, admin, tmp_path)
    with sqlite_db.write() as s:
        first = notices.create_draft(s, admin, 2, "closed_management")
        notices.issue(s, admin, first, "麦民发")
        notices.create_draft(s, admin, 0, "blank")
    group_view = NoticesView(ctx, 2)
    qtbot.addWidget(group_view)
    overview = NoticesView(ctx, None)
    qtbot.addWidget(overview)
    assert group_view.model.rowCount() == 1 and overview.model.rowCount() == 2
    group_view.select_notice(first)
    editor = group_view.correct_selected()
    assert editor is not None
    qtbot.addWidget(editor)
    assert editor.notice.status is NoticeStatus.DRAFT and editor.notice.corrects_id == first
    assert group_view.model.rowCount() == 2


def test_a_member_of_another_group_cannot_draft_there(qtbot: QtBot, sqlite_db: Database,
                                                      institutions_member: Actor, tmp_path: Path) -> None:
    view = NoticesView(_ctx(sqlite_db, institutions_member, tmp_path), 1)
    qtbot.addWidget(view)
    assert not view.new_button.isVisibleTo(view)
    own = NoticesView(_ctx(sqlite_db, institutions_member, tmp_path), 2)
    qtbot.addWidget(own)
    assert own.new_button.isVisibleTo(own)


def test_the_number_register_shows_cancelled_numbers_with_their_reason(qtbot: QtBot, sqlite_db: Database, admin: Actor,
                                                                       tmp_path: Path) -> None:
    year = today_local().year
    with sqlite_db.write() as s:
        first = notices.create_draft(s, admin, 1, "blank")
        notices.update_draft(s, admin, first, 1, title="关于做好机关消毒工作的通知", body="请各科室做好消毒。")
        notices.issue(s, admin, first, "麦民发")
    view = NoticesView(_ctx(sqlite_db, admin, tmp_path), 1)
    qtbot.addWidget(view)
    view.select_notice(first)
    dialog = view.cancel_selected()
    assert dialog is not None
    qtbot.addWidget(dialog)
    _ok(dialog)
    assert not dialog.errors.label("reason").isHidden()  # a reason is required
    dialog.reason.setText("标题有误，重新发文")
    _ok(dialog)
    register = view.open_number_register()
    qtbot.addWidget(register)
    register.prefix.setCurrentText("麦民发")
    register.year.setValue(year)
    model = register.model
    assert model.rowCount() == 1
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[0] == f"麦民发〔{year}〕1号" and "作废" in cells[1] and cells[-1] == "标题有误，重新发文"
