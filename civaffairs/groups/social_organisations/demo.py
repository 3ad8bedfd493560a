"""Group 5's demo data, written through the services: 35 social organisations of 麦积区 (社会团体,
民办非企业单位, 基金会) with valid credit codes; their prevention status from 20 October 2021
(most suspended, some limited or online only, two fruit associations resumed for the apple harvest
on 2 November, one foundation as usual); the measures they reported (a few never did); and four
notices sent to them with their acknowledgements — all of the National Day notice, all but one of
the suspension notice (overdue), not all of the volunteering initiative (no deadline) and several
missing of the donations notice of 3 November (overdue on 5 November).

麦积区慈善协会 is a 社会团体 here; group 6 names it as the receiving organisation of donations."""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from stdnum.cn import uscc

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.demo import mobile, person_name
from civaffairs.groups.social_organisations import fields as F
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records

LAST_DAY = date(2021, 11, 5)  # the report's "as of 5 November"
MEASURES_FROM = date(2021, 10, 20)  # activities suspended from this day
SCHOOLS_FROM = date(2021, 10, 21)  # kindergartens and training schools closed a day later
HARVEST_RESUMED = date(2021, 11, 2)
CHARITY_ASSOCIATION = "麦积区慈善协会"
BUREAU = "天水市麦积区民政局"
CITY_BUREAU = "天水市民政局"
DISTRICT, CITY = "620503", "620500"  # GB/T 2260: 麦积区, 天水市

A, P, FO = F.ASSOCIATION, F.PRIVATE_NON_ENTERPRISE, F.FOUNDATION
S, O, L = F.SUSPENDED, F.ONLINE, F.LIMITED
# (name, kind, town, street, status from 20/21 October or None)
ORGANISATIONS: list[tuple[str, str, str, str, str | None]] = [
    ("麦积区老年人体育协会", A, "道北街道", "渭滨北路56号", S),
    (CHARITY_ASSOCIATION, A, "北道埠街道", "商埠路118号", L),
    ("麦积区志愿者协会", A, "桥南街道", "伯阳路32号", L),
    ("麦积区书法家协会", A, "道北街道", "天河南路9号", S),
    ("麦积区摄影家协会", A, "北道埠街道", "埠北路21号", S),
    ("麦积区作家协会", A, "桥南街道", "龙园路15号", S),
    ("麦积区餐饮行业协会", A, "道北街道", "向阳路88号", S),
    ("麦积区花牛苹果产业协会", A, "花牛镇", "花牛村一组", S),
    ("麦积区社会组织联合会", A, "北道埠街道", "商埠路118号", O),
    ("麦积区太极拳协会", A, "马跑泉镇", "马跑泉路6号", S),
    ("麦积区象棋协会", A, "桥南街道", "伯阳路74号", S),
    ("麦积区秦腔艺术研究会", A, "道北街道", "渭滨南路40号", S),
    ("麦积区果品营销协会", A, "社棠镇", "社棠街12号", S),
    ("麦积区青年企业家协会", A, "北道埠街道", "东团庄路3号", O),
    ("麦积区家庭教育研究会", A, "桥南街道", "商埠路210号", O),
    ("麦积区乡村旅游协会", A, "马跑泉镇", "崖湾村", S),
    ("麦积区钓鱼协会", A, "社棠镇", "柳家河村", S),
    ("麦积区广场舞协会", A, "道北街道", "天河北路2号", S),
    ("天水市麦积区阳光社会工作服务中心", P, "道北街道", "向阳社区服务站二楼", L),
    ("天水市麦积区同心社会工作服务中心", P, "桥南街道", "伯阳路社区服务站", L),
    ("麦积区春晖青少年服务中心", P, "北道埠街道", "埠南路17号", O),
    ("麦积区启明星幼儿园", P, "桥南街道", "龙园路41号", S),
    ("麦积区小太阳幼儿园", P, "马跑泉镇", "马跑泉路27号", S),
    ("麦积区博雅艺术培训学校", P, "道北街道", "渭滨北路102号", S),
    ("麦积区新华职业技能培训学校", P, "北道埠街道", "商埠路66号", S),
    ("麦积区晨光儿童康复中心", P, "道北街道", "天河南路33号", S),
    ("麦积区康乐居家养老服务中心", P, "马跑泉镇", "马跑泉社区", S),
    ("麦积区惠民家政服务培训中心", P, "桥南街道", "商埠路150号", S),
    ("麦积区心桥心理咨询服务中心", P, "北道埠街道", "东团庄路19号", O),
    ("麦积区绿源环保公益服务中心", P, "社棠镇", "社棠社区", S),
    ("麦积区甘泉镇农民技术培训学校", P, "甘泉镇", "甘泉村", S),
    ("麦积区爱心助残服务中心", P, "花牛镇", "二十铺村", L),
    ("天水市麦积区教育发展基金会", FO, "北道埠街道", "商埠路55号", O),
    ("天水市麦积区见义勇为基金会", FO, "桥南街道", "伯阳路8号", None),
    ("天水市麦积区乡村振兴基金会", FO, "马跑泉镇", "马跑泉路1号", O),
]
SCHOOLS = ("幼儿园", "学校")  # closed from 21 October
RESUMED_FOR_HARVEST = ("麦积区花牛苹果产业协会", "麦积区果品营销协会")
NEVER_REPORTED = ("麦积区钓鱼协会", "麦积区广场舞协会", "麦积区象棋协会", "麦积区乡村旅游协会")
REPORTED_AFTER_HOLIDAY = ("天水市麦积区阳光社会工作服务中心", "麦积区启明星幼儿园", "麦积区老年人体育协会")
STATUS_NOTES = {
    S: "按区疫情防控领导小组要求暂停线下聚集性活动",
    O: "暂停线下活动，工作人员居家线上办公",
    L: "配合社区开展疫情防控，严格落实防控措施",
    F.RESUMED: "苹果销售季，经批准在落实防控措施前提下恢复活动",
}
MEASURES_OF = {
    S: ["no_gatherings", "plan", "health_monitoring", "publicity"],
    O: ["no_gatherings", "online_work", "plan", "publicity"],
    L: ["plan", "health_monitoring", "masks", "disinfection", "code_checks", "volunteering"],
    None: ["plan", "health_monitoring", "masks", "disinfection"],
}
EXTRA_MEASURES = ["masks", "disinfection", "volunteering", "donations", "publicity"]

