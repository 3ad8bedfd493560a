"""Exactly once, with a real PostgreSQL server killed (`pg_ctl stop -m immediate`) in the middle
of an exchange and started again: between the server's commit and the PC's, in the middle of
the server's transaction, and in the middle of the pull.  Every change ends applied once, none
lost, and the PC ends equal to the server.  Runs where PostgreSQL's binaries are installed (CI);
the server is this test's own, durable, so that what it acknowledged survives the kill."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import DatabaseUnreachable
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.records import service as records
from civaffairs.sync import exchange
from civaffairs.sync.models import AppliedChange, OutboxEntry
from tests.helpers import quick_password_hashes, staff_values
from tests.test_sync import OFFICE

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "pg_throwaway.sh"


def _pg_installed() -> bool:
    return bool(shutil.which("pg_ctl")) or any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))


pytestmark = pytest.mark.skipif(not _pg_installed(), reason="PostgreSQL's binaries are not installed")


class Server:
    def __init__(self, state: Path) -> None:
        self.env = {**os.environ, "PG_THROWAWAY_STATE": str(state), "PG_THROWAWAY_DURABLE": "1",
                    "PG_THROWAWAY_DB": "civaffairs_killed"}
        self.url = self._run("start").strip().splitlines()[-1]

    def _run(self, command: str) -> str:
        return subprocess.run(["bash", str(SCRIPT), command], env=self.env, check=True, capture_output=True,
                              text=True, timeout=120).stdout

    def kill(self) -> None:
        self._run("kill")

    def restart(self) -> None:
        self._run("restart")

    def stop(self) -> None:
        self._run("stop")


@pytest.fixture
def killable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, Database, Database]]:
    quick_password_hashes(monkeypatch)
    pg = Server(tmp_path / "pg.state")
    server = open_database(tmp_path / "server", pg.url)
    with server.write() as s:
        admin = accounts.initialise_office(s, "麦积区民政局", "admin", "管理员", "admin-password-1", by=COMMAND_LINE_ACTOR)
        accounts.create_user(s, admin, "office", "办公室干事", "office-password-1", "member", [1])
    pc = open_database(tmp_path / "pc")
    exchange.join(pc, server, server.url)
    try:
        yield pg, server, pc
    finally:
        pc.dispose()
        server.dispose()
        pg.stop()


def _made(pc: Database, n: int) -> None:
    with pc.write() as s:
        for i in range(n):
            records.create(s, OFFICE, bo.STAFF, staff_values(name=f"员工{i}"))


def _check_once(server: Database, pc: Database, n: int) -> None:
    with server.read() as s:
        assert s.scalar(select(func.count()).select_from(bo.STAFF.model)) == n
        assert s.scalar(select(func.count()).select_from(AppliedChange)) == n
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.register == bo.STAFF.key, AuditEntry.action == "create")) == n
        truth = sorted(map(tuple, s.execute(select(bo.STAFF.model.__table__)).all()))
    with pc.read() as s:
        assert not s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None)))
        assert sorted(map(tuple, s.execute(select(bo.STAFF.model.__table__)).all())) == truth


def _exchange_until_done(pc: Database, server: Database) -> None:
    for _attempt in range(20):  # the pool reconnects by itself once the server answers again
        try:
            exchange.exchange(pc, server)
            return
        except DatabaseUnreachable:
            continue
    raise AssertionError("the exchange never succeeded after the server came back")


def test_killed_after_the_server_committed_and_before_the_pc_did(killable: tuple[Server, Database, Database],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pg, server, pc = killable
    _made(pc, 120)
    monkeypatch.setattr(exchange, "PUSH_BATCH", 50)
    real = exchange.apply_changes
    calls = []

    def then_the_server_dies(*args: Any) -> list[str]:
        outcomes = real(*args)  # committed on the server
        calls.append(1)
        if len(calls) == 2:
            pg.kill()  # ... and the answer never reaches the PC
            raise DatabaseUnreachable()
        return outcomes

    monkeypatch.setattr(exchange, "apply_changes", then_the_server_dies)
    with pytest.raises(DatabaseUnreachable):
        exchange.exchange(pc, server)
    assert exchange.status(pc).waiting == 70  # the second batch is on the server but not marked here
    pg.restart()
    monkeypatch.setattr(exchange, "apply_changes", real)
    _exchange_until_done(pc, server)
    _check_once(server, pc, 120)


def test_killed_in_the_middle_of_the_servers_transaction(killable: tuple[Server, Database, Database],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pg, server, pc = killable
    _made(pc, 80)
    from civaffairs.sync import replay

    real = replay.apply_change
    count = [0]

    def dies_half_way(session: Any, change: Any, pc_id: str, **kwargs: Any) -> str:
        count[0] += 1
        if count[0] == 30:
            pg.kill()  # 29 changes written in the server's open transaction: lost with it
        return real(session, change, pc_id, **kwargs)

    monkeypatch.setattr(exchange, "apply_change", dies_half_way)
    with pytest.raises(DatabaseUnreachable):
        exchange.exchange(pc, server)
    assert exchange.status(pc).waiting == 80
    pg.restart()
    monkeypatch.setattr(exchange, "apply_change", real)
    _exchange_until_done(pc, server)
    _check_once(server, pc, 80)


def test_killed_in_the_middle_of_the_pull(killable: tuple[Server, Database, Database], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Another PC's 60 records come down in steps of 25; the server dies after the first step."""
    pg, server, pc = killable
    other = open_database(tmp_path / "other")
    exchange.join(other, server, server.url)
    _made(other, 60)
    exchange.exchange(other, server)
    monkeypatch.setattr(exchange, "PULL_BATCH", 25)
    real = exchange.collect
    steps = [0]

    def dies_after_one_step(*args: Any, **kwargs: Any) -> Any:
        steps[0] += 1
        if steps[0] == 2:
            pg.kill()
        return real(*args, **kwargs)

    monkeypatch.setattr(exchange, "collect", dies_after_one_step)
    with pytest.raises(DatabaseUnreachable):
        exchange.exchange(pc, server)
    with pc.read() as s:
        kept = s.scalar(select(func.count()).select_from(bo.STAFF.model))
    assert 0 < kept < 60  # the first step was kept, with its position
    pg.restart()
    monkeypatch.setattr(exchange, "collect", real)
    _exchange_until_done(pc, server)
    with server.read() as s:
        truth = sorted(map(tuple, s.execute(select(bo.STAFF.model.__table__)).all()))
    with pc.read() as s:
        assert sorted(map(tuple, s.execute(select(bo.STAFF.model.__table__)).all())) == truth
    assert len(truth) == 60
    other.dispose()
