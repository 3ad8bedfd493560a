"""Group 6 (donations): stock that never goes negative whatever the order of operations (a
hypothesis state machine against a model), the trace of one donor's masks to their recipients and
back, the public disclosure's totals against the records and its masking, batches that warn when
they do not agree with the statement, acknowledgement numbers, money left per purpose, the
permissions, and the statistics report on the demo data."""
from __future__ import annotations

import io
import random
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule, run_state_machine_as_test
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from civaffairs.accounts.roles import Actor, Role
from civaffairs.core.errors import EditConflict, HasChildren, NeedsConfirmation, PermissionDenied, ValidationError
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.records import service as records
from civaffairs.reports.figures import Period
from tests.helpers import assert_fonts_embedded, fresh_id, fresh_mobile

load_all()

from civaffairs.groups.community.fields import COMPOUNDS  # noqa: E402
from civaffairs.groups.donations import demo, figures, reports, service  # noqa: E402
from civaffairs.groups.donations import fields as F  # noqa: E402
from civaffairs.groups.donations.models import (  # noqa: E402
    Allocation, Disbursement, Handover, MaterialDonation, MoneyDonation,
)
from civaffairs.groups.service_institutions.fields import INSTITUTIONS  # noqa: E402
from civaffairs.numbering import service as numbering  # noqa: E402
from civaffairs.places.fields import COMMUNITIES, TOWNS  # noqa: E402

DAY = date(2021, 10, 25)
OUTBREAK = Period(date(2021, 10, 1), date(2021, 11, 5))
_rng = random.Random(32100)


@pytest.fixture
def donations_member() -> Actor:
    return Actor("donations", "慈善协会干事", Role.MEMBER, frozenset({6}))


def credit_code() -> str:
    return demo.credit_code(_rng, "91")


def _create(db: Database, actor: Actor, spec, **values: Any) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values)


def _organisation(db: Database, actor: Actor, name: str = "麦积区慈善协会") -> uuid.UUID:
    return _create(db, actor, F.ORGANISATIONS, name=name, kind="charity_association", phone="0938-2735678").id


def _enterprise(db: Database, actor: Actor, name: str = "天水华鑫商贸有限公司", named: bool = True) -> uuid.UUID:
    return _create(db, actor, F.DONORS, kind=F.ENTERPRISE, name=name, credit_code=credit_code(),
                   named_publicly=named).id


def _person(db: Database, actor: Actor, name: str, named: bool = True) -> uuid.UUID:
    return _create(db, actor, F.DONORS, kind=F.INDIVIDUAL, name=name, id_number=fresh_id(), phone=fresh_mobile(),
                   named_publicly=named).id


def _batch(db: Database, actor: Actor, organisation: uuid.UUID, day: date = DAY, channel: str = F.BANK_TRANSFER,
           count: int = 1, total: str = "1000") -> uuid.UUID:
    return _create(db, actor, F.BATCHES, organisation_id=organisation, day=day, channel=channel, statement="农行对账单",
                   expected_count=count, expected_total=total).id


def _money(db: Database, actor: Actor, batch: uuid.UUID, donor: uuid.UUID, amount: str, purpose: str = F.UNDESIGNATED,
           **extra: Any) -> records.Row:
    with db.read() as s:
        values = service.batch_defaults(s, batch)
    return _create(db, actor, F.MONEY, batch_id=batch, donor_id=donor, amount=amount, purpose=purpose,
                   **{**values, **extra})


def _lot(db: Database, actor: Actor, organisation: uuid.UUID, donor: uuid.UUID, quantity: int, *,
         item: str = "masks", description: str = "一次性使用医用口罩", unit: str = "zhi", day: date = DAY,
         **extra: Any) -> uuid.UUID:
    return _create(db, actor, F.MATERIALS, organisation_id=organisation, day=day, donor_id=donor, item=item,
                   description=description, quantity=quantity, unit=unit, **extra).id


def _handover(db: Database, actor: Actor, lot: uuid.UUID, quantity: int, day: date = DAY) -> uuid.UUID:
    return _create(db, actor, F.HANDOVERS, material_id=lot, day=day, quantity=quantity, received_by="刘海燕").id


def _allocate(db: Database, actor: Actor, handover: uuid.UUID, quantity: int, kind: str = F.OTHER_RECIPIENT,
              target: Any = "道北街道核酸检测点", day: date = DAY) -> uuid.UUID:
    return _create(db, actor, F.ALLOCATIONS, handover_id=handover, day=day, quantity=quantity, recipient_kind=kind,
                   received_by="王芳", **{F.RECIPIENT_FIELDS[kind]: target}).id


# ------------------------------------------------------------------ stock under any order of operations


