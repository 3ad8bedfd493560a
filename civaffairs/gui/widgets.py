"""Small widgets every screen builds alike."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from civaffairs.core.i18n import _


def heading(text: str, object_name: str, grow: int = 3) -> QLabel:
    """A bold title, `grow` points larger than the body text."""
    label = QLabel(text)
    label.setObjectName(object_name)
    font = label.font()
    font.setPointSize(font.pointSize() + grow)
    font.setBold(True)
    label.setFont(font)
    return label


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel wired to the dialog, named for tests, labelled through our catalogue."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(_("OK"))
    ok.setObjectName("okButton")
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setText(_("Cancel"))
    cancel.setObjectName("cancelButton")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
