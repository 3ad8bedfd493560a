"""The office server from the window (issue 13): a new PC joins it at its first start (it
downloads its working copy, with progress and a Cancel), and a single PC's administrator moves
its database onto a new, empty server (管理 → 迁到办公室服务器…).  The command-line versions are
`civaffairs sync --join URL` and `--publish URL` (`civaffairs.sync.cli`).

The server is asked for by its fields (address, port, database, user, password: the URL is built
by SQLAlchemy, so any character of the password is quoted) or by a full connection string.  The
copy runs in a worker thread; the server's `Database` is made and disposed there, in every
path.  What goes wrong is said in Chinese at the dialog (at a field when one is to blame), never
as a traceback."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QIntValidator
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMainWindow, QMenu, QMessageBox, QProgressDialog,
    QPushButton, QVBoxLayout, QWidget,
)

from civaffairs.core.errors import CivaffairsError, DatabaseUnreachable, ValidationError
from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.operations import Cancelled, Progress, _Worker
from civaffairs.gui.signals import emit

log = logging.getLogger(__name__)

DEFAULT_PORT = 5432
DEFAULT_NAME = "civaffairs"  # the database and its owner, as the README creates them
NOTE_STYLE = "color: #555;"


# ------------------------------------------------------------------ the server's fields


class ServerFields(QWidget):
    """服务器地址, 端口, 数据库名, 用户名, 密码, or a full 连接串 (used as it is when filled)."""

    FIELDS = ("host", "port", "database", "username", "password", "connection")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverFields")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.general = QLabel()
        self.general.setObjectName("serverError")
        self.errors = FieldErrors(self.general)
        layout.addWidget(self.general)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.host = QLineEdit()
        self.host.setPlaceholderText(_("e.g. 192.168.1.10 or the server's name"))
        self.port = QLineEdit(str(DEFAULT_PORT))
        self.port.setValidator(QIntValidator(1, 65535, self.port))
        self.port.setMaximumWidth(120)
        self.database = QLineEdit(DEFAULT_NAME)
        self.username = QLineEdit(DEFAULT_NAME)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.connection = QLineEdit()
        self.connection.setPlaceholderText(_("Optional: a full connection string, used instead of the fields above"))
        self.connection.setToolTip(_("e.g. postgresql+psycopg://user:password@server:5432/civaffairs"))
        for name, label, editor in (("host", _("Server address"), self.host), ("port", _("Port"), self.port),
                                    ("database", _("Database name"), self.database),
                                    ("username", _("User name"), self.username),
                                    ("password", _("Password"), self.password),
                                    ("connection", _("Connection string"), self.connection)):
            editor.setObjectName(f"field_{name}")
            form.addRow(label, editor)
            form.addRow("", self.errors.add(name, editor, self))
        layout.addLayout(form)
        self.note = QLabel()  # news, not an error (a cancelled copy)
        self.note.setObjectName("serverNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        layout.addWidget(self.note)
        self.connection.textChanged.connect(self._fields_in_use)

    def _fields_in_use(self) -> None:
        """A connection string replaces the fields: they are greyed out meanwhile."""
        separate = not self.connection.text().strip()
        for editor in (self.host, self.port, self.database, self.username, self.password):
            editor.setEnabled(separate)

    def checked_url(self) -> str | None:
        """The server's URL; None when a field needs filling, with the message at that field."""
        self.clear_messages()
        try:
            return self.url()
        except ValidationError as e:
            self.show_field_errors(e.field_errors)
            return None

    def url(self) -> str:
        """The server's URL, or a `ValidationError` naming the fields to fill."""
        from sqlalchemy.engine import URL, make_url

        full = self.connection.text().strip()
        if full:
            try:
                u = make_url(full)
                u.get_backend_name()
            except Exception:  # noqa: BLE001 - said at the field
                raise ValidationError.at("connection", _(
                    "This connection string cannot be read; it looks like "
                    "postgresql+psycopg://user:password@server:5432/civaffairs.")) from None
            return full
        errors = {}
        host = self.host.text().strip()
        if not host:
            errors["host"] = _("Enter the server's address.")
        port = int(self.port.text()) if self.port.text().isdigit() else 0
        if not 0 < port < 65536:
            errors["port"] = _("Enter a port between 1 and 65535 (usually 5432).")
        database = self.database.text().strip()
        if not database:
            errors["database"] = _("Enter the database's name.")
        username = self.username.text().strip()
        if not username:
            errors["username"] = _("Enter the user name.")
        if errors:
            raise ValidationError(errors)
        return URL.create("postgresql+psycopg", username=username, password=self.password.text() or None,
                          host=host, port=port, database=database).render_as_string(hide_password=False)

    def clear_messages(self) -> None:
        self.errors.clear()
        self.note.clear()
        self.note.hide()

    def show_note(self, text: str) -> None:
        self.errors.clear()
        self.note.setText(text)
        self.note.show()

    def show_field_errors(self, errors: dict[str, str]) -> None:
        if self.connection.text().strip():  # the fields are not in use: the string is to blame
            errors = {("connection" if k in self.FIELDS else k): v for k, v in errors.items()}
        self.note.hide()
        self.errors.show_field_errors(errors)

    def show_error(self, error: BaseException) -> None:
        """Any failure of the job, in words, at its field or on the general line."""
        if isinstance(error, ValidationError):
            self.show_field_errors(error.field_errors)
        elif isinstance(error, CivaffairsError):
            self.show_field_errors({"": error.message})
        else:
            log.error("office server job failed", exc_info=error)
            self.show_field_errors({"": _("The work with the office server did not succeed: {reason}").format(
                reason=str(error).splitlines()[0] if str(error) else type(error).__name__)})

    def set_enabled(self, enabled: bool) -> None:
        self.setEnabled(enabled)
        if enabled:
            self._fields_in_use()