def test_stock_never_goes_negative_under_any_order_of_operations(db: Database, admin: Actor) -> None:
    """Receipts, handovers, allocations, edits, deletions and restores in any order, through the
    services: each is refused exactly when it would take a lot's stock or a handover's stock with
    the coordination team below zero (or breaks a record's ties), and what the figures say always
    equals the model."""

    class Stock(RuleBasedStateMachine):
        lots = Bundle("lots")
        handovers = Bundle("handovers")
        allocations = Bundle("allocations")

        def __init__(self) -> None:
            super().__init__()
            self.organisation = _organisation(db, admin, f"慈善协会{uuid.uuid4().hex[:6]}")
            self.donor = _enterprise(db, admin, f"捐赠企业{uuid.uuid4().hex[:6]}")
            self.lot: dict[uuid.UUID, list[Any]] = {}  # id -> [quantity, live]
            self.handover: dict[uuid.UUID, list[Any]] = {}  # id -> [lot, quantity, live]
            self.allocation: dict[uuid.UUID, list[Any]] = {}  # id -> [handover, quantity, live]

        # -- the model

        def handed(self, lot: uuid.UUID, exclude: uuid.UUID | None = None) -> int:
            return sum(q for h, (l, q, live) in self.handover.items() if l == lot and live and h != exclude)

        def allocated(self, handover: uuid.UUID, exclude: uuid.UUID | None = None) -> int:
            return sum(q for a, (h, q, live) in self.allocation.items() if h == handover and live and a != exclude)

        # -- doing it through the services

        def attempt(self, work: Any, expected: bool, *, stock: bool = False) -> Any:
            try:
                with db.write() as s:
                    result = work(s)
            except (ValidationError, HasChildren, EditConflict) as e:
                assert not expected, f"refused, but the model allows it: {e}"
                if stock and isinstance(e, ValidationError):
                    assert "quantity" in e.field_errors, e.field_errors  # said at the quantity field
                return None
            assert expected, "done, but the model says it takes stock below zero"
            return result

        def update(self, spec: Any, record_id: uuid.UUID, quantity: int, expected: bool) -> None:
            def work(s: Any) -> Any:
                row = records.get(s, admin, spec, record_id)
                if row.deleted_at is not None:
                    raise EditConflict([], deleted=True)
                return records.update(s, admin, spec, record_id, row.version, {"quantity": quantity})
            self.attempt(work, expected, stock=True)

        # Small quantities, so that a step often lands just at or past what is left.
        @rule(target=lots, quantity=st.integers(1, 20))
        def receive(self, quantity: int) -> uuid.UUID:
            lot = _lot(db, admin, self.organisation, self.donor, quantity)
            self.lot[lot] = [quantity, True]
            return lot

        @rule(target=handovers, lot=lots, quantity=st.integers(1, 12))
        def hand_over(self, lot: uuid.UUID, quantity: int) -> Any:
            received, live = self.lot[lot]
            expected = live and quantity <= received - self.handed(lot)
            made = self.attempt(lambda s: records.create(s, admin, F.HANDOVERS, {
                "material_id": lot, "day": DAY, "quantity": quantity, "received_by": "刘海燕"}), expected,
                stock=live)
            if made is None:
                return multiple()
            self.handover[made.id] = [lot, quantity, True]
            return made.id

        @rule(target=allocations, handover=handovers, quantity=st.integers(1, 12))
        def allocate(self, handover: uuid.UUID, quantity: int) -> Any:
            _lot_id, handed, live = self.handover[handover]
            expected = live and quantity <= handed - self.allocated(handover)
            made = self.attempt(lambda s: records.create(s, admin, F.ALLOCATIONS, {
                "handover_id": handover, "day": DAY, "quantity": quantity, "recipient_kind": F.OTHER_RECIPIENT,
                "recipient_other": "核酸检测点"}), expected, stock=live)
            if made is None:
                return multiple()
            self.allocation[made.id] = [handover, quantity, True]
            return made.id

        @rule(lot=lots, quantity=st.integers(1, 12))
        def edit_lot(self, lot: uuid.UUID, quantity: int) -> None:
            _received, live = self.lot[lot]
            expected = live and quantity >= self.handed(lot)
            self.update(F.MATERIALS, lot, quantity, expected)
            if expected:
                self.lot[lot][0] = quantity

        @rule(handover=handovers, quantity=st.integers(1, 12))
        def edit_handover(self, handover: uuid.UUID, quantity: int) -> None:
            lot, _q, live = self.handover[handover]
            expected = (live and quantity <= self.lot[lot][0] - self.handed(lot, exclude=handover)
                        and quantity >= self.allocated(handover))
            self.update(F.HANDOVERS, handover, quantity, expected)
            if expected:
                self.handover[handover][1] = quantity

        @rule(allocation=allocations, quantity=st.integers(1, 12))
        def edit_allocation(self, allocation: uuid.UUID, quantity: int) -> None:
            handover, _q, live = self.allocation[allocation]
            expected = live and quantity <= self.handover[handover][1] - self.allocated(handover, exclude=allocation)
            self.update(F.ALLOCATIONS, allocation, quantity, expected)
            if expected:
                self.allocation[allocation][1] = quantity

        @rule(lot=lots)
        def delete_lot(self, lot: uuid.UUID) -> None:
            has_handovers = any(l == lot and live for l, _q, live in self.handover.values())
            self.attempt(lambda s: records.delete(s, admin, F.MATERIALS, lot), not has_handovers)
            if not has_handovers:
                self.lot[lot][1] = False

        @rule(handover=handovers)
        def delete_handover(self, handover: uuid.UUID) -> None:
            has_allocations = any(h == handover and live for h, _q, live in self.allocation.values())
            self.attempt(lambda s: records.delete(s, admin, F.HANDOVERS, handover), not has_allocations)
            if not has_allocations:
                self.handover[handover][2] = False

        @rule(allocation=allocations)
        def delete_allocation(self, allocation: uuid.UUID) -> None:
            self.attempt(lambda s: records.delete(s, admin, F.ALLOCATIONS, allocation), True)
            self.allocation[allocation][2] = False

        @rule(lot=lots)
        def restore_lot(self, lot: uuid.UUID) -> None:
            self.attempt(lambda s: records.restore(s, admin, F.MATERIALS, lot), True)
            self.lot[lot][1] = True

        @rule(handover=handovers)
        def restore_handover(self, handover: uuid.UUID) -> None:
            lot, quantity, live = self.handover[handover]
            expected = live or (self.lot[lot][1] and quantity <= self.lot[lot][0] - self.handed(lot))
            self.attempt(lambda s: records.restore(s, admin, F.HANDOVERS, handover), expected)
            if expected:
                self.handover[handover][2] = True

        @rule(allocation=allocations)
        def restore_allocation(self, allocation: uuid.UUID) -> None:
            handover, quantity, live = self.allocation[allocation]
            expected = live or (self.handover[handover][2]
                                and quantity <= self.handover[handover][1] - self.allocated(handover))
            self.attempt(lambda s: records.restore(s, admin, F.ALLOCATIONS, allocation), expected)
            if expected:
                self.allocation[allocation][2] = True

        # -- what the figures say

        @invariant()
        def stock_agrees_with_the_model_and_is_never_negative(self) -> None:
            with db.read() as s:
                lots = figures.lot_balances(s, list(self.lot))
                handovers = figures.handover_lines(s, list(self.handover))
            for lot, (quantity, live) in self.lot.items():
                balance = lots[lot]
                assert (balance.received, balance.handed_over) == (quantity if live else 0, self.handed(lot))
                assert balance.in_stock >= 0
            for handover, (_lot_id, quantity, live) in self.handover.items():
                line = handovers[handover]
                assert (line.quantity, line.allocated) == (quantity if live else 0, self.allocated(handover))
                assert line.left >= 0

    run_state_machine_as_test(Stock, settings=settings(max_examples=30, stateful_step_count=25, deadline=None,
                                                       suppress_health_check=list(HealthCheck)))


