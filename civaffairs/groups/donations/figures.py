"""Group 6's figures, computed from the records whenever they are asked for (nothing is stored as a
total): the list columns, the rules' balances, the overview, the statistics report, the public
disclosure and the tests call these functions.

Words used here:
- a *lot* is one material donation as received (one item, one unit);
- a lot's *stock* is what was received less what was handed over to the coordination and support
  team; a *handover's* stock (what is *left with the team*) is what was handed over less what the
  team allocated from it;
- a *pool* is the money of one designated purpose at one receiving organisation: what was
  received less what was paid out of it (checked in total, not day by day);
- for a period: money and materials *received*, *handed over*, *allocated* and *paid out* are
  those dated in the period; what is *in stock* or *left* is as at the period's last day;
- only live records count (a deleted record is in the recycle bin, not in the books)."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import group as working_group
from civaffairs.groups.donations.fields import (
    ANONYMOUS, CHANNELS, GROUP, ITEMS, PURPOSES, RECIPIENT_KINDS, UNITS, choice_title, quantity_text, yuan,
)
from civaffairs.groups.donations.models import (
    Allocation, Disbursement, DonationBatch, Donor, Handover, MaterialDonation, MoneyDonation,
    ReceivingOrganisation,
)
from civaffairs.reports.figures import (
    Chart, Figure, FigureTable, Opens, Period, ReportSection, Series, Unit, daily_points,
)


def _live(model: type) -> Any:
    return model.deleted_at.is_(None)


def _ids(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(ids)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


MEMO = "donations.figures"  # session.info key; cleared after every flush (fields._guard_balances)


def _per_page(session: Session, name: str, ids: Sequence[uuid.UUID], compute: Any) -> Any:
    """Several computed columns of a list page ask for the same figures of the same records (a
    batch's count, total, check and difference): computed once per page and session, and again
    after any write (a flush clears the memo; pending changes bypass it)."""
    if session.new or session.dirty or session.deleted:
        return compute()
    memo = session.info.setdefault(MEMO, {})
    key = (name, tuple(ids))
    if key not in memo:
        memo[key] = compute()
    return memo[key]


# ------------------------------------------------------------------ batches against the statement


@dataclass(frozen=True)
class BatchCheck:
    expected_count: int
    expected_total: int  # fen
    entered_count: int
    entered_total: int  # fen

    @property
    def matches(self) -> bool:
        return self.expected_count == self.entered_count and self.expected_total == self.entered_total

    @property
    def difference_text(self) -> str:
        """"Matches", or what is missing or too much: "1 donation and ¥1,000.00 missing"."""
        if self.matches:
            return _("Matches")
        parts = []
        count = self.expected_count - self.entered_count
        if count > 0:
            parts.append(_("{n} donations missing").format(n=count))
        elif count < 0:
            parts.append(_("{n} donations too many").format(n=-count))
        amount = self.expected_total - self.entered_total
        if amount > 0:
            parts.append(_("{amount} missing").format(amount=yuan(amount)))
        elif amount < 0:
            parts.append(_("{amount} too much").format(amount=yuan(-amount)))
        return "，".join(parts)


def batch_checks(session: Session, batch_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, BatchCheck]:
    """Each batch's expected count and total against its live donations."""
    return _per_page(session, "batch_checks", batch_ids,  # type: ignore[no-any-return]
                     lambda: _batch_checks(session, batch_ids))


def _batch_checks(session: Session, batch_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, BatchCheck]:
    if not batch_ids:
        return {}
    entered = {b: (n, total or 0) for b, n, total in session.execute(
        select(MoneyDonation.batch_id, func.count(), func.sum(MoneyDonation.amount))
        .where(MoneyDonation.batch_id.in_(_ids(batch_ids)), _live(MoneyDonation))
        .group_by(MoneyDonation.batch_id))}
    found = {}
    for b, count, total in session.execute(select(DonationBatch.id, DonationBatch.expected_count,
                                                  DonationBatch.expected_total)
                                           .where(DonationBatch.id.in_(_ids(batch_ids)))):
        n, amount = entered.get(b, (0, 0))
        found[b] = BatchCheck(count, total, n, amount)
    return found


@dataclass(frozen=True)
class BatchLine:
    id: uuid.UUID
    day: date
    organisation: str
    channel: str  # code
    statement: str
    closed: bool
    check: BatchCheck


def batches_not_matching(session: Session, period: Period | None = None) -> list[BatchLine]:
    """The live batches (of `period`) whose donations do not agree with their statement."""
    stmt = (select(DonationBatch.id, DonationBatch.day, ReceivingOrganisation.name, DonationBatch.channel,
                   DonationBatch.statement, DonationBatch.closed)
            .join(ReceivingOrganisation, ReceivingOrganisation.id == DonationBatch.organisation_id)
            .where(_live(DonationBatch)).order_by(DonationBatch.day, DonationBatch.id))
    if period is not None:
        stmt = stmt.where(DonationBatch.day >= period.start, DonationBatch.day <= period.end)
    rows = session.execute(stmt).all()
    checks = batch_checks(session, [r[0] for r in rows])
    return [BatchLine(r[0], r[1], r[2], r[3], r[4], r[5], checks[r[0]]) for r in rows if not checks[r[0]].matches]


# ------------------------------------------------------------------ lots and handovers


@dataclass(frozen=True)
class LotBalance:
    received: int  # 0 for a deleted lot
    handed_over: int  # live handovers

    @property
    def in_stock(self) -> int:
        return self.received - self.handed_over


def _handed_by_lot(session: Session, lot_ids: Sequence[uuid.UUID], until: date | None = None) -> dict[uuid.UUID, int]:
    stmt = (select(Handover.material_id, func.sum(Handover.quantity))
            .where(Handover.material_id.in_(_ids(lot_ids)), _live(Handover)).group_by(Handover.material_id))
    if until is not None:
        stmt = stmt.where(Handover.day <= until)
    return {i: n or 0 for i, n in session.execute(stmt)}


def lot_balances(session: Session, lot_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, LotBalance]:
    """Each lot's quantity received and handed over (a deleted lot received nothing)."""
    return _per_page(session, "lot_balances", lot_ids,  # type: ignore[no-any-return]
                     lambda: _lot_balances(session, lot_ids))


def _lot_balances(session: Session, lot_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, LotBalance]:
    if not lot_ids:
        return {}
    handed = _handed_by_lot(session, lot_ids)
    return {i: LotBalance(q if deleted is None else 0, handed.get(i, 0)) for i, q, deleted in session.execute(
        select(MaterialDonation.id, MaterialDonation.quantity, MaterialDonation.deleted_at)
        .where(MaterialDonation.id.in_(_ids(lot_ids))))}


def handed_over(session: Session, lot_id: uuid.UUID, exclude: uuid.UUID | None = None) -> int:
    """What the live handovers of a lot took (without the handover `exclude`, being edited)."""
    stmt = select(func.sum(Handover.quantity)).where(Handover.material_id == lot_id, _live(Handover))
    if exclude is not None:
        stmt = stmt.where(Handover.id != exclude)
    return session.scalar(stmt) or 0


def handover_count(session: Session, lot_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(Handover).where(
        Handover.material_id == lot_id, _live(Handover))) or 0


def first_handover_day(session: Session, lot_id: uuid.UUID) -> date | None:
    return session.scalar(select(func.min(Handover.day)).where(Handover.material_id == lot_id, _live(Handover)))


def allocated(session: Session, handover_id: uuid.UUID, exclude: uuid.UUID | None = None) -> int:
    """What the live allocations from a handover took (without `exclude`, being edited)."""
    stmt = select(func.sum(Allocation.quantity)).where(Allocation.handover_id == handover_id, _live(Allocation))
    if exclude is not None:
        stmt = stmt.where(Allocation.id != exclude)
    return session.scalar(stmt) or 0


def first_allocation_day(session: Session, handover_id: uuid.UUID) -> date | None:
    return session.scalar(select(func.min(Allocation.day)).where(Allocation.handover_id == handover_id,
                                                                _live(Allocation)))


def item_text(description: str, unit: str | None, specification: str = "") -> str:
    """"一次性医用外科口罩（17.5×9.5cm）· 只"."""
    spec = f"（{specification}）" if specification else ""
    return f"{description}{spec} · {choice_title(UNITS, unit)}"


@dataclass(frozen=True)
class HandoverLine:
    quantity: int  # 0 for a deleted handover
    allocated: int
    item_text: str
    unit: str

    @property
    def left(self) -> int:
        return self.quantity - self.allocated


def handover_lines(session: Session, handover_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, HandoverLine]:
    return _per_page(session, "handover_lines", handover_ids,  # type: ignore[no-any-return]
                     lambda: _handover_lines(session, handover_ids))


def _handover_lines(session: Session, handover_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, HandoverLine]:
    if not handover_ids:
        return {}
    taken = {h: n or 0 for h, n in session.execute(
        select(Allocation.handover_id, func.sum(Allocation.quantity))
        .where(Allocation.handover_id.in_(_ids(handover_ids)), _live(Allocation)).group_by(Allocation.handover_id))}
    rows = session.execute(
        select(Handover.id, Handover.quantity, Handover.deleted_at, MaterialDonation.description,
               MaterialDonation.specification, MaterialDonation.unit)
        .join(MaterialDonation, MaterialDonation.id == Handover.material_id)
        .where(Handover.id.in_(_ids(handover_ids))))
    return {i: HandoverLine(q if deleted is None else 0, taken.get(i, 0), item_text(d, u, s), u)
            for i, q, deleted, d, s, u in rows}


def donor_label(kind: str, name: str) -> str:
    return _("Anonymous") if kind == ANONYMOUS else name


@dataclass(frozen=True)
class AllocationOrigin:
    """Where the units of an allocation came from, back to their donor."""

    allocation_id: uuid.UUID
    handover_id: uuid.UUID
    handover_day: date
    lot_id: uuid.UUID
    lot_day: date
    item: str  # code
    item_text: str
    unit: str
    donor_id: uuid.UUID
    donor: str
    organisation: str


def allocation_origins(session: Session, allocation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AllocationOrigin]:
    return _per_page(session, "allocation_origins", allocation_ids,  # type: ignore[no-any-return]
                     lambda: _allocation_origins(session, allocation_ids))


def _allocation_origins(session: Session, allocation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AllocationOrigin]:
    if not allocation_ids:
        return {}
    rows = session.execute(
        select(Allocation.id, Handover.id, Handover.day, MaterialDonation.id, MaterialDonation.day,
               MaterialDonation.item, MaterialDonation.description, MaterialDonation.specification,
               MaterialDonation.unit, Donor.id, Donor.kind, Donor.name, ReceivingOrganisation.name)
        .join(Handover, Handover.id == Allocation.handover_id)
        .join(MaterialDonation, MaterialDonation.id == Handover.material_id)
        .join(Donor, Donor.id == MaterialDonation.donor_id)
        .join(ReceivingOrganisation, ReceivingOrganisation.id == MaterialDonation.organisation_id)
        .where(Allocation.id.in_(_ids(allocation_ids))))
    return {r[0]: AllocationOrigin(r[0], r[1], r[2], r[3], r[4], r[5], item_text(r[6], r[8], r[7]), r[8], r[9],
                                   donor_label(r[10], r[11]), r[12]) for r in rows}


# ------------------------------------------------------------------ money pools


@dataclass(frozen=True)
class Balance:
    received: int  # fen
    used: int

    @property
    def left(self) -> int:
        return self.received - self.used


def pool_balance(session: Session, organisation_id: uuid.UUID, purpose: str, *,
                 exclude_donation: uuid.UUID | None = None, exclude_disbursement: uuid.UUID | None = None) -> Balance:
    """The money of one purpose at one organisation, all time (live records)."""
    received = select(func.sum(MoneyDonation.amount)).where(
        MoneyDonation.organisation_id == organisation_id, MoneyDonation.purpose == purpose, _live(MoneyDonation))
    if exclude_donation is not None:
        received = received.where(MoneyDonation.id != exclude_donation)
    used = select(func.sum(Disbursement.amount)).where(
        Disbursement.organisation_id == organisation_id, Disbursement.purpose == purpose, _live(Disbursement))
    if exclude_disbursement is not None:
        used = used.where(Disbursement.id != exclude_disbursement)
    return Balance(session.scalar(received) or 0, session.scalar(used) or 0)


def organisation_balances(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Balance]:
    return _per_page(session, "organisation_balances", ids,  # type: ignore[no-any-return]
                     lambda: _organisation_balances(session, ids))


def _organisation_balances(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Balance]:
    if not ids:
        return {}
    received = {o: n or 0 for o, n in session.execute(
        select(MoneyDonation.organisation_id, func.sum(MoneyDonation.amount))
        .where(MoneyDonation.organisation_id.in_(_ids(ids)), _live(MoneyDonation))
        .group_by(MoneyDonation.organisation_id))}
    used = {o: n or 0 for o, n in session.execute(
        select(Disbursement.organisation_id, func.sum(Disbursement.amount))
        .where(Disbursement.organisation_id.in_(_ids(ids)), _live(Disbursement))
        .group_by(Disbursement.organisation_id))}
    return {i: Balance(received.get(i, 0), used.get(i, 0)) for i in ids}


@dataclass(frozen=True)
class DonorTotals:
    count: int
    amount: int  # fen
    lots: int


def donor_totals(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DonorTotals]:
    return _per_page(session, "donor_totals", ids,  # type: ignore[no-any-return]
                     lambda: _donor_totals(session, ids))


def _donor_totals(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DonorTotals]:
    if not ids:
        return {}
    money = {d: (n, a or 0) for d, n, a in session.execute(
        select(MoneyDonation.donor_id, func.count(), func.sum(MoneyDonation.amount))
        .where(MoneyDonation.donor_id.in_(_ids(ids)), _live(MoneyDonation)).group_by(MoneyDonation.donor_id))}
    lots = {d: n for d, n in session.execute(
        select(MaterialDonation.donor_id, func.count())
        .where(MaterialDonation.donor_id.in_(_ids(ids)), _live(MaterialDonation)).group_by(MaterialDonation.donor_id))}
    return {i: DonorTotals(*money.get(i, (0, 0)), lots.get(i, 0)) for i in ids}


# ------------------------------------------------------------------ money for a period


@dataclass(frozen=True)
class CountAmount:
    count: int = 0
    amount: int = 0  # fen


@dataclass(frozen=True)
class MoneyFigures:
    """Money received in a period, by channel and by purpose; paid out in it; left at its end."""

    received: CountAmount
    by_channel: dict[str, CountAmount]
    by_purpose: dict[str, CountAmount]
    used_by_purpose: dict[str, int]  # fen, paid out in the period
    left_by_purpose: dict[str, int]  # fen, at the end of the period (all received − all paid out up to then)
    opening_by_purpose: dict[str, int]  # fen, left the day before the period began

    @property
    def used(self) -> int:
        return sum(self.used_by_purpose.values())

    @property
    def left(self) -> int:
        return sum(self.left_by_purpose.values())


def money_figures(session: Session, period: Period, organisation_id: uuid.UUID | None = None) -> MoneyFigures:
    def donations(*conds: Any) -> Any:
        stmt = select(func.count(), func.sum(MoneyDonation.amount)).where(_live(MoneyDonation), *conds)
        if organisation_id is not None:
            stmt = stmt.where(MoneyDonation.organisation_id == organisation_id)
        return stmt

    def paid(*conds: Any) -> Any:
        stmt = select(Disbursement.purpose, func.sum(Disbursement.amount)).where(_live(Disbursement), *conds)
        if organisation_id is not None:
            stmt = stmt.where(Disbursement.organisation_id == organisation_id)
        return stmt.group_by(Disbursement.purpose)

    within = (MoneyDonation.day >= period.start, MoneyDonation.day <= period.end)
    n, total = session.execute(donations(*within)).one()
    by_channel = {c: CountAmount(k, a or 0) for c, k, a in session.execute(
        donations(*within).with_only_columns(MoneyDonation.channel, func.count(), func.sum(MoneyDonation.amount))
        .group_by(MoneyDonation.channel))}
    by_purpose = {p: CountAmount(k, a or 0) for p, k, a in session.execute(
        donations(*within).with_only_columns(MoneyDonation.purpose, func.count(), func.sum(MoneyDonation.amount))
        .group_by(MoneyDonation.purpose))}
    used = {p: a or 0 for p, a in session.execute(paid(Disbursement.day >= period.start,
                                                       Disbursement.day <= period.end))}
    received_to_end = {p: a or 0 for p, _k, a in session.execute(
        donations(MoneyDonation.day <= period.end).with_only_columns(
            MoneyDonation.purpose, func.count(), func.sum(MoneyDonation.amount)).group_by(MoneyDonation.purpose))}
    used_to_end = {p: a or 0 for p, a in session.execute(paid(Disbursement.day <= period.end))}
    left = {c.code: received_to_end.get(c.code, 0) - used_to_end.get(c.code, 0) for c in PURPOSES}
    opening = {c.code: left[c.code] - by_purpose.get(c.code, CountAmount()).amount + used.get(c.code, 0)
               for c in PURPOSES}
    return MoneyFigures(CountAmount(n or 0, total or 0), by_channel, by_purpose, used, left, opening)


# ------------------------------------------------------------------ materials for a period


@dataclass
class ItemLine:
    """One kind of material in one unit: received, handed over and allocated in a period, and the
    stock at its end (in the receiving organisations' store, and with the coordination team)."""

    item: str  # code
    unit: str  # code
    lots: int = 0
    received: int = 0
    estimated_value: int = 0  # fen, of the lots received
    handed_over: int = 0
    allocated: int = 0
    in_store: int = 0
    with_team: int = 0

    @property
    def item_title(self) -> str:
        return choice_title(ITEMS, self.item)

    @property
    def unit_title(self) -> str:
        return choice_title(UNITS, self.unit)


def material_figures(session: Session, period: Period, organisation_id: uuid.UUID | None = None) -> list[ItemLine]:
    """Per kind of material and unit, in the order of the item list."""
    lines: dict[tuple[str, str], ItemLine] = {}

    def line(item: str, unit: str) -> ItemLine:
        return lines.setdefault((item, unit), ItemLine(item, unit))

    lot_conds = [_live(MaterialDonation)]
    if organisation_id is not None:
        lot_conds.append(MaterialDonation.organisation_id == organisation_id)
    key = (MaterialDonation.item, MaterialDonation.unit)
    for item, unit, n, q, v in session.execute(
            select(*key, func.count(), func.sum(MaterialDonation.quantity), func.sum(MaterialDonation.estimated_value))
            .where(*lot_conds, MaterialDonation.day >= period.start, MaterialDonation.day <= period.end)
            .group_by(*key)):
        entry = line(item, unit)
        entry.lots, entry.received, entry.estimated_value = n, q or 0, v or 0
    for item, unit, q in session.execute(select(*key, func.sum(MaterialDonation.quantity))
                                         .where(*lot_conds, MaterialDonation.day <= period.end).group_by(*key)):
        line(item, unit).in_store += q or 0
    handovers = select(*key, func.sum(Handover.quantity)).join(
        MaterialDonation, MaterialDonation.id == Handover.material_id).where(*lot_conds, _live(Handover))
    for item, unit, q in session.execute(handovers.where(Handover.day >= period.start, Handover.day <= period.end)
                                         .group_by(*key)):
        line(item, unit).handed_over = q or 0
    for item, unit, q in session.execute(handovers.where(Handover.day <= period.end).group_by(*key)):
        line(item, unit).in_store -= q or 0
        line(item, unit).with_team += q or 0
    allocations = (select(*key, func.sum(Allocation.quantity))
                   .join(Handover, Handover.id == Allocation.handover_id)
                   .join(MaterialDonation, MaterialDonation.id == Handover.material_id)
                   .where(*lot_conds, _live(Handover), _live(Allocation)))
    for item, unit, q in session.execute(allocations.where(Allocation.day >= period.start,
                                                           Allocation.day <= period.end).group_by(*key)):
        line(item, unit).allocated = q or 0
    for item, unit, q in session.execute(allocations.where(Allocation.day <= period.end).group_by(*key)):
        line(item, unit).with_team -= q or 0
    order = {c.code: n for n, c in enumerate(ITEMS)}
    units = {c.code: n for n, c in enumerate(UNITS)}
    return sorted((entry for entry in lines.values() if entry.received or entry.in_store or entry.with_team
                   or entry.handed_over or entry.allocated),
                  key=lambda entry: (order.get(entry.item, 99), units.get(entry.unit, 99)))


@dataclass(frozen=True)
class StockLine:
    """A lot with stock left, or a handover with materials left with the coordination team."""

    lot_id: uuid.UUID
    day: date
    organisation: str
    donor: str
    item: str  # code
    description: str
    specification: str
    unit: str
    received: int
    in_store: int
    with_team: int
    expiry_date: date | None

    @property
    def item_text(self) -> str:
        return item_text(self.description, self.unit, self.specification)


def stock_lines(session: Session, *, only_with_stock: bool = True) -> list[StockLine]:
    """Every live lot with what is left of it in the store and with the coordination team today."""
    rows = session.execute(
        select(MaterialDonation.id, MaterialDonation.day, ReceivingOrganisation.name, Donor.kind, Donor.name,
               MaterialDonation.item, MaterialDonation.description, MaterialDonation.specification,
               MaterialDonation.unit, MaterialDonation.quantity, MaterialDonation.expiry_date)
        .join(ReceivingOrganisation, ReceivingOrganisation.id == MaterialDonation.organisation_id)
        .join(Donor, Donor.id == MaterialDonation.donor_id)
        .where(_live(MaterialDonation))
        .order_by(MaterialDonation.item, MaterialDonation.day, MaterialDonation.id)).all()
    ids = [r[0] for r in rows]
    handed = _handed_by_lot(session, ids) if ids else {}
    allocated_by_lot = {lot: n or 0 for lot, n in session.execute(
        select(Handover.material_id, func.sum(Allocation.quantity))
        .join(Handover, Handover.id == Allocation.handover_id)
        .where(Handover.material_id.in_(ids), _live(Handover), _live(Allocation)).group_by(Handover.material_id))} \
        if ids else {}
    order = {c.code: n for n, c in enumerate(ITEMS)}
    lines = [StockLine(r[0], r[1], r[2], donor_label(r[3], r[4]), r[5], r[6], r[7], r[8], r[9],
                       r[9] - handed.get(r[0], 0), handed.get(r[0], 0) - allocated_by_lot.get(r[0], 0), r[10])
             for r in rows]
    lines.sort(key=lambda line: (order.get(line.item, 99), line.day, str(line.lot_id)))
    return [line for line in lines if not only_with_stock or line.in_store or line.with_team]


# ------------------------------------------------------------------ tracing units


@dataclass(frozen=True)
class AllocationTrace:
    id: uuid.UUID
    day: date
    quantity: int
    recipient_kind: str
    recipient: str  # its name (a household by its head)

    @property
    def recipient_kind_title(self) -> str:
        return choice_title(RECIPIENT_KINDS, self.recipient_kind)


@dataclass(frozen=True)
class HandoverTrace:
    id: uuid.UUID
    day: date
    quantity: int
    received_by: str
    slip_number: str
    allocations: tuple[AllocationTrace, ...]

    @property
    def allocated(self) -> int:
        return sum(a.quantity for a in self.allocations)

    @property
    def left(self) -> int:
        return self.quantity - self.allocated


@dataclass(frozen=True)
class LotTrace:
    id: uuid.UUID
    day: date
    organisation: str
    item: str
    description: str
    specification: str
    unit: str
    quantity: int
    handovers: tuple[HandoverTrace, ...]

    @property
    def handed_over(self) -> int:
        return sum(h.quantity for h in self.handovers)

    @property
    def in_store(self) -> int:
        return self.quantity - self.handed_over

    @property
    def item_text(self) -> str:
        return item_text(self.description, self.unit, self.specification)

    def quantity_text(self, quantity: int) -> str:
        return quantity_text(quantity, self.unit)


@dataclass(frozen=True)
class DonorTrace:
    donor_id: uuid.UUID
    donor: str
    lots: tuple[LotTrace, ...]


def _recipient_names(session: Session, allocations: Sequence[Any]) -> dict[uuid.UUID, str]:
    """Each allocation's recipient by name: an institution, a compound, a household's head, or the text."""
    from civaffairs.groups.assistance.models import Household
    from civaffairs.groups.community.models import Compound
    from civaffairs.groups.service_institutions.models import Institution

    names: dict[uuid.UUID, str] = {}
    wanted: dict[Any, set[uuid.UUID]] = defaultdict(set)
    for a in allocations:
        for model, value in ((Institution, a.institution_id), (Compound, a.compound_id), (Household, a.household_id)):
            if value is not None:
                wanted[model].add(value)
    for model, ids in wanted.items():
        column = model.head_name if model is Household else model.name
        names.update({i: n for i, n in session.execute(select(model.id, column).where(model.id.in_(list(ids))))})
    found = {}
    for a in allocations:
        target = a.institution_id or a.compound_id or a.household_id
        found[a.id] = names.get(target, "") if target is not None else a.recipient_other
    return found


def trace_lots(session: Session, lot_ids: Sequence[uuid.UUID]) -> list[LotTrace]:
    """The live lots `lot_ids` with their live handovers and the live allocations of each."""
    if not lot_ids:
        return []
    lots = list(session.scalars(select(MaterialDonation).where(MaterialDonation.id.in_(_ids(lot_ids)),
                                                               _live(MaterialDonation))
                                .order_by(MaterialDonation.day, MaterialDonation.id)))
    handovers = list(session.scalars(select(Handover).where(Handover.material_id.in_([l.id for l in lots]),
                                                            _live(Handover)).order_by(Handover.day, Handover.id)))
    allocations = list(session.scalars(select(Allocation).where(Allocation.handover_id.in_([h.id for h in handovers]),
                                                                _live(Allocation))
                                       .order_by(Allocation.day, Allocation.id))) if handovers else []
    recipients = _recipient_names(session, allocations)
    by_handover: dict[uuid.UUID, list[AllocationTrace]] = defaultdict(list)
    for a in allocations:
        by_handover[a.handover_id].append(AllocationTrace(a.id, a.day, a.quantity, a.recipient_kind, recipients[a.id]))
    by_lot: dict[uuid.UUID, list[HandoverTrace]] = defaultdict(list)
    for h in handovers:
        by_lot[h.material_id].append(HandoverTrace(h.id, h.day, h.quantity, h.received_by, h.slip_number,
                                                   tuple(by_handover[h.id])))
    organisations = dict(session.execute(select(ReceivingOrganisation.id, ReceivingOrganisation.name).where(
        ReceivingOrganisation.id.in_({l.organisation_id for l in lots}))).all()) if lots else {}
    return [LotTrace(l.id, l.day, organisations.get(l.organisation_id, ""), l.item, l.description, l.specification,
                     l.unit, l.quantity, tuple(by_lot[l.id])) for l in lots]


def trace_donor(session: Session, donor_id: uuid.UUID, item: str | None = None) -> DonorTrace:
    """Every unit a donor gave (of one kind of material, or all): its lots, where each was handed
    over and to whom the coordination team allocated it; what is still in stock follows."""
    donor = session.get(Donor, donor_id)
    stmt = select(MaterialDonation.id).where(MaterialDonation.donor_id == donor_id, _live(MaterialDonation))
    if item is not None:
        stmt = stmt.where(MaterialDonation.item == item)
    lots = trace_lots(session, list(session.scalars(stmt)))
    return DonorTrace(donor_id, donor_label(donor.kind, donor.name) if donor is not None else "", tuple(lots))


def material_donors(session: Session) -> list[tuple[uuid.UUID, str]]:
    """The donors who gave materials (live donations), by name: whom a trace can start from."""
    rows = session.execute(select(Donor.id, Donor.kind, Donor.name).where(
        _live(Donor), Donor.id.in_(select(MaterialDonation.donor_id).where(_live(MaterialDonation))))
        .order_by(Donor.name, Donor.id))
    return [(i, donor_label(kind, name)) for i, kind, name in rows]


@dataclass(frozen=True)
class TraceBack:
    """An allocation, back to its donor: who got it, from which handover, from which lot, from whom."""

    allocation: AllocationTrace
    origin: AllocationOrigin
    handover_quantity: int
    lot_quantity: int

    @property
    def text(self) -> str:
        o = self.origin
        return _("{quantity} {item} to {recipient} on {day} ← handed over to the coordination team on {handover} "
                 "← received by {organisation} on {received} ← donated by {donor}").format(
            quantity=quantity_text(self.allocation.quantity, o.unit), item=o.item_text,
            recipient=self.allocation.recipient, day=long_date(self.allocation.day),
            handover=long_date(o.handover_day), organisation=o.organisation, received=long_date(o.lot_day),
            donor=o.donor)


def trace_back(session: Session, allocation_id: uuid.UUID) -> TraceBack | None:
    allocation = session.get(Allocation, allocation_id)
    origin = allocation_origins(session, [allocation_id]).get(allocation_id)
    if allocation is None or origin is None:
        return None
    recipient = _recipient_names(session, [allocation])[allocation.id]
    handover = session.get(Handover, origin.handover_id)
    lot = session.get(MaterialDonation, origin.lot_id)
    assert handover is not None and lot is not None
    return TraceBack(AllocationTrace(allocation.id, allocation.day, allocation.quantity, allocation.recipient_kind,
                                     recipient), origin, handover.quantity, lot.quantity)


# ------------------------------------------------------------------ the statistics report


@dataclass(frozen=True)
class PeriodFigures:
    money: MoneyFigures
    materials: list[ItemLine] = field(default_factory=list)
    batches_not_matching: list[BatchLine] = field(default_factory=list)


def period_figures(session: Session, period: Period, organisation_id: uuid.UUID | None = None) -> PeriodFigures:
    return PeriodFigures(money_figures(session, period, organisation_id),
                         material_figures(session, period, organisation_id),
                         batches_not_matching(session, period))


def report_section(session: Session, actor: Actor, period: Period) -> ReportSection:
    """Group 6's part of the statistics report (统计上报) for `period`."""
    pf = period_figures(session, period)
    money, materials = pf.money, pf.materials
    lots = sum(line.lots for line in materials)
    figures = [
        Figure("donations", _("Money donations received"), money.received.count, Unit.TIMES, summary=True,
               opens=Opens.period("donations.money", period)),
        Figure("donation_amount", _("Money donated"), _yuan(money.received.amount), Unit.YUAN, summary=True,
               opens=Opens.period("donations.money", period)),
        Figure("material_lots", _("Material donations received"), lots, Unit.TIMES, summary=True,
               opens=Opens.period("donations.materials", period),
               note=_("Kinds: {items}.").format(items="、".join(dict.fromkeys(
                   line.item_title for line in materials if line.lots)) or "—")),
        Figure("material_value", _("Estimated value of the materials received"),
               _yuan(sum(line.estimated_value for line in materials)), Unit.YUAN),
        Figure("money_used", _("Donated money paid out"), _yuan(money.used), Unit.YUAN, summary=True),
        Figure("money_left", _("Donated money left on the last day"), _yuan(money.left), Unit.YUAN, summary=True),
        Figure("batches_not_matching", _("Day batches not agreeing with their statement"),
               len(pf.batches_not_matching), Unit.COUNT, alert=bool(pf.batches_not_matching),
               opens=Opens.period("donations.batches", period)),
    ]
    channel_rows = tuple((c.title, money.by_channel.get(c.code, CountAmount()).count,
                          _yuan(money.by_channel.get(c.code, CountAmount()).amount)) for c in CHANNELS)
    purpose_rows = tuple((c.title, money.by_purpose.get(c.code, CountAmount()).count,
                          _yuan(money.by_purpose.get(c.code, CountAmount()).amount),
                          _yuan(money.used_by_purpose.get(c.code, 0)), _yuan(money.left_by_purpose.get(c.code, 0)))
                         for c in PURPOSES)
    item_rows = tuple((line.item_title, line.unit_title, line.received, line.handed_over, line.allocated,
                       line.in_store, line.with_team) for line in materials)
    tables = [
        FigureTable(_("Money donations by channel"),
                    (_("Channel"), _("Number of money donations"), _("Amount (yuan)")), channel_rows),
        FigureTable(_("Money by designated purpose"),
                    (_("Designated purpose"), _("Number of money donations"), _("Received (yuan)"),
                     _("Paid out (yuan)"), _("Left on the last day (yuan)")), purpose_rows),
        FigureTable(_("Materials received, handed over and allocated"),
                    (_("Kind of material"), _("Unit"), _("Received"), _("Handed over"), _("Allocated"),
                     _("In the store on the last day"), _("With the coordination team on the last day")), item_rows),
    ]
    notes = []
    if pf.batches_not_matching:
        notes.append(_("Not agreeing with their statement: {list}.").format(list="；".join(
            f"{long_date(b.day)} {choice_title(CHANNELS, b.channel)}：{b.check.difference_text}"
            for b in pf.batches_not_matching)))
    return ReportSection(f"group-{GROUP}", working_group(GROUP).name, tuple(figures), tuple(tables), tuple(notes),
                         charts=(donations_chart(session, period),))


# ------------------------------------------------------------------ charts and today's alerts (the overview)

NEAR_EXPIRY_DAYS = 30  # stock expiring within a month is handed out first, or reported


def donated_per_day(session: Session, period: Period) -> dict[date, int]:
    """Money donated per day of `period` (fen)."""
    stmt = (select(MoneyDonation.day, func.sum(MoneyDonation.amount))
            .where(_live(MoneyDonation), MoneyDonation.day >= period.start, MoneyDonation.day <= period.end)
            .group_by(MoneyDonation.day))
    return {d: int(a or 0) for d, a in session.execute(stmt)}


def donations_chart(session: Session, period: Period) -> Chart:
    per_day = {d: _yuan(fen) for d, fen in donated_per_day(session, period).items()}
    return Chart(f"group-{GROUP}.donations", _("Money donated per day"), Unit.YUAN, (
        Series(_("Money donated (yuan)"), daily_points(period, per_day, lambda d: Opens("donations.money", d, d))),))


def chart_series(session: Session, actor: Actor, period: Period) -> tuple[Chart, ...]:
    return (donations_chart(session, period),)


def near_expiry(session: Session, day: date) -> list[StockLine]:
    """Lots with stock left (in the store or with the coordination team) expiring within
    `NEAR_EXPIRY_DAYS` of `day`, or already expired."""
    from datetime import timedelta

    limit = day + timedelta(days=NEAR_EXPIRY_DAYS)
    return [line for line in stock_lines(session) if line.expiry_date is not None and line.expiry_date <= limit]


def today_alerts(session: Session, actor: Actor, day: date) -> tuple[Figure, ...]:
    lines = near_expiry(session, day)
    return (Figure("stock_near_expiry", _("Donated stock expired or expiring within {n} days").format(n=NEAR_EXPIRY_DAYS),
                   len(lines), Unit.COUNT, alert=bool(lines),
                   note="、".join(dict.fromkeys(line.description for line in lines)),
                   opens=Opens("donations.materials")),)
