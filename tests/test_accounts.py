"""Accounts: first start, log-in and locking, user management, office settings."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.models import User
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import service as audit
from civaffairs.core.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationError
from civaffairs.db.database import Database
from tests.helpers import audit_count

PASSWORD = "correct horse 1"
OFFICE = "天水市麦积区民政局"
REAL_HASHES = "test_password_is_stored_as_an_argon2id_hash"  # with the program's own parameters


@pytest.fixture(autouse=True)
def quick_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Argon2 parameters take a fifth of a second a hash; tests use cheap ones."""
    if not request.node.name.startswith(REAL_HASHES):
        monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def office(db: Database) -> Actor:
    with db.write() as s:
        return accounts.initialise_office(s, OFFICE, "admin", "系统管理员", PASSWORD)


@pytest.fixture
def member(db: Database, office: Actor) -> str:
    with db.write() as s:
        accounts.create_user(s, office, "office", "办公室干事", PASSWORD, Role.MEMBER, [1])
    return "office"


class Clock:
    """A settable clock for the account service."""

    def __init__(self) -> None:
        self.now = datetime(2021, 10, 25, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(accounts, "now_utc", c)
    return c


# ------------------------------------------------------------------ first start


def test_initialise_office_once_only(db: Database) -> None:
    with db.read() as s:
        assert not accounts.is_initialised(s)
    with db.write() as s:
        actor = accounts.initialise_office(s, f" {OFFICE} ", "admin", "系统管理员", PASSWORD)
    assert actor.is_administrator and actor.username == "admin"
    with db.read() as s:
        assert accounts.is_initialised(s)
        assert accounts.office_name(s) == OFFICE
    with pytest.raises(PermissionDenied), db.write() as s:
        accounts.initialise_office(s, "别的局", "admin2", "另一个管理员", PASSWORD)
    with db.read() as s:
        assert accounts.office_name(s) == OFFICE
        assert [u.username for u in accounts.list_users(s, actor)] == ["admin"]


@pytest.mark.parametrize("office_name,username,display,password,field", [
    ("", "admin", "管理员", PASSWORD, "office_name"),
    (OFFICE, "a", "管理员", PASSWORD, "username"),
    (OFFICE, "管理员", "管理员", PASSWORD, "username"),
    (OFFICE, "admin", " ", PASSWORD, "display_name"),
    (OFFICE, "admin", "管理员", "short", "password"),
])
def test_initialise_office_validates(db: Database, office_name: str, username: str, display: str, password: str,
                                     field: str) -> None:
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.initialise_office(s, office_name, username, display, password)
    assert field in err.value.field_errors
    with db.read() as s:
        assert not accounts.is_initialised(s)


# ------------------------------------------------------------------ log-in


def test_login(db: Database, office: Actor, member: str) -> None:
    actor = accounts.login(db, "office", PASSWORD)
    assert actor == Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
    assert accounts.login(db, " OFFICE ", PASSWORD).username == "office"  # user names ignore case
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "office"))
        assert user.last_login_at is not None
    assert audit_count(db, actor="office", action="login") == 2


def _locked(db: Database, admin: Actor, username: str) -> bool:
    with db.read() as s:
        return [u.locked for u in accounts.list_users(s, admin) if u.username == username] == [True]


@pytest.mark.parametrize("username,password", [("office", "wrong password"), ("nobody", PASSWORD), ("office", ""),
                                               ("", ""), ("no\x00body\ud800", "x")])
def test_wrong_login(db: Database, member: str, username: str, password: str) -> None:
    with pytest.raises(AuthenticationFailed) as err:
        accounts.login(db, username, password)
    assert err.value.message == accounts._failed().message


