"""Two instances on one SQLite file (issue 14): a save that waits longer than the busy timeout for
the other's write lock (a large import is one transaction) is refused with a Chinese message and
writes nothing; the user's input stays for the next try, which succeeds once the lock is gone."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

import civaffairs.db.database as database
from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import DatabaseBusy
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.groups.bureau_office.models import StaffMember
from civaffairs.records import service as records
from tests.helpers import make_staff, staff_values


@pytest.fixture
def busy_db(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, sqlite3.Connection]]:
    """A database whose write lock another instance holds (a short busy timeout, so the test is quick)."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    db = open_database(data_dir)
    other = sqlite3.connect(str(Path(db.engine.url.database or "")), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield db, other
    other.close()
    db.dispose()


def _staff_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(StaffMember)) or 0


def test_a_save_blocked_past_the_busy_timeout_is_refused_in_chinese_and_retried_later(
        busy_db: tuple[Database, sqlite3.Connection], admin: Actor) -> None:
    db, other = busy_db
    with pytest.raises(DatabaseBusy) as e:
        make_staff(db, admin, name="王芳")
    assert "稍后再保存" in e.value.message and "locked" not in e.value.message
    other.rollback()  # the other instance's import ends
    assert _staff_count(db) == 0  # nothing of the refused save
    make_staff(db, admin, name="王芳")
    assert _staff_count(db) == 1


def test_the_window_shows_the_busy_database_in_chinese_and_keeps_the_input(
        qtbot: QtBot, busy_db: tuple[Database, sqlite3.Connection], admin: Actor,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.gui import operations as ops
    from civaffairs.gui.errors import title_for

    db, other = busy_db
    shown: list[BaseException] = []
    monkeypatch.setattr(ops, "present_error", lambda _parent, error: shown.append(error))
    operations = ops.Operations(db, admin)
    values = staff_values(name="李静")
    assert operations.write(lambda s: records.create(s, admin, STAFF, values)) is None
    (error,) = shown
    assert isinstance(error, DatabaseBusy) and title_for(error) == "数据库正忙"
    assert operations._reachable  # a busy file is not a lost server: the status bar stays as it is
    other.rollback()
    assert operations.write(lambda s: records.create(s, admin, STAFF, values)) is not None
    assert _staff_count(db) == 1
