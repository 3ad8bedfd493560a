"""Migrations give exactly the models' schema; SQLite is set up for several PCs; backups."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import civaffairs.schema
from civaffairs.accounts.roles import Actor
from civaffairs.core.paths import DATABASE_FILE
from civaffairs.db import migrate
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database, make_engine
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.records import service as records
from tests.helpers import staff_values


def _schema_differences(db: Database) -> list:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, civaffairs.schema.metadata)


def test_migrations_give_the_models_schema(db: Database) -> None:
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert _schema_differences(db) == []
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert set(civaffairs.schema.metadata.tables) <= tables


def test_downgrade_to_nothing_and_up_again(db: Database) -> None:
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    assert migrate.upgrade(db.engine) is None  # nothing to back up: no tables
    assert _schema_differences(db) == []


def test_migrating_a_migrated_database_does_nothing(db: Database) -> None:
    assert migrate.upgrade(db.engine, backup_dir=Path("/nonexistent/never/used")) is None


def test_sqlite_pragmas(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_foreign_keys_are_enforced(sqlite_db: Database) -> None:
    import uuid

    with sqlite_db.engine.connect() as conn, pytest.raises(Exception, match="FOREIGN KEY"):
        conn.exec_driver_sql(
            "INSERT INTO bureau_health_check_in (id, version, staff_id, day, health_code, travelled_outside, notes,"
            " created_at, created_by, updated_at, updated_by) VALUES (?, 1, ?, '2021-10-25', 'green', 0, '',"
            " '2021-10-25 00:00:00', 'x', '2021-10-25 00:00:00', 'x')",
            (uuid.uuid4().hex, uuid.uuid4().hex),
        )


def test_new_database_takes_no_backup_and_reopening_neither(data_dir: Path) -> None:
    db = open_database(data_dir)
    db.dispose()
    assert (data_dir / DATABASE_FILE).exists()
    assert not (data_dir / "backups").exists()
    db = open_database(data_dir)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    finally:
        db.dispose()
    assert not (data_dir / "backups").exists() or not any((data_dir / "backups").iterdir())


def test_older_database_is_backed_up_before_migrating(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db_file = data_dir / DATABASE_FILE
    # A file from before the program kept its schema version: a table but no alembic_version.
    with sqlite3.connect(db_file) as conn:
        conn.execute("CREATE TABLE legacy_register (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO legacy_register (name) VALUES ('张伟')")
    conn.close()

    db = open_database(data_dir)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        assert _schema_differences(db) != []  # the old table is still there, untouched
    finally:
        db.dispose()
    backups = [f for f in (data_dir / "backups").iterdir() if f.suffix != ".json"]  # not the sidecar
    assert len(backups) == 1
    assert migrate.head_revision() in backups[0].name
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT name FROM legacy_register").fetchall() == [("张伟",)]
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    copy.close()
    assert "alembic_version" not in tables  # the copy is of the state before migrating


def test_upgrade_returns_the_backup(tmp_path: Path) -> None:
    db_file = tmp_path / "old.sqlite"
    with sqlite3.connect(db_file) as conn:
        conn.execute("CREATE TABLE legacy (id INTEGER PRIMARY KEY)")
    conn.close()
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        backup = migrate.upgrade(engine, backup_dir=tmp_path / "backups")
        assert backup is not None and backup.exists() and backup.parent == tmp_path / "backups"
        assert migrate.upgrade(engine, backup_dir=tmp_path / "backups") is None
    finally:
        engine.dispose()
    assert len([f for f in (tmp_path / "backups").iterdir() if f.suffix != ".json"]) == 1


def test_two_programs_write_to_one_sqlite_file_at_once(data_dir: Path, office_member: Actor) -> None:
    """Two PCs (two Database objects) saving at the same moment: BEGIN IMMEDIATE makes the second
    wait for the first instead of failing with "database is locked"."""
    first = open_database(data_dir)
    second = Database(first.url)
    errors: list[BaseException] = []
    per_thread = 15
    start = threading.Barrier(2)

    def work(db: Database, prefix: str) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with db.write() as s:
                    # Read first (the rules do), then write, holding the transaction open a little.
                    records.count(s, office_member, bo.STAFF)
                    records.create(s, office_member, bo.STAFF, staff_values(name=f"{prefix}{i}"))
                    time.sleep(0.005)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(db, p)) for db, p in ((first, "甲"), (second, "乙"))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        with first.read() as s:
            assert records.count(s, office_member, bo.STAFF) == 2 * per_thread
    finally:
        first.dispose()
        second.dispose()


def test_readers_do_not_block_a_writer(data_dir: Path, office_member: Actor) -> None:
    first = open_database(data_dir)
    second = Database(first.url)
    try:
        with first.read() as reading:
            assert records.count(reading, office_member, bo.STAFF) == 0
            with second.write() as s:  # WAL: a write while the other PC reads
                records.create(s, office_member, bo.STAFF, staff_values())
            assert records.count(reading, office_member, bo.STAFF) == 0  # its snapshot
        with first.read() as s:
            assert records.count(s, office_member, bo.STAFF) == 1
    finally:
        first.dispose()
        second.dispose()


# ------------------------------------------------------------------ where the data lives


def test_data_folder_and_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civaffairs.core import paths

    monkeypatch.delenv("CIVAFFAIRS_HOME", raising=False)
    monkeypatch.delenv("CIVAFFAIRS_DATABASE_URL", raising=False)
    assert paths.resolve_data_dir(tmp_path) == tmp_path
    assert paths.resolve_data_dir(None, saved=str(tmp_path / "saved")) == tmp_path / "saved"
    monkeypatch.setenv("CIVAFFAIRS_HOME", str(tmp_path / "env"))
    assert paths.resolve_data_dir(None, saved=str(tmp_path / "saved")) == tmp_path / "env"
    assert paths.resolve_data_dir(tmp_path / "cli") == tmp_path / "cli"
    assert paths.resolve_database_url(tmp_path) == f"sqlite:///{(tmp_path / DATABASE_FILE).as_posix()}"
    monkeypatch.setenv("CIVAFFAIRS_DATABASE_URL", "postgresql+psycopg://u:secret@server:5433/civ")
    assert paths.resolve_database_url(tmp_path) == "postgresql+psycopg://u:secret@server:5433/civ"
    shown = paths.describe_url(paths.resolve_database_url(tmp_path))
    assert "secret" not in shown and "server:5433/civ" in shown


def test_the_head_constant_names_the_newest_migration() -> None:
    """`civaffairs.db.migrations.HEAD` lets an up-to-date start skip Alembic; it must be true."""
    from civaffairs.db.migrate import head_revision
    from civaffairs.db.migrations import HEAD

    assert head_revision() == HEAD
