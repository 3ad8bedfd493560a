"""Group 7 (volunteer service): shifts signed in and out across midnight, one shift at a time per
volunteer (also across midnight and against open shifts), hours per volunteer and per activity for
any period (a shift across the period's edge counts its part inside), the service certificate's
number and content, masking of ID numbers and phones, forbidden calls, the report and the demo.

The PC's clock is China Standard Time here (UTC+8): shifts are typed in local time and stored UTC,
so a night shift from 22:00 is stored from 14:00 UTC and still counts on its local day."""
from __future__ import annotations

import dataclasses

import subprocess
import sys
import time as _time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.core.errors import NeedsConfirmation, NotFound, PermissionDenied, ValidationError
from civaffairs.db.database import Database
from civaffairs.groups import load_all

load_all()

from civaffairs.groups.volunteers import demo, figures, service  # noqa: E402
from civaffairs.groups.volunteers.fields import (  # noqa: E402
    ACTIVITIES, CERTIFICATES, SHIFTS, VOLUNTEERS, kind_title, moment_text,
)
from civaffairs.groups.volunteers.models import ServiceCertificate, Shift  # noqa: E402
from civaffairs.groups.volunteers.reports import render_certificate  # noqa: E402
from civaffairs.numbering import service as numbering  # noqa: E402
from civaffairs.numbering.data import NumberStatus  # noqa: E402
from civaffairs.places.fields import TOWNS  # noqa: E402
from civaffairs.records import service as records  # noqa: E402
from civaffairs.records.spec import RowLevel  # noqa: E402
from civaffairs.reports.figures import Period  # noqa: E402
from tests.helpers import audit_entries, fresh_id, fresh_mobile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OCTOBER = Period(date(2021, 10, 1), date(2021, 10, 31))
NOVEMBER = Period(date(2021, 11, 1), date(2021, 11, 30))
OUTBREAK = Period(date(2021, 10, 1), date(2021, 11, 5))
FIRST_DAYS = Period(date(2021, 10, 1), date(2021, 10, 10))


@pytest.fixture(autouse=True)
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This PC's zone is China Standard Time (UTC+8, no summer time)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


@pytest.fixture
def volunteers_member() -> Actor:
    return Actor("volunteers", "志愿服务组干事", Role.MEMBER, frozenset({7}))


def at(text: str) -> datetime:
    """A moment typed on this PC: "2021-10-25 22:00" local time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").astimezone()


def _create(db: Database, actor: Actor, spec, **values: Any) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values)


class World:
    """A town, two volunteers and three activities: a NAT site on 25 October, a duty point from
    20 October to 5 November, deliveries on 31 October."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db, self.actor = db, actor
        self.town = _create(db, COMMAND_LINE_ACTOR, TOWNS, name="道北街道", kind="subdistrict").id  # group 3 keeps the places
        self.zhang = self.volunteer("张建军", party_member=True)
        self.li = self.volunteer("李秀兰")
        self.nat = self.activity("10月25日渭滨社区核酸采样点引导服务", "nat_guidance", date(2021, 10, 25))
        self.duty = self.activity("锦绣花园东门值守点志愿值守", "duty_point", date(2021, 10, 20), date(2021, 11, 5))
        self.delivery = self.activity("封闭小区生活物资配送到户", "delivery", date(2021, 10, 31))

    def volunteer(self, name: str, **values: Any) -> uuid.UUID:
        values = {"name": name, "id_number": fresh_id(), "phone": fresh_mobile(), "organisation": "渭滨社区志愿服务队",
                  "skills": ["guidance"], "availability": ["weekend"], **values}
        return _create(self.db, self.actor, VOLUNTEERS, **values).id

    def activity(self, name: str, kind: str, day: date, last_day: date | None = None) -> uuid.UUID:
        return _create(self.db, self.actor, ACTIVITIES, name=name, kind=kind, town_id=self.town, place="渭滨广场",
                       day=day, last_day=last_day, organiser="道北街道办事处").id

    def shift(self, volunteer: uuid.UUID, activity: uuid.UUID, sign_in: str, sign_out: str | None,
              accept: tuple[str, ...] = ()) -> records.Row:
        with self.db.write() as s:
            return records.create(s, self.actor, SHIFTS, {
                "activity_id": activity, "volunteer_id": volunteer, "sign_in": at(sign_in),
                "sign_out": at(sign_out) if sign_out else None, "task": "值守"}, accept=accept)


@pytest.fixture
def world(db: Database, volunteers_member: Actor) -> World:
    return World(db, volunteers_member)


# ------------------------------------------------------------------ across midnight


