"""One record form for every register, built from its field specs.

Editors never correct input silently: numbers are typed as text and checked by the service,
whose messages appear under the field that caused them."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QCompleter, QDateEdit, QDateTimeEdit, QDialog, QDialogButtonBox, QGridLayout,
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QSizePolicy, QTimeEdit, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, to_local, today_local
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, get_register
from civaffairs.gui.signals import emit


class FieldEditor:
    """Adapts one Qt editor to a field: set a value, read back what the user entered."""

    def __init__(self, spec: FieldSpec, widget: QWidget, focus: QWidget | None = None) -> None:
        self.spec, self.widget = spec, widget
        self.focus_widget = focus or widget

    def set_value(self, value: Any) -> None: ...
    def value(self) -> Any: ...


class _Text(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        edit = QLineEdit()
        if spec.max_length:
            edit.setMaxLength(max(spec.max_length, 30))  # longer input gets a message, not a cut
        if spec.placeholder:
            edit.setPlaceholderText(_(spec.placeholder))
        elif spec.kind is Kind.TEMPERATURE:
            edit.setPlaceholderText(_("e.g. 36.5"))
        elif spec.kind in (Kind.RESIDENT_ID, Kind.CREDIT_CODE):
            edit.setPlaceholderText(_("18 characters"))
        super().__init__(spec, edit)
        self.edit = edit

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else V.display_text(self.spec, value) if self.spec.kind is Kind.MONEY else str(value))

    def value(self) -> Any:
        return self.edit.text()


class _LongText(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(64)
        super().__init__(spec, edit)
        self.edit = edit

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText(value or "")

    def value(self) -> Any:
        return self.edit.toPlainText()


class _Optional(FieldEditor):
    """A date/time editor that may be left empty: a check box switches it on."""

    def __init__(self, spec: FieldSpec, editor: QWidget, label: str) -> None:
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox(label)
        self.editor = editor
        lay.addWidget(self.enabled)
        lay.addWidget(editor, 1)
        self.enabled.toggled.connect(editor.setEnabled)
        editor.setEnabled(False)
        super().__init__(spec, box, editor)


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(today_local()))
    return edit


def _datetime_edit() -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setDateTime(QDateTime(to_local(now_utc()).replace(tzinfo=None, second=0, microsecond=0)))  # the program's clock
    return edit


class _Moment(FieldEditor):
    """A date or a date-time; when the field is optional, a check box says whether it is set."""

    def __init__(self, spec: FieldSpec, edit: QDateEdit | QDateTimeEdit) -> None:
        self.edit = edit
        self.optional = None if spec.required else _Optional(spec, edit, _("Set"))
        super().__init__(spec, self.optional.widget if self.optional else edit, edit)

    def set_value(self, value: Any) -> None:
        if self.optional:
            self.optional.enabled.setChecked(value is not None)
        if value is not None:
            self.show(value)

    def value(self) -> Any:
        if self.optional and not self.optional.enabled.isChecked():
            return None
        return self.read()

    def show(self, value: Any) -> None: ...
    def read(self) -> Any: ...


class _Date(_Moment):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec, _date_edit())

    def show(self, value: date) -> None:
        self.edit.setDate(QDate(value.year, value.month, value.day))

    def read(self) -> date:
        d = self.edit.date()
        return date(d.year(), d.month(), d.day())


class _DateTime(_Moment):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec, _datetime_edit())

    def show(self, value: datetime) -> None:
        local = to_local(value)
        self.edit.setDateTime(QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)))

    def read(self) -> datetime:
        dt = self.edit.dateTime()
        d, t = dt.date(), dt.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute()).astimezone()  # this PC's time


class _Time(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.edit = QTimeEdit()
        self.edit.setDisplayFormat("HH:mm")
        self.edit.setTime(QTime.currentTime())
        super().__init__(spec, self.edit)

    def set_value(self, value: Any) -> None:
        if value is not None:
            self.edit.setTime(QTime(value.hour, value.minute))

    def value(self) -> Any:
        t = self.edit.time()
        return time(t.hour(), t.minute())


class _Choice(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.combo = QComboBox()
        self.combo.addItem(_("(please choose)") if spec.required else "", None)
        for c in spec.choices:
            self.combo.addItem(c.title, c.code)
        super().__init__(spec, self.combo)

    def set_value(self, value: Any) -> None:
        i = self.combo.findData(value)
        self.combo.setCurrentIndex(max(i, 0))

    def value(self) -> Any:
        return self.combo.currentData()


class _MultiChoice(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, c in enumerate(spec.choices):
            check = QCheckBox(c.title)
            check.setObjectName(f"choice_{c.code}")
            self.boxes[c.code] = check
            grid.addWidget(check, i // 3, i % 3)
        super().__init__(spec, box, next(iter(self.boxes.values()), box))

    def set_value(self, value: Any) -> None:
        for code, check in self.boxes.items():
            check.setChecked(code in (value or []))

    def value(self) -> Any:
        return [code for code, check in self.boxes.items() if check.isChecked()]


class _Boolean(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.check = QCheckBox(_("Yes"))
        super().__init__(spec, self.check)

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(value))

    def value(self) -> Any:
        return self.check.isChecked()


class _Reference(FieldEditor):
    """Choose a record of another register; type to narrow the list."""

    def __init__(self, spec: FieldSpec, ctx: AppContext) -> None:
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        target = get_register(spec.reference or "")
        options = ctx.ops.read(lambda s: records.options(s, ctx.actor, target))
        self.combo.addItem("", None)
        for o in options:
            self.combo.addItem(o.label, str(o.id))  # plain strings: Qt compares them in findData
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.combo.setCompleter(completer)
        self.combo.lineEdit().setPlaceholderText(_("type to search"))
        super().__init__(spec, self.combo)

    def set_value(self, value: Any) -> None:
        i = self.combo.findData(None if value is None else str(value))
        self.combo.setCurrentIndex(max(i, 0))

    def value(self) -> Any:
        text = self.combo.currentText().strip()
        i = self.combo.findText(text, Qt.MatchFlag.MatchExactly)
        if i >= 0 and self.combo.itemData(i) is not None:
            return uuid.UUID(self.combo.itemData(i))
        return None if not text else text  # unknown text: the service says "choose from the list"


class _TypedMoment(FieldEditor):
    """Fast entry types dates and times as text (2021-10-25, 0830, 8:30): quicker than stepping
    through a date editor's sections; the service parses and checks them like any input."""

    def __init__(self, spec: FieldSpec) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText({Kind.DATE: _("e.g. 2021-10-25"), Kind.TIME: _("e.g. 0830"),
                                 Kind.DATETIME: _("e.g. 2021-10-25 08:30")}[spec.kind])
        super().__init__(spec, edit)
        self.edit = edit

    def set_value(self, value: Any) -> None:
        if value is None or value == "":
            self.edit.clear()
        elif isinstance(value, str):
            self.edit.setText(value)
        elif isinstance(value, datetime):
            self.edit.setText(to_local(value).strftime("%Y-%m-%d %H:%M"))
        elif isinstance(value, date):
            self.edit.setText(value.isoformat())
        else:
            self.edit.setText(value.strftime("%H:%M"))

    def value(self) -> Any:
        return self.edit.text()


