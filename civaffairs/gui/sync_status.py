"""A working copy's side of the office server in the window: the exchanger that sends this PC's
waiting changes and brings the server's every few seconds (and soon after each save), and the
status-bar line that always says whether the server is reachable (联机 / 脱机), how many changes
wait to be sent and when the last exchange was; a click on it lists the waiting changes.

Exchanges run in a worker thread, one at a time (a request while one runs is served once it
ends); the window never waits for the server.  A single PC (no office server) builds none of
this (`install_sync` is called only for `ctx.db.working_copy`)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox,
    QProgressDialog, QPushButton, QTableView, QToolButton, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, to_local
from civaffairs.core.errors import CivaffairsError, DatabaseUnreachable, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.db.database import Database, make_engine
from civaffairs.gui.context import AppContext
from civaffairs.gui.errors import present_error
from civaffairs.gui.signals import emit
from civaffairs.gui.table_model import Column, ListSource, PagedTableModel

log = logging.getLogger(__name__)

EXCHANGE_EVERY_MS = 5000  # an exchange every 5 s while the window is open
AFTER_SAVE_MS = 300  # and this soon after a save (a burst of saves: one exchange)
SERVER_CONNECT_TIMEOUT_S = 5  # a lost network: an exchange gives up after this, not minutes
WAITING_SHOWN = 1000  # the waiting changes listed at most
TIME_FORMAT = "%Y-%m-%d %H:%M"
SHORT_TIME_FORMAT = "%m-%d %H:%M"
ONLINE_COLOUR, OFFLINE_COLOUR = "#1e7b34", "#b03a2e"

COMMAND_WORDS = {
    "create": N_("Added"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "restore": N_("Restored"),
    "move": N_("Moved"),
}


def command_word(command: str) -> str:
    return _(COMMAND_WORDS[command]) if command in COMMAND_WORDS else command


def register_name(key: str) -> str:
    from civaffairs.records.spec import get_register

    try:
        return get_register(key).name
    except KeyError:
        return key


def user_names(db: Database) -> dict[str, str]:
    """Username → display name, from this PC's copy of the accounts."""
    from sqlalchemy import select

    from civaffairs.accounts.models import User

    try:
        with db.read() as s:
            return {u: n for u, n in s.execute(select(User.username, User.display_name))}
    except Exception:  # noqa: BLE001 - names are a nicety: usernames then
        return {}


def short_time(moment: datetime | None) -> str:
    """10:32 today, 2021-10-25 10:32 another day."""
    if moment is None:
        return ""
    local = to_local(moment)
    if local.date() == to_local(now_utc()).date():
        return local.strftime("%H:%M")
    return local.strftime(TIME_FORMAT)


# ------------------------------------------------------------------ background jobs


class _Job(QThread):
    """One blocking call (an exchange, a read or a resolution on the server) off the GUI thread."""

    sig_done = Signal(object, object)  # result, error

    def __init__(self, job: Callable[[], Any]) -> None:
        super().__init__()
        self._job = job

    def run(self) -> None:
        try:
            result = self._job()
        except BaseException as e:  # noqa: BLE001 - handled on the GUI thread
            emit(self.sig_done, None, e)
        else:
            emit(self.sig_done, result, None)


# Running jobs are kept here, not by their widget, so that a dialog closed while one runs does not
# destroy a running thread; each removes itself when it ends.
_RUNNING: set[_Job] = set()


def run_off_gui_thread(job: Callable[[], Any], done: Callable[[Any, BaseException | None], None],
                       receiver: QObject) -> _Job:
    """Run `job` in a worker thread; `done(result, error)` runs on the GUI thread, unless
    `receiver` was deleted meanwhile."""
    worker = _Job(job)
    _RUNNING.add(worker)
    relay = _Relay(receiver, worker, done)
    worker.sig_done.connect(relay.finished)
    worker.start()
    return worker


