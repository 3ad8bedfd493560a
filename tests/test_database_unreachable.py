"""A lost PostgreSQL server is one typed error with a Chinese message, nothing half-written
remains, and the program reconnects by itself when the server is back (pool pre-ping).

The shared test server is never stopped: the loss is made by terminating this database's own
server processes (`pg_terminate_backend`, what a server restart does to them) and by a server
address where nothing listens."""
from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import DatabaseUnreachable
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.bureau_office.models import StaffMember
from civaffairs.records import service as records
from tests.helpers import drop_postgres_schema, make_staff, postgres_schema, staff_values, table_count

POSTGRES_URL = os.environ.get("CIVAFFAIRS_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="CIVAFFAIRS_TEST_POSTGRES_URL is not set")
MESSAGE = "无法连接数据库服务器，请检查网络或联系管理员。您的输入未丢失，恢复连接后可以重新保存。"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg_db(data_dir: Path) -> Iterator[Database]:
    if not POSTGRES_URL:
        pytest.skip("CIVAFFAIRS_TEST_POSTGRES_URL is not set")
    url, schema = postgres_schema(POSTGRES_URL)
    database = open_database(data_dir, url)
    yield database
    database.dispose()
    drop_postgres_schema(POSTGRES_URL, schema)


@pytest.fixture
def terminator() -> Iterator[object]:
    """A separate connection to the server that ends other connections, as a restart does."""
    assert POSTGRES_URL
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

    def terminate(pids: set[int]) -> None:
        with engine.connect() as c:
            for pid in pids:
                c.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    yield terminate
    engine.dispose()


def _server_pids(db: Database) -> set[int]:
    """The server processes behind this database's pooled connections."""
    pids: set[int] = set()
    conns = [db.engine.connect() for _ in range(db.engine.pool.checkedin() or 1)]
    for c in conns:
        pids.add(int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))
    for c in conns:
        c.close()
    return pids


def test_no_server_at_the_address_is_a_typed_chinese_error() -> None:
    db = Database(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/civaffairs")
    try:
        for transaction in (db.write, db.read, db.snapshot):
            with pytest.raises(DatabaseUnreachable) as e:
                with transaction() as s:
                    s.execute(text("SELECT 1"))
            assert e.value.message == MESSAGE
    finally:
        db.dispose()


def test_sqlite_errors_stay_as_they_are(sqlite_db: Database) -> None:
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError):
        with sqlite_db.write() as s:
            s.execute(text("SELECT * FROM no_such_table"))


@needs_postgres
def test_server_lost_in_the_middle_of_a_write(pg_db: Database, admin: Actor, terminator) -> None:  # type: ignore[no-untyped-def]
    """The first record is flushed, then the server ends the connection before the second: the
    write fails as unreachable and the first record is not there either."""
    with pytest.raises(DatabaseUnreachable) as e:
        with pg_db.write() as s:
            records.create(s, admin, bo.STAFF, staff_values(name="张伟"))
            terminator({int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())})
            records.create(s, admin, bo.STAFF, staff_values(name="李娜"))
    assert e.value.message == MESSAGE
    assert table_count(pg_db, StaffMember) == 0
    # Back (the server never went away for new connections): the next write just works.
    make_staff(pg_db, admin, name="王芳")
    assert table_count(pg_db, StaffMember) == 1


@needs_postgres
def test_pooled_connections_ended_by_a_restart_reconnect_by_themselves(pg_db: Database, admin: Actor,
                                                                       terminator) -> None:  # type: ignore[no-untyped-def]
    make_staff(pg_db, admin, name="张伟")
    terminator(_server_pids(pg_db))  # every pooled connection is now dead
    make_staff(pg_db, admin, name="李娜")  # pre-ping notices and reconnects: no error at all
    assert table_count(pg_db, StaffMember) == 2


class NetworkCable:
    """A TCP relay between the program and the test server: pulling it out drops every
    connection and refuses new ones, as a lost network or a stopped server does; plugging it back
    in on the same port is the server coming back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def plug_in(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def pull_out(self) -> None:
        assert self._listener is not None
        for s in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    @staticmethod
    def _relay(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_RDWR)


@needs_postgres
def test_network_lost_then_back_without_a_restart(admin: Actor, tmp_path: Path) -> None:
    """One Database, as the window holds it: the network goes while a write is under way and
    while idle; both writes fail as unreachable with nothing half-written; when the network is
    back the next write succeeds on the same Database."""
    assert POSTGRES_URL
    server = make_url(POSTGRES_URL)
    url, schema = postgres_schema(POSTGRES_URL)
    cable = NetworkCable((server.host or "127.0.0.1", server.port or 5432))
    cable.plug_in()
    db = open_database(tmp_path, make_url(url).set(host="127.0.0.1", port=cable.port).render_as_string(False))
    direct = Database(url)  # the test's own view of the server, not through the cable
    try:
        make_staff(db, admin, name="张伟")
        with pytest.raises(DatabaseUnreachable) as e:
            with db.write() as s:
                records.create(s, admin, bo.STAFF, staff_values(name="李娜"))
                cable.pull_out()
                records.create(s, admin, bo.STAFF, staff_values(name="赵敏"))
        assert e.value.message == MESSAGE
        with pytest.raises(DatabaseUnreachable):
            make_staff(db, admin, name="刘洋")
        with pytest.raises(DatabaseUnreachable):
            _staff(db)
        assert [r.name for r in _staff(direct)] == ["张伟"]
        cable.plug_in()
        make_staff(db, admin, name="王芳")
        assert sorted(r.name for r in _staff(db)) == ["张伟", "王芳"]
    finally:
        cable.pull_out()
        db.dispose()
        direct.dispose()
        drop_postgres_schema(POSTGRES_URL, schema)


def _staff(db: Database) -> list[StaffMember]:
    with db.read() as s:
        return list(s.scalars(select(StaffMember)))
