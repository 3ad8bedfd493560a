"""Notices: drafts from templates, edits, issuing under a number from the register, cancelled
numbers, corrections, permissions called directly on the service, the audit trail, and two
computers issuing at the same moment."""
from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from civaffairs.accounts.models import OfficeSetting
from civaffairs.accounts.roles import Actor, Role
from civaffairs.accounts.service import OFFICE_NAME
from civaffairs.audit.models import AuditEntry
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import EditConflict, NotFound, PermissionDenied, ValidationError
from civaffairs.core.ids import new_id
from civaffairs.db.database import Database
from civaffairs.notices import service as notices
from civaffairs.notices import templates
from civaffairs.notices.data import (
    Level, NoticeStatus, NumberStatus, body_blocks, chinese_date, format_document_number, parse_document_number,
)
from civaffairs.notices.models import Notice
from civaffairs.notices.templates import placeholders
from civaffairs.numbering.models import IssuedNumber

OFFICE = "天水市麦积区民政局"
DAY = date(2021, 10, 25)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(db: Database) -> Database:
    with db.write() as s:
        s.add(OfficeSetting(key=OFFICE_NAME, value=OFFICE))
    return db


def _draft(db: Database, actor: Actor, group: int = 1, key: str = "assistance", *, fill: bool = False,
           **fields: object) -> uuid.UUID:
    """A draft from a template; `fill`: its placeholders filled in, as a clerk does before issuing."""
    with db.write() as s:
        notice_id = notices.create_draft(s, actor, group, key, today=DAY)
        draft = notices.get(s, actor, notice_id)
        if fill:
            for name in ("title", "body"):
                text = getattr(draft, name)
                for mark in placeholders(text):
                    text = text.replace(mark, "0938-2731234" if "电话" in mark else "疫情防控")
                if text != getattr(draft, name):
                    fields.setdefault(name, text)
        if fields:
            notices.update_draft(s, actor, notice_id, draft.version, **fields)
    return notice_id


def test_a_notice_with_a_placeholder_left_is_not_issued(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member, fill=False)
    with office.write() as s, pytest.raises(ValidationError) as refused:
        notices.issue(s, office_member, notice_id, "麦民发", DAY)
    assert "（请填写：联系电话）" in refused.value.field_errors["body"]
    with office.read() as s:
        assert notices.number_register(s, office_member, "麦民发", 2021) == []  # no number was taken
    body = _get(office, office_member, notice_id).body.replace("（请填写：联系电话）", "0938-2731234")
    with office.write() as s:
        notices.update_draft(s, office_member, notice_id, 1, body=body)
    assert _issue(office, office_member, notice_id) == "麦民发〔2021〕1号"


def _fill_placeholders(db: Database, actor: Actor, notice_id: uuid.UUID) -> None:
    """What a clerk does before issuing: write the phone number where the template asks for it."""
    clerk = Actor("clerk", "起草人", Role.ADMINISTRATOR)
    with db.write() as s:
        draft = notices.get(s, clerk, notice_id)
        changed = {}
        for name in ("title", "body"):
            text = getattr(draft, name)
            for mark in placeholders(text):
                text = text.replace(mark, "0938-2731234" if "电话" in mark else "疫情防控")
            if text != getattr(draft, name):
                changed[name] = text
        if draft.is_draft and changed:
            notices.update_draft(s, clerk, notice_id, draft.version, **changed)


def _issue(db: Database, actor: Actor, notice_id: uuid.UUID, prefix: str = "麦民发", day: date = DAY) -> str:
    _fill_placeholders(db, actor, notice_id)
    with db.write() as s:
        return notices.issue(s, actor, notice_id, prefix, day)


def _get(db: Database, actor: Actor, notice_id: uuid.UUID):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return notices.get(s, actor, notice_id)


def _audit(db: Database, register: str) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.register == register).order_by(AuditEntry.at)))


# ------------------------------------------------------------------ numbers and markup


