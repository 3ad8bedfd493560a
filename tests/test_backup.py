"""Backups: taken while others write, verified, listed, pruned, restored; administrators only."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.backup import service
from civaffairs.backup.retention import to_keep
from civaffairs.core.errors import PermissionDenied
from civaffairs.core.paths import DATABASE_FILE
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.models import StaffMember
from tests.helpers import audit_count, bulk_staff, make_staff, table_count


def _staff(db: Database, n: int) -> None:
    with db.write() as s:
        bulk_staff(s, [f"职工{i}" for i in range(n)])


def test_backup_while_another_connection_writes_counts_the_state_copied(
        sqlite_db: Database, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    _staff(sqlite_db, 3000)
    writer = sqlite3.connect(str(data_dir / DATABASE_FILE), isolation_level=None, timeout=10)
    written = []

    def write_meanwhile(_done: int, _total: int, _text: str) -> None:
        # Another program's commit between two steps of the copy: in neither the copy nor its counts.
        writer.execute("INSERT INTO bureau_staff_member (id, name, department, post, phone, id_number, "
                       "working_groups, version, created_at, created_by, updated_at, updated_by) "
                       "SELECT randomblob(16), name || '新', department, post, phone, hex(randomblob(9)), working_groups, 1, "
                       "created_at, created_by, updated_at, updated_by FROM bureau_staff_member LIMIT 1")
        written.append(1)

    info = service.backup_now(sqlite_db, tmp_path / "usb", admin, progress=write_meanwhile)
    writer.close()
    assert written, "the copy took more than one step"
    assert info.verified, info.problems
    assert info.counts["bureau_staff_member"] == 3000
    assert table_count(sqlite_db, StaffMember) == 3000 + len(written)
    with sqlite3.connect(info.path) as copy:
        assert copy.execute("SELECT count(*) FROM bureau_staff_member").fetchone()[0] == 3000
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()
    assert info.path.name.startswith(f"civaffairs-{datetime.now():%Y-%m-%d}-")
    side = json.loads(service.sidecar_path(info.path).read_text(encoding="utf-8"))
    assert side["verified"] is True and side["by"] == "admin" and side["size"] == info.path.stat().st_size
    assert side["counts"]["bureau_staff_member"] == 3000


def test_a_backup_is_listed_newest_first_and_audited(sqlite_db: Database, admin: Actor, data_dir: Path) -> None:
    make_staff(sqlite_db, admin)
    first = service.backup_now(sqlite_db, service.backups_dir(data_dir), admin, now=datetime(2026, 12, 1, 9, 0))
    second = service.backup_now(sqlite_db, service.backups_dir(data_dir), admin)
    listed = service.known_backups(data_dir)
    assert [b.path for b in listed] == [second.path, first.path]
    assert listed[0].verified and listed[0].counts["bureau_staff_member"] == 1
    assert listed[0].result_text == "校验通过"
    assert audit_count(sqlite_db, action="backup") == 2
    with sqlite_db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "backup")).first()
    assert entry.actor == "admin" and entry.record_label == first.path.name


def test_verify_notices_a_damaged_or_changed_backup(sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    _staff(sqlite_db, 2000)
    info = service.backup_now(sqlite_db, tmp_path / "b", admin)
    assert service.verify_backup(info.path).verified
    with info.path.open("r+b") as f:
        f.seek(info.size // 2)
        f.write(os.urandom(65536))
    again = service.verify_backup(info.path)
    assert again.verified is False
    assert "写入后被改动" in "；".join(again.problems)
    assert service.describe(info.path).verified is False  # the result is kept in the sidecar


def test_migration_backups_are_verified_and_listed(tmp_path: Path, data_dir: Path) -> None:
    from civaffairs.db.migrate import backup_sqlite

    db = open_database(data_dir)
    db.dispose()
    path = backup_sqlite(data_dir / DATABASE_FILE, service.backups_dir(data_dir), "before-0099")
    listed = service.known_backups(data_dir)
    assert [b.path for b in listed] == [path]
    assert listed[0].kind == "before-migration" and listed[0].verified


def test_non_administrators_may_not_back_up_or_restore(sqlite_db: Database, leader: Actor, office_member: Actor,
                                                      admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    info = service.backup_now(sqlite_db, tmp_path / "b", admin)
    for actor in (leader, office_member):
        with pytest.raises(PermissionDenied):
            service.backup_now(sqlite_db, tmp_path / "b", actor)
        with pytest.raises(PermissionDenied):
            service.restore(data_dir, info.path, actor, sqlite_db)
    # The automatic daily backup is the program's own, whoever is logged in.
    daily = service.daily_backup(sqlite_db, data_dir, office_member)
    assert daily is not None and daily.verified and daily.kind == "daily"
    assert service.daily_backup(sqlite_db, data_dir, office_member) is None  # not due again today


def test_restore_keeps_a_verified_copy_first_and_audits_in_the_restored_database(
        data_dir: Path, admin: Actor, tmp_path: Path) -> None:
    db = open_database(data_dir)
    make_staff(db, admin, name="备份前")
    info = service.backup_now(db, tmp_path / "usb", admin)
    make_staff(db, admin, name="备份后")
    result = service.restore(data_dir, info.path, admin, db)
    assert result.kept is not None and result.kept.parent == service.backups_dir(data_dir)
    kept = service.describe(result.kept)
    assert kept.kind == "before-restore" and kept.verified and kept.counts["bureau_staff_member"] == 2
    assert not (data_dir / (DATABASE_FILE + "-wal")).exists() or (data_dir / (DATABASE_FILE + "-wal")).stat().st_size == 0
    reopened = open_database(data_dir)
    try:
        with reopened.read() as s:
            assert s.scalars(select(StaffMember.name)).all() == ["备份前"]
        assert audit_count(reopened, action="backup_restore") == 1
    finally:
        reopened.dispose()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(sqlite_db: Database, admin: Actor, data_dir: Path,
                                                             tmp_path: Path) -> None:
    _staff(sqlite_db, 2000)
    info = service.backup_now(sqlite_db, tmp_path / "b", admin)
    with info.path.open("r+b") as f:
        f.seek(info.size // 2)
        f.write(os.urandom(65536))
    with pytest.raises(service.BackupFailed, match="未通过校验"):
        service.restore(data_dir, info.path, admin, sqlite_db)
    assert table_count(sqlite_db, StaffMember) == 2000
    assert not any(b.kind == "before-restore" for b in service.known_backups(data_dir))
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(service.BackupFailed, match="不是本程序"):
        service.restore(data_dir, foreign, admin, sqlite_db)


def test_restore_of_an_older_backup_migrates_it(data_dir: Path, admin: Actor, tmp_path: Path) -> None:
    from sqlalchemy import text

    db = open_database(data_dir)
    make_staff(db, admin)
    info = service.backup_now(db, tmp_path / "b", admin)
    with sqlite3.connect(info.path) as conn:  # as if taken before the last migration
        head = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.close()
    from civaffairs.db.migrate import alembic_config
    from alembic.script import ScriptDirectory

    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    from alembic import command
    from civaffairs.db.database import make_engine

    engine = make_engine(f"sqlite:///{info.path}")
    cfg = alembic_config()
    with engine.begin() as c:
        cfg.attributes["connection"] = c
        command.downgrade(cfg, previous)
    engine.dispose()
    service.verify_backup(info.path)  # its counts changed with the downgrade: described afresh
    shutil.copy(info.path, tmp_path / "old.sqlite3")
    info_old = service.backup_file(tmp_path / "old.sqlite3", tmp_path / "c", "manual", "admin")
    service.restore(data_dir, info_old.path, admin, db)
    restored = Database(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with restored.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    finally:
        restored.dispose()


def test_postgresql_backup_calls_pg_dump(db: Database, admin: Actor, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL only")
    make_staff(db, admin)
    if shutil.which("pg_dump"):
        info = service.backup_now(db, tmp_path / "pg", admin)
        assert info.path.suffix == ".dump" and info.verified, info.problems
        assert info.counts["bureau_staff_member"] == 1
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(service.BackupFailed, match="pg_dump"):
        service.backup_now(db, tmp_path / "pg", admin)


# ------------------------------------------------------------------ retention


def _t(day: str, hour: int = 21) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


@pytest.mark.parametrize(("stamps", "kept"), [
    ([], []),
    (["2026-12-06"], ["2026-12-06"]),
    # two on one day: the later is that day's
    ([("2026-12-06", 9), ("2026-12-06", 21)], [("2026-12-06", 21)]),
])
def test_retention_table(stamps: list, kept: list) -> None:
    as_time = [(_t(s) if isinstance(s, str) else _t(*s)) for s in stamps]
    assert to_keep(as_time) == {(_t(s) if isinstance(s, str) else _t(*s)) for s in kept}


def test_retention_of_a_year_of_daily_backups() -> None:
    days = [_t("2026-12-06") - timedelta(days=i) for i in range(400)]
    keep = to_keep(days)
    # 7 days, then the newest of 4 weeks (this one already kept), then the newest of 12 months.
    assert set(days[:7]) <= keep
    assert _t("2026-11-29") in keep and _t("2026-11-22") in keep  # Sundays: the newest of their weeks
    assert _t("2026-11-30") in keep and _t("2026-10-31") in keep and _t("2026-01-31") in keep
    assert _t("2025-12-31") not in keep  # the thirteenth month
    assert len(keep) <= 7 + 4 + 12


@settings(max_examples=200, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)), max_size=60))
def test_retention_keeps_the_newest_and_at_most_23(stamps: list[datetime]) -> None:
    keep = to_keep(stamps)
    assert keep <= set(stamps)
    assert len(keep) <= 23
    if stamps:
        assert max(stamps) in keep
        days = sorted({s.date() for s in stamps}, reverse=True)[:7]
        assert {max(s for s in stamps if s.date() == d) for d in days} <= keep


def test_pruning_deletes_only_old_daily_backups(sqlite_db: Database, admin: Actor, data_dir: Path) -> None:
    folder = service.daily_dir(data_dir)
    start = datetime(2026, 12, 6, 21, 0)
    for i in range(30, -1, -1):
        service.backup_file(data_dir / DATABASE_FILE, folder, "daily", "admin", now=start - timedelta(days=i))
    manual = service.backup_file(data_dir / DATABASE_FILE, folder, "manual", "admin", now=start - timedelta(days=40))
    removed = service.prune_daily(folder)
    left = service.list_backups(folder)
    assert manual.path in [b.path for b in left]  # manual backups are never pruned
    # 7 days, then the newest of 3 older weeks (Sundays); both months' newest are among those
    assert sorted(b.created.date().isoformat() for b in left if b.kind == "daily") == [
        "2026-11-15", "2026-11-22", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03",
        "2026-12-04", "2026-12-05", "2026-12-06"]
    assert removed and not any(p.exists() or service.sidecar_path(p).exists() for p in removed)


def test_daily_backup_is_due_after_a_day(sqlite_db: Database, admin: Actor, data_dir: Path) -> None:
    assert service.daily_backup_due(data_dir)
    service.backup_file(data_dir / DATABASE_FILE, service.daily_dir(data_dir), "daily", "admin",
                        now=datetime.now() - timedelta(hours=25))
    assert service.daily_backup_due(data_dir)
    service.backup_file(data_dir / DATABASE_FILE, service.daily_dir(data_dir), "daily", "admin",
                        now=datetime.now() - timedelta(hours=2))
    assert not service.daily_backup_due(data_dir)


def test_backup_to_a_missing_drive_says_so(sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(service.BackupFailed, match="U盘"):
        service.backup_now(sqlite_db, blocked / "usb", admin)


def test_backup_and_restore_on_the_command_line(data_dir: Path, admin: Actor, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from civaffairs.cli import main

    db = open_database(data_dir)
    make_staff(db, admin)
    db.dispose()
    assert main(["backup", "--data-dir", str(data_dir), "--to", str(tmp_path / "usb")]) == 0
    out = capsys.readouterr().out
    assert "已备份并校验通过" in out and "1 条记录" in out
    file = next((tmp_path / "usb").glob("*.sqlite3"))
    assert main(["backups", "--data-dir", str(data_dir), "--in", str(tmp_path / "usb"), "--verify"]) == 0
    assert "1 条记录  校验通过" in capsys.readouterr().out
    assert main(["restore", str(file), "--data-dir", str(data_dir)]) == 1  # not a terminal, no --yes
    assert "--yes" in capsys.readouterr().err
    assert main(["restore", str(file), "--data-dir", str(data_dir), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "工作人员：1" in out and "已恢复" in out
    assert main(["backups", "--data-dir", str(data_dir)]) == 0
    assert "恢复前" in capsys.readouterr().out
