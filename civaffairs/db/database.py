"""Engine and transactions.  Qt code never opens a session itself: the GUI's operation helper
and the command-line jobs call `Database.write()` / `read()` around a service call, so that one
user action is exactly one transaction."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from civaffairs.core.errors import DatabaseBusy, DatabaseUnreachable

SQLITE_BUSY_TIMEOUT_MS = 10_000
WORKING_COPY = "civaffairs_working_copy"
"""The key of `Session.info` that marks a write on a PC's working copy of the office server: the
services then queue each change for the server too (`civaffairs.sync.capture`)."""


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself, so write transactions can take the lock
    # up front (BEGIN IMMEDIATE) instead of failing half-way with "database is locked".
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    if conn.get_execution_options().get("civaffairs_write", False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # may wait for the lock: its errors come as SQLAlchemy's
    else:
        # A deferred BEGIN takes no lock and cannot fail; sent straight to the driver it costs a
        # tenth of a full statement, which a list's page (a fraction of a millisecond) notices.
        conn.connection.driver_connection.execute("BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        # Every transaction is ended by whoever began it (Database.read/write roll back or commit;
        # a Connection rolls back what it began when closed), so the pool's own rollback of each
        # returned connection is a second one: it cost a third of a small list read (a count).
        kwargs.setdefault("pool_reset_on_return", None)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _read_only(session: Session, _flush_context: Any, _instances: Any) -> None:
    # Writes go through Database.write(); a read's transaction is rolled back, so a change made in
    # one would be lost without a word.
    raise RuntimeError("a read transaction may not write: use Database.write()")


def _server_gone(error: DBAPIError) -> bool:
    """The server or the network is gone, as opposed to an error the server itself reported
    (a conflict, a constraint): the connection was invalidated, a connect failed (no SQLSTATE),
    or the server said it is shutting down or terminated us (SQLSTATE class 08, 57P01–57P03)."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is None:
        return isinstance(error, OperationalError)
    return sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03")


def _sqlite_busy(error: DBAPIError) -> bool:
    """SQLite waited the whole busy timeout for another connection's lock (SQLITE_BUSY/LOCKED)."""
    text = str(error.orig).lower()
    return isinstance(error, OperationalError) and ("database is locked" in text or "database is busy" in text
                                                    or "database table is locked" in text)


class Database:
    def __init__(self, url: str, engine: Engine | None = None):
        self.url = url
        self.engine = engine or make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._read, "before_flush", _read_only)
        self._write = sessionmaker(
            self.engine.execution_options(civaffairs_write=True), expire_on_commit=False
        )
        self.working_copy = False
        """Whether this is a PC's working copy of an office server (`civaffairs.sync`): set by
        whoever opens it, from its exchange state."""
        self.account_check: Callable[[Session], None] | None = None
        """Run first in every write transaction: the logged-in account's re-check, set by
        `accounts.service.sign_in` (the window's log-in; the command line sets none)."""

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        """A lost PostgreSQL server becomes one typed error instead of the driver's English text.
        The pool pre-pings every connection it hands out, so the next action reconnects by
        itself.  SQLite's own errors stay as they are (no server to lose)."""
        try:
            yield
        except DBAPIError as e:
            if self.is_sqlite and _sqlite_busy(e):
                raise DatabaseBusy() from e
            if self.is_sqlite or not _server_gone(e):
                raise
            raise DatabaseUnreachable() from e

    @contextmanager
    def write(self, *, check_account: bool = True) -> Iterator[Session]:
        """One transaction for one user action: committed at the end, rolled back on any error.
        The logged-in account is re-checked first (`account_check`), so that no service can
        forget it; only a log-in, which is that check itself, passes `check_account=False`."""
        with self._server_errors(), self._write() as session, session.begin():
            if self.working_copy:
                session.info[WORKING_COPY] = True
            if check_account and self.account_check is not None:
                self.account_check(session)
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: rolled back at the end (no commit to prepare, nothing to
        flush).  A read session that would write anything refuses it loudly (`_read_only`)."""
        with self._server_errors(), self._read() as session:
            session.begin()
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read that sees one state of the database throughout (a long printout read page by
        page must not shift when someone saves meanwhile).  A SQLite read transaction already
        does; PostgreSQL needs REPEATABLE READ."""
        if self.is_sqlite:
            with self.read() as session:
                yield session
            return
        engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
        with self._server_errors(), Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