class _Relay(QObject):
    """Brings a job's end to the GUI thread (a QObject living there), then to `done`."""

    def __init__(self, receiver: QObject, worker: _Job, done: Callable[[Any, BaseException | None], None]) -> None:
        super().__init__(receiver)
        self._worker, self._done = worker, done

    def finished(self, result: Any, error: BaseException | None) -> None:
        worker = self._worker
        worker.wait()
        _RUNNING.discard(worker)
        worker.deleteLater()
        self.deleteLater()
        self._done(result, error)


def wait_for_jobs() -> None:
    """Wait for every exchange, read and resolution still running (the end of the program, tests):
    a QThread still running when Python tears its objects down crashes the process."""
    for job in list(_RUNNING):
        job.wait()


# ------------------------------------------------------------------ the exchanger


def server_database(url: str) -> Database:
    """The office server as a `Database`, with a bounded connect time on PostgreSQL (a lost
    network otherwise holds an exchange, and the program's end, for minutes)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "postgresql" and "connect_timeout" not in u.query:
        return Database(url, make_engine(url, connect_args={"connect_timeout": SERVER_CONNECT_TIMEOUT_S}))
    return Database(url)


class Exchanger(QObject):
    """Runs `civaffairs.sync.exchange.exchange` every `EXCHANGE_EVERY_MS` and soon after each
    save, never two at once, never on the GUI thread.  When an exchange changed records here, the
    open lists of their registers refresh (`ops.sig_changed` with their keys; with none when
    only the conflicts changed: everything)."""

    sig_started = Signal()
    sig_exchanged = Signal(object, object)  # ExchangeResult or None, the error or None

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.local = ctx.db
        self._factory: Callable[[], Database] = self.default_server
        self._server: Database | None = None
        self._made: list[Database] = []  # servers this exchanger opened (disposed at stop)
        self._job: _Job | None = None
        self._again = False
        self._stopped = False
        self._announcing = False
        self.online: bool | None = None
        """Whether the last exchange reached the server; None before the first one."""
        self.last_result: Any = None
        self.last_error: BaseException | None = None
        self.exchanges = 0  # finished exchanges (tests)
        self._timer = QTimer(self)
        self._timer.setInterval(EXCHANGE_EVERY_MS)
        self._timer.timeout.connect(self.exchange_now)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(AFTER_SAVE_MS)
        self._soon.timeout.connect(self.exchange_now)
        ctx.ops.sig_changed.connect(self._changed)

    # -- the server

    @property
    def server_factory(self) -> Callable[[], Database]:
        return self._factory

    @server_factory.setter
    def server_factory(self, factory: Callable[[], Database]) -> None:
        """Another way to the server (tests: one that cannot be reached, then one that can)."""
        self._factory = factory
        self._server = None

    def default_server(self) -> Database:
        from civaffairs.sync.exchange import server_url

        with self.local.read() as s:
            url = server_url(s)
        if not url:
            raise ValidationError.at("", _("This PC does not work with an office server."))
        server = server_database(url)
        self._made.append(server)
        return server

    def server(self) -> Database:
        """The server's `Database` (made once; making it does not connect)."""
        if self._server is None:
            self._server = self._factory()
        return self._server

    # -- running

    def start(self) -> None:
        self._timer.start()
        self._soon.start()

    @property
    def running(self) -> bool:
        return self._job is not None

    def _changed(self, _keys: object) -> None:
        if not self._announcing and not self._stopped:
            self._soon.start()

    def exchange_soon(self) -> None:
        if not self._stopped:
            self._soon.start()

    def exchange_now(self) -> None:
        if self._stopped:
            return
        self._soon.stop()
        if self._job is not None:
            self._again = True
            return
        try:
            server = self.server()
        except Exception as e:  # noqa: BLE001 - said in the status bar like an unreachable server
            self._finished(None, e)
            return
        from civaffairs.sync import exchange

        local = self.local
        self._job = run_off_gui_thread(lambda: exchange.exchange(local, server), self._done, self)
        emit(self.sig_started)

    def _done(self, result: Any, error: BaseException | None) -> None:
        self._job = None
        if self._stopped:
            return
        self._finished(result, error)
        if self._again:
            self._again = False
            self._soon.start()

    def _finished(self, result: Any, error: BaseException | None) -> None:
        self.exchanges += 1
        self.online = error is None
        self.last_result, self.last_error = result, error
        if error is not None and not isinstance(error, DatabaseUnreachable):
            log.warning("exchange with the office server failed", exc_info=error)
        emit(self.sig_exchanged, result, error)
        if result is not None and (result.registers or result.conflicts):
            self._announcing = True  # our own announcement asks for no exchange
            try:
                emit(self.ctx.ops.sig_changed, frozenset(result.registers))
            finally:
                self._announcing = False

    def error_text(self) -> str:
        error = self.last_error
        if error is None:
            return ""
        return error.message if isinstance(error, CivaffairsError) else str(error)

    def stop(self) -> None:
        """The window is closing: no new exchange; the running one is let finish (it is safe to
        cut off, but a thread cannot be) and waited for."""
        if not self._stopped:  # a window may be closed twice
            self._stopped = True
            self._timer.stop()
            self._soon.stop()
            try:
                self.ctx.ops.sig_changed.disconnect(self._changed)
            except (RuntimeError, TypeError):  # already disconnected
                pass
        wait_for_jobs()
        for server in self._made:
            server.dispose()
        self._made.clear()
        self._server = None


