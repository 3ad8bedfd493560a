"""Demo data of the supervision teams, through the services: the three teams, each led by a deputy
director (副局长), their visits in October–November 2021 to the compounds, institutions, social
organisations and the organisation receiving donations made by the other groups' demos (a kind
whose register is empty gets no visits), checklists, findings, corrections (some closed after
follow-ups, some overdue on 5 November 2021) and report numbers."""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.records import service as records
from civaffairs.records.spec import get_register
from civaffairs.supervision import service
from civaffairs.supervision.fields import AVAILABLE_KINDS, CHECKLIST, CORRECTIONS, FOLLOW_UPS, MEMBERS, TEAMS, VISITS

AS_OF = date(2021, 11, 5)  # the reference date of the brief's figures
TEAM_NAMES = ("第一督查组", "第二督查组", "第三督查组")
# Used when the bureau's staff register has no deputy directors (group 1's demo not run).
LEADERS = (("王建国", "副局长"), ("刘海燕", "副局长"), ("陈志强", "副局长"))
MEMBERS_DATA = (
    (("李娜", "社会事务股股长", "13919381201"), ("赵磊", "办公室科员", "13919381202"), ("孙红梅", "区划地名股科员", "13919381203")),
    (("周敏", "养老服务股股长", "13919381204"), ("马超", "社会救助股科员", "13919381205"), ("郭静", "婚姻登记处科员", "13919381206")),
    (("何勇", "社会组织管理局副局长", "13919381207"), ("林芳", "慈善协会干事", "13919381208"), ("徐涛", "办公室科员", "13919381209")),
)
# What a failing item asks for: (finding, required correction, responsible).
CORRECTION_TEXT = {
    "compound.registration": ("出入口登记台账不全，部分时段未登记", "落实出入人员逐一登记，补齐登记台账", "小区物业负责人"),
    "compound.one_entrance": ("小区侧门未关闭，存在多个出入口同时开放", "关闭侧门，只保留一个出入口", "社区主任"),
    "compound.duty_24h": ("夜间值守点无人值守", "落实24小时值守，排定夜间值班表", "包抓干部"),
    "compound.three_checks": ("对进入人员未逐一查验健康码、行程卡、出入证", "严格查验健康码、行程卡、出入证", "值守点负责人"),
    "compound.disinfection": ("值守点未按要求消毒，无消毒记录", "每日消毒值守点两次并登记", "小区物业负责人"),
    "compound.temperature": ("体温枪电量不足，未能测温", "配备备用体温枪，逐人测温", "值守点负责人"),
    "institution.temperature": ("工作人员体温记录不全", "每日两次测温并登记", "机构负责人"),
    "institution.masks": ("个别工作人员未规范佩戴口罩", "工作人员全程规范佩戴口罩", "机构负责人"),
    "institution.ventilation": ("部分居室未按时通风", "每日定时开窗通风不少于三次", "机构后勤主管"),
    "institution.disinfection": ("公共区域消毒记录缺失", "公共区域每日消毒并留存记录", "机构后勤主管"),
    "institution.no_gatherings": ("仍在组织集体活动", "立即暂停聚集性活动", "机构负责人"),
    "institution.closed_management": ("封闭管理期间有人员外出未报备", "严格落实封闭管理，人员只进不出", "机构负责人"),
    "institution.no_visitors": ("有家属进入探视", "暂停一切探视，改为视频探视", "机构负责人"),
    "institution.supplies": ("生活物资储备不足1个月", "补足1个月生活物资储备", "机构后勤主管"),
    "social_org.no_gatherings": ("暂停期间仍在组织线下集中培训", "立即停止线下集中培训，改为线上授课", "机构法定代表人"),
    "social_org.plan": ("未制定疫情防控工作方案，未明确防控责任人", "制定防控工作方案，明确专人负责", "机构法定代表人"),
    "social_org.health_monitoring": ("工作人员健康监测和体温记录不全", "每日测温并登记工作人员健康状况", "机构负责人"),
    "social_org.premises": ("办公场所未按要求消毒通风", "办公场所每日消毒、定时通风并留存记录", "机构负责人"),
    "social_org.visitors": ("来访人员未查验健康码、未登记", "逐一查验来访人员健康码、行程卡并登记", "机构负责人"),
    "social_org.notices": ("未按时回执区局疫情防控通知", "即日回执并逐项落实通知要求", "机构法定代表人"),
    "social_org.fundraising": ("未经备案开展募捐活动", "停止未备案的募捐，依法备案并公开", "机构法定代表人"),
    "social_org.publicity": ("未向会员和服务对象宣传防控要求", "通过微信群、公告栏宣传防控要求", "机构负责人"),
    "donation.registered": ("部分物资捐赠未当日登记", "捐赠物资当日登记入账", "慈善协会秘书长"),
    "donation.reconciled": ("10月下旬捐款未与银行对账单逐日核对", "逐日核对捐款与银行对账单、现金日记账", "慈善协会财务负责人"),
    "donation.acknowledged": ("部分捐赠人未出具接收凭证", "补发接收凭证，向财政申领捐赠票据", "慈善协会秘书长"),
    "donation.designated": ("定向捐款与非定向捐款未分账核算", "定向捐款分账核算，专款专用", "慈善协会财务负责人"),
    "donation.stock": ("库存物资与台账不符，临期物资未单独存放", "盘点库存，临期物资单独存放", "慈善协会仓库保管员"),
    "donation.handover": ("移交协调保障组的物资缺少签字交接单", "补齐交接单并由双方签字", "慈善协会秘书长"),
    "donation.allocation": ("部分分配物资无接收人签字", "补齐接收人签字", "慈善协会秘书长"),
    "donation.disbursement": ("捐款支出审批手续不全", "支出先审批后支付，附齐凭证", "慈善协会财务负责人"),
    "donation.disclosure": ("捐赠款物接收和使用情况未及时公示", "在门户网站和公示栏公示捐赠款物收支情况", "慈善协会秘书长"),
}
# (team, day, kind, which target of the kind (its position, or its name), items failing (positions
# from 0), issue the report)
PLAN = (
    (0, date(2021, 10, 9), "compound", 0, (0,), True),
    (1, date(2021, 10, 10), "institution", 0, (), True),
    (2, date(2021, 10, 12), "compound", 1, (1, 4), True),
    (0, date(2021, 10, 15), "compound", 2, (), True),
    (1, date(2021, 10, 16), "institution", 1, (7,), True),
    (2, date(2021, 10, 19), "institution", 2, (4,), True),
    (0, date(2021, 10, 22), "compound", 3, (2, 3), True),
    (2, date(2021, 10, 23), "social_organisation", "麦积区博雅艺术培训学校", (0, 4), True),
    (1, date(2021, 10, 24), "institution", 3, (), True),
    (2, date(2021, 10, 26), "compound", 4, (5,), True),
    (0, date(2021, 10, 28), "institution", 0, (3,), True),
    (0, date(2021, 10, 29), "donation_organisation", "麦积区慈善协会", (1, 8), True),
    (1, date(2021, 10, 30), "compound", 5, (0, 2), True),
    (2, date(2021, 11, 2), "compound", 0, (3,), False),
    (0, date(2021, 11, 3), "institution", 4, (), False),
    (1, date(2021, 11, 4), "social_organisation", "天水市麦积区阳光社会工作服务中心", (), False),
)