# (title, document number, date, acknowledge by, who it goes to (kinds; empty: all), the channel,
#  organisations that never acknowledge it, days after sending that the others take)
NOTICES = [
    ("关于做好国庆假期社会组织疫情防控工作的通知", "麦民函〔2021〕27号", date(2021, 9, 28), date(2021, 9, 30), (),
     "wechat", (), (0, 1, 2)),
    ("关于全区社会组织暂停线下聚集性活动的紧急通知", "麦民函〔2021〕31号", date(2021, 10, 20), date(2021, 10, 21), (),
     "wechat", ("麦积区钓鱼协会",), (0, 0, 1, 2)),
    ("关于动员全区社会组织积极参与疫情防控志愿服务的倡议书", "", date(2021, 10, 25), None, (A, P), "wechat",
     ("麦积区象棋协会", "麦积区广场舞协会", "麦积区甘泉镇农民技术培训学校"), (0, 1, 1, 3)),
    ("关于规范社会组织疫情防控捐赠活动的通知", "麦民函〔2021〕36号", date(2021, 11, 3), date(2021, 11, 4), (), "sms",
     ("麦积区钓鱼协会", "麦积区乡村旅游协会", "麦积区太极拳协会", "麦积区秦腔艺术研究会", "麦积区小太阳幼儿园",
      "天水市麦积区乡村振兴基金会"), (0, 0, 1)),
]


def credit_code(kind: str, serial: int) -> str:
    """A valid code of the form a civil affairs bureau gives: 5, the kind's digit, the registering
    authority's region (foundations: the city's), MJ and seven digits, the GB 32100 check character."""
    region = CITY if kind == FO else DISTRICT
    body = f"{F.CIVIL_AFFAIRS}{F.KIND_DIGITS[kind]}{region}MJ{2630000 + serial * 37:07d}"
    return body + uscc.calc_check_digit(body)


def _towns(session, actor: Actor) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    towns = {o.label: o.id for o in records.options(session, actor, TOWNS)}
    for _name, _kind, town, *_rest in ORGANISATIONS:
        if town not in towns:  # an empty place tree: add what the organisations need
            kind = "subdistrict" if town.endswith("街道") else "town"
            towns[town] = records.create(session, actor, TOWNS, {"name": town, "kind": kind, "notes": ""}).id
    return towns