def test_document_numbers_are_written_and_read_as_people_do() -> None:
    assert format_document_number("麦民发", 2021, 12) == "麦民发\u30142021\u301512号"
    for typed in ("麦民发〔2021〕12号", "麦民发[2021]12号", "麦民发（2021）12号", "麦民发【2021】012号",
                  " 麦民发〔2021〕12 ", "麦民发(2021)12号"):
        assert parse_document_number(typed) == ("麦民发", 2021, 12), typed
    for bad in ("", "麦民发2021年12号", "〔2021〕12号", "麦民发〔21〕12号", "麦民发〔2021〕号"):
        assert parse_document_number(bad) is None, bad
    assert chinese_date(date(2021, 1, 5)) == "2021年1月5日"


def test_body_markup_levels() -> None:
    blocks = body_blocks("为了……\n\n一、总体要求\n（一）加强领导。各镇要……\n（二）压实责任\n1.第一项；\n（1）细目\n"
                         "　　一方有难，八方支援。\n2021年以来……\n1.5万元已拨付")
    assert [b.level for b in blocks] == [Level.PARAGRAPH, Level.HEADING_1, Level.HEADING_2, Level.HEADING_2,
                                         Level.HEADING_3, Level.HEADING_4, Level.PARAGRAPH, Level.PARAGRAPH,
                                         Level.PARAGRAPH]
    assert (blocks[2].head, blocks[2].tail) == ("（一）加强领导。", "各镇要……")
    assert (blocks[3].head, blocks[3].tail) == ("（二）压实责任", "")
    assert blocks[6].text == "一方有难，八方支援。"  # the typed indent is dropped; the layout indents


def test_five_templates_in_chinese() -> None:
    shipped = templates.templates()
    assert [t.key for t in shipped] == ["assistance", "donation_plan", "donation_initiative", "closed_management", "blank"]
    assert [t.name for t in shipped] == ["关于做好疫情期间困难群众救助工作的通知", "疫情防控捐赠活动方案", "疫情防控捐赠倡议书",
                                         "关于对民政服务机构实行封闭管理的通知", "空白通知"]
    assistance = templates.template("assistance")
    assert "先行救助、后补手续" in assistance.body and "打电话、发微信、上门询问" in assistance.body
    assert "临时救助" in assistance.body and "21.5万元" in assistance.body
    closed = templates.template("closed_management").body
    assert "4家养老机构" in closed and "道北日间照料中心" in closed and "婚姻登记" in closed and "1个月" in closed
    plan = templates.template("donation_plan").body
    assert "区慈善协会" in plan and "协调保障组" in plan and "口罩、防护服、酒精、消毒液、面罩、手套" in plan
    for t in shipped:
        assert t.addressee.endswith("：") and t.printing_office
        levels = {b.level for b in body_blocks(t.body)}
        if t.key != "blank":
            assert Level.HEADING_1 in levels, t.key


# ------------------------------------------------------------------ drafts


def test_draft_from_a_template_is_filled_with_the_office_and_today(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member, fill=False)
    n = _get(office, office_member, notice_id)
    assert n.status is NoticeStatus.DRAFT and n.group == 1 and n.template_key == "assistance"
    assert n.title == "关于做好疫情期间困难群众救助工作的通知"
    assert n.addressee == "各镇人民政府、街道办事处，局属各单位："
    assert n.signatory == OFFICE and n.printing_office == OFFICE + "办公室"
    assert n.document_date == DAY and n.document_number is None and n.issue_date is None
    assert n.attachments == ("受疫情影响困难群众救助情况统计表", "临时救助审批表")
    assert body_blocks(n.body)[1].head == "一、提高思想认识，压实工作责任"
    [entry] = _audit(office, notices.REGISTER)
    assert (entry.action, entry.actor, entry.record_id, entry.record_version) == ("create", "office", notice_id, 1)
    assert entry.changes["title"] == [None, n.title] and entry.changes["status"] == [None, "draft"]


