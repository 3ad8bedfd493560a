"""Three PCs and one office server under a random schedule of outages (issue 13): staff records
created, edited and deleted, check-ins entered, masks handed over from one lot, grants paid from
one town's fund and notices numbered on every PC; PCs cut off and the server down at random (on
PostgreSQL killed with pg_ctl stop -m immediate and started again), exchanges cut off after the
server committed; then everyone reconnects.  Checked against a model of the server kept by the
test itself (not by the code under test):

- every working copy equals the server, register table by register table;
- the server's records equal the model's: every change is applied or, where the model says the
  same field was changed apart, an edit met a delete, or a rule refuses it, queued as a conflict
  (all of them surfaced, none lost);
- no change is applied twice;
- no stock or fund below zero, no number given twice, and every PC holds the server's
  handovers, grants, notices and number register.

A fixed seed in CI (derandomize); CIVAFFAIRS_SYNC_EXAMPLES=500 runs many more."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.core.errors import CivaffairsError, DatabaseUnreachable
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.notices.models import Notice
from civaffairs.records import service as records
from civaffairs.sync import exchange
from civaffairs.sync.models import AppliedChange, OutboxEntry, SyncConflict
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.helpers import check_in_values, drop_postgres_schema, postgres_schema, quick_password_hashes, staff_values

USERS = [Actor(f"clerk{i}", f"文员{i}", Role.MEMBER, frozenset({1, 4, 6})) for i in range(3)]
POSTS = ["科员", "副科长", "科长"]
DEPARTMENTS = ["办公室", "救助股", "养老股"]
DAYS = [date(2021, 10, 25), date(2021, 10, 26)]
DRAFT = {  # a notice draft every PC edits: a service call, merged field by field on the server
    "title": ["关于做好值班值守工作的通知", "关于加强冬季疫情防控工作的通知", "关于开展困难群众走访慰问的通知"],
    "signatory": ["麦积区民政局", "麦积区民政局办公室", "麦积区疫情防控领导小组"],
    "copy_to": ["区疫情防控指挥部", "区委办公室", "区政府办公室"],
}
GONE = "postgresql+psycopg://nobody:x@127.0.0.1:9/x?connect_timeout=2"


@dataclass
class Staff:
    post: str = "科员"
    department: str = "办公室"
    deleted: bool = False
    version: int = 1


@dataclass
class Model:
    """What the server must hold, applied in the order the test sends the changes."""
    staff: dict[uuid.UUID, Staff] = field(default_factory=dict)
    check_ins: dict[tuple[uuid.UUID, date], uuid.UUID] = field(default_factory=dict)
    conflicts: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    draft: dict[str, str] = field(default_factory=dict)  # the shared notice draft's fields
    draft_version: int = 0

    def clash(self, kind: str) -> None:
        self.conflicts += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        SEEN[kind] = SEEN.get(kind, 0) + 1


class Office(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="civaffairs-sync-sim-"))
        self.schema = None
        if BACKEND == "postgresql":
            url, self.schema = postgres_schema(POSTGRES_URL or "")
            self.server = open_database(self.folder / "server", url)
        else:
            self.server = open_database(self.folder / "server")
        with self.server.write() as s:
            admin = accounts.initialise_office(s, "麦积区民政局", "admin", "管理员", "admin-password-1",
                                               by=COMMAND_LINE_ACTOR)
            for user in USERS:  # each is a member of group 1 (staff), 4 (assistance) and 6 (donations)
                accounts.create_user(s, admin, user.username, user.display_name, "clerk-password-1", "member",
                                     [1, 4, 6])
        self._money_and_stock()
        self.pcs = []
        for i in range(3):
            pc = open_database(self.folder / f"pc{i}")
            exchange.join(pc, self.server, self.server.url)
            self.pcs.append(pc)
        self.unreachable = Database(GONE)
        self.online = [True, True, True]
        self.server_up = True
        self.model = Model()
        # Per PC: what it has made and not yet sent, as the model replays it on the server.
        self.pending: list[list[tuple[Any, ...]]] = [[], [], []]
        self.view: list[dict[uuid.UUID, Staff]] = [{}, {}, {}]  # each PC's own view of the staff
        self.view_check_ins: list[set[tuple[uuid.UUID, date]]] = [set(), set(), set()]
        with self.server.read() as s:
            draft = s.get(Notice, self.draft_id)
            self.model.draft = {k: getattr(draft, k) for k in DRAFT}
            self.model.draft_version = draft.version
        self.view_draft = [(dict(self.model.draft), self.model.draft_version) for _ in range(3)]

    def _money_and_stock(self) -> None:
        """A lot of 1,000 masks, a town's reserve fund of 1,000 yuan and four approved grants of
        400 yuan: what PCs apart may hand over and pay beyond what there is."""
        from tests.test_assistance_grants import World
        from tests.test_donations import _enterprise, _lot, _organisation

        clerk = USERS[0]
        self.lot = _lot(self.server, clerk, _organisation(self.server, clerk), _enterprise(self.server, clerk), 1000)
        world = World(self.server, clerk)
        world.allocate("1000")
        self.grants = [world.grant_in("approved", proposed_amount="400").id for _ in range(4)]
        from civaffairs.core.clock import today_local
        from civaffairs.notices import service as notices

        with self.server.write() as s:  # the office's document prefix in use: the PCs get blocks of it
            notice_id = notices.create_draft(s, clerk, 1, "blank", today=today_local())
            notices.update_draft(s, clerk, notice_id, 1, title="关于做好值班值守工作的通知", body="请各股室做好值班值守工作。",
                                 signatory="麦积区民政局", printing_office="麦积区民政局办公室")
        with self.server.write() as s:
            notices.issue(s, clerk, notice_id, "麦民发", today_local())
        with self.server.write() as s:  # a draft that stays one, for the PCs to edit apart
            self.draft_id = notices.create_draft(s, clerk, 1, "blank", today=today_local())
            notices.update_draft(s, clerk, self.draft_id, 1, **{k: v[0] for k, v in DRAFT.items()})

    @initialize()
    def records_every_pc_has(self) -> None:
        """Three staff records made on one PC and seen by all: what the others can then change
        apart.  Every run starts with one conflict of each kind made on purpose (an edit against a
        delete, one field given two values, a second check-in for one person and day), whatever
        the random schedule then brings."""
        for _ in range(3):
            self.create_staff(0)
        for pc in range(3):
            self.exchange(pc)
        first, second, third = list(self.view[0])  # in the order made
        self.edit(0, self._live(0).index(third), "post", 2)
        self.delete(1, self._live(1).index(third))
        self.edit(0, self._live(0).index(first), "department", 1)  # one field, two values
        self.edit(1, self._live(1).index(first), "department", 2)
        self.check_in(0, self._live(0).index(second), DAYS[0])  # one person and day, twice
        self.check_in(1, self._live(1).index(second), DAYS[0])
        for pc in range(3):
            self.exchange(pc)

    # ------------------------------------------------------------------ the clerks' actions

    @rule(pc=st.integers(0, 2))
    def create_staff(self, pc: int) -> None:
        with self.pcs[pc].write() as s:
            row = records.create(s, USERS[pc], bo.STAFF, staff_values(name=f"员工{len(self.model.staff)}"))
        self.view[pc][row.id] = Staff()
        self.pending[pc].append(("create", row.id))

    def _live(self, pc: int) -> list[uuid.UUID]:
        return sorted(i for i, v in self.view[pc].items() if not v.deleted)

    @precondition(lambda self: any(self._live(pc) for pc in range(3)))
    @rule(pc=st.integers(0, 2), pick=st.integers(0, 10 ** 6), which=st.sampled_from(["post", "department"]),
          value=st.integers(0, 2))
    def edit(self, pc: int, pick: int, which: str, value: int) -> None:
        live = self._live(pc)
        if not live:
            return
        staff_id = live[pick % len(live)]
        mine = self.view[pc][staff_id]
        new = (POSTS if which == "post" else DEPARTMENTS)[value]
        base = getattr(mine, which)
        if new == base:
            return
        with self.pcs[pc].write() as s:
            records.update(s, USERS[pc], bo.STAFF, staff_id, mine.version, {which: new})
        setattr(mine, which, new)
        mine.version += 1
        self.pending[pc].append(("edit", staff_id, which, base, new))

    @precondition(lambda self: any(self._live(pc) for pc in range(3)))
    @rule(pc=st.integers(0, 2), pick=st.integers(0, 10 ** 6))
    def delete(self, pc: int, pick: int) -> None:
        live = self._live(pc)
        if not live:
            return
        staff_id = live[pick % len(live)]  # (check-ins refer to a staff member; they do not stop a deletion)
        mine = self.view[pc][staff_id]
        with self.pcs[pc].write() as s:
            records.delete(s, USERS[pc], bo.STAFF, staff_id)
        self.pending[pc].append(("delete", staff_id, mine.version))
        mine.deleted = True
        mine.version += 1

    @precondition(lambda self: any(self._live(pc) for pc in range(3)))
    @rule(pc=st.integers(0, 2), pick=st.integers(0, 10 ** 6), day=st.sampled_from(DAYS))
    def check_in(self, pc: int, pick: int, day: date) -> None:
        live = self._live(pc)
        if not live:
            return
        staff_id = live[pick % len(live)]
        if (staff_id, day) in self.view_check_ins[pc]:
            return  # the rule refuses it on the PC already
        with self.pcs[pc].write() as s:
            row = records.create(s, USERS[pc], bo.CHECK_INS, check_in_values(staff_id, day))
        self.view_check_ins[pc].add((staff_id, day))
        self.pending[pc].append(("check_in", row.id, staff_id, day))

    @precondition(lambda self: any(set(self._live(a)) & set(self._live(b)) for a in range(3) for b in range(3) if a != b))
    @rule(a=st.integers(0, 2), b=st.integers(0, 2), pick=st.integers(0, 10 ** 6),
          which=st.sampled_from(["post", "department"]), first=st.integers(0, 2), second=st.integers(0, 2))
    def same_field_on_two_pcs(self, a: int, b: int, pick: int, which: str, first: int, second: int) -> None:
        """Two clerks change one field of one record on two PCs (the case that must never be lost)."""
        both = sorted(set(self._live(a)) & set(self._live(b)))
        if a == b or not both:
            return
        staff_id = both[pick % len(both)]
        self.edit(a, self._live(a).index(staff_id), which, first)
        self.edit(b, self._live(b).index(staff_id), which, second)

    @rule(pc=st.integers(0, 2), quantity=st.sampled_from([100, 300, 500]))
    def hand_over_masks(self, pc: int, quantity: int) -> None:
        """The PC's own check passes while its copy has the stock; the server's decides."""
        from civaffairs.core.errors import ValidationError
        from tests.test_donations import _handover

        try:
            _handover(self.pcs[pc], USERS[pc], self.lot, quantity)
        except ValidationError:
            pass  # not enough in stock as this PC sees it

    @rule(pc=st.integers(0, 2), pick=st.integers(0, 3))
    def pay_from_the_fund(self, pc: int, pick: int) -> None:
        from civaffairs.groups.assistance import grant_service as gs
        from civaffairs.groups.assistance.fields import GRANTS
        from tests.test_assistance_grants import STEPS

        grant = self.grants[pick]
        with self.pcs[pc].read() as s:
            row = records.get(s, USERS[pc], GRANTS, grant)
        if row.values["state"] != "approved":
            return
        try:
            with self.pcs[pc].write() as s:
                gs.move(s, USERS[pc], grant, row.version, "pay",
                        {**STEPS["pay"], "from_reserve_fund": True, "paid_amount": "400"})
        except CivaffairsError:
            pass  # the fund, as this PC sees it, does not cover it

    @rule(pc=st.integers(0, 2))
    def issue_a_notice(self, pc: int) -> None:
        """A document number given on the PC from its own block (or none left: it waits)."""
        from civaffairs.core.clock import today_local
        from civaffairs.notices import service as notices

        with self.pcs[pc].write() as s:
            notice_id = notices.create_draft(s, USERS[pc], 1, "blank", today=today_local())
            notices.update_draft(s, USERS[pc], notice_id, 1, title="关于做好值班值守工作的通知",
                                 body="请各股室做好值班值守工作。", signatory="麦积区民政局",
                                 printing_office="麦积区民政局办公室")
        try:
            with self.pcs[pc].write() as s:
                notices.issue(s, USERS[pc], notice_id, "麦民发", today_local())
        except CivaffairsError:
            pass  # no number of this PC's left: the draft waits

    @rule(pc=st.integers(0, 2), which=st.sampled_from(sorted(DRAFT)), value=st.integers(0, 2))
    def edit_the_draft(self, pc: int, which: str, value: int) -> None:
        """One field of the shared notice draft, on one PC, from the version that PC holds."""
        from civaffairs.notices import service as notices

        fields, version = self.view_draft[pc]
        new, base = DRAFT[which][value], fields[which]
        if new == base:
            return
        with self.pcs[pc].write() as s:
            notices.update_draft(s, USERS[pc], self.draft_id, version, **{which: new})
        self.view_draft[pc] = (fields | {which: new}, version + 1)
        self.pending[pc].append(("draft", which, base, new, version))

    # ------------------------------------------------------------------ the network

    @rule(pc=st.integers(0, 2))
    def cut_off(self, pc: int) -> None:
        self.online[pc] = False

    @rule(pc=st.integers(0, 2))
    def reconnect(self, pc: int) -> None:
        self.online[pc] = True

    @rule()
    def server_down(self) -> None:
        if self.server_up and KILLABLE is not None:
            KILLABLE.kill()  # PostgreSQL stopped as a crash stops it (pg_ctl stop -m immediate)
            STOCK_AND_MONEY["server killed"] = STOCK_AND_MONEY.get("server killed", 0) + 1
        self.server_up = False

    @rule()
    def server_up_again(self) -> None:
        if not self.server_up and KILLABLE is not None:
            KILLABLE.restart()
        self.server_up = True

    @rule(pc=st.integers(0, 2))
    def exchange(self, pc: int) -> None:
        if not (self.online[pc] and self.server_up):
            with pytest.raises(DatabaseUnreachable):  # the killed server itself, or a cut cable
                exchange.exchange(self.pcs[pc], self.server if not self.server_up and KILLABLE else self.unreachable)
            return
        self._exchanged(pc, exchange.exchange(self.pcs[pc], self.server))

    @precondition(lambda self: any(self.pending))
    @rule(pc=st.integers(0, 2))
    def cut_off_after_the_server_committed(self, pc: int) -> None:
        """The PC switched off between the server's commit and its own: the next exchange repeats
        the push, and the server must apply nothing twice."""
        if not (self.online[pc] and self.server_up and self.pending[pc]):
            return
        with self.pcs[pc].read() as s:
            entries = list(s.scalars(select(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
                                     .order_by(OutboxEntry.position)))
            changes = [exchange.Change(e.id, e.made_at, e.actor, e.command, e.register, e.record_id,
                                       e.record_label, e.payload) for e in entries]
            pc_id = exchange.read_state(s)["pc"]
        exchange.apply_changes(self.server, changes, pc_id)
        self._replay(pc)  # the server has them now; the PC will send them again

    def _exchanged(self, pc: int, result: exchange.ExchangeResult) -> None:
        self._replay(pc)
        self._refresh(pc)

    def _replay(self, pc: int) -> None:
        """The model's own rules for what the server does with this PC's waiting changes."""
        m = self.model
        for op in self.pending[pc]:
            kind = op[0]
            if kind == "create":
                m.staff[op[1]] = Staff()
            elif kind == "edit":
                _k, staff_id, which, base, new = op
                held = m.staff[staff_id]
                now = getattr(held, which)
                if held.deleted:
                    m.clash("edit_delete")
                elif now == new:
                    pass
                elif now == base:
                    setattr(held, which, new)
                    held.version += 1
                else:
                    m.clash("same_field")
            elif kind == "delete":
                _k, staff_id, version = op
                held = m.staff[staff_id]
                if held.deleted:
                    continue
                if held.version != version:
                    m.clash("edit_delete")
                else:
                    held.deleted = True
                    held.version += 1
            elif kind == "check_in":
                _k, record_id, staff_id, day = op
                if (staff_id, day) in m.check_ins or m.staff[staff_id].deleted:
                    m.clash("refused")
                else:
                    m.check_ins[(staff_id, day)] = record_id
            elif kind == "draft":  # made as it was, or merged: the field taken where still as it was
                _k, which, base, new, version = op
                now = m.draft[which]
                outcome = ("draft edits made as they were" if m.draft_version == version else
                           "draft edits merged" if now == base else "draft edits already there" if now == new
                           else "draft edits in conflict")
                STOCK_AND_MONEY[outcome] = STOCK_AND_MONEY.get(outcome, 0) + 1
                if m.draft_version == version or now == base:
                    m.draft[which] = new
                    m.draft_version += 1
                elif now != new:
                    m.clash("same_field")
        self.pending[pc] = []

    def _refresh(self, pc: int) -> None:
        """After an exchange a PC sees what the server holds."""
        self.view[pc] = {k: Staff(v.post, v.department, v.deleted, v.version) for k, v in self.model.staff.items()}
        self.view_check_ins[pc] = set(self.model.check_ins)
        self.view_draft[pc] = (dict(self.model.draft), self.model.draft_version)

    # ------------------------------------------------------------------ everyone back

    def teardown(self) -> None:
        try:
            self.server_up_again()
            self.online = [True, True, True]
            for _round in range(2):
                for pc in range(3):
                    self.exchange(pc)
            self._check()
        finally:
            for db in (*self.pcs, self.server, self.unreachable):
                db.dispose()
            if self.schema:
                drop_postgres_schema(POSTGRES_URL or "", self.schema)
            shutil.rmtree(self.folder, ignore_errors=True)

    def _check(self) -> None:
        tables = [bo.STAFF.model.__table__, bo.CHECK_INS.model.__table__]
        with self.server.read() as s:
            truth = {t.name: sorted(map(tuple, s.execute(select(t).order_by(t.c.id)).all())) for t in tables}
            staff = {r.id: r for r in s.scalars(select(bo.STAFF.model))}
            live_check_ins = {(r.staff_id, r.day) for r in s.scalars(select(bo.CHECK_INS.model)
                                                                     .where(bo.CHECK_INS.model.deleted_at.is_(None)))}
            conflicts = s.scalar(select(func.count()).select_from(SyncConflict).where(
                SyncConflict.register.in_([bo.STAFF.key, bo.CHECK_INS.key]) | (SyncConflict.record_id == self.draft_id))) or 0
            draft = s.get(Notice, self.draft_id)
            assert {k: getattr(draft, k) for k in DRAFT} == self.model.draft  # every field merged as the model says
            applied = s.scalar(select(func.count()).select_from(AppliedChange)) or 0
        self._check_money_stock_and_numbers()
        sent = 0
        for pc in self.pcs:
            with pc.read() as s:
                assert {t.name: sorted(map(tuple, s.execute(select(t).order_by(t.c.id)).all())) for t in tables} == truth
                assert not s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None)))
                sent += s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        assert applied == sent  # each change once
        assert set(staff) == set(self.model.staff)
        for staff_id, held in self.model.staff.items():
            row = staff[staff_id]
            assert (row.post, row.department, row.deleted_at is not None) == (held.post, held.department, held.deleted)
        assert live_check_ins == set(self.model.check_ins)
        assert conflicts == self.model.conflicts  # every clash surfaced, nothing else


    def _check_money_stock_and_numbers(self) -> None:
        """Whatever the order: no stock or fund below zero, no number given twice, and every PC
        holds exactly the server's handovers, grants, notices and number register."""
        from civaffairs.groups.assistance import grant_service as gs
        from civaffairs.groups.assistance.fields import GRANTS
        from civaffairs.groups.donations import fields as F
        from civaffairs.notices.models import Notice
        from civaffairs.numbering.models import IssuedNumber

        tables = [F.HANDOVERS.model.__table__, GRANTS.model.__table__, Notice.__table__, IssuedNumber.__table__]
        with self.server.read() as s:
            handed = sum(r.quantity for r in s.scalars(select(F.HANDOVERS.model)) if r.deleted_at is None)
            assert handed <= 1000, handed
            for balance in gs.reserve_balances(s, USERS[0], date(2099, 1, 1)):
                assert balance.balance >= 0, balance
            numbers = [n.document_number for n in s.scalars(select(Notice)) if n.document_number]
            assert len(numbers) == len(set(numbers)), numbers
            STOCK_AND_MONEY["handed over"] = STOCK_AND_MONEY.get("handed over", 0) + handed
            STOCK_AND_MONEY["notices numbered"] = STOCK_AND_MONEY.get("notices numbered", 0) + len(numbers)
            truth = {t.name: sorted(map(tuple, s.execute(select(t).order_by(t.c.id)).all())) for t in tables}
        for pc in self.pcs:
            with pc.read() as s:
                assert {t.name: sorted(map(tuple, s.execute(select(t).order_by(t.c.id)).all())) for t in tables} == truth


