"""冲突处理: the open conflicts of the office server, each with both values, who made each and
when, and why; resolved by keeping this PC's change, keeping the server's, or typing the value
(a conflict about one field).  The list and every resolution go to the server in a worker
thread; when the server cannot be reached the list is this PC's copy (brought by the last
exchange) and nothing can be resolved."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton,
    QTableView, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import to_local
from civaffairs.core.errors import CivaffairsError, DatabaseUnreachable
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.errors import present_error
from civaffairs.gui.sync_status import (
    OFFLINE_COLOUR, SHORT_TIME_FORMAT, TIME_FORMAT, Exchanger, command_word, run_off_gui_thread, user_names,
)
from civaffairs.gui.table_model import Column, ListSource, PagedTableModel
from civaffairs.gui.widgets import heading


def _when(moment: Any) -> str:
    return to_local(moment).strftime(TIME_FORMAT) if moment is not None else ""


def _value(text: str | None) -> str:
    return _("(empty)") if text is None or text == "" else text


def _short(moment: Any) -> str:
    return to_local(moment).strftime(SHORT_TIME_FORMAT) if moment is not None else ""


def conflict_columns(names: dict[str, str]) -> list[Column[Any]]:
    def who(username: str) -> str:
        return names.get(username, username)

    return [
        Column("kind", _("Conflict"), lambda c: c.kind_label, sortable=False, width_chars=14,
               tooltip=lambda c: c.kind_label),
        Column("register", _("Register"), lambda c: c.register_name, sortable=False, width_chars=8),
        Column("record", _("Record"), lambda c: c.record_label, sortable=False, width_chars=8,
               tooltip=lambda c: c.record_label),
        Column("command", _("Change"), lambda c: command_word(c.command), sortable=False, width_chars=3),
        Column("field", _("Field"), lambda c: c.field_title, sortable=False, width_chars=5),
        Column("mine", _("This PC's value"), lambda c: _value(c.mine) if c.field else "", sortable=False,
               width_chars=7, tooltip=lambda c: c.mine or ""),
        Column("mine_by", _("Changed by"), lambda c: who(c.mine_by), sortable=False, width_chars=6),
        Column("mine_at", _("Changed at"), lambda c: _short(c.mine_at), sortable=False, width_chars=10,
               tooltip=lambda c: _when(c.mine_at)),
        Column("theirs", _("Server's value"), lambda c: _value(c.theirs) if c.field else "", sortable=False,
               width_chars=7, tooltip=lambda c: c.theirs or ""),
        Column("theirs_by", _("Server's by"), lambda c: who(c.theirs_by) if c.theirs_by else "", sortable=False,
               width_chars=6),
        Column("theirs_at", _("Server's at"), lambda c: _short(c.theirs_at), sortable=False, width_chars=10,
               tooltip=lambda c: _when(c.theirs_at)),
        Column("reason", _("Why"), lambda c: c.reason, sortable=False, width_chars=20, tooltip=lambda c: c.reason),
    ]


def set_widths(view: QTableView, columns: list[Column[Any]]) -> None:
    """Each column as wide as its `width_chars`, and never narrower than its title."""
    metrics = view.horizontalHeader().fontMetrics()
    char = max(view.fontMetrics().averageCharWidth(), 1)
    for i, column in enumerate(columns):
        view.setColumnWidth(i, max(column.width_chars * char, metrics.horizontalAdvance(column.title) + 8) + 16)


def describe(c: Any, names: dict[str, str]) -> str:
    """The selected conflict in full, under the list (the reason may be long)."""
    lines = [_("{record} ({register}): {kind}.").format(record=c.record_label, register=c.register_name,
                                                         kind=c.kind_label)]
    if c.field:
        lines.append(_("{field} on this PC: {value} ({user}, {time})").format(
            field=c.field_title or c.field, value=_value(c.mine), user=names.get(c.mine_by, c.mine_by),
            time=_when(c.mine_at)))
        lines.append(_("{field} on the server: {value} ({user}, {time})").format(
            field=c.field_title or c.field, value=_value(c.theirs), user=names.get(c.theirs_by, c.theirs_by),
            time=_when(c.theirs_at)))
    if c.reason:
        lines.append(_("Why: {reason}").format(reason=c.reason))
    return "\n".join(lines)


class ConflictsDialog(QDialog):
    def __init__(self, ctx: AppContext, exchanger: Exchanger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.exchanger = ctx, exchanger
        self.setObjectName("conflictsDialog")
        self.setWindowTitle(_("Conflicts with the office server"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Conflicts"), "conflictsHeading"))
        intro = QLabel(_("Changes made on this PC that the office server could not apply by themselves. For each, "
                         "keep this PC's change, keep what the server holds, or type the value. A resolution is "
                         "saved on the server like any change, under your name."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.state_label = QLabel()
        self.state_label.setObjectName("conflictsState")
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)
        self.items: list[Any] = []
        self.online = False
        self.loading = False
        self.resolving = False
        self.loads = 0  # finished loads (tests)
        self.resolved = 0  # conflicts resolved from this screen
        self._names = user_names(ctx.db)
        self.columns = conflict_columns(self._names)
        self.model: PagedTableModel[Any] = PagedTableModel(
            lambda fn: fn(None), self.columns, ListSource(lambda _s: self.items), self)
        self.table = QTableView()
        self.table.setObjectName("conflictsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        set_widths(self.table, self.columns)
        layout.addWidget(self.table, 1)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("conflictDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setMinimumHeight(4 * self.detail_label.fontMetrics().lineSpacing())
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.detail_label)

        actions = QHBoxLayout()
        self.mine_button = QPushButton(_("Keep this PC's change"))
        self.mine_button.setObjectName("keepMineButton")
        self.mine_button.clicked.connect(lambda: self.resolve_selected("mine"))
        actions.addWidget(self.mine_button)
        self.theirs_button = QPushButton(_("Keep the server's"))
        self.theirs_button.setObjectName("keepTheirsButton")
        self.theirs_button.clicked.connect(lambda: self.resolve_selected("theirs"))
        actions.addWidget(self.theirs_button)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.setObjectName("editValueButton")
        self.edit_button.clicked.connect(self.edit_selected)
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        self.reload_button = QPushButton(_("Refresh"))
        self.reload_button.setObjectName("reloadConflictsButton")
        self.reload_button.clicked.connect(self.load)
        actions.addWidget(self.reload_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        actions.addWidget(buttons)
        layout.addLayout(actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        exchanger.sig_exchanged.connect(self._exchanged)
        self.resize(1240, 460)
        self.load()

    # -- the list

    def load(self) -> None:
        """Read the open conflicts from the server (this PC's copy if it cannot be reached)."""
        if self.loading:
            return
        self.loading = True
        self.state_label.setText(_("Reading the conflicts from the office server…"))
        self.state_label.setStyleSheet("")
        self._update_buttons()
        from civaffairs.sync import conflicts

        actor, local = self.ctx.actor, self.ctx.db
        try:
            server = self.exchanger.server()
        except Exception:  # noqa: BLE001 - no way to the server: this PC's copy
            server = None

        def job() -> tuple[list[Any], bool, str]:
            if server is not None:
                try:
                    with server.read() as s:
                        return conflicts.open_conflicts(s, actor), True, ""
                except DatabaseUnreachable:
                    error = ""  # the screen says so in its own words
                except Exception as e:  # noqa: BLE001 - said on the screen; this PC's copy instead
                    error = e.message if isinstance(e, CivaffairsError) else str(e)
            else:
                error = ""
            with local.read() as s:
                return conflicts.open_conflicts(s, actor), False, error

        run_off_gui_thread(job, self._loaded, self)

    def _loaded(self, result: Any, error: BaseException | None) -> None:
        self.loading = False
        self.loads += 1
        if error is not None:
            self.items, self.online = [], False
            self.state_label.setText(error.message if isinstance(error, CivaffairsError) else str(error))
        else:
            self.items, self.online, problem = result
            self._show_state(problem)
        selected = self.selected()
        self.model.refresh()
        if selected is not None:
            for row, item in enumerate(self.items):
                if item.id == selected.id:
                    self.table.selectRow(row)
        self._update_buttons()

    def _show_state(self, problem: str = "") -> None:
        if not self.online:
            text = _("The office server cannot be reached: this list is this PC's copy from the last exchange, "
                     "and conflicts can be resolved only once the server can be reached again.")
            if problem:
                text += "\n" + problem
            self.state_label.setText(text)
            self.state_label.setStyleSheet(f"color: {OFFLINE_COLOUR};")
        elif self.items:
            self.state_label.setText(_("{count} conflicts wait for a decision.").format(count=len(self.items)))
            self.state_label.setStyleSheet("")
        else:
            self.state_label.setText(_("No conflict waits for a decision."))
            self.state_label.setStyleSheet("")

    def _exchanged(self, _result: Any, error: BaseException | None) -> None:
        if not self.isVisible() or self.loading or self.resolving:
            return
        if (error is None) != self.online or (_result is not None and _result.conflicts):
            self.load()  # the server came back, was lost, or new conflicts arrived

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self) -> None:
        item = self.selected()
        self.detail_label.setText(describe(item, self._names) if item is not None else "")
        ready = self.online and not self.loading and not self.resolving and item is not None
        self.mine_button.setEnabled(ready)
        self.theirs_button.setEnabled(ready)
        self.edit_button.setEnabled(ready and bool(item.field))
        self.reload_button.setEnabled(not self.loading)

    # -- resolving

    def edit_selected(self) -> None:
        item = self.selected()
        if item is None or not item.field:
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("conflictValueDialog")
        dialog.setWindowTitle(_("Resolve the conflict"))
        dialog.setLabelText(_("{field} of {record} (this PC: {mine}; server: {theirs}):").format(
            field=item.field_title or item.field, record=item.record_label, mine=_value(item.mine),
            theirs=_value(item.theirs)))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(item.mine or "")
        dialog.setOkButtonText(_("OK"))
        dialog.setCancelButtonText(_("Cancel"))
        dialog.setMinimumWidth(420)
        dialog.textValueSelected.connect(lambda text, c=item: self.resolve(c.id, "edit", text))
        self.value_dialog = dialog
        dialog.open()

    def resolve_selected(self, choice: str) -> None:
        item = self.selected()
        if item is not None:
            self.resolve(item.id, choice)

    def resolve(self, conflict_id: uuid.UUID, choice: str, value: Any = None) -> None:
        """Resolve one conflict on the server (in a worker thread); then the list is read again
        and an exchange brings the result to this PC."""
        from civaffairs.sync import conflicts

        if self.resolving or not self.online:
            return
        try:
            server = self.exchanger.server()
        except Exception as e:  # noqa: BLE001 - shown, never raised from a slot
            present_error(self, e)
            return
        self.resolving = True
        self._update_buttons()
        self.state_label.setText(_("Saving on the office server…"))
        actor = self.ctx.actor

        def job() -> None:
            with server.write() as s:
                conflicts.resolve(s, actor, conflict_id, choice, value)

        run_off_gui_thread(job, self._resolved, self)

    def _resolved(self, _result: Any, error: BaseException | None) -> None:
        self.resolving = False
        if error is not None:
            if isinstance(error, DatabaseUnreachable):
                self.online = False
            self._show_state()
            self._update_buttons()
            present_error(self, error)  # a typed error: its Chinese message
            if not isinstance(error, DatabaseUnreachable):
                self.load()  # resolved by someone else meanwhile, say
            return
        self.resolved += 1
        self.exchanger.exchange_now()  # bring the resolution to this PC
        self.load()