def test_draft_needs_a_known_template_and_group(office: Database, admin: Actor) -> None:
    with office.write() as s:
        with pytest.raises(ValidationError) as e:
            notices.create_draft(s, admin, 1, "no_such_template")
        assert "template_key" in e.value.field_errors
        with pytest.raises(ValidationError) as e:
            notices.create_draft(s, admin, 8, "blank")
        assert "group" in e.value.field_errors


def test_edit_a_draft(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member, key="blank")
    with office.write() as s:
        n = notices.update_draft(s, office_member, notice_id, 1, title="  关于做好  周末值班的通知 ",
                                 body="\r\n一、值班安排\r\n　　局机关实行24小时值班。", attachments="1. 值班表。\n\n2、联系表",
                                 copy_to="抄送：区政府办公室，区卫健局。", addressee="局机关各股室",
                                 document_date="2021-10-26")
    assert n.version == 2
    assert n.title == "关于做好 周末值班的通知"
    assert n.body == "一、值班安排\n　　局机关实行24小时值班。"
    assert n.attachments == ("值班表", "联系表")
    assert n.copy_to == "区政府办公室，区卫健局" and n.addressee == "局机关各股室："
    assert n.document_date == date(2021, 10, 26)
    entry = _audit(office, notices.REGISTER)[-1]
    assert entry.action == "update" and entry.record_version == 2
    assert entry.changes["title"] == ["关于（请填写：事由）的通知", "关于做好 周末值班的通知"]
    assert entry.changes["document_date"] == ["2021-10-25", "2021-10-26"]
    with office.write() as s:  # nothing changed: no new version, no audit entry
        assert notices.update_draft(s, office_member, notice_id, 2, title="关于做好 周末值班的通知").version == 2
    assert len(_audit(office, notices.REGISTER)) == 2


def test_bad_fields_are_named(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member)
    with office.write() as s, pytest.raises(ValidationError) as e:
        notices.update_draft(s, office_member, notice_id, 1, title="  ", document_date="25/10/2021",
                             signatory="局" * 101)
    assert set(e.value.field_errors) == {"title", "document_date", "signatory"}
    with office.write() as s, pytest.raises(ValidationError) as e:
        notices.update_draft(s, office_member, notice_id, 1, colour="red")
    assert "" in e.value.field_errors


def test_edit_conflict_names_what_the_other_user_changed(office: Database, office_member: Actor, admin: Actor) -> None:
    notice_id = _draft(office, office_member)
    with office.write() as s:
        notices.update_draft(s, admin, notice_id, 1, title="关于做好困难群众救助工作的紧急通知")
    with office.write() as s, pytest.raises(EditConflict) as e:
        notices.update_draft(s, office_member, notice_id, 1, body="我的修改")
    [change] = e.value.changes
    assert (change.field, change.label, change.by) == ("title", "标题", "admin")
    assert change.new == "关于做好困难群众救助工作的紧急通知"
    assert _get(office, office_member, notice_id).body != "我的修改"


def test_discard_a_draft(office: Database, office_member: Actor) -> None:
    keep, discard = _draft(office, office_member), _draft(office, office_member, key="blank")
    with office.write() as s:
        notices.discard_draft(s, office_member, discard, 1)
    with office.read() as s:
        assert [n.id for n in notices.list_notices(s, office_member)] == [keep]
        with pytest.raises(NotFound):
            notices.get(s, office_member, discard)
    assert _audit(office, notices.REGISTER)[-1].action == "delete"


# ------------------------------------------------------------------ issuing