def _deputies(db: Database, actor: Actor) -> list[tuple[str, str]]:
    from civaffairs.groups.bureau_office.models import StaffMember

    with db.read() as s:
        names = list(s.scalars(select(StaffMember.name).where(StaffMember.post == "副局长",
                                                              StaffMember.deleted_at.is_(None))
                               .order_by(StaffMember.id).limit(3)))
    return [(n, "副局长") for n in names] if len(names) == 3 else list(LEADERS)


def _targets(db: Database, actor: Actor) -> dict[str, list[tuple[uuid.UUID, object]]]:
    found: dict[str, list[tuple[uuid.UUID, object]]] = {}
    with db.read() as s:
        for kind in AVAILABLE_KINDS:
            spec = get_register(kind.register_key)
            found[kind.key] = [(r.id, r.values.get("name"))
                               for r in records.fetch(s, actor, spec, records.ListQuery(), 0, 50)]
    return found


def _pick(pool: list[tuple[uuid.UUID, object]], which: int | str) -> uuid.UUID:
    """The target at a position of the list, or the one of that name (the first when it is not there)."""
    if isinstance(which, str):
        return next((id_ for id_, name in pool if name == which), pool[0][0])
    return pool[which % len(pool)][0]


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None) -> dict[str, int]:
    """Adds the teams and their inspection loop once (nothing when teams are there already)."""
    counts = dict.fromkeys(("teams", "members", "visits", "checklist_lines", "corrections", "follow_ups",
                            "reports"), 0)
    with db.read() as s:
        if records.count(s, actor, TEAMS):
            return counts
    latest = min(today or AS_OF, AS_OF)
    rng = random.Random(2021)
    teams: list[uuid.UUID] = []
    with db.write() as s:
        for name, (leader, post), members in zip(TEAM_NAMES, _deputies(db, actor), MEMBERS_DATA, strict=True):
            team = records.create(s, actor, TEAMS, {"name": name, "leader_name": leader, "leader_post": post,
                                                    "notes": "包抓检查小区、民政服务机构、社会组织疫情防控措施和捐赠款物管理使用落实情况"}).id
            teams.append(team)
            counts["teams"] += 1
            for member, member_post, phone in members:
                records.create(s, actor, MEMBERS, {"team_id": team, "name": member, "post": member_post, "phone": phone})
                counts["members"] += 1
    targets = _targets(db, actor)
    for team_no, day, kind_key, which, failing, issue in PLAN:
        pool = targets.get(kind_key) or []
        if not pool or day > latest:
            continue
        kind = next(k for k in AVAILABLE_KINDS if k.key == kind_key)
        with db.write() as s:
            leader = records.get(s, actor, TEAMS, teams[team_no]).values["leader_name"]
            members = [m.values["name"] for m in records.fetch(s, actor, MEMBERS, records.ListQuery(
                equals=(("team_id", teams[team_no]),)))]
            inspectors = "、".join([leader, *members[:2]])
            found = [CORRECTION_TEXT[kind.checklist[i].code][0] for i in failing]
            what = "捐赠款物管理使用" if kind_key == "donation_organisation" else "防控措施"
            findings = (f"经现场检查，{'；'.join(found)}。其余{what}落实到位。" if found
                        else f"经现场检查，各项{what}落实到位，未发现问题。")
            visit = service.create_visit(s, actor, {"team_id": teams[team_no], "day": day, "target_kind": kind.key,
                                                    kind.field: _pick(pool, which), "inspectors": inspectors,
                                                    "findings": findings}).id
            counts["visits"] += 1
            lines = records.fetch(s, actor, CHECKLIST, records.ListQuery(equals=(("visit_id", visit),)))
            for i, line in enumerate(lines):
                fails = i in failing
                records.update(s, actor, CHECKLIST, line.id, line.version, {
                    "result": "fails" if fails else "conforms",
                    "note": CORRECTION_TEXT[kind.checklist[i].code][0] if fails else ""})
                counts["checklist_lines"] += 1
            for n, i in enumerate(failing):
                _finding, requirement, responsible = CORRECTION_TEXT[kind.checklist[i].code]
                deadline = day + timedelta(days=rng.choice((3, 5, 7)))
                # The earlier ones were corrected and checked again; the later ones are still open,
                # and those past their deadline on 5 November are the overdue list's.
                closes = day <= date(2021, 10, 20) or (n == 0 and day <= date(2021, 10, 26))
                correction = records.create(s, actor, CORRECTIONS, {
                    "visit_id": visit, "requirement": requirement, "deadline": deadline, "responsible": responsible})
                counts["corrections"] += 1
                check = day + timedelta(days=2)
                if check <= latest:
                    records.create(s, actor, FOLLOW_UPS, {
                        "correction_id": correction.id, "day": check, "checked_by": members[0],
                        "found": "已着手整改，尚未全部完成" if closes else "仍未整改到位，已督促落实"})
                    counts["follow_ups"] += 1
                closed_on = deadline - timedelta(days=1)
                if closes and closed_on <= latest:
                    records.create(s, actor, FOLLOW_UPS, {
                        "correction_id": correction.id, "day": closed_on, "checked_by": leader,
                        "found": "复查已整改到位"})
                    counts["follow_ups"] += 1
                    service.close_correction(s, actor, correction.id, correction.version, closed_on,
                                             "复查确认已整改到位")
            if issue and day + timedelta(days=1) <= latest:
                service.issue_report(s, actor, visit, day=day + timedelta(days=1))
                counts["reports"] += 1
    return counts


__all__ = ["fill", "VISITS"]
