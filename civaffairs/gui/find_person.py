"""Find a person everywhere (查人): one field, Enter, every record that mentions the person,
grouped by register; a double-click (or Enter) opens the record in its register.

What the day someone tests positive needs: quick to reach (Ctrl+Shift+F from anywhere in the main
window), quick to read (counts per register, the date that matters, what matched).  The dialog
stays open beside the main window, so a leader can open one record after another."""
from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.core.i18n import _
from civaffairs.gui import navigation, signals
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.people import service as people

RECORD_ROLE = Qt.ItemDataRole.UserRole  # (register key, record id) on a result's item


class _ResultTree(QTreeWidget):
    """Enter opens the current result, as a double-click does."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            signals.emit(self.itemActivated, self.currentItem(), 0)
            return
        super().keyPressEvent(event)


class FindPersonDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: people.SearchResult | None = None
        self.setObjectName("findPersonDialog")
        self.setWindowTitle(_("Find a person"))
        self.resize(860, 560)

        self.query = QLineEdit()
        self.query.setObjectName("query")
        self.query.setPlaceholderText(_("ID number, phone number, or name (and phone)"))
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.search)
        font = self.query.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.query.setFont(font)
        self.search_button = QPushButton(_("Search"))
        self.search_button.setObjectName("searchButton")
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        self.errors = FieldErrors()
        error_label = self.errors.add(people.QUERY_FIELD, self.query, self)

        hint = QLabel(_("Searches every register that holds ID numbers or phones: staff, visitors, entry "
                        "registrations, residents, household members, volunteers, donors, rescues…  An ID "
                        "number finds the person by itself; a phone can be narrowed by the name."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")

        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)

        self.tree = _ResultTree()
        self.tree.setObjectName("results")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("Register / record"), _("Date"), _("Matched")])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.tree.setColumnWidth(0, 330)
        self.tree.setColumnWidth(1, 140)
        self.tree.itemActivated.connect(self._open_item)  # double-click, and Enter (above)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        close.setAutoDefault(False)
        self.open_button = buttons.addButton(_("Open record"), QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("openButton")
        self.open_button.setAutoDefault(False)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open_item(self.tree.currentItem()))
        self.tree.currentItemChanged.connect(
            lambda item, _old: self.open_button.setEnabled(item is not None and item.data(0, RECORD_ROLE) is not None))

        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(error_label)
        layout.addWidget(hint)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.query.setFocus()

    # -- searching

    def search(self) -> None:
        text = self.query.text()
        self.errors.clear()
        actor = self.ctx.actor
        result = self.ctx.ops.write(lambda s: people.find(s, actor, text), parent=self, form=self)
        if result is None:  # refused or not understood: already shown at the field or in a message
            return
        self.show_result(result)

    def show_field_errors(self, field_errors: dict[str, str]) -> None:
        """What `ops.write` calls with a `ValidationError`: the message under the field."""
        self.errors.show_field_errors({people.QUERY_FIELD: "；".join(field_errors.values())})
        self.tree.clear()
        self.summary.clear()
        self.query.selectAll()

    def show_result(self, result: people.SearchResult) -> None:
        self.result = result
        self.tree.clear()
        if not result.registers:
            self.summary.setText(_("Nobody found: no record in any register mentions “{query}”.").format(
                query=self.query.text().strip()))
            return
        masked = False
        bold = QFont(self.tree.font())
        bold.setBold(True)
        first_record: QTreeWidgetItem | None = None
        for register in result.registers:
            head = QTreeWidgetItem([_("{register} ({n})").format(register=register.register_name, n=register.total)])
            head.setFont(0, bold)
            head.setFirstColumnSpanned(True)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(head)
            for hit in register.hits:
                matched = "；".join(f"{title}：{value}" for title, value in hit.matched)
                item = QTreeWidgetItem([hit.label, hit.day_text, matched])
                item.setData(0, RECORD_ROLE, (register.register_key, hit.record_id))
                item.setToolTip(0, _("Double-click or press Enter to open this record in its register."))
                if hit.masked:
                    masked = True
                    item.setForeground(2, Qt.GlobalColor.darkGray)
                head.addChild(item)
                first_record = first_record or item
            if register.total > len(register.hits):
                more = QTreeWidgetItem([_("… and {n} more: open the register to see them all.").format(
                    n=register.total - len(register.hits))])
                more.setFlags(Qt.ItemFlag.ItemIsEnabled)
                head.addChild(more)
            head.setExpanded(True)
        text = _("Found {n} records in {registers} registers.").format(n=result.total, registers=len(result.registers))
        if masked:
            text += " " + _("ID numbers and phones of other groups' registers are shown masked.")
        self.summary.setText(text)
        if first_record is not None:
            self.tree.setCurrentItem(first_record)

    # -- opening

    def _open_item(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        data = item.data(0, RECORD_ROLE) if item is not None else None
        if data is None:
            return
        register_key, record_id = data
        self.open_record(register_key, record_id)

    def open_record(self, register_key: str, record_id: uuid.UUID) -> None:
        view = navigation.show_register(self.parentWidget() or self, register_key, record_id=record_id)
        window = navigation.main_window(self.parentWidget() or self)
        if view is None or window is None:
            self.summary.setText(_("This register is not shown in this window."))
            return
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