def test_issuing_fixes_number_and_date_and_freezes_the_text(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member)
    number = _issue(office, office_member, notice_id, day=date(2021, 10, 26))
    assert number == "麦民发〔2021〕1号"
    n = _get(office, office_member, notice_id)
    assert n.status is NoticeStatus.ISSUED
    assert (n.prefix, n.year, n.serial, n.document_number) == ("麦民发", 2021, 1, number)
    assert n.issue_date == n.document_date == date(2021, 10, 26)
    assert n.issued_by == "office" and n.issued_at is not None
    with office.write() as s, pytest.raises(PermissionDenied, match="麦民发〔2021〕1号"):
        notices.update_draft(s, office_member, notice_id, n.version, title="改一改")
    with office.write() as s, pytest.raises(PermissionDenied):
        notices.discard_draft(s, office_member, notice_id, n.version)
    with office.write() as s, pytest.raises(ValidationError, match="麦民发〔2021〕1号"):
        notices.issue(s, office_member, notice_id, "麦民发", DAY)
    after = _get(office, office_member, notice_id)
    assert (after.title, after.version, after.document_number) == (n.title, n.version, number)
    issue_entry = [e for e in _audit(office, notices.REGISTER) if e.action == "issue"]
    assert len(issue_entry) == 1 and issue_entry[0].changes["document_number"] == [None, number]
    number_entries = _audit(office, notices.NUMBER_REGISTER)
    assert [(e.action, e.record_label.split()[0]) for e in number_entries] == [("create", number)]


def test_an_edit_made_before_issuing_conflicts_after_it(office: Database, office_member: Actor, leader: Actor) -> None:
    notice_id = _draft(office, office_member)
    _issue(office, leader, notice_id)
    with office.write() as s, pytest.raises(EditConflict) as e:
        notices.update_draft(s, office_member, notice_id, 1, title="改一改")
    assert {c.field for c in e.value.changes} >= {"status", "document_number"}
    edited = _draft(office, office_member, fill=True)  # version 2: its phone number written in
    with office.write() as s:
        notices.update_draft(s, office_member, edited, 2, title="关于做好困难群众救助工作的补充通知")
    with office.write() as s, pytest.raises(EditConflict):  # issue what was read, not what was saved since
        notices.issue(s, leader, edited, "麦民发", DAY, expected_version=2)
    with office.write() as s:
        assert notices.issue(s, leader, edited, "麦民发", DAY, expected_version=3) == "麦民发〔2021〕2号"


def test_issue_checks_prefix_date_and_required_fields(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member, key="blank")
    with office.write() as s:
        for prefix in ("", "   ", "麦民发〔2021〕", "MMF", "麦民 发", "麦民发12"):
            with pytest.raises(ValidationError) as e:
                notices.issue(s, office_member, notice_id, prefix, DAY)
            assert set(e.value.field_errors) == {"prefix"}, prefix
        with pytest.raises(ValidationError) as e:
            notices.issue(s, office_member, notice_id, "麦民发", date(2999, 1, 1))
        assert {"issue_date", "body"} <= set(e.value.field_errors)  # the blank template has no text
    with office.read() as s:
        assert notices.number_register(s, office_member, "麦民发", 2021) == []


def test_issue_refuses_text_the_fonts_cannot_print(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member, body="一、要求\n请扫码😷进入")
    with office.write() as s, pytest.raises(ValidationError) as e:
        notices.issue(s, office_member, notice_id, "麦民发", DAY)
    assert set(e.value.field_errors) == {"body"} and "U+1F637" in e.value.field_errors["body"]
    assert _get(office, office_member, notice_id).status is NoticeStatus.DRAFT
    printable = _draft(office, office_member)
    _fill_placeholders(office, office_member, printable)
    with office.write() as s, pytest.raises(ValidationError) as e:  # a rare character in the prefix
        notices.issue(s, office_member, printable, "麦\u3400发", DAY)
    assert set(e.value.field_errors) == {"prefix"} and "U+3400" in e.value.field_errors["prefix"]
    with office.read() as s:
        assert notices.number_register(s, office_member, "麦\u3400发", 2021) == []


