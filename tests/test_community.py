"""Group 3 (community mass prevention): its registers through the one service, the "one entrance
open" rule, the 24-hour duty coverage across midnight, abnormal entries, and its figures."""
from __future__ import annotations

import io
import uuid
from datetime import date, datetime, time, timezone
from pathlib import Path
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from civaffairs.accounts.roles import Actor, Role
from civaffairs.core.errors import HasChildren, PermissionDenied, ValidationError
from civaffairs.core.i18n import _
from civaffairs.db.database import Database
from civaffairs.groups.community import figures
from civaffairs.groups.community.fields import (
    ASSIGNMENTS, COMPOUNDS, DISINFECTION, DUTY_POINTS, ENTRANCES, ENTRIES, ROSTER,
)
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel
from civaffairs.reports.figures import Period
from tests.helpers import assert_fonts_embedded, fresh_id, fresh_mobile

DAY = date(2021, 10, 26)
OUTBREAK = Period(date(2021, 10, 1), date(2021, 11, 5))
BEFORE = Period(date(2021, 9, 1), date(2021, 9, 30))


@pytest.fixture
def community_member() -> Actor:
    return Actor("community", "社区干事", Role.MEMBER, frozenset({3}))


def _create(db: Database, actor: Actor, spec, **values: Any) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values)


def _compound(db: Database, actor: Actor, name: str = "锦绣花园") -> uuid.UUID:
    with db.read() as s:
        towns = records.options(s, actor, TOWNS)
    town = towns[0].id if towns else _create(db, actor, TOWNS, name="道北街道", kind="subdistrict").id
    with db.read() as s:
        communities = records.options(s, actor, COMMUNITIES)
    community = communities[0].id if communities else _create(
        db, actor, COMMUNITIES, town_id=town, name="渭滨社区", kind="community").id
    return _create(db, actor, COMPOUNDS, community_id=community, name=name, address="渭滨南路12号", households=420,
                   residents=1260, property_contact="天水华鑫物业 王经理", property_phone="0938-2736118").id


def _entrance(db: Database, actor: Actor, compound: uuid.UUID, name: str = "东门", state: str = "open") -> uuid.UUID:
    return _create(db, actor, ENTRANCES, compound_id=compound, name=name, state=state, notes="").id


def _point(db: Database, actor: Actor, entrance: uuid.UUID, name: str = "东门值守点") -> uuid.UUID:
    return _create(db, actor, DUTY_POINTS, entrance_id=entrance, name=name, notes="").id


def _shift(db: Database, actor: Actor, point: uuid.UUID, day: date, start: str, end: str) -> records.Row:
    return _create(db, actor, ROSTER, duty_point_id=point, day=day, start_time=start, end_time=end,
                   people="张伟、李娜", phone=fresh_mobile(), role="值守")


def _entry(db: Database, actor: Actor, point: uuid.UUID, **overrides: Any) -> records.Row:
    values: dict[str, Any] = dict(duty_point_id=point, day=DAY, time_of_day="08:15", direction="in", name="赵敏",
                                  id_number=fresh_id(), phone=fresh_mobile(), health_code="green",
                                  temperature="36.5", itinerary_card_checked=True, pass_number="WB-0231")
    values.update(overrides)
    return _create(db, actor, ENTRIES, **values)


# ------------------------------------------------------------------ coverage: the arithmetic


@pytest.mark.parametrize(("shift_day", "start", "end", "expected"), [
    (date(2021, 10, 5), "20:00", "08:00", (0, 8 * 60)),  # the night before runs into the day until 08:00
    (date(2021, 10, 6), "20:00", "08:00", (20 * 60, 24 * 60)),  # tonight's shift: until midnight today
    (date(2021, 10, 6), "08:00", "20:00", (8 * 60, 20 * 60)),
    (date(2021, 10, 6), "08:00", "08:00", (8 * 60, 24 * 60)),  # end = start: 24 hours, the rest tomorrow
    (date(2021, 10, 5), "08:00", "08:00", (0, 8 * 60)),
    (date(2021, 10, 6), "00:00", "00:00", (0, 24 * 60)),  # a whole day from midnight
    (date(2021, 10, 5), "00:00", "00:00", None),  # ended at midnight, as today began
    (date(2021, 10, 5), "08:00", "20:00", None),  # yesterday's day shift
    (date(2021, 10, 4), "20:00", "08:00", None),  # two days ago
    (date(2021, 10, 7), "00:00", "08:00", None),  # tomorrow
])
def test_a_shift_covers_the_minutes_of_its_day_and_the_next_morning(shift_day: date, start: str, end: str,
                                                                     expected: tuple[int, int] | None) -> None:
    h = lambda s: time(int(s[:2]), int(s[3:]))  # noqa: E731
    assert figures.shift_span(shift_day, h(start), h(end), date(2021, 10, 6)) == expected


