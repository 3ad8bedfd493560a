"""Messages shown at the field that caused them: a red line under the editor.

Every dialog with input (record forms, log-in, user accounts, settings) uses this one helper,
so a `ValidationError` from a service looks the same everywhere."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #c0392b;"
WARNING_COLOUR = "#9a6700"  # amber: may be right, the clerk decides
EDITOR_ERROR_PROPERTY = "fieldError"


class FieldErrors:
    def __init__(self, general: QLabel | None = None) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self.general = general  # for errors of the whole record (field "")
        if general is not None:
            general.setStyleSheet(ERROR_STYLE)
            general.setWordWrap(True)
            general.hide()

    def add(self, name: str, editor: QWidget, parent: QWidget | None = None) -> QLabel:
        """The label to place under `editor`; hidden until there is a message."""
        label = QLabel(parent)
        label.setObjectName(f"error_{name}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self._fields[name] = (editor, label)
        return label

    def label(self, name: str) -> QLabel:
        return self._fields[name][1]

    def clear(self) -> None:
        for editor, label in self._fields.values():
            label.clear()
            label.hide()
            editor.setProperty(EDITOR_ERROR_PROPERTY, False)
            editor.setStyleSheet("")
        if self.general is not None:
            self.general.clear()
            self.general.hide()

    def show_field_warnings(self, warnings: dict[str, str]) -> None:
        """Messages the clerk may accept (a possible duplicate): amber instead of red."""
        self.show_field_errors(warnings, colour=WARNING_COLOUR)

    def show_field_errors(self, errors: dict[str, str], *, colour: str = "#c0392b") -> None:
        self.clear()
        first: QWidget | None = None
        unplaced = []
        for name, message in errors.items():
            if name in self._fields:
                editor, label = self._fields[name]
                label.setText(message)
                label.setStyleSheet(f"color: {colour};")
                label.show()
                editor.setProperty(EDITOR_ERROR_PROPERTY, True)
                # Scoped by the property so the children of a composite editor keep their look.
                editor.setStyleSheet(f'*[{EDITOR_ERROR_PROPERTY}="true"] {{ border: 1px solid {colour}; }}')
                first = first or editor
            else:
                unplaced.append(message)
        if unplaced and self.general is not None:
            self.general.setText("\n".join(unplaced))
            self.general.setStyleSheet(f"color: {colour};")
            self.general.show()
        if first is not None:
            first.setFocus()
