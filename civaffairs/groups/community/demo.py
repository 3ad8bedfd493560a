"""Demo data of group 3, through the services: compounds in several towns and sub-districts, their
entrances (one compound with two open: the "one entrance open" check finds it), duty points, a
week of rosters up to 5 November 2021 with one night left uncovered, the cadres and party
members assigned to the compounds (下沉包抓), a few hundred entry registrations (some abnormal)
and the disinfection of the duty points."""
from __future__ import annotations

import random
import uuid
from datetime import date, time, timedelta
from decimal import Decimal

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.demo import mobile, person_name, resident_id
from civaffairs.groups.community.fields import (
    ASSIGNMENTS, COMPOUNDS, DISINFECTION, DUTY_POINTS, ENTRANCES, ENTRIES, ROSTER,
)
from civaffairs.places import demo as places_demo
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records

LAST_DAY = date(2021, 11, 5)  # the report's "as of" date
ROSTER_DAYS = 7  # rosters for the last week of the demo period
ENTRY_DAYS = 12
ASSIGNED_SINCE = date(2021, 10, 20)

# (town, community, compound, address, households, residents, entrances: (name, open?))
COMPOUNDS_DATA = [
    ("道北街道", "渭滨社区", "锦绣花园", "渭滨南路36号", 612, 1835, [("东门", True), ("北门", True), ("西门", False)]),
    ("道北街道", "渭滨社区", "渭滨小区", "渭滨北路8号", 288, 862, [("正门", True), ("南门", False)]),
    ("道北街道", "天河社区", "天河家园", "天河南路101号", 436, 1309, [("南门", True), ("东侧门", False)]),
    ("北道埠街道", "东团庄社区", "东团庄安置小区", "东团庄路15号", 520, 1590, [("正门", True), ("后门", False)]),
    ("桥南街道", "伯阳路社区", "伯阳花苑", "伯阳路52号", 350, 1036, [("北门", True)]),
    ("桥南街道", "龙园社区", "龙园小区", "龙园路9号", 198, 587, [("东门", True), ("西门", False)]),
    ("马跑泉镇", "马跑泉社区", "泉湖小区", "马跑泉路201号", 264, 790, [("正门", True), ("侧门", False)]),
    ("社棠镇", "社棠社区", "社棠新村", "社棠镇街道6号", 176, 512, [("正门", True)]),
]
PROPERTY = ["天水华鑫物业", "麦积区安居物业", "天水万家物业", "天河物业服务中心", "业主委员会"]
LEADERS = [("王建国", "区民政局局长"), ("李红梅", "区民政局副局长"), ("张志强", "区民政局副局长"),
           ("赵海燕", "区民政局副局长")]
CADRE_POSTS = ["社会救助股股长", "养老服务股科员", "办公室科员", "社会事务股副股长", "区划地名股科员", "慈善协会干事"]
AREAS = ["值守岗亭", "登记桌椅", "测温枪和登记笔", "出入口门把手", "出入口地面"]
DISINFECTANTS = ["84消毒液（1:100）", "75%酒精", "含氯消毒剂 500mg/L"]


