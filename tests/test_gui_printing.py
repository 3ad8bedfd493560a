"""Printing from the window: a filtered register of 1,000 rows goes through the preview (QtPdf)
and the printer path into a PDF file, with the filter and the page count on the paper."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pdfplumber
from PySide6.QtCore import QDate
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.printing.preview import PdfPreviewDialog
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from tests.helpers import bulk_check_ins, bulk_staff

FIRST = date(2021, 10, 1)


def _printer_to(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_print_a_filtered_register_of_1000_rows(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    with sqlite_db.write() as s:
        staff = bulk_staff(s, [f"职工{i:02d}" for i in range(50)])
        bulk_check_ins(s, staff, [FIRST + timedelta(days=d) for d in range(30)])  # 1,500 rows
    ctx = AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, Preferences(), "天水市麦积区民政局")
    view = RegisterView(ctx, CHECK_INS)
    qtbot.addWidget(view)
    view.date_filter.setChecked(True)
    view.date_from.setDate(QDate(2021, 10, 1))
    view.date_to.setDate(QDate(2021, 10, 20))  # 20 days × 50 = 1,000 rows
    assert view.model.total_count() == 1000

    view.print_list()
    qtbot.waitUntil(lambda: isinstance(getattr(view, "last_preview", None), PdfPreviewDialog), timeout=60_000)
    preview: PdfPreviewDialog = view.last_preview
    qtbot.addWidget(preview)
    pages = preview.page_total()
    assert pages > 10  # 1,000 rows do not fit on a few pages
    assert preview.page_count.text().count(str(pages)) == 1
    # The preview renders real pages (not blank): some dark pixels on page 1.
    image = preview.page_image(0, 400)
    dark = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 50

    # Save as PDF writes the very bytes the preview shows; Print goes through QPrinter.
    saved = tmp_path / "saved.pdf"
    preview.save_to(saved)
    assert saved.read_bytes() == preview.pdf
    printed = tmp_path / "printed.pdf"
    preview.print_to(_printer_to(printed))
    with pdfplumber.open(printed) as pdf:
        assert len(pdf.pages) == pages  # every page went to the printer

    with pdfplumber.open(saved) as pdf:
        first = pdf.pages[0].extract_text()
        last = pdf.pages[-1].extract_text()
    assert "天水市麦积区民政局" in first
    assert "2021年10月1日" in first and "2021年10月20日" in first  # the filter, in words
    assert re.search(rf"1\D*{pages}", first.replace(" ", "")) and re.search(rf"{pages}\D*{pages}", last.replace(" ", ""))
