"""A PC's working copy and the office server: joining (the first download), and each exchange
(push the waiting changes, then pull what changed on the server).  Every step is safe to cut
off anywhere and repeat: the server applies a change once by its id; the PC marks a change sent
only after the server committed it; the pull position moves only with the rows it brought.

`local` is the PC's working copy (SQLite); `server` the office database, reached directly
(PostgreSQL; SQLite in tests).  Nothing here runs on the GUI thread."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civaffairs.audit.models import AuditEntry
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import ValidationError
from civaffairs.core.i18n import _
from civaffairs.db.base import Base
from civaffairs.db.database import Database
from civaffairs.records import derived
from civaffairs.records.spec import all_registers
from civaffairs.sync.models import AppliedChange, OutboxEntry, SyncConflict, SyncState
from civaffairs.sync.replay import Change, apply_change

Progress = Callable[[int, int], None]

PUSH_BATCH = 500  # changes per server transaction
PULL_BATCH = 5000  # audit entries read per pull step
COPY_BATCH = 5000  # rows per statement in the first download
NOT_COPIED = {OutboxEntry.__tablename__, SyncState.__tablename__, AppliedChange.__tablename__}
"""The PC's own bookkeeping, and the server's: never copied down."""


@dataclass
class ExchangeResult:
    sent: int = 0
    applied: int = 0
    merged: int = 0
    conflicts: int = 0
    received: int = 0
    registers: set[str] = field(default_factory=set)  # whose records changed on this PC (the lists to refresh)

    def summary(self) -> str:
        return _("Sent {sent} changes ({applied} applied, {merged} merged, {conflicts} conflicts); "
                 "received {received} records.").format(sent=self.sent, applied=self.applied, merged=self.merged,
                                                        conflicts=self.conflicts, received=self.received)


@dataclass(frozen=True)
class SyncStatus:
    server: str  # the server in words, without a password; "" on a single PC
    pc: str
    waiting: int
    last_exchange: datetime | None
    last_error: str
    open_conflicts: int


# ------------------------------------------------------------------ state


def read_state(session: Session) -> dict[str, str]:
    return {r.key: r.value for r in session.scalars(select(SyncState))}


def _set_state(session: Session, **values: str) -> None:
    for key, value in values.items():
        row = session.get(SyncState, key)
        if row is None:
            session.add(SyncState(key=key, value=value))
        else:
            row.value = value


def server_url(session: Session) -> str | None:
    row = session.get(SyncState, "server")
    return row.value if row is not None and row.value else None


def status(local: Database) -> SyncStatus:
    from civaffairs.core.paths import describe_url

    with local.read() as s:
        state = read_state(s)
        waiting = s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))) or 0
        conflicts = s.scalar(select(func.count()).select_from(SyncConflict)
                             .where(SyncConflict.resolved_at.is_(None))) or 0
    last = state.get("last_exchange")
    return SyncStatus(describe_url(state["server"]) if state.get("server") else "", state.get("pc", ""), waiting,
                      datetime.fromisoformat(last) if last else None, state.get("last_error", ""), conflicts)


def waiting_changes(local: Database, limit: int = 1000) -> list[OutboxEntry]:
    with local.read() as s:
        return list(s.scalars(select(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
                              .order_by(OutboxEntry.position).limit(limit)))


# ------------------------------------------------------------------ joining


def _check_can_connect(local: Database, server: Database) -> None:
    """Both databases at this program's version, and this PC not yet working with a server."""
    from civaffairs.db.migrate import current_revision

    if current_revision(local.engine) != current_revision(server.engine):
        raise ValidationError.at("", _("The office server's database is at another version than this program; "
                                       "update the program on every PC (or the server) first."))
    with local.read() as s:
        if server_url(s):
            raise ValidationError.at("", _("This PC already works with an office server."))


def join(local: Database, server: Database, server_url_text: str, *, progress: Progress | None = None) -> int:
    """Make `local` (a new PC's database: no records yet) a working copy of `server`: every
    table copied in one consistent read of the server, then exchanges bring only changes.
    Returns the rows copied."""
    _check_can_connect(local, server)
    with local.read() as s:
        mine = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    if mine:
        raise ValidationError.at("", _("This PC's database already holds records; a PC joins an office server "
                                       "with an empty data folder."))
    from civaffairs.sync.files import ensure_office_key

    with server.write(check_account=False) as ss:
        ensure_office_key(ss)  # seals the exchange files; comes down with the office's settings
    with server.snapshot() as ss, local.write(check_account=False) as ls:
        copied, position = _copy_everything(ss, ls, progress)
        _set_state(ls, server=server_url_text, pc=str(uuid.uuid4()), pulled=str(position),
                   last_exchange=now_utc().isoformat(), last_error="")
    local.working_copy = True
    return copied


