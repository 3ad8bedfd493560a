"""Group 4, temporary assistance: the grant workflow on `records/workflow.py` (every allowed move,
every refused one, the audit of each), "assist first" with documents owed, deadlines and the
overdue list, the numbering of grants, the towns' reserve funds (overdraw refused, also for two
payments at once on SQLite and PostgreSQL), masking (the 公示 list always; lists and the approval
form for roles without the right), rescues, and calls refused to a viewer and to another group."""
from __future__ import annotations

import io
import threading
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import EditConflict, PermissionDenied, ValidationError
from civaffairs.core.idnumbers import mask_resident_id
from civaffairs.db.database import Database
from civaffairs.groups.assistance import grant_paper as paper
from civaffairs.groups.assistance import grant_service as gs
from civaffairs.groups.assistance.grants import (
    APPLIED, APPROVED, GRANTS, INVESTIGATED, PAID, PUBLICISED, REFUSED, RESCUES, RESERVE_ALLOCATIONS, REVIEWED,
    paperwork_level,
)
from civaffairs.groups.assistance.households import HOUSEHOLDS, MEMBERS
from civaffairs.numbering import service as numbering
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from civaffairs.records import workflow
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, RowLevel
from civaffairs.records.workflow import MoveRefused, Transition, Workflow
from tests.helpers import fresh_id

APPLIED_ON = date(2021, 10, 8)
STEPS: dict[str, dict[str, Any]] = {
    "investigate": {"investigated_on": date(2021, 10, 9), "investigator": "李娜", "findings": "入户核实，情况属实。",
                    "village_opinion": "同意上报。"},
    "review": {"reviewed_on": date(2021, 10, 10), "reviewer": "张明", "reviewed_amount": "1800"},
    "publicise": {"notice_from": date(2021, 10, 11), "notice_to": date(2021, 10, 17)},
    "approve": {"approved_on": date(2021, 10, 18), "approver": "刘志刚", "approved_amount": "1800"},
    "pay": {"paid_on": date(2021, 10, 19), "paid_amount": "1800", "payment_method": "bank_transfer",
            "from_reserve_fund": False},
    "pay_first": {"paid_on": date(2021, 10, 9), "paid_amount": "1500", "payment_method": "cash",
                  "from_reserve_fund": False},
    "refuse": {"refused_reason": "家庭收入超过救助标准。"},
    "investigate_later": {"investigated_on": date(2021, 10, 12), "investigator": "李娜", "findings": "补查属实。"},
    "review_later": {"reviewed_on": date(2021, 10, 13), "reviewer": "张明", "reviewed_amount": "1500"},
    "approve_later": {"approved_on": date(2021, 10, 14), "approver": "刘志刚", "approved_amount": "1500"},
    "documents_in": {"documents_owed": ["income_proof"]},
    "complete_paperwork": {"paperwork_completed_on": date(2021, 10, 20)},
}
ORDINARY = ("investigate", "review", "publicise", "approve", "pay")
REACHED = {"investigate": INVESTIGATED, "review": REVIEWED, "publicise": PUBLICISED, "approve": APPROVED,
           "pay": PAID}


@pytest.fixture
def clerk() -> Actor:
    """A member of group 4 (困难群众救助组)."""
    return Actor("assist", "救助股干事", Role.MEMBER, frozenset({4}))


