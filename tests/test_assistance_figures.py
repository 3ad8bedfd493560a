"""Group 4's figures (assistance/figures.py): each figure from small records built directly, a
shorter period giving other figures, and the demo data stating the brief's figures."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.assistance import demo, grant_service, household_service, search
from civaffairs.groups.assistance import figures as A
from civaffairs.groups.assistance.models import (
    Contact, Household, Inclusion, ReserveFundAllocation, Rescue, TemporaryAssistanceGrant,
)
from civaffairs.places import demo as places_demo
from civaffairs.places.models import Town
from civaffairs.reports import statistics
from civaffairs.reports.figures import Period
from tests.helpers import fresh_id

OUTBREAK = Period(date(2021, 10, 1), date(2021, 11, 5))
SHORT = Period(date(2021, 10, 1), date(2021, 10, 15))
BEFORE = Period(date(2021, 1, 1), date(2021, 1, 31))
NOW = datetime(2021, 11, 5, 2, 0, tzinfo=timezone.utc)


def _stamp() -> dict[str, Any]:
    return dict(version=1, created_at=NOW, created_by="test", updated_at=NOW, updated_by="test")


def add(s: Session, model: type, **values: Any) -> uuid.UUID:
    obj = model(**_stamp(), **values)
    s.add(obj)
    s.flush()
    return obj.id


def town(s: Session, name: str) -> uuid.UUID:
    return add(s, Town, name=name, kind="town" if name.endswith("镇") else "subdistrict", notes="")


def household(s: Session, town_id: uuid.UUID, name: str = "王建华", registered: date | None = date(2021, 9, 1)
              ) -> uuid.UUID:
    return add(s, Household, head_name=name, head_id_number=fresh_id(), town_id=town_id, address="麦积区道北街道",
               phone="13800000000", registered_on=registered, notes="")


def inclusion(s: Session, household_id: uuid.UUID, effective: date | None, persons: int, decision: str = "approved",
              programme: str = "urban_dibao") -> uuid.UUID:
    return add(s, Inclusion, household_id=household_id, programme=programme, applied_on=date(2021, 9, 20),
               persons=persons, decision=decision, decided_on=effective, effective_from=effective, notes="")


def grant(s: Session, household_id: uuid.UUID, town_id: uuid.UUID, paid: date | None, amount: int, persons: int,
          **extra: Any) -> uuid.UUID:
    values: dict[str, Any] = dict(number="", household_id=household_id, town_id=town_id,
                                  state="paid" if paid else "applied", applied_on=date(2021, 10, 1),
                                  hardship="outbreak", persons=persons, proposed_amount=amount, paid_on=paid,
                                  paid_amount=amount if paid else None, payment_method="bank" if paid else None)
    values.update(extra)
    return add(s, TemporaryAssistanceGrant, **values)


def allocation(s: Session, town_id: uuid.UUID, day: date, amount: int) -> uuid.UUID:
    return add(s, ReserveFundAllocation, town_id=town_id, allocated_on=day, amount=amount, document="麦民发〔2021〕30号",
               notes="")


def rescue(s: Session, kind: str, day: date) -> uuid.UUID:
    return add(s, Rescue, kind=kind, found_on=day, place_found="麦积区火车站广场", outcome="sent_home", notes="")


def contact(s: Session, household_id: uuid.UUID, day: date, channel: str) -> uuid.UUID:
    return add(s, Contact, household_id=household_id, contacted_on=day, channel=channel, contacted_by="李娜",
               findings=["none"])


# ------------------------------------------------------------------ each figure


def test_newly_included_counts_approved_decisions_taking_effect_in_the_period(db: Database) -> None:
    with db.write() as s:
        t = town(s, "道北街道")
        a, b, c, d = (household(s, t) for _ in range(4))
        inclusion(s, a, date(2021, 10, 8), 3)
        # Taken into two programmes in the period: counted once, with its larger decision.
        inclusion(s, b, date(2021, 10, 20), 2)
        inclusion(s, b, date(2021, 10, 25), 1, programme="extreme_poverty")
        inclusion(s, c, date(2021, 10, 10), 4, decision="refused")  # refused: not included
        inclusion(s, d, None, 2, decision="pending")  # not decided yet
        inclusion(s, d, date(2021, 9, 30), 5)  # before the period
        deleted = inclusion(s, d, date(2021, 10, 9), 6)
        s.get(Inclusion, deleted).deleted_at = NOW
    with db.read() as s:
        assert A.newly_included(s, OUTBREAK) == A.HouseholdsPersons(2, 5)
        assert A.newly_included(s, SHORT) == A.HouseholdsPersons(1, 3)
        assert A.newly_included(s, BEFORE) == A.HouseholdsPersons(0, 0)


def test_grant_figures_count_households_once_and_sum_the_money(db: Database) -> None:
    with db.write() as s:
        t = town(s, "马跑泉镇")
        a, b, c = (household(s, t) for _ in range(3))
        grant(s, a, t, date(2021, 10, 10), 150000, 3)
        grant(s, a, t, date(2021, 10, 28), 50000, 3)  # the same household again: its persons once
        # Assist first: paid, paperwork owed; one overdue on 5 November, one not yet due, one done.
        grant(s, b, t, date(2021, 10, 20), 200000, 4, assist_first=True, documents_owed=["application"],
              paperwork_deadline=date(2021, 11, 3))
        grant(s, c, t, date(2021, 11, 1), 80000, 2, assist_first=True, documents_owed=["application"],
              paperwork_deadline=date(2021, 11, 15))
        grant(s, c, t, date(2021, 10, 12), 30000, 2, assist_first=True, documents_owed=[],
              paperwork_deadline=date(2021, 10, 20), paperwork_completed_on=date(2021, 10, 18))
        grant(s, c, t, None, 99900, 2)  # applied, not paid: not counted
        grant(s, b, t, date(2021, 9, 30), 77700, 4)  # paid before the period
    with db.read() as s:
        g = A.grant_figures(s, OUTBREAK)
        short = A.grant_figures(s, SHORT)
    assert (g.households, g.persons, g.amount, g.grants) == (3, 9, 510000, 5)
    assert (g.assist_first, g.paperwork_owed, g.paperwork_overdue) == (3, 2, 1)
    assert (short.households, short.persons, short.amount, short.grants) == (2, 5, 180000, 2)
    # On 15 October the completed grant's paperwork (done on the 18th) was still owed, not yet overdue.
    assert (short.assist_first, short.paperwork_owed, short.paperwork_overdue) == (1, 1, 0)
    assert A.is_paperwork_overdue(date(2021, 11, 3), None, date(2021, 11, 5))
    assert not A.is_paperwork_overdue(date(2021, 11, 3), date(2021, 11, 2), date(2021, 11, 5))
    assert not A.is_paperwork_overdue(date(2021, 11, 15), None, date(2021, 11, 5))


def test_reserve_funds_allocated_used_and_left_per_town(db: Database) -> None:
    with db.write() as s:
        gq, ms = town(s, "甘泉镇"), town(s, "社棠镇")
        town(s, "花牛镇")  # never had a reserve fund: not in the table
        h = household(s, gq)
        allocation(s, gq, date(2021, 9, 1), 1000000)  # before the period: counts towards what is left
        allocation(s, gq, date(2021, 10, 9), 2000000)
        allocation(s, ms, date(2021, 10, 20), 1500000)
        grant(s, h, gq, date(2021, 9, 20), 300000, 2, from_reserve_fund=True)
        grant(s, h, gq, date(2021, 10, 12), 400000, 2, from_reserve_fund=True)
        grant(s, h, gq, date(2021, 10, 30), 100000, 2, from_reserve_fund=True)
        grant(s, h, gq, date(2021, 10, 30), 900000, 2, from_reserve_fund=False)  # paid by the district
        grant(s, h, ms, date(2021, 11, 2), 250000, 2, from_reserve_fund=True)
    with db.read() as s:
        lines = {line.town: (line.allocated, line.used, line.left) for line in A.reserve_by_town(s, OUTBREAK)}
        short = {line.town: (line.allocated, line.used, line.left) for line in A.reserve_by_town(s, SHORT)}
        left = A.reserve_left(s, [gq, ms], date(2021, 10, 31))
    assert lines == {"甘泉镇": (2000000, 500000, 2200000), "社棠镇": (1500000, 250000, 1250000)}
    assert short == {"甘泉镇": (2000000, 400000, 2300000)}
    assert left == {gq: 2200000, ms: 1500000}


def test_rescues_and_contacts(db: Database) -> None:
    with db.write() as s:
        t, u = town(s, "桥南街道"), town(s, "花牛镇")
        for day in (date(2021, 10, 3), date(2021, 10, 21), date(2021, 10, 30)):
            rescue(s, "vagrant", day)
        rescue(s, "stranded", date(2021, 10, 12))
        rescue(s, "stranded", date(2021, 12, 1))  # after the period
        reached, late = household(s, t), household(s, t)
        household(s, u)  # never contacted
        new = household(s, u)
        s.get(Household, new).registered_on = date(2021, 11, 20)  # not on the books yet on 5 November
        contact(s, reached, date(2021, 10, 2), "phone")
        contact(s, reached, date(2021, 11, 1), "home_visit")
        contact(s, late, date(2021, 10, 10), "wechat")  # last contact more than two weeks before 5 Nov
        contact(s, late, date(2021, 10, 11), "phone")
    with db.read() as s:
        assert A.rescues(s, OUTBREAK) == {"vagrant": 3, "stranded": 1}
        assert A.rescues(s, SHORT) == {"vagrant": 1, "stranded": 1}
        assert A.contacts_by_channel(s, OUTBREAK) == {"phone": 2, "wechat": 1, "home_visit": 1}
        assert A.contacts_by_channel(s, SHORT) == {"phone": 2, "wechat": 1, "home_visit": 0}
        lines = {line.town: (line.households, line.contacted, line.not_contacted) for line in A.contacts_by_town(s, OUTBREAK)}
        short = {line.town: (line.households, line.contacted, line.not_contacted) for line in A.contacts_by_town(s, SHORT)}
        assert lines == {"桥南街道": (2, 2, 1), "花牛镇": (1, 0, 1)}
        assert short == {"桥南街道": (2, 2, 0), "花牛镇": (1, 0, 1)}
        assert A.not_contacted_count(s, date(2021, 11, 5)) == 2
        assert A.not_contacted_count(s, date(2021, 10, 15)) == 1


def test_the_report_section_states_each_figure_and_a_shorter_period_differs(db: Database, viewer: Actor) -> None:
    with db.write() as s:
        t = town(s, "道北街道")
        a, b = household(s, t), household(s, t)
        inclusion(s, a, date(2021, 10, 8), 3)
        inclusion(s, b, date(2021, 10, 28), 2)
        allocation(s, t, date(2021, 10, 2), 500000)
        grant(s, a, t, date(2021, 10, 9), 120000, 3, from_reserve_fund=True)
        grant(s, b, t, date(2021, 10, 29), 250050, 2, assist_first=True, documents_owed=["application"],
              paperwork_deadline=date(2021, 11, 1))
        rescue(s, "vagrant", date(2021, 10, 20))
        rescue(s, "stranded", date(2021, 10, 5))
        contact(s, a, date(2021, 11, 2), "wechat")
    with db.read() as s:
        section = A.report_section(s, viewer, OUTBREAK)
        short = A.report_section(s, viewer, SHORT)
        report = statistics.build(s, viewer, OUTBREAK, office_name="天水市麦积区民政局")
    value = lambda key, sec=section: sec.figure(key).value  # noqa: E731
    assert section.key == "group-4" and section.title == "困难群众救助组"
    assert report.section("group-4").figure("grant_amount").value == Decimal("3700.50")
    assert (value("included_households"), value("included_persons")) == (2, 5)
    assert (value("grant_households"), value("grant_persons"), value("grant_amount")) == (2, 5, Decimal("3700.50"))
    assert (value("assist_first"), value("paperwork_owed"), value("paperwork_overdue")) == (1, 1, 1)
    assert section.figure("paperwork_overdue").alert and section.figure("not_contacted").alert
    assert (value("reserve_allocated"), value("reserve_used"), value("reserve_left")) == (
        Decimal("5000.00"), Decimal("1200.00"), Decimal("3800.00"))
    assert (value("rescued_vagrants"), value("rescued_stranded")) == (1, 1)
    assert (value("contacts_phone"), value("contacts_wechat"), value("contacts_home_visit")) == (0, 1, 0)
    assert (value("households_contacted"), value("not_contacted")) == (1, 1)
    assert section.tables[0].rows == (("道北街道", Decimal("5000.00"), Decimal("1200.00"), Decimal("3800.00")),)
    assert section.tables[1].rows == (("道北街道", 2, 1, 1),)
    assert section.figure("grant_amount").text == "3,700.50 元"
    assert {f.key for f in section.figures if f.summary} >= {
        "included_households", "included_persons", "grant_households", "grant_persons", "grant_amount",
        "reserve_allocated", "rescued_vagrants", "rescued_stranded"}

    shorter = lambda key: short.figure(key).value  # noqa: E731
    assert (shorter("included_households"), shorter("included_persons")) == (1, 3)
    assert (shorter("grant_households"), shorter("grant_amount")) == (1, Decimal("1200.00"))
    assert (shorter("assist_first"), shorter("paperwork_overdue")) == (0, 0)
    assert not short.figure("paperwork_overdue").alert
    assert (shorter("rescued_vagrants"), shorter("rescued_stranded")) == (0, 1)
    assert shorter("contacts_wechat") == 0 and shorter("not_contacted") == 2


# ------------------------------------------------------------------ the demo data


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One demo database for the module: group 4's demo takes a while (thousands of records, each
    through the services)."""
    db = open_database(tmp_path_factory.mktemp("assistance-demo") / "data")
    places_demo.fill(db)
    demo.fill(db)
    yield db
    db.dispose()


