"""Excel in and out in the window: export, template, import with a preview of every row, paste
from a spreadsheet, copy rows to the clipboard.  The work is the Qt-free `civaffairs.exchange`;
reading, previewing, exporting and applying run off the GUI thread with a cancellable progress
dialog, and an import is written in one transaction, so a cancel or failure leaves nothing."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
    QLabel, QMessageBox, QPushButton, QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.core.i18n import _
from civaffairs.exchange import importer
from civaffairs.exchange.cells import shown
from civaffairs.exchange.export import export_register
from civaffairs.exchange.keys import value_text
from civaffairs.exchange.template import write_template
from civaffairs.gui.errors import present_error

if TYPE_CHECKING:
    from civaffairs.gui.register_view import RegisterView

RED = QColor("#c62828")
AMBER = QColor("#b26a00")
XLSX_FILTER = "Excel (*.xlsx)"
IMPORT_FILTER = "Excel / CSV (*.xlsx *.xlsm *.xls *.ods *.csv)"


# ------------------------------------------------------------------ export and template


def export_view(view: RegisterView, path: Path | None = None, *, all_rows: bool | None = None) -> None:
    """Export the list: the rows as filtered and sorted on screen, or every record."""
    spec, ctx = view.spec, view.ctx
    if all_rows is None:
        box = QMessageBox(view)
        box.setWindowTitle(_("Export to Excel"))
        box.setText(_("Which rows of “{register}” should be exported?").format(register=spec.name))
        shown = box.addButton(_("The rows as filtered and sorted"), QMessageBox.ButtonRole.AcceptRole)
        every = box.addButton(_("All records"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() not in (shown, every):
            return
        all_rows = box.clickedButton() is every
    if path is None:
        name, _f = QFileDialog.getSaveFileName(view, _("Export to Excel"), f"{spec.name}.xlsx", XLSX_FILTER)
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
    query = None if all_rows else view.current_query()
    target = Path(path)

    def job(progress: Any) -> Any:
        with ctx.ops.db.read() as session:
            return export_register(session, ctx.actor, spec, target, query, progress=progress.report,
                                   audit_in=ctx.ops.db)  # a read is never committed: audited apart

    def done(result: Any) -> None:
        text = _("{rows} rows written to {file}.").format(rows=result.rows, file=target.name)
        if result.masked:
            titles = [f.title for f in spec.fields if f.name in result.masked]
            text += "\n" + _("Masked for your account: {columns}.").format(columns="、".join(titles))
        view.last_export_message = text
        QMessageBox.information(view, _("Export to Excel"), text)

    ctx.ops.run_in_background(_("Exporting…"), job, done, parent=view)


def save_template(view: RegisterView, path: Path | None = None) -> None:
    spec = view.spec
    if path is None:
        name, _f = QFileDialog.getSaveFileName(view, _("Download import template"),
                                               _("{register} import template").format(register=spec.name) + ".xlsx",
                                               XLSX_FILTER)
        if not name:
            return
        path = Path(name)
    try:
        write_template(spec, Path(path))
    except Exception as e:  # noqa: BLE001 - shown, never a crash
        present_error(view, e)
        return
    QMessageBox.information(view, _("Download import template"),
                            _("The template was saved as {file}.").format(file=Path(path).name))


# ------------------------------------------------------------------ import


def import_file(view: RegisterView, path: Path | None = None) -> None:
    """Choose a file, read and preview it off the GUI thread, then show the preview dialog."""
    if path is None:
        name, _f = QFileDialog.getOpenFileName(view, _("Import from Excel"), "", IMPORT_FILTER)
        if not name:
            return
        path = Path(name)
    source = Path(path)
    ctx, spec = view.ctx, view.spec

    def job(progress: Any) -> Any:
        table = importer.read_table(source, progress=progress.report)
        with ctx.ops.db.read() as session:
            return table, importer.preview(session, ctx.actor, spec, table, file_name=source.name,
                                           progress=progress.report)

    ctx.ops.run_in_background(_("Reading {file}…").format(file=source.name), job,
                              lambda done: show_preview(view, done[1], done[0]), parent=view)


def paste_import(view: RegisterView, text: str | None = None) -> None:
    """The clipboard's text (cells copied from a spreadsheet) into the same preview."""
    ctx, spec = view.ctx, view.spec
    if text is None:
        text = QGuiApplication.clipboard().text()
    if not text.strip():
        QMessageBox.information(view, _("Paste import"),
                                _("The clipboard holds no table. Copy rows in Excel (with the header row), then paste."))
        return
    try:
        table = importer.table_from_text(text, spec=spec)
        result = ctx.ops.read(lambda s: importer.preview(s, ctx.actor, spec, table, file_name=_("Clipboard")))
    except Exception as e:  # noqa: BLE001
        present_error(view, e)
        return
    show_preview(view, result, table)


