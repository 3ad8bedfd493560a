"""A damaged, empty or foreign database file is never opened: a typed error naming the file and
the latest verified backup, on every command-line path a Chinese line and exit code 1."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from civaffairs.accounts.roles import Actor
from civaffairs.backup import service
from civaffairs.cli import main
from civaffairs.core.errors import DatabaseDamaged
from civaffairs.core.paths import DATABASE_FILE
from civaffairs.db.bootstrap import open_database
from tests.helpers import bulk_check_ins, bulk_staff, make_staff

ROOT = Path(__file__).resolve().parents[1]


def _garbage_in_the_middle(db_file: Path) -> None:
    size = db_file.stat().st_size
    with db_file.open("r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(65536))


@pytest.fixture
def big_database(data_dir: Path) -> Path:
    """A database of 100,000 check-ins, its write-ahead log folded in (as after closing)."""
    db = open_database(data_dir)
    with db.write() as s:
        staff = bulk_staff(s, [f"职工{i}" for i in range(500)])
        bulk_check_ins(s, staff, [date(2021, 1, 1) + timedelta(days=d) for d in range(200)])
    db.dispose()
    return data_dir / DATABASE_FILE


def test_garbage_in_the_middle_of_a_large_database_is_noticed_at_start_quickly(
        big_database: Path, data_dir: Path) -> None:
    started = time.perf_counter()
    open_database(data_dir).dispose()  # the check runs on a sound file too
    sound = time.perf_counter() - started
    _garbage_in_the_middle(big_database)
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(data_dir)
    assert str(big_database) in caught.value.message and "已损坏" in caught.value.message
    assert sound < 2.0  # about 0.1 s of quick_check on this machine


def test_an_empty_file_is_not_taken_for_a_new_database(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / DATABASE_FILE).write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="未找到经过校验的备份"):
        open_database(data_dir)
    assert (data_dir / DATABASE_FILE).stat().st_size == 0  # nothing written into it


def test_a_file_that_is_not_a_database_names_the_latest_verified_backup(data_dir: Path, admin: Actor) -> None:
    db = open_database(data_dir)
    make_staff(db, admin)
    older = service.backup_now(db, service.backups_dir(data_dir), admin, now=datetime.now() - timedelta(hours=1))
    latest = service.daily_backup(db, data_dir, admin)
    db.dispose()
    assert latest is not None and latest.created >= older.created
    (data_dir / DATABASE_FILE).write_bytes("这是一份 Word 文档，不是数据库。".encode() * 1000)
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(data_dir)
    assert caught.value.backup.path == latest.path
    assert str(latest.path) in caught.value.message


def test_a_missing_file_is_a_new_database(data_dir: Path) -> None:
    open_database(data_dir).dispose()
    assert (data_dir / DATABASE_FILE).stat().st_size > 0


COMMANDS = [
    ["demo", "--staff", "1", "--days", "1"],
    ["print", "notice", "麦民发〔2021〕1号", "--out", "{tmp}/通知.pdf"],
    ["print", "inspection", "麦民督〔2021〕1号", "--out", "{tmp}/督查.pdf"],
    ["report", "--from", "2021-10-01", "--to", "2021-10-31", "--out", "{tmp}/统计.xlsx"],
    ["export", "bureau_office.staff", "--out", "{tmp}/台账.xlsx"],
    ["import", "bureau_office.staff", "{tmp}/台账.xlsx", "--dry-run"],
    ["imports"],
    ["imports", "--undo", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"],
    ["audit", "verify"],
    ["backup"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_line_path_says_so_in_chinese_and_exits_1(
        command: list[str], data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / DATABASE_FILE).write_bytes(b"not a database" * 100)
    (tmp_path / "台账.xlsx").write_bytes(b"")
    argv = [a.format(tmp=tmp_path) for a in command] + ["--data-dir", str(data_dir)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "数据库文件" in captured.err and str(data_dir / DATABASE_FILE) in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_the_program_in_a_subprocess_prints_the_message_without_a_traceback(big_database: Path, data_dir: Path,
                                                                           tmp_path: Path) -> None:
    _garbage_in_the_middle(big_database)
    env = {**os.environ, "CIVAFFAIRS_LANG": "zh_CN"}
    env.pop("CIVAFFAIRS_HOME", None)
    done = subprocess.run([sys.executable, "-m", "civaffairs", "report", "--from", "2021-10-01", "--to",
                           "2021-10-31", "--out", str(tmp_path / "统计.xlsx"), "--data-dir", str(data_dir)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "已损坏" in done.stderr and str(big_database) in done.stderr
    assert "Traceback" not in done.stderr
    # The list of backups still answers: it is where the message sends the administrator.
    listing = subprocess.run([sys.executable, "-m", "civaffairs", "backups", "--data-dir", str(data_dir)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert listing.returncode == 0 and "Traceback" not in listing.stderr


def test_restore_on_the_command_line_replaces_a_damaged_database(data_dir: Path, admin: Actor,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(data_dir)
    make_staff(db, admin)
    info = service.backup_now(db, service.backups_dir(data_dir), admin)
    db.dispose()
    _garbage_in_the_middle(data_dir / DATABASE_FILE)
    (data_dir / DATABASE_FILE).write_bytes(b"")
    assert main(["restore", str(info.path), "--yes", "--data-dir", str(data_dir)]) == 0
    assert "已恢复" in capsys.readouterr().out
    open_database(data_dir).dispose()
