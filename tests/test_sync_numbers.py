"""Numbers never collide across PCs (issue 13): each working copy gives numbers from blocks the
server reserved for it; the server gives its own past the blocks; a PC that used up its block
offline leaves the document unnumbered with a clear message; a block of a past year is returned
and each serial it left unused is entered as cancelled, with the reason."""
from __future__ import annotations



import pytest
from sqlalchemy import select

from civaffairs.accounts.models import OfficeSetting
from civaffairs.core.clock import today_local
from civaffairs.db.database import Database
from civaffairs.notices import service as notices
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberStatus
from civaffairs.numbering.models import IssuedNumber, NumberBlock
from civaffairs.sync import exchange
from tests.test_sync import CLERK, OFFICE, pcs, server  # noqa: F401 - fixtures

PREFIX = "麦民发"


def _issue(db: Database, actor, title: str) -> str:  # type: ignore[no-untyped-def]
    with db.write() as s:
        notice_id = notices.create_draft(s, actor, 1, "blank", today=today_local())
        notices.update_draft(s, actor, notice_id, 1, title=title, body="请各股室做好值班值守工作。",
                             signatory="麦积区民政局", printing_office="麦积区民政局办公室")
    with db.write() as s:
        return notices.issue(s, actor, notice_id, PREFIX, today_local())