def test_a_handover_beyond_the_stock_is_refused_at_the_quantity_field_naming_what_is_left(
        db: Database, donations_member: Actor) -> None:
    organisation = _organisation(db, donations_member)
    lot = _lot(db, donations_member, organisation, _enterprise(db, donations_member), 1000)
    first = _handover(db, donations_member, lot, 700)
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.create(s, donations_member, F.HANDOVERS, {"material_id": lot, "day": DAY, "quantity": 301,
                                                          "received_by": "刘海燕"})
    assert refused.value.field_errors == {"quantity": "这批物资库存仅剩300只（接收1,000只，已移交700只）。"}
    # An allocation beyond what the team holds, and a lot made smaller than what was handed over.
    _allocate(db, donations_member, first, 650)
    with pytest.raises(ValidationError, match="协调保障组仅剩50只") as refused, db.write() as s:
        records.create(s, donations_member, F.ALLOCATIONS, {"handover_id": first, "day": DAY, "quantity": 51,
                                                            "recipient_kind": F.OTHER_RECIPIENT,
                                                            "recipient_other": "核酸检测点"})
    assert list(refused.value.field_errors) == ["quantity"]
    with db.read() as s:
        row = records.get(s, donations_member, F.MATERIALS, lot)
    with pytest.raises(ValidationError, match="已移交700只") as refused, db.write() as s:
        records.update(s, donations_member, F.MATERIALS, lot, row.version, {"quantity": 699})
    assert list(refused.value.field_errors) == ["quantity"]
    # A lot with handovers cannot be deleted; the list shows what is in stock.
    with pytest.raises(HasChildren), db.write() as s:
        records.delete(s, donations_member, F.MATERIALS, lot)
    assert row.values["handed_over"] == 700 and row.values["in_stock"] == 300


def test_dates_follow_the_materials_and_expired_ones_are_asked_about(db: Database, admin: Actor) -> None:
    organisation = _organisation(db, admin)
    lot = _lot(db, admin, organisation, _enterprise(db, admin), 100, expiry_date=date(2021, 10, 30))
    with pytest.raises(ValidationError, match="移交日期不能早于接收日期"), db.write() as s:
        records.create(s, admin, F.HANDOVERS, {"material_id": lot, "day": date(2021, 10, 24), "quantity": 10,
                                               "received_by": "刘海燕"})
    message = "这批物资已于2021年10月30日过期，确定仍要移交吗？"
    with pytest.raises(NeedsConfirmation) as asked, db.write() as s:
        records.create(s, admin, F.HANDOVERS, {"material_id": lot, "day": date(2021, 11, 2), "quantity": 10,
                                               "received_by": "刘海燕"})
    assert asked.value.field_errors == {"day": message}
    with db.write() as s:
        records.create(s, admin, F.HANDOVERS, {"material_id": lot, "day": date(2021, 11, 2), "quantity": 10,
                                               "received_by": "刘海燕"}, accept=(message,))


# ------------------------------------------------------------------ tracing


def _recipients(db: Database, actor: Actor) -> tuple[uuid.UUID, uuid.UUID]:
    town = _create(db, actor, TOWNS, name="道北街道", kind="subdistrict").id
    community = _create(db, actor, COMMUNITIES, town_id=town, name="渭滨社区", kind="community").id
    compound = _create(db, actor, COMPOUNDS, community_id=community, name="锦绣花园").id
    home = _create(db, actor, INSTITUTIONS, name="麦积区社会福利中心", kind="elderly_care").id
    return home, compound


def _household(db: Database, head: str) -> uuid.UUID:
    from civaffairs.core.clock import now_utc
    from civaffairs.groups.assistance.models import Household

    with db.write() as s:
        town = records.options(s, Actor("admin", "管理员", Role.ADMINISTRATOR), TOWNS)[0].id
        now = now_utc()
        household = Household(head_name=head, head_id_number=fresh_id(), town_id=town, created_at=now,
                              created_by="test", updated_at=now, updated_by="test")
        s.add(household)
        s.flush()
        return household.id


