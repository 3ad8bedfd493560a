"""Several PCs on one office server (issue 13): each PC works on its own working copy; its
changes are queued in the same transaction, applied on the server exactly once through the same
services, merged field by field, or queued as conflicts that a person resolves.  The server is
PostgreSQL (the office's engine, when the test server is configured) and a SQLite file (the
exchange talks to either)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import DatabaseUnreachable
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.service_institutions.fields import INSTITUTIONS
from civaffairs.records import service as records
from civaffairs.sync import conflicts, exchange
from civaffairs.sync.models import AppliedChange, OutboxEntry, SyncConflict
from civaffairs.sync.replay import Change
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.helpers import check_in_values, drop_postgres_schema, joined_pc, office_accounts, postgres_schema, quick_password_hashes, staff_values

OFFICE = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
CLERK = Actor("clerk", "办公室文员", Role.MEMBER, frozenset({1}))
ADMIN = Actor("admin", "管理员", Role.ADMINISTRATOR)


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The office server with three accounts: a PostgreSQL schema (the real engine) or a SQLite file."""
    quick_password_hashes(monkeypatch)
    schema = None
    if request.param == "postgresql":
        assert POSTGRES_URL
        url, schema = postgres_schema(POSTGRES_URL)
        db = open_database(tmp_path / "server", url)
    else:
        db = open_database(tmp_path / "server")
    office_accounts(db)
    yield db
    db.dispose()
    if schema is not None:
        drop_postgres_schema(POSTGRES_URL or "", schema)


def _pc(tmp_path: Path, server: Database, name: str) -> Database:
    return joined_pc(tmp_path / name, server)


@pytest.fixture
def pcs(tmp_path: Path, server: Database) -> Iterator[tuple[Database, Database]]:
    a, b = _pc(tmp_path, server, "pc-a"), _pc(tmp_path, server, "pc-b")
    yield a, b
    a.dispose()
    b.dispose()


def _waiting(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))) or 0


def _values(db: Database, record_id: uuid.UUID, spec=bo.STAFF) -> dict | None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        obj = s.get(spec.model, record_id)
        return None if obj is None else records._current(spec, obj) | {"_deleted": obj.deleted_at is not None}


def _staff_everywhere(server: Database, a: Database, b: Database) -> uuid.UUID:
    with a.write() as s:
        staff = records.create(s, OFFICE, bo.STAFF, staff_values(name="王芳"))
    exchange.exchange(a, server)
    exchange.exchange(b, server)
    return staff.id


def test_a_pc_that_joined_is_a_working_copy_and_a_single_pc_queues_nothing(server: Database,
                                                                           pcs: tuple[Database, Database],
                                                                           tmp_path: Path) -> None:
    a, _b = pcs
    assert a.working_copy and not server.working_copy
    reopened = open_database(tmp_path / "pc-a")
    assert reopened.working_copy  # known from its own file at the next start
    reopened.dispose()
    with server.write() as s:  # the server (or a single PC) writes as it always has
        records.create(s, OFFICE, bo.STAFF, staff_values())
    assert _waiting(server) == 0
    with a.read() as s:  # the accounts came down with the first download: the PC can log in offline
        assert accounts.authenticate(s, "office", "office-password-1").username == "office"  # type: ignore[union-attr]


def test_a_change_reaches_the_server_once_with_its_id_and_then_the_other_pc(server: Database,
                                                                             pcs: tuple[Database, Database]) -> None:
    a, b = pcs
    with a.write() as s:
        staff = records.create(s, OFFICE, bo.STAFF, staff_values(name="王芳"))
    assert _waiting(a) == 1 and _values(server, staff.id) is None and _values(b, staff.id) is None
    result = exchange.exchange(a, server)
    assert (result.sent, result.applied, result.conflicts) == (1, 1, 0) and _waiting(a) == 0
    assert _values(server, staff.id)["name"] == "王芳"  # type: ignore[index]
    with server.read() as s:  # applied through the service: audited as the user who made it
        entry = s.scalars(select(AuditEntry).where(AuditEntry.record_id == staff.id)).one()
        assert (entry.action, entry.actor) == ("create", "office")
    got = exchange.exchange(b, server)
    assert bo.STAFF.key in got.registers  # the list to refresh (with the number blocks B was given)
    assert _values(b, staff.id)["name"] == "王芳"  # type: ignore[index]
    again = exchange.exchange(b, server)  # nothing new: nothing written, no list refreshed
    assert again.received == 0 and not again.registers


