"""Group 5, social organisations: the unified social credit code (GB 32100) on real codes,
letter-led codes and corrupted ones; the register's rules (unique code, the code's kind as a
warning, status over time, one measures report a day, notices sent once and acknowledged after
they were sent); sending a notice to many organisations; taking over an issued notice; the
not-acknowledged list; the figures of the statistics report on the demo data; masking; and the
calls refused to a viewer and to members of other groups."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from stdnum.cn import uscc

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.core.errors import NeedsConfirmation, NotFound, PermissionDenied, ValidationError
from civaffairs.core.idnumbers import validate_credit_code
from civaffairs.db.database import Database
from civaffairs.groups import group
from civaffairs.groups.social_organisations import demo, figures, reports, service
from civaffairs.groups.social_organisations import fields as F
from civaffairs.groups.social_organisations.models import NoticeDelivery, OrganisationNotice, SocialOrganisation
from civaffairs.notices import service as notices
from civaffairs.places import demo as places_demo
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records
from civaffairs.reports import statistics
from civaffairs.reports.figures import Period
from tests.helpers import audit_entries, table_count

ROOT = Path(__file__).resolve().parents[1]
OUTBREAK = Period(date(2021, 10, 1), date(2021, 11, 5))
BEFORE = Period(date(2021, 10, 1), date(2021, 10, 10))

# ------------------------------------------------------------------ GB 32100

GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V


def gb32100_check(body17: str) -> str:
    """The check character computed from the standard's definition (weights 3^i mod 31, MOD 31),
    independently of the code under test."""
    total = sum(GB32100_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


# Codes as their holders publish them.
REAL_CODES = [
    "53100000500019795A",  # 中国社会福利基金会 (a foundation registered by the Ministry of Civil Affairs)
    "51310110501144395U",  # a social association registered by 上海市杨浦区民政局
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司 (a digit as check character)
    "91110000600037341L",  # python-stdnum's own documented example
    "12100000400000624D",  # a public institution (事业单位) registered by the central 编办
]
# Led by a letter: N 农业 (村级集体经济组织), Y 其他, A 中央军委改革和编制办公室 (军队事业单位).  Check
# characters computed by `gb32100_check`; python-stdnum's `uscc.validate` refuses all of them.
LETTER_LED = ["N2620503MF00123451", "N1620503MF001234XE", "Y1620503MA0ABC123D", "A1100000MB0123456L"]


@pytest.mark.parametrize("code", REAL_CODES + LETTER_LED)
def test_valid_codes_pass_and_their_check_character_is_the_standards(code: str) -> None:
    assert gb32100_check(code[:17]) == code[17]
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("code", LETTER_LED)
def test_letter_led_codes_are_valid_although_stdnum_refuses_them(code: str) -> None:
    assert not uscc.is_valid(code)  # why the program wraps it
    assert validate_credit_code(code) == code


def test_codes_are_normalised_as_typed() -> None:
    assert validate_credit_code(" 9144 0300 7152 6726xg ") == "9144030071526726XG"
    assert validate_credit_code("n2620503mf00123451") == "N2620503MF00123451"


@pytest.mark.parametrize("code", REAL_CODES + LETTER_LED)
def test_every_changed_character_is_refused(code: str) -> None:
    for i in range(18):
        for c in GB32100_ALPHABET:
            if c == code[i]:
                continue
            corrupted = code[:i] + c + code[i + 1:]
            with pytest.raises(ValueError, match="校验|check"):
                validate_credit_code(corrupted)


@pytest.mark.parametrize("code", REAL_CODES + LETTER_LED)
def test_every_swapped_pair_of_neighbours_is_refused(code: str) -> None:
    swapped = 0
    for i in range(16):  # within the 17 characters the check character covers
        if code[i] == code[i + 1]:
            continue
        corrupted = code[:i] + code[i + 1] + code[i] + code[i + 2:]
        with pytest.raises(ValueError, match="校验"):
            validate_credit_code(corrupted)
        swapped += 1
    assert swapped >= 8


@pytest.mark.parametrize("code, length", [(REAL_CODES[0][:17], 17), (REAL_CODES[0] + "1", 19),
                                          (REAL_CODES[0][:15], 15), ("", 0)])
def test_a_wrong_length_is_refused_naming_the_length(code: str, length: int) -> None:
    with pytest.raises(ValueError, match=f"18位.*{length}位"):
        validate_credit_code(code)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_a_forbidden_letter_is_refused_naming_it(letter: str) -> None:
    code = REAL_CODES[0]
    for at in (2, 9, 17):
        with pytest.raises(ValueError, match=letter):
            validate_credit_code(code[:at] + letter + code[at + 1:])


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def member() -> Actor:
    return Actor("social", "社会组织股干事", Role.MEMBER, frozenset({5}))


@pytest.fixture
def towns(db: Database) -> dict[str, uuid.UUID]:
    places_demo.fill(db)
    with db.read() as s:
        return {o.label: o.id for o in records.options(s, COMMAND_LINE_ACTOR, TOWNS)}


@pytest.fixture
def demo_db(sqlite_db: Database) -> Database:
    places_demo.fill(sqlite_db)
    demo.fill(sqlite_db)
    return sqlite_db


_serial = iter(range(1, 10_000))


def code_of(kind: str = F.ASSOCIATION) -> str:
    body = f"5{F.KIND_DIGITS[kind]}620503MJ{3100000 + next(_serial):07d}"
    return body + gb32100_check(body)


def organisation(db: Database, actor: Actor, name: str, kind: str = F.ASSOCIATION, **overrides) -> records.Row:  # type: ignore[no-untyped-def]
    values = {"name": name, "kind": kind, "credit_code": code_of(kind), "registration_authority": "天水市麦积区民政局",
              "legal_representative": "王建华", "contact_person": "李娜", "contact_phone": "13909381234",
              "town_id": None, "address": "麦积区道北街道渭滨北路56号", "notes": ""}
    values.update(overrides)
    accept = values.pop("accept", ())
    with db.write() as s:
        return records.create(s, actor, F.ORGANISATIONS, values, accept=accept)


def org_notice(db: Database, actor: Actor, title: str = "关于全区社会组织暂停线下聚集性活动的紧急通知",
               day: date = date(2021, 10, 20), reply_by: date | None = date(2021, 10, 21)) -> records.Row:
    with db.write() as s:
        return records.create(s, actor, F.NOTICES, {"title": title, "document_number": "麦民函〔2021〕31号",
                                                     "issued_by": "天水市麦积区民政局", "notice_date": day,
                                                     "reply_by": reply_by, "note": ""})


def delivery(db: Database, actor: Actor, org: records.Row, notice: records.Row, sent: date = date(2021, 10, 20),
             **overrides) -> records.Row:  # type: ignore[no-untyped-def]
    values = {"organisation_id": org.id, "org_notice_id": notice.id, "sent_date": sent, "channel": "wechat",
              "acknowledged_date": None, "acknowledged_by": ""}
    values.update(overrides)
    with db.write() as s:
        return records.create(s, actor, F.DELIVERIES, values)


def refused(db: Database, actor: Actor, fn) -> ValidationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        with db.write() as s:
            fn(s)
    return caught.value


# ------------------------------------------------------------------ organisations


def test_a_bad_code_is_refused_at_its_field(db: Database, member: Actor) -> None:
    code = REAL_CODES[1]
    error = refused(db, member, lambda s: records.create(s, member, F.ORGANISATIONS, {
        "name": "麦积区书法家协会", "kind": F.ASSOCIATION, "credit_code": code[:17] + "X",
        "registration_authority": "天水市麦积区民政局"}))
    assert "校验" in error.field_errors["credit_code"]
    assert table_count(db, SocialOrganisation) == 0


def test_the_code_is_unique_among_live_organisations(db: Database, member: Actor, admin: Actor) -> None:
    first = organisation(db, member, "麦积区书法家协会")
    code = first.values["credit_code"]
    error = refused(db, member, lambda s: records.create(s, member, F.ORGANISATIONS, {
        "name": "麦积区摄影家协会", "kind": F.ASSOCIATION, "credit_code": code.lower(),
        "registration_authority": "天水市麦积区民政局"}))
    assert error.field_errors["credit_code"] == f"{code}已是“麦积区书法家协会”的统一社会信用代码。"
    # A deregistered organisation's code may be entered again; the old record then cannot come back.
    with db.write() as s:
        records.delete(s, member, F.ORGANISATIONS, first.id)
    second = organisation(db, member, "麦积区书法协会", credit_code=code)
    assert second.values["credit_code"] == code
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        with db.write() as s:
            records.restore(s, admin, F.ORGANISATIONS, first.id)


def test_a_code_of_another_kind_is_a_warning_the_clerk_may_accept(db: Database, member: Actor) -> None:
    values = {"name": "麦积区启明星幼儿园", "kind": F.ASSOCIATION, "credit_code": code_of(F.PRIVATE_NON_ENTERPRISE),
              "registration_authority": "天水市麦积区民政局"}
    with pytest.raises(NeedsConfirmation) as caught:
        with db.write() as s:
            records.create(s, member, F.ORGANISATIONS, values)
    message = caught.value.field_errors["credit_code"]
    assert "社会团体" in message and "51" in message and "52" in message
    assert table_count(db, SocialOrganisation) == 0
    with db.write() as s:
        row = records.create(s, member, F.ORGANISATIONS, values, accept=[message])
    assert "warnings accepted" in audit_entries(db, row.id)[0].changes
    # Choosing the right kind needs no confirmation.
    with db.write() as s:
        records.update(s, member, F.ORGANISATIONS, row.id, row.version, {"kind": F.PRIVATE_NON_ENTERPRISE})


@pytest.mark.parametrize("code", [LETTER_LED[0], REAL_CODES[2]])
def test_a_code_not_given_by_civil_affairs_is_a_warning_too(db: Database, member: Actor, code: str) -> None:
    values = {"name": "某组织", "kind": F.FOUNDATION, "credit_code": code, "registration_authority": "天水市民政局"}
    with pytest.raises(NeedsConfirmation) as caught:
        with db.write() as s:
            records.create(s, member, F.ORGANISATIONS, values)
    with db.write() as s:
        row = records.create(s, member, F.ORGANISATIONS, values, accept=list(caught.value.field_errors.values()))
    assert row.values["credit_code"] == code


def test_the_status_over_time_and_today(db: Database, member: Actor) -> None:
    org = organisation(db, member, "麦积区老年人体育协会")
    other = organisation(db, member, "天水市麦积区见义勇为基金会", F.FOUNDATION)
    with db.write() as s:
        records.create(s, member, F.STATUS_PERIODS, {"organisation_id": org.id, "status": F.SUSPENDED,
                                                      "start_date": date(2021, 10, 20), "end_date": date(2021, 11, 1)})
        records.create(s, member, F.STATUS_PERIODS, {"organisation_id": org.id, "status": F.RESUMED,
                                                      "start_date": date(2021, 11, 2)})
    error = refused(db, member, lambda s: records.create(s, member, F.STATUS_PERIODS, {
        "organisation_id": org.id, "status": F.ONLINE, "start_date": date(2021, 10, 25)}))
    assert "暂停活动" in error.field_errors["start_date"]
    with db.read() as s:
        assert figures.status_on(s, [org.id, other.id], date(2021, 10, 19)) == {org.id: F.NORMAL, other.id: F.NORMAL}
        assert figures.status_on(s, [org.id], date(2021, 10, 25)) == {org.id: F.SUSPENDED}
        assert figures.count_by_status(s, date(2021, 11, 3))[F.RESUMED] == 1
        assert figures.with_status_during(s, F.SUSPENDED, OUTBREAK) == {org.id}
        assert figures.with_status_during(s, F.SUSPENDED, BEFORE) == set()
        listed = {r.id: r.values["status_today"] for r in records.fetch(s, member, F.ORGANISATIONS)}
    assert listed == {org.id: F.RESUMED, other.id: F.NORMAL}


def test_one_measures_report_a_day(db: Database, member: Actor) -> None:
    org = organisation(db, member, "麦积区志愿者协会")
    values = {"organisation_id": org.id, "day": date(2021, 10, 21), "measures": ["volunteering", "masks"],
              "reported_by": "张明", "note": ""}
    with db.write() as s:
        row = records.create(s, member, F.MEASURE_REPORTS, values)
    assert row.values["measures"] == ["masks", "volunteering"]  # in the order of the choices
    error = refused(db, member, lambda s: records.create(s, member, F.MEASURE_REPORTS, values))
    assert "麦积区志愿者协会已报告2021年10月21日的防控措施" in error.field_errors["day"]
    error = refused(db, member, lambda s: records.create(s, member, F.MEASURE_REPORTS, {
        **values, "day": date(2021, 10, 22), "measures": []}))
    assert "measures" in error.field_errors
    with db.read() as s:
        counts = figures.measures_in(s, OUTBREAK)
    assert (counts.reports, counts.organisations, counts.by_measure["masks"], counts.by_measure["donations"]) == (1, 1, 1, 0)


# ------------------------------------------------------------------ notices and acknowledgements


def test_a_notice_is_sent_once_and_acknowledged_after_it_was_sent(db: Database, member: Actor) -> None:
    org = organisation(db, member, "麦积区作家协会")
    notice = org_notice(db, member)
    error = refused(db, member, lambda s: records.create(s, member, F.DELIVERIES, {
        "organisation_id": org.id, "org_notice_id": notice.id, "sent_date": date(2021, 10, 19)}))
    assert error.field_errors["sent_date"] == "该通知的发文日期为2021年10月20日，发送日期不能早于发文日期。"
    error = refused(db, member, lambda s: records.create(s, member, F.DELIVERIES, {
        "organisation_id": org.id, "org_notice_id": notice.id, "sent_date": date(2021, 10, 20),
        "acknowledged_date": date(2021, 10, 19)}))
    assert "acknowledged_date" in error.field_errors
    error = refused(db, member, lambda s: records.create(s, member, F.DELIVERIES, {
        "organisation_id": org.id, "org_notice_id": notice.id, "sent_date": date(2021, 10, 20),
        "acknowledged_by": "李娜"}))
    assert error.field_errors["acknowledged_date"] == "请填写签收日期。"
    sent = delivery(db, member, org, notice)
    error = refused(db, member, lambda s: records.create(s, member, F.DELIVERIES, {
        "organisation_id": org.id, "org_notice_id": notice.id, "sent_date": date(2021, 10, 21)}))
    assert error.field_errors["org_notice_id"] == "已于2021年10月20日向麦积区作家协会发送过此通知。"
    # Acknowledgement states: waiting on the day, overdue after the "acknowledge by" day, then acknowledged.
    with db.read() as s:
        assert figures.delivery_states(s, [sent.id], date(2021, 10, 21)) == {sent.id: F.WAITING}
        assert figures.delivery_states(s, [sent.id], date(2021, 10, 22)) == {sent.id: F.OVERDUE}
    with db.write() as s:
        assert service.acknowledge(s, member, [(sent.id, sent.version)], date(2021, 10, 23), "李娜") == 1
    with db.read() as s:
        assert figures.delivery_states(s, [sent.id], date(2021, 10, 22)) == {sent.id: F.OVERDUE}  # as it was then
        assert figures.delivery_states(s, [sent.id], date(2021, 10, 23)) == {sent.id: F.ACKNOWLEDGED}
        again = records.get(s, member, F.DELIVERIES, sent.id)
    assert (again.values["acknowledged_date"], again.values["acknowledged_by"]) == (date(2021, 10, 23), "李娜")
    # Acknowledging again keeps the first date.
    with db.write() as s:
        assert service.acknowledge(s, member, [(sent.id, sent.version)], date(2021, 10, 25)) == 0
    with db.read() as s:
        assert records.get(s, member, F.DELIVERIES, sent.id).values["acknowledged_date"] == date(2021, 10, 23)


def test_sending_a_notice_to_the_organisations_of_the_kinds_and_town_chosen(db: Database, member: Actor,
                                                                            towns: dict[str, uuid.UUID]) -> None:
    a1 = organisation(db, member, "麦积区书法家协会", town_id=towns["道北街道"])
    a2 = organisation(db, member, "麦积区太极拳协会", town_id=towns["马跑泉镇"])
    p1 = organisation(db, member, "麦积区启明星幼儿园", F.PRIVATE_NON_ENTERPRISE, town_id=towns["道北街道"])
    f1 = organisation(db, member, "天水市麦积区教育发展基金会", F.FOUNDATION, town_id=towns["道北街道"])
    notice = org_notice(db, member)
    with db.write() as s:
        sent = service.send_notice(s, member, notice.id, date(2021, 10, 20), kinds=[F.ASSOCIATION],
                                   town_id=towns["道北街道"], channel="wechat")
    assert sent == 1
    with db.read() as s:
        found = service.recipients(s, notice.id)
    assert (set(found.new), found.already) == ({a2.id, p1.id, f1.id}, 1)
    with db.write() as s:
        assert service.send_notice(s, member, notice.id, date(2021, 10, 21)) == 3
    with db.read() as s:
        rows = records.fetch(s, member, F.DELIVERIES, records.ListQuery(equals=(("org_notice_id", notice.id),)))
        progress = figures.notice_progress(s, [notice.id], date(2021, 10, 21))[notice.id]
    assert {r.values["organisation_id__id"] for r in rows} == {a1.id, a2.id, p1.id, f1.id}
    assert (progress.sent, progress.acknowledged, progress.text, progress.state) == (4, 0, "0 / 4", F.WAITING)
    # Nothing left to send, a bad channel, a date before the notice: refused, nothing written.
    error = refused(db, member, lambda s: service.send_notice(s, member, notice.id, date(2021, 10, 22)))
    assert error.field_errors[""] == "所选社会组织均已发送过此通知。"
    second = org_notice(db, member, "关于规范社会组织疫情防控捐赠活动的通知", date(2021, 11, 3), None)
    refused(db, member, lambda s: service.send_notice(s, member, second.id, date(2021, 11, 3), channel="pigeon"))
    error = refused(db, member, lambda s: service.send_notice(s, member, second.id, date(2021, 11, 2)))
    assert "sent_date" in error.field_errors
    error = refused(db, member, lambda s: service.send_notice(s, member, second.id, date(2021, 11, 3),
                                                              kinds=[F.FOUNDATION], town_id=towns["甘泉镇"]))
    assert "kinds" in error.field_errors
    assert table_count(db, NoticeDelivery) == 4


def test_taking_over_an_issued_notice_keeps_what_it_was_issued_with(db: Database, member: Actor) -> None:
    with db.write() as s:
        draft = notices.create_draft(s, member, 5, "blank", today=date(2021, 10, 20))
        notices.update_draft(s, member, draft, 1, title="关于全区社会组织暂停线下聚集性活动的紧急通知",
                             body="各社会组织：即日起暂停线下聚集性活动。", signatory="天水市麦积区民政局",
                             printing_office="天水市麦积区民政局办公室", addressee="全区各社会组织", copy_to="")
    error = refused(db, member, lambda s: service.take_over_notice(s, member, draft))
    assert "草稿" in error.field_errors[""]
    with db.write() as s:
        number = notices.issue(s, member, draft, "麦民发", date(2021, 10, 20))
        assert [n.id for n in service.notices_to_take_over(s, member)] == [draft]
        row = service.take_over_notice(s, member, draft, reply_by=date(2021, 10, 22))
    assert (row.values["title"], row.values["document_number"], row.values["notice_date"],
            row.values["issued_by"], row.values["reply_by"]) == (
        "关于全区社会组织暂停线下聚集性活动的紧急通知", number, date(2021, 10, 20), "天水市麦积区民政局",
        date(2021, 10, 22))
    assert row.values["notice_id"] == draft
    assert [e.action for e in audit_entries(db, row.id)] == ["create", "update"]
    with db.read() as s:
        assert service.notices_to_take_over(s, member) == []
    error = refused(db, member, lambda s: service.take_over_notice(s, member, draft))
    assert number in error.field_errors[""]
    # Its title, number and date stay as issued; the deadline and the note may change.
    error = refused(db, member, lambda s: records.update(s, member, F.NOTICES, row.id, row.version,
                                                         {"title": "另一个标题"}))
    assert number in error.field_errors["title"]
    with db.write() as s:
        records.update(s, member, F.NOTICES, row.id, row.version, {"reply_by": date(2021, 10, 23), "note": "电话催收"})
    with pytest.raises(NotFound):
        with db.write() as s:
            service.take_over_notice(s, member, uuid.uuid4())


def test_the_not_acknowledged_list_as_of_a_day(db: Database, member: Actor) -> None:
    late = organisation(db, member, "麦积区钓鱼协会")
    quick = organisation(db, member, "麦积区书法家协会")
    never = organisation(db, member, "天水市麦积区乡村振兴基金会", F.FOUNDATION)
    notice = org_notice(db, member)
    initiative = org_notice(db, member, "关于动员全区社会组织积极参与疫情防控志愿服务的倡议书", date(2021, 10, 25), None)
    delivery(db, member, late, notice, acknowledged_date=date(2021, 10, 24), acknowledged_by="韩娟")
    delivery(db, member, quick, notice, acknowledged_date=date(2021, 10, 20), acknowledged_by="肖志强")
    delivery(db, member, never, notice)
    delivery(db, member, never, initiative, sent=date(2021, 10, 25))
    with db.read() as s:
        on_21 = figures.not_acknowledged(s, date(2021, 10, 21))
        on_23 = figures.not_acknowledged(s, date(2021, 10, 23))
        on_26 = figures.not_acknowledged(s, date(2021, 10, 26))
        only = figures.not_acknowledged(s, date(2021, 10, 26), initiative.id)
        counts = figures.not_acknowledged_counts(s, [late.id, quick.id, never.id], date(2021, 10, 26))
    assert [(l.organisation, l.overdue, l.days_waiting) for l in on_21] == [
        ("天水市麦积区乡村振兴基金会", False, 1), ("麦积区钓鱼协会", False, 1)]
    assert [(l.organisation, l.overdue) for l in on_23] == [("天水市麦积区乡村振兴基金会", True), ("麦积区钓鱼协会", True)]
    assert [(l.organisation, l.notice, l.overdue) for l in on_26] == [
        ("天水市麦积区乡村振兴基金会", "关于全区社会组织暂停线下聚集性活动的紧急通知", True),
        ("天水市麦积区乡村振兴基金会", "关于动员全区社会组织积极参与疫情防控志愿服务的倡议书", False)]
    assert [l.notice_id for l in only] == [initiative.id]
    assert counts == {late.id: 0, quick.id: 0, never.id: 2}
    # A deleted organisation or notice is no longer anyone's business.
    with db.write() as s:
        for row in records.fetch(s, member, F.DELIVERIES, records.ListQuery(equals=(("org_notice_id", initiative.id),))):
            records.delete(s, member, F.DELIVERIES, row.id)
        records.delete(s, member, F.NOTICES, initiative.id)
    with db.read() as s:
        assert len(figures.not_acknowledged(s, date(2021, 10, 26))) == 1


# ------------------------------------------------------------------ masking and paper


def test_contact_phones_are_masked_for_who_may_not_see_them(db: Database, member: Actor, leader: Actor,
                                                           viewer: Actor, office_member: Actor) -> None:
    org = organisation(db, member, "麦积区钓鱼协会", contact_phone="18920157549")
    delivery(db, member, org, org_notice(db, member))
    for actor, masked in ((member, False), (leader, False), (viewer, True), (office_member, True)):
        with db.read() as s:
            row = records.get(s, actor, F.ORGANISATIONS, org.id)
            line = service.not_acknowledged(s, actor, day=date(2021, 10, 22))[0]
        if masked:
            assert "contact_phone" in row.masked
            assert row.values["contact_phone"] == line.contact_phone == "189****7549"
        else:
            assert row.values["contact_phone"] == line.contact_phone == "18920157549"
        # The organisation's own particulars are public.
        assert row.values["credit_code"] == org.values["credit_code"]
        assert row.values["address"] == "麦积区道北街道渭滨北路56号"


def _pdf_text(pdf: bytes) -> str:
    import io

    # Cells wrap: the words are looked for without the line breaks.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def test_the_printed_list_is_masked_as_on_screen(db: Database, member: Actor, viewer: Actor) -> None:
    org = organisation(db, member, "麦积区钓鱼协会", contact_phone="18920157549", contact_person="韩娟")
    notice = org_notice(db, member)
    delivery(db, member, org, notice)
    printed_at = datetime(2021, 11, 5, 1, 0, tzinfo=timezone.utc)
    with db.read() as s:
        for_member = reports.render_not_acknowledged(s, member, day=date(2021, 11, 5), office_name="天水市麦积区民政局",
                                                     printed_by="社会组织股干事", printed_at=printed_at)
        for_viewer = reports.render_not_acknowledged(s, viewer, day=date(2021, 11, 5), notice_id=notice.id,
                                                     office_name="天水市麦积区民政局", printed_by="查阅人员",
                                                     printed_at=printed_at)
    member_text, viewer_text = _pdf_text(for_member), _pdf_text(for_viewer)
    assert "未签收通知的社会组织名单" in member_text and "麦积区钓鱼协会" in member_text
    assert "18920157549" in member_text and "（已逾期）" in member_text
    assert "18920157549" not in viewer_text and "189****7549" in viewer_text
    assert "麦民函〔2021〕31号" in viewer_text and "韩娟" in viewer_text


# ------------------------------------------------------------------ forbidden calls


@pytest.mark.parametrize("who", ["viewer", "office_member", "institutions_member"])
def test_a_viewer_and_other_groups_members_may_not_write(db: Database, member: Actor, who: str,
                                                         request: pytest.FixtureRequest) -> None:
    actor: Actor = request.getfixturevalue(who)
    org = organisation(db, member, "麦积区书法家协会")
    notice = org_notice(db, member)
    sent = delivery(db, member, org, notice)
    with db.write() as s:
        draft = notices.create_draft(s, member, 5, "blank", today=date(2021, 10, 20))
        notices.update_draft(s, member, draft, 1, title="关于做好社会组织疫情防控工作的通知", body="正文。",
                             signatory="天水市麦积区民政局", printing_office="天水市麦积区民政局办公室")
        notices.issue(s, member, draft, "麦民发", date(2021, 10, 20))
    before = (table_count(db, SocialOrganisation), table_count(db, OrganisationNotice), table_count(db, NoticeDelivery))
    attempts = [
        lambda s: records.create(s, actor, F.ORGANISATIONS, {"name": "麦积区摄影家协会", "kind": F.ASSOCIATION,
                                                             "credit_code": code_of(),
                                                             "registration_authority": "天水市麦积区民政局"}),
        lambda s: records.update(s, actor, F.ORGANISATIONS, org.id, org.version, {"contact_person": "张三"}),
        lambda s: records.delete(s, actor, F.ORGANISATIONS, org.id),
        lambda s: records.create(s, actor, F.STATUS_PERIODS, {"organisation_id": org.id, "status": F.SUSPENDED,
                                                              "start_date": date(2021, 10, 20)}),
        lambda s: records.create(s, actor, F.MEASURE_REPORTS, {"organisation_id": org.id, "day": date(2021, 10, 21),
                                                               "measures": ["masks"]}),
        lambda s: service.send_notice(s, actor, notice.id, date(2021, 10, 20)),
        lambda s: service.acknowledge(s, actor, [(sent.id, sent.version)], date(2021, 10, 21)),
        lambda s: service.take_over_notice(s, actor, draft),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            with db.write() as s:
                attempt(s)
    after = (table_count(db, SocialOrganisation), table_count(db, OrganisationNotice), table_count(db, NoticeDelivery))
    assert after == before
    with db.read() as s:
        assert records.get(s, actor, F.DELIVERIES, sent.id).values["acknowledged_date"] is None
        assert records.get(s, actor, F.ORGANISATIONS, org.id).deleted_at is None
        # Reading is everyone's.
        assert len(service.not_acknowledged(s, actor, day=date(2021, 10, 22))) == 1


# ------------------------------------------------------------------ demo data and the statistics report


def test_the_demo_organisations_and_a_second_run(demo_db: Database) -> None:
    assert demo.fill(demo_db) == dict.fromkeys(("organisations", "status_periods", "measure_reports", "notices",
                                                "notices_sent", "acknowledged"), 0)
    with demo_db.read() as s:
        rows = records.fetch(s, COMMAND_LINE_ACTOR, F.ORGANISATIONS, records.ListQuery(), 0, 1000)
    kinds = {r.values["name"]: r.values["kind"] for r in rows}
    assert len(rows) == len(demo.ORGANISATIONS) >= 30
    assert set(kinds.values()) == {F.ASSOCIATION, F.PRIVATE_NON_ENTERPRISE, F.FOUNDATION}
    assert kinds["麦积区慈善协会"] == F.ASSOCIATION  # group 6's receiving organisation
    for r in rows:
        code = r.values["credit_code"]
        assert validate_credit_code(code) == code
        assert code.startswith("5" + F.KIND_DIGITS[r.values["kind"]])


def test_the_report_section_on_the_demo_data(demo_db: Database) -> None:
    suspended = [o for o in demo.ORGANISATIONS if o[4] == F.SUSPENDED]
    limited = [o for o in demo.ORGANISATIONS if o[4] == F.LIMITED]
    in_period = [n for n in demo.NOTICES if OUTBREAK.contains(n[2])]
    never = sum(len(n[6]) for n in in_period)
    with demo_db.read() as s:
        sent = s.scalar(select(func.count()).select_from(NoticeDelivery).join(
            OrganisationNotice, OrganisationNotice.id == NoticeDelivery.org_notice_id).where(
            OrganisationNotice.notice_date >= OUTBREAK.start)) or 0
        whole = figures.report_section(s, COMMAND_LINE_ACTOR, OUTBREAK)
        early = figures.report_section(s, COMMAND_LINE_ACTOR, BEFORE)
    value = lambda section, key: section.figure(key).value  # noqa: E731
    assert value(whole, "organisations") == len(demo.ORGANISATIONS)
    assert value(whole, "organisations_foundation") == sum(1 for o in demo.ORGANISATIONS if o[1] == F.FOUNDATION)
    assert value(whole, "activities_suspended") == len(suspended)
    assert value(whole, "limited") == len(limited)
    assert value(whole, "resumed_on_last_day") == len(demo.RESUMED_FOR_HARVEST)
    assert value(whole, "suspended_on_last_day") == len(suspended) - len(demo.RESUMED_FOR_HARVEST)
    assert value(whole, "notices") == len(in_period)
    assert value(whole, "notices_sent") == sent
    assert value(whole, "notices_not_acknowledged") == never
    assert value(whole, "notices_acknowledged") == sent - never
    assert whole.figure("notices_not_acknowledged").alert
    assert value(whole, "organisations_reporting") == len(demo.ORGANISATIONS) - len(demo.NEVER_REPORTED)
    assert any("麦积区钓鱼协会" in note for note in whole.notes)
    # Before the outbreak: nothing suspended, no notice sent, only the reports after National Day.
    assert value(early, "activities_suspended") == 0
    assert value(early, "notices_sent") == 0
    assert value(early, "measure_reports") == len(demo.REPORTED_AFTER_HOLIDAY) < value(whole, "measure_reports")
    assert not early.figure("notices_not_acknowledged").alert
    # The statistics report finds the section by itself, under the group's name.
    assert ("civaffairs.groups.social_organisations.figures", group(5).label) in statistics.contributors()
    assert whole.key == "group-5" and whole.title == "社会组织疫情防控组"


def test_the_groups_modules_below_the_gui_do_not_load_qt() -> None:
    modules = [f"civaffairs.groups.social_organisations.{m}" for m in
               ("models", "fields", "figures", "service", "demo", "reports")]
    code = textwrap.dedent(f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')
                        or m.startswith('civaffairs.gui'))
        print(loaded)
        sys.exit(1 if loaded else 0)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_supervision_teams_inspect_social_organisations_against_the_groups_checklist() -> None:
    from civaffairs.supervision.models import InspectionVisit
    from civaffairs.supervision.targets import kind_of_field, target_kind

    kind = target_kind("social_organisation")
    assert kind is F.SUPERVISION_TARGET and kind_of_field("organisation_id") is kind
    assert kind.register_key == F.ORGANISATIONS.key and kind.checklist == F.SUPERVISION_CHECKLIST
    assert hasattr(InspectionVisit, kind.field)  # the visit's column that names the organisation
    codes = [item.code for item in F.SUPERVISION_CHECKLIST]
    assert len(codes) == len(set(codes)) >= 6 and all(c.startswith("social_org.") for c in codes)