def test_numbers_are_sequential_per_prefix_and_restart_each_year(office: Database, admin: Actor) -> None:
    got = [_issue(office, admin, _draft(office, admin), "麦民发", date(2021, 10, d)) for d in (8, 12, 20)]
    got.append(_issue(office, admin, _draft(office, admin), "麦民函", date(2021, 10, 21)))
    got.append(_issue(office, admin, _draft(office, admin), "麦民发", date(2022, 1, 4)))
    got.append(_issue(office, admin, _draft(office, admin), "麦民发", date(2021, 12, 30)))  # dated back: 2021's next
    got.append(_issue(office, admin, _draft(office, admin), "麦民发", date(2022, 1, 5)))
    assert got == ["麦民发〔2021〕1号", "麦民发〔2021〕2号", "麦民发〔2021〕3号", "麦民函〔2021〕1号",
                   "麦民发〔2022〕1号", "麦民发〔2021〕4号", "麦民发〔2022〕2号"]
    with office.read() as s:
        assert [e.serial for e in notices.number_register(s, admin, "麦民发", 2021)] == [1, 2, 3, 4]
        assert notices.next_number(s, "麦民发", 2021) == "麦民发〔2021〕5号"
        assert set(notices.prefixes(s)) == {"麦民函", "麦民发"}


def test_a_cancelled_number_stays_with_its_reason_and_is_not_given_again(office: Database, office_member: Actor,
                                                                           viewer: Actor) -> None:
    first, second = _draft(office, office_member), _draft(office, office_member)
    _issue(office, office_member, first)
    _issue(office, office_member, second)
    with office.write() as s:
        with pytest.raises(ValidationError) as e:
            notices.cancel_number(s, office_member, "麦民发", 2021, 2, "  ")
        assert set(e.value.field_errors) == {"reason"}
        with pytest.raises(NotFound):
            notices.cancel_number(s, office_member, "麦民发", 2021, 9, "没有这个号")
        with pytest.raises(PermissionDenied):
            notices.cancel_number(s, viewer, "麦民发", 2021, 2, "查阅人员不能作废")
        notices.cancel_number(s, office_member, "麦民发", 2021, 2, "标题有误，作废重发")
    with office.write() as s, pytest.raises(ValidationError):
        notices.cancel_number(s, office_member, "麦民发", 2021, 2, "再作废一次")
    third = _draft(office, office_member)
    assert _issue(office, office_member, third) == "麦民发〔2021〕3号"
    with office.read() as s:
        register = notices.number_register(s, viewer, "麦民发", 2021)
    assert [(e.serial, e.status) for e in register] == [(1, NumberStatus.USED), (2, NumberStatus.CANCELLED),
                                                        (3, NumberStatus.USED)]
    cancelled = register[1]
    assert cancelled.cancel_reason == "标题有误，作废重发" and cancelled.cancelled_by == "office"
    assert cancelled.notice_id == second and cancelled.notice_title == "关于做好疫情期间困难群众救助工作的通知"
    voided = _get(office, office_member, second)
    assert voided.status is NoticeStatus.CANCELLED and voided.document_number == "麦民发〔2021〕2号"
    actions = [(e.register, e.action) for e in _audit(office, notices.NUMBER_REGISTER)]
    assert actions.count((notices.NUMBER_REGISTER, "cancel")) == 1
    notice_cancel = [e for e in _audit(office, notices.REGISTER) if e.action == "cancel"]
    assert notice_cancel[0].changes["reason"] == [None, "标题有误，作废重发"]


def test_register_rows_are_never_duplicated(office: Database, admin: Actor) -> None:
    """The last guard under the locking: the unique constraint on (prefix, year, serial)."""
    _issue(office, admin, _draft(office, admin))
    with office.write() as s, pytest.raises(IntegrityError):
        s.execute(insert(IssuedNumber).values(
            id=new_id(), kind="document", prefix="麦民发", year=2021, serial=1, number="麦民发〔2021〕1号",
            status="used", owner_register="notices.notice", owner_label="", given_at=now_utc(), given_by="x",
            cancel_reason=""))


