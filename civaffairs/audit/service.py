"""Writing and reading the audit trail.  Writers call `record()` inside their own transaction,
so a change and its audit entry are committed together or not at all."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import PermissionDenied
from civaffairs.core.i18n import N_, _
from civaffairs.db.database import Database

ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "restore": N_("Restored"),
    "login": N_("Logged in"),
    "login_failed": N_("Wrong password"),
    "locked": N_("Account locked"),
    "password": N_("Password reset"),
    "password_changed": N_("Password changed"),
    "settings": N_("Settings changed"),
    "issue": N_("Issued"),  # a notice, under a document number
    "cancel": N_("Cancelled"),  # a document number, and its notice
    "export": N_("Exported"),  # a report or a list written to a file
    "print": N_("Printed"),  # a list, form or document sent to a printer or saved as PDF
    "backup": N_("Database backed up"),
    "backup_restore": N_("Database restored from a backup"),
}


PRINT_REGISTER = "printing"  # printouts that belong to no one register


def action_label(action: str) -> str:
    return _(ACTION_LABELS.get(action, action))


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    register: str,
    record_id: uuid.UUID | None = None,
    *,
    record_version: int | None = None,
    label: str = "",
    changes: dict[str, list[Any]] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at or now_utc(),
        actor=actor if isinstance(actor, str) else actor.username,
        action=action,
        register=register,
        record_id=record_id,
        record_version=record_version,
        record_label=label[:200],
        changes=changes or {},
    )
    session.add(entry)
    return entry


def check_before_output(db: Database, session: Session | None = None) -> None:
    """Before data leaves the program (an Excel export, a printout or a saved PDF, the statistics
    report): the signed-in account is re-checked as before a write (`Database.account_check`), so
    an account demoted, deactivated or given a new password since its log-in hands nothing out and
    gets `SessionEnded` — before any file is written, rather than an output whose audit entry is
    then refused.  In `session` when given (the read the output comes from), else in a read of its
    own; the command line, which signs no account in, passes."""
    check = db.account_check
    if check is None:
        return
    if session is not None:
        check(session)
        return
    with db.read() as own:
        check(own)


def record_access(target: Database | Session, actor: Actor | str, action: str, register: str,
                  record_id: uuid.UUID | None = None, *, label: str = "",
                  changes: dict[str, list[Any]] | None = None) -> None:
    """Audit a read that hands data out (a printout): in `target` when it is the caller's write
    session, else in a small write transaction of its own, since a read's transaction is never
    committed."""
    if isinstance(target, Session):
        record(target, actor, action, register, record_id, label=label, changes=changes)
        return
    with target.write() as session:
        record(session, actor, action, register, record_id, label=label, changes=changes)


@dataclass
class AuditQuery:
    actor: str | None = None
    register: str | None = None
    record_id: uuid.UUID | None = None
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(timezone.utc)


def _filtered(q: AuditQuery):  # type: ignore[no-untyped-def]
    stmt = select(AuditEntry)
    if q.actor:
        stmt = stmt.where(AuditEntry.actor == q.actor)
    if q.register:
        stmt = stmt.where(AuditEntry.register == q.register)
    if q.record_id:
        stmt = stmt.where(AuditEntry.record_id == q.record_id)
    if q.date_from:
        stmt = stmt.where(AuditEntry.at >= _local_day_start(q.date_from))
    if q.date_to:
        stmt = stmt.where(AuditEntry.at < _local_day_start(q.date_to + timedelta(days=1)))
    return stmt


def _check(actor: Actor) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may read the audit log."))


def count(session: Session, actor: Actor, q: AuditQuery) -> int:
    _check(actor)
    return session.scalar(select(func.count()).select_from(_filtered(q).subquery())) or 0


def fetch(session: Session, actor: Actor, q: AuditQuery, offset: int = 0, limit: int = 200) -> list[AuditEntry]:
    _check(actor)
    stmt = _filtered(q).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(stmt))


def actors(session: Session, actor: Actor) -> list[str]:
    _check(actor)
    return list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def changes_since(session: Session, record_id: uuid.UUID, version: int) -> list[AuditEntry]:
    """The entries written after `version` of a record: what others changed since it was opened."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.record_id == record_id, AuditEntry.record_version > version)
        .order_by(AuditEntry.record_version)
    )
    return list(session.scalars(stmt))