def test_one_donors_masks_are_traced_to_their_recipients_and_back(db: Database, admin: Actor) -> None:
    organisation = _organisation(db, admin)
    home, compound = _recipients(db, admin)
    donor = _enterprise(db, admin, "天水华鑫商贸有限公司")
    other_donor = _enterprise(db, admin, "甘肃陇原医药有限公司")
    masks = _lot(db, admin, organisation, donor, 50_000)
    kn95 = _lot(db, admin, organisation, donor, 2_000, description="KN95防护口罩")
    gloves = _lot(db, admin, organisation, donor, 1_000, item="gloves", description="一次性丁腈手套", unit="shuang")
    _lot(db, admin, organisation, other_donor, 9_000)  # someone else's masks: not in this donor's trace
    first, second = _handover(db, admin, masks, 30_000), _handover(db, admin, masks, 20_000, date(2021, 10, 27))
    to_home = _allocate(db, admin, first, 5_000, F.INSTITUTION, home)
    to_compound = _allocate(db, admin, first, 3_000, F.COMPOUND, compound, date(2021, 10, 26))
    to_site = _allocate(db, admin, second, 12_000, day=date(2021, 10, 28))
    kn95_handover = _handover(db, admin, kn95, 2_000)
    to_home_kn95 = _allocate(db, admin, kn95_handover, 500, F.INSTITUTION, home)
    _handover(db, admin, gloves, 400)

    with db.read() as s:
        trace = figures.trace_donor(s, donor, "masks")
        everything = figures.trace_donor(s, donor)
        backs = {a: figures.trace_back(s, a) for a in (to_home, to_compound, to_site, to_home_kn95)}
    assert trace.donor == "天水华鑫商贸有限公司"
    assert [lot.id for lot in trace.lots] == [masks, kn95]  # the gloves are not masks
    lot = trace.lots[0]
    assert (lot.quantity, lot.handed_over, lot.in_store) == (50_000, 50_000, 0)
    assert [(h.id, h.quantity, h.allocated, h.left) for h in lot.handovers] == [
        (first, 30_000, 8_000, 22_000), (second, 20_000, 12_000, 8_000)]
    assert [(a.recipient, a.quantity) for h in lot.handovers for a in h.allocations] == [
        ("麦积区社会福利中心", 5_000), ("锦绣花园", 3_000), ("道北街道核酸检测点", 12_000)]
    # Every unit is somewhere: allocated, with the team or in the store.
    for lot in everything.lots:
        allocated = sum(h.allocated for h in lot.handovers)
        with_team = sum(h.left for h in lot.handovers)
        assert allocated + with_team + lot.in_store == lot.quantity
    assert len(everything.lots) == 3
    # And back: from each allocation to its handover, its lot and this donor.
    for allocation, back in backs.items():
        assert back is not None and back.origin.donor_id == donor and back.origin.donor == "天水华鑫商贸有限公司"
    assert backs[to_compound].origin.handover_id == first and backs[to_compound].origin.lot_id == masks
    assert backs[to_site].origin.handover_id == second
    assert backs[to_home_kn95].origin.lot_id == kn95
    assert backs[to_home].text == ("2021年10月25日分配给麦积区社会福利中心5,000只（一次性使用医用口罩 · 只）"
                                   "← 2021年10月25日移交协调保障组 ← 2021年10月25日由麦积区慈善协会接收 "
                                   "← 捐赠人：天水华鑫商贸有限公司")


# ------------------------------------------------------------------ batches against the statement


def test_a_batch_that_does_not_agree_with_its_statement_warns_when_closed(db: Database,
                                                                         donations_member: Actor) -> None:
    actor = donations_member
    organisation = _organisation(db, actor)
    batch = _batch(db, actor, organisation, count=3, total="3500")
    _money(db, actor, batch, _enterprise(db, actor), "2000", bank_reference="2021102500001")
    person = _money(db, actor, batch, _person(db, actor, "李秀英"), "1000")
    with db.read() as s:
        row = records.get(s, actor, F.BATCHES, batch)
    assert (row.values["entered_count"], row.values["entered_total"]) == (2, Decimal("3000.00"))
    assert row.values["check"] == F.BATCH_DIFFERS and row.values["difference"] == "少1笔，少¥500.00"
    assert F.BATCHES.row_level is not None and F.BATCHES.row_level(row.values) is not None

    message = ("本批次与对账单不符。已录入2笔，合计¥3,000.00；对账单为3笔，合计¥3,500.00。确定仍要关账吗？")
    with pytest.raises(NeedsConfirmation) as asked, db.write() as s:
        records.update(s, actor, F.BATCHES, batch, row.version, {"closed": True})
    assert asked.value.field_errors == {"closed": message}
    # The third transfer is entered; now it agrees and closes without a question.
    _money(db, actor, batch, _person(db, actor, "王建国"), "500")
    with db.write() as s:
        closed = records.update(s, actor, F.BATCHES, batch, row.version, {"closed": True})
    assert closed.values["check"] == F.BATCH_MATCHES and closed.values["difference"] == "相符"
    # A closed batch takes no new donation and no new amount, but a fiscal receipt number later, yes.
    with pytest.raises(ValidationError, match="已核对关账") as refused, db.write() as s:
        records.create(s, actor, F.MONEY, {"batch_id": batch, "day": DAY, "donor_id": person.values["donor_id__id"],
                                           "amount": "100", "channel": F.BANK_TRANSFER, "purpose": F.UNDESIGNATED,
                                           "organisation_id": organisation})
    assert list(refused.value.field_errors) == ["batch_id"]
    with pytest.raises(ValidationError, match="已核对关账"), db.write() as s:
        records.update(s, actor, F.MONEY, person.id, person.version, {"amount": "1200"})
    with db.write() as s:
        records.update(s, actor, F.MONEY, person.id, person.version, {"fiscal_receipt_number": "0062001234"})
    # A donation must agree with its batch: day, organisation and channel.
    other = _batch(db, actor, organisation, day=date(2021, 10, 26))
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.create(s, actor, F.MONEY, {"batch_id": other, "day": DAY, "donor_id": person.values["donor_id__id"],
                                           "amount": "100", "channel": F.CASH, "purpose": F.UNDESIGNATED,
                                           "organisation_id": organisation})
    assert set(refused.value.field_errors) == {"day", "channel"}
    # The same bank reference twice is probably the same transfer: asked, not refused.
    with pytest.raises(NeedsConfirmation, match="该银行流水号已于2021年10月25日登记"), db.write() as s:
        records.create(s, actor, F.MONEY, {"batch_id": other, "day": date(2021, 10, 26),
                                           "donor_id": person.values["donor_id__id"], "amount": "1000",
                                           "channel": F.BANK_TRANSFER, "purpose": F.UNDESIGNATED,
                                           "organisation_id": organisation, "bank_reference": "2021102500001"})
    with db.read() as s:
        assert [b.id for b in figures.batches_not_matching(s)] == [other]  # expects 1, has none