def test_the_demo_states_the_briefs_figures(demo_db: Database, leader: Actor) -> None:
    with demo_db.read() as s:
        report = statistics.build(s, leader, OUTBREAK, office_name="天水市麦积区民政局")
    section = report.section("group-4")
    value = lambda key: section.figure(key).value  # noqa: E731
    assert (value("included_households"), value("included_persons")) == (97, 218)
    assert (value("grant_households"), value("grant_persons")) == (838, 2798)
    assert value("grant_amount") == Decimal("4560900.00")
    assert section.figure("grant_amount").text == "4,560,900.00 元"
    assert value("reserve_allocated") == Decimal("215000.00")
    assert (value("rescued_vagrants"), value("rescued_stranded")) == (6, 3)
    # Some paid under "assist first", some of those with the paperwork still owed, some overdue.
    assert 0 < value("paperwork_overdue") < value("paperwork_owed") < value("assist_first") < 838
    assert section.figure("paperwork_overdue").alert
    # Reserve funds: every town had its allocation, some grants were paid from it, none is short.
    reserves = section.tables[0]
    assert len(reserves.rows) == 7 and not reserves.alert_rows
    assert all(left >= 0 and used > 0 for _town, _allocated, used, left in reserves.rows)
    assert 0 < value("reserve_used") < value("reserve_allocated")
    # Contacts by all three channels, and some households not contacted for two weeks.
    assert min(value("contacts_phone"), value("contacts_wechat"), value("contacts_home_visit")) > 0
    assert 0 < value("not_contacted") < value("households_contacted")
    assert section.figure("not_contacted").alert
    summary = {f.key for s, f in report.summary() if s.key == "group-4"}
    assert {"included_households", "grant_households", "grant_amount", "reserve_allocated",
            "rescued_vagrants", "rescued_stranded"} <= summary