def publish(local: Database, server: Database, server_url_text: str, *, progress: Progress | None = None) -> int:
    """Move a single PC's database onto a new, empty office server (migrated to this program's
    version): every table copied up in one server transaction; this PC then works on a copy of
    it, and other PCs join.  Returns the rows copied."""
    from civaffairs.accounts.models import User
    from civaffairs.sync.files import ensure_office_key

    _check_can_connect(local, server)
    with server.read() as ss:
        if (ss.scalar(select(func.count()).select_from(AuditEntry)) or 0) or \
                (ss.scalar(select(func.count()).select_from(User)) or 0):
            raise ValidationError.at("", _("The office server already holds records; a database is moved only onto "
                                           "an empty one."))
    with local.snapshot() as ls, server.write(check_account=False) as ss:
        copied, position = _copy_everything(ls, ss, progress)
        ensure_office_key(ss)
        key_row = dict(ss.execute(select(Base.metadata.tables["office_setting"])
                                  .where(Base.metadata.tables["office_setting"].c.key == "exchange_key")).mappings().one())
    with local.write(check_account=False) as ls:
        _upsert(ls.connection(), Base.metadata.tables["office_setting"], [key_row])
        _set_state(ls, server=server_url_text, pc=str(uuid.uuid4()), pulled=str(position),
                   last_exchange=now_utc().isoformat(), last_error="")
    local.working_copy = True
    return copied