def _serials(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        return [(n.serial, n.status) for n in s.scalars(select(IssuedNumber).order_by(IssuedNumber.serial))]


def test_two_pcs_give_numbers_offline_from_their_own_blocks_and_none_is_given_twice(
        server: Database, pcs: tuple[Database, Database]) -> None:
    a, b = pcs
    year = today_local().year
    assert _issue(server, OFFICE, "第一份通知").endswith("〕1号")  # the office's prefix is in use
    exchange.exchange(a, server)
    exchange.exchange(b, server)
    with server.read() as s:
        blocks = sorted((blk.first, blk.last) for blk in s.scalars(select(NumberBlock).where(NumberBlock.kind == "document")))
    assert blocks == [(2, 21), (22, 41)]  # one block each, reserved in turn
    given_a = _issue(a, OFFICE, "甲电脑的通知")  # both offline now
    given_b = _issue(b, CLERK, "乙电脑的通知")
    given_server = _issue(server, OFFICE, "服务器上的通知")
    assert (given_a, given_b, given_server) == (f"{PREFIX}〔{year}〕2号", f"{PREFIX}〔{year}〕22号", f"{PREFIX}〔{year}〕42号")
    assert exchange.exchange(a, server).applied == 3 and exchange.exchange(b, server).applied == 3
    exchange.exchange(a, server)
    with server.read() as s:
        issued = {n.document_number for n in notices.list_notices(s, OFFICE)}
    assert {given_a, given_b, given_server} <= issued
    assert [serial for serial, _status in _serials(server)] == [1, 2, 22, 42]
    assert _serials(a) == _serials(server)  # the register came down whole


def test_a_pc_out_of_numbers_leaves_the_document_unnumbered_until_it_exchanges(
        server: Database, pcs: tuple[Database, Database]) -> None:
    a, _b = pcs
    with server.write() as s:
        s.add(OfficeSetting(key=numbering.BLOCK_SIZE_SETTING, value="2"))
    _issue(server, OFFICE, "第一份通知")
    exchange.exchange(a, server)
    _issue(a, OFFICE, "一")
    _issue(a, OFFICE, "二")
    with pytest.raises(numbering.NumbersRunOut) as e:
        _issue(a, OFFICE, "三")
    assert "暂不编号" in e.value.message and "同步" in e.value.message
    with a.read() as s:
        drafts = [n for n in notices.list_notices(s, OFFICE) if n.title == "三"]
        assert drafts and not drafts[0].document_number  # the draft is kept, unnumbered
    exchange.exchange(a, server)  # sends two, reserves more
    with a.write() as s:
        assert notices.issue(s, OFFICE, drafts[0].id, PREFIX, today_local()).endswith("号")


def test_a_block_of_a_past_year_is_returned_with_every_unused_serial_cancelled(
        server: Database, pcs: tuple[Database, Database]) -> None:
    a, _b = pcs
    _issue(server, OFFICE, "第一份通知")
    exchange.exchange(a, server)
    _issue(a, OFFICE, "甲电脑的通知")
    exchange.exchange(a, server)
    assert exchange.keep_numbers(a, server, year=today_local().year + 1) >= 1  # the new year has come
    with server.read() as s:
        block = s.scalars(select(NumberBlock).where(NumberBlock.kind == "document", NumberBlock.first == 2)).one()
        assert block.returned_at is not None
        cancelled = [n for n in s.scalars(select(IssuedNumber).where(IssuedNumber.kind == "document",
                                                                     IssuedNumber.serial.between(2, 21)))
                     if n.status == NumberStatus.CANCELLED]
    assert len(cancelled) == 19 and all("收回" in n.cancel_reason for n in cancelled)  # 2 used, 3–21 returned


def test_an_inspection_made_and_reported_offline_reaches_the_server_with_its_ids_and_number(
        server: Database, pcs: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    """A visit created on a working copy (its checklist filled by the service) and its report
    issued there: on the server the same records, with the ids the PC gave them, and the number
    the PC printed.  An account made on the server meanwhile reaches the PC too."""
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.groups import load_all
    from civaffairs.records import service as records
    from civaffairs.supervision import service as supervision
    from civaffairs.supervision.fields import CHECKLIST, TEAMS, VISITS
    from tests.test_supervision import _targets

    load_all()
    a, _b = pcs
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with server.write() as s:
        accounts.create_user(s, admin, "inspector", "督查员", "inspector-password-1", "leader", [])
    targets = _targets(server, admin)
    exchange.exchange(a, server)  # the targets, the new account and blocks of inspection numbers
    with a.read() as s:
        assert accounts.authenticate(s, "inspector", "inspector-password-1").username == "inspector"  # type: ignore[union-attr]
    leader = Actor("inspector", "督查员", Role.LEADER)
    with a.write() as s:
        team = records.create(s, leader, TEAMS, {"name": "第一督查组", "leader_name": "王建国", "leader_post": "副局长"}).id
        visit = supervision.create_visit(s, leader, {"team_id": team, "day": today_local(), "target_kind": "compound",
                                                     "compound_id": targets["compound"], "inspectors": "王建国",
                                                     "findings": "出入登记基本落实。"}).id
    with a.write() as s:
        lines = records.fetch(s, leader, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),)))
        for line in lines:
            records.update(s, leader, CHECKLIST, line.id, line.version, {"result": "conforms"})
    with a.write() as s:
        number = supervision.issue_report(s, leader, visit, day=today_local())
    assert exchange.exchange(a, server).conflicts == 0
    with server.read() as s:
        assert records.get(s, leader, VISITS, visit).values["report_number"] == number
        on_server = sorted(r.id for r in records.fetch(s, leader, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),))))
    assert on_server == sorted(line.id for line in lines) and lines  # the PC's ids, not new ones
    with a.read() as s:  # and no second copy of the lines came down
        assert len(records.fetch(s, leader, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),)))) == len(lines)


