"""Group 2 (service institutions): rules, computed figures, permissions, the report section and
the demo's figures, through the services."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import HasChildren, PermissionDenied, ValidationError
from civaffairs.db.database import Database
from civaffairs.groups.service_institutions import demo, figures as G, service
from civaffairs.groups.service_institutions import fields as F
from civaffairs.notices import service as notices
from civaffairs.places import demo as places_demo
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel
from civaffairs.reports.figures import Period
from tests.helpers import fresh_id, fresh_mobile

DAY = date(2021, 10, 22)
OUTBREAK = Period(date(2021, 10, 1), date(2021, 11, 5))
BEFORE = Period(date(2021, 1, 1), date(2021, 1, 31))


def create(db: Database, actor: Actor, spec, values: dict[str, Any]) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values)


def institution(db: Database, actor: Actor, name: str = "马跑泉镇敬老院", kind: str = "elderly_care") -> uuid.UUID:
    return create(db, actor, F.INSTITUTIONS, {"name": name, "kind": kind, "address": "麦积区马跑泉镇",
                                              "person_in_charge": "李国庆", "phone": "0938-2791335",
                                              "capacity": 60}).id


def resident(db: Database, actor: Actor, institution_id: uuid.UUID, name: str = "王秀英", *,
             admitted: date = date(2019, 5, 1), discharged: date | None = None, number: str | None = None,
             central_care: bool = True) -> uuid.UUID:
    return create(db, actor, F.RESIDENTS, {
        "institution_id": institution_id, "name": name, "id_number": number or fresh_id(date(1941, 3, 8)),
        "care_level": "self_care", "central_care": central_care, "admission_date": admitted,
        "discharge_date": discharged}).id


def nat_round(db: Database, actor: Actor, institution_id: uuid.UUID, day: date = DAY) -> uuid.UUID:
    return create(db, actor, F.NAT_ROUNDS, {"institution_id": institution_id, "day": day,
                                            "organised_by": "区疾控中心"}).id


def result(db: Database, actor: Actor, round_id: uuid.UUID, resident_id: uuid.UUID, value: str = F.NEGATIVE,
           **extra: Any) -> records.Row:
    return create(db, actor, F.NAT_RESULTS, {"round_id": round_id, "resident_id": resident_id, "result": value,
                                             **extra})


def status(db: Database, actor: Actor, institution_id: uuid.UUID, value: str, start: date,
           end: date | None = None) -> records.Row:
    return create(db, actor, F.STATUS_PERIODS, {"institution_id": institution_id, "status": value,
                                                "start_date": start, "end_date": end})


# ------------------------------------------------------------------ status over time


def test_status_on_a_date_follows_the_periods(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    status(db, institutions_member, home, F.CLOSED, date(2021, 10, 20), date(2021, 11, 30))
    with db.read() as s:
        assert G.status_on(s, [home], date(2021, 10, 19)) == {home: F.NORMAL}
        assert G.status_on(s, [home], date(2021, 10, 20)) == {home: F.CLOSED}
        assert G.status_on(s, [home], date(2021, 12, 1)) == {home: F.NORMAL}
        assert [(l.name, l.status) for l in G.statuses_on(s, date(2021, 11, 1))] == [("马跑泉镇敬老院", F.CLOSED)]
        row = records.get(s, institutions_member, F.INSTITUTIONS, home)
    assert row.values["status_today"] == F.NORMAL  # the period ended in 2021


def test_an_overlapping_status_period_is_refused_naming_the_other(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    status(db, institutions_member, home, F.CLOSED, date(2021, 10, 20))
    with pytest.raises(ValidationError) as e:
        status(db, institutions_member, home, F.GATHERINGS_SUSPENDED, date(2021, 11, 1), date(2021, 11, 10))
    assert "封闭管理" in e.value.field_errors["start_date"]
    assert "2021年10月20日" in e.value.field_errors["start_date"]
    # Another institution's period does not collide.
    other = institution(db, institutions_member, "社棠镇敬老院")
    status(db, institutions_member, other, F.CLOSED, date(2021, 10, 20))


def test_only_a_marriage_registry_suspends_registration(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    with pytest.raises(ValidationError) as e:
        status(db, institutions_member, home, F.REGISTRATION_SUSPENDED, date(2021, 10, 21))
    assert "status" in e.value.field_errors
    registry = institution(db, institutions_member, "麦积区婚姻登记处", "marriage_registry")
    status(db, institutions_member, registry, F.REGISTRATION_SUSPENDED, date(2021, 10, 21))


# ------------------------------------------------------------------ residents


def test_one_live_admission_per_id_number(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    other = institution(db, institutions_member, "社棠镇敬老院")
    number = fresh_id(date(1940, 2, 2))
    resident(db, institutions_member, home, "张桂英", number=number, admitted=date(2018, 1, 1),
             discharged=date(2020, 6, 30))
    # Admitted elsewhere after the discharge: fine.
    resident(db, institutions_member, other, "张桂英", number=number, admitted=date(2020, 7, 1))
    with pytest.raises(ValidationError) as e:
        resident(db, institutions_member, home, "张桂英", number=number, admitted=date(2021, 3, 1))
    assert "社棠镇敬老院" in e.value.field_errors["id_number"]
    with pytest.raises(ValidationError) as e:
        resident(db, institutions_member, home, "李娜", admitted=date(2021, 3, 1), discharged=date(2021, 2, 1))
    assert "discharge_date" in e.value.field_errors


def test_sex_and_age_come_from_the_id_number_and_the_id_is_masked_for_a_viewer(
        db: Database, institutions_member: Actor, viewer: Actor) -> None:
    home = institution(db, institutions_member)
    number = fresh_id(date(1941, 3, 8), male=False)
    rid = resident(db, institutions_member, home, number=number)
    with db.read() as s:
        row = records.get(s, institutions_member, F.RESIDENTS, rid)
        masked = records.get(s, viewer, F.RESIDENTS, rid)
        particulars = G.resident_particulars(s, [rid], date(2021, 10, 22))[rid]
    assert row.values["sex"] == "female"
    assert particulars.birth_date == date(1941, 3, 8) and particulars.age == 80
    assert isinstance(row.values["age"], int)
    assert masked.values["id_number"] != number and "id_number" in masked.masked


def test_residents_present_on_a_day(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    resident(db, institutions_member, home, "甲", admitted=date(2021, 10, 22))  # admitted that day: present
    resident(db, institutions_member, home, "乙", admitted=date(2021, 10, 23))  # not yet
    resident(db, institutions_member, home, "丙", admitted=date(2020, 1, 1), discharged=date(2021, 10, 22))  # present
    resident(db, institutions_member, home, "丁", admitted=date(2020, 1, 1), discharged=date(2021, 10, 21))  # gone
    with db.read() as s:
        assert G.residents_present(s, [home], DAY) == {home: 2}
        assert G.residents_present(s, [home], date(2021, 10, 23)) == {home: 2}


# ------------------------------------------------------------------ NAT rounds


def test_round_completion_and_all_negative(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    people = [resident(db, institutions_member, home, f"老人{i}") for i in range(3)]
    rid = nat_round(db, institutions_member, home)
    result(db, institutions_member, rid, people[0])
    result(db, institutions_member, rid, people[1], F.PENDING)
    with db.read() as s:
        done = G.round_completion(s, [rid])[rid]
        row = records.get(s, institutions_member, F.NAT_ROUNDS, rid)
        assert G.all_negative(s, OUTBREAK) is False
    assert (done.present, done.tested, done.missing, done.text) == (3, 2, 1, "2 / 3")
    assert row.values["completion"] == "2 / 3" and row.values["outcome"] == F.INCOMPLETE
    assert F.NAT_ROUNDS.row_level(row.values) is RowLevel.WARNING

    with db.write() as s:
        pending = records.fetch(s, institutions_member, F.NAT_RESULTS,
                                records.ListQuery(equals=(("result", F.PENDING),)))[0]
        records.update(s, institutions_member, F.NAT_RESULTS, pending.id, pending.version, {"result": F.NEGATIVE})
    result(db, institutions_member, rid, people[2])
    with db.read() as s:
        row = records.get(s, institutions_member, F.NAT_ROUNDS, rid)
        assert G.all_negative(s, OUTBREAK) is True
        assert G.all_negative(s, OUTBREAK, home) is True
        assert G.all_negative(s, BEFORE) is None
    assert row.values["outcome"] == F.ALL_NEGATIVE and F.NAT_ROUNDS.row_level(row.values) is None


def test_a_positive_result_is_an_alert_everywhere(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    people = [resident(db, institutions_member, home, f"老人{i}") for i in range(2)]
    rid = nat_round(db, institutions_member, home)
    result(db, institutions_member, rid, people[0])
    positive = result(db, institutions_member, rid, people[1], F.POSITIVE)
    assert F.NAT_RESULTS.row_level(positive.values) is RowLevel.ALERT
    assert F.NAT_RESULTS.field("result").choices[1].colour == "#c0392b"
    with db.read() as s:
        row = records.get(s, institutions_member, F.NAT_ROUNDS, rid)
        section = G.report_section(s, institutions_member, OUTBREAK)
        lines = G.positives(s, OUTBREAK)
    assert row.values["outcome"] == F.HAS_POSITIVE and F.NAT_ROUNDS.row_level(row.values) is RowLevel.ALERT
    assert [(p.institution, p.day, p.count) for p in lines] == [("马跑泉镇敬老院", DAY, 1)]
    assert section.figure("nat_positive").value == 1 and section.figure("nat_positive").alert
    assert section.figure("nat_all_negative").alert and "1" in str(section.figure("nat_all_negative").value)
    assert section.tables[1].alert_rows == frozenset({0})


def test_result_rules(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    other = institution(db, institutions_member, "社棠镇敬老院")
    here = resident(db, institutions_member, home, "王秀英")
    elsewhere = resident(db, institutions_member, other, "李玉兰")
    late = resident(db, institutions_member, home, "赵建国", admitted=DAY + timedelta(days=1))
    rid = nat_round(db, institutions_member, home)
    with pytest.raises(ValidationError) as e:
        result(db, institutions_member, rid, elsewhere)
    assert "社棠镇敬老院" in e.value.field_errors["resident_id"]
    with pytest.raises(ValidationError) as e:
        result(db, institutions_member, rid, late)
    assert "2021年10月22日" in e.value.field_errors["resident_id"]
    with pytest.raises(ValidationError) as e:
        result(db, institutions_member, rid, here, F.NOT_TESTED)
    assert "reason" in e.value.field_errors
    result(db, institutions_member, rid, here, F.NOT_TESTED, reason="住院治疗")
    with pytest.raises(ValidationError) as e:
        result(db, institutions_member, rid, here)
    assert "resident_id" in e.value.field_errors
    with db.read() as s:
        done = G.round_completion(s, [rid])[rid]
    assert (done.present, done.tested, done.not_tested, done.missing) == (1, 0, 1, 0)


# ------------------------------------------------------------------ daily checks


def check(db: Database, actor: Actor, institution_id: uuid.UUID, day: date, **over: Any) -> records.Row:
    values = {"institution_id": institution_id, "day": day, "people_checked": 20, "reported_by": "李国庆",
              **{name: True for name, _label in F.MEASURES}, **over}
    return create(db, actor, F.DAILY_CHECKS, values)


def test_not_reported_lists_institutions_under_measures_without_a_check(db: Database, institutions_member: Actor) -> None:
    a = institution(db, institutions_member, "马跑泉镇敬老院")
    b = institution(db, institutions_member, "社棠镇敬老院")
    institution(db, institutions_member, "麦积区殡仪服务中心", "funeral")  # normal operation: nothing due
    for home in (a, b):
        status(db, institutions_member, home, F.CLOSED, date(2021, 10, 20))
    check(db, institutions_member, a, DAY)
    with db.read() as s:
        assert [l.name for l in G.not_reported(s, DAY)] == ["社棠镇敬老院"]
        assert G.not_reported(s, date(2021, 10, 19)) == []  # before the measures
        rate = G.reporting_rate(s, Period(date(2021, 10, 20), DAY))
    assert (rate.expected, rate.reported, rate.rate) == (6, 1, Decimal("0.1667"))
    with pytest.raises(ValidationError) as e:
        check(db, institutions_member, a, DAY)
    assert "马跑泉镇敬老院" in e.value.field_errors["day"]
    partial = check(db, institutions_member, b, DAY, ventilation=False)
    assert F.DAILY_CHECKS.row_level(partial.values) is RowLevel.WARNING


# ------------------------------------------------------------------ reserves


def test_days_of_cover_from_the_residents_present(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    for i in range(4):
        resident(db, institutions_member, home, f"老人{i}")
    resident(db, institutions_member, home, "已出院", discharged=date(2021, 10, 1))
    rice = create(db, institutions_member, F.RESERVES, {"institution_id": home, "item": "rice", "quantity": 50,
                                                         "unit": "千克", "daily_use": "0.4", "as_of": DAY})
    veg = create(db, institutions_member, F.RESERVES, {"institution_id": home, "item": "vegetables", "quantity": 60,
                                                        "unit": "千克", "daily_use": "0.8", "as_of": DAY})
    assert rice.values["days_of_cover"] == 31  # 50 / (0.4 × 4) = 31.25
    assert veg.values["days_of_cover"] == 18  # 60 / (0.8 × 4) = 18.75
    assert F.RESERVES.row_level(rice.values) is None
    assert F.RESERVES.row_level(veg.values) is RowLevel.WARNING
    with db.read() as s:
        below = G.reserves_below_target(s, DAY)
        assert G.current_reserves(s, DAY - timedelta(days=1)) == []
    assert [(r.item, r.days, r.residents) for r in below] == [("蔬菜", 18, 4)]
    with pytest.raises(ValidationError) as e:
        create(db, institutions_member, F.RESERVES, {"institution_id": home, "item": "other", "quantity": 5,
                                                     "unit": "箱", "daily_use": "0", "as_of": DAY})
    assert set(e.value.field_errors) == {"other_item", "daily_use"}


# ------------------------------------------------------------------ postponed marriage registrations


def test_postponed_registrations_not_yet_told(db: Database, institutions_member: Actor) -> None:
    registry = institution(db, institutions_member, "麦积区婚姻登记处", "marriage_registry")
    home = institution(db, institutions_member)
    values = {"institution_id": registry, "name_1": "王强", "phone_1": fresh_mobile(), "name_2": "李娟",
              "phone_2": fresh_mobile(), "original_date": date(2021, 10, 25)}
    create(db, institutions_member, F.POSTPONED_MARRIAGES, {**values, "new_date": date(2021, 11, 22), "told": True})
    waiting = create(db, institutions_member, F.POSTPONED_MARRIAGES, {**values, "name_1": "周杰", "told": False})
    assert F.POSTPONED_MARRIAGES.row_level(waiting.values) is RowLevel.WARNING
    with pytest.raises(ValidationError) as e:
        create(db, institutions_member, F.POSTPONED_MARRIAGES, {**values, "institution_id": home, "told": True})
    assert set(e.value.field_errors) == {"institution_id", "new_date"}
    with db.read() as s:
        assert [p.couple for p in G.postponed_not_told(s)] == ["周杰、李娟"]
        assert G.postponed_counts(s, OUTBREAK) == (2, 1)


# ------------------------------------------------------------------ deleting and permissions


def test_an_institution_with_residents_is_not_deleted(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member)
    resident(db, institutions_member, home)
    nat_round(db, institutions_member, home)
    with db.write() as s, pytest.raises(HasChildren) as e:
        records.delete(s, institutions_member, F.INSTITUTIONS, home)
    assert "入住人员" in e.value.message and "核酸检测轮次" in e.value.message


@pytest.mark.parametrize("who", ["viewer", "office_member"])
def test_a_viewer_and_another_group_may_not_write(db: Database, institutions_member: Actor, who: str,
                                                   request: pytest.FixtureRequest) -> None:
    actor: Actor = request.getfixturevalue(who)
    home = institution(db, institutions_member)
    for spec, values in ((F.INSTITUTIONS, {"name": "新机构", "kind": "day_care"}),
                         (F.RESIDENTS, {"institution_id": home, "name": "王秀英", "id_number": fresh_id(),
                                        "care_level": "full", "admission_date": DAY}),
                         (F.STATUS_PERIODS, {"institution_id": home, "status": F.CLOSED, "start_date": DAY})):
        with pytest.raises(PermissionDenied):
            create(db, actor, spec, values)
    with db.write() as s, pytest.raises(PermissionDenied):
        service.closed_management_notice(s, actor, home)


def test_the_closed_management_notice_names_the_institution(db: Database, institutions_member: Actor) -> None:
    home = institution(db, institutions_member, "甘泉镇中心敬老院")
    with db.write() as s:
        notice_id = service.closed_management_notice(s, institutions_member, home, today=date(2021, 10, 20))
        notice = notices.get(s, institutions_member, notice_id)
    assert notice.group == F.GROUP and notice.template_key == "closed_management"
    assert notice.title == "关于对甘泉镇中心敬老院实行封闭管理的通知"
    assert notice.addressee == "甘泉镇中心敬老院："
    assert "决定自即日起对甘泉镇中心敬老院实行封闭管理" in notice.body


# ------------------------------------------------------------------ the report and the demo


@pytest.fixture
def demo_db(sqlite_db: Database) -> Database:
    places_demo.fill(sqlite_db)
    demo.fill(sqlite_db)
    return sqlite_db


def test_the_demo_states_the_briefs_figures(demo_db: Database, leader: Actor) -> None:
    with demo_db.read() as s:
        section = G.report_section(s, leader, OUTBREAK)
        last = G.not_reported(s, demo.LAST_DAY)
        below = G.reserves_below_target(s, demo.LAST_DAY)
        reserves = G.current_reserves(s, demo.LAST_DAY)
    value = lambda key: section.figure(key).value  # noqa: E731
    assert value("elderly_care_closed") == 4
    assert value("gatherings_suspended") == 4  # 3 urban centres and the 道北 day care centre
    assert value("registration_suspended") == 1
    assert value("nat_rounds") == 3
    assert value("nat_all_negative") == "全部阴性" and not section.figure("nat_all_negative").alert
    assert value("nat_positive") == 0
    assert value("central_care_residents") > 0
    assert [l.name for l in last] == [demo.NOT_REPORTING]
    assert [(r.institution, r.item) for r in below] == [("甘泉镇中心敬老院", "蔬菜")]
    # Everything else covers at least the month the brief asks for.
    assert reserves and all(r.days >= F.COVER_TARGET_DAYS for r in reserves if not r.below_target)
    told = value("postponed_told")
    assert 0 < told < value("postponed_marriages")
    assert section.figure("reserves_below_target").alert


def test_a_period_before_the_outbreak_states_other_figures(demo_db: Database, leader: Actor) -> None:
    with demo_db.read() as s:
        section = G.report_section(s, leader, BEFORE)
    assert section.figure("elderly_care_closed").value == 0
    assert section.figure("gatherings_suspended").value == 0
    assert section.figure("nat_rounds").value == 0
    assert section.figure("nat_all_negative").value == "本期无检测轮次"
    assert section.figure("daily_check_rate").value == "无需报告"
    assert section.figure("postponed_marriages").value == 0
    assert section.tables[1].rows == () and section.tables[2].rows == ()


def test_the_demo_runs_twice_without_doubling(demo_db: Database) -> None:
    assert sum(demo.fill(demo_db).values()) == 0
