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
from civaffairs.core.errors import NotFound, ValidationError
from civaffairs.core.i18n import _
from civaffairs.numbering.data import PREFIX_PATTERN, NumberEntry, NumberKind, NumberStatus, number_kind
from civaffairs.numbering.models import IssuedNumber, NumberSequence

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
    """The next number of (kind, prefix, year) for the record `owner_id` of `owner_register`."""
    prefix = check_prefix(prefix)
    sequence = _lock_sequence(session, kind, prefix, year)
    serial = highest(session, kind, prefix, year) + 1
    sequence.last_serial = serial
    now = now_utc()
    entry = IssuedNumber(kind=kind.key, prefix=prefix, year=year, serial=serial,
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
    return entry


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