def test_every_failed_login_answers_alike_and_costs_one_password_check(
        db: Database, office: Actor, member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown name, an inactive account, a wrong password and a locked account: the same
    message, one password check each (the same time), and an audit entry each."""
    with db.write() as s:
        accounts.create_user(s, office, "gone", "离职人员", PASSWORD, Role.VIEWER, [])
        accounts.update_user(s, office, "gone", display_name="离职人员", role=Role.VIEWER, groups=[], active=False)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            accounts.login(db, "office", "wrong password")
    assert _locked(db, office, "office")
    checks: list[str] = []

    class Counting:
        def __init__(self, hasher: PasswordHasher) -> None:
            self.hasher = hasher

        def verify(self, hashed: str, password: str) -> bool:
            checks.append(password)
            return self.hasher.verify(hashed, password)

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.hasher, name)

    monkeypatch.setattr(accounts, "_hasher", Counting(accounts._hasher))
    messages = []
    for username, password in [("nobody", PASSWORD), ("gone", PASSWORD), ("admin", "wrong"), ("office", PASSWORD)]:
        before = len(checks)
        with pytest.raises(AuthenticationFailed) as err:
            accounts.login(db, username, password)
        assert len(checks) == before + 1, username
        messages.append(err.value.message)
    assert len(set(messages)) == 1 and "锁定" in messages[0] and "nobody" not in messages[0]
    assert audit_count(db, actor="nobody", action="login_failed") == 1
    assert audit_count(db, actor="gone", action="login_failed") == 1
    assert audit_count(db, actor="office", action="login_failed") == accounts.MAX_FAILED_LOGINS + 1


def test_inactive_user_cannot_log_in(db: Database, office: Actor, member: str) -> None:
    with db.write() as s:
        accounts.update_user(s, office, "office", display_name="办公室干事", role=Role.MEMBER, groups=[1], active=False)
    with pytest.raises(AuthenticationFailed):
        accounts.login(db, "office", PASSWORD)


def test_five_wrong_passwords_lock_the_account(db: Database, office: Actor, member: str, clock: Clock) -> None:
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            accounts.login(db, "office", "wrong password")
        assert not _locked(db, office, "office")
    with pytest.raises(AuthenticationFailed):
        accounts.login(db, "office", "wrong password")
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "office"))
        assert user.locked_until == clock.now + accounts.LOCK_DURATION
    # The count survived each failed attempt's transaction, and so does the lock.
    assert audit_count(db, actor="office", action="login_failed") == accounts.MAX_FAILED_LOGINS
    assert audit_count(db, actor="office", action="locked") == 1
    with pytest.raises(AuthenticationFailed):
        accounts.login(db, "office", PASSWORD)  # the right password does not open a locked account
    clock.now += accounts.LOCK_DURATION - timedelta(seconds=1)
    with pytest.raises(AuthenticationFailed):
        accounts.login(db, "office", PASSWORD)
    assert _locked(db, office, "office")
    # Other accounts are not affected.
    assert accounts.login(db, "admin", PASSWORD).username == "admin"

    clock.now += timedelta(seconds=2)
    assert accounts.login(db, "office", PASSWORD).username == "office"
    assert not _locked(db, office, "office")


def test_a_good_login_resets_the_count(db: Database, office: Actor, member: str, clock: Clock) -> None:
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            accounts.login(db, "office", "wrong password")
    accounts.login(db, "office", PASSWORD)
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            accounts.login(db, "office", "wrong password")
    assert not _locked(db, office, "office")


def test_after_the_lock_wrong_passwords_count_again_from_zero(db: Database, office: Actor, member: str,
                                                               clock: Clock) -> None:
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            accounts.login(db, "office", "wrong password")
    clock.now += accounts.LOCK_DURATION + timedelta(seconds=1)
    with pytest.raises(AuthenticationFailed):
        accounts.login(db, "office", "wrong password")
    assert not _locked(db, office, "office")


def test_reset_password_lifts_the_lock(db: Database, office: Actor, member: str, clock: Clock) -> None:
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            accounts.login(db, "office", "wrong password")
    with db.write() as s:
        accounts.reset_password(s, office, "office", "a new password")
    assert accounts.login(db, "office", "a new password").username == "office"
    with pytest.raises(AuthenticationFailed):
        accounts.login(db, "office", PASSWORD)
    assert audit_count(db, actor="admin", action="password") == 1


# ------------------------------------------------------------------ passwords


def test_password_is_stored_as_an_argon2id_hash(db: Database, office: Actor, member: str) -> None:
    with db.read() as s:
        for user in s.scalars(select(User)):
            assert user.password_hash.startswith("$argon2id$")
            assert PASSWORD not in user.password_hash
    with db.read() as s:
        entries = audit.fetch(s, office, audit.AuditQuery())
    assert entries and all(PASSWORD not in str(e.changes) for e in entries)
    assert accounts.login(db, "office", PASSWORD).username == "office"


def test_old_hash_parameters_are_upgraded_at_log_in(db: Database, member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with db.read() as s:
        old = s.scalar(select(User.password_hash).where(User.username == "office"))
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    accounts.login(db, "office", PASSWORD)
    with db.read() as s:
        new = s.scalar(select(User.password_hash).where(User.username == "office"))
    assert new != old and "m=2048,t=2" in new
    assert accounts.login(db, "office", PASSWORD).username == "office"


def test_weak_password_refused_at_password(db: Database, office: Actor, member: str) -> None:
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.create_user(s, office, "viewer", "查阅人员", "1234567", Role.VIEWER, [])
    assert set(err.value.field_errors) == {"password"}
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.reset_password(s, office, "office", "short")
    assert set(err.value.field_errors) == {"password"}
    assert accounts.login(db, "office", PASSWORD).username == "office"


def test_change_own_password(db: Database, member: str) -> None:
    actor = accounts.login(db, "office", PASSWORD)
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.change_own_password(s, actor, "wrong old password", "brand new password")
    assert set(err.value.field_errors) == {"old_password"}
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.change_own_password(s, actor, PASSWORD, "short")
    assert set(err.value.field_errors) == {"new_password"}
    with db.write() as s:
        accounts.change_own_password(s, actor, PASSWORD, "brand new password")
    assert accounts.login(db, "office", "brand new password") == actor


# ------------------------------------------------------------------ user management


def test_create_and_update_users(db: Database, office: Actor) -> None:
    with db.write() as s:
        info = accounts.create_user(s, office, " leader ", "局长", PASSWORD, Role.LEADER, [])
    assert (info.username, info.role, info.active, info.locked) == ("leader", Role.LEADER, True, False)
    with db.write() as s:
        accounts.update_user(s, office, "leader", display_name="副局长", role=Role.MEMBER, groups=[3, 1], active=True)
    with db.read() as s:
        [user] = [u for u in accounts.list_users(s, office) if u.username == "leader"]
    assert (user.display_name, user.role, user.groups) == ("副局长", Role.MEMBER, (1, 3))
    with db.read() as s:
        [entry] = audit.fetch(s, office, audit.AuditQuery(register=accounts.REGISTER, actor="admin"), limit=1)
    assert entry.action == "update"
    assert entry.changes["display_name"] == ["局长", "副局长"]
    assert entry.changes["role"] == ["leader", "member"]
    assert accounts.login(db, "leader", PASSWORD).groups == frozenset({1, 3})


@pytest.mark.parametrize("username,role,groups,field", [
    ("admin", Role.VIEWER, [], "username"),
    ("ADMIN", Role.VIEWER, [], "username"),
    ("x y", Role.VIEWER, [], "username"),
    ("someone", "boss", [], "role"),
    ("someone", Role.MEMBER, [], "groups"),
    ("someone", Role.MEMBER, [8], "groups"),
])
def test_create_user_validates(db: Database, office: Actor, username: str, role: str, groups: list[int],
                               field: str) -> None:
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.create_user(s, office, username, "某人", PASSWORD, role, groups)
    assert field in err.value.field_errors


def test_administrator_cannot_demote_themselves(db: Database, office: Actor) -> None:
    with pytest.raises(ValidationError), db.write() as s:
        accounts.update_user(s, office, "admin", display_name="x", role=Role.VIEWER, groups=[], active=True)
    with pytest.raises(ValidationError), db.write() as s:
        accounts.update_user(s, office, "admin", display_name="x", role=Role.ADMINISTRATOR, groups=[], active=False)


def test_unknown_user(db: Database, office: Actor) -> None:
    with pytest.raises(NotFound), db.write() as s:
        accounts.reset_password(s, office, "nobody", PASSWORD)


@pytest.mark.parametrize("who", ["leader", "office_member", "institutions_member", "viewer"])
def test_only_administrators_manage_accounts(db: Database, office: Actor, member: str, who: str,
                                             request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)
    entries = audit_count(db)
    with db.write() as s:
        with pytest.raises(PermissionDenied):
            accounts.create_user(s, actor, "intruder", "闯入者", PASSWORD, Role.ADMINISTRATOR, [])
        with pytest.raises(PermissionDenied):
            accounts.reset_password(s, actor, "admin", "taken over!")
        with pytest.raises(PermissionDenied):
            accounts.update_user(s, actor, "office", display_name="x", role=Role.ADMINISTRATOR, groups=[], active=True)
        with pytest.raises(PermissionDenied):
            accounts.list_users(s, actor)
        with pytest.raises(PermissionDenied):
            accounts.set_office_name(s, actor, "别的局")
        with pytest.raises(PermissionDenied):
            audit.fetch(s, actor, audit.AuditQuery())
        with pytest.raises(PermissionDenied):
            audit.count(s, actor, audit.AuditQuery())
    assert audit_count(db) == entries
    with db.read() as s:
        assert accounts.office_name(s) == OFFICE
        assert "intruder" not in {u.username for u in accounts.list_users(s, office)}
    assert accounts.login(db, "admin", PASSWORD).username == "admin"


# ------------------------------------------------------------------ office settings


def test_set_office_name(db: Database, office: Actor) -> None:
    with db.write() as s:
        accounts.set_office_name(s, office, " 天水市民政局 ")
    with db.read() as s:
        assert accounts.office_name(s) == "天水市民政局"
        [entry] = audit.fetch(s, office, audit.AuditQuery(register=accounts.SETTINGS_REGISTER))
    assert entry.changes == {accounts.OFFICE_NAME: [OFFICE, "天水市民政局"]}
    with pytest.raises(ValidationError) as err, db.write() as s:
        accounts.set_office_name(s, office, "  ")
    assert set(err.value.field_errors) == {"office_name"}
    with db.write() as s:  # the same name again changes nothing and is not audited
        accounts.set_office_name(s, office, "天水市民政局")
    assert audit_count(db, register=accounts.SETTINGS_REGISTER) == 1


def test_update_user_validates_groups(db: Database, office: Actor, member: str) -> None:
    for groups in ([], [0], [8]):
        with pytest.raises(ValidationError) as err, db.write() as s:
            accounts.update_user(s, office, "office", display_name="办公室干事", role=Role.MEMBER, groups=groups,
                                 active=True)
        assert set(err.value.field_errors) == {"groups"}
    assert accounts.login(db, "office", PASSWORD).groups == frozenset({1})