def test_a_night_shift_across_midnight_is_eight_hours_stored_utc_shown_local(world: World) -> None:
    row = world.shift(world.zhang, world.duty, "2021-10-25 22:00", "2021-10-26 06:00")
    assert row.values["hours"] == Decimal("8.0")
    with world.db.read() as s:
        stored = s.get(Shift, row.id)
        assert stored is not None
        assert stored.sign_in == datetime(2021, 10, 25, 14, 0, tzinfo=timezone.utc)  # 22:00 in Tianshui is 14:00 UTC
        assert stored.sign_out == datetime(2021, 10, 25, 22, 0, tzinfo=timezone.utc)
        [listed] = records.fetch(s, world.actor, SHIFTS)
        assert figures.volunteer_hours(s, [world.zhang])[world.zhang] == Decimal("8.0")
        assert figures.activity_hours(s, [world.duty])[world.duty] == Decimal("8.0")
    # the list shows the times as typed (local); the shift counts on the local day it began
    assert moment_text(listed.values["sign_in"]) == "2021-10-25 22:00"
    assert moment_text(listed.values["sign_out"]) == "2021-10-26 06:00"
    with world.db.read() as s:
        assert figures.period_totals(s, Period(date(2021, 10, 25), date(2021, 10, 25))).shifts == 1
        assert figures.period_totals(s, Period(date(2021, 10, 26), date(2021, 10, 26))).shifts == 0


def test_a_sign_out_at_or_before_the_sign_in_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as e:
        world.shift(world.zhang, world.duty, "2021-10-25 22:00", "2021-10-25 06:00")  # the next day's date forgotten
    assert "2021-10-25 06:00" in e.value.field_errors["sign_out"] and "2021-10-25 22:00" in e.value.field_errors["sign_out"]
    with pytest.raises(ValidationError) as e:
        world.shift(world.zhang, world.duty, "2021-10-25 22:00", "2021-10-25 22:00")
    assert "sign_out" in e.value.field_errors
    with world.db.read() as s:
        assert records.count(s, world.actor, SHIFTS) == 0


def test_a_shift_over_twelve_hours_is_a_warning_the_clerk_may_accept(world: World) -> None:
    with pytest.raises(NeedsConfirmation) as e:
        world.shift(world.zhang, world.duty, "2021-10-25 08:00", "2021-10-26 06:00")
    message = e.value.field_errors["sign_out"]
    assert "22.0" in message
    row = world.shift(world.zhang, world.duty, "2021-10-25 08:00", "2021-10-26 06:00", accept=(message,))
    assert row.values["hours"] == Decimal("22.0")


def test_a_sign_in_off_the_activitys_days_is_refused_but_the_night_after_is_fine(world: World) -> None:
    with pytest.raises(ValidationError) as e:
        world.shift(world.zhang, world.nat, "2021-10-27 07:00", "2021-10-27 12:00")
    assert "2021-10-25" in e.value.field_errors["sign_in"] and "2021-10-27" in e.value.field_errors["sign_in"]
    world.shift(world.zhang, world.nat, "2021-10-26 00:30", "2021-10-26 02:00")  # after midnight of its day


# ------------------------------------------------------------------ one shift at a time


def test_overlapping_shifts_are_refused_with_the_other_shift_named(world: World) -> None:
    world.shift(world.zhang, world.duty, "2021-10-25 08:00", "2021-10-25 14:00")
    with pytest.raises(ValidationError) as e:
        world.shift(world.zhang, world.nat, "2021-10-25 12:00", "2021-10-25 16:00")
    message = e.value.field_errors["sign_in"]
    assert message == ("张建军同一时间已在另一班次：“锦绣花园东门值守点志愿值守”，"
                       "2021-10-25 08:00至2021-10-25 14:00。")
    world.shift(world.zhang, world.nat, "2021-10-25 14:00", "2021-10-25 18:00")  # touching is not overlapping
    world.shift(world.li, world.nat, "2021-10-25 12:00", "2021-10-25 16:00")  # another volunteer at the same time
    with pytest.raises(ValidationError):  # a shift that contains the other one entirely
        world.shift(world.zhang, world.nat, "2021-10-25 07:00", "2021-10-25 20:00")


