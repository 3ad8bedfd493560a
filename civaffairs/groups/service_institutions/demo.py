"""Group 2's demo data: the brief's facts as records, written through the services.

4 elderly care institutions under closed management from 20 October 2021, 3 urban elderly care
service centres and the 道北日间照料中心 with gathering services suspended, the marriage registry
with registration suspended and couples whose appointments were postponed; the residents of the
elderly care institutions (many of them extreme-poverty persons in central care) tested in 3 rounds,
all negative; daily checks (one institution has not reported on the last day); a month of supplies
(one item short of it, so that the highlight has something to show)."""
from __future__ import annotations

import math
import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.demo import mobile, person_name, resident_id
from civaffairs.groups.service_institutions import fields as F
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records

LAST_DAY = date(2021, 11, 5)  # the report's "as of 5 November"
MEASURES_FROM = date(2021, 10, 20)  # closed management and suspensions begin
REGISTRATION_FROM = date(2021, 10, 21)
NAT_DAYS = (date(2021, 10, 22), date(2021, 10, 27), date(2021, 11, 1))

# (name, kind, town, address, person in charge, phone, beds, residents, share in central care)
INSTITUTIONS = [
    ("麦积区社会福利中心", "elderly_care", "道北街道", "麦积区道北街道渭滨北路18号", "王建华", "0938-2731206", 120, 38, 0.55),
    ("马跑泉镇敬老院", "elderly_care", "马跑泉镇", "麦积区马跑泉镇崖湾村", "李国庆", "0938-2791335", 60, 26, 0.85),
    ("甘泉镇中心敬老院", "elderly_care", "甘泉镇", "麦积区甘泉镇甘泉村", "张明", "0938-2651120", 50, 19, 0.9),
    ("社棠镇敬老院", "elderly_care", "社棠镇", "麦积区社棠镇社棠社区", "赵刚", "0938-2681047", 40, 15, 0.9),
    ("北道埠街道城市养老服务中心", "urban_centre", "北道埠街道", "麦积区北道埠街道东团庄社区", "陈丽", "0938-2735512", 30, 0, 0),
    ("桥南街道城市养老服务中心", "urban_centre", "桥南街道", "麦积区桥南街道伯阳路社区", "刘芳", "0938-2712086", 30, 0, 0),
    ("道北街道城市养老服务中心", "urban_centre", "道北街道", "麦积区道北街道向阳社区", "周静", "0938-2748831", 24, 0, 0),
    ("道北日间照料中心", "day_care", "道北街道", "麦积区道北街道天河社区", "吴敏", "0938-2746620", 20, 0, 0),
    ("麦积区婚姻登记处", "marriage_registry", "北道埠街道", "麦积区北道埠街道商埠路", "孙海燕", "0938-2723156", None, 0, 0),
    ("麦积区殡仪服务中心", "funeral", "花牛镇", "麦积区花牛镇花牛村", "马军", "0938-2760118", None, 0, 0),
]
STATUS_OF_KIND = {"elderly_care": F.CLOSED, "urban_centre": F.GATHERINGS_SUSPENDED, "day_care": F.GATHERINGS_SUSPENDED,
                  "marriage_registry": F.REGISTRATION_SUSPENDED}
STATUS_NOTES = {F.CLOSED: "按区联防联控领导小组要求实行封闭管理", F.GATHERINGS_SUSPENDED: "暂停助餐堂食、文体娱乐等聚集性服务",
                F.REGISTRATION_SUSPENDED: "暂停婚姻登记，恢复时间另行通知"}
ORGANISERS = ("区疾控中心", "区第一人民医院", "区中医医院")
NOT_REPORTING = "社棠镇敬老院"  # has not reported its daily check on the last day
SHORT_ITEM = ("甘泉镇中心敬老院", "vegetables", 22)  # the one reserve below the 30-day target
# (item, unit, daily use per resident, days held)
SUPPLIES = [("rice", "千克", "0.40", 45), ("flour", "千克", "0.30", 40), ("cooking_oil", "千克", "0.05", 60),
            ("vegetables", "千克", "0.80", 32), ("masks", "个", "2.00", 40), ("disinfectant", "千克", "0.05", 50)]
POSTS = ["护理员", "护理员", "厨师", "保安", "院长", "医生"]
COUPLES = 9