def show_preview(view: RegisterView, result: importer.Preview,
                 table: importer.Table | None = None) -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(view, result, table)
    view.import_dialog = dialog
    dialog.open()
    return dialog


class ImportPreviewDialog(QDialog):
    """Every row of the file with its values and problems; 导入 only when nothing is wrong."""

    def __init__(self, view: RegisterView, result: importer.Preview, source: importer.Table | None = None) -> None:
        super().__init__(view)
        self.view, self.ctx, self.spec, self.result = view, view.ctx, view.spec, result
        self.import_result: importer.ImportResult | None = None
        self.setObjectName("importPreview")
        self.setWindowTitle(_("Import into “{register}”: {file}").format(register=self.spec.name,
                                                                       file=result.file_name))
        layout = QVBoxLayout(self)
        self.summary = QLabel(_("{ok} rows can be imported, {bad} rows have problems, {same} rows match "
                                "existing records").format(ok=result.ok, bad=result.bad, same=result.matched))
        self.summary.setObjectName("summary")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        layout.addWidget(self.summary)
        notes = []
        for p in result.file_problems:
            notes.append(f"<span style='color:{RED.name()}'>{_escape(str(p))}</span>")
        if result.missing_required:
            notes.append(f"<span style='color:{RED.name()}'>" + _escape(
                _("Required columns missing: {columns}").format(columns="、".join(result.missing_required))) + "</span>")
        if result.unknown_columns:
            notes.append(f"<span style='color:{AMBER.name()}'>" + _escape(
                _("Columns not in this register (ignored): {columns}").format(
                    columns="、".join(result.unknown_columns))) + "</span>")
        if result.ignored_columns:
            notes.append(_escape(_("Columns shown but not imported: {columns}").format(
                columns="、".join(result.ignored_columns))))
        self.notes = QLabel("<br>".join(notes))
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(notes))
        layout.addWidget(self.notes)

        fields = [f for f in self.spec.fields if f.name in set(result.columns.values())]
        self.fields = fields
        # The cells as the file has them (a staff member's name, not the id it was matched to).
        cells_of: dict[int, dict[str, Any]] = {}
        if source is not None:
            position = {h: i for i, h in enumerate(source.headers)}
            where = {name: position.get(header) for header, name in result.columns.items()}
            for number, cells in source.rows:
                cells_of[number] = {name: cells[i] if i is not None and i < len(cells) else None
                                    for name, i in where.items()}
        self.table = QTableWidget(len(result.rows), 2 + len(fields))
        self.table.setObjectName("previewTable")
        self.table.setHorizontalHeaderLabels([_("Row"), _("Problems")] + [f.title for f in fields])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for i, r in enumerate(result.rows):
            self.table.setItem(i, 0, QTableWidgetItem(str(r.row)))
            lines = [_problem_text(p) for p in r.problems]
            warns = [_problem_text(p) for p in r.warnings]
            if r.match_id is not None and not r.problems:
                warns.append(_("Same as the existing record “{record}”").format(record=r.match_label))
            text = "\n".join(lines + warns)
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if lines:
                item.setForeground(QBrush(RED))
            elif warns:
                item.setForeground(QBrush(AMBER))
            self.table.setItem(i, 1, item)
            bad_columns = {p.column for p in r.problems}
            warn_columns = {p.column for p in r.warnings}
            for j, f in enumerate(fields):
                if r.row in cells_of:
                    raw = cells_of[r.row].get(f.name)
                    text = "" if raw is None else shown(raw)
                else:
                    value = r.values.get(f.name)
                    text = "" if value is None else _shown(f, value)
                cell = QTableWidgetItem(text)
                if f.title in bad_columns:
                    cell.setBackground(QBrush(QColor("#fde0dc")))
                    cell.setToolTip("\n".join(p.message for p in r.problems if p.column == f.title))
                elif f.title in warn_columns:
                    cell.setBackground(QBrush(QColor("#fff3cd")))
                    cell.setToolTip("\n".join(p.message for p in r.warnings if p.column == f.title))
                self.table.setItem(i, 2 + j, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(max(self.table.columnWidth(1), 160), 320))
        for j in range(2, 2 + len(fields)):
            self.table.setColumnWidth(j, min(self.table.columnWidth(j), 220))
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)

        match_row = QHBoxLayout()
        self.skip = QRadioButton(_("Skip rows that match an existing record"))
        self.update = QRadioButton(_("Update the existing record from the file"))
        self.skip.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.skip)
        group.addButton(self.update)
        match_row.addWidget(self.skip)
        match_row.addWidget(self.update)
        match_row.addStretch(1)
        matched = QWidget()
        matched.setLayout(match_row)
        matched.setVisible(result.matched > 0)
        layout.addWidget(matched)

        buttons = QDialogButtonBox()
        self.import_button = QPushButton(_("Import"))
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(result.can_apply and self.ctx.actor.can_write(self.spec.group))
        if not result.can_apply:
            self.import_button.setToolTip(_("Correct the rows with problems in the file, then import it again."))
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.apply)
        layout.addWidget(buttons)
        self.resize(1200, 700)

    def apply(self) -> None:
        ctx, spec, result = self.ctx, self.spec, self.result
        on_match = "update" if self.update.isChecked() else "skip"

        def job(progress: Any) -> Any:
            # One transaction: a Cancel raised by progress.report rolls every record back.
            with ctx.ops.db.write() as session:
                return importer.apply(session, ctx.actor, spec, result, on_match=on_match, progress=progress.report)

        def done(outcome: importer.ImportResult) -> None:
            self.import_result = outcome
            self.view.refresh()
            QMessageBox.information(self.view, _("Import from Excel"), _(
                "{created} records created, {updated} updated, {skipped} skipped.").format(
                created=outcome.created, updated=outcome.updated, skipped=outcome.skipped))
            self.accept()

        self.worker = ctx.ops.run_in_background(_("Importing…"), job, done, parent=self, changed=[spec.key])