def test_an_exchange_cut_off_after_the_server_committed_applies_nothing_twice(server: Database,
                                                                              pcs: tuple[Database, Database]) -> None:
    a, _b = pcs
    with a.write() as s:
        staff = records.create(s, OFFICE, bo.STAFF, staff_values())
    with a.read() as s:
        entry = s.scalars(select(OutboxEntry)).one()
        change = Change(entry.id, entry.made_at, entry.actor, entry.command, entry.register, entry.record_id,
                        entry.record_label, entry.payload)
    assert exchange.apply_changes(server, [change], "pc-a") == ["applied"]  # the PC never heard the answer
    assert _waiting(a) == 1
    result = exchange.exchange(a, server)  # repeated
    assert result.sent == 1 and _waiting(a) == 0
    with server.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.record_id == staff.id)) == 1
        assert s.scalar(select(func.count()).select_from(AppliedChange)) == 1


def test_edits_of_different_fields_made_apart_merge_and_the_audit_says_so(server: Database,
                                                                        pcs: tuple[Database, Database]) -> None:
    a, b = pcs
    staff_id = _staff_everywhere(server, a, b)
    with a.write() as s:
        records.update(s, OFFICE, bo.STAFF, staff_id, 1, {"post": "副科长"})
    with b.write() as s:
        records.update(s, CLERK, bo.STAFF, staff_id, 1, {"department": "救助股"})
    exchange.exchange(a, server)
    result = exchange.exchange(b, server)
    assert (result.merged, result.conflicts) == (1, 0)
    exchange.exchange(a, server)
    for db in (server, a, b):
        values = _values(db, staff_id)
        assert (values["post"], values["department"]) == ("副科长", "救助股"), db  # type: ignore[index]
    with server.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.record_id == staff_id, AuditEntry.action == "merge")) == 1


def test_the_same_field_changed_on_two_pcs_is_a_conflict_resolved_by_keeping_one_side(
        server: Database, pcs: tuple[Database, Database]) -> None:
    a, b = pcs
    staff_id = _staff_everywhere(server, a, b)
    with a.write() as s:
        records.update(s, OFFICE, bo.STAFF, staff_id, 1, {"post": "副科长", "department": "救助股"})
    with b.write() as s:
        records.update(s, CLERK, bo.STAFF, staff_id, 1, {"post": "科长"})
    exchange.exchange(a, server)
    assert exchange.exchange(b, server).conflicts == 1
    assert _values(server, staff_id)["post"] == "副科长"  # type: ignore[index]  # first come, nothing overwritten
    assert _values(b, staff_id)["post"] == "副科长"  # type: ignore[index]  # the PC shows the server's truth
    with server.read() as s:
        (c,) = conflicts.open_conflicts(s, OFFICE)
    assert (c.kind, c.field, c.mine, c.theirs, c.mine_by, c.theirs_by) == (
        "same_field", "post", "科长", "副科长", "clerk", "office")
    assert c.field_title and c.register_name and "两台" in c.reason
    with b.read() as s:  # the PC has the queue too, and the overview puts it first among the alerts
        assert conflicts.count_open(s) == 1
        from civaffairs.core.clock import today_local
        from civaffairs.reports import series

        alerts = series.overview(s, OFFICE, series.default_period(today_local()), today_local()).alerts
        assert (alerts[0].figure.key, alerts[0].figure.value) == ("sync_conflicts_open", 1)
    outsider = Actor("institutions", "养老股干事", Role.MEMBER, frozenset({2}))
    with pytest.raises(records.PermissionDenied):
        with server.write() as s:
            conflicts.resolve(s, outsider, c.id, conflicts.MINE)
    with server.write() as s:
        conflicts.resolve(s, OFFICE, c.id, conflicts.MINE)
    assert _values(server, staff_id)["post"] == "科长"  # type: ignore[index]
    with server.read() as s:
        assert conflicts.count_open(s) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "resolve")) == 1
    exchange.exchange(b, server)
    assert _values(b, staff_id)["post"] == "科长"  # type: ignore[index]
    with b.read() as s:
        assert conflicts.count_open(s) == 0