def test_stock_handed_over_on_two_pcs_apart_never_goes_below_zero(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """A lot of 1,000 masks; two PCs, apart, each hand 700 over: each PC's own check passes, the
    server's refuses the second (stock would go below zero), and it waits as a conflict naming
    what is left, nothing lost and nothing overdrawn."""
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.groups import load_all
    from civaffairs.groups.donations import fields as F
    from civaffairs.sync import conflicts
    from tests.test_donations import _enterprise, _handover, _lot, _organisation

    load_all()
    a, b = pcs
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with server.write() as s:
        accounts.create_user(s, admin, "donations", "慈善协会干事", "donations-password-1", "member", [6])
    member = Actor("donations", "慈善协会干事", Role.MEMBER, frozenset({6}))
    lot = _lot(server, member, _organisation(server, member), _enterprise(server, member), 1000)
    exchange.exchange(a, server)
    exchange.exchange(b, server)
    first = _handover(a, member, lot, 700)
    second = _handover(b, member, lot, 700)
    exchange.exchange(a, server)
    assert exchange.exchange(b, server).conflicts == 1
    with server.read() as s:
        handed = [r for r in s.scalars(select(F.HANDOVERS.model)) if r.deleted_at is None]
        (c,) = conflicts.open_conflicts(s, member)
    assert [h.id for h in handed] == [first] and sum(h.quantity for h in handed) == 700
    assert c.kind == "refused" and "300" in c.reason and c.record_id == second
    with b.read() as s:  # gone from the PC that made it, kept in the queue
        assert s.get(F.HANDOVERS.model, second) is None


def test_grants_paid_from_a_towns_fund_on_two_pcs_apart_never_overdraw_it(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """A town's reserve fund of 1,000 yuan; two approved grants of 800; each of two PCs, apart,
    pays one from the fund: the second is refused on the server and waits as a conflict, the
    fund is never overdrawn.  Applications made offline keep the number the PC gave."""
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.groups import load_all
    from civaffairs.groups.assistance import grant_service as gs
    from civaffairs.groups.assistance.fields import GRANTS
    from civaffairs.records import service as records
    from civaffairs.sync import conflicts
    from tests.test_assistance_grants import STEPS, World

    load_all()
    a, b = pcs
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with server.write() as s:
        accounts.create_user(s, admin, "assist", "救助股干事", "assist-password-1", "member", [4])
    clerk = Actor("assist", "救助股干事", Role.MEMBER, frozenset({4}))
    world = World(server, clerk)
    world.allocate("1000")
    first, second = (world.grant_in("approved", proposed_amount="800") for _ in range(2))
    exchange.exchange(a, server)
    exchange.exchange(b, server)
    pay = {**STEPS["pay"], "from_reserve_fund": True, "paid_amount": "800"}
    with a.write() as s:
        gs.move(s, clerk, first.id, first.version, "pay", pay)
    with b.write() as s:
        gs.move(s, clerk, second.id, second.version, "pay", pay)
        offline = gs.apply(s, clerk, {"household_id": world.household, "applied_on": today_local(),
                                      "hardship": "outbreak", "reason": "停工", "persons": 2, "proposed_amount": "500"})
    assert exchange.exchange(a, server).conflicts == 0
    assert exchange.exchange(b, server).conflicts == 1
    with server.read() as s:
        [balance] = gs.reserve_balances(s, clerk, STEPS["pay"]["paid_on"])
        (c,) = conflicts.open_conflicts(s, clerk)
        assert records.get(s, clerk, GRANTS, offline.id).values["number"] == offline.values["number"]
    assert balance.balance == 20000 and balance.used == 80000  # 1,000 − 800, in fen; never below zero
    assert c.kind == "refused" and "备用金" in c.reason


def test_a_number_the_server_refuses_leaves_nothing_of_it_on_the_pc(
        server: Database, pcs: tuple[Database, Database]) -> None:
    """A notice numbered offline from a block the server no longer holds for the PC (a forged or
    stale file): the server refuses the call, the conflict waits, and the PC's copy drops every
    row the call wrote there (the number too), keeping the draft as the server has it."""
    from sqlalchemy import delete

    a, _b = pcs
    _issue(server, OFFICE, "第一份通知")
    exchange.exchange(a, server)
    number = _issue(a, OFFICE, "甲电脑的通知")
    with server.write() as s:
        s.execute(delete(NumberBlock))
    assert exchange.exchange(a, server).conflicts == 1
    with a.read() as s:
        assert number not in {n.number for n in s.scalars(select(IssuedNumber))}
        (draft,) = [n for n in notices.list_notices(s, OFFICE) if n.title == "甲电脑的通知"]
        assert not draft.document_number
    assert _serials(a) == _serials(server)
