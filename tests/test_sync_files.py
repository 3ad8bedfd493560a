"""Exchange files (a USB stick) between a PC that cannot reach the server and the server, and the
`civaffairs sync` / `civaffairs conflicts` commands."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civaffairs import cli
from civaffairs.core.errors import ValidationError
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.records import service as records
from civaffairs.sync import exchange, files
from civaffairs.sync.models import AppliedChange, OutboxEntry
from tests.helpers import staff_values
from tests.test_sync import CLERK, OFFICE, _pc, _values, _waiting, pcs, server  # noqa: F401 - fixtures


def _count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_usb_round_trip_between_two_pcs_applied_twice_changes_nothing(
        server: Database, pcs: tuple[Database, Database], tmp_path: Path) -> None:
    """PC A (a town office, no network) writes its changes to a file; PC B (in the office)
    applies it to the server and writes the answer; A reads the answer.  Each file applied a
    second time changes nothing."""
    town, office = pcs
    with office.write() as s:  # meanwhile in the office
        seen_in_town = records.create(s, CLERK, bo.STAFF, staff_values(name="李娜")).id
    exchange.exchange(office, server)
    with town.write() as s:
        made = [records.create(s, OFFICE, bo.STAFF, staff_values(name=f"赵敏{i}")).id for i in range(3)]
    changes = tmp_path / "usb" / "town.civsync"
    changes.parent.mkdir()
    assert files.write_changes(town, changes) == 3
    assert _waiting(town) == 3  # sent only when the answer comes back

    result = files.answer_changes(server, changes)
    assert result.changes == 3 and result.outcomes == {"applied": 3} and result.answer is not None
    assert all(_values(server, i) is not None for i in made)
    files.answer_changes(server, changes)  # the same file again
    assert _count(server, AppliedChange) == 4 and _count(server, bo.STAFF.model) == 4  # with the office's one

    got = files.read_answer(town, result.answer)
    assert got.changes == 3 and _waiting(town) == 0
    assert _values(town, seen_in_town)["name"] == "李娜"  # type: ignore[index]  # the office's record came too
    with town.read() as s:
        before = {r.id: r.version for r in s.scalars(select(bo.STAFF.model))}
    files.read_answer(town, result.answer)  # again
    with town.read() as s:
        assert {r.id: r.version for r in s.scalars(select(bo.STAFF.model))} == before
        assert s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.outcome == "applied")) == 3


def test_a_damaged_or_forged_file_is_refused_before_anything_is_applied(
        server: Database, pcs: tuple[Database, Database], tmp_path: Path) -> None:
    town, _office = pcs
    with town.write() as s:
        records.create(s, OFFICE, bo.STAFF, staff_values())
    path = tmp_path / "town.civsync"
    files.write_changes(town, path)
    envelope = json.loads(gzip.decompress(path.read_bytes()))
    forged = tmp_path / "forged.civsync"
    body = envelope["body"].replace('"actor":"office"', '"actor":"admin"')
    import hashlib
    forged.write_bytes(gzip.compress(json.dumps({**envelope, "body": body,
                                                 "sha256": hashlib.sha256(body.encode()).hexdigest()}).encode()))
    with pytest.raises(ValidationError) as e:
        files.answer_changes(server, forged)
    assert "不是本单位" in e.value.message
    damaged = tmp_path / "damaged.civsync"
    damaged.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValidationError) as e:
        files.answer_changes(server, damaged)
    assert "损坏" in e.value.message
    other_office = open_database(tmp_path / "elsewhere")  # another bureau's server: another key
    with other_office.write() as s:
        files.ensure_office_key(s)
    with pytest.raises(ValidationError):
        files.answer_changes(other_office, path)
    other_office.dispose()
    assert _count(server, AppliedChange) == 0


def test_the_commands_exchange_show_the_state_and_list_conflicts(
        server: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pc-cli"
    assert cli.main(["sync", "--data-dir", str(data), "--join", server.url]) == 0
    assert "工作副本" in capsys.readouterr().out
    pc = open_database(data)
    with pc.write() as s:
        records.create(s, OFFICE, bo.STAFF, staff_values())
    pc.dispose()
    assert cli.main(["sync", "--data-dir", str(data), "--status"]) == 0
    out = capsys.readouterr().out
    assert "待发送的更改：1 项" in out and "工作人员" in out
    assert cli.main(["sync", "--data-dir", str(data)]) == 0
    assert "已发送 1 项更改" in capsys.readouterr().out
    assert cli.main(["conflicts", "--data-dir", str(data)]) == 0
    assert "没有未处理的冲突" in capsys.readouterr().out
    # The server gone: a Chinese message, a non-zero exit, the change kept.
    pc = open_database(data)
    with pc.write() as s:
        records.create(s, OFFICE, bo.STAFF, staff_values())
        exchange._set_state(s, server="postgresql+psycopg://nobody:x@127.0.0.1:9/x?connect_timeout=2")
    pc.dispose()
    assert cli.main(["sync", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "1 项更改等待发送" in err and "Traceback" not in err
    out_file = tmp_path / "pc.civsync"
    assert cli.main(["sync", "--data-dir", str(data), "--export", str(out_file)]) == 0
    assert cli.main(["sync", "--database-url", server.url, "--data-dir", str(tmp_path / "srv"),
                     "--import", str(out_file)]) == 0
    assert "已处理 1 项更改（已写入 1）" in capsys.readouterr().out
    answer = out_file.with_name("pc.answer.civsync")
    assert cli.main(["sync", "--data-dir", str(data), "--import", str(answer)]) == 0
    assert "回执已导入" in capsys.readouterr().out
    pc = open_database(data)
    assert _waiting(pc) == 0
    pc.dispose()
