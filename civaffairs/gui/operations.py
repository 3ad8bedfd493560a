"""Every call from the GUI into the services goes through `Operations`.

It opens the transaction (one per user action), sends failures to the one error presenter (or
to the form whose field caused them), and on success announces which registers changed, so
that every screen showing them refreshes.  Long work runs in a worker thread with a progress
dialog that can cancel it; the window never freezes."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QThread, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import DatabaseUnreachable, NeedsConfirmation, SessionEnded, ValidationError
from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.gui.errors import present_error
from civaffairs.gui.signals import emit

T = TypeVar("T")


class FieldErrorSink(Protocol):
    def show_field_errors(self, errors: dict[str, str]) -> None: ...


class Cancelled(Exception):
    """Raised inside a background job when the user pressed Cancel."""


class Progress:
    """Handed to background jobs: report progress, and stop when asked to."""

    def __init__(self, signal: Any) -> None:
        self._signal = signal
        self._cancel = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
        emit(self._signal, done, total, text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Worker(QThread):
    sig_progress = Signal(int, int, str)
    sig_done = Signal(object, object)  # result, error

    def __init__(self, job: Callable[[Progress], Any]) -> None:
        super().__init__()
        self._job = job
        self.progress = Progress(self.sig_progress)

    def run(self) -> None:
        try:
            result = self._job(self.progress)
        except BaseException as e:  # noqa: BLE001 - reported on the GUI thread
            emit(self.sig_done, None, e)
        else:
            emit(self.sig_done, result, None)


class Operations(QObject):
    sig_changed = Signal(object)
    """Emitted after a successful write with the set of register keys that changed."""
    sig_reachable = Signal(bool)
    """Emitted when the database server is lost (False), and at the next success (True)."""

    def __init__(self, db: Database, actor: Actor | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self._workers: set[_Worker] = set()
        self._reachable = True
        self.on_session_ended: Callable[[SessionEnded], None] | None = None
        """Who handles a write refused because the account changed (the window locks itself and
        asks for the password again); without one it is shown like any error."""

    def read(self, fn: Callable[[Session], T]) -> T:
        """A quick read on the GUI thread (a page of rows: a millisecond or two)."""
        try:
            with self.db.read() as session:
                result = fn(session)
        except DatabaseUnreachable:
            self._set_reachable(False)
            raise
        self._set_reachable(True)
        return result

    def may_hand_out(self, parent: QWidget | None = None) -> bool:
        """Before a printout or a saved PDF leaves the window: the account is re-checked as before
        a write (`audit.check_before_output`).  False when it may not: already said — an account
        changed since its log-in ends the session as a refused write does (`on_session_ended`)."""
        from civaffairs.audit.service import check_before_output

        try:
            check_before_output(self.db)
        except Exception as e:  # noqa: BLE001 - any failure is shown, never a crash
            self._failed(parent, e)
            return False
        self._set_reachable(True)
        return True

    def _set_reachable(self, reachable: bool) -> None:
        if reachable != self._reachable:
            self._reachable = reachable
            emit(self.sig_reachable, reachable)

    def _failed(self, parent: QWidget | None, error: BaseException) -> None:
        """The one way a failed action is reported; the caller keeps its form open for a retry."""
        if isinstance(error, DatabaseUnreachable):
            self._set_reachable(False)
        if isinstance(error, SessionEnded) and self.on_session_ended is not None:
            self.on_session_ended(error)
            return
        present_error(parent, error)

    def write(self, fn: Callable[[Session], T], *, changed: Iterable[str] = (), parent: QWidget | None = None,
              form: FieldErrorSink | None = None) -> T | None:
        """Run one user action in one transaction.  Returns None if it failed (already shown)."""
        try:
            with self.db.write() as session:
                result = fn(session)
        except NeedsConfirmation as e:
            if form is not None and hasattr(form, "show_warnings"):
                form.show_warnings(e.field_errors)  # the form asks the clerk to accept them
            elif form is not None:
                form.show_field_errors(e.field_errors)
            else:
                present_error(parent, e)
            return None
        except ValidationError as e:
            if form is not None:
                form.show_field_errors(e.field_errors)
            else:
                present_error(parent, e)
            return None
        except Exception as e:  # noqa: BLE001 - any failure is shown, never a crash
            self._failed(parent, e)
            return None
        self._set_reachable(True)
        emit(self.sig_changed, frozenset(changed))
        return result

    def run_in_background(self, title: str, job: Callable[[Progress], T], on_done: Callable[[T], None],
                          *, parent: QWidget | None = None, changed: Iterable[str] = ()) -> _Worker:
        """Run `job` in a worker thread with a cancellable progress dialog.  The job opens its
        own transactions through `self.db`; `on_done` runs on the GUI thread."""
        dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
        dialog.setObjectName("progressDialog")
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        worker = _Worker(job)
        self._workers.add(worker)

        def progress(done: int, total: int, text: str) -> None:
            if text:  # first: a modal dialog's setValue handles events, the next report among them
                dialog.setLabelText(text)
            dialog.setMaximum(total)
            dialog.setValue(done)

        def finished(result: Any, error: BaseException | None) -> None:
            dialog.reset()
            dialog.deleteLater()
            worker.wait()
            self._workers.discard(worker)
            worker.deleteLater()
            if isinstance(error, Cancelled):
                return
            if error is not None:
                self._failed(parent, error)
                return
            self._set_reachable(True)
            emit(self.sig_changed, frozenset(changed))
            on_done(result)

        worker.sig_progress.connect(progress)
        worker.sig_done.connect(finished)
        dialog.canceled.connect(worker.progress.cancel)
        worker.start()
        return worker

    def busy(self) -> bool:
        """True while a background job runs."""
        return bool(self._workers)

    def wait_all(self) -> None:
        for w in list(self._workers):
            w.wait()