def test_a_correction_is_a_new_draft_pointing_to_the_old_notice(office: Database, office_member: Actor) -> None:
    old_id = _draft(office, office_member, key="closed_management")
    number = _issue(office, office_member, old_id)
    with office.write() as s:
        new_id_ = notices.make_correction(s, office_member, old_id)
    old, new = _get(office, office_member, old_id), _get(office, office_member, new_id_)
    assert new.id != old.id and new.status is NoticeStatus.DRAFT and new.document_number is None
    assert new.corrects_id == old.id and new.corrects_number == number
    assert (new.title, new.body, new.attachments, new.group) == (old.title, old.body, old.attachments, old.group)
    assert old.status is NoticeStatus.ISSUED and old.version == 2  # untouched
    with office.write() as s:
        notices.update_draft(s, office_member, new_id_, new.version, body=new.body + "\n特此更正。")
        assert notices.issue(s, office_member, new_id_, "麦民发", DAY) == "麦民发〔2021〕2号"
    with office.write() as s, pytest.raises(ValidationError):
        notices.make_correction(s, office_member, _draft(office, office_member))
    created = [e for e in _audit(office, notices.REGISTER) if e.action == "create" and e.record_id == new_id_]
    assert created[0].changes["corrects"] == [None, number]


def test_find_by_number(office: Database, office_member: Actor) -> None:
    notice_id = _draft(office, office_member)
    _issue(office, office_member, notice_id)
    with office.read() as s:
        assert notices.find_by_number(s, "麦民发[2021]1号").id == notice_id
        assert notices.find_by_number(s, "麦民发〔2021〕01").id == notice_id
        with pytest.raises(NotFound, match="麦民发〔2021〕2号"):
            notices.find_by_number(s, "麦民发〔2021〕2号")
        with pytest.raises(ValidationError):
            notices.find_by_number(s, "第二号文件")
        assert notices.office_mark(s, notices.get(s, office_member, notice_id)) == "天水市麦积区民政局文件"


def test_lists_per_group_and_for_the_overview(office: Database, admin: Actor, viewer: Actor) -> None:
    ids = {g: _draft(office, admin, group=g) for g in (0, 1, 2)}
    _draft(office, admin, group=2, key="blank")
    _issue(office, admin, ids[1])
    with office.read() as s:
        assert len(notices.list_notices(s, viewer)) == 4
        assert [n.id for n in notices.list_notices(s, viewer, 1)] == [ids[1]]
        assert {n.group for n in notices.list_notices(s, viewer, 2)} == {2}
        assert [n.id for n in notices.list_notices(s, viewer, 0)] == [ids[0]]
        assert [n.id for n in notices.list_notices(s, viewer, status=NoticeStatus.ISSUED)] == [ids[1]]
        with pytest.raises(ValidationError):
            notices.list_notices(s, viewer, 9)


# ------------------------------------------------------------------ permissions


def test_a_member_writes_only_the_notices_of_their_own_groups(office: Database, office_member: Actor,
                                                              institutions_member: Actor) -> None:
    group1 = _draft(office, office_member, group=1)
    with office.write() as s:
        with pytest.raises(PermissionDenied):
            notices.create_draft(s, institutions_member, 1, "assistance")
        with pytest.raises(PermissionDenied):
            notices.update_draft(s, institutions_member, group1, 1, title="别组的通知")
        with pytest.raises(PermissionDenied):
            notices.issue(s, institutions_member, group1, "麦民发", DAY)
        with pytest.raises(PermissionDenied):
            notices.discard_draft(s, institutions_member, group1, 1)
        with pytest.raises(PermissionDenied):
            notices.create_draft(s, office_member, 0, "blank")  # bureau-wide: leaders and administrators
    assert _draft(office, institutions_member, group=2, key="closed_management")
    _issue(office, office_member, group1)
    with office.write() as s:
        with pytest.raises(PermissionDenied):
            notices.make_correction(s, institutions_member, group1)
        with pytest.raises(PermissionDenied):
            notices.cancel_number(s, institutions_member, "麦民发", 2021, 1, "不是本组的")
    assert _get(office, office_member, group1).status is NoticeStatus.ISSUED