# ------------------------------------------------------------------ the jobs (worker thread)


def open_server(url: str) -> Database:
    """The server as a `Database` (a bounded connect time on PostgreSQL); tests wrap it."""
    from civaffairs.gui.sync_status import server_database

    return server_database(url)


def connection_error(error: BaseException, url: str) -> ValidationError:
    """What the driver said on connecting, in Chinese and at the field to blame."""
    from civaffairs.core.paths import describe_url

    text = str(getattr(error, "orig", None) or error)
    if "password authentication failed" in text or "no password supplied" in text:
        return ValidationError.at("password", _("The server refused this user name or password."))
    if re.search(r'role "[^"]*" does not exist', text):
        return ValidationError.at("username", _("The server has no user of this name."))
    if re.search(r'database "[^"]*" does not exist', text):
        return ValidationError.at("database", _("The server has no database of this name."))
    try:
        server = describe_url(url)
    except Exception:  # noqa: BLE001 - the words only
        server = ""
    return ValidationError.at("", _("The office server cannot be reached ({server}). Check the address and the "
                                    "port, that the server is switched on and that this PC is on the office "
                                    "network.").format(server=server))


def _reach(server: Database) -> str | None:
    """The server's schema revision (None: no program's tables yet); connecting says what fails."""
    from sqlalchemy.exc import DBAPIError

    from civaffairs.db.migrate import current_revision

    try:
        return current_revision(server.engine)
    except DBAPIError as e:
        raise connection_error(e, server.url) from e


def _copying(progress: Progress) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:  # raises Cancelled once Cancel was pressed
        progress.report(done, total, _("Copying: {done} of {total} rows").format(done=f"{done:,}",
                                                                                  total=f"{total:,}"))
    return report


def _server_job(url: str, work: Callable[[Database, Progress], Any]) -> Callable[[Progress], Any]:
    """`work` with the server made in the worker and disposed whatever happens; a lost
    connection said as a connection error."""
    from sqlalchemy.exc import DBAPIError

    def job(progress: Progress) -> Any:
        server = open_server(url)
        try:
            progress.report(0, 0, _("Connecting to the office server…"))
            return work(server, progress)
        except DatabaseUnreachable as e:
            raise connection_error(e, url) from e
        except DBAPIError as e:
            said = str(e.orig).lower()
            if e.connection_invalidated or any(w in said for w in ("connect", "resolve host", "unable to open")):
                raise connection_error(e, url) from e
            raise
        finally:
            server.dispose()
    return job