class World:
    """A town with a village, a household of three, and helpers to make grants."""

    def __init__(self, db: Database, actor: Actor, town: str = "马跑泉镇") -> None:
        self.db, self.actor = db, actor
        keeper = Actor("places", "区划管理员", Role.ADMINISTRATOR)  # the place tree is group 3's
        with db.write() as s:
            self.town = records.create(s, keeper, TOWNS, {"name": town, "kind": "town"}).id
            self.village = records.create(s, keeper, COMMUNITIES, {"town_id": self.town, "name": f"{town[:2]}村",
                                                                  "kind": "village"}).id
        self.head_id = fresh_id(date(1968, 3, 2), True)
        self.household = self.add_household("王建国", self.head_id)

    def add_household(self, head: str, number: str | None = None) -> uuid.UUID:
        number = number or fresh_id(date(1975, 1, 9), True)
        with self.db.write() as s:
            h = records.create(s, self.actor, HOUSEHOLDS, {
                "head_name": head, "head_id_number": number, "town_id": self.town, "community_id": self.village,
                "address": "马跑泉村三组18号", "phone": "13909381234", "bank_name": "甘肃农村信用社",
                "bank_account": "6228480123456789018"})
            records.create(s, self.actor, MEMBERS, {"household_id": h.id, "name": head, "relation": "head",
                                                    "id_number": number, "health": "chronic", "work": "migrant",
                                                    "monthly_income": "800"})
            records.create(s, self.actor, MEMBERS, {"household_id": h.id, "name": "李秀兰", "relation": "spouse",
                                                    "id_number": fresh_id(date(1970, 5, 6), False),
                                                    "health": "serious", "work": "unable"})
        return h.id

    def allocate(self, amount: str, day: date = date(2021, 10, 1), town: uuid.UUID | None = None) -> records.Row:
        with self.db.write() as s:
            return records.create(s, self.actor, RESERVE_ALLOCATIONS, {
                "town_id": town or self.town, "allocated_on": day, "amount": amount, "document": "麦民发〔2021〕30号"})

    def apply(self, household: uuid.UUID | None = None, **values: Any) -> records.Row:
        given = {"household_id": household or self.household, "applied_on": APPLIED_ON, "hardship": "outbreak",
                 "reason": "受疫情影响停工，妻子患尿毒症需透析。", "persons": 2, "proposed_amount": "2000",
                 **values}
        with self.db.write() as s:
            return gs.apply(s, self.actor, given)

    def move(self, row: records.Row, key: str, actor: Actor | None = None, **values: Any) -> records.Row:
        with self.db.write() as s:
            return gs.move(s, actor or self.actor, row.id, row.version, key, {**STEPS[key], **values})

    def grant_in(self, state: str, *, assist_first: bool = False, **apply_values: Any) -> records.Row:
        """A new grant moved along the ordinary order to `state` (refused straight after applying;
        `assist_first`: paid at once)."""
        row = self.apply(**apply_values)
        if assist_first:
            return self.move(row, "pay_first")
        if state == REFUSED:
            return self.move(row, "refuse")
        for key in ORDINARY:
            if row.values["state"] == state:
                break
            row = self.move(row, key)
        assert row.values["state"] == state
        return row

    def get(self, grant_id: uuid.UUID, actor: Actor | None = None) -> records.Row:
        with self.db.read() as s:
            return records.get(s, actor or self.actor, GRANTS, grant_id)


@pytest.fixture
def world(db: Database, clerk: Actor) -> World:
    return World(db, clerk)


def transitions(db: Database, grant_id: uuid.UUID) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.record_id == grant_id,
                                                       AuditEntry.action == "transition")
                              .order_by(AuditEntry.record_version)))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# ------------------------------------------------------------------ application and numbering


def test_an_application_is_numbered_when_it_is_made(world: World, db: Database) -> None:
    first, second = world.apply(), world.apply(applied_on=date(2021, 10, 9))
    earlier_year = world.apply(applied_on=date(2020, 12, 30))
    assert first.values["number"] == "麦民救〔2021〕1号"
    assert second.values["number"] == "麦民救〔2021〕2号"
    assert earlier_year.values["number"] == "麦民救〔2020〕1号"
    assert first.values["state"] == APPLIED and first.values["assist_first"] is False
    assert first.values["town_id__id"] == world.town  # the household's town, when none is given
    with db.read() as s:
        entry = numbering.owner_number(s, GRANTS.key, first.id)
        assert entry is not None and entry.number == first.values["number"] and entry.given_by == "assist"
        actions = [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.record_id == first.id)
                                               .order_by(AuditEntry.record_version))]
    assert actions == ["create", "issue"]


def test_a_refused_grant_keeps_its_number_and_numbers_are_not_reused(world: World, db: Database) -> None:
    refused = world.grant_in(REFUSED)
    assert refused.values["number"] == "麦民救〔2021〕1号"
    assert world.apply().values["number"] == "麦民救〔2021〕2号"
    with db.read() as s:
        assert numbering.owner_number(s, GRANTS.key, refused.id).number == "麦民救〔2021〕1号"


def test_a_grant_entered_without_its_number_gets_one_at_its_first_step(world: World, db: Database) -> None:
    with db.write() as s:
        bare = records.create(s, world.actor, GRANTS, {
            "household_id": world.household, "town_id": world.town, "applied_on": APPLIED_ON, "hardship": "living",
            "reason": "生活困难", "persons": 1, "proposed_amount": "500"})
    assert bare.values["number"] == "" and bare.values["state"] == APPLIED  # derived: a new grant is applied
    moved = world.move(bare, "investigate")
    assert moved.values["number"] == "麦民救〔2021〕1号" and moved.values["state"] == INVESTIGATED


def test_the_form_cannot_change_the_state_or_a_processed_application(world: World, db: Database) -> None:
    assert not GRANTS.field("state").in_form
    row = world.apply()
    with db.write() as s, pytest.raises(ValidationError) as e:
        records.update(s, world.actor, GRANTS, row.id, row.version, {"state": PAID})
    assert "state" in e.value.message
    # While applied, the application may be corrected…
    with db.write() as s:
        row = records.update(s, world.actor, GRANTS, row.id, row.version, {"proposed_amount": "2100"})
    assert row.values["proposed_amount"] == Decimal("2100.00")
    row = world.move(row, "investigate")
    # …once investigated, only the notes.
    with db.write() as s, pytest.raises(ValidationError) as e:
        records.update(s, world.actor, GRANTS, row.id, row.version, {"proposed_amount": "5000"})
    assert "已处于“已入户调查”环节" in e.value.field_errors["proposed_amount"]
    with db.write() as s:
        row = records.update(s, world.actor, GRANTS, row.id, row.version, {"notes": "申请人来电补充情况。"})
    assert row.values["notes"] == "申请人来电补充情况。" and row.values["state"] == INVESTIGATED