def test_an_edit_against_a_delete_is_a_conflict_not_a_loss(server: Database, pcs: tuple[Database, Database]) -> None:
    a, b = pcs
    staff_id = _staff_everywhere(server, a, b)
    with a.write() as s:
        records.delete(s, OFFICE, bo.STAFF, staff_id)
    with b.write() as s:
        records.update(s, CLERK, bo.STAFF, staff_id, 1, {"post": "科长"})
    exchange.exchange(a, server)
    assert exchange.exchange(b, server).conflicts == 1
    with server.read() as s:
        (c,) = conflicts.open_conflicts(s, OFFICE)
        assert c.kind == "edit_delete" and c.command == "update" and c.theirs_by == "office"
    assert _values(server, staff_id)["_deleted"]  # type: ignore[index]
    with server.write() as s:  # keeping the edit brings the record back: an administrator's right
        conflicts.resolve(s, ADMIN, c.id, conflicts.MINE)
    values = _values(server, staff_id)
    assert not values["_deleted"] and values["post"] == "科长"  # type: ignore[index]


def test_a_change_the_servers_rules_refuse_is_queued_and_leaves_no_ghost_on_the_pc(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """Two PCs enter a check-in for the same person and day while apart: the second is refused
    by the register's rule, queued with the rule's message, and gone from its PC's list."""
    a, b = pcs
    staff_id = _staff_everywhere(server, a, b)
    with a.write() as s:
        records.create(s, OFFICE, bo.CHECK_INS, check_in_values(staff_id))
    with b.write() as s:
        late = records.create(s, CLERK, bo.CHECK_INS, check_in_values(staff_id, morning_temperature="36.8"))
    exchange.exchange(a, server)
    assert exchange.exchange(b, server).conflicts == 1
    assert _values(b, late.id, bo.CHECK_INS) is None and _values(server, late.id, bo.CHECK_INS) is None
    with server.read() as s:
        (c,) = conflicts.open_conflicts(s, OFFICE)
    assert c.kind == "refused" and c.command == "create" and c.reason
    with server.write() as s:
        conflicts.resolve(s, CLERK, c.id, conflicts.THEIRS)
    with server.read() as s:
        assert s.scalar(select(func.count()).select_from(bo.CHECK_INS.model)) == 1


def test_a_change_forged_in_a_pcs_file_is_refused_by_the_server(server: Database,
                                                              pcs: tuple[Database, Database]) -> None:
    """A member of group 1 who writes a group 2 record straight into the outbox of the PC's file
    gets nothing on the server: it checks the user's rights as it knows them."""
    a, _b = pcs
    forged = uuid.uuid4()
    with a.write() as s:
        s.add(OutboxEntry(position=1, made_at=records.now_utc(), actor="office", command="create",
                          register=INSTITUTIONS.key, record_id=forged, payload={"values": {"name": "假机构"}}))
    assert exchange.exchange(a, server).conflicts == 1
    with server.read() as s:
        assert s.get(INSTITUTIONS.model, forged) is None
        (c,) = s.scalars(select(SyncConflict)).all()
        assert c.kind == "permission" and c.mine_by == "office"


def test_an_unreachable_server_keeps_the_changes_and_says_so(server: Database, pcs: tuple[Database, Database]) -> None:
    a, _b = pcs
    with a.write() as s:
        records.create(s, OFFICE, bo.STAFF, staff_values())
    gone = Database("postgresql+psycopg://nobody:x@127.0.0.1:9/civaffairs?connect_timeout=2")
    with pytest.raises(DatabaseUnreachable):
        exchange.exchange(a, gone)
    gone.dispose()
    state = exchange.status(a)
    assert state.waiting == 1 and state.last_error
    assert exchange.exchange(a, server).sent == 1 and exchange.status(a).waiting == 0
    assert not exchange.status(a).last_error


def test_a_write_that_would_not_reach_the_server_is_refused_on_a_working_copy(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """A row written on a working copy outside a queued change (code that bypasses the services,
    or a service not taught to travel yet) is refused in Chinese, and nothing of it is saved,
    rather than kept where the server would never see it."""
    from civaffairs.sync.capture import NeedsServer

    a, b = pcs
    staff_id = _staff_everywhere(server, a, b)
    with pytest.raises(NeedsServer) as e:
        with a.write() as s:
            s.get(bo.STAFF.model, staff_id).post = "局长"  # not through records.update
    assert "服务器" in e.value.message and bo.STAFF.model.__tablename__ in e.value.message
    assert _values(a, staff_id)["post"] == "科员" and _waiting(a) == 0  # type: ignore[index]
    with server.write() as s:  # the server itself (or a single PC) is not a working copy
        s.get(bo.STAFF.model, staff_id).post = "局长"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_single_pcs_database_moves_onto_a_new_server_and_others_join_it(
        backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)
    single = open_database(tmp_path / "single")
    with single.write() as s:
        admin = accounts.initialise_office(s, "麦积区民政局", "admin", "管理员", "admin-password-1", by=COMMAND_LINE_ACTOR)
        accounts.create_user(s, admin, "office", "办公室干事", "office-password-1", "member", [1])
        staff = records.create(s, OFFICE, bo.STAFF, staff_values(name="王芳"))
    schema = None
    if backend == "postgresql":
        url, schema = postgres_schema(POSTGRES_URL or "")
        new_server = open_database(tmp_path / "srv", url)
    else:
        new_server = open_database(tmp_path / "srv")
    try:
        with new_server.read() as s:
            assert s.get(bo.STAFF.model, staff.id) is None
        exchange.publish(single, new_server, new_server.url)
        assert single.working_copy and _values(new_server, staff.id)["name"] == "王芳"  # type: ignore[index]
        with pytest.raises(records.ValidationError):  # not twice, and not onto a server in use
            exchange.publish(single, new_server, new_server.url)
        joined = open_database(tmp_path / "joined")
        exchange.join(joined, new_server, new_server.url)
        with single.write() as s:  # the first PC goes on working, now through the server
            records.update(s, OFFICE, bo.STAFF, staff.id, 1, {"post": "科长"})
        assert exchange.exchange(single, new_server).applied == 1
        exchange.exchange(joined, new_server)
        assert _values(joined, staff.id)["post"] == "科长"  # type: ignore[index]
        with new_server.read() as s:  # the audit chain came along whole
            from civaffairs.audit.chain import verify_chain
            assert verify_chain(s, COMMAND_LINE_ACTOR).intact
        joined.dispose()
    finally:
        single.dispose()
        new_server.dispose()
        if schema:
            drop_postgres_schema(POSTGRES_URL or "", schema)


def test_notice_drafts_made_on_a_working_copy_reach_the_server_with_their_id(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """A service that writes more than register records (a notice draft) travels as one call,
    made again on the server by the same function.  Two PCs editing one draft apart merge field
    by field: the fields only one of them changed are both kept, the audit says it merged, and
    the field both changed is a conflict with both values; keeping mine makes only that field's
    edit again."""
    from datetime import date

    from civaffairs.notices import service as notices
    from civaffairs.notices.models import Notice

    a, b = pcs
    with a.write() as s:
        notice_id = notices.create_draft(s, OFFICE, 1, "assistance", today=date(2021, 10, 25))
    assert exchange.exchange(a, server).applied == 1
    with server.read() as s:
        assert notices.get(s, OFFICE, notice_id).title
    exchange.exchange(b, server)
    with b.read() as s:
        assert s.get(Notice, notice_id) is not None  # came down with the pull
    with a.write() as s:
        notices.update_draft(s, OFFICE, notice_id, 1, title="关于做好冬季疫情防控工作的通知",
                             signatory="麦积区民政局办公室")
    with b.write() as s:
        notices.update_draft(s, CLERK, notice_id, 1, title="关于加强值班值守的通知", copy_to="区疫情防控指挥部")
    exchange.exchange(a, server)
    result = exchange.exchange(b, server)
    assert result.conflicts == 1
    with server.read() as s:
        got = notices.get(s, OFFICE, notice_id)
        (c,) = conflicts.open_conflicts(s, OFFICE)
        merges = s.scalars(select(AuditEntry).where(AuditEntry.record_id == notice_id,
                                                    AuditEntry.action == "merge")).all()
    # A's title stands until someone decides; B's other field merged beside A's.
    assert (got.title, got.signatory, got.copy_to) == ("关于做好冬季疫情防控工作的通知", "麦积区民政局办公室", "区疫情防控指挥部")
    assert len(merges) == 1 and merges[0].changes["fields"] == [None, "copy_to"]
    assert (c.kind, c.command, c.field, c.field_title) == ("same_field", "call", "title", "标题")
    assert (c.mine, c.theirs, c.mine_by, c.theirs_by) == ("关于加强值班值守的通知", "关于做好冬季疫情防控工作的通知", "clerk", "office")
    with server.write() as s:
        conflicts.resolve(s, CLERK, c.id, conflicts.MINE)
    exchange.exchange(a, server)
    with a.read() as s:
        got = notices.get(s, OFFICE, notice_id)
    assert (got.title, got.signatory, got.copy_to) == ("关于加强值班值守的通知", "麦积区民政局办公室", "区疫情防控指挥部")


def test_a_notice_field_changed_on_two_pcs_can_be_resolved_by_editing_it(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """A clashing field of a service call can be edited in the conflict screen: the typed value
    goes through the same service (and its checks); nothing else of the call is made again."""
    from datetime import date

    from civaffairs.core.errors import ValidationError
    from civaffairs.notices import service as notices

    a, b = pcs
    with a.write() as s:
        notice_id = notices.create_draft(s, OFFICE, 1, "assistance", today=date(2021, 10, 25))
    exchange.exchange(a, server)
    exchange.exchange(b, server)
    with a.write() as s:
        notices.update_draft(s, OFFICE, notice_id, 1, attachments=["值班表"])
    with b.write() as s:
        notices.update_draft(s, CLERK, notice_id, 1, attachments=["联系人名单", "物资清单"])
    exchange.exchange(a, server)
    assert exchange.exchange(b, server).conflicts == 1
    with server.read() as s:
        (c,) = conflicts.open_conflicts(s, OFFICE)
    assert (c.field, c.mine, c.theirs) == ("attachments", "联系人名单\n物资清单", "值班表")
    with pytest.raises(ValidationError), server.write() as s:
        conflicts.resolve(s, CLERK, c.id, conflicts.EDIT, value="x" * 100_000)  # the service's own check
    with server.write() as s:
        conflicts.resolve(s, CLERK, c.id, conflicts.EDIT, value="值班表\n联系人名单\n物资清单")
    with server.read() as s:
        assert notices.get(s, OFFICE, notice_id).attachments == ("值班表", "联系人名单", "物资清单")
        assert conflicts.count_open(s) == 0