def test_overlap_across_midnight_is_refused(world: World) -> None:
    world.shift(world.zhang, world.duty, "2021-10-25 22:00", "2021-10-26 06:00")
    with pytest.raises(ValidationError) as e:  # the next morning, before the night shift ended
        world.shift(world.zhang, world.duty, "2021-10-26 05:00", "2021-10-26 09:00")
    assert "2021-10-25 22:00至2021-10-26 06:00" in e.value.field_errors["sign_in"]
    with pytest.raises(ValidationError):  # the evening before, running into the night shift
        world.shift(world.zhang, world.duty, "2021-10-25 18:00", "2021-10-25 23:00")
    with pytest.raises(ValidationError):  # another night shift starting before midnight
        world.shift(world.zhang, world.duty, "2021-10-25 23:30", "2021-10-26 01:00")
    world.shift(world.zhang, world.duty, "2021-10-26 06:00", "2021-10-26 08:00")


def test_an_open_shift_blocks_every_later_shift_until_signed_out(world: World) -> None:
    open_row = world.shift(world.zhang, world.duty, "2021-10-25 22:00", None)
    assert open_row.values["hours"] is None
    for sign_in, sign_out in (("2021-10-25 23:00", "2021-10-26 01:00"), ("2021-10-27 10:00", "2021-10-27 12:00"),
                              ("2021-10-27 10:00", None)):
        with pytest.raises(ValidationError) as e:
            world.shift(world.zhang, world.duty, sign_in, sign_out)
        assert e.value.field_errors["sign_in"] == ("张建军同一时间已在另一班次：“锦绣花园东门值守点志愿值守”，"
                                                   "2021-10-25 22:00签到，尚未签退。")
    world.shift(world.zhang, world.duty, "2021-10-25 18:00", "2021-10-25 22:00")  # ended when the open one began
    with pytest.raises(ValidationError):  # a shift running past the open shift's sign-in
        world.shift(world.zhang, world.duty, "2021-10-25 21:00", "2021-10-25 23:00")
    with world.db.write() as s:  # signed out the next morning: the later shift is fine now
        records.update(s, world.actor, SHIFTS, open_row.id, open_row.version, {"sign_out": at("2021-10-26 06:00")})
    world.shift(world.zhang, world.duty, "2021-10-27 10:00", "2021-10-27 12:00")


def test_an_edit_or_a_restore_into_an_overlap_is_refused(world: World, admin: Actor) -> None:
    first = world.shift(world.zhang, world.duty, "2021-10-25 08:00", "2021-10-25 12:00")
    second = world.shift(world.zhang, world.duty, "2021-10-25 13:00", "2021-10-25 17:00")
    with world.db.write() as s, pytest.raises(ValidationError) as e:
        records.update(s, world.actor, SHIFTS, second.id, second.version, {"sign_in": at("2021-10-25 11:00")})
    assert "2021-10-25 08:00至2021-10-25 12:00" in e.value.field_errors["sign_in"]
    with world.db.write() as s:  # an edit of a shift does not collide with itself
        records.update(s, world.actor, SHIFTS, first.id, first.version, {"sign_out": at("2021-10-25 13:00")})
        records.delete(s, world.actor, SHIFTS, second.id)
    world.shift(world.zhang, world.duty, "2021-10-25 14:00", "2021-10-25 16:00")  # where the deleted one was
    with world.db.write() as s, pytest.raises(ValidationError):
        records.restore(s, admin, SHIFTS, second.id)


# ------------------------------------------------------------------ hours for periods


def test_a_shift_across_the_periods_edge_counts_its_part_inside(world: World) -> None:
    world.shift(world.zhang, world.duty, "2021-10-31 22:00", "2021-11-01 06:00")
    with world.db.read() as s:
        october, november = figures.hours_by_volunteer(s, OCTOBER), figures.hours_by_volunteer(s, NOVEMBER)
        both = figures.hours_by_volunteer(s, Period(OCTOBER.start, NOVEMBER.end))
        assert figures.volunteer_minutes(s, world.zhang, OCTOBER) == 120
        assert figures.volunteer_minutes(s, world.zhang, NOVEMBER) == 360
    assert [(v.name, v.shifts, v.hours) for v in october] == [("张建军", 1, Decimal("2.0"))]
    assert [(v.name, v.shifts, v.hours) for v in november] == [("张建军", 0, Decimal("6.0"))]  # counted in October
    assert [(v.shifts, v.hours) for v in both] == [(1, Decimal("8.0"))]