# ------------------------------------------------------------------ money per purpose


def test_money_left_per_purpose_never_goes_below_zero(db: Database, donations_member: Actor) -> None:
    actor = donations_member
    organisation = _organisation(db, actor)
    batch = _batch(db, actor, organisation, count=2, total="30000")
    big = _money(db, actor, batch, _enterprise(db, actor), "20000", "prevention_supplies")
    _money(db, actor, batch, _person(db, actor, "张明"), "10000", F.UNDESIGNATED)
    payment = {"organisation_id": organisation, "day": date(2021, 10, 28), "purpose": "prevention_supplies",
               "recipient": "天水和顺医药连锁有限公司", "use": "采购医用口罩", "approved_by": "区疫情防控领导小组"}
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.create(s, actor, F.DISBURSEMENTS, {**payment, "amount": "20000.01"})
    assert refused.value.field_errors == {
        "amount": "麦积区慈善协会“防疫物资采购”捐款仅剩¥20,000.00（接收¥20,000.00，已支出¥0.00）。"}
    paid = _create(db, actor, F.DISBURSEMENTS, **payment, amount="15000")
    # A second payment takes only what is left; the undesignated money is not this purpose's money.
    with pytest.raises(ValidationError, match="仅剩¥5,000.00（接收¥20,000.00，已支出¥15,000.00）"), db.write() as s:
        records.create(s, actor, F.DISBURSEMENTS, {**payment, "amount": "5000.01"})
    with pytest.raises(ValidationError, match="仅剩¥20,000.00"), db.write() as s:  # an edit counts itself once
        records.update(s, actor, F.DISBURSEMENTS, paid.id, paid.version, {"amount": "20000.50"})
    # The donation cannot shrink below what was paid out of it, nor move to another purpose…
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.update(s, actor, F.MONEY, big.id, big.version, {"amount": "14999"})
    assert list(refused.value.field_errors) == ["amount"]
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.update(s, actor, F.MONEY, big.id, big.version, {"purpose": "front_line"})
    assert list(refused.value.field_errors) == ["purpose"]
    # …nor be deleted (the generic delete runs no rule: the balance guard refuses the write).
    with pytest.raises(ValidationError, match="结余为负"), db.write() as s:
        records.delete(s, actor, F.MONEY, big.id)
    with db.read() as s:
        balance = figures.pool_balance(s, organisation, "prevention_supplies")
        assert (balance.received, balance.used, balance.left) == (2_000_000, 1_500_000, 500_000)
        assert records.get(s, actor, F.MONEY, big.id).deleted_at is None
        organisation_row = records.get(s, actor, F.ORGANISATIONS, organisation)
    assert organisation_row.values["money_received"] == Decimal("30000.00")
    assert organisation_row.values["money_left"] == Decimal("15000.00")
    # Once the payment is deleted, the donation may go.
    with db.write() as s:
        records.delete(s, actor, F.DISBURSEMENTS, paid.id)
        records.delete(s, actor, F.MONEY, big.id)


# ------------------------------------------------------------------ the acknowledgement