def test_gaps_are_what_no_shift_covers() -> None:
    assert figures.gaps_of([]) == [(0, 1440)]
    assert figures.gaps_of([(0, 480), (480, 1200), (1200, 1440)]) == []
    assert figures.gaps_of([(480, 1200), (0, 500)]) == [(1200, 1440)]  # overlapping and out of order
    assert figures.gaps_of([(60, 120), (600, 700)]) == [(0, 60), (120, 600), (700, 1440)]
    assert figures.gaps_text([(0, 480), (1200, 1440)]) == "00:00–08:00、20:00–24:00"


# ------------------------------------------------------------------ coverage: from the records


def test_a_night_shift_of_the_day_before_covers_the_morning(db: Database, community_member: Actor) -> None:
    actor = community_member
    point = _point(db, actor, _entrance(db, actor, _compound(db, actor)))
    _shift(db, actor, point, date(2021, 10, 25), "20:00", "08:00")
    _shift(db, actor, point, DAY, "08:00", "20:00")
    with db.read() as s:
        [line] = figures.coverage(s, DAY)
    assert line.gaps == ((20 * 60, 24 * 60),)  # nobody tonight
    assert line.gaps_text == "20:00–24:00"
    _shift(db, actor, point, DAY, "20:00", "08:00")
    with db.read() as s:
        [line] = figures.coverage(s, DAY)
        assert line.covered
        assert figures.coverage_gaps(s, DAY) == []
        # The next day is covered until 08:00 by tonight's shift only.
        [tomorrow] = figures.coverage(s, date(2021, 10, 27))
    assert tomorrow.gaps == ((8 * 60, 24 * 60),)


def test_coverage_joins_the_duty_points_of_one_entrance_and_ignores_deleted_shifts(db: Database, admin: Actor) -> None:
    entrance = _entrance(db, admin, _compound(db, admin))
    north, south = _point(db, admin, entrance, "北岗"), _point(db, admin, entrance, "南岗")
    _shift(db, admin, north, DAY, "00:00", "12:30")
    _shift(db, admin, south, DAY, "12:00", "00:00")  # until midnight
    late = _shift(db, admin, south, DAY, "06:00", "07:00")
    with db.read() as s:
        [line] = figures.coverage(s, DAY)
    assert line.covered and line.duty_points == 2
    with db.write() as s:
        records.delete(s, admin, ROSTER, late.id)
    first = _shift(db, admin, north, date(2021, 10, 25), "22:00", "02:00")
    with db.read() as s:
        assert figures.coverage(s, DAY)[0].covered  # still: the deleted one was not needed
    with db.write() as s:
        records.delete(s, admin, ROSTER, first.id)
        records.update(s, admin, ROSTER, records.fetch(s, admin, ROSTER, records.ListQuery(search="张伟"))[-1].id,
                       1, {"start_time": "01:00"})
    with db.read() as s:
        [line] = figures.coverage(s, DAY)
    assert line.gaps == ((0, 60),)
    assert line.uncovered_minutes == 60


def test_closed_entrances_need_no_duty_and_an_open_one_without_duty_points_is_one_whole_gap(
        db: Database, admin: Actor) -> None:
    compound = _compound(db, admin)
    _entrance(db, admin, compound, "西门", "closed")
    east = _entrance(db, admin, compound, "东门", "open")
    with db.read() as s:
        [line] = figures.coverage(s, DAY)
    assert line.entrance_id == east and line.duty_points == 0
    assert line.gaps == ((0, 1440),)


# ------------------------------------------------------------------ one entrance open