def test_hours_per_volunteer_and_per_activity_for_periods(world: World, admin: Actor) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-20 08:00", "2021-10-20 14:00")  # 6 h
    w.shift(w.zhang, w.nat, "2021-10-25 07:00", "2021-10-25 12:30")  # 5.5 h
    w.shift(w.zhang, w.duty, "2021-10-25 22:00", "2021-10-26 06:00")  # 8 h across midnight
    w.shift(w.li, w.nat, "2021-10-25 07:00", "2021-10-25 12:00")  # 5 h
    w.shift(w.li, w.delivery, "2021-10-31 09:00", "2021-10-31 11:20")  # 2 h 20 → 2.3
    w.shift(w.li, w.duty, "2021-11-02 22:00", None)  # open: no hours yet
    gone = w.shift(w.li, w.duty, "2021-11-01 08:00", "2021-11-01 09:00")
    with w.db.write() as s:
        records.delete(s, w.actor, SHIFTS, gone.id)  # deleted shifts count nowhere
    with w.db.read() as s:
        people = {v.name: v for v in figures.hours_by_volunteer(s, OUTBREAK)}
        activities = {a.name: a for a in figures.hours_by_activity(s, OUTBREAK)}
        after_25 = {v.name: v.hours for v in figures.hours_by_volunteer(s, Period(date(2021, 10, 26), date(2021, 11, 5)))}
        first_week = figures.hours_by_volunteer(s, FIRST_DAYS)
        totals = figures.period_totals(s, OUTBREAK)
    assert (people["张建军"].shifts, people["张建军"].hours, people["张建军"].minutes) == (3, Decimal("19.5"), 1170)
    assert (people["李秀兰"].shifts, people["李秀兰"].hours, people["李秀兰"].open_shifts) == (3, Decimal("7.3"), 1)
    assert list(people) == ["张建军", "李秀兰"]  # most hours first
    nat = activities["10月25日渭滨社区核酸采样点引导服务"]
    assert (nat.volunteers, nat.shifts, nat.hours, nat.kind_title) == (2, 2, Decimal("10.5"), kind_title("nat_guidance"))
    duty = activities["锦绣花园东门值守点志愿值守"]
    assert (duty.volunteers, duty.shifts, duty.hours) == (2, 3, Decimal("14.0"))
    assert activities["封闭小区生活物资配送到户"].minutes == 140
    assert after_25 == {"张建军": Decimal("6.0"), "李秀兰": Decimal("2.3")}  # his: 00:00–06:00 of the 26th only
    assert first_week == []
    assert (totals.volunteers_serving, totals.party_members_serving, totals.shifts, totals.open_shifts,
            totals.across_midnight, totals.minutes, totals.activities) == (2, 1, 6, 1, 1, 1170 + 440, 3)
    # a deleted volunteer's shifts leave the figures (until restored)
    with w.db.write() as s:
        records.delete(s, w.actor, VOLUNTEERS, w.li)
    with w.db.read() as s:
        assert [v.name for v in figures.hours_by_volunteer(s, OUTBREAK)] == ["张建军"]
        assert figures.activity_volunteer_counts(s, [w.nat])[w.nat] == 1


def test_list_columns_show_shifts_and_hours(world: World) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-25 22:00", "2021-10-26 06:00")
    w.shift(w.zhang, w.nat, "2021-10-25 07:00", "2021-10-25 12:30")
    with w.db.read() as s:
        rows = {r.values["name"]: r.values for r in records.fetch(s, w.actor, VOLUNTEERS)}
        activities = {r.values["name"]: r.values for r in records.fetch(s, w.actor, ACTIVITIES)}
    assert (rows["张建军"]["shifts"], rows["张建军"]["hours"]) == (2, Decimal("13.5"))
    assert (rows["李秀兰"]["shifts"], rows["李秀兰"]["hours"]) == (0, Decimal("0.0"))
    assert activities["锦绣花园东门值守点志愿值守"]["volunteers"] == 1
    assert activities["锦绣花园东门值守点志愿值守"]["hours"] == Decimal("8.0")


def test_an_open_shift_signed_in_long_ago_is_shown_yellow(world: World) -> None:
    old = world.shift(world.zhang, world.duty, "2021-10-25 22:00", None)
    closed = world.shift(world.li, world.duty, "2021-10-25 22:00", "2021-10-26 06:00")
    assert SHIFTS.row_level is not None
    assert SHIFTS.row_level(old.values) is RowLevel.WARNING
    assert SHIFTS.row_level(closed.values) is None
    assert SHIFTS.row_level({**old.values, "sign_in": datetime.now(timezone.utc) - timedelta(hours=2)}) is None


# ------------------------------------------------------------------ certificates


def _draft(world: World, volunteer: uuid.UUID, period: Period = OUTBREAK, **values: Any) -> records.Row:
    base = {"volunteer_id": volunteer, "period_start": period.start, "period_end": period.end, "content": "",
            "organisation": "天水市麦积区民政局", "person_in_charge": "李红梅", "handler": "王静",
            "contact": "0938-2731234", "issue_date": date(2021, 11, 5)}
    return _create(world.db, world.actor, CERTIFICATES, **{**base, **values})