def _copy_everything(source: Session, target: Session, progress: Progress | None) -> tuple[int, int]:
    """Every table but the exchange's bookkeeping, from one consistent read of `source` into
    `target` in its transaction (what `target` held before is replaced: a new database's
    settings).  Returns the rows copied and the source's audit position."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]
    total = sum(source.scalar(select(func.count()).select_from(t)) or 0 for t in tables)
    position = source.scalar(select(func.max(AuditEntry.seq))) or 0
    connection = target.connection()
    for t in reversed(tables):
        connection.execute(delete(t))
    copied = 0
    for t in tables:
        for rows in _chunks(source.execute(select(t)).mappings(), COPY_BATCH):
            connection.execute(insert(t), rows)
            copied += len(rows)
            if progress:
                progress(copied, total)
    return copied, position


def _chunks(rows: Iterable[Any], size: int) -> Iterable[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for r in rows:
        batch.append(dict(r))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# ------------------------------------------------------------------ the exchange


def exchange(local: Database, server: Database) -> ExchangeResult:
    """Push, then pull.  Raises `DatabaseUnreachable` when the server cannot be reached (the
    changes stay waiting); the state keeps the error for the status bar."""
    from civaffairs.core.errors import DatabaseUnreachable

    result = ExchangeResult()
    try:
        pushed = push(local, server, result)
        pull(local, server, result, refresh=pushed)
        if keep_numbers(local, server):
            pull(local, server, result)  # the blocks just reserved come down
    except DatabaseUnreachable as e:
        with local.write(check_account=False) as s:
            _set_state(s, last_error=e.message)
        raise
    with local.write(check_account=False) as s:
        _set_state(s, last_exchange=now_utc().isoformat(), last_error="")
    return result


def push(local: Database, server: Database, result: ExchangeResult | None = None) -> dict[str, set[uuid.UUID]]:
    """Send the waiting changes, oldest first, a batch per server transaction.  Returns the
    records they touched, by register (the pull refreshes them even if the server refused)."""
    result = result if result is not None else ExchangeResult()
    touched: dict[str, set[uuid.UUID]] = {}
    with local.read() as s:
        pc = read_state(s).get("pc", "")
    while True:
        with local.read() as s:
            entries = list(s.scalars(select(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
                                     .order_by(OutboxEntry.position).limit(PUSH_BATCH)))
        if not entries:
            return touched
        changes = [Change(e.id, e.made_at, e.actor, e.command, e.register, e.record_id, e.record_label, e.payload)
                   for e in entries]
        outcomes = apply_changes(server, changes, pc)
        now = now_utc()
        with local.write(check_account=False) as s:  # only after the server committed
            s.execute(update(OutboxEntry), [{"id": e.id, "sent_at": now, "outcome": o} for e, o in zip(entries, outcomes)])
        keys = {getattr(spec.model, "__tablename__", ""): key for key, spec in _specs().items()}
        for change, outcome in zip(changes, outcomes):
            touched.setdefault(change.register, set()).add(change.record_id)
            for table, row_id in change.payload.get("rows", ()):  # every row a service call wrote here
                if table in keys:
                    touched.setdefault(keys[table], set()).add(uuid.UUID(row_id))
            result.sent += 1
            if outcome == "merged":
                result.merged += 1
            elif outcome == "conflict":
                result.conflicts += 1
            else:
                result.applied += 1


def keep_numbers(local: Database, server: Database, *, year: int | None = None) -> int:
    """Keep this PC supplied with numbers it can give offline: for every kind of number and
    every prefix the office uses, a block reserved on the server whenever fewer than half a
    block is left; blocks of past years returned (their unused serials cancelled with the
    reason).  Returns the blocks reserved or returned."""
    from civaffairs.core.clock import today_local
    from civaffairs.numbering import service as numbering
    from civaffairs.numbering.data import number_kinds
    from civaffairs.numbering.models import NumberBlock

    year = year or today_local().year
    with local.read() as s:
        pc = read_state(s).get("pc", "")
    if not pc:
        return 0
    changed = 0
    with server.write(check_account=False) as ss:
        size = numbering.block_size(ss)
        for block in ss.scalars(select(NumberBlock).where(NumberBlock.pc == pc, NumberBlock.year < year,
                                                          NumberBlock.returned_at.is_(None))):
            numbering.return_block(ss, block)
            changed += 1
        for kind in number_kinds():
            for prefix in numbering.prefixes(ss, kind):
                if numbering.free_in_blocks(ss, pc, kind, prefix, year) * 2 < size:
                    numbering.reserve_block(ss, pc, kind, prefix, year, size)
                    changed += 1
    return changed


def apply_changes(server: Database, changes: list[Change], pc: str) -> list[str]:
    """Changes applied on the server in one transaction; a change seen before gives its first
    outcome again (an exchange cut off after the server committed, repeated)."""
    with server.write(check_account=False) as ss:
        before = dict(ss.execute(select(AppliedChange.change_id, AppliedChange.outcome)
                                 .where(AppliedChange.change_id.in_([c.id for c in changes]))).all())
        outcomes = []
        for change in changes:
            outcome = apply_change(ss, change, pc, seen=change.id in before)
            outcomes.append(before[change.id] if outcome == "already" else outcome)
        return outcomes


@dataclass
class Delivery:
    """What the server has for a PC since its position: the rows of the records named (by
    register, parents first), the ids asked for that the server does not have, the open
    conflicts, and the position they bring the PC to (None: where it was)."""
    rows: list[tuple[str, list[dict[str, Any]], set[uuid.UUID]]]  # (register, rows, missing ids)
    conflicts: list[dict[str, Any]]
    position: int | None
    complete: bool  # False: more to fetch from the new position


class _Synced:
    """A table that comes down with the pull: a register's, or one a service declared."""

    def __init__(self, model: Any) -> None:
        self.model = model


def _specs() -> dict[str, Any]:
    from civaffairs.sync.capture import SYNCED_TABLES

    return {**{key: _Synced(model) for key, model in SYNCED_TABLES.items()},
            **{spec.key: spec for spec in all_registers()}}


def collect(server_session: Session, position: int, wanted: dict[str, set[uuid.UUID]],
            limit: int = PULL_BATCH) -> Delivery:
    """On the server: the records its audit log names after `position` (at most `limit`
    entries), and those `wanted`."""
    specs = _specs()
    order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    wanted = {k: set(v) for k, v in wanted.items() if k in specs}
    entries = server_session.execute(select(AuditEntry.seq, AuditEntry.register, AuditEntry.record_id)
                                     .where(AuditEntry.seq > position).order_by(AuditEntry.seq).limit(limit)).all()
    for e in entries:
        if e.register in specs and e.record_id is not None:
            wanted.setdefault(e.register, set()).add(e.record_id)
    rows: list[tuple[str, list[dict[str, Any]], set[uuid.UUID]]] = []
    for key in sorted(wanted, key=lambda k: order.get(specs[k].model.__tablename__, 0)):
        table = specs[key].model.__table__
        ids = list(wanted[key])
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            found += [dict(r) for r in server_session.execute(
                select(table).where(table.c.id.in_(ids[start:start + 500]))).mappings()]
        rows.append((key, found, set(ids) - {r["id"] for r in found}))
    conflicts = [dict(r) for r in server_session.execute(
        select(SyncConflict.__table__).where(SyncConflict.resolved_at.is_(None))).mappings()]
    return Delivery(rows, conflicts, entries[-1].seq if entries else None, len(entries) < limit)