def test_a_compound_with_two_open_entrances_is_flagged_until_one_closes(db: Database, community_member: Actor) -> None:
    actor = community_member
    compound = _compound(db, actor)
    _entrance(db, actor, compound, "东门", "open")
    north = _entrance(db, actor, compound, "北门", "open")
    _entrance(db, actor, compound, "西门", "closed")
    quiet = _compound(db, actor, "麦积花苑")
    _entrance(db, actor, quiet, "正门", "open")
    with db.read() as s:
        rows = {r.values["name"]: r for r in records.fetch(s, actor, COMPOUNDS)}
        [breach] = figures.one_open_breaches(s)
    assert rows["锦绣花园"].values["open_entrances"] == 2
    assert rows["麦积花苑"].values["open_entrances"] == 1
    assert COMPOUNDS.row_level is not None
    assert COMPOUNDS.row_level(rows["锦绣花园"].values) is RowLevel.ALERT
    assert COMPOUNDS.row_level(rows["麦积花苑"].values) is None
    assert (breach.compound, breach.community, breach.town) == ("锦绣花园", "渭滨社区", "道北街道")
    assert breach.open_entrances == ("东门", "北门")
    with db.read() as s:
        assert figures.report_section(s, actor, OUTBREAK).figure("compounds_more_than_one_open").alert
    with db.write() as s:
        records.update(s, actor, ENTRANCES, north, 1, {"state": "closed"})
    with db.read() as s:
        assert figures.one_open_breaches(s) == []
        assert records.fetch(s, actor, COMPOUNDS, records.ListQuery(search="锦绣"))[0].values["open_entrances"] == 1
        section = figures.report_section(s, actor, OUTBREAK)
    assert section.figure("compounds_more_than_one_open").value == 0
    assert section.figure("entrances_open").value == 2
    assert section.figure("entrances_closed").value == 2


# ------------------------------------------------------------------ entry registrations


def test_abnormal_entries_are_flagged_and_counted(db: Database, community_member: Actor) -> None:
    actor = community_member
    point = _point(db, actor, _entrance(db, actor, _compound(db, actor)))
    normal = _entry(db, actor, point, temperature="37.2")
    yellow = _entry(db, actor, point, health_code="yellow", direction="out")
    fever = _entry(db, actor, point, temperature="37.5")
    edge = _entry(db, actor, point, temperature="37.3", direction="out")
    _entry(db, actor, point, temperature="", health_code="green")  # no temperature taken: not abnormal
    _entry(db, actor, point, day=date(2021, 9, 20))
    level = ENTRIES.row_level
    assert level is not None
    assert level(normal.values) is None
    assert level(yellow.values) is RowLevel.ALERT
    assert level(fever.values) is RowLevel.ALERT
    assert level(edge.values) is RowLevel.ALERT
    with db.read() as s:
        counts = figures.entry_counts(s, OUTBREAK)
        one_point = figures.entry_counts(s, OUTBREAK, point)
        section = figures.report_section(s, actor, OUTBREAK)
        before = figures.report_section(s, actor, BEFORE)
    assert (counts.total, counts.coming_in, counts.going_out) == (5, 3, 2)
    assert (counts.abnormal, counts.not_green, counts.fever) == (3, 1, 2)
    assert one_point == counts
    assert section.figure("entries_abnormal").value == 3 and section.figure("entries_abnormal").alert
    assert section.figure("entries_in").value == 3 and section.figure("entries_out").value == 2
    assert before.figure("entries").value == 1 and before.figure("entries_abnormal").value == 0
    assert not before.figure("entries_abnormal").alert


def test_an_entry_needs_an_id_number_or_a_phone(db: Database, admin: Actor) -> None:
    point = _point(db, admin, _entrance(db, admin, _compound(db, admin)))
    with pytest.raises(ValidationError) as e:
        _entry(db, admin, point, id_number="", phone="")
    assert "id_number" in e.value.field_errors
    assert _entry(db, admin, point, id_number="").values["phone"]
    assert _entry(db, admin, point, phone="").values["id_number"]


def test_an_entry_masks_personal_data_for_other_groups(db: Database, community_member: Actor, leader: Actor,
                                                       office_member: Actor) -> None:
    point = _point(db, community_member, _entrance(db, community_member, _compound(db, community_member)))
    _entry(db, community_member, point, phone="13912345678", temperature="37.6", health_code="yellow")
    with db.read() as s:
        [seen] = records.fetch(s, leader, ENTRIES)
        [hidden] = records.fetch(s, office_member, ENTRIES)
    assert seen.values["phone"] == "13912345678" and seen.values["temperature"] == Decimal("37.6")
    assert {"phone", "id_number", "temperature", "health_code"} <= hidden.masked
    assert "13912345678" not in str(hidden.values)
    assert ENTRIES.row_level is not None and ENTRIES.row_level(hidden.values) is None  # masked: nothing to judge
    with db.read() as s, pytest.raises(PermissionDenied):
        records.fetch(s, office_member, ENTRIES, records.ListQuery(colours=("yellow",)))