def test_a_certificate_is_numbered_and_states_the_hours_and_the_period(world: World) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-20 08:00", "2021-10-20 14:00")
    w.shift(w.zhang, w.nat, "2021-10-25 07:00", "2021-10-25 12:30")
    w.shift(w.zhang, w.duty, "2021-11-05 22:00", "2021-11-06 06:00")  # 2 h inside the period
    w.shift(w.li, w.nat, "2021-10-25 07:00", "2021-10-25 12:00")
    first, other = _draft(w, w.zhang), _draft(w, w.li)
    assert first.values["number"] == "" and first.values["hours_certified"] is None
    with w.db.write() as s:
        number = service.issue_certificate(s, w.actor, first.id)
        second = service.issue_certificate(s, w.actor, other.id)
    assert (number, second) == ("麦民志证〔2021〕1号", "麦民志证〔2021〕2号")
    with w.db.read() as s:
        row = records.get(s, w.actor, CERTIFICATES, first.id)
        doc = service.certificate_document(s, w.actor, first.id)
        [entry] = [e for e in numbering.entries(s, service.CERTIFICATE.key) if e.owner_id == first.id]
    assert row.values["number"] == number and row.values["minutes"] == 810
    assert row.values["hours_certified"] == row.values["hours_now"] == Decimal("13.5")
    assert row.values["content"] == "疫情防控志愿服务：值守点值守（2次）、核酸检测点引导（1次）。"
    assert (entry.number, entry.status, entry.owner_register) == (number, NumberStatus.USED, CERTIFICATES.key)
    assert (doc.number, doc.name, doc.hours_text, doc.period) == (number, "张建军", "13.5", OUTBREAK)
    assert doc.content == row.values["content"] and doc.id_type == "居民身份证" and not doc.id_masked
    assert [(line.activity, line.first_day, line.last_day, line.shifts, line.minutes) for line in doc.lines] == [
        ("锦绣花园东门值守点志愿值守", date(2021, 10, 20), date(2021, 11, 5), 2, 360 + 120),
        ("10月25日渭滨社区核酸采样点引导服务", date(2021, 10, 25), date(2021, 10, 25), 1, 330)]
    assert [e.action for e in audit_entries(w.db, first.id)] == ["create", "issue"]
    pdf = render_certificate(doc)
    assert pdf.startswith(b"%PDF") and b"/Count 1" in pdf  # one page
    # A volunteer who served at seven places, each name long enough to take two lines in its
    # cell: the certificate, its signatures and its seal still keep to one sheet.
    busy = dataclasses.replace(doc, lines=tuple(
        dataclasses.replace(doc.lines[1], activity=f"10月{10 + i}日马跑泉镇卫生院核酸采样点引导服务",
                            first_day=date(2021, 10, 10 + i), last_day=date(2021, 10, 10 + i))
        for i in range(7)))
    assert b"/Count 1" in render_certificate(busy)


def test_an_issued_certificate_keeps_its_hours_and_is_not_changed_until_its_number_is_cancelled(world: World) -> None:
    w = world
    shift = w.shift(w.zhang, w.duty, "2021-10-20 08:00", "2021-10-20 14:00")
    cert = _draft(w, w.zhang)
    with w.db.write() as s:
        service.issue_certificate(s, w.actor, cert.id, "麦民志证")
        with pytest.raises(ValidationError) as e:
            service.issue_certificate(s, w.actor, cert.id)
        assert "麦民志证〔2021〕1号" in e.value.message
    with w.db.write() as s:  # a shift corrected later: the paper keeps saying what it said; the list warns
        records.update(s, w.actor, SHIFTS, shift.id, shift.version, {"sign_out": at("2021-10-20 16:00")})
    with w.db.read() as s:
        row = records.get(s, w.actor, CERTIFICATES, cert.id)
        assert service.certificate_document(s, w.actor, cert.id).hours_text == "6.0"
    assert (row.values["hours_certified"], row.values["hours_now"]) == (Decimal("6.0"), Decimal("8.0"))
    assert CERTIFICATES.row_level is not None and CERTIFICATES.row_level(row.values) is RowLevel.WARNING
    with w.db.write() as s, pytest.raises(ValidationError) as e:
        records.update(s, w.actor, CERTIFICATES, cert.id, row.version, {"handler": "赵敏"})
    assert "作废" in e.value.field_errors[""]
    with w.db.write() as s, pytest.raises(ValidationError) as e:  # nor put in the recycle bin
        records.delete(s, w.actor, CERTIFICATES, cert.id)
    assert "不能删除" in e.value.message and "麦民志证〔2021〕1号" in e.value.message
    with w.db.write() as s:
        with pytest.raises(ValidationError) as e:
            service.cancel_certificate_number(s, w.actor, cert.id, "  ")
        assert "reason" in e.value.field_errors
        assert service.cancel_certificate_number(s, w.actor, cert.id, "服务时长更正后重新出具") == "麦民志证〔2021〕1号"
    with w.db.write() as s:
        row = records.get(s, w.actor, CERTIFICATES, cert.id)
        records.update(s, w.actor, CERTIFICATES, cert.id, row.version, {"handler": "赵敏"})  # a draft again
        assert service.issue_certificate(s, w.actor, cert.id) == "麦民志证〔2021〕2号"  # never the cancelled one
        entries = {e.number: e for e in numbering.entries(s, service.CERTIFICATE.key)}
        row = records.get(s, w.actor, CERTIFICATES, cert.id)
    assert entries["麦民志证〔2021〕1号"].status is NumberStatus.CANCELLED
    assert entries["麦民志证〔2021〕1号"].cancel_reason == "服务时长更正后重新出具"
    assert row.values["hours_certified"] == Decimal("8.0") and row.values["handler"] == "赵敏"
    assert CERTIFICATES.row_level(row.values) is None
    with w.db.write() as s:  # a draft (its number cancelled) may go to the recycle bin
        service.cancel_certificate_number(s, w.actor, cert.id, "重复出具")
        records.delete(s, w.actor, CERTIFICATES, cert.id)