class _TypedLongText(_Text):
    """Fast entry writes notes on one line, so that Enter moves on instead of breaking the line."""


_EDITORS: dict[Kind, type[FieldEditor]] = {
    Kind.LONG_TEXT: _LongText, Kind.DATE: _Date, Kind.DATETIME: _DateTime, Kind.TIME: _Time,
    Kind.CHOICE: _Choice, Kind.MULTI_CHOICE: _MultiChoice, Kind.BOOLEAN: _Boolean,
}


def make_editor(spec: FieldSpec, ctx: AppContext, *, typed: bool = False) -> FieldEditor:
    """`typed`: editors for typing quickly (fast entry): dates, times and notes as plain text."""
    if spec.kind is Kind.REFERENCE:
        return _Reference(spec, ctx)
    if typed and spec.kind in (Kind.DATE, Kind.TIME, Kind.DATETIME):
        return _TypedMoment(spec)
    if typed and spec.kind is Kind.LONG_TEXT:
        return _TypedLongText(spec)
    # Text, numbers, temperatures, money, ID numbers and phones are typed as text and checked by the service.
    return _EDITORS.get(spec.kind, _Text)(spec)  # type: ignore[call-arg]


class _KeyCounter(QObject):
    """Counts the keys pressed in a form, each once: where it is first delivered, the form's focus
    widget (a key the field does not take goes on to its parents).  Fast entry is measured in
    keystrokes beyond the typed values."""

    def __init__(self, form: QWidget) -> None:
        super().__init__(form)
        self.form = form
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and obj is self.form.focusWidget():
            self.count += 1
        return False


