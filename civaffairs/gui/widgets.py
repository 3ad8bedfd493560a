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


def period_date_range(edit):  # type: ignore[no-untyped-def]
    """Offer in a QDateEdit of a period only the days its figures can be computed for
    (`reports.figures.FIRST_DAY`–`LAST_DAY`): a clerk cannot pick year 1 or 9999."""
    from PySide6.QtCore import QDate

    from civaffairs.reports.figures import FIRST_DAY, LAST_DAY

    edit.setDateRange(QDate(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day),
                      QDate(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day))
    return edit
