"""The one numbering service.  Every printed form that carries a number takes it from here:
per (kind, prefix, year), max + 1 under a lock, never reused; a cancelled number keeps its row
with the reason.  Work on offline PCs will change allocation in this one place.

Allocation happens inside the caller's transaction (the owner's service has checked the
permission): on PostgreSQL after `SELECT … FOR UPDATE` of the (kind, prefix, year) row of
`number_sequence`; on SQLite the write transaction already holds the database's write lock
(`Database.write()` begins with BEGIN IMMEDIATE).  The unique constraint on (kind, prefix, year,
serial) is the last guard.  Every allocation and cancellation is audited (register "numbers")."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import CivaffairsError, NotFound, ValidationError
from civaffairs.core.i18n import _
from civaffairs.numbering.data import PREFIX_PATTERN, NumberEntry, NumberKind, NumberStatus, number_kind
from civaffairs.numbering.models import IssuedNumber, NumberBlock, NumberSequence
from civaffairs.sync.capture import synced_table

REGISTER = "numbers"
MAX_REASON = 500


def check_prefix(prefix: object, field: str = "prefix") -> str:
    text = prefix.strip() if isinstance(prefix, str) else ""
    if not text:
        raise ValidationError.at(field, _("Please enter the prefix of the number, e.g. 麦民发."))
    if not PREFIX_PATTERN.match(text):
        raise ValidationError.at(field, _("A prefix is 1 to 12 Chinese characters, e.g. 麦民发, without year, brackets or number."))
    return text


def highest(session: Session, kind: NumberKind, prefix: str, year: int) -> int:
    in_register = session.scalar(select(func.max(IssuedNumber.serial)).where(
        IssuedNumber.kind == kind.key, IssuedNumber.prefix == prefix, IssuedNumber.year == year)) or 0
    in_sequence = session.scalar(select(NumberSequence.last_serial).where(
        NumberSequence.kind == kind.key, NumberSequence.prefix == prefix, NumberSequence.year == year)) or 0
    return max(in_register, in_sequence)


def peek(session: Session, kind: NumberKind, prefix: str, year: int) -> str:
    """The number allocation would give now (a preview: it reserves nothing)."""
    return kind.format(prefix, year, highest(session, kind, prefix, year) + 1)


def _lock_sequence(session: Session, kind: NumberKind, prefix: str, year: int) -> NumberSequence:
    """The (kind, prefix, year) row, made if missing and locked until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Two first allocations of a year at once: the second insert waits for the first, then does nothing.
    session.execute(insert(NumberSequence).values(kind=kind.key, prefix=prefix, year=year, last_serial=0)
                    .on_conflict_do_nothing(index_elements=["kind", "prefix", "year"]))
    return session.execute(
        select(NumberSequence)
        .where(NumberSequence.kind == kind.key, NumberSequence.prefix == prefix, NumberSequence.year == year)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def allocate(session: Session, actor: Actor, kind: NumberKind, prefix: str, year: int, *,
             owner_register: str, owner_id: uuid.UUID | None, owner_label: str = "") -> IssuedNumber:
    """The next number of (kind, prefix, year) for the record `owner_id` of `owner_register`.
    On a PC's working copy: the next serial of a block reserved for it on the server; on the
    server making such a PC's call again: the very serial the PC gave."""
    from civaffairs.sync import capture

    prefix = check_prefix(prefix)
    given = session.info.get(capture.NUMBERS_GIVEN)
    entry_id: uuid.UUID | None = None
    if given is not None and not capture.is_working_copy(session):  # the server, making a PC's call again
        serial, entry_id = _given_by_pc(session, given, kind, prefix, year)
    elif capture.is_working_copy(session):
        serial = _from_my_blocks(session, kind, prefix, year)
    else:
        sequence = _lock_sequence(session, kind, prefix, year)
        serial = highest(session, kind, prefix, year) + 1
        sequence.last_serial = serial
    now = now_utc()
    entry = IssuedNumber(**({"id": entry_id} if entry_id is not None else {}),
                         kind=kind.key, prefix=prefix, year=year, serial=serial,
                         number=kind.format(prefix, year, serial), status=NumberStatus.USED.value,
                         owner_register=owner_register, owner_id=owner_id, owner_label=owner_label[:200],
                         given_at=now, given_by=actor.username, cancel_reason="")
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:  # only if the locking above were bypassed: never give a number twice
        raise ValidationError.at("prefix", _("This number was just given out on another computer. Please try again.")) from None
    audit.record(session, actor, "create", REGISTER, entry.id, label=f"{entry.number} {owner_label}".strip(),
                 changes={"number": [None, entry.number], "kind": [None, kind.key],
                          "status": [None, NumberStatus.USED.value]}, at=now)
    if capture.is_working_copy(session):  # the number travels with the call that drew it
        session.info.setdefault(capture.NUMBERS_GIVEN, []).append(
            {"kind": kind.key, "prefix": prefix, "year": year, "serial": serial, "id": str(entry.id)})
    return entry


# ------------------------------------------------------------------ blocks for working copies

BLOCKS_REGISTER = "numbering.blocks"
DEFAULT_BLOCK_SIZE = 20
BLOCK_SIZE_SETTING = "number_block_size"


synced_table(REGISTER, IssuedNumber)  # a working copy has the number register too
synced_table(BLOCKS_REGISTER, NumberBlock)  # and its blocks


class NumbersRunOut(CivaffairsError):
    """A working copy has no reserved number left of this kind: the document waits, unnumbered."""


def _from_my_blocks(session: Session, kind: NumberKind, prefix: str, year: int) -> int:
    from civaffairs.sync.models import SyncState

    me = session.get(SyncState, "pc")
    blocks = session.scalars(select(NumberBlock).where(
        NumberBlock.pc == (me.value if me else ""), NumberBlock.kind == kind.key, NumberBlock.prefix == prefix,
        NumberBlock.year == year, NumberBlock.returned_at.is_(None)).order_by(NumberBlock.first))
    for block in blocks:
        used = session.scalar(select(func.max(IssuedNumber.serial)).where(
            IssuedNumber.kind == kind.key, IssuedNumber.prefix == prefix, IssuedNumber.year == year,
            IssuedNumber.serial.between(block.first, block.last)))
        serial = (used or block.first - 1) + 1
        if serial <= block.last:
            return serial
    raise NumbersRunOut(_("This PC has no {kind} of {prefix} ({year}) left from the office server; the document "
                          "stays unnumbered until the PC exchanges with the server again (it reserves more).")
                        .format(kind=kind.title, prefix=prefix, year=year))


def _given_by_pc(session: Session, given: list[dict[str, object]], kind: NumberKind, prefix: str,
                 year: int) -> tuple[int, uuid.UUID | None]:
    """The serial a PC gave for this call, if it lies in a block reserved for a PC and is free."""
    from civaffairs.sync import capture

    for i, g in enumerate(given):
        if (g.get("kind"), g.get("prefix"), g.get("year")) == (kind.key, prefix, year):
            given.pop(i)
            serial = int(g["serial"])  # type: ignore[call-overload]
            pc = session.info.get(capture.REPLAY_PC, "")
            block = session.scalar(select(NumberBlock).where(
                NumberBlock.pc == pc, NumberBlock.kind == kind.key, NumberBlock.prefix == prefix,
                NumberBlock.year == year, NumberBlock.first <= serial, NumberBlock.last >= serial).limit(1))
            taken = session.scalar(select(IssuedNumber.id).where(
                IssuedNumber.kind == kind.key, IssuedNumber.prefix == prefix, IssuedNumber.year == year,
                IssuedNumber.serial == serial))
            if block is None or taken is not None:
                raise ValidationError.at("", _("The number {number} given on another PC is not one reserved for it, "
                                               "or was given already.").format(number=kind.format(prefix, year, serial)))
            return serial, uuid.UUID(str(g["id"])) if g.get("id") else None
    raise ValidationError.at("", _("The other PC gave no number for this document."))


def block_size(session: Session) -> int:
    from civaffairs.accounts.models import OfficeSetting

    row = session.get(OfficeSetting, BLOCK_SIZE_SETTING)
    try:
        return max(1, int(row.value)) if row is not None else DEFAULT_BLOCK_SIZE
    except ValueError:
        return DEFAULT_BLOCK_SIZE


def free_in_blocks(session: Session, pc: str, kind: NumberKind, prefix: str, year: int) -> int:
    free = 0
    for block in session.scalars(select(NumberBlock).where(
            NumberBlock.pc == pc, NumberBlock.kind == kind.key, NumberBlock.prefix == prefix,
            NumberBlock.year == year, NumberBlock.returned_at.is_(None))):
        used = session.scalar(select(func.count()).select_from(IssuedNumber).where(
            IssuedNumber.kind == kind.key, IssuedNumber.prefix == prefix, IssuedNumber.year == year,
            IssuedNumber.serial.between(block.first, block.last))) or 0
        free += block.last - block.first + 1 - used
    return free


def reserve_block(session: Session, pc: str, kind: NumberKind, prefix: str, year: int, size: int) -> NumberBlock:
    """On the server: the next `size` serials set aside for the PC `pc` (the sequence moves past them)."""
    sequence = _lock_sequence(session, kind, prefix, year)
    first = highest(session, kind, prefix, year) + 1
    sequence.last_serial = first + size - 1
    now = now_utc()
    block = NumberBlock(pc=pc, kind=kind.key, prefix=prefix, year=year, first=first, last=first + size - 1,
                        reserved_at=now, reserved_by="sync")
    session.add(block)
    session.flush()
    audit.record(session, "sync", "reserve", BLOCKS_REGISTER, block.id,
                 label=f"{kind.format(prefix, year, first)}–{kind.format(prefix, year, block.last)}", at=now,
                 changes={"pc": [None, pc], "first": [None, str(first)], "last": [None, str(block.last)]})
    return block


def return_block(session: Session, block: NumberBlock) -> int:
    """On the server: a block given back (its year is over): every serial it left unused is
    entered as cancelled, with the reason, so that no number is skipped without a trace."""
    kind = number_kind(block.kind)
    used = set(session.scalars(select(IssuedNumber.serial).where(
        IssuedNumber.kind == block.kind, IssuedNumber.prefix == block.prefix, IssuedNumber.year == block.year,
        IssuedNumber.serial.between(block.first, block.last))))
    now = now_utc()
    reason = _("Reserved for a PC working offline and not used; returned.")
    unused = [n for n in range(block.first, block.last + 1) if n not in used]
    for serial in unused:
        session.add(IssuedNumber(kind=block.kind, prefix=block.prefix, year=block.year, serial=serial,
                                 number=kind.format(block.prefix, block.year, serial),
                                 status=NumberStatus.CANCELLED.value, owner_register="", owner_id=None,
                                 owner_label="", given_at=now, given_by="sync", cancelled_at=now,
                                 cancelled_by="sync", cancel_reason=reason))
    block.returned_at = now
    session.flush()
    audit.record(session, "sync", "return", BLOCKS_REGISTER, block.id, at=now,
                 label=f"{kind.format(block.prefix, block.year, block.first)}–{kind.format(block.prefix, block.year, block.last)}",
                 changes={"unused": [None, str(len(unused))]})
    return len(unused)


def find(session: Session, kind: NumberKind, prefix: str, year: int, serial: int, *,
         for_update: bool = False) -> IssuedNumber:
    stmt = select(IssuedNumber).where(IssuedNumber.kind == kind.key, IssuedNumber.prefix == (prefix or "").strip(),
                                      IssuedNumber.year == year, IssuedNumber.serial == serial)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    entry = session.execute(stmt).scalar_one_or_none()
    if entry is None:
        raise NotFound(_("The number {number} has not been given out.").format(number=kind.format(prefix, year, serial)))
    return entry


def clean_reason(reason: object) -> str:
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not text:
        raise ValidationError.at("reason", _("Please give the reason for cancelling the number."))
    if len(text) > MAX_REASON:
        raise ValidationError.at("reason", _("At most {n} characters.").format(n=MAX_REASON))
    return text


def cancel(session: Session, actor: Actor, entry: IssuedNumber, reason: str) -> None:
    """Cancel a number given out (the owner's service has checked the permission): it stays in
    the register with the reason and is never given again."""
    text = clean_reason(reason)
    if entry.status == NumberStatus.CANCELLED:
        raise ValidationError.at("", _("The number {number} is already cancelled.").format(number=entry.number))
    now = now_utc()
    entry.status = NumberStatus.CANCELLED.value
    entry.cancelled_at, entry.cancelled_by, entry.cancel_reason = now, actor.username, text
    session.flush()
    audit.record(session, actor, "cancel", REGISTER, entry.id, label=entry.number, at=now,
                 changes={"status": [NumberStatus.USED.value, NumberStatus.CANCELLED.value], "reason": [None, text]})


def owner_number(session: Session, owner_register: str, owner_id: uuid.UUID) -> IssuedNumber | None:
    """The number in use by a record, if it has one."""
    return session.scalar(select(IssuedNumber).where(
        IssuedNumber.owner_register == owner_register, IssuedNumber.owner_id == owner_id,
        IssuedNumber.status == NumberStatus.USED.value).order_by(IssuedNumber.given_at.desc()).limit(1))


def _entry(r: IssuedNumber) -> NumberEntry:
    return NumberEntry(kind=r.kind, prefix=r.prefix, year=r.year, serial=r.serial, number=r.number,
                       status=NumberStatus(r.status), owner_register=r.owner_register, owner_id=r.owner_id,
                       owner_label=r.owner_label, given_by=r.given_by, given_at=r.given_at,
                       cancelled_by=r.cancelled_by, cancelled_at=r.cancelled_at, cancel_reason=r.cancel_reason)


def entries(session: Session, kind: str | None = None, prefix: str | None = None,
            year: int | None = None) -> list[NumberEntry]:
    """The register, by kind, prefix, year and serial; cancelled numbers included.  Every role
    may read it (it holds no personal data)."""
    stmt = select(IssuedNumber)
    if kind is not None:
        stmt = stmt.where(IssuedNumber.kind == number_kind(kind).key)
    if prefix is not None:
        stmt = stmt.where(IssuedNumber.prefix == prefix.strip())
    if year is not None:
        stmt = stmt.where(IssuedNumber.year == year)
    stmt = stmt.order_by(IssuedNumber.kind, IssuedNumber.prefix, IssuedNumber.year, IssuedNumber.serial)
    return [_entry(r) for r in session.scalars(stmt)]


def prefixes(session: Session, kind: NumberKind) -> list[str]:
    """The prefixes used so far for `kind`, the default first when nothing was used yet."""
    used = list(session.scalars(select(IssuedNumber.prefix).where(IssuedNumber.kind == kind.key)
                                .distinct().order_by(IssuedNumber.prefix)))
    return used or ([kind.default_prefix] if kind.default_prefix else [])
