"""`civaffairs demo`: fill the registers with realistic data, through the services (so that
everything is validated and audited, under the command-line actor)."""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from stdnum.cn import ric

from civaffairs.accounts import service as accounts
from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor, Role
from civaffairs.core import clock
from civaffairs.core.clock import today_local
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.notices import service as notices
from civaffairs.records import service as records

DEMO_OFFICE = "天水市麦积区民政局"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "文博", "子涵", "雪梅", "国庆", "红梅", "建国", "玉兰"]
DEPARTMENTS = ["办公室", "社会救助股", "养老服务股", "社会事务股", "区划地名股", "社会组织管理局", "慈善协会", "婚姻登记处"]
# A bureau has one director and a few deputies; the rest are section staff.
LEADERSHIP = [("局长", "局领导"), ("副局长", "局领导"), ("副局长", "局领导"), ("副局长", "局领导")]
POSTS = ["科员", "科员", "科员", "股长", "副股长", "办事员", "四级主任科员"]
REGIONS = ["620503", "620502", "620521", "620522", "620523"]  # 天水市麦积区、秦州区及所辖县
UNITS = ["麦积区卫健局", "道北街道办事处", "桥南街道办事处", "区慈善协会", "甘泉镇政府", "社棠镇政府", "中国移动天水分公司", "区财政局"]
AREAS = ["一楼大厅", "二楼办公区", "三楼会议室", "档案室", "卫生间", "电梯轿厢", "食堂", "婚姻登记大厅", "门卫室"]
DISINFECTANTS = ["84消毒液（1:100）", "75%酒精", "含氯消毒剂 500mg/L", "过氧乙酸 0.2%"]
PURPOSES = ["送达文件", "办理低保审核", "咨询临时救助", "捐赠物资对接", "参加疫情防控会议", "检查指导", "婚姻登记咨询"]


def resident_id(rng: random.Random, born: date, male: bool) -> str:
    seq = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2 + (1 if male else 0)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def person_name(rng: random.Random) -> str:
    """An ordinary name: a surname and a given name of one or two characters (never 子涵子涵)."""
    given = rng.choice(GIVEN)
    if len(given) == 1 and rng.random() < 0.4:  # 王建军: two one-character parts, never the same twice
        second = rng.choice([g for g in GIVEN if len(g) == 1 and g != given])
        given += second
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "177", "187", "189"]) + f"{rng.randrange(10**8):08d}"


@dataclass
class DemoAccount:
    username: str
    role: Role
    groups: tuple[int, ...]
    password: str


DEMO_ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMINISTRATOR, ()),
    ("leader", "局长", Role.LEADER, ()),
    ("office", "办公室干事", Role.MEMBER, (1,)),
    ("institutions", "养老股干事", Role.MEMBER, (2,)),
    ("viewer", "查阅人员", Role.VIEWER, ()),
]


def create_accounts(db: Database) -> list[DemoAccount]:
    """Demo accounts with fresh random passwords (shown once; only their hashes are kept)."""
    made: list[DemoAccount] = []
    with db.write() as s:
        first = not accounts.is_initialised(s)
        existing = set() if first else {u.username for u in accounts.list_users(s, COMMAND_LINE_ACTOR)}
        for username, display, role, groups in DEMO_ACCOUNTS:
            if username in existing:
                continue
            password = secrets.token_urlsafe(9)
            if first:
                accounts.initialise_office(s, DEMO_OFFICE, username, display, password, by=COMMAND_LINE_ACTOR)
                first = False
            else:
                accounts.create_user(s, COMMAND_LINE_ACTOR, username, display, password, role, list(groups))
            made.append(DemoAccount(username, role, groups, password))
    return made


