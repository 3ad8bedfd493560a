"""One record form for every register, built from its field specs.

Editors never correct input silently: numbers are typed as text and checked by the service,
whose messages appear under the field that caused them."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QDateEdit, QDateTimeEdit, QDialog, QDialogButtonBox, QGridLayout,
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QSizePolicy, QTimeEdit, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import to_local
from civaffairs.core.i18n import _
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, get_register


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
        elif spec.kind is Kind.RESIDENT_ID:
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
    edit.setDate(QDate.currentDate())
    return edit


def _datetime_edit() -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setDateTime(QDateTime.currentDateTime())
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


_EDITORS: dict[Kind, type[FieldEditor]] = {
    Kind.LONG_TEXT: _LongText, Kind.DATE: _Date, Kind.DATETIME: _DateTime, Kind.TIME: _Time,
    Kind.CHOICE: _Choice, Kind.MULTI_CHOICE: _MultiChoice, Kind.BOOLEAN: _Boolean,
}


def make_editor(spec: FieldSpec, ctx: AppContext) -> FieldEditor:
    if spec.kind is Kind.REFERENCE:
        return _Reference(spec, ctx)
    # Text, numbers, temperatures, money, ID numbers and phones are typed as text and checked by the service.
    return _EDITORS.get(spec.kind, _Text)(spec)  # type: ignore[call-arg]


class RecordForm(QDialog):
    """Add or edit one record of any register."""

    def __init__(self, ctx: AppContext, spec: RegisterSpec, record_id: uuid.UUID | None = None,
                 parent: QWidget | None = None, initial: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.spec, self.record_id = ctx, spec, record_id
        self.version: int | None = None
        self.saved_row: records.Row | None = None
        self.setObjectName(f"form_{spec.key}")
        noun = _(spec.record_noun) if spec.record_noun else spec.name
        self.setWindowTitle((_("Edit {noun}") if record_id else _("New {noun}")).format(noun=noun))

        outer = QVBoxLayout(self)
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
            editor = make_editor(f, ctx)
            editor.widget.setObjectName(f"field_{f.name}")
            label = QLabel(f.title + ("<span style='color:#c0392b'> *</span>" if f.required else ""))
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

        if record_id is not None:
            self._load()
        else:
            for name, value in (initial or {}).items():
                self.editors[name].set_value(value)
        self.resize(560, min(body.sizeHint().height() + 110, 720))

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
        self.errors.show_field_errors(errors)

    def save(self) -> None:
        values = self.values()
        ctx, spec = self.ctx, self.spec
        if self.record_id is None:
            row = ctx.ops.write(lambda s: records.create(s, ctx.actor, spec, values),
                                changed=[spec.key], parent=self, form=self)
        else:
            rid, version = self.record_id, self.version or 0
            row = ctx.ops.write(lambda s: records.update(s, ctx.actor, spec, rid, version, values),
                                changed=[spec.key], parent=self, form=self)
        if row is not None:
            self.saved_row = row
            self.accept()