def test_the_demos_figures_agree_with_the_lists_of_the_group(demo_db: Database, leader: Actor) -> None:
    """The report's counts are those of the overdue-paperwork list, the "not contacted" list and
    the reserve balances that the clerks work from."""
    with demo_db.read() as s:
        section = A.report_section(s, leader, OUTBREAK)
        overdue = grant_service.overdue_paperwork(s, leader, demo.LAST_DAY)
        owed = grant_service.paperwork_owed(s, leader, demo.LAST_DAY)
        silent = household_service.not_contacted_since(s, leader, household_service.two_weeks_ago(demo.LAST_DAY))
        balances = {b.town: b.balance for b in grant_service.reserve_balances(s, leader, demo.LAST_DAY)}
    assert len(overdue) == section.figure("paperwork_overdue").value
    assert len(owed) == section.figure("paperwork_owed").value
    assert len(silent) == section.figure("not_contacted").value
    assert {town: left for town, _a, _u, left in section.tables[0].rows} == {
        town: A.yuan(b) for town, b in balances.items() if town in demo.RESERVE_FUNDS}


def test_a_shorter_period_of_the_demo_states_other_figures(demo_db: Database, leader: Actor) -> None:
    with demo_db.read() as s:
        full = A.report_section(s, leader, OUTBREAK)
        short = A.report_section(s, leader, SHORT)
        before = A.report_section(s, leader, BEFORE)
    for key in ("included_households", "included_persons", "grant_households", "grant_persons", "grant_amount",
                "rescued_vagrants"):
        assert 0 < short.figure(key).value < full.figure(key).value, key
    assert short.figure("paperwork_overdue").value == 0  # no deadline had passed by 15 October
    assert short.figure("reserve_allocated").value == full.figure("reserve_allocated").value  # on 8 October
    assert short.figure("reserve_used").value < full.figure("reserve_used").value
    assert all(before.figure(key).value == 0 for key in ("included_households", "grant_households",
                                                          "rescued_vagrants", "rescued_stranded"))
    assert before.figure("grant_amount").value == Decimal("0.00")