def test_a_certificate_without_hours_or_with_wrong_dates_is_refused(world: World) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-20 08:00", None)  # open: nothing to certify yet
    cert = _draft(w, w.zhang)
    with w.db.write() as s, pytest.raises(ValidationError) as e:
        service.issue_certificate(s, w.actor, cert.id)
    assert "张建军" in e.value.field_errors["period_end"]
    with w.db.read() as s:
        assert numbering.entries(s, service.CERTIFICATE.key) == []  # no number spent
    with pytest.raises(ValidationError) as e:
        _draft(w, w.zhang, Period(date(2021, 10, 1), date(2021, 11, 5)), period_start=date(2021, 11, 6),
               issue_date=date(2021, 11, 4))
    assert {"period_end", "issue_date"} <= set(e.value.field_errors)
    with w.db.write() as s, pytest.raises(NotFound):
        service.issue_certificate(s, w.actor, uuid.uuid4())


def test_a_new_certificate_starts_from_the_volunteers_service_and_the_last_certificate(world: World) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-20 08:00", "2021-10-20 14:00")
    w.shift(w.zhang, w.duty, "2021-11-03 22:00", "2021-11-04 06:00")
    with w.db.read() as s:
        first = service.new_certificate_values(s, w.actor, w.zhang, today=date(2021, 11, 10))
    assert (first["period_start"], first["period_end"], first["handler"]) == (
        date(2021, 10, 20), date(2021, 11, 4), "志愿服务组干事")
    _draft(w, w.zhang, organisation="麦积区志愿服务组", person_in_charge="李红梅", contact="0938-2731234")
    with w.db.read() as s:
        later = service.new_certificate_values(s, w.actor, w.li, today=date(2021, 11, 10))
    assert (later["organisation"], later["person_in_charge"], later["contact"]) == ("麦积区志愿服务组", "李红梅",
                                                                                    "0938-2731234")
    assert (later["period_start"], later["period_end"]) == (date(2021, 10, 1), date(2021, 11, 10))  # no shifts yet


# ------------------------------------------------------------------ masking and permissions


def test_id_numbers_and_phones_are_masked_for_roles_without_the_right(world: World, viewer: Actor,
                                                                       office_member: Actor, leader: Actor) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-20 08:00", "2021-10-20 14:00")
    cert = _draft(w, w.zhang)
    with w.db.write() as s:
        service.issue_certificate(s, w.actor, cert.id)
    with w.db.read() as s:
        number = s.scalar(select(VOLUNTEERS.model.id_number).where(VOLUNTEERS.model.id == w.zhang))
        phone = s.scalar(select(VOLUNTEERS.model.phone).where(VOLUNTEERS.model.id == w.zhang))
        for actor in (viewer, office_member):
            [row] = [r for r in records.fetch(s, actor, VOLUNTEERS) if r.id == w.zhang]
            assert {"id_number", "phone"} <= row.masked
            assert row.values["id_number"] == number[:6] + "********" + number[-4:]
            assert row.values["phone"] == phone[:3] + "****" + phone[-4:]
            assert number not in str(row.values) and phone not in str(row.values)
            assert records.fetch(s, actor, VOLUNTEERS, records.ListQuery(search=number[-8:])) == []  # not searched
            doc = service.certificate_document(s, actor, cert.id)  # a certificate of someone else
            assert doc.id_masked and doc.id_number == number[:6] + "********" + number[-4:]
            assert number.encode() not in render_certificate(doc)
            with pytest.raises(PermissionDenied):
                records.fetch(s, actor, VOLUNTEERS, records.ListQuery(equals=(("id_number", number),)))
        for actor in (w.actor, leader):
            [row] = [r for r in records.fetch(s, actor, VOLUNTEERS) if r.id == w.zhang]
            assert row.values["id_number"] == number and row.values["phone"] == phone and not row.masked
            assert service.certificate_document(s, actor, cert.id).id_number == number