def test_the_entry_register_carries_the_duty_point_and_the_day() -> None:
    assert ENTRIES.carried_fields == ("duty_point_id", "day")
    assert ENTRIES.parent_field == "duty_point_id" and ENTRIES.date_field == "day"


def test_the_entry_indexes_serve_the_order_the_date_filter_and_a_duty_points_list(sqlite_db: Database,
                                                                                  admin: Actor) -> None:
    """The queries the list sends, as SQLite plans them: no temporary sort, no table scan."""
    point = _point(sqlite_db, admin, _entrance(sqlite_db, admin, _compound(sqlite_db, admin)))
    _entry(sqlite_db, admin, point)
    queries = {
        "default order": records.ListQuery(),
        "date filter": records.ListQuery(date_from=date(2021, 10, 20), date_to=DAY),
        "a duty point's": records.ListQuery(equals=(("duty_point_id", point),)),
    }
    qq = records._query(ENTRIES)
    with sqlite_db.read() as s:
        for name, q in queries.items():
            stmt = qq.select_rows(admin, q).order_by(*qq.order_by(admin, q)).limit(200)
            compiled = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
            plan = " / ".join(r[-1] for r in s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "USING INDEX ix_community_entry" in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)


# ------------------------------------------------------------------ the registers' rules


def test_a_compound_with_live_entrances_is_not_deleted(db: Database, community_member: Actor) -> None:
    actor = community_member
    compound = _compound(db, actor)
    entrance = _entrance(db, actor, compound)
    point = _point(db, actor, entrance)
    _entry(db, actor, point)
    with db.write() as s, pytest.raises(HasChildren) as e:
        records.delete(s, actor, COMPOUNDS, compound)
    assert "出入口" in e.value.message
    with db.write() as s, pytest.raises(HasChildren) as e:
        records.delete(s, actor, DUTY_POINTS, point)
    assert "出入登记" in e.value.message and "1" in e.value.message


def test_names_are_unique_within_their_parent_and_an_assignment_ends_after_it_starts(
        db: Database, admin: Actor) -> None:
    compound = _compound(db, admin)
    _entrance(db, admin, compound, "东门")
    with pytest.raises(ValidationError) as e:
        _entrance(db, admin, compound, "东门")
    assert "name" in e.value.field_errors
    with pytest.raises(ValidationError) as e:
        _create(db, admin, ASSIGNMENTS, compound_id=compound, person="王强", post="区民政局副局长", kind="leader",
                role="包抓责任人", since=date(2021, 10, 20), until=date(2021, 10, 10), phone="")
    assert "until" in e.value.field_errors
    with pytest.raises(ValidationError) as e:
        _shift(db, admin, _point(db, admin, _entrance(db, admin, compound, "北门")), DAY, "25:00", "08:00")
    assert "start_time" in e.value.field_errors


def test_permissions_viewer_and_other_groups_refused_group_3_allowed(
        db: Database, admin: Actor, viewer: Actor, office_member: Actor, community_member: Actor) -> None:
    compound = _compound(db, admin)
    for actor in (viewer, office_member):
        with pytest.raises(PermissionDenied):
            _entrance(db, actor, compound, "南门")
        with db.write() as s, pytest.raises(PermissionDenied):
            records.delete(s, actor, COMPOUNDS, compound)
    entrance = _entrance(db, community_member, compound, "南门")
    point = _point(db, community_member, entrance)
    _create(db, community_member, DISINFECTION, duty_point_id=point, day=DAY, time_of_day="07:30", area="值守岗亭",
            disinfectant="84消毒液（1:100）", method="spray", operator="刘洋")
    with db.read() as s:
        assert figures.disinfection_count(s, OUTBREAK) == 1
        assert figures.disinfection_count(s, BEFORE) == 0


