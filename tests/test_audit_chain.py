"""The audit log's hash chain (civaffairs.audit.chain): intact after every kind of write, broken at
the right entry by any change made in the database behind the program's back, one chain under
concurrent writers on both databases, and `civaffairs audit verify`."""
from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, insert, select, update
from sqlalchemy import table as sa_table

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import chain
from civaffairs.audit import service as audit
from civaffairs.audit.models import AuditEntry
from civaffairs.cli import main
from civaffairs.core.errors import PermissionDenied
from civaffairs.core.ids import new_id
from civaffairs.db import migrate
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.community.fields import ENTRIES
from civaffairs.records import service as records
from tests.helpers import staff_values
from tests.test_community import _compound, _entrance, _point
from tests.test_records_bulk import _entry_values

T = AuditEntry.__table__


def _verify(db: Database, actor: Actor) -> chain.ChainReport:
    with db.read() as s:
        return chain.verify_chain(s, actor)


def _seqs(db: Database) -> list[int]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


def _some_writes(db: Database, actor: Actor, n: int = 3) -> None:
    for i in range(n):
        with db.write() as s:
            row = records.create(s, actor, bo.STAFF, staff_values(name=f"王芳{i}"))
        with db.write() as s:
            records.update(s, actor, bo.STAFF, row.id, row.version, {**row.values, "post": f"科员{i}"})
        with db.write() as s:
            audit.record(s, actor, "login", accounts.REGISTER, label=actor.username)
            audit.record(s, actor, "search", "people", label=f"查询{i}")  # two in one transaction


def test_ordinary_writes_leave_an_intact_chain_numbered_from_one(db: Database, admin: Actor) -> None:
    _some_writes(db, admin)
    with db.write() as s:
        first = s.scalar(select(bo.STAFF.model.id).limit(1))
        records.delete(s, admin, bo.STAFF, first, records.get(s, admin, bo.STAFF, first).version)
    seqs = _seqs(db)
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 13
    report = _verify(db, admin)
    assert report.intact and report.entries == 13
    assert report.message() == "审计记录链完整，共 13 条。"


def test_a_bulk_import_and_ordinary_writes_in_one_transaction_keep_one_chain(db: Database, admin: Actor) -> None:
    member = Actor("community", "社区干事", Role.MEMBER, frozenset({3}))
    point = _point(db, member, _entrance(db, member, _compound(db, member)))
    with db.write() as s:
        audit.record(s, admin, "login", accounts.REGISTER, label="before")  # pending when the bulk path starts
        records.create_many(s, member, ENTRIES, [_entry_values(point, n) for n in range(12)])
        audit.record(s, admin, "login", accounts.REGISTER, label="after")
    report = _verify(db, admin)
    assert report.intact and report.entries == len(_seqs(db)) >= 16
    with db.read() as s:
        labels = list(s.scalars(select(AuditEntry.record_label).order_by(AuditEntry.seq)))
    assert labels[-14] == "before" and labels[-1] == "after"  # chained in the order written


def test_only_an_administrator_verifies(db: Database, viewer: Actor) -> None:
    with db.read() as s, pytest.raises(PermissionDenied):
        chain.verify_chain(s, viewer)


# ------------------------------------------------------------------ tampering


def _entry(db: Database, seq: int) -> dict[str, Any]:
    with db.read() as s:
        return dict(s.execute(select(T).where(T.c.seq == seq)).mappings().one())


def _tamper(db: Database, statement: Any) -> None:
    """A change made in the database file, past the program."""
    with db.engine.begin() as conn:
        conn.execute(statement)


FORGED: dict[str, Any] = {
    "id": lambda e: new_id(),
    "at": lambda e: e["at"] + timedelta(seconds=1),
    "actor": lambda e: "mallory",
    "action": lambda e: "delete",
    "register": lambda e: bo.CHECK_INS.key,
    "record_id": lambda e: new_id(),
    "record_version": lambda e: (e["record_version"] or 0) + 1,
    "record_label": lambda e: e["record_label"] + "改",
    "changes": lambda e: {**e["changes"], "remarks": [None, "补记"]},
    "hash": lambda e: "0" * 64,
}


@pytest.mark.parametrize("column", sorted(FORGED))
def test_an_edited_column_of_any_entry_breaks_the_chain_there(db: Database, admin: Actor, column: str) -> None:
    _some_writes(db, admin)
    victim = _entry(db, 5)
    _tamper(db, update(T).where(T.c.seq == 5).values({column: FORGED[column](victim)}))
    report = _verify(db, admin)
    assert not report.intact and report.entries == 4
    assert report.broken is not None and report.broken.seq == 5 and report.broken.reason == chain.CHANGED
    assert "第 5 条" in report.message() and "被改动" in report.message()


def test_a_deleted_entry_is_named_by_the_one_after_it(db: Database, admin: Actor) -> None:
    _some_writes(db, admin)
    _tamper(db, delete(T).where(T.c.seq == 7))
    broken = _verify(db, admin).broken
    assert broken is not None and broken.seq == 8 and broken.reason == chain.MISSING