def test_acknowledgements_are_numbered_once_never_reused_and_say_they_are_not_the_fiscal_receipt(
        db: Database, donations_member: Actor, tmp_path: Path) -> None:
    actor = donations_member
    organisation = _organisation(db, actor)
    batch = _batch(db, actor, organisation, count=2, total="26007.14")
    first = _money(db, actor, batch, _enterprise(db, actor), "20000", "prevention_supplies",
                   fiscal_receipt_number="0062001001", handler="杨建军")
    second = _money(db, actor, batch, _create(db, actor, F.DONORS, kind=F.ANONYMOUS, name="匿名（现金捐款箱）").id,
                    "6007.14")
    with db.write() as s:
        assert service.issue_acknowledgement(s, actor, F.MONEY.key, first.id, day=DAY) == "麦慈捐〔2021〕1号"
        assert service.issue_acknowledgement(s, actor, F.MONEY.key, second.id, day=DAY) == "麦慈捐〔2021〕2号"
        assert service.ensure_acknowledgement(s, actor, F.MONEY.key, first.id) == "麦慈捐〔2021〕1号"  # kept
    with pytest.raises(ValidationError, match="已出具凭证，编号麦慈捐〔2021〕1号"), db.write() as s:
        service.issue_acknowledgement(s, actor, F.MONEY.key, first.id, day=DAY)
    with pytest.raises(ValidationError, match="不能早于捐赠日期"), db.write() as s:
        service.cancel_acknowledgement(s, actor, F.MONEY.key, first.id, "金额有误")
        service.issue_acknowledgement(s, actor, F.MONEY.key, first.id, day=date(2021, 10, 24))
    with db.read() as s:  # the refusal above rolled back the cancellation too
        assert records.get(s, actor, F.MONEY, first.id).values["ack_number"] == "麦慈捐〔2021〕1号"
        current = records.get(s, actor, F.MONEY, first.id)
    # The donor holds the acknowledgement: the donation stays on the books until it is cancelled.
    with pytest.raises(ValidationError, match="不能删除.*麦慈捐〔2021〕2号"), db.write() as s:
        records.delete(s, actor, F.MONEY, second.id)
    # What the acknowledgement states stays as printed; a fiscal receipt number may come later.
    with pytest.raises(ValidationError, match="凭证麦慈捐〔2021〕1号") as refused, db.write() as s:
        records.update(s, actor, F.MONEY, first.id, current.version, {"amount": "2000", "purpose": F.UNDESIGNATED})
    assert set(refused.value.field_errors) == {"amount", "purpose"}
    with db.write() as s:
        records.update(s, actor, F.MONEY, first.id, current.version, {"note": "转账备注：防疫捐款"})
        ack = service.acknowledgement(s, actor, F.MONEY.key, first.id)
        anonymous = service.acknowledgement(s, actor, F.MONEY.key, second.id)
    assert (ack.amount, ack.donor_credit_code != "", ack.handler) == (2_000_000, True, "杨建军")
    assert anonymous.donor == "匿名" and anonymous.donor_credit_code == ""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(reports.render_acknowledgement(ack))).pages)
    flat = text.replace(" ", "").replace("\n", "")
    assert flat.count("麦慈捐〔2021〕1号") == 2  # the donor's copy and the counterfoil
    assert "人民币贰万元整" in flat and "¥20,000.00" in flat and "捐赠接收凭证" in flat
    assert "0062001001" in flat and "不是公益事业捐赠票据" in flat
    assert "财政部监制" not in flat and "票据代码" not in flat  # nothing of the fiscal receipt's own form
    capitals = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        reports.render_acknowledgement(anonymous))).pages).replace(" ", "").replace("\n", "")
    assert "人民币陆仟零柒元壹角肆分" in capitals and "尚未开具" in capitals
    assert_fonts_embedded(reports.render_acknowledgement(ack), tmp_path)

    # Cancelled: the number stays in the register with its reason and is never given again.
    with db.write() as s:
        assert service.cancel_acknowledgement(s, actor, F.MONEY.key, first.id, "金额有误，重新出具") == "麦慈捐〔2021〕1号"
        renumbered = service.issue_acknowledgement(s, actor, F.MONEY.key, first.id, day=DAY)
    assert renumbered == "麦慈捐〔2021〕3号"
    with db.read() as s:
        entries = numbering.entries(s, service.ACKNOWLEDGEMENT.key)
    assert [(e.number, e.status.value, e.cancel_reason) for e in entries] == [
        ("麦慈捐〔2021〕1号", "cancelled", "金额有误，重新出具"), ("麦慈捐〔2021〕2号", "used", ""),
        ("麦慈捐〔2021〕3号", "used", "")]
    # A material donation is acknowledged under the same series, with its estimated value in capitals.
    lot = _lot(db, actor, organisation, first.values["donor_id__id"], 800, item="protective_suits",
               description="医用一次性防护服", unit="tao", estimated_value="64000")
    with db.write() as s:
        assert service.issue_acknowledgement(s, actor, F.MATERIALS.key, lot, day=DAY) == "麦慈捐〔2021〕4号"
        material = service.acknowledgement(s, actor, F.MATERIALS.key, lot)
    assert material.items[0].quantity == "800套" and material.amount == 6_400_000
    pdf = reports.render_acknowledgement(material)
    flat = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "医用一次性防护服" in flat and "人民币陆万肆仟元整" in flat and len(PdfReader(io.BytesIO(pdf)).pages) == 1


# ------------------------------------------------------------------ the public disclosure


