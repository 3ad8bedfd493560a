"""`civaffairs demo`: an empty folder becomes a database with demo accounts and data."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.models import User
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.cli import main
from civaffairs.core.paths import DATABASE_FILE
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.demo import DEMO_ACCOUNTS, DEMO_OFFICE
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.bureau_office.models import DisinfectionLog, HealthCheckIn, StaffMember, Visitor
from tests.helpers import table_count

USERNAMES = [a[0] for a in DEMO_ACCOUNTS]


def _passwords(output: str) -> dict[str, str]:
    """The account lines: "  username  role  password"."""
    found = {}
    for line in output.splitlines():
        m = re.match(r"^\s+(\S+)\s.*\s(\S+)\s*$", line)
        if m and m[1] in USERNAMES:
            found[m[1]] = m[2]
    return found


def _demo(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["demo", *args, "--staff", "5", "--days", "2"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_demo_on_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "empty"
    code, output = _demo(["--data-dir", str(data_dir)], capsys)
    assert code == 0, output
    assert (data_dir / DATABASE_FILE).exists()
    passwords = _passwords(output)
    assert sorted(passwords) == sorted(USERNAMES)
    for password in passwords.values():
        assert output.count(password) == 1
        assert len(password) >= accounts.MIN_PASSWORD_LENGTH

    db = open_database(data_dir)
    try:
        _check_filled(db, staff=5)
        with db.read() as s:
            assert accounts.office_name(s) == DEMO_OFFICE
            hashes = list(s.scalars(select(User.password_hash)))
        assert all(h.startswith("$argon2id$") for h in hashes)
        assert not any(p in h for p in passwords.values() for h in hashes)
        for username, display, role, groups in DEMO_ACCOUNTS:
            actor = accounts.login(db, username, passwords[username])
            assert (actor.role, actor.groups, actor.display_name) == (role, frozenset(groups), display)
    finally:
        db.dispose()

    # Again on the same folder: more data, no new accounts, no passwords shown.
    code, output = _demo(["--data-dir", str(data_dir)], capsys)
    assert code == 0, output
    assert _passwords(output) == {}
    db = open_database(data_dir)
    try:
        assert table_count(db, StaffMember) == 10
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(User)) == len(DEMO_ACCOUNTS)
    finally:
        db.dispose()
    assert not (data_dir / "backups").exists() or not any((data_dir / "backups").iterdir())


def test_demo_on_each_backend(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _demo(["--data-dir", str(tmp_path / "elsewhere"), "--database-url", db.url], capsys)
    assert code == 0, output
    assert sorted(_passwords(output)) == sorted(USERNAMES)
    _check_filled(db, staff=5)
    code, output = _demo(["--data-dir", str(tmp_path / "elsewhere"), "--database-url", db.url], capsys)
    assert code == 0, output
    assert table_count(db, StaffMember) == 10


def _check_filled(db: Database, staff: int) -> None:
    assert table_count(db, StaffMember) == staff
    assert 0 < table_count(db, HealthCheckIn) <= staff * 2
    assert table_count(db, DisinfectionLog) == 12  # 2 days, twice a day, 3 areas
    with db.read() as s:
        entries = list(s.scalars(select(AuditEntry)))
    # Everything the command made is audited under the command-line actor.
    made = [e for e in entries if e.action == "create"]
    assert made and {e.actor for e in made} == {COMMAND_LINE_ACTOR.username}
    registers = {e.register for e in made}
    assert {bo.STAFF.key, bo.CHECK_INS.key, bo.DISINFECTION.key, accounts.REGISTER} <= registers
    assert sum(1 for e in made if e.register == bo.STAFF.key) == table_count(db, StaffMember)
    assert sum(1 for e in made if e.register == bo.CHECK_INS.key) == table_count(db, HealthCheckIn)
    assert sum(1 for e in made if e.register == bo.VISITORS.key) == table_count(db, Visitor)
    assert sum(1 for e in made if e.register == accounts.REGISTER) == len(DEMO_ACCOUNTS)
    with db.read() as s:
        roles = {u: r for u, r in s.execute(select(User.username, User.role))}
    assert roles == {u: r.value for u, _, r, _ in DEMO_ACCOUNTS}
    assert roles["admin"] == Role.ADMINISTRATOR
