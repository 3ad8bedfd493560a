"""One screen for every register: search as you type, date and code filters, the paged table,
and add / edit / delete (and, for administrators, the recycle bin with restore)."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMessageBox, QPushButton, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import today_local
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.table_model import ROW_ROLE, RecordTableModel
from civaffairs.records import service as records
from civaffairs.records.display import cell_text
from civaffairs.records.spec import RegisterSpec, children_of
from civaffairs.gui.signals import emit

SEARCH_DELAY_MS = 250  # wait for a pause in typing before asking the database


class RegisterView(QWidget):
    sig_record_saved = Signal(object)
    """Emitted with the saved `records.Row` after the form saved a record."""
    sig_current_changed = Signal(object)
    """Emitted with the selected `records.Row` (or None) when the selection changes."""

    def __init__(self, ctx: AppContext, spec: RegisterSpec, parent: QWidget | None = None, *,
                 in_detail_pane: bool = False) -> None:
        """`in_detail_pane`: this view lists the children of one record of the parent register
        (`set_parent_record`), hides the parent column, and shows no detail pane of its own."""
        super().__init__(parent)
        self.ctx, self.spec = ctx, spec
        self.in_detail_pane = in_detail_pane
        self.parent_id: uuid.UUID | None = None
        self.setObjectName(f"detail_{spec.key}" if in_detail_pane else f"register_{spec.key}")
        actor = ctx.actor
        self.can_write = actor.can_write(spec.group)
        sees_health = spec.colour_field is not None and (
            spec.field(spec.colour_field).sensitive is None or actor.can_read_sensitive(spec.group))

        # -- filter bar
        self.search = QLineEdit()
        self.search.setObjectName("search")
        searchable = [f.title for f in spec.fields if f.searchable and (f.sensitive is None or actor.can_read_sensitive(spec.group))]
        self.search.setPlaceholderText(_("Search: {fields}").format(fields="、".join(searchable)))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())

        bar = QHBoxLayout()
        bar.addWidget(self.search)
        self.date_filter = QCheckBox(spec.field(spec.date_field).title if spec.date_field else "")
        self.date_filter.setObjectName("dateFilter")
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, offset in ((self.date_from, -30), (self.date_to, 0)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(today_local()).addDays(offset))  # the program's clock
            edit.setEnabled(False)
            edit.dateChanged.connect(self.apply_filters)
            self.date_filter.toggled.connect(edit.setEnabled)
        self.date_from.setObjectName("dateFrom")
        self.date_to.setObjectName("dateTo")
        self.date_filter.toggled.connect(self.apply_filters)
        if spec.date_field:
            bar.addWidget(self.date_filter)
            bar.addWidget(self.date_from)
            bar.addWidget(QLabel(_("to")))
            bar.addWidget(self.date_to)
        self.colour = QComboBox()
        self.colour.setObjectName("colourFilter")
        self.colour.addItem(_("All codes"), ())
        if spec.colour_field:
            for c in spec.field(spec.colour_field).choices:
                self.colour.addItem(c.title, (c.code,))
            self.colour.addItem(_("Not green"), tuple(c.code for c in spec.field(spec.colour_field).choices if c.code != "green"))
            self.colour.currentIndexChanged.connect(self.apply_filters)
            if sees_health:
                bar.addWidget(self.colour)
        self.trash = QCheckBox(_("Recycle bin"))
        self.trash.setObjectName("recycleBin")
        self.trash.setToolTip(_("Show deleted records; an administrator can restore them."))
        self.trash.toggled.connect(self.apply_filters)
        bar.addWidget(self.trash)
        bar.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        bar.addWidget(self.count_label)

        # -- actions
        actions = QHBoxLayout()
        self.add_button = QPushButton(_("Add…"))
        self.fast_entry_button = QPushButton(_("Fast entry…"))
        self.fast_entry_button.setObjectName("fastEntryButton")
        self.fast_entry_button.setToolTip(_("Enter one record after another with the keyboard alone: Enter moves to "
                                            "the next field, Enter on the last field saves, Esc stops."))
        self.fast_entry_button.clicked.connect(self.start_fast_entry)
        self.edit_button = QPushButton(_("Edit…"))
        self.delete_button = QPushButton(_("Delete"))
        self.restore_button = QPushButton(_("Restore"))
        for name, button in (("add", self.add_button), ("edit", self.edit_button),
                             ("delete", self.delete_button), ("restore", self.restore_button)):
            button.setObjectName(f"{name}Button")
            actions.addWidget(button)
            if button is self.add_button:
                actions.addWidget(self.fast_entry_button)
        actions.addStretch(1)
        self.print_button = QPushButton(_("Print list…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(_("Print the list as it is on screen: the same filters, order and masking."))
        self.print_button.clicked.connect(self.print_list)
        # Anyone who reads a list may print it: the paper is masked exactly as the screen.
        actions.addWidget(self.print_button)
        self._add_excel_menu(actions)
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_record)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)

        # -- table
        hidden = frozenset({spec.parent_field}) if in_detail_pane and spec.parent_field else frozenset()
        self.model = RecordTableModel(ctx.ops.read, actor, spec, self._base_query(), hidden=hidden)
        self.table = QTableView()
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        keys = [c.key for c in self.model.columns]
        self.table.horizontalHeader().setSortIndicator(
            keys.index(spec.default_sort) if spec.default_sort in keys else -1,
            Qt.SortOrder.DescendingOrder if spec.default_descending else Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)  # asks the model (that is, the database) to sort
        self._sort_indicator = (self.table.horizontalHeader().sortIndicatorSection(),
                                self.table.horizontalHeader().sortIndicatorOrder())
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_indicator)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(QFontMetrics(self.font()).height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self._add_clipboard_keys()
        self.table.horizontalHeader().sectionResized.connect(lambda *_a: self._remember_widths())
        self._size_columns()

        layout = QVBoxLayout(self)
        if in_detail_pane:
            layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(actions)
        # -- detail pane: the children of the selected record, each a normal register view
        self.detail_views: dict[str, RegisterView] = {}
        self.details: QTabWidget | None = None
        children = [] if in_detail_pane else children_of(spec)
        if children:
            self.details = QTabWidget()
            self.details.setObjectName("details")
            self.details.setDocumentMode(True)
            for child in children:
                view = RegisterView(ctx, child, in_detail_pane=True)
                self.detail_views[child.key] = view
                self.details.addTab(view, child.name)
            self.detail_caption = QLabel()
            self.detail_caption.setObjectName("detailCaption")
            self.detail_caption.setStyleSheet("font-weight: bold;")
            lower = QWidget()
            lower_layout = QVBoxLayout(lower)
            lower_layout.setContentsMargins(0, 6, 0, 0)
            lower_layout.addWidget(self.detail_caption)
            lower_layout.addWidget(self.details, 1)
            self.splitter = QSplitter(Qt.Orientation.Vertical)
            self.splitter.setObjectName("detailSplitter")
            self.splitter.addWidget(self.table)
            self.splitter.addWidget(lower)
            self.splitter.setStretchFactor(0, 3)
            self.splitter.setStretchFactor(1, 2)
            self.splitter.setChildrenCollapsible(False)
            layout.addWidget(self.splitter, 1)
        else:
            layout.addWidget(self.table, 1)

        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._on_current_changed())
        self.model.modelReset.connect(self._on_current_changed)
        ctx.ops.sig_changed.connect(self._on_changed)
        self._update_count()
        self._update_buttons()
        self._on_current_changed()

    # -- parent and children

    def _add_excel_menu(self, actions: QHBoxLayout) -> None:
        from PySide6.QtWidgets import QMenu

        from civaffairs.gui import exchange

        self.excel_button = QPushButton(_("Excel"))
        self.excel_button.setObjectName("excelButton")
        menu = QMenu(self.excel_button)
        menu.addAction(_("Export to Excel…"), lambda: exchange.export_view(self))
        menu.addAction(_("Download import template…"), lambda: exchange.save_template(self))
        if self.can_write:
            menu.addAction(_("Import from Excel…"), lambda: exchange.import_file(self))
            menu.addAction(_("Paste import"), lambda: exchange.paste_import(self))
        self.excel_button.setMenu(menu)
        actions.addWidget(self.excel_button)

    def _add_clipboard_keys(self) -> None:
        from civaffairs.gui import exchange

        # Ctrl+C copies the selected rows, Ctrl+V (for those who may write) previews a paste.
        self._clipboard_keys = exchange.ClipboardKeys(self)
        self.table.installEventFilter(self._clipboard_keys)

    def _base_query(self) -> records.ListQuery:
        if self.in_detail_pane and self.spec.parent_field:
            return records.ListQuery(equals=((self.spec.parent_field, self.parent_id),))
        return records.ListQuery()

    def set_parent_record(self, record_id: uuid.UUID | None) -> None:
        """Show the children of the parent record `record_id` (None: nothing selected)."""
        self.parent_id = record_id
        self.apply_filters()

    def _on_current_changed(self) -> None:
        rows = self.selected_rows()
        row = rows[0] if len(rows) == 1 else None
        emit(self.sig_current_changed, row)
        if self.details is None:
            return
        parent_id = row.id if row is not None and not self.trash.isChecked() else None
        for view in self.detail_views.values():
            if view.parent_id != parent_id:
                view.set_parent_record(parent_id)
        if row is None:
            self.detail_caption.setText(_("Select one record above to see what belongs to it."))
        else:
            label = " ".join(cell_text(self.spec.field(n), row) for n in self.spec.display_fields
                             if self.spec.has_field(n))
            self.detail_caption.setText(_("Belonging to: {record}").format(record=label))
        for i, child in enumerate(self.detail_views.values()):
            n = child.model.total_count() if parent_id else 0
            self.details.setTabText(i, _("{register} ({n})").format(register=child.spec.name, n=n) if parent_id
                                    else child.spec.name)

    def _on_sort_indicator(self, section: int, order: Qt.SortOrder) -> None:
        """A column the database cannot sort (a computed one) keeps the previous arrow, so that
        the arrow always names the order the rows are in."""
        header = self.table.horizontalHeader()
        if 0 <= section < len(self.model.columns) and not self.model.columns[section].sortable:
            header.blockSignals(True)
            header.setSortIndicator(*self._sort_indicator)
            header.blockSignals(False)
            return
        self._sort_indicator = (section, order)

    # -- layout

    def _size_columns(self) -> None:
        """From the field specs and the remembered widths; never by measuring 100,000 rows."""
        char = QFontMetrics(self.font()).horizontalAdvance("中")
        saved = self.ctx.prefs.column_widths(self.spec.key)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        for i, column in enumerate(self.model.columns):
            title_width = QFontMetrics(self.font()).horizontalAdvance(column.title) + 28
            width = saved.get(column.key) or max(column.width_chars * char * 6 // 10 + 16, title_width)
            self.table.setColumnWidth(i, width)
        header.blockSignals(False)

    def _remember_widths(self) -> None:
        widths = {c.key: self.table.columnWidth(i) for i, c in enumerate(self.model.columns)}
        self.ctx.prefs.set_column_widths(self.spec.key, widths)

    # -- filters

    def current_query(self) -> records.ListQuery:
        q = self.model.query
        d_from = d_to = None
        if self.date_filter.isChecked():
            f, t = self.date_from.date(), self.date_to.date()
            d_from, d_to = date(f.year(), f.month(), f.day()), date(t.year(), t.month(), t.day())
        return replace(q, search=self.search.text().strip(), date_from=d_from, date_to=d_to,
                       colours=self.colour.currentData() or (), deleted=self.trash.isChecked(),
                       equals=self._base_query().equals)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        query = self.current_query()
        if query != self.model.query:
            self.model.set_query(query)
        self._update_count()
        self._update_buttons()

    def refresh(self) -> None:
        """Read the list again, keeping the selected record selected (and so its detail pane)."""
        before = [(index.row(), row.id) for index, row in
                  ((i, self.model.data(i, ROW_ROLE)) for i in self.table.selectionModel().selectedRows()) if row]
        self.model.refresh()
        if len(before) == 1:
            old_row, record_id = before[0]
            near = [old_row] + list(range(min(self.model.total_count(), self.model.PAGE_SIZE)))
            for i in near:
                row = self.model.row(i)
                if row is not None and row.id == record_id:
                    self.select_row(i)
                    break
        self._update_count()
        self._update_buttons()

    def _on_changed(self, keys: frozenset[str]) -> None:
        referenced = {f.reference for f in self.spec.fields if f.reference}
        children = set(self.detail_views)  # a child's count shows in the parent's computed columns
        if not keys or self.spec.key in keys or keys & referenced or keys & children:
            self.refresh()

    def _update_count(self) -> None:
        n = self.model.total_count()
        self.count_label.setText(_("{n} in the recycle bin").format(n=n) if self.trash.isChecked()
                                 else _("{n} records").format(n=f"{n:,}"))

    def _update_buttons(self) -> None:
        in_trash = self.trash.isChecked()
        selected = bool(self.selected_rows())
        self.add_button.setVisible(self.can_write and not in_trash)
        self.fast_entry_button.setVisible(self.can_write and not in_trash)
        can_add = not self.in_detail_pane or self.parent_id is not None
        self.add_button.setEnabled(can_add)
        self.fast_entry_button.setEnabled(can_add)
        self.edit_button.setVisible(not in_trash)
        self.edit_button.setEnabled(selected)
        self.edit_button.setText(_("Edit…") if self.can_write else _("View…"))
        self.delete_button.setVisible(self.can_write and not in_trash)
        self.delete_button.setEnabled(selected)
        self.restore_button.setVisible(in_trash and self.ctx.actor.is_administrator)
        self.restore_button.setEnabled(selected)

    # -- actions

    def selected_rows(self) -> list[records.Row]:
        rows = []
        for index in self.table.selectionModel().selectedRows():
            row = self.model.data(index, ROW_ROLE)
            if row is not None:
                rows.append(row)
        return rows

    def select_row(self, row: int) -> None:
        self.table.selectionModel().select(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )

    def open_form(self, record_id=None, initial=None, *, continuous: bool = False) -> RecordForm:  # type: ignore[no-untyped-def]
        fixed = {}
        if self.in_detail_pane and self.spec.parent_field and self.parent_id is not None:
            fixed = {self.spec.parent_field: self.parent_id}  # a child's form opens with its parent filled in
            initial = {**(initial or {}), **fixed}
        form = RecordForm(self.ctx, self.spec, record_id, self, initial, continuous=continuous, fixed=set(fixed))
        if not self.can_write:
            form.save_button.setEnabled(False)
        form.accepted.connect(lambda: emit(self.sig_record_saved, form.saved_row))
        form.sig_saved.connect(self.sig_record_saved.emit)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        return form

    def add_record(self) -> RecordForm | None:
        if not self.can_write or self.trash.isChecked() or (self.in_detail_pane and self.parent_id is None):
            return None
        return self.open_form()

    def start_fast_entry(self) -> RecordForm | None:
        """连续录入: one record after another with the keyboard alone."""
        if not self.can_write or self.trash.isChecked() or (self.in_detail_pane and self.parent_id is None):
            return None
        return self.open_form(continuous=True)

    def edit_selected(self) -> RecordForm | None:
        rows = self.selected_rows()
        if not rows or self.trash.isChecked():
            return None
        return self.open_form(rows[0].id)

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Delete"),
                          _("Move {n} record(s) to the recycle bin? An administrator can restore them.").format(n=len(rows)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirmDelete")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.buttonClicked.connect(
            lambda b: self.delete_rows(rows) if box.standardButton(b) == QMessageBox.StandardButton.Yes else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def delete_rows(self, rows: list[records.Row]) -> None:
        ctx, spec = self.ctx, self.spec

        def work(session):  # type: ignore[no-untyped-def]
            for r in rows:
                records.delete(session, ctx.actor, spec, r.id, r.version)

        ctx.ops.write(work, changed=[spec.key], parent=self)

    def print_list(self) -> None:
        from civaffairs.core.clock import now_utc
        from civaffairs.gui.printing.preview import preview_in_background
        from civaffairs.printing.table_report import render_register

        ctx, spec, query = self.ctx, self.spec, self.model.query
        printed_at = now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return render_register(session, ctx.actor, spec, query, office_name=ctx.office_name,
                                       printed_by=ctx.actor.display_name, printed_at=printed_at,
                                       progress=progress.report)

        preview_in_background(ctx, spec.name, render, suggested_name=f"{spec.name}.pdf", parent=self)

    def restore_selected(self) -> None:
        rows = self.selected_rows()
        ctx, spec = self.ctx, self.spec

        def work(session):  # type: ignore[no-untyped-def]
            for r in rows:
                records.restore(session, ctx.actor, spec, r.id)

        if rows:
            ctx.ops.write(work, changed=[spec.key], parent=self)