# ------------------------------------------------------------------ the ordinary order


def test_the_ordinary_order_every_move_audited_with_who_and_when(world: World, db: Database) -> None:
    row = world.apply()
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    states = [row.values["state"]]
    for key in ORDINARY:
        row = world.move(row, key)
        states.append(row.values["state"])
    assert states == [APPLIED, INVESTIGATED, REVIEWED, PUBLICISED, APPROVED, PAID]
    v = row.values
    assert (v["investigator"], v["reviewer"], v["approver"]) == ("李娜", "张明", "刘志刚")
    assert (v["reviewed_amount"], v["approved_amount"], v["paid_amount"]) == (Decimal("1800.00"),) * 3
    assert v["assist_first"] is False and v["documents_owed"] == [] and v["paperwork_deadline"] is None
    entries = transitions(db, row.id)
    assert [e.changes["state"] for e in entries] == [
        [APPLIED, INVESTIGATED], [INVESTIGATED, REVIEWED], [REVIEWED, PUBLICISED], [PUBLICISED, APPROVED],
        [APPROVED, PAID]]
    for e in entries:
        assert e.actor == "assist" and e.register == GRANTS.key
        assert before <= e.at <= datetime.now(timezone.utc)
        assert e.record_label.startswith("麦民救〔2021〕1号 王建国")
    assert entries[0].changes["investigator"] == ["", "李娜"]
    assert entries[0].changes["investigated_on"] == [None, "2021-10-09"]
    assert entries[3].changes["approved_amount"] == [None, "1800.00"]
    assert entries[4].changes["payment_method"] == [None, "bank_transfer"]
    # The generic audit reader names the move in Chinese.
    from civaffairs.audit import service as audit
    assert audit.action_label("transition") == "办理环节"


ALLOWED = {
    APPLIED: {"investigate", "pay_first", "refuse"},
    INVESTIGATED: {"review", "pay_first", "refuse"},
    REVIEWED: {"publicise", "pay_first", "refuse"},
    PUBLICISED: {"approve", "pay_first", "refuse"},
    APPROVED: {"pay", "refuse"},
    PAID: set(),
    REFUSED: set(),
    "assist_first": {"investigate_later", "documents_in", "complete_paperwork"},
}


@pytest.mark.parametrize("state", list(ALLOWED))
def test_each_state_allows_its_moves_and_refuses_every_other(world: World, db: Database, state: str) -> None:
    row = world.grant_in(PAID, assist_first=True) if state == "assist_first" else world.grant_in(state)
    with db.read() as s:
        assert {t.key for t in gs.allowed_steps(s, row.id)} == ALLOWED[state]
    shown = GRANTS.field("state").choice_title(row.values["state"])
    for t in gs.WORKFLOW.transitions:
        if t.key in ALLOWED[state]:
            continue
        with db.write() as s, pytest.raises(MoveRefused) as e:
            gs.move(s, world.actor, row.id, row.version, t.key, STEPS[t.key])
        message = e.value.message
        if row.values["state"] not in t.sources:
            assert message.startswith(f"当前状态为“{shown}”，不能“"), (t.key, message)
        elif state == PAID:  # the steps completed afterwards are for grants paid first
            assert message == "该救助是审批后发放的，无需补办手续。", (t.key, message)
        else:  # paid first: a step recorded afterwards before the one it follows
            assert message in ("请先补录入户调查。", "请先补录镇（街道）审核。"), (t.key, message)
    assert world.get(row.id).version == row.version  # nothing was written


@pytest.mark.parametrize("state", [APPLIED, INVESTIGATED, REVIEWED, PUBLICISED, APPROVED])
def test_refused_from_any_open_state_with_a_reason(world: World, db: Database, state: str) -> None:
    row = world.grant_in(state)
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, row.id, row.version, "refuse", {"refused_reason": " "})
    assert not isinstance(e.value, MoveRefused) and set(e.value.field_errors) == {"refused_reason"}
    row = world.move(row, "refuse")
    assert row.values["state"] == REFUSED and row.values["refused_reason"] == "家庭收入超过救助标准。"
    assert transitions(world.db, row.id)[-1].changes["state"] == [state, REFUSED]