def _towns(session, actor: Actor) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    towns = {o.label: o.id for o in records.options(session, actor, TOWNS)}
    for _name, _kind, town, *_rest in INSTITUTIONS:
        if town not in towns:  # an empty place tree: add what the institutions need
            kind = "subdistrict" if town.endswith("街道") else "town"
            towns[town] = records.create(session, actor, TOWNS, {"name": town, "kind": kind, "notes": ""}).id
    return towns


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None) -> dict[str, int]:
    """Adds group 2's demo records, the last of them dated `today` (default 5 November 2021).
    A second run adds nothing."""
    last_day = today or LAST_DAY
    rng = random.Random(2021_2)
    counts = dict.fromkeys(("institutions", "status_periods", "residents", "staff_on_site", "nat_rounds",
                            "nat_results", "daily_checks", "reserves", "postponed_marriages"), 0)
    with db.write() as s:
        existing = {o.label for o in records.options(s, actor, F.INSTITUTIONS)}
        if INSTITUTIONS[0][0] in existing:
            return counts
        towns = _towns(s, actor)
        ids: dict[str, uuid.UUID] = {}
        residents: dict[str, list[tuple[uuid.UUID, date, date | None]]] = {}
        for name, kind, town, address, head, phone, beds, n_residents, central_share in INSTITUTIONS:
            ids[name] = records.create(s, actor, F.INSTITUTIONS, {
                "name": name, "kind": kind, "town_id": towns[town], "address": address, "person_in_charge": head,
                "phone": phone, "capacity": beds, "notes": ""}).id
            counts["institutions"] += 1
            status = STATUS_OF_KIND.get(kind)
            start = REGISTRATION_FROM if status == F.REGISTRATION_SUSPENDED else MEASURES_FROM
            if status and start <= last_day:
                records.create(s, actor, F.STATUS_PERIODS, {"institution_id": ids[name], "status": status,
                                                            "start_date": start, "note": STATUS_NOTES[status]})
                counts["status_periods"] += 1
            residents[name] = []
            for n in range(n_residents):
                male = rng.random() < 0.55
                born = date(rng.randrange(1930, 1957), rng.randrange(1, 13), rng.randrange(1, 29))
                admitted = date(rng.randrange(2012, 2021), rng.randrange(1, 13), rng.randrange(1, 29))
                # One resident of the largest home went to hospital for good between two rounds.
                discharged = date(2021, 10, 29) if name == INSTITUTIONS[0][0] and n == 0 and last_day >= date(2021, 10, 29) else None
                row = records.create(s, actor, F.RESIDENTS, {
                    "institution_id": ids[name], "name": person_name(rng), "id_number": resident_id(rng, born, male),
                    "care_level": rng.choice(["self_care", "self_care", "partial", "full"]),
                    "central_care": rng.random() < central_share, "admission_date": admitted,
                    "discharge_date": discharged})
                residents[name].append((row.id, admitted, discharged))
                counts["residents"] += 1
            if kind == "elderly_care" and MEASURES_FROM <= last_day:
                for post in POSTS[:rng.randrange(4, 7)]:
                    records.create(s, actor, F.STAFF_ON_SITE, {
                        "institution_id": ids[name], "name": person_name(rng), "post": post, "phone": mobile(rng),
                        "from_date": MEASURES_FROM})
                    counts["staff_on_site"] += 1

    # Three rounds for the residents of the elderly care institutions, all negative.
    for r, day in enumerate(d for d in NAT_DAYS if d <= last_day):
        with db.write() as s:
            for name, kind, *_rest in INSTITUTIONS:
                if kind != "elderly_care":
                    continue
                round_id = records.create(s, actor, F.NAT_ROUNDS, {
                    "institution_id": ids[name], "day": day, "organised_by": ORGANISERS[r % len(ORGANISERS)],
                    "note": "入住老人全员检测"}).id
                counts["nat_rounds"] += 1
                for resident, admitted, discharged in residents[name]:
                    if admitted > day or (discharged is not None and discharged < day):
                        continue
                    sampled = datetime.combine(day, time(9, rng.randrange(0, 60))).astimezone()
                    records.create(s, actor, F.NAT_RESULTS, {"round_id": round_id, "resident_id": resident,
                                                             "result": F.NEGATIVE, "sample_time": sampled})
                    counts["nat_results"] += 1

    # Daily checks of the institutions under prevention measures, for the last days.
    first = max(MEASURES_FROM, last_day - timedelta(days=20))
    day = first
    while day <= last_day:
        with db.write() as s:
            for name, kind, *_rest, n_residents, _share in INSTITUTIONS:
                status = STATUS_OF_KIND.get(kind)
                start = REGISTRATION_FROM if status == F.REGISTRATION_SUSPENDED else MEASURES_FROM
                if status is None or day < start or (day == last_day and name == NOT_REPORTING):
                    continue
                records.create(s, actor, F.DAILY_CHECKS, {
                    "institution_id": ids[name], "day": day, "temperature_checks": True, "masks": True,
                    "ventilation": True, "disinfection": True, "no_gatherings": True, "visitors_refused": True,
                    "people_checked": n_residents + rng.randrange(3, 8) if n_residents else rng.randrange(2, 6),
                    "reported_by": person_name(rng), "notes": ""})
                counts["daily_checks"] += 1
        day += timedelta(days=1)

    # A month of basic supplies for the elderly care institutions, counted on the first day.
    as_of = min(MEASURES_FROM, last_day)
    with db.write() as s:
        for name, kind, *_rest, n_residents, _share in INSTITUTIONS:
            if kind != "elderly_care":
                continue
            present = sum(1 for _r, a, d in residents[name] if a <= as_of and (d is None or d >= as_of))
            for item, unit, use, days in SUPPLIES:
                if (name, item) == SHORT_ITEM[:2]:
                    days = SHORT_ITEM[2]
                quantity = math.ceil(Decimal(use) * present * days)
                records.create(s, actor, F.RESERVES, {
                    "institution_id": ids[name], "item": item, "other_item": "", "quantity": quantity, "unit": unit,
                    "daily_use": Decimal(use), "as_of": as_of})
                counts["reserves"] += 1

    # Appointments postponed by the suspension; some couples already told of a new date.
    if REGISTRATION_FROM <= last_day:
        with db.write() as s:
            for n in range(COUPLES):
                original = REGISTRATION_FROM + timedelta(days=n * 2)
                if original > last_day:
                    break
                told = n % 2 == 0
                new_date = date(2021, 11, 22) + timedelta(days=n) if told or n % 3 == 1 else None
                records.create(s, actor, F.POSTPONED_MARRIAGES, {
                    "institution_id": ids["麦积区婚姻登记处"], "name_1": person_name(rng), "phone_1": mobile(rng),
                    "name_2": person_name(rng), "phone_2": mobile(rng), "original_date": original,
                    "new_date": new_date, "told": told})
                counts["postponed_marriages"] += 1
    return counts