class RecordForm(QDialog):
    """Add or edit one record of any register.

    `continuous` (连续录入, fast keyboard entry): Enter moves to the next field, Enter on the last
    field saves and starts the next record with the carried fields (`RegisterSpec.carried_fields`:
    the parent and the date, say) kept and the others emptied, Esc stops.  A refused record stays
    open with the message at its field.  A choice is picked by typing its number (1, 2, 3…), a
    yes/no by Y or N (or space).  `fixed`: fields that cannot be changed (the parent, when the
    form was opened from its detail pane)."""

    sig_saved = Signal(object)
    """Emitted with each saved `records.Row` (in fast entry, once per record)."""

    def __init__(self, ctx: AppContext, spec: RegisterSpec, record_id: uuid.UUID | None = None,
                 parent: QWidget | None = None, initial: dict[str, Any] | None = None, *,
                 continuous: bool = False, fixed: set[str] | frozenset[str] = frozenset()) -> None:
        super().__init__(parent)
        self.ctx, self.spec, self.record_id = ctx, spec, record_id
        self.continuous = continuous and record_id is None
        self.fixed = frozenset(fixed)
        self.version: int | None = None
        self.saved_row: records.Row | None = None
        self.saved_count = 0
        self.keys = _KeyCounter(self)
        self.setObjectName(f"form_{spec.key}")
        noun = _(spec.record_noun) if spec.record_noun else spec.name
        if self.continuous:
            self.setWindowTitle(_("Fast entry: {noun}").format(noun=noun))
        else:
            self.setWindowTitle((_("Edit {noun}") if record_id else _("New {noun}")).format(noun=noun))

        outer = QVBoxLayout(self)
        if self.continuous:
            hint = QLabel(_("Enter: next field · Enter on the last field: save and start the next record · "
                            "Esc: stop. Choices: type their number; yes/no: Y or N."))
            hint.setObjectName("fastEntryHint")
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #606060;")
            outer.addWidget(hint)
            self.status = QLabel(_("Nothing saved yet."))
            self.status.setObjectName("fastEntryStatus")
            outer.addWidget(self.status)
        general = QLabel()
        general.setObjectName("error_general")
        self.errors = FieldErrors(general)
        outer.addWidget(general)

        body = QWidget()
        grid = QGridLayout(body)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.editors: dict[str, FieldEditor] = {}
        row = 0
        for f in spec.form_fields:
            editor = make_editor(f, ctx, typed=self.continuous)
            editor.widget.setObjectName(f"field_{f.name}")
            if f.name in self.fixed:
                editor.widget.setEnabled(False)
            title = f.title
            if self.continuous and f.kind is Kind.CHOICE:
                title += "（" + " ".join(f"{i}{c.title}" for i, c in enumerate(f.choices, 1)) + "）"
            label = QLabel(title + ("<span style='color:#c0392b'> *</span>" if f.required else ""))
            label.setBuddy(editor.focus_widget)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(editor.widget, row, 1)
            error = self.errors.add(f.name, editor.focus_widget, body)
            error.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            grid.addWidget(error, row + 1, 1)
            self.editors[f.name] = editor
            row += 2
        grid.setRowStretch(row, 1)  # spare height below the fields, not between them
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("buttons")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_text = self.save_button.text()
        self.accepted_warnings: set[str] = set()  # seen by the clerk: the next save accepts them

        if record_id is not None:
            self._load()
        else:
            self._fill_defaults()
            for name, value in (initial or {}).items():
                self.editors[name].set_value(value)
        for editor in self.editors.values():
            if isinstance(editor, (_Choice, _Boolean)):
                editor.focus_widget.installEventFilter(self)  # typed choices in fast entry
        for widget in [self, *self.findChildren(QWidget)]:
            widget.installEventFilter(self.keys)  # installed last, so it sees every key first
        self.resize(600 if self.continuous else 560, min(body.sizeHint().height() + 110, 720))
        if self.continuous:
            QTimer.singleShot(0, self._focus_first)

    # -- fast entry

    def _fill_defaults(self) -> None:
        for f in self.spec.form_fields:
            if f.default is not None:
                self.editors[f.name].set_value(f.default())
            elif self.continuous and f.kind is Kind.DATE and f.required:
                self.editors[f.name].set_value(today_local())  # as the date editor starts on today

    def entry_order(self) -> list[str]:
        """The fields Enter walks through: on the first record every field but the fixed ones;
        from the second on, the carried fields (kept from the record before) are skipped."""
        skip = set(self.fixed) | (set(self.spec.carried_fields) if self.saved_count else set())
        order = [f.name for f in self.spec.form_fields if f.name not in skip]
        return order or [f.name for f in self.spec.form_fields]

    def _focus_first(self) -> None:
        self.editors[self.entry_order()[0]].focus_widget.setFocus()

    def _current_field(self) -> str | None:
        focus = QApplication.focusWidget()
        for name, editor in self.editors.items():
            w = editor.focus_widget
            if focus is not None and (focus is w or w.isAncestorOf(focus)):
                return name
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if not self.continuous:
            super().keyPressEvent(event)
            return
        name = self._current_field()
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self._enter(name)
            return
        super().keyPressEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Typed choices: a number picks a choice, Y/N answers a yes/no (fast entry only)."""
        if self.continuous and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            for editor in self.editors.values():
                if obj is editor.focus_widget:
                    if isinstance(editor, _Choice) and event.text().isdigit():
                        n = int(event.text())
                        if 1 <= n < editor.combo.count():
                            editor.combo.setCurrentIndex(n)  # item 0 is "(please choose)" or empty
                        return True
                    if isinstance(editor, _Boolean) and event.text().lower() in ("y", "n", "1", "0"):
                        editor.check.setChecked(event.text().lower() in ("y", "1"))
                        return True
        return super().eventFilter(obj, event)

    def _enter(self, name: str | None) -> None:
        order = self.entry_order()
        if name is None or name not in order:  # focus was elsewhere (a carried field clicked into)
            fields = [f.name for f in self.spec.form_fields]
            later = [n for n in fields[fields.index(name) + 1:] if n in order] if name in fields else order
            if later:
                self.editors[later[0]].focus_widget.setFocus()
            else:
                self.save()
            return
        i = order.index(name)
        if i + 1 < len(order):
            self.editors[order[i + 1]].focus_widget.setFocus()
        else:
            self.save()

    def _next_record(self, row: records.Row) -> None:
        self.saved_count += 1
        self.status.setText(_("Saved: {n} records. The last: {record}").format(
            n=self.saved_count, record=" ".join(str(row.values.get(n) or "") for n in self.spec.display_fields
                                                if not self.spec.field(n).kind is Kind.REFERENCE)))
        keep = set(self.spec.carried_fields) | self.fixed
        for f in self.spec.form_fields:
            if f.name not in keep:
                self.editors[f.name].set_value(V.empty_value(f) if f.kind is not Kind.CHOICE else None)
        self._fill_defaults_except(keep)
        self.errors.clear()
        self._focus_first()

    def _fill_defaults_except(self, keep: set[str]) -> None:
        for f in self.spec.form_fields:
            if f.default is not None and f.name not in keep:
                self.editors[f.name].set_value(f.default())

    def _load(self) -> None:
        assert self.record_id is not None
        row = self.ctx.ops.read(lambda s: records.get(s, self.ctx.actor, self.spec, self.record_id))
        self.version = row.version
        for name, editor in self.editors.items():
            key = name + "__id" if self.spec.field(name).kind is Kind.REFERENCE else name
            editor.set_value(row.values.get(key))

    def editor(self, name: str) -> QWidget:
        return self.editors[name].focus_widget

    def error_text(self, name: str) -> str:
        label = self.errors.label(name)
        return "" if label.isHidden() else label.text()

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self._reset_warnings()
        self.errors.show_field_errors(errors)

    def show_warnings(self, warnings: dict[str, str]) -> None:
        """The service found something that may be a mistake (a possible duplicate): shown in amber
        at its field; Save becomes "Save anyway", which accepts exactly these messages."""
        self.errors.show_field_warnings({**warnings, "": _(
            "Please check the notes below. If everything is right, click “Save anyway”.")})
        self.accepted_warnings = set(warnings.values())
        self.save_button.setText(_("Save anyway"))

    def _reset_warnings(self) -> None:
        self.accepted_warnings = set()
        self.save_button.setText(self.save_text)

    def save(self) -> None:
        values = self.values()
        ctx, spec = self.ctx, self.spec
        accept = tuple(self.accepted_warnings)
        if self.record_id is None:
            row = ctx.ops.write(lambda s: records.create(s, ctx.actor, spec, values, accept=accept),
                                changed=[spec.key], parent=self, form=self)
        else:
            rid, version = self.record_id, self.version or 0
            row = ctx.ops.write(lambda s: records.update(s, ctx.actor, spec, rid, version, values, accept=accept),
                                changed=[spec.key], parent=self, form=self)
        if row is not None:
            self._reset_warnings()
            self.saved_row = row
            emit(self.sig_saved, row)
            if self.continuous:
                self._next_record(row)
            else:
                self.accept()
