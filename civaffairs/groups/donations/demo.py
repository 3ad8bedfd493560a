"""Group 6's demo data, through the services: the brief's donations as records.

The district charity association (麦积区慈善协会) receives 125 money donations totalling exactly
3,713,100.00 yuan from 1 October to 5 November 2021 (fewer in the first ten days, before the
outbreak), entered in day batches that agree with their statements (one batch of 5 November is
still being checked and does not); enterprises get their acknowledgement and, for the earlier
ones, the finance office's fiscal receipt number.  Material donations of the six kinds the brief
names (masks, protective suits, alcohol, disinfectant, face shields, gloves) are all handed over to
the coordination and support team, which allocates most of them to elderly care institutions,
compounds, households and NAT sites (what the other groups' demo data holds) and keeps the rest.
Part of the money is paid out, never more than a purpose holds."""
from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.demo import mobile, person_name, resident_id
from civaffairs.groups.donations import fields as F
from civaffairs.groups.donations import service
from civaffairs.records import service as records

FIRST_DAY = date(2021, 10, 1)
OUTBREAK = date(2021, 10, 11)  # donations grow from here on
LAST_DAY = date(2021, 11, 5)  # the brief's "as of 5 November"
DONATIONS = 125
TOTAL_FEN = 371_310_000  # 3,713,100.00 yuan
EARLY_DONATIONS = 14  # in 1–10 October
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

CHARITY = "麦积区慈善协会"
ORGANISATIONS = [
    dict(name=CHARITY, kind="charity_association", person_in_charge="杨建军", phone="0938-2735678",
         address="天水市麦积区商埠路29号", bank_name="中国农业银行天水麦积支行", bank_account="27350101040012345"),
    dict(name="麦积区红十字会", kind="red_cross", person_in_charge="何丽", phone="0938-2736120",
         address="天水市麦积区渭滨北路42号", bank_name="中国工商银行天水麦积支行", bank_account="2705020109024511873"),
]
# (name, kind, credit-code head, amount in yuan or None for a material donor only, purpose)
ENTERPRISES = [
    ("天水麦积宏达建筑工程有限公司", 600_000, "undesignated"),
    ("甘肃陇东南建设集团有限公司", 500_000, "prevention_supplies"),
    ("天水秦州泰和房地产开发有限公司", 400_000, "people_in_difficulty"),
    ("天水金源物流有限公司", 300_000, "undesignated"),
    ("甘肃天成果业有限公司", 300_000, "people_in_difficulty"),
    ("天水瑞丰农业科技有限公司", 200_000, "prevention_supplies"),
    ("天水丰盛源超市有限公司", 200_000, "front_line"),
    ("天水众鑫汽车销售服务有限公司", 150_000, "undesignated"),
    ("天水鸿运酒店管理有限公司", 100_000, "front_line"),
    ("麦积区永安商贸有限责任公司", 80_000, "people_in_difficulty"),
    ("天水麦香食品有限公司", 60_000, "undesignated"),
    ("天水和顺医药连锁有限公司", 50_000, "prevention_supplies"),
    ("天水城投物业服务有限公司", 100_000, "front_line"),
    ("天水众泰建材有限公司", 80_000, "undesignated"),
    ("麦积区天河小额贷款有限公司", 50_000, "people_in_difficulty"),
]
ORGANISATION_DONORS = [
    ("麦积区个体劳动者协会", "51", 50_000, "people_in_difficulty"),
    ("麦积区餐饮行业协会", "51", 50_000, "front_line"),
    ("天水市麦积区商会", "51", 30_000, "undesignated"),
    ("麦积区道北街道渭滨社区居民委员会", "55", 30_000, "people_in_difficulty"),
]
MATERIAL_DONORS = ["天水华鑫商贸有限公司", "甘肃陇原医药有限公司", "天水安康卫生用品有限公司"]
SMALL_AMOUNTS = [200, 300, 500, 500, 500, 800, 1_000, 1_000, 1_000, 2_000, 2_000, 3_000, 5_000, 5_000, 10_000,
                 20_000]