def test_forbidden_calls_by_a_viewer_and_another_groups_member(world: World, viewer: Actor,
                                                               office_member: Actor) -> None:
    w = world
    shift = w.shift(w.zhang, w.duty, "2021-10-20 08:00", "2021-10-20 14:00")
    draft = _draft(w, w.zhang)
    issued = _draft(w, w.zhang, Period(date(2021, 10, 20), date(2021, 10, 20)))
    with w.db.write() as s:
        service.issue_certificate(s, w.actor, issued.id)
    for actor in (viewer, office_member):
        with pytest.raises(PermissionDenied):
            _create(w.db, actor, VOLUNTEERS, name="王海涛", id_number=fresh_id(), phone=fresh_mobile())
        with pytest.raises(PermissionDenied):
            _create(w.db, actor, ACTIVITIES, name="宣传", kind="other", town_id=w.town, place="集市",
                    day=date(2021, 10, 22))
        with pytest.raises(PermissionDenied):
            _create(w.db, actor, SHIFTS, activity_id=w.duty, volunteer_id=w.li, sign_in=at("2021-10-21 08:00"))
        with w.db.write() as s, pytest.raises(PermissionDenied):
            records.update(s, actor, SHIFTS, shift.id, shift.version, {"sign_out": at("2021-10-20 15:00")})
        with w.db.write() as s, pytest.raises(PermissionDenied):
            records.delete(s, actor, VOLUNTEERS, w.li)
        with w.db.write() as s, pytest.raises(PermissionDenied):
            service.issue_certificate(s, actor, draft.id)
        with w.db.write() as s, pytest.raises(PermissionDenied):
            service.cancel_certificate_number(s, actor, issued.id, "错误")
        with w.db.read() as s:  # reading is open to everyone
            assert records.count(s, actor, SHIFTS) == 1
            assert service.certificate_document(s, actor, issued.id).number == "麦民志证〔2021〕1号"
    with w.db.read() as s:
        assert s.get(ServiceCertificate, draft.id).number == ""  # type: ignore[union-attr]
        assert len(numbering.entries(s, service.CERTIFICATE.key)) == 1


# ------------------------------------------------------------------ registers' own rules


def test_a_volunteer_is_registered_once_and_a_duty_point_belongs_to_its_compound(world: World) -> None:
    w = world
    with w.db.read() as s:
        number = s.scalar(select(VOLUNTEERS.model.id_number).where(VOLUNTEERS.model.id == w.zhang))
    with pytest.raises(ValidationError) as e:
        w.volunteer("张建军", id_number=number)
    assert "张建军" in e.value.field_errors["id_number"]
    w.volunteer("王海涛", volunteer_number="MJ20210001")
    with pytest.raises(ValidationError) as e:
        w.volunteer("赵敏", volunteer_number="MJ20210001")
    assert "volunteer_number" in e.value.field_errors
    from civaffairs.groups.community.fields import COMMUNITIES, COMPOUNDS, DUTY_POINTS, ENTRANCES
    community = _create(w.db, COMMAND_LINE_ACTOR, COMMUNITIES, town_id=w.town,
                        name="渭滨社区", kind="community").id
    compounds = [_create(w.db, COMMAND_LINE_ACTOR, COMPOUNDS, community_id=community, name=n).id
                 for n in ("锦绣花园", "渭滨小区")]
    entrance = _create(w.db, COMMAND_LINE_ACTOR, ENTRANCES, compound_id=compounds[0], name="东门", state="open").id
    point = _create(w.db, COMMAND_LINE_ACTOR, DUTY_POINTS, entrance_id=entrance, name="锦绣花园东门值守点").id
    with pytest.raises(ValidationError) as e:
        _create(w.db, w.actor, ACTIVITIES, name="值守", kind="duty_point", town_id=w.town, place="东门",
                day=date(2021, 10, 20), compound_id=compounds[1], duty_point_id=point)
    assert "duty_point_id" in e.value.field_errors
    row = _create(w.db, w.actor, ACTIVITIES, name="值守", kind="duty_point", town_id=w.town, place="东门",
                  day=date(2021, 10, 20), compound_id=compounds[0], duty_point_id=point)
    assert row.values["duty_point_id"] == "锦绣花园东门值守点" and row.values["compound_id"] == "锦绣花园"
    with pytest.raises(ValidationError) as e:
        _create(w.db, w.actor, ACTIVITIES, name="值守", kind="duty_point", town_id=w.town, place="东门",
                day=date(2021, 10, 20), last_day=date(2021, 10, 19))
    assert "last_day" in e.value.field_errors