BACKEND = "sqlite"
SEEN: dict[str, int] = {}  # the kinds of conflict the model expected, over the whole run
STOCK_AND_MONEY: dict[str, int] = {}
KILLABLE: Any = None  # on PostgreSQL, this test's own server, which the rules kill and restart


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_pcs_through_outages_end_equal_with_nothing_lost(backend: str, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    """On PostgreSQL the server is this test's own (when PostgreSQL's binaries are installed), so
    that "the server is down" is a real crash and restart."""
    global BACKEND, POSTGRES_URL, KILLABLE
    from civaffairs.groups import load_all

    load_all()
    BACKEND = backend
    quick_password_hashes(monkeypatch)
    examples = int(os.environ.get("CIVAFFAIRS_SYNC_EXAMPLES", "0"))
    SEEN.clear()
    STOCK_AND_MONEY.clear()
    shared_url = POSTGRES_URL
    if backend == "postgresql":
        from tests.test_sync_server_killed import Server, _pg_installed

        if _pg_installed():
            KILLABLE = Server(tmp_path / "pg.state")
            POSTGRES_URL = KILLABLE.url
    try:
        run_state_machine_as_test(Office, settings=settings(
            max_examples=examples or 12, stateful_step_count=40, deadline=None, derandomize=not examples,
            suppress_health_check=list(HealthCheck)))
    finally:
        if KILLABLE is not None:
            KILLABLE.stop()
        KILLABLE, POSTGRES_URL = None, shared_url
    print(f"conflicts the model expected ({backend}): {SEEN}; at the end, summed over the runs: {STOCK_AND_MONEY}")
    assert SEEN.get("same_field") and SEEN.get("edit_delete") and SEEN.get("refused"), SEEN  # all were tried