def join_job(local: Database, url: str) -> Callable[[Progress], int]:
    """This PC's empty database made a working copy of the server (`exchange.join`: the copy is
    one transaction here, so a cancel or a failure leaves it as it was)."""
    from civaffairs.sync import exchange

    def work(server: Database, progress: Progress) -> int:
        if _reach(server) is None:
            raise ValidationError.at("", _("The database on the server holds no office yet. Move the office's "
                                           "database onto it first: on the PC that holds it, Administration → "
                                           "Move to an office server…"))
        return exchange.join(local, server, url, progress=_copying(progress))
    return _server_job(url, work)


def publish_job(local: Database, url: str) -> Callable[[Progress], int]:
    """The program's tables made on the new server, then this PC's database copied up
    (`exchange.publish`: refused unless the server is empty and at this program's version)."""
    from civaffairs.db.migrate import current_revision, upgrade
    from civaffairs.sync import exchange

    def work(server: Database, progress: Progress) -> int:
        revision = _reach(server)
        if revision is not None and revision != current_revision(local.engine):
            raise ValidationError.at("", _("The office server's database is at another version than this program; "
                                           "update the program on every PC (or the server) first."))
        progress.report(0, 0, _("Making the program's tables on the office server…"))
        upgrade(server.engine)
        return exchange.publish(local, server, url, progress=_copying(progress))
    return _server_job(url, work)


# ------------------------------------------------------------------ running a job with progress

_RUNNING: set[_Worker] = set()  # kept here, not by a dialog: a thread is never destroyed running


class ProgressJob(QObject):
    """A job in a worker thread with a cancellable progress dialog (rows copied of the total);
    `sig_finished(result, error)` on the GUI thread, error `Cancelled` after Cancel."""

    sig_finished = Signal(object, object)

    def __init__(self, parent: QWidget, title: str, job: Callable[[Progress], Any]) -> None:
        super().__init__(parent)
        self.title = title
        self.dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
        self.dialog.setObjectName("serverProgress")
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setMinimumWidth(460)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.running = True
        self.worker = _Worker(job)
        _RUNNING.add(self.worker)
        self.worker.sig_progress.connect(self._progress)
        self.worker.sig_done.connect(self._done)
        self.dialog.canceled.connect(self._cancel)
        self.worker.start()

    def _cancel(self) -> None:
        self.worker.progress.cancel()
        cancelling = _("Cancelling…")
        self.dialog.setLabelText(f"{self.title}\n{cancelling}")

    def _progress(self, done: int, total: int, text: str) -> None:
        if self.worker.progress.cancelled:
            return
        if text:  # first: a modal dialog's setValue handles the events, the next reports with them
            self.dialog.setLabelText(f"{self.title}\n{text}")
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _done(self, result: Any, error: BaseException | None) -> None:
        self.worker.wait()
        _RUNNING.discard(self.worker)
        self.worker.deleteLater()
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        self.running = False
        emit(self.sig_finished, result, error)


def wait_for_jobs() -> None:
    for worker in list(_RUNNING):
        worker.wait()


# ------------------------------------------------------------------ joining (the first start)