def test_a_viewer_reads_but_never_writes(office: Database, admin: Actor, viewer: Actor) -> None:
    notice_id = _draft(office, admin)
    with office.write() as s:
        for group in range(0, 8):
            with pytest.raises(PermissionDenied):
                notices.create_draft(s, viewer, group, "blank")
        with pytest.raises(PermissionDenied):
            notices.update_draft(s, viewer, notice_id, 1, title="x")
        with pytest.raises(PermissionDenied):
            notices.issue(s, viewer, notice_id, "麦民发", DAY)
    with office.read() as s:
        assert notices.get(s, viewer, notice_id).title
        assert len(notices.list_notices(s, viewer)) == 1


def test_leaders_draft_bureau_wide_notices_and_sign_off_any_group(office: Database, leader: Actor,
                                                                  office_member: Actor) -> None:
    bureau = _draft(office, leader, group=0, key="donation_initiative")
    assert _issue(office, leader, bureau) == "麦民发〔2021〕1号"
    with office.write() as s, pytest.raises(PermissionDenied):
        notices.create_draft(s, leader, 1, "assistance")  # a group's notice is written by the group
    group1 = _draft(office, office_member, group=1)
    assert _issue(office, leader, group1) == "麦民发〔2021〕2号"
    with office.write() as s:
        notices.cancel_number(s, leader, "麦民发", 2021, 2, "领导审核后收回")


@pytest.mark.parametrize("role, groups, group, draft, issue", [
    (Role.ADMINISTRATOR, (), 0, True, True), (Role.ADMINISTRATOR, (), 5, True, True),
    (Role.LEADER, (), 0, True, True), (Role.LEADER, (), 3, False, True),
    (Role.MEMBER, (3,), 3, True, True), (Role.MEMBER, (3,), 4, False, False), (Role.MEMBER, (3,), 0, False, False),
    (Role.VIEWER, (), 0, False, False), (Role.VIEWER, (), 3, False, False),
])
def test_permission_table(role: Role, groups: tuple[int, ...], group: int, draft: bool, issue: bool) -> None:
    actor = Actor("x", "x", role, frozenset(groups))
    assert (notices.can_draft(actor, group), notices.can_issue(actor, group)) == (draft, issue)


# ------------------------------------------------------------------ two computers at once


def test_two_computers_issuing_at_the_same_moment_never_get_the_same_number(office: Database, admin: Actor) -> None:
    """Two Database objects (two connection pools, as two PCs) issue in two threads at once: the
    numbers are all different and consecutive, on SQLite (BEGIN IMMEDIATE) and on PostgreSQL
    (SELECT … FOR UPDATE of the sequence row)."""
    per_thread = 12
    drafts = [_draft(office, admin, key="blank", body="一、事项\n内容。", title="关于值班的通知")
              for _ in range(2 * per_thread)]
    other = Database(office.url)
    start = threading.Barrier(2)
    got: dict[int, list[str]] = {0: [], 1: []}
    errors: list[BaseException] = []

    def work(k: int, db: Database, mine: list[uuid.UUID]) -> None:
        try:
            start.wait()
            for notice_id in mine:
                with db.write() as s:
                    got[k].append(notices.issue(s, admin, notice_id, "麦民发", DAY))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(0, office, drafts[0::2])),
               threading.Thread(target=work, args=(1, other, drafts[1::2]))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        other.dispose()
    assert errors == []
    numbers = got[0] + got[1]
    assert len(numbers) == len(set(numbers)) == 2 * per_thread
    serials = sorted(parse_document_number(n)[2] for n in numbers)  # type: ignore[index]
    assert serials == list(range(1, 2 * per_thread + 1))
    with office.read() as s:
        register = notices.number_register(s, admin, "麦民发", 2021)
        assert [e.serial for e in register] == serials
        assert {e.notice_id for e in register} == set(drafts)
        assert s.scalar(select(func.count()).select_from(Notice).where(Notice.status == "issued")) == 2 * per_thread


def test_notices_service_loads_no_qt() -> None:
    code = ("import sys, civaffairs.notices.service, civaffairs.notices.templates, civaffairs.printing.notice_pdf;"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'civaffairs.gui'))];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
