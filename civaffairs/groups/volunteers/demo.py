"""Demo data of group 7, through the services: about a hundred volunteers (ordinary names, many of
them Party members) and their activities in October–November 2021 — guidance at the NAT sites of
the district's testing rounds, duty at the compounds' duty points (group 3's, when its demo has
made them) day and night, including night shifts from 22:00 to 06:00 the next morning, keeping
order at the fever clinic, deliveries to households in closed compounds and publicity — with
shifts that never overlap for one volunteer, two shifts still open on the night of 5 November,
and three service certificates issued on 5 November."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.demo import DEMO_OFFICE, SURNAMES, mobile, resident_id
from civaffairs.groups.community.models import Compound, DutyPoint, Entrance
from civaffairs.groups.volunteers import figures, service
from civaffairs.groups.volunteers.fields import (
    ACTIVITIES, AVAILABILITY, CERTIFICATES, DELIVERY, DUTY_POINT, NAT_GUIDANCE, ORDER, OTHER, SHIFTS, SKILLS,
    VOLUNTEERS,
)
from civaffairs.places import demo as places_demo
from civaffairs.places.fields import TOWNS
from civaffairs.places.models import Community, Town
from civaffairs.records import service as records
from civaffairs.reports.figures import Period

AS_OF = date(2021, 11, 5)  # the reference date of the brief's figures
VOLUNTEER_COUNT = 108
ORGANISATIONS = [
    ("麦积区青年志愿者协会", None), ("区民政局机关党支部", None), ("麦积区巾帼志愿服务队", None),
    ("道北街道渭滨社区志愿服务队", "道北街道"), ("道北街道天河社区志愿服务队", "道北街道"),
    ("北道埠街道东团庄社区志愿服务队", "北道埠街道"), ("桥南街道伯阳路社区志愿服务队", "桥南街道"),
    ("马跑泉镇新时代文明实践志愿服务队", "马跑泉镇"), ("社棠镇党员志愿服务队", "社棠镇"),
    ("麦积区红十字志愿服务队", None), ("天水市退役军人志愿服务队麦积分队", None),
]
# The district's NAT rounds (核酸检测) and their sites: (town, site); the round of 8 October was
# a small one, before the outbreak spread.
NAT_ROUNDS = [date(2021, 10, 8), date(2021, 10, 21), date(2021, 10, 24), date(2021, 10, 27), date(2021, 10, 31),
              date(2021, 11, 3)]
NAT_SITES = [("道北街道", "渭滨社区核酸采样点（渭滨广场）"), ("北道埠街道", "东团庄社区核酸采样点（社区服务中心）"),
             ("桥南街道", "伯阳路社区核酸采样点（伯阳路小学操场）"), ("马跑泉镇", "马跑泉镇卫生院核酸采样点")]
NAT_TASKS = ["排队引导", "扫码登记", "维持间距", "信息录入", "咨询解答"]
DUTY_FROM = date(2021, 10, 20)  # the compounds' duty points were set up from 20 October
DUTY_TASKS = ["查验健康码、行程卡", "测温登记", "出入证查验"]
# (day shift, evening shift, night shift across midnight)
DUTY_SLOTS = [(time(8, 0), time(14, 0)), (time(14, 0), time(22, 0)), (time(22, 0), time(6, 0))]


# Given names people really have, men's and women's, of the generations who volunteered.
GIVEN_MALE = ["建军", "海涛", "志刚", "国强", "宏伟", "明辉", "晓峰", "鹏飞", "立新", "卫东", "文博", "俊杰", "浩然",
              "宇航", "永平", "建华", "小军", "伟", "磊", "涛", "勇", "超", "杰", "斌", "鑫"]
GIVEN_FEMALE = ["丽娟", "秀兰", "晓燕", "文静", "雪梅", "春燕", "玉梅", "丽华", "永红", "红霞", "淑芳", "亚楠",
                "佳怡", "欣怡", "思雨", "金花", "婷婷", "敏", "静", "娟", "芳", "琳", "慧", "丹"]


def _name(rng: random.Random, male: bool, taken: set[str]) -> str:
    """An ordinary name, not given to another volunteer of the demo."""
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        if name not in taken:
            taken.add(name)
            return name


def _towns(db: Database, actor: Actor) -> dict[str, uuid.UUID]:
    with db.read() as s:
        return {o.label: o.id for o in records.options(s, actor, TOWNS)}


def _duty_points(db: Database) -> list[tuple[str, uuid.UUID, uuid.UUID, str]]:
    """(town, compound, duty point, duty point name) of group 3's live duty points."""
    with db.read() as s:
        return [tuple(r) for r in s.execute(  # type: ignore[misc]
            select(Town.name, Compound.id, DutyPoint.id, DutyPoint.name)
            .join(Entrance, Entrance.id == DutyPoint.entrance_id).join(Compound, Compound.id == Entrance.compound_id)
            .join(Community, Community.id == Compound.community_id).join(Town, Town.id == Community.town_id)
            .where(DutyPoint.deleted_at.is_(None), Entrance.deleted_at.is_(None), Compound.deleted_at.is_(None))
            .order_by(Town.name, Compound.name, DutyPoint.name))]