def _community_ids(db: Database, actor: Actor) -> dict[tuple[str, str], uuid.UUID]:
    with db.read() as s:
        towns = {o.label: o.id for o in records.options(s, actor, TOWNS)}
        found = {}
        for town, town_id in towns.items():
            q = records.ListQuery(equals=(("town_id", town_id),))
            for r in records.fetch(s, actor, COMMUNITIES, q, 0, 1000):
                found[(town, r.values["name"])] = r.id
    return found


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None) -> dict[str, int]:
    """Adds group 3's demo records once (nothing when compounds are there already)."""
    counts = {"compounds": 0, "entrances": 0, "duty_points": 0, "shifts": 0, "assignments": 0, "entries": 0,
              "disinfections": 0}
    with db.read() as s:
        if records.count(s, actor, COMPOUNDS):
            return counts
    communities = _community_ids(db, actor)
    if any((t, c) not in communities for t, c, *_rest in COMPOUNDS_DATA):
        places_demo.fill(db, actor=actor)
        communities = _community_ids(db, actor)
    rng = random.Random(3)
    points: list[tuple[str, uuid.UUID]] = []  # (compound, duty point)
    with db.write() as s:
        def add(spec, **values):  # type: ignore[no-untyped-def]
            return records.create(s, actor, spec, values).id

        for i, (town, community, name, address, households, residents, entrances) in enumerate(COMPOUNDS_DATA):
            compound = add(COMPOUNDS, community_id=communities[(town, community)], name=name, address=address,
                           households=households, residents=residents,
                           property_contact=f"{PROPERTY[i % len(PROPERTY)]} {person_name(rng)}",
                           property_phone=mobile(rng))
            counts["compounds"] += 1
            for entrance, is_open in entrances:
                eid = add(ENTRANCES, compound_id=compound, name=entrance, state="open" if is_open else "closed",
                          notes="" if is_open else "疫情期间封闭，设置硬隔离")
                counts["entrances"] += 1
                if is_open:
                    points.append((name, add(DUTY_POINTS, entrance_id=eid, name=f"{name}{entrance}值守点", notes="")))
                    counts["duty_points"] += 1
            leader, post = LEADERS[i % len(LEADERS)]
            people = [(leader, post, "leader", "包抓责任人")]
            people += [(person_name(rng), rng.choice(CADRE_POSTS), "cadre", "值守") for _ in range(2)]
            people += [(person_name(rng), "社区党员", "party_member", rng.choice(["值守", "登记", "核酸检测引导"]))
                       for _ in range(2)]
            for person, person_post, kind, role in people:
                add(ASSIGNMENTS, compound_id=compound, person=person, post=person_post, kind=kind, role=role,
                    since=ASSIGNED_SINCE + timedelta(days=rng.randrange(0, 3)), until=None, phone=mobile(rng))
                counts["assignments"] += 1

        # A day and a night shift at every duty point for the last week; 天河家园 has nobody on
        # the night of 5 November (the coverage view shows the gap), 伯阳花苑 nobody at noon on the 4th.
        for compound, point in points:
            for d in range(ROSTER_DAYS):
                day = LAST_DAY - timedelta(days=ROSTER_DAYS - 1 - d)
                day_shift = ("08:00", "20:00")
                if compound == "伯阳花苑" and day == LAST_DAY - timedelta(days=1):
                    day_shift = ("08:00", "12:00")
                    add(ROSTER, duty_point_id=point, day=day, start_time="14:00", end_time="20:00",
                        people=f"{person_name(rng)}、{person_name(rng)}", phone=mobile(rng), role="值守、登记")
                    counts["shifts"] += 1
                shifts = [day_shift]
                if not (compound == "天河家园" and day == LAST_DAY):
                    shifts.append(("20:00", "08:00"))
                for start, end in shifts:
                    add(ROSTER, duty_point_id=point, day=day, start_time=start, end_time=end,
                        people=f"{person_name(rng)}、{person_name(rng)}", phone=mobile(rng),
                        role="值守、登记" if start == "08:00" else "夜间值守")
                    counts["shifts"] += 1
            for d in range(ROSTER_DAYS):
                day = LAST_DAY - timedelta(days=d)
                for clock in ("07:30", "17:30"):
                    add(DISINFECTION, duty_point_id=point, day=day, time_of_day=clock, area=rng.choice(AREAS),
                        disinfectant=rng.choice(DISINFECTANTS), method=rng.choice(["spray", "wipe"]),
                        operator=person_name(rng))
                    counts["disinfections"] += 1

        # Entry registrations: about 25 a day at every duty point; one yellow code and two fevers.
        abnormal = {40: ("yellow", Decimal("36.6")), 131: ("green", Decimal("37.5")), 222: ("green", Decimal("37.3"))}
        n = 0
        for d in range(ENTRY_DAYS):
            day = LAST_DAY - timedelta(days=ENTRY_DAYS - 1 - d)
            for compound, point in points[:3] if d < ENTRY_DAYS - 3 else points:
                for _ in range(rng.randrange(8, 14)):
                    code, temperature = abnormal.get(n, ("green", Decimal(rng.randrange(358, 370)).scaleb(-1)))
                    born = date(rng.randrange(1950, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
                    with_id = rng.random() < 0.7
                    add(ENTRIES, duty_point_id=point, day=day,
                        time_of_day=time(rng.randrange(6, 22), rng.randrange(0, 60)),
                        direction=rng.choice(["in", "out"]), name=person_name(rng),
                        id_number=resident_id(rng, born, rng.random() < 0.5) if with_id else "",
                        phone=mobile(rng) if not with_id or rng.random() < 0.5 else "",
                        health_code=code, temperature=temperature, itinerary_card_checked=True,
                        pass_number=f"{compound[:2]}-{rng.randrange(1, 600):04d}" if rng.random() < 0.8 else "")
                    n += 1
        counts["entries"] = n
    return counts
