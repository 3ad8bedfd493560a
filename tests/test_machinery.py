"""The shared machinery every group uses: parent and child records, the numbering service (and
the migration that carried the document numbers into it), the statistics report."""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import text

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import HasChildren, ValidationError
from civaffairs.db import migrate
from civaffairs.db.database import Database, make_engine
from civaffairs.numbering import service as numbering
from civaffairs.numbering.data import NumberKind, NumberStatus, register_kind
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from civaffairs.reports.figures import Period
from civaffairs.reports.service import make_report
from civaffairs.reports.statistics import build
from tests.helpers import make_check_in, make_staff

TEST_KIND = register_kind(NumberKind("test-kind", "Test number", default_prefix="测试"))


def _town(db: Database, actor: Actor, name: str = "道北街道") -> records.Row:
    with db.write() as s:
        return records.create(s, actor, TOWNS, {"name": name, "kind": "subdistrict"})


def _community(db: Database, actor: Actor, town_id, name: str) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, COMMUNITIES, {"town_id": town_id, "name": name, "kind": "community"})


def test_a_parent_with_live_children_is_not_deleted(db: Database, admin: Actor) -> None:
    town = _town(db, admin)
    first = _community(db, admin, town.id, "渭滨社区")
    _community(db, admin, town.id, "天河社区")
    with db.write() as s, pytest.raises(HasChildren) as refused:
        records.delete(s, admin, TOWNS, town.id)
    assert refused.value.children == [("村和社区", 2)]
    assert "道北街道" in refused.value.message and "村和社区（2）" in refused.value.message
    with db.write() as s:  # once its children are gone, it goes too
        for row in records.fetch(s, admin, COMMUNITIES, records.ListQuery(equals=(("town_id", town.id),))):
            records.delete(s, admin, COMMUNITIES, row.id)
        records.delete(s, admin, TOWNS, town.id)
    # A child comes back only to a live parent.
    with db.write() as s, pytest.raises(ValidationError, match="先恢复"):
        records.restore(s, admin, COMMUNITIES, first.id)
    with db.write() as s:
        records.restore(s, admin, TOWNS, town.id)
        records.restore(s, admin, COMMUNITIES, first.id)


def test_a_child_is_listed_under_its_parent_only(db: Database, admin: Actor, viewer: Actor) -> None:
    north, south = _town(db, admin, "道北街道"), _town(db, admin, "桥南街道")
    _community(db, admin, north.id, "渭滨社区")
    _community(db, admin, south.id, "伯阳路社区")
    with db.read() as s:
        q = records.ListQuery(equals=(("town_id", south.id),))
        assert [r.values["name"] for r in records.fetch(s, viewer, COMMUNITIES, q)] == ["伯阳路社区"]
        assert records.count(s, viewer, COMMUNITIES, q) == 1


def test_numbers_run_per_kind_prefix_and_year_and_a_cancelled_one_is_kept(db: Database, admin: Actor) -> None:
    with db.write() as s:
        a = numbering.allocate(s, admin, TEST_KIND, "测试", 2021, owner_register="x", owner_id=None)
        b = numbering.allocate(s, admin, TEST_KIND, "测试", 2021, owner_register="x", owner_id=None)
        c = numbering.allocate(s, admin, TEST_KIND, "测试", 2022, owner_register="x", owner_id=None)
        assert (a.number, b.number, c.number) == ("测试〔2021〕1号", "测试〔2021〕2号", "测试〔2022〕1号")
        numbering.cancel(s, admin, b, "填写错误")
    with db.write() as s:
        assert numbering.peek(s, TEST_KIND, "测试", 2021) == "测试〔2021〕3号"  # never the cancelled 2 again
        d = numbering.allocate(s, admin, TEST_KIND, "测试", 2021, owner_register="x", owner_id=None)
        assert d.serial == 3
    with db.read() as s:
        entries = numbering.entries(s, TEST_KIND.key, "测试", 2021)
    assert [(e.serial, e.status) for e in entries] == [(1, NumberStatus.USED), (2, NumberStatus.CANCELLED),
                                                      (3, NumberStatus.USED)]
    assert entries[1].cancel_reason == "填写错误"
    with db.write() as s, pytest.raises(ValidationError):
        numbering.cancel(s, admin, numbering.find(s, TEST_KIND, "测试", 2021, 2), "再次作废")


def test_numbers_are_never_given_twice_under_two_concurrent_connections(db: Database, admin: Actor) -> None:
    """Two PCs allocate at once: the lock makes one wait, so the serials are 1 … 2n, each once."""
    per_thread = 8
    got: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                with db.write() as s:
                    got.append(numbering.allocate(s, admin, TEST_KIND, "并发", 2021, owner_register="x",
                                                  owner_id=None).serial)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(got) == list(range(1, 2 * per_thread + 1))