def test_assignments_count_by_kind_while_in_force(db: Database, community_member: Actor) -> None:
    actor = community_member
    compound = _compound(db, actor)
    for person, kind, since, until in [("王强", "leader", date(2021, 10, 20), None),
                                       ("陈静", "cadre", date(2021, 10, 20), date(2021, 11, 10)),
                                       ("杨磊", "party_member", date(2021, 10, 22), None),
                                       ("孙丽", "party_member", date(2021, 8, 1), date(2021, 8, 31))]:
        _create(db, actor, ASSIGNMENTS, compound_id=compound, person=person, post="", kind=kind, role="包抓责任人",
                since=since, until=until, phone=fresh_mobile())
    with db.read() as s:
        assert figures.assignments_by_kind(s, OUTBREAK) == {"leader": 1, "cadre": 1, "party_member": 1}
        assert figures.assignments_by_kind(s, BEFORE) == {"leader": 0, "cadre": 0, "party_member": 0}
        section = figures.report_section(s, actor, OUTBREAK)
    assert section.figure("assigned_party_members").value == 1


def test_the_report_differs_before_the_outbreak(db: Database, community_member: Actor) -> None:
    actor = community_member
    point = _point(db, actor, _entrance(db, actor, _compound(db, actor)))
    _shift(db, actor, point, date(2021, 11, 4), "20:00", "08:00")
    _shift(db, actor, point, date(2021, 11, 5), "08:00", "20:00")
    _entry(db, actor, point, health_code="red")
    with db.read() as s:
        during = figures.report_section(s, actor, OUTBREAK)
        before = figures.report_section(s, actor, BEFORE)
    assert during.figure("compounds").value == before.figure("compounds").value == 1  # the compounds stand
    assert during.figure("coverage_gaps").value == 1  # 5 November: nobody from 20:00
    assert before.figure("coverage_gaps").value == 1  # 30 September: no roster at all
    assert [t.rows[0][-1] for t in during.tables if t.rows] == ["20:00–24:00"]
    assert [t.rows[0][-1] for t in before.tables if t.rows] == ["00:00–24:00"]
    assert during.figure("shifts").value == 2 and before.figure("shifts").value == 0
    assert during.figure("entries").value == 1 and before.figure("entries").value == 0
    assert during.figure("entries_abnormal").alert and not before.figure("entries_abnormal").alert


# ------------------------------------------------------------------ paper


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


def test_the_duty_roster_posts_each_days_shifts_says_which_days_have_none_and_masks_as_on_screen(
        db: Database, community_member: Actor, tmp_path: Path) -> None:
    from civaffairs.groups.community import reports

    compound = _compound(db, community_member)
    point = _point(db, community_member, _entrance(db, community_member, compound))
    monday = date(2021, 11, 1)
    night = _shift(db, community_member, point, monday, "20:00", "08:00")
    _shift(db, community_member, point, date(2021, 11, 3), "08:00", "20:00")
    printed = datetime(2021, 11, 1, 2, 0, tzinfo=timezone.utc)
    with db.read() as s:
        week = reports.roster_week(s, community_member, compound, monday)
        pdf = reports.render_duty_roster(s, community_member, compound, monday, office_name="天水市麦积区民政局",
                                         printed_by="社区组 李干事", printed_at=printed)
        other = reports.render_duty_roster(s, Actor("office", "办公室干事", Role.MEMBER, frozenset({1})), compound, monday, office_name="天水市麦积区民政局",
                                           printed_by="x", printed_at=printed)
    assert [len(p.shifts) for p in week.points] == [1 + 1] and week.days[0] == monday
    text = _pdf_text(pdf)
    assert "锦绣花园" in text and "东门值守点" in text and "张伟、李娜" in text
    assert "20:00–次日08:00" in text and night.values["phone"] in text  # group 3 sees the phone
    assert text.count("无人值守") == 5 + 1  # the five days with no shift of their own, and the legend
    assert night.values["phone"] not in _pdf_text(other)  # another group sees it masked, as on screen
    assert_fonts_embedded(pdf, tmp_path)


def test_the_entry_sheet_names_its_duty_point_and_has_the_registers_columns(
        db: Database, community_member: Actor, tmp_path: Path) -> None:
    from civaffairs.groups.community import reports

    compound = _compound(db, community_member)
    point = _point(db, community_member, _entrance(db, community_member, compound), name="北门值守点")
    with db.read() as s:
        pdf = reports.render_entry_sheet(s, community_member, point, office_name="天水市麦积区民政局")
    text = _pdf_text(pdf)
    assert "锦绣花园北门值守点" in text and "出入登记" in text
    for name in ("time_of_day", "name", "health_code", "temperature"):
        assert _(ENTRIES.field(name).label).replace(" ", "") in text
    assert_fonts_embedded(pdf, tmp_path)