# ------------------------------------------------------------------ the status bar


class SyncStatusWidget(QWidget):
    """联机 · 待发送 0 项 · 上次同步 10:32 (and the open conflicts, when there are any)."""

    def __init__(self, ctx: AppContext, exchanger: Exchanger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.exchanger = ctx, exchanger
        self.setObjectName("syncStatusWidget")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.button = QToolButton()
        self.button.setObjectName("syncStatus")
        self.button.setAutoRaise(True)
        self.button.clicked.connect(self.open_waiting)
        layout.addWidget(self.button)
        self.conflicts_button = QToolButton()
        self.conflicts_button.setObjectName("syncConflicts")
        self.conflicts_button.setAutoRaise(True)
        self.conflicts_button.setStyleSheet(f"color: {OFFLINE_COLOUR}; font-weight: bold;")
        self.conflicts_button.setToolTip(_("Open the conflicts with the office server"))
        self.conflicts_button.clicked.connect(self.open_conflicts)
        self.conflicts_button.hide()
        layout.addWidget(self.conflicts_button)
        self.online = True
        self.waiting = 0
        self.open_conflicts_count = 0
        self.waiting_dialog: WaitingChangesDialog | None = None
        self.conflicts_dialog: QDialog | None = None
        # Bound methods, not lambdas: Qt drops the connections when the widget goes.
        exchanger.sig_exchanged.connect(self._exchanged)
        ctx.ops.sig_changed.connect(self._changed)
        self.refresh()

    def _exchanged(self, _result: Any, _error: Any) -> None:
        self.refresh()

    def _changed(self, _keys: object) -> None:
        self.refresh()

    @property
    def text(self) -> str:
        return self.button.text()

    def refresh(self) -> None:
        from civaffairs.sync import exchange

        try:
            state = exchange.status(self.ctx.db)  # a quick read of this PC's own file
        except Exception as e:  # noqa: BLE001 - the status bar never raises
            log.warning("cannot read the exchange state", exc_info=e)
            return
        online = self.exchanger.online if self.exchanger.online is not None else not state.last_error
        self.online, self.waiting, self.open_conflicts_count = online, state.waiting, state.open_conflicts
        parts = [_("Online") if online else _("Offline"), _("{count} waiting to be sent").format(count=state.waiting)]
        if state.last_exchange is not None:
            parts.append(_("last exchange {time}").format(time=short_time(state.last_exchange)))
        else:
            parts.append(_("never exchanged"))
        self.button.setText(" · ".join(parts))
        self.button.setStyleSheet(f"color: {ONLINE_COLOUR};" if online else f"color: {OFFLINE_COLOUR}; font-weight: bold;")
        tip = [_("Office server: {server}").format(server=state.server)]
        if not online:
            tip.append(_("The office server cannot be reached. Work goes on on this PC; the changes are sent "
                         "once the server can be reached again."))
            error = self.exchanger.error_text() or state.last_error
            if error:
                tip.append(error)
        tip.append(_("Click to see the changes waiting to be sent."))
        self.button.setToolTip("\n".join(tip))
        self.conflicts_button.setText(_("{count} conflicts").format(count=state.open_conflicts))
        self.conflicts_button.setVisible(state.open_conflicts > 0)

    def open_waiting(self) -> None:
        if self.waiting_dialog is None:
            self.waiting_dialog = WaitingChangesDialog(self.ctx, self.exchanger, self.window())
            self.waiting_dialog.sig_open_conflicts.connect(self.open_conflicts)
        self.waiting_dialog.refresh()
        self.waiting_dialog.show()
        self.waiting_dialog.raise_()
        self.waiting_dialog.activateWindow()

    def open_conflicts(self) -> QDialog:
        from civaffairs.gui.conflicts_view import ConflictsDialog

        if self.conflicts_dialog is None:
            self.conflicts_dialog = ConflictsDialog(self.ctx, self.exchanger, self.window())
        else:
            self.conflicts_dialog.load()  # type: ignore[attr-defined]
        self.conflicts_dialog.show()
        self.conflicts_dialog.raise_()
        self.conflicts_dialog.activateWindow()
        return self.conflicts_dialog


def waiting_columns(names: Callable[[], dict[str, str]]) -> list[Column[Any]]:
    return [
        Column("made_at", _("Time"), lambda e: to_local(e.made_at).strftime(TIME_FORMAT), sortable=False,
               width_chars=15),
        Column("actor", _("User"), lambda e: names().get(e.actor, e.actor), sortable=False, width_chars=8),
        Column("command", _("Change"), lambda e: command_word(e.command), sortable=False, width_chars=5),
        Column("register", _("Register"), lambda e: register_name(e.register), sortable=False, width_chars=14),
        Column("record", _("Record"), lambda e: e.record_label, sortable=False, width_chars=24,
               tooltip=lambda e: e.record_label),
    ]


class WaitingChangesDialog(QDialog):
    """The changes made on this PC that the office server has not received yet, oldest first."""

    sig_open_conflicts = Signal()

    def __init__(self, ctx: AppContext, exchanger: Exchanger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from civaffairs.gui.admin.users import set_column_widths

        self.ctx, self.exchanger = ctx, exchanger
        self.setObjectName("waitingChangesDialog")
        self.setWindowTitle(_("Changes waiting to be sent"))
        layout = QVBoxLayout(self)
        self.state_label = QLabel()
        self.state_label.setObjectName("waitingState")
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)
        self._entries: list[Any] = []
        self._names: dict[str, str] = {}
        self.columns = waiting_columns(lambda: self._names)
        self.model: PagedTableModel[Any] = PagedTableModel(
            lambda fn: fn(None), self.columns, ListSource(lambda _s: self._entries), self)
        self.table = QTableView()
        self.table.setObjectName("waitingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        set_column_widths(self.table, self.columns)
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.exchange_button = QPushButton(_("Exchange now"))
        self.exchange_button.setObjectName("exchangeNowButton")
        self.exchange_button.clicked.connect(self.exchanger.exchange_now)
        actions.addWidget(self.exchange_button)
        self.conflicts_button = QPushButton(_("Conflicts…"))
        self.conflicts_button.setObjectName("openConflictsButton")
        self.conflicts_button.clicked.connect(lambda: emit(self.sig_open_conflicts))
        actions.addWidget(self.conflicts_button)
        actions.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        actions.addWidget(buttons)
        layout.addLayout(actions)
        exchanger.sig_exchanged.connect(self._exchanged)
        exchanger.sig_started.connect(self._started)
        ctx.ops.sig_changed.connect(self._changed)
        self.resize(860, 420)

    def _started(self) -> None:
        self.exchange_button.setEnabled(False)

    def _exchanged(self, _result: Any, _error: Any) -> None:
        self.exchange_button.setEnabled(True)
        if self.isVisible():
            self.refresh()

    def _changed(self, _keys: object) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        from civaffairs.sync import exchange

        try:
            state = exchange.status(self.ctx.db)
            self._entries = exchange.waiting_changes(self.ctx.db, WAITING_SHOWN)
        except Exception as e:  # noqa: BLE001 - shown, never raised from a slot
            self.state_label.setText(str(e))
            return
        self._names = user_names(self.ctx.db)
        online = self.exchanger.online if self.exchanger.online is not None else not state.last_error
        lines = [_("Office server: {server}").format(server=state.server)]
        if online:
            lines.append(_("Online: the changes made on this PC are sent within seconds."))
        else:
            lines.append(_("Offline: the office server cannot be reached. The changes below are kept on this PC "
                           "and sent once it can be reached again."))
        if state.last_exchange is not None:
            lines.append(_("Last exchange: {time}.").format(time=to_local(state.last_exchange).strftime(TIME_FORMAT)))
        if state.waiting > len(self._entries):
            lines.append(_("{count} changes wait to be sent; the oldest {shown} are listed.").format(
                count=state.waiting, shown=len(self._entries)))
        elif state.waiting:
            lines.append(_("{count} changes wait to be sent.").format(count=state.waiting))
        else:
            lines.append(_("No change waits to be sent."))
        if state.open_conflicts:
            lines.append(_("{count} conflicts wait for a decision.").format(count=state.open_conflicts))
        self.state_label.setText("\n".join(lines))
        self.state_label.setStyleSheet("" if online else f"color: {OFFLINE_COLOUR};")
        self.model.refresh()


# ------------------------------------------------------------------ exchange files (a USB stick)


def exchange_file_kind(path: Path) -> str | None:
    """`files.CHANGES` or `files.ANSWER` as the file says of itself (as `civaffairs sync --import`
    tells them apart), None when it cannot be read; nothing is checked here: reading or applying
    it checks the digest and the seal."""
    import gzip
    import json

    try:
        kind = json.loads(json.loads(gzip.decompress(Path(path).read_bytes()))["body"]).get("kind")
    except Exception:  # noqa: BLE001 - reading it says what is wrong, in Chinese
        return None
    return kind if isinstance(kind, str) else None


def outcomes_text(outcomes: dict[str, int]) -> str:
    from civaffairs.sync.replay import OUTCOME_LABELS

    return "，".join(f"{_(OUTCOME_LABELS.get(k, k))} {v}" for k, v in sorted(outcomes.items()))


class FileExchange(QObject):
    """同步 → 导出交换文件… / 导入交换文件…: a PC that cannot reach the office server writes its
    waiting changes to a file; a PC connected to the server applies it there and writes the answer
    file; the first PC reads the answer (`civaffairs.sync.files`).  The work runs off the GUI
    thread; what came of it is said in a box (`last_box`, `last_message`), a refusal as the error's
    own message."""

    def __init__(self, window: QMainWindow, exchanger: Exchanger, status: SyncStatusWidget) -> None:
        super().__init__(window)
        self.window, self.exchanger, self.status = window, exchanger, status
        self.ctx: AppContext = exchanger.ctx
        self.actions: list[QAction] = []
        self.running = False
        self.done = 0  # finished exports and imports (tests)
        self.last_message = ""
        self.last_box: QMessageBox | None = None
        self._folder = ""  # where the last file was chosen

    # -- export

    def default_name(self) -> str:
        name = _("Changes of this PC")
        return f"{name}-{to_local(now_utc()):%Y%m%d-%H%M}{self._suffix()}"

    @staticmethod
    def _suffix() -> str:
        from civaffairs.sync.files import SUFFIX

        return SUFFIX

    def _in_folder(self, name: str) -> str:
        return str(Path(self._folder) / name) if self._folder else name

    def export_changes(self, path: Path | None = None) -> None:
        if self.running:
            return
        if path is None:
            name, _f = QFileDialog.getSaveFileName(self.window, _("Export exchange file"),
                                                   self._in_folder(self.default_name()), _("Exchange files (*.civsync)"))
            if not name:
                return
            path = Path(name)
            if path.suffix.lower() != self._suffix():
                path = path.with_name(path.name + self._suffix())
        target = Path(path)
        self._folder = str(target.parent)
        local = self.ctx.db

        def job() -> int:
            from civaffairs.sync import files

            return files.write_changes(local, target)

        def done(n: int) -> None:
            if n:
                text = _("{n} changes waiting on this PC were written to {file}.").format(n=n, file=target)
            else:
                text = _("No change waits on this PC; the file {file} was written all the same, and its answer "
                         "brings the office server's latest records.").format(file=target)
            text += "\n\n" + _("Next: take the file to a PC connected to the office server and import it there "
                                "(Sync → Import exchange file…); an answer file is written beside it. Bring the "
                                "answer file back and import it on this PC. Until then the changes stay waiting "
                                "here.")
            self._tell(_("Export exchange file"), text)

        self._run(_("Writing the exchange file…"), job, done)

    # -- import

    def import_file(self, path: Path | None = None) -> None:
        if self.running:
            return
        if path is None:
            name, _f = QFileDialog.getOpenFileName(self.window, _("Import exchange file"), self._folder,
                                                   _("Exchange files (*.civsync)"))
            if not name:
                return
            path = Path(name)
        source = Path(path)
        self._folder = str(source.parent)
        local = self.ctx.db
        try:
            server: Database | None = self.exchanger.server()  # made here, on the GUI thread; not connected
            no_server: BaseException | None = None
        except Exception as e:  # noqa: BLE001 - raised only if the file is a PC's changes
            server, no_server = None, e

        def job() -> Any:
            from civaffairs.sync import files

            if exchange_file_kind(source) == files.CHANGES:
                if server is None:
                    raise no_server  # type: ignore[misc]
                return files.answer_changes(server, source)
            # an answer, or a file that cannot be read: reading it on this PC says what is wrong
            # (damaged, sealed elsewhere, for another PC) without needing the server
            return files.read_answer(local, source)

        def done(result: Any) -> None:
            from civaffairs.sync import exchange, files

            if result.kind == files.CHANGES:
                if result.changes:
                    text = _("{n} changes of another PC were applied on the office server ({outcomes}).").format(
                        n=result.changes, outcomes=outcomes_text(result.outcomes))
                else:
                    text = _("The file holds no change to apply.")
                text += "\n\n" + _("The answer file was written to:\n{file}\nTake it back to that PC and import it "
                                    "there (Sync → Import exchange file…).").format(file=result.answer)
                self.exchanger.exchange_soon()  # this PC's copy of the server's records: soon
            else:
                text = _("The office server's answer was read: {n} changes of this PC answered, {received} records "
                         "received.").format(n=result.changes, received=result.received)
                if result.outcomes:
                    text += "\n" + _("Results: {outcomes}.").format(outcomes=outcomes_text(result.outcomes))
                try:
                    state = exchange.status(local)
                except Exception:  # noqa: BLE001 - the counts are a nicety
                    state = None
                if state is not None and state.waiting:
                    text += "\n" + _("{count} changes wait to be sent.").format(count=state.waiting)
                if state is not None and state.open_conflicts:
                    text += "\n" + _("{count} conflicts wait for a decision.").format(count=state.open_conflicts)
                emit(self.ctx.ops.sig_changed, frozenset())  # records came: every list refreshes
            self._tell(_("Import exchange file"), text)

        self._run(_("Reading the exchange file…"), job, done)

    # -- running and telling

    def _run(self, title: str, job: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self.running = True
        for action in self.actions:
            action.setEnabled(False)
        busy = QProgressDialog(title, "", 0, 0, self.window)
        busy.setObjectName("exchangeFileProgress")
        busy.setWindowTitle(title)
        busy.setCancelButton(None)  # a file half applied is never left: it runs to its end
        busy.setWindowModality(Qt.WindowModality.WindowModal)
        busy.setMinimumDuration(300)

        def finished(result: Any, error: BaseException | None) -> None:
            busy.reset()
            busy.deleteLater()
            self.running = False
            for action in self.actions:
                action.setEnabled(True)
            try:
                if error is not None:  # shown as its own message; anything else without a traceback
                    self.last_message = error.message if isinstance(error, CivaffairsError) else str(error)
                    present_error(self.window, error)
                else:
                    on_done(result)
            finally:
                self.done += 1
                self.status.refresh()

        run_off_gui_thread(job, finished, self)

    def _tell(self, title: str, text: str) -> None:
        """Window-modal but not blocking, like the error boxes: the caller goes on."""
        self.last_message = text
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("exchangeFileBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the path can be copied
        self.last_box = box
        box.destroyed.connect(self._box_gone)
        box.open()

    def _box_gone(self) -> None:
        self.last_box = None


# ------------------------------------------------------------------ the window


def install_sync(window: QMainWindow) -> Exchanger:
    """On a working copy: the exchanger, its line in the status bar, and a 同步 menu."""
    ctx: AppContext = window.ctx  # type: ignore[attr-defined]
    exchanger = Exchanger(ctx, window)
    status = SyncStatusWidget(ctx, exchanger)
    window.sync_status = status  # type: ignore[attr-defined]
    window.statusBar().insertPermanentWidget(0, status)
    bar = window.menuBar()
    menu = bar.addMenu(_("S&ync"))
    help_menu = bar.actions()[-2] if len(bar.actions()) > 1 else None
    if help_menu is not None:  # before 帮助, the last menu
        bar.removeAction(menu.menuAction())
        bar.insertMenu(help_menu, menu)
    now = QAction(_("Exchange with the office server now"), window)
    now.setObjectName("exchangeNowAction")
    now.triggered.connect(exchanger.exchange_now)
    menu.addAction(now)
    waiting = QAction(_("Changes waiting to be sent…"), window)
    waiting.setObjectName("waitingChangesAction")
    waiting.triggered.connect(status.open_waiting)
    menu.addAction(waiting)
    conflicts = QAction(_("Conflicts…"), window)
    conflicts.setObjectName("conflictsAction")
    conflicts.triggered.connect(status.open_conflicts)
    menu.addAction(conflicts)
    window.conflicts_action = conflicts  # type: ignore[attr-defined]
    menu.addSeparator()  # without a network: a file on a USB stick
    file_exchange = FileExchange(window, exchanger, status)
    window.file_exchange = file_exchange  # type: ignore[attr-defined]
    export = QAction(_("Export exchange file…"), window)
    export.setObjectName("exportExchangeFileAction")
    export.triggered.connect(lambda: file_exchange.export_changes())
    menu.addAction(export)
    window.export_exchange_action = export  # type: ignore[attr-defined]
    import_ = QAction(_("Import exchange file…"), window)
    import_.setObjectName("importExchangeFileAction")
    import_.triggered.connect(lambda: file_exchange.import_file())
    menu.addAction(import_)
    window.import_exchange_action = import_  # type: ignore[attr-defined]
    file_exchange.actions = [export, import_]
    exchanger.start()
    return exchanger