def test_migration_carries_the_document_numbers_into_the_numbering_service(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO notice (id, version, working_group, status, template_key, title, addressee, body, attachments,"
            " signatory, copy_to, printing_office, created_at, created_by, updated_at, updated_by)"
            " VALUES ('0' || '1234567890abcdef1234567890abcde', 2, 4, 'issued', 'blank', '关于救助的通知', '', '正文', '[]',"
            " '某局', '', '某局办公室', '2021-10-08 01:00:00', 'x', '2021-10-08 01:00:00', 'x')"))
        conn.execute(text(
            "INSERT INTO document_number (id, prefix, year, serial, number, status, notice_id, given_at, given_by,"
            " cancel_reason) VALUES ('abcdefabcdefabcdefabcdefabcdefab', '麦民发', 2021, 7, '麦民发〔2021〕7号', 'used',"
            " '01234567890abcdef1234567890abcde', '2021-10-08 01:00:00', 'office', '')"))
        conn.execute(text("INSERT INTO document_number_sequence (prefix, year, last_serial) VALUES ('麦民发', 2021, 7)"))
    migrate.upgrade(engine)
    db = Database(str(engine.url), engine)
    with db.read() as s:
        (entry,) = numbering.entries(s, "document")
        assert (entry.number, entry.owner_label, entry.given_by) == ("麦民发〔2021〕7号", "关于救助的通知", "office")
        from civaffairs.notices import service as notices

        assert notices.next_number(s, "麦民发", 2021) == "麦民发〔2021〕8号"
    engine.dispose()


def test_the_statistics_report_is_computed_for_its_period(sqlite_db: Database, admin: Actor, tmp_path: Path) -> None:
    person = make_staff(sqlite_db, admin, name="周霞")
    make_check_in(sqlite_db, admin, person.id, date(2021, 10, 25))
    make_check_in(sqlite_db, admin, person.id, date(2021, 10, 26), morning_temperature="37.8")
    with sqlite_db.read() as s:
        autumn = build(s, admin, Period(date(2021, 10, 1), date(2021, 11, 5)), office_name="测试民政局")
        january = build(s, admin, Period(date(2021, 1, 1), date(2021, 1, 31)), office_name="测试民政局")
    office = autumn.section("group-1")
    assert office.figure("check_ins").value == 2 and office.figure("fevers").value == 1
    assert office.figure("fevers").alert
    assert january.section("group-1").figure("check_ins").value == 0  # computed, not stored

    out = tmp_path / "r.xlsx"
    report = make_report(sqlite_db, admin, Period(date(2021, 10, 1), date(2021, 11, 5)), office_name="测试民政局", out=out)
    wb = load_workbook(out)
    summary = wb.worksheets[0]
    assert summary.title == "汇总"
    assert "测试民政局" in summary["A1"].value and "2021年10月1日" in summary["A2"].value
    assert summary["A3"].value.startswith("制表时间")
    values = {row[1].value: row[2].value for row in summary.iter_rows(min_row=6) if row[1].value}
    assert values["每日健康打卡"] == 2 and isinstance(values["每日健康打卡"], int)  # a number, not text
    assert [ws.title for ws in wb.worksheets][1] == "局机关疫情防控组"
    assert len(wb.worksheets) == 1 + len(report.sections)


