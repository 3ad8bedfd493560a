"""The supervision teams' inspection loop, called on the services directly: a visit's checklist
filled by its kind of target, the one-target rule, corrections closed only with a note, overdue
corrections on a date, report numbers never reused (two computers at once) and cancelled with a
reason, permissions, the figures of a period, the papers and `civaffairs print inspection`."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from civaffairs.accounts.models import OfficeSetting
from civaffairs.accounts.roles import Actor, Role
from civaffairs.accounts.service import OFFICE_NAME
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberStatus
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel, get_register
from civaffairs.reports.figures import Period

load_all()

from civaffairs.supervision import figures, service  # noqa: E402
from civaffairs.supervision.fields import (  # noqa: E402
    CHECKLIST, CORRECTIONS, FOLLOW_UPS, MEMBERS, TEAMS, VISITS,
)
from civaffairs.supervision.targets import COMPOUND, INSTITUTION  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2021, 10, 20)
member_of_group_3 = Actor("community", "社区股干事", Role.MEMBER, frozenset({3}))


# ------------------------------------------------------------------ helpers


def _targets(db: Database, _actor: Actor) -> dict[str, uuid.UUID]:
    """A compound (group 3's register) and an elderly care home (group 2's), made through their
    services by an administrator (the groups' registers are not the leading group's to write)."""
    actor = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with db.write() as s:
        town = records.create(s, actor, TOWNS, {"name": "道北街道", "kind": "subdistrict"}).id
        community = records.create(s, actor, COMMUNITIES, {"town_id": town, "name": "渭滨社区", "kind": "community"}).id
        compound = records.create(s, actor, get_register(COMPOUND.register_key),
                                  {"community_id": community, "name": "渭滨花园小区", "address": "渭滨南路12号"}).id
        institution = records.create(s, actor, get_register(INSTITUTION.register_key),
                                     {"name": "麦积区社会福利院", "kind": "elderly_care", "town_id": town}).id
    return {"compound": compound, "institution": institution}


def _team(db: Database, actor: Actor, name: str = "第一督查组") -> uuid.UUID:
    with db.write() as s:
        team = records.create(s, actor, TEAMS, {"name": name, "leader_name": "王建国", "leader_post": "副局长"}).id
        records.create(s, actor, MEMBERS, {"team_id": team, "name": "李娜", "post": "社会事务股股长",
                                           "phone": "13919381234"})
    return team


def _visit(db: Database, actor: Actor, team: uuid.UUID, kind: str, target: uuid.UUID, day: date = DAY,
           **more: Any) -> uuid.UUID:
    values = {"team_id": team, "day": day, "target_kind": kind, f"{kind}_id": target,
              "inspectors": "王建国、李娜", "findings": "", **more}
    with db.write() as s:
        return service.create_visit(s, actor, values).id


def _lines(db: Database, visit: uuid.UUID) -> list[records.Row]:
    with db.read() as s:
        return records.fetch(s, TEAM_READER, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),)))


TEAM_READER = Actor("reader", "查阅", Role.VIEWER)


def _fill_results(db: Database, actor: Actor, visit: uuid.UUID, failing: int = 0) -> None:
    with db.write() as s:
        for i, line in enumerate(records.fetch(s, actor, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),)))):
            records.update(s, actor, CHECKLIST, line.id, line.version,
                           {"result": "fails" if i < failing else "conforms", "note": "出入登记不全" if i < failing else ""})


def _correction(db: Database, actor: Actor, visit: uuid.UUID, deadline: date, **more: Any) -> records.Row:
    with db.write() as s:
        return records.create(s, actor, CORRECTIONS, {"visit_id": visit, "requirement": "补齐出入登记台账",
                                                      "deadline": deadline, "responsible": "张丽", **more})


@pytest.fixture
def office(db: Database) -> Database:
    with db.write() as s:
        s.add(OfficeSetting(key=OFFICE_NAME, value="天水市麦积区民政局"))
    return db


# ------------------------------------------------------------------ visits and checklists


def test_a_visit_gets_the_checklist_of_its_kind_of_target(office: Database, leader: Actor) -> None:
    t = _targets(office, leader)
    team = _team(office, leader)
    to_compound = _visit(office, leader, team, "compound", t["compound"])
    to_home = _visit(office, leader, team, "institution", t["institution"])
    compound_items = [r.values["item"] for r in _lines(office, to_compound)]
    home_items = [r.values["item"] for r in _lines(office, to_home)]
    assert len(compound_items) == 6 and len(home_items) == 8
    assert any("健康码" in i and "行程卡" in i and "出入证" in i for i in compound_items)
    assert any("24小时" in i for i in compound_items)
    assert any("封闭管理" in i for i in home_items) and any("通风" in i for i in home_items)
    assert not set(compound_items) & set(home_items) - {i for i in home_items if "体温" in i}
    assert all(r.values["result"] is None for r in _lines(office, to_home))
    with office.read() as s:
        created = s.scalars(select(AuditEntry).where(AuditEntry.register == CHECKLIST.key)).all()
        row = records.get(s, leader, VISITS, to_compound)
    assert len(created) == 14 and {e.actor for e in created} == {"leader"}
    assert row.values["compound_id"] == "渭滨花园小区" and row.values["institution_id"] is None
    with office.write() as s:  # filling again adds nothing
        assert service.fill_checklist(s, leader, to_compound) == 0


def test_a_visit_inspects_exactly_one_target(office: Database, admin: Actor) -> None:
    t = _targets(office, admin)
    team = _team(office, admin)
    base = {"team_id": team, "day": DAY, "inspectors": "王建国"}
    with office.write() as s:
        with pytest.raises(ValidationError) as e:
            service.create_visit(s, admin, {**base, "target_kind": "compound"})
        assert set(e.value.field_errors) == {"compound_id"}
        with pytest.raises(ValidationError) as e:
            service.create_visit(s, admin, {**base, "target_kind": "compound", "compound_id": t["compound"],
                                            "institution_id": t["institution"]})
        assert set(e.value.field_errors) == {"institution_id"}
        with pytest.raises(ValidationError) as e:  # the kind says which of the two it is
            service.create_visit(s, admin, {**base, "target_kind": "compound", "institution_id": t["institution"]})
        assert set(e.value.field_errors) == {"compound_id", "institution_id"}
    visit = _visit(office, admin, team, "compound", t["compound"])
    with office.write() as s:
        row = records.get(s, admin, VISITS, visit)
        with pytest.raises(ValidationError) as e:  # the checklist was made for a compound
            records.update(s, admin, VISITS, visit, row.version,
                           {"target_kind": "institution", "compound_id": None, "institution_id": t["institution"]})
        assert "target_kind" in e.value.field_errors


def test_a_correction_is_closed_only_with_a_note_and_a_date(office: Database, leader: Actor) -> None:
    t = _targets(office, leader)
    visit = _visit(office, leader, _team(office, leader), "compound", t["compound"])
    c = _correction(office, leader, visit, date(2021, 10, 23))
    with office.write() as s:
        with pytest.raises(ValidationError) as e:
            service.close_correction(s, leader, c.id, c.version, date(2021, 10, 22), "  ")
        assert set(e.value.field_errors) == {"closing_note"}
        with pytest.raises(ValidationError) as e:
            records.update(s, leader, CORRECTIONS, c.id, c.version, {"closing_note": "已补齐"})
        assert set(e.value.field_errors) == {"closed_on"}
        with pytest.raises(ValidationError) as e:
            service.close_correction(s, leader, c.id, c.version, date(2021, 10, 19), "已补齐")
        assert "closed_on" in e.value.field_errors  # before the visit
        with pytest.raises(ValidationError) as e:
            records.create(s, leader, CORRECTIONS, {"visit_id": visit, "requirement": "x", "deadline": date(2021, 10, 1),
                                                    "responsible": "张丽"})
        assert "deadline" in e.value.field_errors
        records.create(s, leader, FOLLOW_UPS, {"correction_id": c.id, "day": date(2021, 10, 21),
                                               "found": "台账仍缺两天", "checked_by": "李娜"})
        with pytest.raises(ValidationError) as e:
            records.create(s, leader, FOLLOW_UPS, {"correction_id": c.id, "day": date(2021, 10, 1),
                                                   "found": "x", "checked_by": "李娜"})
        assert "day" in e.value.field_errors
        closed = service.close_correction(s, leader, c.id, c.version, date(2021, 10, 22), "已补齐并每日核查")
    assert closed.values["closed_on"] == date(2021, 10, 22)
    with office.read() as s:
        assert figures.correction_states(s, [c.id], date(2021, 10, 25)) == {c.id: figures.CLOSED}


def test_overdue_corrections_on_a_date(office: Database, leader: Actor) -> None:
    t = _targets(office, leader)
    team = _team(office, leader)
    visit = _visit(office, leader, team, "compound", t["compound"])
    late = _correction(office, leader, visit, date(2021, 10, 23), requirement="关闭多余出入口")
    closed = _correction(office, leader, visit, date(2021, 10, 23), requirement="值守点消毒",
                         closed_on=date(2021, 10, 22), closing_note="已每日消毒两次")
    closed_late = _correction(office, leader, visit, date(2021, 10, 23), requirement="补齐台账",
                              closed_on=date(2021, 10, 26), closing_note="已补齐")
    _correction(office, leader, visit, date(2021, 10, 30), requirement="落实24小时值守")
    with office.read() as s:
        on_25 = figures.overdue_corrections(s, date(2021, 10, 25))
        assert [o.requirement for o in on_25] == ["关闭多余出入口", "补齐台账"]
        assert on_25[0].days_overdue == 2 and on_25[0].target == "渭滨花园小区" and on_25[0].team == "第一督查组"
        assert figures.overdue_corrections(s, date(2021, 10, 23)) == []  # the deadline day itself is not late
        on_31 = figures.overdue_corrections(s, date(2021, 10, 31))  # 补齐台账 was closed on the 26th
        assert [o.requirement for o in on_31] == ["关闭多余出入口", "落实24小时值守"]
        assert figures.open_corrections(s, date(2021, 10, 25)) == 3
        states = figures.correction_states(s, [late.id, closed.id, closed_late.id], date(2021, 10, 25))
        assert states == {late.id: "overdue", closed.id: "closed", closed_late.id: "overdue"}
        assert figures.visit_overdue_counts(s, [visit], date(2021, 10, 25)) == {visit: 2}
    assert CORRECTIONS.row_level({"state": "overdue"}) is RowLevel.ALERT
    assert CORRECTIONS.row_level({"state": "open"}) is None
    assert VISITS.row_level({"overdue_corrections": 2}) is RowLevel.ALERT


# ------------------------------------------------------------------ report numbers


def _ready_visit(db: Database, actor: Actor, team: uuid.UUID, target: uuid.UUID, day: date = DAY) -> uuid.UUID:
    visit = _visit(db, actor, team, "compound", target, day, findings="出入登记基本落实，个别时段未测温。")
    _fill_results(db, actor, visit, failing=1)
    return visit


def test_issuing_needs_results_and_findings_and_gives_a_number_once(office: Database, leader: Actor) -> None:
    t = _targets(office, leader)
    team = _team(office, leader)
    visit = _visit(office, leader, team, "compound", t["compound"])
    with office.write() as s:
        with pytest.raises(ValidationError) as e:
            service.issue_report(s, leader, visit, day=date(2021, 10, 21))
        assert set(e.value.field_errors) == {"findings", "result"}
    visit = _ready_visit(office, leader, team, t["compound"])
    with office.write() as s:
        number = service.issue_report(s, leader, visit, day=date(2021, 10, 21))
    assert number == "麦民督〔2021〕1号"
    with office.write() as s:
        with pytest.raises(ValidationError):
            service.issue_report(s, leader, visit, day=date(2021, 10, 21))
        row = records.get(s, leader, VISITS, visit)
        assert (row.values["report_number"], row.values["report_date"]) == (number, date(2021, 10, 21))
        with pytest.raises(ValidationError) as e:  # what an issued report states is kept
            records.update(s, leader, VISITS, visit, row.version, {"findings": "改过的结论"})
        assert "findings" in e.value.field_errors
        line = records.fetch(s, leader, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),)))[0]
        with pytest.raises(ValidationError):
            records.update(s, leader, CHECKLIST, line.id, line.version, {"result": "conforms"})
        assert service.find_by_number(s, "麦民督[2021]1号") == visit


def test_a_cancelled_number_keeps_its_reason_and_is_never_given_again(office: Database, admin: Actor) -> None:
    t = _targets(office, admin)
    team = _team(office, admin)
    visit = _ready_visit(office, admin, team, t["compound"])
    with office.write() as s:
        first = service.issue_report(s, admin, visit, day=date(2021, 10, 21))
    with office.write() as s:
        with pytest.raises(ValidationError) as e:
            service.cancel_report_number(s, admin, visit, "   ")
        assert "reason" in e.value.field_errors
        service.cancel_report_number(s, admin, visit, "检查结论有误，重新出具")
    with office.write() as s:
        again = service.issue_report(s, admin, visit, day=date(2021, 10, 22))
    assert (first, again) == ("麦民督〔2021〕1号", "麦民督〔2021〕2号")
    with office.read() as s:
        entries = numbering.entries(s, "inspection")
        assert [(e.number, e.status, e.cancel_reason) for e in entries] == [
            (first, NumberStatus.CANCELLED, "检查结论有误，重新出具"), (again, NumberStatus.USED, "")]
        with pytest.raises(NotFound) as e:
            service.find_by_number(s, first)
        assert "检查结论有误" in e.value.message
        assert service.find_by_number(s, again) == visit


def test_two_computers_issuing_at_once_never_get_the_same_inspection_number(office: Database, admin: Actor) -> None:
    """Two Database objects (two PCs) issue reports in two threads at the same moment."""
    t = _targets(office, admin)
    team = _team(office, admin)
    per_thread = 8
    visits = [_ready_visit(office, admin, team, t["compound"]) for _ in range(2 * per_thread)]
    other = Database(office.url)
    start = threading.Barrier(2)
    got: dict[int, list[str]] = {0: [], 1: []}
    errors: list[BaseException] = []

    def work(k: int, db: Database, mine: list[uuid.UUID]) -> None:
        try:
            start.wait()
            for visit in mine:
                with db.write() as s:
                    got[k].append(service.issue_report(s, admin, visit, day=date(2021, 10, 21)))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(0, office, visits[0::2])),
               threading.Thread(target=work, args=(1, other, visits[1::2]))]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
    finally:
        other.dispose()
    assert errors == []
    numbers = got[0] + got[1]
    assert len(numbers) == len(set(numbers)) == 2 * per_thread
    serials = sorted(int(re.search(r"〕(\d+)号", n)[1]) for n in numbers)  # type: ignore[index]
    assert serials == list(range(1, 2 * per_thread + 1))
    with office.read() as s:
        owners = {e.owner_id for e in numbering.entries(s, "inspection")}
        assert owners == set(visits)


# ------------------------------------------------------------------ permissions


@pytest.mark.parametrize("who", ["viewer", "member", "member_of_3"])
def test_viewers_and_members_may_not_write(office: Database, admin: Actor, viewer: Actor, office_member: Actor,
                                           who: str) -> None:
    actor = {"viewer": viewer, "member": office_member, "member_of_3": member_of_group_3}[who]
    t = _targets(office, admin)
    team = _team(office, admin)
    visit = _ready_visit(office, admin, team, t["compound"])
    c = _correction(office, admin, visit, date(2021, 10, 23))
    with office.write() as s:
        with pytest.raises(PermissionDenied):
            records.create(s, actor, TEAMS, {"name": "第四督查组", "leader_name": "赵刚"})
        with pytest.raises(PermissionDenied):
            service.create_visit(s, actor, {"team_id": team, "day": DAY, "target_kind": "compound",
                                            "compound_id": t["compound"], "inspectors": "赵刚"})
        with pytest.raises(PermissionDenied):
            service.fill_checklist(s, actor, visit)
        with pytest.raises(PermissionDenied):
            service.issue_report(s, actor, visit, day=DAY)
        with pytest.raises(PermissionDenied):
            service.close_correction(s, actor, c.id, c.version, DAY, "已整改")
        with pytest.raises(PermissionDenied):
            records.create(s, actor, FOLLOW_UPS, {"correction_id": c.id, "day": DAY, "found": "x", "checked_by": "x"})
        # everyone reads; the members' phones are masked for those who may not see them
        [m] = records.fetch(s, actor, MEMBERS)
        assert m.values["phone"] != "13919381234" and "phone" in m.masked


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_leaders_and_administrators_may_write(office: Database, leader: Actor, admin: Actor, who: str) -> None:
    actor = {"leader": leader, "admin": admin}[who]
    t = _targets(office, admin)
    team = _team(office, actor)
    visit = _ready_visit(office, actor, team, t["compound"])
    c = _correction(office, actor, visit, date(2021, 10, 23))
    with office.write() as s:
        service.close_correction(s, actor, c.id, c.version, DAY, "已整改")
        assert service.issue_report(s, actor, visit, day=DAY) == "麦民督〔2021〕1号"
        [m] = records.fetch(s, actor, MEMBERS)
        assert m.values["phone"] == "13919381234"


# ------------------------------------------------------------------ figures


def test_figures_for_a_period(office: Database, leader: Actor) -> None:
    t = _targets(office, leader)
    first, second = _team(office, leader), _team(office, leader, "第二督查组")
    v1 = _ready_visit(office, leader, first, t["compound"], date(2021, 10, 12))  # one failed item
    v2 = _visit(office, leader, first, "institution", t["institution"], date(2021, 10, 20))
    _fill_results(office, leader, v2, failing=2)
    _visit(office, leader, second, "compound", t["compound"], date(2021, 11, 2))
    _visit(office, leader, second, "compound", t["compound"], date(2021, 9, 20))  # before the period
    _correction(office, leader, v1, date(2021, 10, 15), closed_on=date(2021, 10, 14), closing_note="已整改")
    _correction(office, leader, v1, date(2021, 10, 18))  # overdue at the end
    _correction(office, leader, v2, date(2021, 11, 20))  # open, not yet due
    _correction(office, leader, v2, date(2021, 10, 25), closed_on=date(2021, 11, 3), closing_note="已整改")  # closed after
    period = Period(date(2021, 10, 1), date(2021, 10, 31))
    with office.read() as s:
        pf = figures.period_figures(s, period)
        section = figures.report_section(s, leader, period)
    one, two = pf.teams
    assert (one.team, one.visits, one.visits_by_kind) == ("第一督查组", 2, {"compound": 1, "institution": 1})
    assert (two.team, two.visits) == ("第二督查组", 0)
    assert (one.failed_items, one.corrections_opened, one.corrections_closed) == (3, 4, 1)
    assert (one.corrections_open, one.corrections_overdue) == (3, 2)  # on 31 October: the 18th's and the 25th's are late
    assert section.figure("supervision_visits").value == 2
    assert section.figure("supervision_visits_compound").value == 1
    assert section.figure("supervision_failed_items").value == 3
    assert section.figure("supervision_corrections_overdue").value == 2
    assert section.figure("supervision_corrections_overdue").alert
    team_table = section.tables[0]
    assert [r[0] for r in team_table.rows] == ["第一督查组", "第二督查组"] and team_table.alert_rows == {0}
    assert section.tables[1].title.startswith("第一督查组")
    assert len(section.tables[1].rows) == 2
    november = Period(date(2021, 11, 1), date(2021, 11, 5))
    with office.read() as s:
        nov = figures.period_figures(s, november)
    assert nov.total("visits") == 1 and nov.total("corrections_closed") == 1 and nov.total("corrections_overdue") == 1


def test_supervision_modules_load_no_qt() -> None:
    code = ("import sys, civaffairs.supervision.service, civaffairs.supervision.figures, civaffairs.supervision.demo,"
            "civaffairs.supervision.reports, civaffairs.supervision.cli;"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'civaffairs.gui'))];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ paper and command line


def test_print_inspection_from_the_command_line(sqlite_db: Database, data_dir: Path, leader: Actor, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from civaffairs.cli import main

    with sqlite_db.write() as s:
        s.add(OfficeSetting(key=OFFICE_NAME, value="天水市麦积区民政局"))
    t = _targets(sqlite_db, leader)
    visit = _ready_visit(sqlite_db, leader, _team(sqlite_db, leader), t["compound"])
    _correction(sqlite_db, leader, visit, date(2021, 10, 23))
    with sqlite_db.write() as s:
        number = service.issue_report(s, leader, visit, day=date(2021, 10, 21))
    sqlite_db.dispose()
    out = tmp_path / "x.pdf"
    assert main(["print", "inspection", "麦民督[2021]1号", "--out", str(out), "--data-dir", str(data_dir)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and number in capsys.readouterr().out
    assert main(["print", "inspection", "麦民督〔2021〕9号", "--out", str(tmp_path / "y.pdf"),
                 "--data-dir", str(data_dir)]) == 1
    assert "没有编号为麦民督〔2021〕9号的督查报告" in capsys.readouterr().err
    assert not (tmp_path / "y.pdf").exists()


def test_the_papers_say_what_the_records_say(office: Database, leader: Actor) -> None:
    t = _targets(office, leader)
    team = _team(office, leader)
    visit = _ready_visit(office, leader, team, t["compound"])
    _correction(office, leader, visit, date(2021, 10, 23))
    with office.read() as s:
        report = service.inspection_report(s, leader, visit)
        summary = service.team_summary(s, leader, team, Period(date(2021, 10, 1), date(2021, 10, 31)))
    assert report.number == "" and report.target == "渭滨花园小区" and report.target_address == "渭滨南路12号"
    assert [c.failed for c in report.checklist] == [True] + [False] * 5
    assert report.checklist[0].result == "不符合" and report.corrections[0].responsible == "张丽"
    assert summary.figures.corrections_overdue == 1 and summary.members == ("李娜",)
    from civaffairs.supervision.reports import render_inspection_report, render_team_summary
    for pdf in (render_inspection_report(report), render_team_summary(summary)):
        assert pdf.startswith(b"%PDF")


def test_demo_makes_the_teams_even_without_targets(db: Database) -> None:
    """No compound or institution registered yet: the teams are made, and no visit."""
    from civaffairs.supervision import demo

    counts = demo.fill(db, today=date(2021, 11, 5))
    assert counts["teams"] == 3 and counts["members"] == 9
    with db.read() as s:
        assert records.count(s, Actor("v", "v", Role.VIEWER), VISITS) == counts["visits"] == 0
        leaders = [r.values["leader_post"] for r in records.fetch(s, Actor("v", "v", Role.VIEWER), TEAMS)]
    assert leaders == ["副局长"] * 3
    assert demo.fill(db)["teams"] == 0  # a second run adds nothing
