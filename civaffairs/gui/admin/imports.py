"""Import batches, for administrators: when, who, which register and file, how many records it
created and updated, and whether it was undone; 撤销此次导入 puts the created records in the
recycle bin and the updated ones back as they were (or says why it cannot)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from civaffairs.core.clock import to_local
from civaffairs.core.i18n import _
from civaffairs.exchange.batches import BatchInfo, list_batches, undo_batch
from civaffairs.gui.admin.users import set_column_widths
from civaffairs.gui.context import AppContext
from civaffairs.gui.table_model import ROW_ROLE, Column, ListSource, PagedTableModel

TIME_FORMAT = "%Y-%m-%d %H:%M"


def _state(b: BatchInfo) -> str:
    if b.undone_at is None:
        return ""
    return _("Undone {at} by {user}").format(at=to_local(b.undone_at).strftime(TIME_FORMAT), user=b.undone_by or "")


def batch_columns() -> list[Column[BatchInfo]]:
    return [
        Column("at", _("Time"), lambda b: to_local(b.at).strftime(TIME_FORMAT), sortable=False, width_chars=15),
        Column("actor", _("User"), lambda b: b.actor, sortable=False, width_chars=8),
        Column("register", _("Register"), lambda b: b.register_name, sortable=False, width_chars=10),
        Column("file", _("File"), lambda b: b.file_name, sortable=False, width_chars=18,
               tooltip=lambda b: b.file_name),
        Column("created", _("Created"), lambda b: str(b.created), sortable=False, align_right=True, width_chars=4),
        Column("updated", _("Updated"), lambda b: str(b.updated), sortable=False, align_right=True, width_chars=4),
        Column("skipped", _("Skipped"), lambda b: str(b.skipped), sortable=False, align_right=True, width_chars=4),
        Column("undone", _("Undone"), _state, sortable=False, width_chars=22, colour=lambda b: (
            "#9e9e9e" if b.undone_at is not None else None)),
    ]


class ImportBatchesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("importBatchesDialog")
        self.setWindowTitle(_("Imports from Excel"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Every import from Excel or the clipboard, newest first. Undoing an import puts "
                                  "the records it created in the recycle bin and the records it updated back as "
                                  "they were.")))
        self.columns = batch_columns()
        self.model: PagedTableModel[BatchInfo] = PagedTableModel(
            ctx.ops.read, self.columns, ListSource(lambda s: list_batches(s, ctx.actor)), self)
        self.table = QTableView()
        self.table.setObjectName("batchTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        set_column_widths(self.table, self.columns)
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.undo_button = QPushButton(_("Undo this import"))
        self.undo_button.setObjectName("undoButton")
        self.undo_button.clicked.connect(lambda: self.undo_selected())
        actions.addWidget(self.undo_button)
        actions.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        actions.addWidget(buttons)
        layout.addLayout(actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        ctx.ops.sig_changed.connect(lambda _keys: self.refresh())
        self.model.refresh()
        self._update_buttons()
        self.resize(1100, 480)

    def refresh(self) -> None:
        self.model.refresh()
        self._update_buttons()

    def selected(self) -> BatchInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def _update_buttons(self) -> None:
        b = self.selected()
        self.undo_button.setEnabled(b is not None and b.undone_at is None)

    def undo_selected(self, *, confirm: bool = True) -> int | None:
        b = self.selected()
        if b is None or b.undone_at is not None:
            return None
        if confirm and QMessageBox.question(self, _("Undo this import"), _(
                "Undo the import of {file} into “{register}” ({created} created, {updated} updated)? The created "
                "records go to the recycle bin; the updated ones get their earlier values back.").format(
                file=b.file_name, register=b.register_name, created=b.created, updated=b.updated),
        ) != QMessageBox.StandardButton.Yes:
            return None
        count = self.ctx.ops.write(lambda s: undo_batch(s, self.ctx.actor, b.id), changed=[b.register], parent=self)
        self.refresh()
        return count

