"""The audit log's hash chain: each entry carries a sequence number and the SHA-256 of its content
and of the entry before it, so an entry edited, deleted, inserted or moved in the database file
breaks the chain at that place, and `verify_chain` names it.

Every path that writes audit entries goes through `extend`: the ORM (`seal_new_entries`, called
before each flush) and `records.create_many`'s bulk insert.  The chain follows local insertion
order only (entries that arrive from another database later are simply chained on arrival).

`content_hash` may never change: every stored hash was made by it (migration 0008 too)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.core.clock import to_local
from civaffairs.core.errors import PermissionDenied
from civaffairs.core.i18n import N_, _

GENESIS = ""  # the "previous hash" of the first entry
CONTENT = ("id", "at", "actor", "action", "register", "record_id", "record_version", "record_label", "changes")
# PostgreSQL: one transaction at a time extends the chain (SQLite's BEGIN IMMEDIATE already does).
ADVISORY_LOCK = 0x6369766175646974  # "civaudit"
VERIFY_PAGE = 5000

_encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the previous entry's hash and the canonical JSON of `entry`'s content."""
    at: datetime = entry["at"]
    record_id = entry["record_id"]
    canonical = _encoder.encode({
        "id": str(entry["id"]),
        "at": (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat(),
        "actor": entry["actor"],
        "action": entry["action"],
        "register": entry["register"],
        "record_id": None if record_id is None else str(record_id),
        "record_version": entry["record_version"],
        "record_label": entry["record_label"] or "",
        "changes": entry["changes"] or {},
    })
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _tail(connection: Connection) -> tuple[int, str]:
    """The chain's last (seq, hash), after taking the chain's lock on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    table = AuditEntry.__table__
    last = connection.execute(select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def extend(connection: Connection, entries: Sequence[MutableMapping[str, Any]]) -> None:
    """Give `entries` (new rows, in the order written) their `seq` and `hash`, after the chain's
    current tail, in the caller's write transaction."""
    if not entries:
        return
    seq, previous = _tail(connection)
    for entry in entries:
        seq += 1
        previous = content_hash(previous, entry)
        entry["seq"], entry["hash"] = seq, previous


def seal_new_entries(session: Session, entries: Iterable[AuditEntry]) -> None:
    """The ORM's new entries, chained in the order they were added to the session."""
    from sqlalchemy import inspect

    from civaffairs.core.ids import new_id

    ordered = sorted(entries, key=lambda e: inspect(e).insert_order)
    rows = []
    for entry in ordered:
        if entry.id is None:
            entry.id = new_id()
        rows.append({name: getattr(entry, name) for name in CONTENT})
    extend(session.connection(), rows)
    for entry, row in zip(ordered, rows):
        entry.seq, entry.hash = row["seq"], row["hash"]


# ------------------------------------------------------------------ verification

CHANGED = N_("its content was changed, or an entry was inserted or moved before it")
MISSING = N_("an entry before it has been deleted")


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    at: datetime
    actor: str
    action: str
    register: str
    record_label: str
    reason: str  # CHANGED or MISSING, untranslated


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken: BrokenLink | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def message(self) -> str:
        if self.broken is None:
            return _("The audit chain is intact: {n} entries.").format(n=self.entries)
        b = self.broken
        from civaffairs.audit.service import action_label

        return _("The audit chain is broken at entry No. {seq} ({time}, {actor}, {action}, {register} {record}): {reason}.").format(
            seq=b.seq, time=to_local(b.at).strftime("%Y-%m-%d %H:%M:%S"), actor=b.actor, action=action_label(b.action),
            register=register_name(b.register), record=b.record_label, reason=_(b.reason))


def register_name(register: str) -> str:
    """A register's name in words (its key when unknown)."""
    from civaffairs.accounts import service as accounts
    from civaffairs.records.spec import get_register

    from civaffairs.audit.service import PRINT_REGISTER

    others = {accounts.REGISTER: N_("User accounts"), accounts.SETTINGS_REGISTER: N_("Office settings"),
              PRINT_REGISTER: N_("Printouts")}
    if register in others:
        return _(others[register])
    try:
        return get_register(register).name
    except KeyError:
        return register


def verify_chain(session: Session, actor: Actor, progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ChainReport:
    """Walk the chain in seq order, a page at a time (memory stays flat), recomputing each hash;
    the first entry whose hash does not match is the first broken link.  `progress(done, total)`
    after each page; `cancelled()` true stops the walk (`VerificationCancelled`)."""
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may read the audit log."))
    table = AuditEntry.__table__
    total = session.scalar(select(func.count()).select_from(table)) or 0
    columns = [table.c[name] for name in CONTENT] + [table.c.seq, table.c.hash]
    previous, last_seq, done = GENESIS, 0, 0
    while True:
        if cancelled is not None and cancelled():
            raise VerificationCancelled()
        page = session.execute(select(*columns).where(table.c.seq > last_seq).order_by(table.c.seq)
                               .limit(VERIFY_PAGE)).mappings().all()
        if not page:
            break
        for row in page:
            if row["hash"] != content_hash(previous, row):
                reason = MISSING if row["seq"] != last_seq + 1 else CHANGED
                return ChainReport(done, BrokenLink(row["seq"], row["at"], row["actor"], row["action"],
                                                    row["register"], row["record_label"] or "", reason))
            previous, last_seq = row["hash"], row["seq"]
            done += 1
        if progress is not None:
            progress(done, total)
    return ChainReport(done)


class VerificationCancelled(Exception):
    """The user stopped the verification."""

