"""The overview's series and tiles (Qt-free): the daily series of the groups' `figures.py` against
records made through the services (a day with nothing is a zero, not a gap; a period before the
outbreak gives other numbers), the charts of the statistics workbook, and the overview's alerts."""
from __future__ import annotations

import shutil
import subprocess
import time as _time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.groups.community import figures as community
from civaffairs.groups.donations import figures as donations
from civaffairs.groups.service_institutions import fields as SI
from civaffairs.groups.service_institutions import figures as institutions
from civaffairs.groups.volunteers import figures as volunteers
from civaffairs.reports import series
from civaffairs.reports.figures import Chart, Opens, Period, Point, Series, Unit, daily_points
from civaffairs.reports.statistics import build
from civaffairs.reports.workbook import write_workbook
from tests.test_community import _compound, _entrance, _entry, _point
from tests.test_donations import _batch, _money, _organisation, _person
from tests.test_service_institutions import institution, nat_round, resident, result
from tests.test_volunteers import World

OUTBREAK = Period(date(2021, 10, 20), date(2021, 10, 31))
BEFORE = Period(date(2021, 9, 1), date(2021, 9, 30))
DAY = date(2021, 10, 26)  # the community tests' entry day


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This PC's zone is China Standard Time (UTC+8): local days for the volunteers' hours."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


def _values(chart: Chart, n: int = 0) -> dict[date | str, int | Decimal]:
    return {p.x: p.value for p in chart.series[n].points}


def test_daily_points_have_every_day_with_zeros_for_days_without_records() -> None:
    period = Period(date(2021, 10, 30), date(2021, 11, 2))
    points = daily_points(period, {date(2021, 10, 31): 5}, lambda d: Opens("community.entries", d, d))
    assert [(p.x, p.value) for p in points] == [(date(2021, 10, 30), 0), (date(2021, 10, 31), 5),
                                                (date(2021, 11, 1), 0), (date(2021, 11, 2), 0)]
    assert points[1].opens == Opens("community.entries", date(2021, 10, 31), date(2021, 10, 31))
    empty = Chart("x", "x", Unit.TIMES, (Series("x", daily_points(period, {})),))
    assert empty.by_day and empty.empty and len(empty.series[0].points) == 4
    assert not Chart("y", "y", Unit.YUAN, (Series("y", (Point("道北街道", Decimal("1.00")),)),)).by_day


def test_entries_per_day_and_abnormal_ones(db: Database, admin: Actor) -> None:
    point = _point(db, admin, _entrance(db, admin, _compound(db, admin)))
    for _ in range(3):
        _entry(db, admin, point)
    _entry(db, admin, point, health_code="yellow")
    _entry(db, admin, point, temperature="37.6")
    _entry(db, admin, point, day=DAY + timedelta(days=2))
    with db.read() as s:
        chart = community.entries_chart(s, OUTBREAK)
        before = community.entries_chart(s, BEFORE)
    total, abnormal = _values(chart, 0), _values(chart, 1)
    assert len(total) == OUTBREAK.days and all(isinstance(d, date) for d in total)
    assert total[DAY] == 5 and abnormal[DAY] == 2
    assert total[DAY + timedelta(days=1)] == 0 and abnormal[DAY + timedelta(days=1)] == 0  # a zero, not a gap
    assert total[DAY + timedelta(days=2)] == 1 and abnormal[DAY + timedelta(days=2)] == 0
    assert sum(total.values()) == 6 and chart.series[1].alert
    assert chart.series[1].points[(DAY - OUTBREAK.start).days].opens == Opens(
        "community.entries", DAY, DAY, colours=("yellow", "red"))
    assert before.empty and len(before.series[0].points) == BEFORE.days
    with db.read() as s:
        [today] = community.today_alerts(s, admin, DAY)
        [quiet] = community.today_alerts(s, admin, DAY + timedelta(days=2))
    assert (today.key, today.value, today.alert) == ("entries_abnormal_today", 2, True)
    assert (quiet.value, quiet.alert) == (0, False)


def test_money_donated_per_day(db: Database, admin: Actor) -> None:
    organisation = _organisation(db, admin)
    donor = _person(db, admin, "刘建华")
    first = _batch(db, admin, organisation, day=date(2021, 10, 22), count=2, total="1500")
    _money(db, admin, first, donor, "1000")
    _money(db, admin, first, donor, "500")
    second = _batch(db, admin, organisation, day=date(2021, 10, 25), count=1, total="200.50")
    _money(db, admin, second, donor, "200.50")
    with db.read() as s:
        chart = donations.donations_chart(s, OUTBREAK)
        before = donations.donations_chart(s, BEFORE)
    money = _values(chart)
    assert money[date(2021, 10, 22)] == Decimal("1500.00") and money[date(2021, 10, 25)] == Decimal("200.50")
    assert money[date(2021, 10, 23)] == 0 and len(money) == OUTBREAK.days
    assert chart.series[0].total == Decimal("1700.50") and chart.unit is Unit.YUAN
    assert before.empty