def test_approval_is_refused_before_the_public_notice_ends(world: World, db: Database) -> None:
    row = world.grant_in(PUBLICISED)  # notice 11–17 October
    for day in (date(2021, 10, 11), date(2021, 10, 17)):
        with db.write() as s, pytest.raises(MoveRefused) as e:
            gs.move(s, world.actor, row.id, row.version, "approve", {**STEPS["approve"], "approved_on": day})
        assert e.value.field_errors == {
            "approved_on": "公示期至2021年10月17日，尚未结束，不能审批；最早可于2021年10月18日审批。"}
    assert world.move(row, "approve", approved_on=date(2021, 10, 18)).values["state"] == APPROVED


def test_a_notice_shorter_than_seven_days_is_refused(world: World, db: Database) -> None:
    row = world.grant_in(REVIEWED)
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, row.id, row.version, "publicise",
                {"notice_from": date(2021, 10, 11), "notice_to": date(2021, 10, 16)})
    assert e.value.field_errors == {"notice_to": "公示期不少于7天：自2021年10月11日起，最早至2021年10月17日。"}


def test_step_values_are_checked_at_their_fields(world: World, db: Database) -> None:
    row = world.apply()
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, row.id, row.version, "investigate",
                {"investigated_on": date(2021, 10, 7), "investigator": "", "findings": "属实"})
    assert e.value.field_errors["investigator"] == "“调查人”为必填项。"
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, row.id, row.version, "investigate",
                {"investigated_on": date(2021, 10, 7), "investigator": "李娜", "findings": "属实"})
    assert e.value.field_errors == {"investigated_on": "调查日期不能早于申请日期（2021年10月8日）。"}
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, row.id, row.version, "investigate", {**STEPS["investigate"], "paid_amount": "9"})
    assert "paid_amount" in e.value.message  # a field the step does not fill
    approved = world.grant_in(APPROVED)
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, approved.id, approved.version, "pay", {**STEPS["pay"], "paid_amount": "1800.01"})
    assert e.value.field_errors == {"paid_amount": "超过批准金额（1,800.00元）。"}


def test_a_move_on_a_stale_version_is_a_conflict(world: World, db: Database) -> None:
    row = world.apply()
    world.move(row, "investigate")
    with db.write() as s, pytest.raises(EditConflict):
        gs.move(s, world.actor, row.id, row.version, "refuse", STEPS["refuse"])


# ------------------------------------------------------------------ assist first


def test_assist_first_pays_at_once_and_owes_the_paperwork(world: World, db: Database) -> None:
    row = world.grant_in(PAID, assist_first=True)
    v = row.values
    assert v["state"] == PAID and v["assist_first"] is True and v["paid_amount"] == Decimal("1500.00")
    assert v["documents_owed"] == ["application_form", "id_copies", "household_register", "income_proof",
                                   "investigation_record", "village_opinion"]
    assert v["paperwork_deadline"] == date(2021, 10, 9) + timedelta(days=30)  # the default
    assert transitions(db, row.id)[0].changes["state"] == [APPLIED, PAID]
    assert transitions(db, row.id)[0].changes["assist_first"] == ["false", "true"]
    # Paid first after the investigation: its record is not owed.
    for state in (REVIEWED, PUBLICISED):  # later too, before approval
        paid = world.move(world.grant_in(state), "pay_first", paid_on=date(2021, 10, 18))
        assert paid.values["state"] == PAID and transitions(db, paid.id)[-1].changes["state"] == [state, PAID]
    # Paid first after the investigation: the dialog does not ask for its record; the clerk's
    # list and deadline are kept as given.
    investigated = world.grant_in(INVESTIGATED)
    with db.read() as s:
        start = workflow.defaults(s, gs.WORKFLOW, "pay_first", investigated.id)
    assert "investigation_record" not in start["documents_owed"] and "income_proof" in start["documents_owed"]
    paid = world.move(investigated, "pay_first", paid_on=date(2021, 10, 10), paperwork_deadline=date(2021, 10, 31),
                      documents_owed=["income_proof"])
    assert paid.values["paperwork_deadline"] == date(2021, 10, 31) and paid.values["documents_owed"] == ["income_proof"]
    with db.write() as s, pytest.raises(ValidationError) as e:
        row = world.apply()
        gs.move(s, world.actor, row.id, row.version, "pay_first", {**STEPS["pay_first"],
                                                                     "paperwork_deadline": date(2021, 10, 1)})
    assert e.value.field_errors == {"paperwork_deadline": "补齐手续期限不能早于发放日期（2021年10月9日）。"}