def test_report_command_line(sqlite_db: Database, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civaffairs.cli import main

    for suffix in (".xlsx", ".pdf"):
        out = tmp_path / f"r{suffix}"
        code = main(["report", "--data-dir", str(data_dir), "--from", "2021-10-01", "--to", "2021-11-05",
                     "--out", str(out)])
        assert code == 0, capsys.readouterr()
        assert out.stat().st_size > 1000
    assert main(["report", "--data-dir", str(data_dir), "--from", "2021-11-05", "--to", "2021-10-01",
                 "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "结束日期早于开始日期" in capsys.readouterr().err


def test_a_sensitive_computed_column_is_masked_like_a_stored_one(db: Database, admin: Actor, viewer: Actor) -> None:
    """A value computed from personal data (say, a birth date read from an ID number) is hidden
    from a role that may not see that data, as the stored field would be."""
    from dataclasses import replace as dc_replace

    from civaffairs.records.spec import ComputedColumn, FieldSpec, Kind, Sensitivity

    secret = ComputedColumn(FieldSpec("born", "Born", Kind.TEXT, sensitive=Sensitivity.ID_NUMBER, in_form=False),
                            lambda session, ids: {i: "19850615" for i in ids})
    spec = dc_replace(TOWNS, key="test.towns_with_secret", computed=(secret,))
    _town(db, admin)
    with db.read() as s:
        (seen,) = records.fetch(s, admin, spec)
        (hidden,) = records.fetch(s, viewer, spec)
    assert seen.values["born"] == "19850615" and "born" not in seen.masked
    assert hidden.values["born"] != "19850615" and "born" in hidden.masked


def test_report_on_the_demo_data_states_the_brief(data_dir: Path, tmp_path: Path) -> None:
    """`civaffairs report` on the full demo data: 4 elderly care institutions under closed management
    and 3 NAT rounds, all negative, for the outbreak; other figures for a month before it; group 4's
    and group 6's figures of the brief; the supervision teams' visits to every kind of target."""
    from civaffairs import demo
    from civaffairs.cli import main
    from civaffairs.db.bootstrap import open_database

    db = open_database(data_dir)
    demo.fill_groups(db)
    db.dispose()

    def figures(start: str, end: str, group: str = "民政服务机构疫情防控组") -> dict[str, object]:
        out = tmp_path / f"{start}-{end}.xlsx"
        if not out.exists():  # one report per period, read for each group
            assert main(["report", "--data-dir", str(data_dir), "--from", start, "--to", end, "--out", str(out)]) == 0
        sheet = load_workbook(out)[group]
        return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=5) if row[0].value}

    autumn = figures("2021-10-01", "2021-11-05")
    closed = next(v for k, v in autumn.items() if "封闭管理" in k and "养老机构" in k)
    rounds = next(v for k, v in autumn.items() if k.startswith("核酸检测轮次"))
    results = next(v for k, v in autumn.items() if k.startswith("核酸检测结果"))
    assert (closed, rounds, results) == (4, 3, "全部阴性")
    before = figures("2021-01-01", "2021-01-31")
    assert next(v for k, v in before.items() if "封闭管理" in k and "养老机构" in k) == 0
    assert next(v for k, v in before.items() if k.startswith("核酸检测轮次")) == 0

    # Group 4 (困难群众救助组): since 1 October, 97 households / 218 persons newly included,
    # temporary assistance to 838 households / 2,798 persons, 4,560,900.00 yuan, 215,000.00 yuan of
    # reserve funds, 6 vagrants or beggars and 3 stranded persons rescued.
    def assistance(start: str, end: str) -> list[object]:
        found = figures(start, end, "困难群众救助组")
        return [next(v for k, v in found.items() if k.startswith(label)) for label in (
            "新纳入低保或特困供养户数", "新纳入人数", "临时救助户数", "临时救助人数", "临时救助发放",
            "向镇（街道）下拨临时救助备用金", "救助流浪乞讨人员", "救助滞留生活困难人员")]

    assert assistance("2021-10-01", "2021-11-05") == [97, 218, 838, 2798, 4560900, 215000, 6, 3]
    assert assistance("2021-01-01", "2021-01-31") == [0, 0, 0, 0, 0, 0, 0, 0]

    # Group 6 (社会捐助指导督查组): 125 money donations, 3,713,100.00 yuan, from 1 October to
    # 5 November; fewer, and less, by 10 October.
    def donations(start: str, end: str) -> tuple[object, Decimal]:
        found = figures(start, end, "社会捐助指导督查组")
        return found["接收捐款"], Decimal(str(found["捐款金额"]))

    assert donations("2021-10-01", "2021-11-05") == (125, Decimal("3713100.00"))
    early_count, early_amount = donations("2021-10-01", "2021-10-10")
    assert isinstance(early_count, int) and 0 < early_count < 125 and 0 < early_amount < Decimal("3713100.00")

    # The supervision teams (督查组) inspected compounds, institutions, social organisations and the
    # organisation receiving donations; none of the latter two by 10 October.
    def supervision(start: str, end: str) -> list[object]:
        found = figures(start, end, "督查组")
        return [found[label] for label in ("督查记录", "督查小区", "督查民政服务机构", "督查社会组织", "督查捐赠接收单位")]

    assert supervision("2021-10-01", "2021-11-05") == [16, 7, 6, 2, 1]
    assert supervision("2021-10-01", "2021-10-10") == [2, 1, 1, 0, 0]


def test_demo_names_are_ordinary_and_the_bureau_has_one_director() -> None:
    import random

    from civaffairs.demo import LEADERSHIP, person_name

    rng = random.Random(1)
    for _ in range(5000):
        name = person_name(rng)
        given = name[1:]
        assert 2 <= len(name) <= 3 and not (len(given) == 2 and given[0] == given[1]), name
        assert len(given) < 4  # never 子涵子涵
    assert [post for post, _dept in LEADERSHIP].count("局长") == 1


def test_names_are_unique_in_their_parent_and_a_deleted_one_may_come_again(db: Database, admin: Actor) -> None:
    north, south = _town(db, admin, "道北街道"), _town(db, admin, "桥南街道")
    with db.write() as s, pytest.raises(ValidationError) as refused:
        records.create(s, admin, TOWNS, {"name": "道北街道", "kind": "subdistrict"})
    assert refused.value.field_errors == {"name": "“道北街道”已在列表中。"}
    first = _community(db, admin, north.id, "渭滨社区")
    _community(db, admin, south.id, "渭滨社区")  # the same name under another town is another place
    with db.write() as s, pytest.raises(ValidationError) as refused:
        records.create(s, admin, COMMUNITIES, {"town_id": north.id, "name": "渭滨社区", "kind": "community"})
    assert "渭滨社区" in refused.value.field_errors["name"]
    with db.write() as s:
        records.delete(s, admin, COMMUNITIES, first.id)
    _community(db, admin, north.id, "渭滨社区")