# (donor, item, description, specification, quantity, unit, value in yuan, expiry, day received)
MATERIALS = [
    ("天水华鑫商贸有限公司", "masks", "一次性使用医用口罩", "17.5×9.5cm，50只/盒", 50_000, "zhi", 35_000,
     date(2023, 9, 30), date(2021, 10, 14)),
    ("甘肃陇原医药有限公司", "protective_suits", "医用一次性防护服", "170码，连体带帽", 800, "tao", 64_000,
     date(2023, 6, 30), date(2021, 10, 16)),
    ("天水安康卫生用品有限公司", "alcohol", "75%医用酒精", "500ml/瓶", 2_000, "ping", 20_000, date(2023, 3, 31),
     date(2021, 10, 18)),
    ("天水安康卫生用品有限公司", "disinfectant", "84消毒液", "500ml/瓶", 1_500, "ping", 9_000, date(2022, 10, 31),
     date(2021, 10, 18)),
    ("甘肃陇原医药有限公司", "face_shields", "防护面屏", "防雾型，可重复使用", 1_000, "ge", 12_000, None,
     date(2021, 10, 20)),
    ("天水丰盛源超市有限公司", "gloves", "一次性丁腈手套", "M号，100只/盒", 10_000, "shuang", 8_000,
     date(2024, 8, 31), date(2021, 10, 22)),
    ("天水华鑫商贸有限公司", "masks", "KN95防护口罩", "独立包装", 2_000, "zhi", 6_000, date(2023, 5, 31),
     date(2021, 10, 25)),
]
TEAM = ["刘海燕", "周敏", "郭志强"]  # of the coordination and support team (协调保障组)
STORE_KEEPER = "杨建军"
OTHER_RECIPIENTS = ["道北街道核酸检测点", "马跑泉镇卫生院", "桥南街道疫情防控指挥部", "北道埠街道核酸检测点"]