def test_assist_first_steps_afterwards_keep_the_state_paid(world: World, db: Database) -> None:
    row = world.grant_in(PAID, assist_first=True)
    with db.write() as s, pytest.raises(MoveRefused) as e:
        gs.complete_paperwork(s, world.actor, row.id, row.version, date(2021, 10, 20))
    assert e.value.message == "手续尚未补齐，还需补录：入户调查、镇（街道）审核、审批。"
    with db.write() as s, pytest.raises(MoveRefused) as e:
        gs.move(s, world.actor, row.id, row.version, "review_later", STEPS["review_later"])
    assert e.value.message == "请先补录入户调查。"
    row = world.move(row, "investigate_later")
    row = world.move(row, "review_later")
    with db.write() as s, pytest.raises(ValidationError) as e:
        gs.move(s, world.actor, row.id, row.version, "approve_later", {**STEPS["approve_later"],
                                                                        "approved_amount": "1400"})
    assert e.value.field_errors == {"approved_amount": "已先行发放1,500.00元，批准金额不能少于已发放金额。"}
    row = world.move(row, "approve_later")
    row = world.move(row, "documents_in")
    assert row.values["documents_owed"] == ["income_proof"] and row.values["state"] == PAID
    with db.write() as s, pytest.raises(MoveRefused):  # a step is taken once
        gs.move(s, world.actor, row.id, row.version, "investigate_later", STEPS["investigate_later"])
    with db.write() as s:
        row = gs.complete_paperwork(s, world.actor, row.id, row.version, date(2021, 10, 20))
    v = row.values
    assert v["state"] == PAID and v["paperwork_completed_on"] == date(2021, 10, 20) and v["documents_owed"] == []
    assert (v["investigator"], v["reviewer"], v["approver"]) == ("李娜", "张明", "刘志刚")
    entries = transitions(db, row.id)
    assert [e.changes.get("state") for e in entries] == [[APPLIED, PAID], None, None, None, None, None]
    assert entries[-1].changes["documents_owed"] == ["income_proof", ""]
    with db.read() as s:
        assert gs.allowed_steps(s, row.id) == []
        assert gs.overdue_paperwork(s, world.actor, date(2022, 1, 1)) == []


def test_the_overdue_paperwork_list(world: World, db: Database) -> None:
    late = world.grant_in(PAID, assist_first=True)  # paid 9 October, due 8 November
    world.move(world.apply(), "pay_first", paid_on=date(2021, 10, 20), paperwork_deadline=date(2021, 11, 30))
    world.grant_in(PAID)  # paid after approval: owes nothing
    with db.read() as s:
        assert gs.overdue_paperwork(s, world.actor, date(2021, 11, 8)) == []  # due that day: not yet overdue
        owed = gs.paperwork_owed(s, world.actor, date(2021, 11, 8))
        assert [o.deadline for o in owed] == [date(2021, 11, 8), date(2021, 11, 30)]
        [overdue] = gs.overdue_paperwork(s, world.actor, date(2021, 11, 11))
        assert gs.count_overdue(s, date(2021, 11, 11)) == 1
    assert overdue.grant_id == late.id and overdue.days_overdue == 3 and overdue.overdue
    assert (overdue.number, overdue.household, overdue.town) == ("麦民救〔2021〕1号", "王建国", "马跑泉镇")
    assert overdue.steps == ["入户调查", "镇（街道）审核", "审批"]
    assert overdue.documents[:2] == ["申请书", "身份证复印件"] and overdue.paid_amount == 150000
    values = {**late.values}
    assert paperwork_level(values, date(2021, 11, 8)) is RowLevel.WARNING
    assert paperwork_level(values, date(2021, 11, 9)) is RowLevel.ALERT
    assert paperwork_level({**values, "paperwork_completed_on": date(2021, 11, 1)}, date(2021, 12, 1)) is None


# ------------------------------------------------------------------ reserve funds


def test_a_payment_that_would_overdraw_the_reserve_fund_is_refused(world: World, db: Database) -> None:
    world.allocate("1000")
    row = world.grant_in(APPROVED)
    with db.write() as s, pytest.raises(MoveRefused) as e:
        gs.move(s, world.actor, row.id, row.version, "pay", {**STEPS["pay"], "from_reserve_fund": True})
    assert e.value.field_errors == {"from_reserve_fund": "马跑泉镇备用金在2021年10月19日可用余额为1,000.00元，"
                                                         "本次发放1,800.00元将超支，不能从备用金支付。"}
    assert world.get(row.id).values["state"] == APPROVED
    # Not from the fund, it is paid; then the fund pays a grant it covers.
    world.move(row, "pay")
    second = world.grant_in(APPROVED)
    world.move(second, "pay", from_reserve_fund=True, paid_amount="1000")
    with db.read() as s:
        [balance] = gs.reserve_balances(s, world.actor, date(2021, 10, 31))
        assert (balance.allocated, balance.used, balance.balance) == (100000, 100000, 0)
        [before] = gs.reserve_balances(s, world.actor, date(2021, 10, 18))
        assert (before.allocated, before.used, before.balance) == (100000, 0, 100000)


