"""Accounts, log-in and office-wide settings.

Passwords are hashed with Argon2id (argon2-cffi, the reference implementation's binding).
Five wrong passwords in a row lock an account for 15 minutes."""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.models import OfficeSetting, User
from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import AuthenticationFailed, NotFound, PermissionDenied, SessionEnded, ValidationError
from civaffairs.core.i18n import _
from civaffairs.db.database import Database

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
REGISTER = "accounts.user"


def _synced() -> None:
    from civaffairs.sync.capture import synced_table

    synced_table(REGISTER, User)  # accounts made or changed on the server reach every working copy


_synced()
SETTINGS_REGISTER = "accounts.office"
OFFICE_NAME = "office_name"

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,32}$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password")


def _spend_verify_time(password: str) -> None:
    """An unknown user name takes as long as a wrong password, so timing does not reveal names."""
    try:
        _hasher.verify(_dummy_hash(), password)
    except VerificationError:
        pass


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def account_stamp(role: str, groups: list[int], active: bool, password_hash: str) -> str:
    """What a session's rights rest on, as a short digest: a changed role, group, active flag or
    password (an administrator's reset, say) changes it."""
    text = "\x1f".join([role, ",".join(str(int(g)) for g in sorted(groups)), str(bool(active)), password_hash])
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def actor_for(user: User) -> Actor:
    return Actor(user.username, user.display_name, Role(user.role), frozenset(int(g) for g in user.groups),
                 account_stamp(user.role, user.groups, user.active, user.password_hash))


# Built once and run on the session's connection: building the statement and the ORM's
# execution cost three times the read itself.
_ACCOUNT_STAMP_COLUMNS = select(User.role, User.groups, User.active, User.password_hash).where(
    User.username == bindparam("username"))


def recheck_account(session: Session, actor: Actor) -> None:
    """Raise `SessionEnded` if the account behind `actor` changed since the log-in.  One
    indexed read of four columns, in the write's own transaction."""
    if actor.account_stamp is None:
        return  # the command line has no account
    row = session.connection().execute(_ACCOUNT_STAMP_COLUMNS, {"username": actor.username}).one_or_none()
    if row is None or not row.active:
        raise SessionEnded(deactivated=True)
    if account_stamp(*row) != actor.account_stamp:
        raise SessionEnded()


def sign_in(db: Database, actor: Actor) -> None:
    """From now on every write through `db` first re-checks `actor`'s account (the window's
    session; the command line never signs in)."""
    db.account_check = functools.partial(recheck_account, actor=actor)


def sign_out(db: Database) -> None:
    db.account_check = None


# ---------------------------------------------------------------- first start


def is_initialised(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(User)) or 0) > 0


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.at(field, _("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))


def _check_new_user(session: Session, username: str, display_name: str, password: str, role: str, groups: list[int]) -> None:
    errors: dict[str, str] = {}
    if not _USERNAME.match(username):
        errors["username"] = _("A user name has 2–32 letters, digits, dots, dashes or underscores.")
    elif session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = _("The user name “{u}” is taken.").format(u=username)
    if not display_name.strip():
        errors["display_name"] = _("Please enter the person's name.")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
    if role not in {r.value for r in Role}:
        errors["role"] = _("Please choose a role.")
    elif role == Role.MEMBER and not groups:
        errors["groups"] = _("A group member must belong to at least one working group.")
    if any(g not in range(1, 8) for g in groups):
        errors["groups"] = _("Working groups are numbered 1 to 7.")
    if errors:
        raise ValidationError(errors)


def initialise_office(session: Session, office_name: str, username: str, display_name: str, password: str,
                      *, by: Actor | None = None) -> Actor:
    """First start: the office's name and the first administrator.  Refused once anyone exists.
    The audit entry names `by` (e.g. the command line), else the new administrator."""
    if is_initialised(session):
        raise PermissionDenied(_("This database is already set up."))
    if not office_name.strip():
        raise ValidationError.at("office_name", _("Please enter the office's name."))
    _check_new_user(session, username, display_name, password, Role.ADMINISTRATOR, [])
    user = _add_user(session, username, display_name.strip(), password, Role.ADMINISTRATOR, [])
    session.add(OfficeSetting(key=OFFICE_NAME, value=office_name.strip()))
    audit.record(session, by or username, "create", REGISTER, user.id, label=username,
                 changes={"role": [None, Role.ADMINISTRATOR.value], "office_name": [None, office_name.strip()]})
    return actor_for(user)


def _add_user(session: Session, username: str, display_name: str, password: str, role: str, groups: list[int]) -> User:
    user = User(username=username, display_name=display_name, role=role, groups=sorted(set(groups)),
                password_hash=hash_password(password), failed_logins=0, active=True, created_at=now_utc())
    session.add(user)
    session.flush()
    return user


# ---------------------------------------------------------------- log-in


def _failed() -> AuthenticationFailed:
    """The one answer to every failed log-in: an unknown name, a wrong password and a locked
    account read alike, so that the log-in window tells no one which names exist or are locked
    (the lock-out is in the audit log and the administrator's list of accounts)."""
    return AuthenticationFailed(_("Wrong user name or password. After {n} wrong passwords in a row an account is locked for 15 minutes.").format(n=MAX_FAILED_LOGINS))


def authenticate(session: Session, username: str, password: str) -> Actor | AuthenticationFailed:
    """Check a password.  Failures are *returned*, not raised, so that the caller commits the
    failure count and its audit entry before reporting it (a raised error would roll them back).
    Every failure answers alike and costs one password check, whatever its cause."""
    typed = re.sub(r"[\x00\ud800-\udfff]", "", username).strip()[:64]  # what a database can keep
    user = session.scalar(select(User).where(func.lower(User.username) == typed.lower())) if typed else None
    if user is None or not user.active:
        _spend_verify_time(password)
        audit.record(session, typed or "?", "login_failed", REGISTER, user.id if user else None, label=typed)
        return _failed()
    now = now_utc()
    if user.locked_until and user.locked_until > now:
        _verify(user, password)  # as long as any other answer; a right password does not unlock
        audit.record(session, user.username, "login_failed", REGISTER, user.id, label=user.username,
                     changes={"locked": [None, "true"]})
        return _failed()
    if not _verify(user, password):
        user.failed_logins += 1
        audit.record(session, user.username, "login_failed", REGISTER, user.id, label=user.username)
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCK_DURATION
            user.failed_logins = 0
            audit.record(session, user.username, "locked", REGISTER, user.id, label=user.username)
        return _failed()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user.username, "login", REGISTER, user.id, label=user.username)
    return actor_for(user)


def login(db: Database, username: str, password: str) -> Actor:
    # A log-in is the re-check itself: it must work when the previous session's account changed.
    with db.write(check_account=False) as session:
        result = authenticate(session, username, password)
    if isinstance(result, AuthenticationFailed):
        raise result
    return result


# ---------------------------------------------------------------- user management


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: Role
    groups: tuple[int, ...]
    active: bool
    locked: bool


def _require_admin(actor: Actor) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may manage user accounts."))


def _get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("There is no user “{u}”.").format(u=username))
    return user


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    _require_admin(actor)
    now = now_utc()
    return [
        UserInfo(u.username, u.display_name, Role(u.role), tuple(u.groups), u.active,
                 bool(u.locked_until and u.locked_until > now))
        for u in session.scalars(select(User).order_by(User.username))
    ]