class JoinPage(QWidget):
    """The first start's second choice: the server's fields; 连接 runs the download."""

    sig_joined = Signal(int)  # rows copied

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("joinPage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(_("The office's records, user accounts and settings are copied from the office server onto "
                        "this PC. Afterwards this PC works on its copy, also when the network is down, and "
                        "exchanges changes with the server by itself. Ask the administrator for the server's "
                        "address and the database account."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addSpacing(6)
        self.fields = ServerFields(self)
        layout.addWidget(self.fields)
        self.job: ProgressJob | None = None
        self.rows = 0

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def join(self) -> None:
        if self.busy:
            return
        url = self.fields.checked_url()
        if url is None:
            return
        self.fields.set_enabled(False)
        self.job = ProgressJob(self.window(), _("Downloading this PC's copy from the office server"),
                               join_job(self.db, url))
        self.job.sig_finished.connect(self._finished)

    def _finished(self, rows: Any, error: BaseException | None) -> None:
        self.fields.set_enabled(True)
        if isinstance(error, Cancelled):
            self.fields.show_note(_("Cancelled: nothing was copied onto this PC. Connect again when ready."))
        elif error is not None:
            self.fields.show_error(error)
        else:
            self.rows = int(rows)
            emit(self.sig_joined, self.rows)


# ------------------------------------------------------------------ publishing (管理 menu)


def add_publish_action(window: QMainWindow, menu: QMenu) -> QAction:
    """管理 → 迁到办公室服务器… (on a single PC, for the administrator)."""
    action = QAction(_("Move to an office server…"), window)
    action.setObjectName("publishAction")
    action.triggered.connect(lambda: open_publish(window))
    menu.addAction(action)
    window.publish_action = action  # type: ignore[attr-defined]
    return action


def open_publish(window: QMainWindow) -> "PublishDialog":
    dialog = PublishDialog(window)
    window.publish_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog


class PublishDialog(QDialog):
    """This single PC's database moved onto a new, empty office server; the window then works on
    a copy of it (the status line and the 同步 menu installed at once)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.main_window = window
        self.ctx = window.ctx  # type: ignore[attr-defined]
        self.setObjectName("publishDialog")
        self.setWindowTitle(_("Move to an office server"))
        layout = QVBoxLayout(self)
        intro = QLabel(_("This PC's database is copied onto a new, empty database on the office server "
                         "(PostgreSQL). From then on this PC works on a copy of it, and the other PCs of the office "
                         "join the server at their first start."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addSpacing(6)
        self.fields = ServerFields(self)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        layout.addSpacing(10)
        buttons = QDialogButtonBox()
        self.move_button = QPushButton(_("Move…"))
        self.move_button.setObjectName("publishButton")
        self.move_button.setDefault(True)
        buttons.addButton(self.move_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        self.move_button.clicked.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.confirm_box: QMessageBox | None = None
        self.job: ProgressJob | None = None
        self.rows = 0
        self.resize(600, self.sizeHint().height())

    def confirm(self) -> None:
        from civaffairs.core.paths import describe_url

        if self.job is not None and self.job.running:
            return
        url = self.fields.checked_url()
        if url is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Move to an office server"), _(
            "Move this PC's database onto the office server {server}?").format(server=describe_url(url)),
            QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("publishConfirm")
        box.setInformativeText(_(
            "This PC's whole database (every record, the user accounts, the audit log and the office's settings) is "
            "copied onto the new, empty server. From then on this PC works on a copy of it and exchanges changes "
            "with the server by itself. The other PCs join the server at their first start with “Connect to the "
            "office server”.\n\nNothing is deleted on this PC. The server must be empty; a server that already "
            "holds records is refused."))
        yes = box.addButton(_("Move now"), QMessageBox.ButtonRole.AcceptRole)
        yes.setObjectName("publishConfirmYes")
        box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._start(url) if button is yes else None)
        self.confirm_box = box
        box.open()

    def reject(self) -> None:
        if self.job is not None and self.job.running:  # a thread is never left running: Cancel on its dialog
            return
        super().reject()

    def _start(self, url: str) -> None:
        self.confirm_box = None
        self.fields.set_enabled(False)
        self.move_button.setEnabled(False)
        self.job = ProgressJob(self, _("Copying this PC's database onto the office server"),
                               publish_job(self.ctx.db, url))
        self.job.sig_finished.connect(self._finished)

    def _finished(self, rows: Any, error: BaseException | None) -> None:
        self.fields.set_enabled(True)
        self.move_button.setEnabled(True)
        if isinstance(error, Cancelled):
            self.fields.show_note(_("Cancelled: nothing was copied onto the server; this PC stays a single PC."))
            return
        if error is not None:
            self.fields.show_error(error)
            return
        self.rows = int(rows)
        self.accept()
        went_online(self.main_window, self.rows)


def went_online(window: QMainWindow, rows: int) -> None:
    """The window of a PC whose database was just moved: the exchanges, the status line and the
    同步 menu from now on, without a restart."""
    from civaffairs.gui.sync_status import install_sync

    action = getattr(window, "publish_action", None)
    if action is not None:
        action.setVisible(False)  # no longer a single PC
    if getattr(window, "exchanger", None) is None:
        window.exchanger = install_sync(window)  # type: ignore[attr-defined]
    window.statusBar().showMessage(_("This database is now on the office server ({rows} rows copied); this PC "
                                     "works on a copy of it.").format(rows=rows), 15000)