def test_shifts_carry_the_activity_in_fast_entry() -> None:
    assert SHIFTS.carried_fields == ("activity_id",)
    assert SHIFTS.parent_field == "activity_id" and CERTIFICATES.parent_field == "volunteer_id"


# ------------------------------------------------------------------ the report and the demo


def test_the_report_section_counts_the_period(world: World) -> None:
    w = world
    w.shift(w.zhang, w.duty, "2021-10-25 22:00", "2021-10-26 06:00")
    w.shift(w.li, w.nat, "2021-10-25 07:00", "2021-10-25 12:00")
    with w.db.read() as s:
        during = figures.report_section(s, w.actor, OUTBREAK)
        before = figures.report_section(s, w.actor, FIRST_DAYS)
    assert during.figure("volunteers_registered").value == before.figure("volunteers_registered").value == 2
    assert during.figure("party_members_registered").value == 1
    assert (during.figure("volunteers_serving").value, during.figure("shifts").value,
            during.figure("hours").value) == (2, 2, Decimal("13.0"))
    assert during.figure("shifts_across_midnight").value == 1
    assert (before.figure("volunteers_serving").value, before.figure("shifts").value,
            before.figure("hours").value) == (0, 0, Decimal("0.0"))
    kinds = {row[0]: row[1:] for row in during.tables[0].rows}
    assert kinds["值守点值守"] == (1, 1, 1, Decimal("8.0")) and kinds["核酸检测点引导"] == (1, 1, 1, Decimal("5.0"))
    assert during.tables[1].rows == (("道北街道", 3, 2, 2, Decimal("13.0")),)


def test_the_demo_has_volunteers_activities_and_night_shifts(sqlite_db: Database) -> None:
    from civaffairs.groups.community import demo as community_demo
    from civaffairs.places import demo as places_demo

    places_demo.fill(sqlite_db)
    community_demo.fill(sqlite_db)
    counts = demo.fill(sqlite_db)
    assert counts["volunteers"] >= 100 and counts["certificates"] == 3 and counts["shifts"] > 500
    assert demo.fill(sqlite_db)["volunteers"] == 0  # once
    with sqlite_db.read() as s:
        during = figures.report_section(s, COMMAND_LINE_ACTOR, OUTBREAK)
        early = figures.report_section(s, COMMAND_LINE_ACTOR, FIRST_DAYS)
        reg = figures.registered(s)
        shifts = list(s.execute(select(Shift.volunteer_id, Shift.sign_in, Shift.sign_out)
                                .order_by(Shift.volunteer_id, Shift.sign_in)))
        names = [r.values["name"] for r in records.fetch(s, COMMAND_LINE_ACTOR, VOLUNTEERS, limit=500)]
        kinds = {row[0] for row in during.tables[0].rows}
    assert reg.party_members > reg.volunteers / 2  # many party members
    assert len(set(names)) == len(names) and all(2 <= len(n) <= 3 for n in names)
    assert during.figure("shifts").value > early.figure("shifts").value > 0
    assert during.figure("hours").value > early.figure("hours").value > 0
    assert during.figure("shifts_across_midnight").value > 50 and during.figure("shifts_open").value == 2
    assert {kind_title("nat_guidance"), kind_title("duty_point")} <= kinds
    for (a_vid, _a_in, a_out), (b_vid, b_in, _b_out) in zip(shifts, shifts[1:]):
        if a_vid == b_vid:
            assert a_out is not None and a_out <= b_in  # one shift at a time


def test_the_groups_modules_import_no_qt() -> None:
    modules = [f"civaffairs.groups.volunteers.{m}" for m in ("models", "fields", "figures", "service", "demo",
                                                              "reports")]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'civaffairs.gui'))]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