def _at(day: date, clock: time) -> datetime:
    """A moment on this PC's clock (the demo's times are local, as a clerk types them)."""
    return datetime.combine(day, clock).astimezone()


class _Timetable:
    """Who is busy when, so that the demo never gives a volunteer two shifts at once (the
    service would refuse it) and leaves a rest of at least eight hours between shifts."""

    REST = timedelta(hours=8)

    def __init__(self, rng: random.Random, volunteers: list[uuid.UUID]) -> None:
        self.rng = rng
        self.volunteers = volunteers
        self.busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {v: [] for v in volunteers}

    def free(self, vid: uuid.UUID, start: datetime, end: datetime) -> bool:
        return all(end + self.REST <= a or b + self.REST <= start for a, b in self.busy[vid])

    def pick(self, n: int, start: datetime, end: datetime, prefer: list[uuid.UUID] | None = None) -> list[uuid.UUID]:
        """`n` volunteers free from `start` to `end`, those of `prefer` (a town's own team) first."""
        near = [v for v in prefer or [] if self.free(v, start, end)]
        chosen = self.rng.sample(near, min(n, len(near)))
        others = [v for v in self.volunteers if v not in chosen and self.free(v, start, end)]
        chosen += self.rng.sample(others, min(n - len(chosen), len(others)))
        for v in chosen:
            self.busy[v].append((start, end))
        return chosen


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None) -> dict[str, int]:
    """Adds group 7's demo records once (nothing when volunteers are there already)."""
    counts = {"volunteers": 0, "activities": 0, "shifts": 0, "certificates": 0}
    with db.read() as s:
        if records.count(s, actor, VOLUNTEERS):
            return counts
    towns = _towns(db, actor)
    if not all(t in towns for t, _site in NAT_SITES):
        places_demo.fill(db, actor=actor)
        towns = _towns(db, actor)
    rng = random.Random(7)
    volunteer_ids: list[uuid.UUID] = []
    locals_of: dict[str, list[uuid.UUID]] = {}  # volunteers of a town's own teams
    with db.write() as s:
        used: set[str] = set()
        names: set[str] = set()
        for n in range(VOLUNTEER_COUNT):
            male = rng.random() < 0.55
            born = date(rng.randrange(1962, 2003), rng.randrange(1, 13), rng.randrange(1, 29))
            number = resident_id(rng, born, male)
            while number in used:
                number = resident_id(rng, born, male)
            used.add(number)
            organisation, town = ORGANISATIONS[n % len(ORGANISATIONS)]
            row = records.create(s, actor, VOLUNTEERS, {
                "name": _name(rng, male, names), "id_number": number, "phone": mobile(rng),
                "volunteer_number": f"MJ2021{n + 1:04d}", "organisation": organisation,
                "party_member": organisation == "区民政局机关党支部" or rng.random() < 0.55,
                "skills": rng.sample([c.code for c in SKILLS], rng.randrange(1, 4)),
                "availability": rng.sample([c.code for c in AVAILABILITY], rng.randrange(1, 3)), "notes": "",
            })
            volunteer_ids.append(row.id)
            if town:
                locals_of.setdefault(town, []).append(row.id)
            counts["volunteers"] += 1
    table = _Timetable(rng, volunteer_ids)

    def activity(s, name: str, kind: str, town: str, place: str, day: date, last_day: date | None = None,  # type: ignore[no-untyped-def]
                 organiser: str = "麦积区民政局志愿服务组", **extra) -> uuid.UUID:
        counts["activities"] += 1
        return records.create(s, actor, ACTIVITIES, {
            "name": name, "kind": kind, "town_id": towns[town], "place": place, "day": day, "last_day": last_day,
            "organiser": organiser, "notes": "", **extra}).id

    def shifts(s, activity_id: uuid.UUID, people: int, day: date, start: time, end: time,  # type: ignore[no-untyped-def]
               tasks: list[str], prefer: list[uuid.UUID] | None = None, open_ones: int = 0) -> None:
        begin = _at(day, start)
        finish = _at(day + timedelta(days=1) if end <= start else day, end)
        for i, vid in enumerate(table.pick(people, begin, finish, prefer)):
            still_on = i < open_ones  # signed in, not yet signed out
            records.create(s, actor, SHIFTS, {
                "activity_id": activity_id, "volunteer_id": vid, "sign_in": begin,
                "sign_out": None if still_on else finish, "task": rng.choice(tasks), "notes": ""})
            counts["shifts"] += 1

    with db.write() as s:
        # Guidance at the NAT sites of each testing round: a morning and an afternoon team.
        for day in NAT_ROUNDS:
            sites = NAT_SITES[:2] if day == NAT_ROUNDS[0] else NAT_SITES
            for town, site in sites:
                aid = activity(s, f"{day.month}月{day.day}日{site.split('（')[0]}引导服务", NAT_GUIDANCE, town, site, day,
                               organiser=f"{town}办事处" if town.endswith("街道") else f"{town}人民政府")
                shifts(s, aid, rng.randrange(4, 7), day, time(7, 0), time(12, 0), NAT_TASKS, locals_of.get(town))
                shifts(s, aid, rng.randrange(3, 6), day, time(13, 30), time(18, 0), NAT_TASKS)

        # Duty at the compounds' duty points, day, evening and night (22:00 to 06:00 the next day).
        points = _duty_points(db)
        for town, compound_id, point_id, point in points:
            aid = activity(s, f"{point}志愿值守", DUTY_POINT, town, point, DUTY_FROM, AS_OF,
                           organiser=f"{town}办事处" if town.endswith("街道") else f"{town}人民政府",
                           compound_id=compound_id, duty_point_id=point_id)
            for d in range((AS_OF - DUTY_FROM).days + 1):
                day = DUTY_FROM + timedelta(days=d)
                for slot, (start, end) in enumerate(DUTY_SLOTS):
                    if slot < 2 and rng.random() < 0.35:
                        continue  # the community's own cadres kept this one
                    last_night = day == AS_OF and slot == 2
                    shifts(s, aid, 1, day, start, end, DUTY_TASKS if slot < 2 else ["夜间值守"],
                           open_ones=1 if last_night and point_id in {p[2] for p in points[:2]} else 0)
        if not points:  # group 3's demo not run: duty at a district checkpoint instead
            aid = activity(s, "道北街道渭滨社区卡口志愿值守", DUTY_POINT, "道北街道", "渭滨路卡口", DUTY_FROM, AS_OF)
            for d in range((AS_OF - DUTY_FROM).days + 1):
                for start, end in DUTY_SLOTS:
                    shifts(s, aid, 1, DUTY_FROM + timedelta(days=d), start, end, DUTY_TASKS)

        # Keeping order at the fever clinic, every morning from 20 October.
        aid = activity(s, "区人民医院发热门诊秩序维护", ORDER, "道北街道", "麦积区人民医院发热门诊", DUTY_FROM, AS_OF,
                       organiser="麦积区卫健局")
        for d in range((AS_OF - DUTY_FROM).days + 1):
            shifts(s, aid, 2, DUTY_FROM + timedelta(days=d), time(8, 0), time(12, 30), ["一米线引导", "秩序维护"])

        # Deliveries of daily necessities to households in closed compounds.
        aid = activity(s, "道北街道封闭小区生活物资配送到户", DELIVERY, "道北街道", "渭滨社区、天河社区封闭管理小区",
                       date(2021, 10, 25), AS_OF, organiser="道北街道办事处")
        for d in range((AS_OF - date(2021, 10, 25)).days + 1):
            day = date(2021, 10, 25) + timedelta(days=d)
            shifts(s, aid, 3, day, time(9, 0), time(12, 0), ["蔬菜配送", "药品代购", "生活物资配送"])
            shifts(s, aid, 2, day, time(15, 0), time(18, 30), ["蔬菜配送", "生活物资配送"])

        # Publicity of the prevention measures, before and during the outbreak.
        for day, town, place in ((date(2021, 10, 2), "社棠镇", "社棠镇集市"), (date(2021, 10, 22), "桥南街道", "伯阳路沿街商铺")):
            aid = activity(s, f"{town}疫情防控政策宣传", OTHER, town, place, day)
            shifts(s, aid, 4, day, time(9, 0), time(11, 30), ["发放宣传单", "张贴倡议书"])

    # Three certificates issued on 5 November, to those with the most hours since 1 October.
    with db.read() as s:
        top = figures.hours_by_volunteer(s, Period(date(2021, 10, 1), AS_OF))[:3]
        office = accounts.office_name(s) or DEMO_OFFICE
    with db.write() as s:
        for line in top:
            row = records.create(s, actor, CERTIFICATES, {
                "volunteer_id": line.volunteer_id, "period_start": date(2021, 10, 1), "period_end": AS_OF,
                "content": "", "organisation": office, "person_in_charge": "李红梅", "handler": "王静",
                "contact": "0938-2731234", "issue_date": AS_OF})
            service.issue_certificate(s, actor, row.id)
            counts["certificates"] += 1
    return counts