def test_the_fund_must_cover_the_payment_on_its_day_and_after(world: World, db: Database) -> None:
    world.allocate("1000", date(2021, 10, 15))
    early = world.grant_in(PAID, assist_first=True)  # 9 October: before the money came
    assert early.values["from_reserve_fund"] is False
    row = world.apply()
    with db.write() as s, pytest.raises(MoveRefused) as e:
        gs.move(s, world.actor, row.id, row.version, "pay_first", {**STEPS["pay_first"], "from_reserve_fund": True,
                                                                     "paid_amount": "100"})
    assert "可用余额为0.00元" in e.value.message
    later = world.move(world.apply(), "pay_first", paid_on=date(2021, 10, 20), paid_amount="800", from_reserve_fund=True)
    assert later.values["state"] == PAID
    # 16 October: 1,000 on the day, but the payment of the 20th leaves only 200 for it.
    with db.write() as s, pytest.raises(MoveRefused) as e:
        gs.move(s, world.actor, row.id, row.version, "pay_first", {**STEPS["pay_first"], "from_reserve_fund": True,
                                                                     "paid_on": date(2021, 10, 16), "paid_amount": "300"})
    assert "可用余额为200.00元" in e.value.message
    world.move(row, "pay_first", paid_on=date(2021, 10, 16), paid_amount="200", from_reserve_fund=True)
    with db.read() as s:
        assert gs.available(s, world.town, date(2021, 10, 16)) == 0


def test_reserve_balances_per_town(world: World, db: Database) -> None:
    with db.write() as s:
        other = records.create(s, Actor("places", "区划管理员", Role.ADMINISTRATOR), TOWNS,
                               {"name": "甘泉镇", "kind": "town"}).id
    world.allocate("30000")
    world.allocate("5000", date(2021, 10, 20))
    world.allocate("8000", town=other)
    world.move(world.grant_in(APPROVED), "pay", from_reserve_fund=True)
    with db.read() as s:
        balances = {b.town: (b.allocated, b.used, b.balance) for b in gs.reserve_balances(s, world.actor,
                                                                                         date(2021, 10, 19))}
    assert balances == {"甘泉镇": (800000, 0, 800000), "马跑泉镇": (3000000, 180000, 2820000)}


def test_an_allocation_cannot_be_cut_below_what_was_paid_from_it(world: World, db: Database) -> None:
    allocation = world.allocate("2000")
    world.move(world.grant_in(APPROVED), "pay", from_reserve_fund=True)  # 1,800 on 19 October
    with db.write() as s, pytest.raises(ValidationError) as e:
        records.update(s, world.actor, RESERVE_ALLOCATIONS, allocation.id, allocation.version, {"amount": "1000"})
    assert e.value.field_errors == {"amount": "马跑泉镇备用金已用于发放临时救助，这样修改后2021年10月19日的余额将为"
                                              "-800.00元，不能修改。"}
    with db.write() as s, pytest.raises(ValidationError):  # moved after the payment
        records.update(s, world.actor, RESERVE_ALLOCATIONS, allocation.id, allocation.version,
                       {"allocated_on": date(2021, 10, 25)})
    with db.write() as s:
        changed = records.update(s, world.actor, RESERVE_ALLOCATIONS, allocation.id, allocation.version,
                                 {"amount": "1800"})
    assert changed.values["amount"] == Decimal("1800.00")


def test_a_paid_grant_and_an_allocation_its_payment_needs_are_not_deleted(world: World, db: Database) -> None:
    allocation = world.allocate("2000")
    paid = world.move(world.grant_in(APPROVED), "pay", from_reserve_fund=True)
    # pytest.raises outside the transaction, so that a refusal rolls back as in the program.
    with pytest.raises(ValidationError) as e, db.write() as s:
        records.delete(s, world.actor, GRANTS, paid.id)
    assert "不能删除" in e.value.message and "已发放" in e.value.message
    with pytest.raises(ValidationError) as e, db.write() as s:
        records.delete(s, world.actor, RESERVE_ALLOCATIONS, allocation.id)
    assert "余额将为-1,800.00元" in e.value.message  # the payment was 1,800.00 yuan
    with db.read() as s:
        assert records.get(s, world.actor, GRANTS, paid.id).deleted_at is None
        assert records.get(s, world.actor, RESERVE_ALLOCATIONS, allocation.id).deleted_at is None
    unpaid = world.grant_in(APPROVED)
    with db.write() as s:  # a grant not paid yet may go (an application entered twice, say)
        records.delete(s, world.actor, GRANTS, unpaid.id)


