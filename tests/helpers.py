"""Shared helpers for the Qt-free tests: valid ID numbers, staff members and check-ins made
through the service, and a bulk loader for large registers."""
from __future__ import annotations

import random
import shutil
import subprocess
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.core.ids import new_id
from civaffairs.db.database import Database
from civaffairs.demo import resident_id
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.bureau_office.models import HealthCheckIn, StaffMember
from civaffairs.records import service as records

_rng = random.Random(11643)
_used_ids: set[str] = set()

# A date safely in the past whatever the test machine's clock and zone.
PAST = date(2021, 10, 25)


def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest: a test logs in many times, and the real cost is a second each."""
    from argon2 import PasswordHasher

    from civaffairs.accounts import service as accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def check_digit(body17: str) -> str:
    """GB 11643 check character for the first 17 digits (stdnum wants the full length)."""
    return ric.calc_check_digit(body17 + "0")


def make_id(region: str = "620503", born: date = date(1985, 6, 15), seq: int = 123) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def fresh_id(born: date | None = None, male: bool | None = None) -> str:
    """A valid resident ID number not handed out before in this test run."""
    while True:
        b = born or date(_rng.randrange(1960, 2000), _rng.randrange(1, 13), _rng.randrange(1, 29))
        number = resident_id(_rng, b, _rng.random() < 0.5 if male is None else male)
        if number not in _used_ids:
            _used_ids.add(number)
            return number


def wrong_check_digit(number: str) -> str:
    last = number[17]
    choices = [c for c in "0123456789X" if c != last]
    return number[:17] + choices[0]


def fresh_mobile() -> str:
    return "139" + f"{_rng.randrange(10**8):08d}"


def staff_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "张伟", "department": "办公室", "post": "科员", "phone": fresh_mobile(),
        "id_number": fresh_id(), "working_groups": ["1"],
    }
    values.update(overrides)
    return values


def check_in_values(staff_id: uuid.UUID, day: date = PAST, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "staff_id": staff_id, "day": day, "morning_temperature": Decimal("36.5"),
        "afternoon_temperature": Decimal("36.6"), "health_code": "green", "travelled_outside": False, "notes": "",
    }
    values.update(overrides)
    return values


def visitor_values(**overrides: Any) -> dict[str, Any]:
    time_in = datetime(2021, 10, 25, 1, 30, tzinfo=timezone.utc)
    values: dict[str, Any] = {
        "time_in": time_in, "time_out": time_in + timedelta(minutes=40), "name": "李娜",
        "id_number": fresh_id(), "phone": fresh_mobile(), "work_unit": "区卫健局", "person_visited": "办公室",
        "temperature": Decimal("36.4"), "health_code": "green", "itinerary_card_checked": True, "purpose": "送达文件",
    }
    values.update(overrides)
    return values


def make_staff(db: Database, actor: Actor, **overrides: Any) -> records.Row:
    with db.write() as s:
        return records.create(s, actor, bo.STAFF, staff_values(**overrides))


def make_check_in(db: Database, actor: Actor, staff_id: uuid.UUID, day: date = PAST, **overrides: Any) -> records.Row:
    with db.write() as s:
        return records.create(s, actor, bo.CHECK_INS, check_in_values(staff_id, day, **overrides))


def audit_count(db: Database, **where: Any) -> int:
    """Audit entries matching `where` (column=value), read directly, whoever may read them."""
    stmt = select(func.count()).select_from(AuditEntry)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    with db.read() as s:
        return s.scalar(stmt) or 0


def audit_entries(db: Database, record_id: uuid.UUID) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.record_id == record_id)
                              .order_by(AuditEntry.record_version, AuditEntry.at)))


def table_count(db: Database, model: type) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


# ------------------------------------------------------------------ bulk data


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def bulk_staff(session: Session, names: list[str], *, by: str = "bulk") -> list[uuid.UUID]:
    """Insert staff members directly (no validation, no audit): for volume tests only."""
    now = datetime.now(timezone.utc)
    rows = []
    for name in names:
        rows.append(dict(id=new_id(), version=1, created_at=now, created_by=by, updated_at=now, updated_by=by,
                         name=name, department="办公室", post="科员", phone=fresh_mobile(), id_number=fresh_id(),
                         working_groups=["1"]))
    for chunk in _chunks(rows, 2000):
        session.execute(insert(StaffMember), chunk)
    return [r["id"] for r in rows]


def bulk_check_ins(session: Session, staff_ids: list[uuid.UUID], days: list[date], *,
                   by: str = "bulk") -> list[dict[str, Any]]:
    """One check-in per staff member and day, inserted directly with `insert(HealthCheckIn)` in
    executemany batches (no validation, no audit): for volume tests.  Every 50th is yellow and
    every 997th red.  Returns the inserted rows."""
    now = datetime.now(timezone.utc)
    rows = []
    i = 0
    for day in days:
        for staff_id in staff_ids:
            code = "red" if i % 997 == 0 else "yellow" if i % 50 == 0 else "green"
            rows.append(dict(id=new_id(), version=1, created_at=now, created_by=by, updated_at=now, updated_by=by,
                             staff_id=staff_id, day=day, morning_temperature=360 + i % 12,
                             afternoon_temperature=None, health_code=code, travelled_outside=False, notes=""))
            i += 1
    for chunk in _chunks(rows, 10_000):
        session.execute(insert(HealthCheckIn), chunk)
    return rows


# The example number from GB 11643's own description.
KNOWN_ID = "11010519491231002X"


# ------------------------------------------------------------------ PostgreSQL schemas


def postgres_schema(server_url: str) -> tuple[str, str]:
    """A fresh schema on the test server and a URL that works in it (through search_path), for
    tests that need a database beyond the per-test `db` fixture."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_postgres_schema(server_url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def assert_fonts_embedded(pdf: bytes, tmp_path: Path) -> None:
    """pdffonts says every font of `pdf` is embedded (none named only, like Helvetica, which a PC
    without it would replace)."""
    if not shutil.which("pdffonts"):
        pytest.skip("poppler's pdffonts is not installed")
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), lines  # every font embedded


def copy_records(source: Database, target: Database) -> None:
    """Every row of every table of `source` into the empty, migrated `target` (either backend),
    parents before children; PostgreSQL's counters are moved past the copied rows.  For tests
    that need the demo's records on a database of their own without filling it again."""
    from sqlalchemy import Integer, text

    import civaffairs.schema  # noqa: F401 - every model's table
    from civaffairs.db.base import Base

    with source.engine.connect() as src, target.engine.begin() as dst:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            for chunk in _chunks(rows, 1000):
                dst.execute(insert(table), chunk)
            if target.engine.dialect.name == "postgresql":
                for column in table.primary_key.columns:
                    if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                        dst.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                            f"COALESCE((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"))


def office_accounts(db: Database) -> None:
    """An office server's first start, with the accounts the tests of several PCs act as: an
    administrator and two members of group 1 (office, clerk)."""
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR

    with db.write() as s:
        admin = accounts.initialise_office(s, "麦积区民政局", "admin", "管理员", "admin-password-1", by=COMMAND_LINE_ACTOR)
        accounts.create_user(s, admin, "office", "办公室干事", "office-password-1", "member", [1])
        accounts.create_user(s, admin, "clerk", "办公室文员", "clerk-password-1", "member", [1])


def joined_pc(folder: Path, server: Database) -> Database:
    """A new PC's database in `folder`, joined to `server` (its working copy)."""
    from civaffairs.db.bootstrap import open_database
    from civaffairs.sync import exchange

    pc = open_database(folder)
    exchange.join(pc, server, server.url)
    return pc
