"""Print preview: shows exactly the PDF that will print (rendered by QtPdf), with page navigation
and zoom; Print sends those pages to a printer chosen in the system's print dialog; Save as PDF
writes the same bytes to a file."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from civaffairs.audit import service as audit
from civaffairs.core.i18n import _
from civaffairs.gui.errors import present_error

PRINT_DPI = 300


def print_document(document: QPdfDocument, printer: QPrinter, progress=None) -> None:  # type: ignore[no-untyped-def]
    """Draw every page of `document` onto `printer`, each scaled to the printable page.

    QtPdf renders a page to an image at the printer's resolution; the printer then receives
    exactly what the preview shows."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("The printer could not be started."))
    try:
        first, last = printer.fromPage(), printer.toPage()
        pages = range(first - 1, last) if first > 0 else range(document.pageCount())
        for n, index in enumerate(pages):
            if n:
                printer.newPage()
            size_pt = document.pagePointSize(index)
            dpi = min(printer.resolution(), PRINT_DPI)
            image = document.render(index, QSize(round(size_pt.width() / 72 * dpi), round(size_pt.height() / 72 * dpi)))
            target = painter.viewport()  # device pixels of the page
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(target.x(), target.y(), scaled.width(), scaled.height())
            painter.setWindow(image.rect())
            painter.drawImage(QPointF(0, 0), image)
            painter.setViewport(target)
            if progress:
                progress(n + 1, len(pages))
    finally:
        painter.end()


class PdfPreviewDialog(QDialog):
    def __init__(self, pdf: bytes, title: str, suggested_name: str = "document.pdf", parent: QWidget | None = None,
                 *, on_output: Callable[[str], object] | None = None,
                 may_output: Callable[[], bool] | None = None) -> None:
        """`may_output()` just before the pages go out: False stops them (the account changed
        since its log-in: nothing printed, no file written).  `on_output(where)` after the pages
        went out: to a printer (`where` is the printer's name) or to a PDF file (its name); it
        audits the printout."""
        super().__init__(parent)
        self.pdf = pdf
        self.on_output = on_output
        self.may_output = may_output
        self.suggested_name = suggested_name
        self.setObjectName("pdfPreview")
        self.setWindowTitle(_("Print preview – {title}").format(title=title))
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        self.page = QSpinBox()
        self.page.setObjectName("pageNumber")
        self.page.setRange(1, max(1, self.document.pageCount()))
        self.page.valueChanged.connect(self.go_to_page)
        self.page_count = QLabel(_("of {n} pages").format(n=self.document.pageCount()))
        self.page_count.setObjectName("pageCount")
        previous = QPushButton(_("Previous page"))
        following = QPushButton(_("Next page"))
        previous.clicked.connect(lambda: self.page.setValue(self.page.value() - 1))
        following.clicked.connect(lambda: self.page.setValue(self.page.value() + 1))
        zoom_out = QPushButton(_("Zoom out"))
        zoom_in = QPushButton(_("Zoom in"))
        fit = QPushButton(_("Fit width"))
        whole = QPushButton(_("Whole page"))
        zoom_out.clicked.connect(lambda: self.zoom(1 / 1.25))
        zoom_in.clicked.connect(lambda: self.zoom(1.25))
        fit.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        whole.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.print_button = QPushButton(_("Print…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_with_dialog)
        self.save_button = QPushButton(_("Save as PDF…"))
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save_with_dialog)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)

        bar = QHBoxLayout()
        for w in (previous, self.page, self.page_count, following, zoom_out, zoom_in, fit, whole):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.print_button, self.save_button, close):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.resize(900, 1000)

    def page_total(self) -> int:
        return self.document.pageCount()

    def go_to_page(self, number: int) -> None:
        navigator = self.view.pageNavigator()
        navigator.jump(number - 1, QPointF(), navigator.currentZoom())

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(8.0, self.view.zoomFactor() * factor)))

    def page_image(self, index: int, width: int = 600) -> QImage:
        size = self.document.pagePointSize(index)
        return self.document.render(index, QSize(width, round(width * size.height() / size.width())))

    def print_to(self, printer: QPrinter) -> None:
        print_document(self.document, printer)

    def print_with_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.page_total())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if not self._may_go_out():
            return
        try:
            self.print_to(printer)
        except Exception as e:  # noqa: BLE001 - shown, never a crash
            present_error(self, e)
            return
        self._went_out(printer.printerName() or _("printer"))

    def save_to(self, path: Path) -> None:
        path.write_bytes(self.pdf)

    def save_with_dialog(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, _("Save as PDF"), self.suggested_name, _("PDF files (*.pdf)"))
        if not name:
            return
        path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
        if not self._may_go_out():
            return
        try:
            self.save_to(path)
        except OSError as e:
            present_error(self, e)
            return
        self._went_out(path.name)

    def _may_go_out(self) -> bool:
        return self.may_output is None or self.may_output()

    def _went_out(self, where: str) -> None:
        if self.on_output is not None:
            self.on_output(where)


def preview_in_background(ctx, title: str, render, *, suggested_name: str,  # type: ignore[no-untyped-def]
                          parent: QWidget | None = None, register: str | None = None):
    """Render a document off the GUI thread (with a progress dialog that can cancel), then open
    the preview.  `render(progress)` is Qt-free and returns the PDF bytes.  Printing it or saving
    it is audited under `register` (by default the register of the `parent` view, if any)."""
    holder: dict[str, PdfPreviewDialog] = {}
    audited = register or getattr(getattr(parent, "spec", None), "key", None) or audit.PRINT_REGISTER

    def printed(where: str) -> None:
        pages = holder["dialog"].page_total()
        ctx.ops.write(lambda session: audit.record_access(
            session, ctx.actor, "print", audited, label=title,
            changes={"output": [None, where], "pages": [None, str(pages)]}), parent=holder["dialog"])

    def show(pdf: bytes) -> None:
        dialog = PdfPreviewDialog(pdf, title, suggested_name, parent, on_output=printed,
                                  may_output=lambda: ctx.ops.may_hand_out(holder["dialog"]))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        holder["dialog"] = dialog
        dialog.open()
        if parent is not None:
            parent.last_preview = dialog  # type: ignore[attr-defined]  # for tests and re-focus

    return ctx.ops.run_in_background(_("Preparing “{title}” for printing…").format(title=title), render, show,
                                     parent=parent)