def test_the_disclosure_states_what_the_records_hold_with_names_masked_as_asked(db: Database, admin: Actor,
                                                                               tmp_path: Path) -> None:
    organisation = _organisation(db, admin)
    other_organisation = _organisation(db, admin, "麦积区红十字会")
    home, compound = _recipients(db, admin)
    named = _enterprise(db, admin, "天水金源物流有限公司")
    shy = _person(db, admin, "张晓明", named=False)
    open_person = _person(db, admin, "李红梅", named=True)
    anonymous = _create(db, admin, F.DONORS, kind=F.ANONYMOUS, name="匿名（现金捐款箱）").id
    quiet_firm = _enterprise(db, admin, "天水瑞丰农业科技有限公司", named=False)
    batch = _batch(db, admin, organisation, count=5, total="0")
    for donor, amount, purpose in ((named, "300000", F.UNDESIGNATED), (shy, "2000", "people_in_difficulty"),
                                   (open_person, "500", "front_line"), (anonymous, "860", F.UNDESIGNATED),
                                   (quiet_firm, "50000", "prevention_supplies")):
        _money(db, admin, batch, donor, amount, purpose)
    deleted = _money(db, admin, batch, open_person, "99")
    with db.write() as s:
        records.delete(s, admin, F.MONEY, deleted.id)
    outside = _batch(db, admin, organisation, day=date(2021, 9, 30))
    _money(db, admin, outside, named, "7777")  # before the period
    elsewhere = _batch(db, admin, other_organisation)
    _money(db, admin, elsewhere, named, "1234")
    lot = _lot(db, admin, organisation, shy, 2_000, estimated_value="1400")
    handover = _handover(db, admin, lot, 1_500)
    _allocate(db, admin, handover, 600, F.INSTITUTION, home)
    _allocate(db, admin, handover, 400, F.COMPOUND, compound)
    # Group 4's households are part of the program: allocations to a household must be covered,
    # never skipped because the register went missing.
    assert F.HOUSEHOLDS_AVAILABLE, "group 4's households register is not loaded"
    household = _household(db, "赵桂英")  # made directly: its own rules are not under test here
    _allocate(db, admin, handover, 100, F.HOUSEHOLD, household)
    _create(db, admin, F.DISBURSEMENTS, organisation_id=organisation, day=date(2021, 10, 30), purpose=F.UNDESIGNATED,
            amount="100000", recipient="天水金帐篷租赠有限公司", use="核酸检测点帐篷", approved_by="慈善协会理事会",
            approval_number="麦慈〔2021〕8号")

    with db.read() as s:
        d = service.disclosure(s, admin, OUTBREAK)
        only = service.disclosure(s, admin, OUTBREAK, organisation)
        live = s.execute(select(func.count(), func.sum(MoneyDonation.amount)).where(
            MoneyDonation.deleted_at.is_(None), MoneyDonation.day >= OUTBREAK.start,
            MoneyDonation.day <= OUTBREAK.end)).one()
        paid = s.scalar(select(func.sum(Disbursement.amount)).where(Disbursement.deleted_at.is_(None)))
        allocated = s.scalar(select(func.sum(Allocation.quantity)).where(Allocation.deleted_at.is_(None)))
        handed = s.scalar(select(func.sum(Handover.quantity)).where(Handover.deleted_at.is_(None)))
        received = s.scalar(select(func.sum(MaterialDonation.quantity)).where(MaterialDonation.deleted_at.is_(None)))
    # Totals: what the records hold, the deleted donation and the one before the period left out.
    assert (d.money_count, d.money_total) == (live[0], live[1]) == (6, 35_336_000 + 123_400)
    assert sum(line.amount for line in d.money) == d.money_total
    assert (only.money_count, only.money_total) == (5, 35_336_000)
    assert d.used_total == paid == 10_000_000
    # What is left at the end counts the money received before the period too (the 30 September gift).
    assert d.left_total == d.money_total + 777_700 - d.used_total
    assert all(p.opening + p.received - p.used == p.left for p in d.purposes)
    assert sum(p.opening for p in d.purposes) == 777_700
    assert sum(p.received for p in d.purposes) == d.money_total and sum(p.used for p in d.purposes) == d.used_total
    (masks,) = d.items
    assert (masks.received, masks.handed_over, masks.allocated) == (received, handed, allocated)
    assert (masks.in_store, masks.with_team) == (received - handed, handed - allocated)
    assert len(d.allocations) == 3
    assert sum(int(a.quantity.rstrip("只").replace(",", "")) for a in d.allocations) == allocated
    # Names: as each donor asked; anonymous as 匿名; a household by its head, masked.
    donors = [m.donor for m in only.money]
    assert donors == ["天水金源物流有限公司", "张*明", "李红梅", "匿名", "天" + "*" * 10 + "司"]
    assert [m.donor for m in d.materials] == ["张*明"] and {a.donor for a in d.allocations} == {"张*明"}
    assert [a.recipient for a in d.allocations][:2] == ["麦积区社会福利中心", "锦绣花园"]
    assert d.allocations[2].recipient == "困难群众家庭 赵*英"
    pdf = reports.render_disclosure(d, printed_on=date(2021, 11, 6))
    flat = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "张晓明" not in flat and "天水瑞丰农业科技有限公司" not in flat and "赵桂英" not in flat
    assert "张*明" in flat and "匿名" in flat and "354,594.00" in flat and "社会捐赠款物接收和使用情况公示" in flat
    assert_fonts_embedded(pdf, tmp_path)


def test_public_names() -> None:
    assert service.public_name(F.INDIVIDUAL, "张晓明", True) == "张晓明"
    assert service.public_name(F.INDIVIDUAL, "张晓明", False) == "张*明"
    assert service.public_name(F.INDIVIDUAL, "李娜", False) == "李*"
    assert service.public_name(F.ANONYMOUS, "匿名（现金捐款箱）", True) == "匿名"
    assert service.public_name(F.ENTERPRISE, "天水金源物流有限公司", False) == "天********司"


