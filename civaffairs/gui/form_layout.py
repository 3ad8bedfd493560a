"""Small helpers for dialogs with input: an editor with its error line (and an optional note)
underneath as one form-layout field, and growing a dialog when error lines appear."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from civaffairs.gui.field_errors import FieldErrors

NOTE_STYLE = "color: #606060;"


def note_label(text: str) -> QLabel:
    """A grey explanatory line under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def field_with_error(editor: QWidget, errors: FieldErrors, name: str, *, note: str = "",
                     shown: QWidget | None = None) -> QWidget:
    """`editor` (or `shown`, a row that holds it), its error line (hidden until `errors` has a
    message for `name`) and an optional note, stacked as one field of a QFormLayout."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(shown or editor)
    layout.addWidget(errors.add(name, editor, box))
    if note:
        layout.addWidget(note_label(note))
    return box


def grow_to_fit(window: QWidget) -> None:
    """Make a window tall enough for its content after error lines appeared (word-wrapped labels
    have a height-for-width that the window's minimum size does not account for)."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    if needed > window.height():
        window.resize(width, needed)