def test_the_demo_is_written_through_the_services(demo_db: Database) -> None:
    with demo_db.read() as s:
        made = dict(s.execute(select(AuditEntry.register, func.count()).where(
            AuditEntry.action == "create", AuditEntry.register.like("assistance.%"))
            .group_by(AuditEntry.register)).all())
        households = s.scalar(select(func.count()).select_from(Household)) or 0
        grants = s.scalar(select(func.count()).select_from(TemporaryAssistanceGrant)) or 0
        moves = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "transition")) or 0
        numbered = s.scalar(select(func.count()).select_from(TemporaryAssistanceGrant).where(
            TemporaryAssistanceGrant.number.like("麦民救〔2021〕%号"))) or 0
        actors = set(s.scalars(select(AuditEntry.actor).where(AuditEntry.register.like("assistance.%")).distinct()))
    assert made["assistance.households"] == households > 838
    assert made["assistance.grants"] == grants == numbered > 838
    assert moves > grants  # every grant paid went through its workflow's steps
    assert actors == {COMMAND_LINE_ACTOR.username}


def test_the_demos_persons_are_found_by_the_person_search(demo_db: Database, leader: Actor) -> None:
    with demo_db.read() as s:
        name, number = s.execute(select(Household.head_name, Household.head_id_number)
                                 .order_by(Household.id).limit(1)).one()
        assert name in [h.name for h in search.find(s, leader, name, 0, 50).hits]
        assert [h.name for h in search.find(s, leader, number, 0, 5).hits] == [name]
        assert search.count(s, leader, name[0]) > 0


def test_the_demo_runs_twice_without_doubling(demo_db: Database) -> None:
    assert sum(demo.fill(demo_db).values()) == 0