def test_donors_identity_rules_and_masking_for_readers(db: Database, admin: Actor, viewer: Actor) -> None:
    code = credit_code()
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.create(s, admin, F.DONORS, {"kind": F.ENTERPRISE, "name": "天水金源物流有限公司"})
    assert list(refused.value.field_errors) == ["credit_code"]
    with pytest.raises(ValidationError, match="校验码"), db.write() as s:
        records.create(s, admin, F.DONORS, {"kind": F.ENTERPRISE, "name": "天水金源物流有限公司",
                                            "credit_code": code[:-1] + ("0" if code[-1] != "0" else "1")})
    _create(db, admin, F.DONORS, kind=F.ENTERPRISE, name="天水金源物流有限公司", credit_code=code)
    with pytest.raises(ValidationError, match="该号码已属于捐赠人“天水金源物流有限公司”"), db.write() as s:
        records.create(s, admin, F.DONORS, {"kind": F.ENTERPRISE, "name": "天水金源物流公司", "credit_code": code})
    with pytest.raises(ValidationError) as refused, db.write() as s:
        records.create(s, admin, F.DONORS, {"kind": F.INDIVIDUAL, "name": "王芳", "credit_code": credit_code()})
    assert list(refused.value.field_errors) == ["credit_code"]
    person = _person(db, admin, "王芳")
    with pytest.raises(NeedsConfirmation, match="已有名为“王芳”的捐赠人"), db.write() as s:
        records.create(s, admin, F.DONORS, {"kind": F.INDIVIDUAL, "name": "王芳"})
    with db.read() as s:
        seen = records.get(s, admin, F.DONORS, person)
        hidden = records.get(s, viewer, F.DONORS, person)
    assert "*" not in seen.values["id_number"] and {"id_number", "phone"} <= hidden.masked
    assert "****" in hidden.values["phone"]


# ------------------------------------------------------------------ permissions


def test_a_viewer_and_another_groups_member_may_not_write(db: Database, admin: Actor, viewer: Actor,
                                                         office_member: Actor) -> None:
    organisation = _organisation(db, admin)
    batch = _batch(db, admin, organisation)
    donation = _money(db, admin, batch, _enterprise(db, admin), "1000")
    lot = _lot(db, admin, organisation, donation.values["donor_id__id"], 100)
    for outsider in (viewer, office_member):
        with pytest.raises(PermissionDenied), db.write() as s:
            records.create(s, outsider, F.DONORS, {"kind": F.INDIVIDUAL, "name": "王芳"})
        with pytest.raises(PermissionDenied), db.write() as s:
            records.create(s, outsider, F.HANDOVERS, {"material_id": lot, "day": DAY, "quantity": 1,
                                                      "received_by": "刘海燕"})
        with pytest.raises(PermissionDenied), db.write() as s:
            records.delete(s, outsider, F.MONEY, donation.id)
        with pytest.raises(PermissionDenied), db.write() as s:
            service.issue_acknowledgement(s, outsider, F.MONEY.key, donation.id, day=DAY)
    with db.write() as s:
        service.issue_acknowledgement(s, admin, F.MONEY.key, donation.id, day=DAY)
    for outsider in (viewer, office_member):
        with pytest.raises(PermissionDenied), db.write() as s:
            service.cancel_acknowledgement(s, outsider, F.MONEY.key, donation.id, "重开")
        with db.read() as s:  # reading and the public disclosure are open to every role
            assert service.acknowledgement(s, outsider, F.MONEY.key, donation.id).number == "麦慈捐〔2021〕1号"
            assert service.disclosure(s, outsider, OUTBREAK).money_count == 1


# ------------------------------------------------------------------ the report and the demo


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the place tree and this group's demo (the other groups' are not needed)."""
    from civaffairs.db.bootstrap import open_database
    from civaffairs.places import demo as places_demo

    data_dir = tmp_path_factory.mktemp("donations-demo")
    db = open_database(data_dir)
    places_demo.fill(db)
    demo.fill(db)
    db.dispose()
    return data_dir


def test_report_on_the_demo_states_125_donations_and_3713100_yuan(demo_dir: Path, tmp_path: Path) -> None:
    from civaffairs.cli import main

    def figures_of(start: str, end: str) -> dict[str, Any]:
        out = tmp_path / f"{start}-{end}.xlsx"
        assert main(["report", "--data-dir", str(demo_dir), "--from", start, "--to", end, "--out", str(out)]) == 0
        sheet = load_workbook(out)["社会捐助指导督查组"]
        return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=5) if row[0].value}

    autumn = figures_of("2021-10-01", "2021-11-05")
    assert autumn["接收捐款"] == 125
    assert Decimal(str(autumn["捐款金额"])) == Decimal("3713100.00")
    early = figures_of("2021-10-01", "2021-10-10")
    assert 0 < early["接收捐款"] < 125
    assert 0 < Decimal(str(early["捐款金额"])) < Decimal("3713100.00")


def test_the_demo_data_keeps_every_balance_and_the_brief(demo_dir: Path) -> None:
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.db.bootstrap import open_database

    db = open_database(demo_dir)
    try:
        with db.read() as s:
            section = figures.report_section(s, COMMAND_LINE_ACTOR, OUTBREAK)
            stock = figures.stock_lines(s, only_with_stock=False)
            not_matching = figures.batches_not_matching(s)
            money = figures.money_figures(s, OUTBREAK)
            kinds = {line.item for line in figures.material_figures(s, OUTBREAK)}
        assert section.figure("donations").value == 125
        assert section.figure("donation_amount").value == Decimal("3713100.00")
        assert {"masks", "protective_suits", "alcohol", "disinfectant", "face_shields", "gloves"} <= kinds
        # Every lot handed over in full, most of it allocated, nothing below zero.
        assert stock and all(line.in_store == 0 and line.with_team >= 0 for line in stock)
        assert all(left >= 0 for left in money.left_by_purpose.values()) and money.used > 0
        assert len(not_matching) == 1 and section.figure("batches_not_matching").alert
        assert sum(demo.fill(db).values()) == 0  # a second run adds nothing
    finally:
        db.dispose()
