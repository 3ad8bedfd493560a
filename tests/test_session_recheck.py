"""The session is re-checked against the account before every write: a user demoted, deactivated
or given a new password while logged in loses the old rights at the next action."""
from __future__ import annotations

import time

import pytest

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.core.errors import SessionEnded
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.models import StaffMember
from tests.helpers import make_staff, quick_password_hashes, table_count

PASSWORD = "correct horse 1"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


@pytest.fixture
def admin_actor(db: Database) -> Actor:
    with db.write() as s:
        admin = accounts.initialise_office(s, "天水市麦积区民政局", "admin", "系统管理员", PASSWORD)
        accounts.create_user(s, admin, "office", "办公室干事", PASSWORD, Role.MEMBER, [1])
    return admin


@pytest.fixture
def member(db: Database, admin_actor: Actor) -> Actor:
    """The member logged in on this PC: every write through `db` re-checks the account."""
    actor = accounts.login(db, "office", PASSWORD)
    accounts.sign_in(db, actor)
    return actor


def _update(db: Database, admin: Actor, **change: object) -> None:
    values = {"display_name": "办公室干事", "role": Role.MEMBER.value, "groups": [1], "active": True} | change
    with db.write() as s:
        accounts.update_user(s, admin, "office", **values)  # type: ignore[arg-type]


def test_unchanged_account_writes(db: Database, admin_actor: Actor, member: Actor) -> None:
    make_staff(db, member, name="张伟")
    make_staff(db, member, name="李娜")
    assert table_count(db, StaffMember) == 2


def test_demoted_member_is_refused_at_the_next_write(db: Database, admin_actor: Actor, member: Actor) -> None:
    make_staff(db, member, name="张伟")
    _update(db, admin_actor, role=Role.VIEWER.value, groups=[])
    with pytest.raises(SessionEnded) as e:
        make_staff(db, member, name="李娜")
    assert e.value.message == "您的账户已被管理员修改，请重新登录。"
    assert table_count(db, StaffMember) == 1


def test_a_changed_group_ends_the_session_too(db: Database, admin_actor: Actor, member: Actor) -> None:
    _update(db, admin_actor, groups=[1, 2])
    with pytest.raises(SessionEnded):
        make_staff(db, member)


def test_deactivated_member_is_refused(db: Database, admin_actor: Actor, member: Actor) -> None:
    _update(db, admin_actor, active=False)
    with pytest.raises(SessionEnded) as e:
        make_staff(db, member)
    assert e.value.deactivated
    assert "停用" in e.value.message
    assert table_count(db, StaffMember) == 0


def test_password_reset_by_the_administrator_is_refused(db: Database, admin_actor: Actor, member: Actor) -> None:
    with db.write() as s:
        accounts.reset_password(s, admin_actor, "office", "another password 2")
    with pytest.raises(SessionEnded):
        make_staff(db, member)
    # Logging in again with the new password gives a session that writes.
    actor = accounts.login(db, "office", "another password 2")
    accounts.sign_in(db, actor)
    make_staff(db, actor)
    assert table_count(db, StaffMember) == 1


def test_the_refusal_comes_before_the_services_own_permission_check(db: Database, admin_actor: Actor,
                                                                   member: Actor) -> None:
    """A demoted member's write is refused as an ended session, not as a missing right: the user
    is told to log in again rather than that they may not do what they did a minute ago."""
    _update(db, admin_actor, role=Role.MEMBER.value, groups=[2])
    with pytest.raises(SessionEnded):
        make_staff(db, member)


def test_the_command_line_and_signed_out_databases_are_not_checked(db: Database, admin_actor: Actor,
                                                                  member: Actor) -> None:
    _update(db, admin_actor, active=False)
    accounts.sign_out(db)
    make_staff(db, COMMAND_LINE_ACTOR)
    assert table_count(db, StaffMember) == 1


def test_log_in_works_while_the_previous_session_is_stale(db: Database, admin_actor: Actor, member: Actor) -> None:
    _update(db, admin_actor, role=Role.LEADER.value, groups=[])
    actor = accounts.login(db, "office", PASSWORD)
    assert actor.role is Role.LEADER


def test_the_recheck_costs_little(sqlite_db: Database) -> None:
    """The extra read is one indexed lookup of four columns: a small part of the cheapest write."""
    db = sqlite_db
    with db.write() as s:
        accounts.initialise_office(s, "天水市麦积区民政局", "admin", "系统管理员", PASSWORD)
    actor = accounts.login(db, "admin", PASSWORD)

    def write() -> None:
        with db.write() as s:
            accounts.set_office_name(s, actor, "天水市麦积区民政局")  # a real write that changes nothing

    def recheck() -> None:
        with db.write() as s:
            for _ in range(100):
                accounts.recheck_account(s, actor)

    def per_call(fn: object, n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()  # type: ignore[operator]
        return (time.perf_counter() - start) / n

    per_call(write, 20)
    bare_write = min(per_call(write, 100) for _ in range(3))
    one_recheck = min(per_call(recheck, 5) for _ in range(3)) / 100
    print(f"\nwrite {bare_write * 1e6:.0f} µs, re-check {one_recheck * 1e6:.0f} µs "
          f"({one_recheck / bare_write:.0%} of the write)")
    assert one_recheck < bare_write / 3