def _concurrent_payments(db: Database, actor: Actor, payments: list[tuple[uuid.UUID, int]]) -> list[BaseException | None]:
    """Each payment in its own thread, session and transaction, started together."""
    barrier = threading.Barrier(len(payments))
    outcomes: list[BaseException | None] = [None] * len(payments)

    def pay(i: int, grant_id: uuid.UUID, version: int) -> None:
        try:
            if db.is_sqlite:
                barrier.wait(timeout=10)  # BEGIN IMMEDIATE: the second transaction waits to begin
                with db.write() as s:
                    gs.move(s, actor, grant_id, version, "pay", {**STEPS["pay"], "from_reserve_fund": True})
            else:
                with db.write() as s:
                    s.execute(select(1))  # both transactions are open…
                    barrier.wait(timeout=10)  # …before either pays
                    gs.move(s, actor, grant_id, version, "pay", {**STEPS["pay"], "from_reserve_fund": True})
        except BaseException as e:  # noqa: BLE001 - reported to the test
            outcomes[i] = e

    threads = [threading.Thread(target=pay, args=(i, g, v)) for i, (g, v) in enumerate(payments)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_payments_at_once_that_together_would_overdraw_exactly_one_succeeds(world: World, db: Database) -> None:
    world.allocate("3000")  # each grant pays 1,800: one fits, two do not
    first, second = world.grant_in(APPROVED), world.grant_in(APPROVED)
    outcomes = _concurrent_payments(db, world.actor, [(first.id, first.version), (second.id, second.version)])
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 1 and isinstance(refused[0], MoveRefused), outcomes
    assert "可用余额为1,200.00元" in refused[0].message
    states = sorted(world.get(g).values["state"] for g in (first.id, second.id))
    assert states == [APPROVED, PAID]
    with db.read() as s:
        [balance] = gs.reserve_balances(s, world.actor, date(2021, 12, 31))
    assert balance.balance == 120000


def test_two_payments_at_once_that_the_fund_covers_both_succeed(world: World, db: Database) -> None:
    world.allocate("3600")
    first, second = world.grant_in(APPROVED), world.grant_in(APPROVED)
    outcomes = _concurrent_payments(db, world.actor, [(first.id, first.version), (second.id, second.version)])
    assert outcomes == [None, None]


# ------------------------------------------------------------------ masking


def test_the_publicity_list_masks_names_and_id_numbers_for_everyone(world: World, db: Database, admin: Actor) -> None:
    world.move(world.grant_in(APPROVED), "pay")
    world.grant_in(PUBLICISED)
    with db.read() as s:
        [line] = paper.publicity_lines(s, date(2021, 10, 1), date(2021, 11, 5))
        notice = paper.publicity_lines(s, date(2021, 10, 1), date(2021, 11, 5), paper.NOTICE_LIST)
        pdf = paper.render_publicity_list(s, date(2021, 10, 1), date(2021, 11, 5), office_name="天水市麦积区民政局",
                                          issued_on=date(2021, 11, 6), contact="0938-2731234")
    assert (line.name, line.id_number) == ("王*国", mask_resident_id(world.head_id))
    assert line.amount == 180000 and line.town == "马跑泉镇" and line.community == "马跑村"
    assert len(notice) == 2  # both were under notice in the period
    text = pdf_text(pdf)
    assert "王*国" in text and mask_resident_id(world.head_id) in text
    assert "王建国" not in text and world.head_id not in text and world.head_id[6:14] not in text
    assert "临时救助公示" in text and "壹仟捌佰元整" in text
    with db.read() as s:
        assert paper.publicity_lines(s, date(2021, 10, 20), date(2021, 10, 31)) == []


def test_lists_and_the_approval_form_mask_personal_data_for_roles_without_the_right(
        world: World, db: Database, viewer: Actor, institutions_member: Actor) -> None:
    row = world.move(world.grant_in(APPROVED), "pay")
    with db.read() as s:
        for outsider in (viewer, institutions_member):
            [listed] = records.fetch(s, outsider, GRANTS)
            assert listed.values["reason"] == "***" and "reason" in listed.masked
            form = paper.approval_form(s, outsider, row.id)
            assert form.id_number == mask_resident_id(world.head_id)
            assert form.phone == "139****1234" and form.bank.endswith("6228 **** 9018")
            assert form.reason == "***" and form.findings == "***"
            assert all("*" in number for _n, _r, number, *_rest in form.members)
            pdf = paper.render_approval_form(s, outsider, row.id, office_name="天水市麦积区民政局",
                                             printed_by=outsider.display_name,
                                             printed_at=datetime(2021, 11, 5, tzinfo=timezone.utc))
            text = pdf_text(pdf)
            assert world.head_id not in text and "13909381234" not in text and "尿毒症" not in text
        own = paper.approval_form(s, world.actor, row.id)
    assert own.id_number == world.head_id and own.reason.startswith("受疫情影响") and own.phone == "13909381234"


def test_the_approval_form_states_every_step_with_amounts_in_capitals(world: World, db: Database) -> None:
    world.allocate("5000")
    row = world.move(world.grant_in(APPROVED), "pay", from_reserve_fund=True)
    new = world.apply()
    with db.read() as s:
        pdf = paper.render_approval_form(s, world.actor, row.id, office_name="天水市麦积区民政局", printed_by="救助股干事",
                                         printed_at=datetime(2021, 11, 5, 1, 30, tzinfo=timezone.utc))
        blank = paper.render_approval_form(s, world.actor, new.id, office_name="天水市麦积区民政局",
                                           printed_by="救助股干事", printed_at=datetime(2021, 11, 5, tzinfo=timezone.utc))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = pdf_text(pdf)
    for expected in ("临时救助审批表", "编号：麦民救〔2021〕1号", "王建国", "李秀兰", world.head_id, "受疫情影响",
                     "人民币贰仟元整", "人民币壹仟捌佰元整", "李娜", "张明", "刘志刚", "2021年10月11日至2021年10月17日",
                     "从马跑泉镇备用金支付", "（签字）", "（盖章）", "2021年10月18日"):
        assert expected in text.replace(" ", "").replace("\n", ""), expected
    blank_text = pdf_text(blank)
    assert "麦民救〔2021〕2号" in blank_text.replace(" ", "") and "年" in blank_text and "大写" in blank_text
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # embedded TrueType subsets only (checked by pdffonts in the report)


# ------------------------------------------------------------------ permissions


def test_a_viewer_and_another_group_may_not_apply_move_or_allocate(
        world: World, db: Database, viewer: Actor, institutions_member: Actor) -> None:
    row = world.apply()
    for outsider in (viewer, institutions_member):
        with db.write() as s, pytest.raises(PermissionDenied):
            gs.apply(s, outsider, {"household_id": world.household, "applied_on": APPLIED_ON, "hardship": "living",
                                   "reason": "困难", "persons": 1, "proposed_amount": "100"})
        with db.write() as s, pytest.raises(PermissionDenied):
            gs.move(s, outsider, row.id, row.version, "investigate", STEPS["investigate"])
        with db.write() as s, pytest.raises(PermissionDenied):
            records.create(s, outsider, RESERVE_ALLOCATIONS, {"town_id": world.town, "allocated_on": APPLIED_ON,
                                                              "amount": "1000"})
        with db.write() as s, pytest.raises(PermissionDenied):
            records.create(s, outsider, RESCUES, {"kind": "vagrant", "found_on": APPLIED_ON, "place_found": "火车站",
                                                  "help_given": ["food"], "outcome": "returned_home"})
    assert world.get(row.id).values["state"] == APPLIED and world.get(row.id).version == row.version


# ------------------------------------------------------------------ rescue


def test_rescue_validates_the_id_number_and_derives_sex_and_age(world: World, db: Database, viewer: Actor) -> None:
    base = {"kind": "stranded", "found_on": date(2021, 10, 20), "place_found": "麦积区火车站广场",
            "patrol": "道北街道巡查组", "help_given": ["food", "lodging", "ticket"], "outcome": "returned_home",
            "health": "腿部冻伤"}
    number = fresh_id(date(1980, 11, 3), True)
    with db.write() as s:
        row = records.create(s, world.actor, RESCUES, {**base, "name": "赵国平", "id_number": number})
    assert row.values["sex"] == "male" and row.values["approximate_age"] == 40
    with db.write() as s, pytest.raises(ValidationError) as e:
        records.create(s, world.actor, RESCUES, {**base, "name": "赵国平", "id_number": number[:17] + "0"
                                                 if number[17] != "0" else number[:17] + "1"})
    assert "id_number" in e.value.field_errors
    with db.write() as s, pytest.raises(ValidationError) as e:
        records.create(s, world.actor, RESCUES, {**base, "name": "", "id_number": number, "sex": "female"})
    assert set(e.value.field_errors) == {"name", "sex"}
    with db.write() as s:  # not identifiable: no name, no number
        unknown = records.create(s, world.actor, RESCUES, {**base, "kind": "vagrant", "sex": "male",
                                                           "approximate_age": "60"})
    assert unknown.values["name"] == "" and unknown.values["approximate_age"] == 60
    with db.read() as s:
        masked = records.get(s, viewer, RESCUES, row.id)
    assert masked.values["id_number"] == mask_resident_id(number) and masked.values["health"] == "***"


# ------------------------------------------------------------------ the generic machine


def test_a_workflow_keeps_its_state_out_of_the_form_and_names_known_states() -> None:
    in_form = RegisterSpec(key="x.in_form", group=4, title="X", model=object, display_fields=("state",), fields=(
        FieldSpec("state", "State", Kind.CHOICE, choices=GRANTS.field("state").choices),))
    with pytest.raises(ValueError):
        Workflow(in_form, "state", ())
    with pytest.raises(ValueError):
        Workflow(GRANTS, "state", (Transition("x", "X", (APPLIED,), "nowhere"),))
    with pytest.raises(ValueError):
        Workflow(GRANTS, "state", (Transition("x", "X", (APPLIED,), PAID, fields=("paid_on",), required=("paid_amount",)),))
    with pytest.raises(KeyError):
        Workflow(GRANTS, "state", (Transition("x", "X", (APPLIED,), PAID, fields=("no_such_field",)),))
    spec = RegisterSpec(key="x.plain", group=4, title="X", model=object, display_fields=("state",), fields=(
        FieldSpec("state", "State", Kind.TEXT, in_form=False),))
    with pytest.raises(ValueError):
        Workflow(spec, "state", ())