def _problem_text(p: importer.Problem) -> str:
    """A row's problem without the sheet, row and value (the table shows them beside it)."""
    if p.column and p.column not in p.message:
        return f"{p.column}：{p.message}"
    return p.message


def _shown(f: Any, value: Any) -> str:
    try:
        return value_text(f, value)
    except Exception:  # noqa: BLE001 - a preview shows what it can
        return str(value)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------ copy


def copy_rows(view: RegisterView) -> str:
    """The selected rows, as the list shows them (masked), tab-separated with the headers."""
    model = view.model
    rows = sorted(i.row() for i in view.table.selectionModel().selectedRows())
    if not rows:
        return ""
    columns = [c for c in range(model.columnCount()) if not view.table.isColumnHidden(c)]

    def clean(v: Any) -> str:
        return "" if v is None else str(v).replace("\t", " ").replace("\r", " ").replace("\n", " ")

    lines = ["\t".join(clean(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
    for r in rows:
        lines.append("\t".join(clean(model.data(model.index(r, c))) for c in columns))
    text = "\n".join(lines) + "\n"
    QGuiApplication.clipboard().setText(text)
    return text


class ClipboardKeys(QObject):
    """On a register's table: Ctrl+C copies the selected rows (all columns, as the list shows
    them), Ctrl+V opens the paste preview.  An event filter rather than a shortcut, so that the
    table's own Ctrl+C (one cell) and any window shortcut do not take the keys first."""

    def __init__(self, view: RegisterView) -> None:
        super().__init__(view)
        self.view = view

    def _action(self, event: QEvent) -> Any:
        if not isinstance(event, QKeyEvent):
            return None
        if event.matches(QKeySequence.StandardKey.Copy):
            return copy_rows
        if event.matches(QKeySequence.StandardKey.Paste) and self.view.can_write and not self.view.trash.isChecked():
            return paste_import
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ShortcutOverride and self._action(event) is not None:
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress:
            action = self._action(event)
            if action is not None:
                action(self.view)
                return True
        return False
