"""The one place where errors become what a user sees."""
from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from civaffairs.core.errors import (
    AuthenticationFailed, CivaffairsError, DatabaseBusy, DatabaseUnreachable, EditConflict, NotFound, PermissionDenied,
    SessionEnded, ValidationError,
)
from civaffairs.core.i18n import _

log = logging.getLogger(__name__)


def title_for(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return _("Please check the input")
    if isinstance(error, PermissionDenied):
        return _("Not allowed")
    if isinstance(error, EditConflict):
        return _("Saved by someone else")
    if isinstance(error, NotFound):
        return _("Not found")
    if isinstance(error, AuthenticationFailed):
        return _("Cannot log in")
    if isinstance(error, SessionEnded):
        return _("Please log in again")
    if isinstance(error, DatabaseUnreachable):
        return _("Database server unreachable")
    if isinstance(error, DatabaseBusy):
        return _("Database busy")
    return _("Error")


def present_error(parent: QWidget | None, error: BaseException) -> None:
    """Show an error to the user: our own errors plainly, anything else without a traceback on
    screen (it goes to the details and the log)."""
    if isinstance(error, CivaffairsError):
        box = QMessageBox(QMessageBox.Icon.Warning, title_for(error), error.message, QMessageBox.StandardButton.Ok, parent)
    else:
        log.error("unexpected error", exc_info=error)
        box = QMessageBox(
            QMessageBox.Icon.Critical, _("Error"),
            _("Something went wrong and the action was not completed. Nothing was saved.\n"
              "Please tell the administrator what you were doing."),
            QMessageBox.StandardButton.Ok, parent,
        )
        box.setDetailedText("".join(traceback.format_exception(error)))
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # Window-modal but not blocking: the caller goes on, and tests can read and close the box.
    _open_boxes.add(box)
    box.finished.connect(lambda _result, b=box: _open_boxes.discard(b))
    box.open()


_open_boxes: set[QMessageBox] = set()  # keeps parentless boxes alive while they are shown


def open_error_boxes() -> list[QMessageBox]:
    return list(_open_boxes)