def test_volunteer_hours_per_day_split_at_midnight(db: Database, admin: Actor, shanghai: None) -> None:
    world = World(db, admin)
    world.shift(world.zhang, world.duty, "2021-10-25 22:00", "2021-10-26 06:00")
    world.shift(world.li, world.duty, "2021-10-26 08:00", "2021-10-26 12:30")
    with db.read() as s:
        chart = volunteers.hours_chart(s, OUTBREAK)
        hours = _values(chart)
        only_25th = _values(volunteers.hours_chart(s, Period(date(2021, 10, 25), date(2021, 10, 25))))
        totals = volunteers.period_totals(s, OUTBREAK)
    assert hours[date(2021, 10, 25)] == Decimal("2.0")
    assert hours[date(2021, 10, 26)] == Decimal("10.5")  # 6 hours after midnight and 4.5 in the morning
    assert hours[date(2021, 10, 27)] == 0
    assert chart.series[0].total == totals.hours == Decimal("12.5")  # the days add up to the period's hours
    assert only_25th == {date(2021, 10, 25): Decimal("2.0")}


def test_nat_rounds_per_institution_and_positive_results_alert_first(db: Database, admin: Actor) -> None:
    home = institution(db, admin)
    centre = institution(db, admin, "甘泉镇中心敬老院")
    wang, li = resident(db, admin, home), resident(db, admin, centre, "李桂兰")
    for day in (date(2021, 10, 22), date(2021, 10, 25)):
        result(db, admin, nat_round(db, admin, home, day), wang)
    result(db, admin, nat_round(db, admin, centre, date(2021, 10, 25)), li, SI.POSITIVE)
    with db.read() as s:
        chart = institutions.rounds_per_institution_chart(s, OUTBREAK)
        before = institutions.rounds_per_institution_chart(s, BEFORE)
        view = series.overview(s, admin, OUTBREAK, OUTBREAK.end)
    assert [(p.x, p.value) for p in chart.series[0].points] == [("马跑泉镇敬老院", 2), ("甘泉镇中心敬老院", 1)]
    assert chart.series[0].points[0].opens == Opens("service_institutions.nat_rounds", OUTBREAK.start, OUTBREAK.end,
                                                    search="马跑泉镇敬老院")
    assert before.empty and before.series[0].points == ()
    # the overview: the positive result is the first alert, and its tile opens the rounds of the period
    first = view.alerts[0].figure
    assert (first.key, first.value, first.alert) == ("nat_positive", 1, True)
    assert first.opens == Opens("service_institutions.nat_rounds", OUTBREAK.start, OUTBREAK.end)
    assert view.tile("nat_rounds").value == 2  # test days, as the report counts them
    assert view.chart("group-2.nat_rounds") == chart
    assert {c.key for c in view.charts} >= {"group-1.check_ins", "group-3.entries", "group-4.paid_by_town",
                                            "group-6.donations", "group-7.hours"}
    with db.read() as s:
        quiet = series.overview(s, admin, BEFORE, BEFORE.end)
    assert not any(a.figure.key == "nat_positive" for a in quiet.alerts)
    assert all(c.empty for c in quiet.charts)


def test_default_period_is_the_last_thirty_days() -> None:
    period = series.default_period(date(2021, 11, 5))
    assert (period.start, period.end, period.days) == (date(2021, 10, 7), date(2021, 11, 5), 30)


def test_statistics_workbook_has_the_charts_and_opens_in_libreoffice(db: Database, admin: Actor,
                                                                     tmp_path: Path) -> None:
    from openpyxl import load_workbook

    organisation = _organisation(db, admin)
    batch = _batch(db, admin, organisation, day=date(2021, 10, 22), count=1, total="800")
    _money(db, admin, batch, _person(db, admin, "刘建华"), "800")
    home = institution(db, admin)
    result(db, admin, nat_round(db, admin, home, date(2021, 10, 22)), resident(db, admin, home))
    with db.read() as s:
        report = build(s, admin, OUTBREAK, office_name="麦积区民政局")
    path = tmp_path / "statistics.xlsx"
    write_workbook(report, path)
    ws = load_workbook(path)["图表"]
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    titles = [v for v in cells.values() if isinstance(v, str)]
    assert {"各镇（街道）临时救助发放金额", "每日捐款金额", "各机构核酸检测"} <= set(titles)
    donated = next(r for (r, c), v in cells.items() if v == "每日捐款金额")
    days = [cells.get((donated + 2 + i, 1)) for i in range(OUTBREAK.days)]
    assert days[0].date() == OUTBREAK.start and days[-1].date() == OUTBREAK.end  # real dates, every day
    assert cells[(donated + 2 + 2, 2)] == 800 and cells[(donated + 2 + 3, 2)] == 0
    # openpyxl does not read charts back: look in the file itself
    import zipfile

    with zipfile.ZipFile(path) as z:
        drawn = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(drawn) == 2  # donations per day and NAT rounds; no assistance paid in this period: said, not drawn
    assert any(v == "本时段没有。" for v in cells.values())
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    # every sheet to its own UTF-8 file (the filter's last token, -1: LibreOffice 7.2 and later)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    out = tmp_path / "csv"
    done = subprocess.run([soffice, "--headless", "--convert-to", csv_filter, "--outdir", str(out), str(path)],
                          capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stderr
    sheets = {p.stem.removeprefix("statistics-"): p.read_text(encoding="utf-8") for p in out.glob("*.csv")}
    assert "每日捐款金额" in sheets["图表"] and "2021-10-22,800" in sheets["图表"]
    assert "机构,核酸检测轮次\n马跑泉镇敬老院,1" in sheets["图表"]
    assert "麦积区民政局" in sheets["汇总"]