def _start(name: str) -> date:
    return SCHOOLS_FROM if name.endswith(SCHOOLS) else MEASURES_FROM


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None) -> dict[str, int]:
    """Adds group 5's demo records, none dated after `today` (default 5 November 2021).  A second
    run adds nothing."""
    last_day = today or LAST_DAY
    rng = random.Random(2021_5)
    counts = dict.fromkeys(("organisations", "status_periods", "measure_reports", "notices", "notices_sent",
                            "acknowledged"), 0)
    with db.write() as s:
        if ORGANISATIONS[0][0] in {o.label for o in records.options(s, actor, F.ORGANISATIONS)}:
            return counts
        towns = _towns(s, actor)
        ids: dict[str, uuid.UUID] = {}
        for n, (name, kind, town, street, status) in enumerate(ORGANISATIONS):
            ids[name] = records.create(s, actor, F.ORGANISATIONS, {
                "name": name, "kind": kind, "credit_code": credit_code(kind, n + 1),
                "registration_authority": CITY_BUREAU if kind == FO else BUREAU,
                "legal_representative": person_name(rng), "contact_person": person_name(rng),
                "contact_phone": mobile(rng), "town_id": towns[town], "address": f"麦积区{town}{street}",
                "notes": ""}).id
            counts["organisations"] += 1
            start = _start(name)
            if status is None or start > last_day:
                continue
            end = HARVEST_RESUMED - timedelta(days=1) if name in RESUMED_FOR_HARVEST else None
            if end is not None and HARVEST_RESUMED > last_day:
                end = None
            records.create(s, actor, F.STATUS_PERIODS, {"organisation_id": ids[name], "status": status,
                                                        "start_date": start, "end_date": end,
                                                        "note": STATUS_NOTES[status]})
            counts["status_periods"] += 1
            if end is not None:
                records.create(s, actor, F.STATUS_PERIODS, {"organisation_id": ids[name], "status": F.RESUMED,
                                                            "start_date": HARVEST_RESUMED, "end_date": None,
                                                            "note": STATUS_NOTES[F.RESUMED]})
                counts["status_periods"] += 1

    # The measures each reported: after National Day (a few), then once or twice from the outbreak.
    with db.write() as s:
        for name, _kind, _town, _street, status in ORGANISATIONS:
            days = []
            if name in REPORTED_AFTER_HOLIDAY:
                days.append(date(2021, 10, 8))
            if name not in NEVER_REPORTED:
                days.append(_start(name) + timedelta(days=rng.randrange(1, 4)))
                if rng.random() < 0.55:
                    days.append(date(2021, 10, 28) + timedelta(days=rng.randrange(0, 5)))
            for day in days:
                if day > last_day:
                    continue
                measures = set(MEASURES_OF[status if day >= MEASURES_FROM else None])
                measures.update(rng.sample(EXTRA_MEASURES, rng.randrange(0, 3)))
                if name == CHARITY_ASSOCIATION and day >= MEASURES_FROM:
                    measures.add("donations")
                records.create(s, actor, F.MEASURE_REPORTS, {
                    "organisation_id": ids[name], "day": day, "measures": sorted(measures),
                    "reported_by": person_name(rng), "note": ""})
                counts["measure_reports"] += 1

    # The notices, sent to every organisation of their kinds on their date, each record entered with
    # its receipt when there was one (one write per organisation rather than a send and an update).
    kind_of = {name: kind for name, kind, *_rest in ORGANISATIONS}
    for title, number, day, reply_by, kinds, channel, never, delays in NOTICES:
        if day > last_day:
            continue
        with db.write() as s:
            notice = records.create(s, actor, F.NOTICES, {
                "title": title, "document_number": number, "issued_by": BUREAU, "notice_date": day,
                "reply_by": reply_by, "note": ""})
            counts["notices"] += 1
            for name, organisation_id in ids.items():
                if kinds and kind_of[name] not in kinds:
                    continue
                acknowledged = None if name in never else day + timedelta(days=rng.choice(delays))
                if acknowledged is not None and acknowledged > last_day:
                    acknowledged = None
                records.create(s, actor, F.DELIVERIES, {
                    "organisation_id": organisation_id, "org_notice_id": notice.id, "sent_date": day,
                    "channel": channel, "acknowledged_date": acknowledged,
                    "acknowledged_by": person_name(rng) if acknowledged else ""})
                counts["notices_sent"] += 1
                counts["acknowledged"] += acknowledged is not None
    return counts