def create_user(session: Session, actor: Actor, username: str, display_name: str, password: str,
                role: str, groups: list[int]) -> UserInfo:
    _require_admin(actor)
    username = username.strip()
    _check_new_user(session, username, display_name, password, role, groups)
    user = _add_user(session, username, display_name.strip(), password, role, groups)
    audit.record(session, actor, "create", REGISTER, user.id, label=username,
                 changes={"display_name": [None, user.display_name], "role": [None, role],
                          "groups": [None, ",".join(map(str, user.groups))]})
    return UserInfo(username, user.display_name, Role(role), tuple(user.groups), True, False)


def update_user(session: Session, actor: Actor, username: str, *, display_name: str, role: str,
                groups: list[int], active: bool) -> None:
    _require_admin(actor)
    user = _get(session, username)
    if role not in {r.value for r in Role}:
        raise ValidationError.at("role", _("Please choose a role."))
    if role == Role.MEMBER and not groups:
        raise ValidationError.at("groups", _("A group member must belong to at least one working group."))
    if any(g not in range(1, 8) for g in groups):
        raise ValidationError.at("groups", _("Working groups are numbered 1 to 7."))
    if username == actor.username and (role != Role.ADMINISTRATOR or not active):
        raise ValidationError.at("role", _("You cannot take away your own administrator rights."))
    new = {"display_name": display_name.strip(), "role": role, "groups": sorted(set(groups)), "active": active}
    changes = {}
    for key, value in new.items():
        old = getattr(user, key)
        if old != value:
            changes[key] = [_audit_text(old), _audit_text(value)]
            setattr(user, key, value)
    if changes:
        audit.record(session, actor, "update", REGISTER, user.id, label=username, changes=changes)


def _audit_text(value: object) -> str:
    """The same canonical text as the register audit: lists as "1,3", booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def reset_password(session: Session, actor: Actor, username: str, new_password: str) -> None:
    """An administrator sets a new password; this also lifts a lock."""
    _require_admin(actor)
    _check_password(new_password)
    user = _get(session, username)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "password", REGISTER, user.id, label=username)


def change_own_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    user = _get(session, actor.username)
    if not _verify(user, old_password):
        raise ValidationError.at("old_password", _("The current password is wrong."))
    _check_password(new_password, "new_password")
    user.password_hash = hash_password(new_password)
    audit.record(session, actor, "password_changed", REGISTER, user.id, label=actor.username)


# ---------------------------------------------------------------- office settings


def office_name(session: Session) -> str:
    return session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == OFFICE_NAME)) or ""


def set_office_name(session: Session, actor: Actor, name: str) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may change the office's settings."))
    name = name.strip()
    if not name:
        raise ValidationError.at("office_name", _("Please enter the office's name."))
    setting = session.get(OfficeSetting, OFFICE_NAME)
    old = setting.value if setting else None
    if setting is None:
        session.add(OfficeSetting(key=OFFICE_NAME, value=name))
    else:
        setting.value = name
    if old != name:
        audit.record(session, actor, "settings", SETTINGS_REGISTER, None, label=_("Office name"),
                     changes={OFFICE_NAME: [old, name]})