def test_the_first_entry_deleted_is_noticed(db: Database, admin: Actor) -> None:
    _some_writes(db, admin, 1)
    _tamper(db, delete(T).where(T.c.seq == 1))
    broken = _verify(db, admin).broken
    assert broken is not None and broken.seq == 2 and broken.reason == chain.MISSING


def test_a_forged_entry_is_noticed_in_the_middle_or_at_the_end(db: Database, admin: Actor) -> None:
    _some_writes(db, admin)
    last = _seqs(db)[-1]
    forged = {**_entry(db, 3), "id": new_id(), "actor": "mallory", "record_label": "伪造"}
    _tamper(db, insert(T).values({**forged, "seq": last + 1}))
    broken = _verify(db, admin).broken
    assert broken is not None and broken.seq == last + 1 and broken.actor == "mallory"
    # Made room for in the middle: every later entry moved up by one.
    _tamper(db, delete(T).where(T.c.seq == last + 1))
    for seq in range(last, 3, -1):
        _tamper(db, update(T).where(T.c.seq == seq).values(seq=seq + 1))
    _tamper(db, insert(T).values({**forged, "seq": 4}))
    broken = _verify(db, admin).broken
    assert broken is not None and broken.seq == 4 and broken.actor == "mallory"


def test_two_entries_swapped_are_noticed(db: Database, admin: Actor) -> None:
    _some_writes(db, admin)
    _tamper(db, update(T).where(T.c.seq == 6).values(seq=-6))
    _tamper(db, update(T).where(T.c.seq == 9).values(seq=6))
    _tamper(db, update(T).where(T.c.seq == -6).values(seq=9))
    broken = _verify(db, admin).broken
    assert broken is not None and broken.seq == 6 and broken.reason == chain.CHANGED


# ------------------------------------------------------------------ migration 0008


def test_the_migration_chains_existing_entries_in_time_order(db: Database, admin: Actor) -> None:
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    base = datetime(2021, 10, 1, tzinfo=timezone.utc)
    moments = [base + timedelta(minutes=random.randrange(0, 50)) for _ in range(120)]  # ties too
    old = [dict(id=new_id(), at=at, actor="admin", action="create", register=bo.STAFF.key, record_id=new_id(),
                record_version=1, record_label=f"旧{i}", changes={"name": [None, f"旧{i}"]})
           for i, at in enumerate(moments)]
    columns = [c for c in T.c if c.name not in ("seq", "hash")]
    with db.engine.begin() as conn:  # as 0007 knew the table: no seq, no hash
        conn.execute(insert(sa_table(T.name, *[c._copy() for c in columns])), random.sample(old, len(old)))
    migrate.upgrade(db.engine)
    report = _verify(db, admin)
    assert report.intact and report.entries == 120
    with db.read() as s:
        in_chain = list(s.execute(select(AuditEntry.at, AuditEntry.id).order_by(AuditEntry.seq)))
    assert in_chain == sorted((e["at"], e["id"]) for e in old)
    _some_writes(db, admin, 1)  # new entries carry on from the migrated tail
    assert _verify(db, admin).entries == 124


# ------------------------------------------------------------------ concurrent writers


def _write_concurrently(first: Database, second: Database, admin: Actor, per_thread: int = 20) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(db: Database, prefix: str) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with db.write() as s:
                    audit.record(s, admin, "login", accounts.REGISTER, label=f"{prefix}{i}")
                    s.flush()  # chained, then still in the transaction a while
                    audit.record(s, admin, "search", "people", label=f"{prefix}{i}")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(db, p)) for db, p in ((first, "甲"), (second, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    report = _verify(first, admin)
    assert report.intact and report.entries == 4 * per_thread
    assert _seqs(first) == list(range(1, 4 * per_thread + 1))


def test_two_programs_on_one_sqlite_file_keep_one_chain(data_dir: Path, admin: Actor) -> None:
    first = open_database(data_dir)
    second = Database(first.url)
    try:
        _write_concurrently(first, second, admin)
    finally:
        first.dispose()
        second.dispose()


def test_two_pcs_on_postgresql_keep_one_chain(db: Database, admin: Actor) -> None:
    if db.is_sqlite:
        pytest.skip("the PostgreSQL case: two sessions of one server")
    second = Database(db.url)
    try:
        _write_concurrently(db, second, admin)
    finally:
        second.dispose()


# ------------------------------------------------------------------ the command line


def test_the_command_line_says_intact_or_names_the_broken_link(data_dir: Path, admin: Actor,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(data_dir)
    try:
        _some_writes(db, admin)
    finally:
        db.dispose()
    assert main(["audit", "verify", "--data-dir", str(data_dir), "--lang", "zh_CN"]) == 0
    assert capsys.readouterr().out.strip() == "审计记录链完整，共 12 条。"
    db = open_database(data_dir)
    try:
        _tamper(db, update(T).where(T.c.seq == 1).values(record_label="篡改"))
    finally:
        db.dispose()
    assert main(["audit", "verify", "--data-dir", str(data_dir), "--lang", "zh_CN"]) == 1
    err = capsys.readouterr().err
    assert "审计记录链在第 1 条断开" in err and "篡改" in err and bo.STAFF.name in err and "被改动" in err
    assert "Traceback" not in err