def credit_code(rng: random.Random, head: str) -> str:
    """A valid code of the district (620503) with a random organisation code."""
    body = head + "620503" + "".join(rng.choice(CODE_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _amounts(rng: random.Random, fixed: list[int], n: int, total_yuan: int) -> list[int]:
    """`n` small amounts (yuan) that, with `fixed`, add up to `total_yuan`: drawn until the last,
    which makes up the rest, is an ordinary donation too."""
    for _attempt in range(10_000):
        drawn = [rng.choice(SMALL_AMOUNTS) for _ in range(n - 1)]
        rest = total_yuan - sum(fixed) - sum(drawn)
        if 1_000 <= rest <= 20_000:
            return drawn + [rest]
    raise AssertionError("the demo's small donations cannot make up the total")


def _days(rng: random.Random, n: int) -> list[date]:
    """`n` days: EARLY_DONATIONS in 1–10 October, the rest from the outbreak to 5 November."""
    early = [FIRST_DAY + timedelta(days=rng.randrange(0, (OUTBREAK - FIRST_DAY).days)) for _ in range(EARLY_DONATIONS)]
    span = (LAST_DAY - OUTBREAK).days + 1
    late = [OUTBREAK + timedelta(days=rng.randrange(0, span)) for _ in range(n - EARLY_DONATIONS)]
    return early + late


def _ids(session: Session, model: Any, column: Any) -> list[tuple[uuid.UUID, str]]:
    return list(session.execute(select(model.id, column).where(model.deleted_at.is_(None)).order_by(column, model.id)))


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None) -> dict[str, int]:
    """Adds group 6's demo records once (nothing when receiving organisations are there already)."""
    counts = dict.fromkeys(("organisations", "donors", "batches", "money_donations", "materials", "handovers",
                            "allocations", "disbursements", "acknowledgements"), 0)
    with db.read() as s:
        if records.count(s, actor, F.ORGANISATIONS):
            return counts
    rng = random.Random(6)
    with db.write() as s:
        def add(spec, **values):  # type: ignore[no-untyped-def]
            return records.create(s, actor, spec, values).id

        organisations = {}
        for o in ORGANISATIONS:
            organisations[o["name"]] = add(F.ORGANISATIONS, credit_code=credit_code(rng, "53" if "慈善" in o["name"]
                                                                                    else "12"), notes="", **o)
            counts["organisations"] += 1
        charity = organisations[CHARITY]

        # -- donors and what each gives: (donor id, amount in yuan, purpose, channel)
        gifts: list[tuple[uuid.UUID, int, str, str]] = []
        donors: dict[str, uuid.UUID] = {}
        for name, amount, purpose in ENTERPRISES:
            donors[name] = add(F.DONORS, kind=F.ENTERPRISE, name=name, credit_code=credit_code(rng, "91"),
                               contact=person_name(rng), phone=mobile(rng), named_publicly=True)
            gifts.append((donors[name], amount, purpose, F.BANK_TRANSFER))
        for name, head, amount, purpose in ORGANISATION_DONORS:
            donors[name] = add(F.DONORS, kind=F.ORGANISATION, name=name, credit_code=credit_code(rng, head),
                               contact=person_name(rng), phone=mobile(rng), named_publicly=True)
            gifts.append((donors[name], amount, purpose, F.BANK_TRANSFER))
        for name in MATERIAL_DONORS:
            donors[name] = add(F.DONORS, kind=F.ENTERPRISE, name=name, credit_code=credit_code(rng, "91"),
                               contact=person_name(rng), phone=mobile(rng), named_publicly=True)
        cash_box = add(F.DONORS, kind=F.ANONYMOUS, name="匿名（现金捐款箱）", named_publicly=False,
                       notes="慈善协会门口的现金捐款箱，每周开箱清点")
        online = add(F.DONORS, kind=F.ANONYMOUS, name="匿名（网络捐款）", named_publicly=False)
        counts["donors"] += len(donors) + 2
        box_amounts = [1_200, 860, 2_350, 1_480, 3_100, 1_010]  # the anonymous boxes, opened six times
        small = DONATIONS - len(gifts) - len(box_amounts)
        amounts = _amounts(rng, [g[1] for g in gifts] + box_amounts, small, TOTAL_FEN // 100)
        names: set[str] = set()
        for i in range(small):
            born = date(rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
            name = person_name(rng)
            while name in names:  # one donor per person: the register warns of a second of the same name
                name = person_name(rng)
            names.add(name)
            person = add(F.DONORS, kind=F.INDIVIDUAL, name=name, id_number=resident_id(
                rng, born, rng.random() < 0.5), phone=mobile(rng), named_publicly=rng.random() < 0.7)
            counts["donors"] += 1
            channel = rng.choice([F.BANK_TRANSFER, F.ONLINE, F.ONLINE, F.CASH])
            gifts.append((person, amounts[i], rng.choice([F.UNDESIGNATED, F.UNDESIGNATED, "people_in_difficulty",
                                                          "front_line"]), channel))
        for i, amount in enumerate(box_amounts):
            box, channel = (cash_box, F.CASH) if i % 2 == 0 else (online, F.ONLINE)
            gifts.append((box, amount, F.UNDESIGNATED, channel))
        assert len(gifts) == DONATIONS and sum(g[1] for g in gifts) * 100 == TOTAL_FEN

        # -- the days: the large gifts after the outbreak, in the order of their size
        days = _days(rng, DONATIONS)
        early, late = sorted(days[:EARLY_DONATIONS]), sorted(days[EARLY_DONATIONS:])
        order = list(range(DONATIONS))
        big = order[:len(ENTERPRISES) + len(ORGANISATION_DONORS)]
        rest = order[len(big):]
        rng.shuffle(rest)
        dated: list[tuple[date, int]] = []
        late_pool = list(late)
        for i in big:
            dated.append((late_pool.pop(rng.randrange(0, len(late_pool))), i))
        for day, i in zip(early + late_pool, rest):
            dated.append((day, i))
        dated.sort()

        # -- batches per day and channel, as the statements list them
        by_batch: dict[tuple[date, str], list[int]] = defaultdict(list)
        for day, i in dated:
            by_batch[(day, gifts[i][3])].append(i)
        statements = {F.BANK_TRANSFER: "农行对账单", F.CASH: "现金日记账", F.ONLINE: "网络捐赠平台日报"}
        handlers = ["杨建军", "马丽", "王小红"]
        acknowledge: list[uuid.UUID] = []
        for (day, channel), members in sorted(by_batch.items()):
            total = sum(gifts[i][1] for i in members)
            checking = day == LAST_DAY and channel == F.ONLINE  # still being checked: one line unexplained
            batch = add(F.BATCHES, organisation_id=charity, day=day, channel=channel,
                        statement=f"{statements[channel]} {day.month}月{day.day}日",
                        expected_count=len(members) + (1 if checking else 0),
                        expected_total=Decimal(total + (500 if checking else 0)), closed=False,
                        note="对账单另有一笔500元，正在向平台核实" if checking else "")
            counts["batches"] += 1
            for n, i in enumerate(members):
                donor, amount, purpose, _channel = gifts[i]
                enterprise = i < len(ENTERPRISES) + len(ORGANISATION_DONORS)
                donation = add(F.MONEY, batch_id=batch, day=day, donor_id=donor, amount=Decimal(amount),
                               channel=channel, purpose=purpose, organisation_id=charity,
                               bank_reference=f"{day:%Y%m%d}{rng.randrange(10**9):09d}" if channel != F.CASH else "",
                               fiscal_receipt_number=f"{62001000 + i:010d}" if enterprise and day < date(2021, 10, 28)
                               else "", handler=handlers[n % len(handlers)], note="")
                counts["money_donations"] += 1
                if enterprise:
                    acknowledge.append(donation)
            if not checking:
                row = records.get(s, actor, F.BATCHES, batch)
                records.update(s, actor, F.BATCHES, batch, row.version, {"closed": True})
        for donation in acknowledge:
            row = records.get(s, actor, F.MONEY, donation)
            service.issue_acknowledgement(s, actor, F.MONEY.key, donation, day=min(
                row.values["day"] + timedelta(days=1), LAST_DAY))
            counts["acknowledgements"] += 1

        # -- materials: received, all handed over, most allocated
        institutions = _institutions(s)
        compounds = _compounds(s)
        households = _households(s) if F.HOUSEHOLDS_AVAILABLE else []
        for donor, item, description, spec, quantity, unit, value, expiry, day in MATERIALS:
            lot = add(F.MATERIALS, organisation_id=charity, day=day, donor_id=donors[donor], item=item,
                      description=description, specification=spec, quantity=quantity, unit=unit,
                      estimated_value=Decimal(value), expiry_date=expiry, handler=STORE_KEEPER, note="")
            counts["materials"] += 1
            service.issue_acknowledgement(s, actor, F.MATERIALS.key, lot, day=day)
            counts["acknowledgements"] += 1
            parts = [quantity] if quantity < 2_000 else [quantity * 3 // 5, quantity - quantity * 3 // 5]
            for k, part in enumerate(parts):
                handed_on = day + timedelta(days=1 + 6 * k)
                handover = add(F.HANDOVERS, material_id=lot, day=handed_on, quantity=part,
                               handed_over_by=STORE_KEEPER, received_by=TEAM[k % len(TEAM)],
                               slip_number=f"XB-{handed_on:%m%d}-{counts['handovers'] + 1:02d}", note="")
                counts["handovers"] += 1
                # the team allocates about four fifths of each handover within days and keeps the rest
                to_allocate = part * 4 // 5
                recipients = _recipients(rng, item, institutions, compounds, households)
                shares = _split(to_allocate, len(recipients))
                for j, ((kind, target), share) in enumerate(zip(recipients, shares)):
                    if share <= 0:
                        continue
                    allocated_on = min(handed_on + timedelta(days=1 + j % 3), LAST_DAY)
                    values: dict[str, Any] = {"handover_id": handover, "day": allocated_on, "quantity": share,
                                              "recipient_kind": kind, "received_by": person_name(rng), "note": ""}
                    values[F.RECIPIENT_FIELDS[kind]] = target
                    add(F.ALLOCATIONS, **values)
                    counts["allocations"] += 1

        # -- money paid out: part of each purpose's money, never more than it holds
        payments = [
            ("prevention_supplies", 0.62, "天水和顺医药连锁有限公司", "采购医用口罩、防护服和消毒用品", "区疫情防控领导小组", "麦慈〔2021〕5号",
             date(2021, 10, 26)),
            ("people_in_difficulty", 0.55, "各镇、街道困难群众", "受疫情影响困难群众临时生活补助", "区民政局", "麦慈〔2021〕6号",
             date(2021, 10, 29)),
            ("front_line", 0.45, "各核酸检测点、小区值守点", "慰问一线防疫人员（方便食品、取暖用品）", "区疫情防控领导小组", "麦慈〔2021〕7号",
             date(2021, 11, 2)),
            (F.UNDESIGNATED, 0.30, "天水金帐篷租赁有限公司", "核酸检测点帐篷、取暖设备租赁", "慈善协会理事会", "麦慈〔2021〕8号",
             date(2021, 11, 3)),
        ]
        from civaffairs.groups.donations import figures

        for k, (purpose, share, recipient, use, approved_by, number, day) in enumerate(payments):
            balance = figures.pool_balance(s, charity, purpose)
            amount = Decimal(int(balance.left * share) // 10_000 * 100)  # whole hundreds of yuan
            if amount <= 0:
                continue
            add(F.DISBURSEMENTS, organisation_id=charity, day=day, purpose=purpose, amount=amount, recipient=recipient,
                use=use, approved_by=approved_by, approval_number=number, voucher=f"记-{day:%m}-{31 + k:03d}", note="")
            counts["disbursements"] += 1
    return counts


def _institutions(session: Session) -> list[uuid.UUID]:
    from civaffairs.groups.service_institutions.models import Institution

    return [i for i, _name, kind in session.execute(
        select(Institution.id, Institution.name, Institution.kind).where(Institution.deleted_at.is_(None))
        .order_by(Institution.name, Institution.id)) if kind in ("elderly_care", "urban_centre", "day_care")]


def _compounds(session: Session) -> list[uuid.UUID]:
    from civaffairs.groups.community.models import Compound

    return [i for i, _name in _ids(session, Compound, Compound.name)]


def _households(session: Session) -> list[uuid.UUID]:
    from civaffairs.groups.assistance.models import Household

    return list(session.scalars(select(Household.id).where(Household.deleted_at.is_(None))
                                .order_by(Household.id).limit(500)))


def _recipients(rng: random.Random, item: str, institutions: list[uuid.UUID], compounds: list[uuid.UUID],
                households: list[uuid.UUID]) -> list[tuple[str, Any]]:
    """Where the team sends a handover: elderly care institutions and compounds, households for
    everyday items, NAT sites for protective wear; whatever the other groups' data holds."""
    chosen: list[tuple[str, Any]] = [(F.INSTITUTION, i) for i in rng.sample(institutions, min(2, len(institutions)))]
    chosen += [(F.COMPOUND, c) for c in rng.sample(compounds, min(2, len(compounds)))]
    if item in ("masks", "disinfectant", "gloves") and households:
        chosen += [(F.HOUSEHOLD, h) for h in rng.sample(households, min(2, len(households)))]
    chosen.append((F.OTHER_RECIPIENT, rng.choice(OTHER_RECIPIENTS)))
    return chosen


def _split(total: int, n: int) -> list[int]:
    """`total` in `n` shares of round numbers where the quantity allows (the last takes the rest)."""
    if n <= 0:
        return []
    step = 100 if total >= 100 * n * 2 else 10 if total >= 10 * n * 2 else 1
    share = total // n // step * step
    return [share] * (n - 1) + [total - share * (n - 1)]