def store(local_session: Session, delivery: Delivery, registers: set[str] | None = None) -> int:
    """On the PC, in its transaction: the delivered rows written over its own where they differ,
    except records with a change still waiting here (the next exchange sends it first); records
    the server does not have (a change it refused) removed; the conflicts replaced; the position
    moved.  Returns the records written; adds their registers to `registers`."""
    specs = _specs()
    waiting = set(local_session.scalars(select(OutboxEntry.record_id).where(OutboxEntry.sent_at.is_(None))))
    connection = local_session.connection()
    received = 0
    stale: list[str] = []
    copied: dict[str, set[uuid.UUID]] = {}
    for key, found, _missing in delivery.rows:  # parents first
        table = specs[key].model.__table__
        found = [r for r in found if r["id"] not in waiting]
        held = {r["id"]: dict(r) for start in range(0, len(found), 500) for r in connection.execute(
            select(table).where(table.c.id.in_([f["id"] for f in found[start:start + 500]]))).mappings()}
        found = [r for r in found if held.get(r["id"]) != r]  # what this PC has already is not written again
        written, skipped = _upsert(connection, table, found)
        received += written
        if written and registers is not None:
            registers.add(key)
        stale += [f"{key}:{i}" for i in skipped]
        copied[table.name] = {r["id"] for r in found} - set(skipped)
    for key, _found, missing in reversed(delivery.rows):  # children first
        table = specs[key].model.__table__
        gone = [i for i in missing if i not in waiting]
        if gone:
            removed = connection.execute(delete(table).where(table.c.id.in_(gone))).rowcount
            copied.setdefault(table.name, set()).update(gone)
            if removed and registers is not None:
                registers.add(key)
    derived.rows_copied(connection, copied)  # a search index kept from these rows
    conflict_table = SyncConflict.__table__
    connection.execute(delete(conflict_table).where(conflict_table.c.resolved_at.is_(None)))
    _upsert(connection, conflict_table, delivery.conflicts)
    _set_state(local_session, stale=" ".join(stale),
               **({"pulled": str(delivery.position)} if delivery.position is not None else {}))
    return received


def stale_wanted(state: dict[str, str]) -> dict[str, set[uuid.UUID]]:
    """Records a clash kept back at the last pull, asked for again."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for item in filter(None, state.get("stale", "").split()):
        key, _sep, record_id = item.partition(":")
        wanted.setdefault(key, set()).add(uuid.UUID(record_id))
    return wanted


def pull(local: Database, server: Database, result: ExchangeResult | None = None,
         refresh: dict[str, set[uuid.UUID]] | None = None) -> int:
    """Bring the records the server's audit log names since this PC's position (and those in
    `refresh`), the open conflicts, and move the position."""
    result = result if result is not None else ExchangeResult()
    received = 0
    wanted = {k: set(v) for k, v in (refresh or {}).items()}
    while True:
        with local.read() as s:
            state = read_state(s)
        for key, ids in stale_wanted(state).items():
            wanted.setdefault(key, set()).update(ids)
        with server.snapshot() as ss:
            delivery = collect(ss, int(state.get("pulled", "0") or 0), wanted, limit=PULL_BATCH)
        with local.write(check_account=False) as ls:
            received += store(ls, delivery, result.registers)
        wanted = {}
        if delivery.complete:
            result.received += received
            return received


def _upsert(connection: Any, table: Table, rows: list[dict[str, Any]]) -> tuple[int, list[uuid.UUID]]:
    """The rows written over this PC's; those that clash with another record of this PC (by a
    natural key: a record this PC made that the server has not answered for yet) are returned,
    to be asked for again by the next pull."""
    if not rows:
        return 0, []
    stmt = sqlite_insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=[c for c in table.primary_key.columns],
                                      set_={c.name: stmt.excluded[c.name] for c in table.columns if not c.primary_key})
    try:
        with connection.begin_nested():
            connection.execute(stmt, rows)
        return len(rows), []
    except IntegrityError:
        pass
    skipped = []
    for row in rows:
        try:
            with connection.begin_nested():
                connection.execute(stmt, [row])
        except IntegrityError:
            skipped.append(row["id"])
    return len(rows) - len(skipped), skipped