def fill(db: Database, *, staff: int = 48, days: int = 30, seed: int = 2021, actor: Actor = COMMAND_LINE_ACTOR,
         today: date | None = None, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Group 1's registers: staff, `days` days of check-ins, visitors and disinfection."""
    with db.read() as s:  # a second run adds other people, not the same ID numbers again
        existing = sum(records.count(s, actor, bo.STAFF, records.ListQuery(deleted=d)) for d in (False, True))
    rng = random.Random(seed + existing)
    today = today or today_local()
    now = clock.now_utc()
    counts = dict.fromkeys(("staff", "check_ins", "visitors", "disinfection"), 0)
    staff_ids = []
    with db.write() as s:
        for n in range(staff):
            male = rng.random() < 0.5
            born = date(rng.randrange(1965, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
            groups = sorted({str(rng.randrange(1, 8)) for _ in range(rng.choice((1, 1, 2)))})
            post, department = (LEADERSHIP[n] if existing == 0 and n < len(LEADERSHIP)
                                else (rng.choice(POSTS), rng.choice(DEPARTMENTS)))
            row = records.create(s, actor, bo.STAFF, {
                "name": person_name(rng), "department": department, "post": post,
                "phone": mobile(rng), "id_number": resident_id(rng, born, male), "working_groups": groups,
            })
            staff_ids.append(row.id)
            counts["staff"] += 1
    for back in range(days - 1, -1, -1):
        if progress:
            progress(days - back - 1, days)  # may raise to cancel: finished days stay saved
        day = today - timedelta(days=back)
        with db.write() as s:  # one day's entries, as a clerk would make them
            for i, staff_id in enumerate(staff_ids):
                if back == 0 and i > 1 and rng.random() < 0.25:
                    continue  # some have not checked in yet today
                if i > 1 and rng.random() < 0.03:
                    continue
                # Today one has a fever and one a yellow code, so the "today" view has something to show.
                fever = (back == 0 and i == 0) or rng.random() < 0.01
                code = "yellow" if back == 0 and i == 1 else "green" if rng.random() > 0.01 else rng.choice(["yellow", "red"])
                records.create(s, actor, bo.CHECK_INS, {
                    "staff_id": staff_id, "day": day,
                    "morning_temperature": Decimal(rng.choice(["36.2", "36.4", "36.5", "36.6", "36.7", "36.8"]))
                    if not fever else Decimal("37.6"),
                    "afternoon_temperature": None if back == 0 else Decimal(rng.choice(["36.3", "36.5", "36.6", "36.9"])),
                    "health_code": code, "travelled_outside": rng.random() < 0.02, "notes": "",
                })
                counts["check_ins"] += 1
            for _ in range(rng.randrange(2, 7)):
                born = date(rng.randrange(1955, 2003), rng.randrange(1, 13), rng.randrange(1, 29))
                arrived = datetime.combine(day, time(rng.randrange(8, 17), rng.choice((0, 10, 20, 30, 40, 50))))
                left = arrived + timedelta(minutes=rng.randrange(10, 120))
                if left.astimezone() > now:
                    continue  # nobody has come in from the future
                records.create(s, actor, bo.VISITORS, {
                    "time_in": arrived.astimezone(), "time_out": left.astimezone(),
                    "name": person_name(rng), "id_number": resident_id(rng, born, rng.random() < 0.5),
                    "phone": mobile(rng), "work_unit": rng.choice(UNITS), "person_visited": rng.choice(["王局长", "办公室", "救助股", "养老股"]),
                    "temperature": Decimal(rng.choice(["36.3", "36.5", "36.6", "36.8"])), "health_code": "green",
                    "itinerary_card_checked": True, "purpose": rng.choice(PURPOSES),
                })
                counts["visitors"] += 1
            for hour in (8, 14):
                for area in rng.sample(AREAS, 3):
                    records.create(s, actor, bo.DISINFECTION, {
                        "day": day, "time_of_day": time(hour, rng.choice((0, 15, 30))), "area": area,
                        "disinfectant": rng.choice(DISINFECTANTS), "method": rng.choice(["spray", "wipe", "uv"]),
                        "operator": rng.choice(["后勤 马建国", "后勤 李秀英", "保洁 张玉兰"]),
                    })
                    counts["disinfection"] += 1
    return counts


NOTICE_PREFIX = "麦民发"
DUTY_NOTICE_BODY = """为切实做好疫情防控期间局机关值班值守工作，确保信息畅通、处置及时，现将有关事项通知如下。
一、严格落实24小时值班制度
局机关实行领导带班和干部值班制度，值班人员要坚守岗位，不得擅离职守，保持通讯畅通。
二、做好每日健康监测
值班人员每日上岗前测量体温，查验健康码和行程卡，如实填写健康打卡记录。
三、及时报送信息
遇有紧急情况，值班人员要第一时间向带班领导报告，并按规定向区疫情联防联控联治领导小组办公室报送。"""
# (template, group, issue date; None leaves a draft, extra fields)
DEMO_NOTICES: list[tuple[str, int, date | None, dict[str, object]]] = [
    ("assistance", 4, date(2021, 10, 8), {}),
    ("closed_management", 2, date(2021, 10, 20), {}),
    ("donation_plan", 6, date(2021, 10, 22), {}),
    ("donation_initiative", 0, date(2021, 10, 22), {}),
    ("blank", 1, None, {"title": "关于做好局机关疫情防控值班值守工作的通知", "body": DUTY_NOTICE_BODY,
                        "addressee": "局机关各股室、局属各单位：", "copy_to": ""}),
]
# What the clerk writes where a template says “（请填写：…）”.
DEMO_FILLS = {
    "（请填写：联系电话）": "0938-2731234",
    "（请填写：区慈善协会联系电话）": "0938-2735678",
}


def _filled(text: str) -> str:
    for placeholder, value in DEMO_FILLS.items():
        text = text.replace(placeholder, value)
    return text


def fill_notices(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR) -> tuple[list[str], int]:
    """The autumn-2021 notices, issued under 麦民发 with their 2021 dates (numbers follow those
    already given), and one draft.  Returns the numbers given and the count of drafts."""
    issued: list[str] = []
    drafts = 0
    for key, group, day, fields in DEMO_NOTICES:
        with db.write() as s:
            notice_id = notices.create_draft(s, actor, group, key, today=day or today_local())
            draft = notices.get(s, actor, notice_id)
            filled = {name: _filled(getattr(draft, name)) for name in ("title", "addressee", "body", "copy_to")}
            filled = {name: value for name, value in filled.items() if value != getattr(draft, name)}
            if fields or filled:
                notices.update_draft(s, actor, notice_id, 1, **{**filled, **fields})
            if day is None:
                drafts += 1
            else:
                issued.append(notices.issue(s, actor, notice_id, NOTICE_PREFIX, day))
    return issued, drafts


# The packages whose demo.py adds records, in the order they depend on each other: the place tree
# first (institutions, compounds and households are in towns), the supervision teams last (they
# visit the compounds and institutions).
DEMO_MODULES = ["civaffairs.places.demo"] + [
    f"civaffairs.groups.{package}.demo" for package in
    ("service_institutions", "community", "assistance", "social_organisations", "donations", "volunteers")
] + ["civaffairs.supervision.demo"]


def fill_groups(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> dict[str, dict[str, int]]:
    """Every package's own demo data (those that have a demo.py), through their services."""
    import importlib

    done: dict[str, dict[str, int]] = {}
    for i, name in enumerate(DEMO_MODULES):
        if progress:
            progress(i, len(DEMO_MODULES))
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is not None and name.startswith(e.name):
                continue  # that group has no demo data yet
            raise
        kwargs: dict[str, object] = {"actor": actor}
        if "today" in module.fill.__code__.co_varnames:
            kwargs["today"] = today
        done[name.split(".")[-2]] = module.fill(db, **kwargs)
    return done
