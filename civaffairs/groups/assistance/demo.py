"""Group 4's demo data: the brief's facts as records, written through the services (validated and
audited), in the towns and sub-districts of the place tree.

From 1 October to 5 November 2021: 97 households (218 persons) newly included in minimum living
guarantee or extreme-poverty support; temporary assistance paid to 838 households (2,798 persons)
totalling 4,560,900.00 yuan, some of it under "assist first, paperwork later" with the paperwork
still owed (some of it overdue on 5 November); 215,000.00 yuan of reserve funds allocated to the
towns and sub-districts, some grants paid from them; 6 vagrants or beggars and 3 stranded persons
rescued; contacts by phone, WeChat and home visits, and some households not contacted in the two
weeks before 5 November.  Around them, what a real register holds: households on 低保 for years,
disabled persons and children in difficulty, applications still open or refused, grants paid in
September (before the period)."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.demo import mobile, person_name, resident_id
from civaffairs.groups.assistance import grant_service
from civaffairs.groups.assistance import search as _search  # noqa: F401 - the demo's persons are searchable
from civaffairs.groups.assistance.grants import RESCUES, RESERVE_ALLOCATIONS
from civaffairs.groups.assistance.households import (
    CONTACTS, HOUSEHOLD_CATEGORIES, HOUSEHOLDS, INCLUSIONS, MEMBERS, PERSON_CATEGORIES,
)
from civaffairs.groups.assistance.models import Household
from civaffairs.places.fields import TOWNS
from civaffairs.places.models import Community, Town
from civaffairs.records import service as records

FIRST_DAY = date(2021, 10, 1)  # "since 1 October"
LAST_DAY = date(2021, 11, 5)  # the report's "as of 5 November"
ALLOCATED_ON = date(2021, 10, 8)  # the day of the assistance notice

# The brief's figures.
GRANT_HOUSEHOLDS, GRANT_PERSONS, GRANT_TOTAL_YUAN = 838, 2798, 4_560_900
INCLUDED_HOUSEHOLDS, INCLUDED_PERSONS = 97, 218
VAGRANTS, STRANDED = 6, 3
RESERVE_FUNDS = {  # yuan, allocated on ALLOCATED_ON: 215,000 in all
    "道北街道": 35_000, "北道埠街道": 30_000, "桥南街道": 30_000, "马跑泉镇": 35_000, "甘泉镇": 30_000,
    "社棠镇": 25_000, "花牛镇": 30_000,
}
RESERVE_DOCUMENT = "麦民发〔2021〕31号"

# How the 838 grants were paid.  Families hit by the outbreak were helped first and their paperwork
# completed later (the brief's rule): by 5 November some had completed it, most were still within
# the month allowed, and those paid in the first days of October were overdue.  Other hardships
# went through the whole approval before payment.
ASSIST_FIRST_OVERDUE, ASSIST_FIRST_COMPLETED, ASSIST_FIRST_OWED = 24, 96, 380
INCLUDED_FROM_GRANT_HOUSEHOLDS = 45  # newly included households that were also given a grant
NEW_HOUSEHOLDS = INCLUDED_HOUSEHOLDS - INCLUDED_FROM_GRANT_HOUSEHOLDS
OTHER_HOUSEHOLDS = 30  # on the books, with no grant paid and no inclusion in the period
NOT_CONTACTED = 37  # households whose last contact is more than two weeks before LAST_DAY

ROADS = {
    "道北街道": ["渭滨北路", "天河北路", "向阳路", "道北路"],
    "北道埠街道": ["商埠路", "北道埠大街", "东团庄路", "埠南路"],
    "桥南街道": ["伯阳路", "龙园路", "桥南大街", "商埠南路"],
}
BANKS = ["甘肃农村信用社", "中国邮政储蓄银行", "甘肃银行", "中国农业银行"]
CADRE_TITLES = ["村干部", "社区干部", "包村干部", "网格员", "救助工作队"]
HEALTH_OLD = ["frail", "chronic", "chronic", "healthy", "serious", "disabled"]
WORK_ADULT = ["employed", "migrant", "farming", "unemployed", "unemployed", "unable"]
FINDINGS = ["food", "medicine", "heating", "income_lost", "housing", "care"]
REASONS = {
    "outbreak": ["疫情期间务工收入中断，家庭基本生活困难", "受疫情影响停工停产，无其他收入来源",
                 "家庭成员居家隔离，生活物资短缺", "疫情期间个体经营停业，生活陷入困境"],
    "medical": ["家庭成员患重病住院，医疗费用支出较大", "慢性病长期服药，自付医疗费用负担重"],
    "living": ["家庭收入低于当地低保标准，冬季取暖困难", "老人独居，无劳动能力，基本生活困难"],
    "education": ["子女就学费用支出较大，家庭难以负担"],
    "accident": ["家庭成员意外受伤，暂时丧失劳动能力"],
}
NEEDS = ["生活物资", "取暖用煤", "药品", "临时救助金", "上门照料", "无"]
RESCUE_PLACES = [("天水南站出站口", "桥南街道"), ("麦积区汽车站候车厅", "北道埠街道"), ("渭河桥头", "道北街道"),
                 ("步行街地下通道", "道北街道"), ("马跑泉镇集市", "马跑泉镇"), ("社棠镇加油站旁", "社棠镇"),
                 ("甘泉镇高速路口", "甘泉镇"), ("花牛镇果品市场", "花牛镇"), ("天水南站广场", "桥南街道")]
HOME_PLACES = ["陕西省宝鸡市", "甘肃省陇南市", "四川省广元市", "甘肃省定西市", "河南省周口市", "不详"]
PATROLS = ["区救助站街面巡查组", "北道埠派出所巡逻队", "道北街道巡查队", "城管执法巡查队"]


@dataclass
class Person:
    name: str
    relation: str
    id_number: str
    born: date
    male: bool
    phone: str = ""
    health: str | None = None
    work: str | None = None
    income: Decimal | None = None
    id: uuid.UUID | None = None


@dataclass
class HouseholdPlan:
    town: str
    community: str
    address: str
    registered_on: date
    members: list[Person]
    bank_name: str = ""
    bank_account: str = ""
    id: uuid.UUID | None = None
    categories: list[tuple[str, date, Decimal]] = field(default_factory=list)  # (status, from, monthly benefit)
    inclusion: tuple[str, date, date, int] | None = None  # (programme, applied, decided, persons)
    grant: "GrantPlan | None" = None
    contacts: list[tuple[date, str]] = field(default_factory=list)  # (day, channel)

    @property
    def head(self) -> Person:
        return self.members[0]


@dataclass
class GrantPlan:
    kind: str  # ordinary, overdue, completed, owed, open, refused
    paid_on: date | None
    amount: int  # yuan
    persons: int
    hardship: str
    applied_on: date = FIRST_DAY
    from_reserve: bool = False
    steps: list[tuple[date, str, dict[str, Any]]] = field(default_factory=list)


class _Demo:
    """Builds the plan (deterministic), then writes it through the services."""

    def __init__(self, db: Database, actor: Actor, last_day: date, places: dict[str, tuple[str, list[str]]]):
        self.db, self.actor, self.last_day, self.places = db, actor, last_day, places
        self.rng = random.Random(2021_4)
        self.ids: set[str] = set()
        self.people: set[tuple[str, date]] = set()
        self.phones: set[str] = set()
        self.cadres = {town: [f"{self.rng.choice(CADRE_TITLES)} {person_name(self.rng)}" for _ in range(8)]
                       for town in places}
        self.reviewers = {town: f"民政助理员 {person_name(self.rng)}" for town in places}
        self.approvers = [f"社会救助股 {person_name(self.rng)}" for _ in range(3)]
        self.counts = dict.fromkeys(("households", "members", "household_categories", "person_categories",
                                     "inclusions", "grants", "grant_steps", "contacts", "reserve_allocations",
                                     "rescues"), 0)

    # -------------------------------------------------------------- people

    def _born(self, start: int, end: int) -> date:
        return date(self.rng.randrange(start, end + 1), self.rng.randrange(1, 13), self.rng.randrange(1, 29))

    def _person(self, relation: str, born: date, male: bool) -> Person:
        while True:
            name = person_name(self.rng)
            number = resident_id(self.rng, born, male)
            # Distinct people: no possible duplicate for the members' warnings to ask about.
            if number not in self.ids and (name, born) not in self.people:
                break
        self.ids.add(number)
        self.people.add((name, born))
        age = 2021 - born.year
        p = Person(name, relation, number, born, male)
        if age < 6:
            p.work, p.health = "preschool", "healthy"
        elif age < 18:
            p.work, p.health = "student", self.rng.choice(["healthy", "healthy", "healthy", "chronic"])
        elif age >= 60:
            p.work = self.rng.choice(["retired", "farming", "unable"])
            p.health = self.rng.choice(HEALTH_OLD)
        else:
            p.work = self.rng.choice(WORK_ADULT)
            p.health = self.rng.choice(["healthy", "healthy", "chronic", "serious", "disabled"])
            if p.work in ("employed", "migrant", "farming"):
                p.income = Decimal(self.rng.randrange(300, 1800, 50))
        return p

    def _phone(self) -> str:
        while True:
            number = mobile(self.rng)
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _members(self, size: int, single_elder: bool = False) -> list[Person]:
        if single_elder:
            head_born = self._born(1935, 1955)
        else:
            head_born = self._born(1950, 1988)
        head_male = self.rng.random() < 0.7
        members = [self._person("head", head_born, head_male)]
        members[0].phone = self._phone()
        if size >= 2 and self.rng.random() < 0.85:
            spouse_born = date(min(head_born.year + self.rng.randrange(-4, 5), 1992), self.rng.randrange(1, 13),
                               self.rng.randrange(1, 29))
            members.append(self._person("spouse", spouse_born, not head_male))
            if self.rng.random() < 0.4:
                members[-1].phone = self._phone()
        while len(members) < size:
            roll = self.rng.random()
            if roll < 0.65 and head_born.year + 20 <= 2019:
                child = self._born(min(head_born.year + 20, 2019), min(head_born.year + 36, 2020))
                members.append(self._person("child", child, self.rng.random() < 0.5))
            elif roll < 0.8 and head_born.year >= 1958:
                members.append(self._person("parent", self._born(max(head_born.year - 32, 1930), head_born.year - 20),
                                            self.rng.random() < 0.4))
            elif head_born.year <= 1975:
                members.append(self._person("grandchild", self._born(2008, 2020), self.rng.random() < 0.5))
            else:
                members.append(self._person("sibling", self._born(head_born.year - 6, head_born.year + 6),
                                            self.rng.random() < 0.5))
        return members

    def _household(self, size: int, *, town: str | None = None, registered: date | None = None,
                   single_elder: bool = False) -> HouseholdPlan:
        town = town or self.rng.choice(list(self.places))
        kind, communities = self.places[town]
        community = self.rng.choice(communities) if communities else ""
        if kind == "subdistrict":
            roads = ROADS.get(town, ["人民路", "建设路"])
            address = (f"麦积区{town}{community}{self.rng.choice(roads)}{self.rng.randrange(1, 260)}号"
                       f"{self.rng.randrange(1, 6)}单元{self.rng.randrange(1, 7)}0{self.rng.randrange(1, 4)}室")
        else:
            address = f"麦积区{town}{community}{self.rng.randrange(1, 9)}组{self.rng.randrange(1, 120)}号"
        plan = HouseholdPlan(town, community, address,
                             registered or date(self.rng.randrange(2014, 2021), self.rng.randrange(1, 13),
                                                self.rng.randrange(1, 29)),
                             self._members(size, single_elder))
        if self.rng.random() < 0.8:
            plan.bank_name = self.rng.choice(BANKS)
            plan.bank_account = self.rng.choice(["6228", "6217", "6230", "6212"]) + "".join(
                str(self.rng.randrange(10)) for _ in range(15))
        return plan

    # -------------------------------------------------------------- the plan

    def _sizes(self, count: int, total: int) -> list[int]:
        sizes = [self.rng.choices([1, 2, 3, 4, 5, 6], [8, 20, 28, 25, 13, 6])[0] for _ in range(count)]
        while sum(sizes) != total:
            i = self.rng.randrange(count)
            if sum(sizes) > total and sizes[i] > 1:
                sizes[i] -= 1
            elif sum(sizes) < total and sizes[i] < 7:
                sizes[i] += 1
        return sizes

    def _amounts(self, grants: list[GrantPlan]) -> None:
        """Amounts in hundreds of yuan summing exactly to the brief's total; those paid from a
        reserve fund small, so that each fund pays several and keeps a balance."""
        target = GRANT_TOTAL_YUAN // 100
        units = [self.rng.randrange(10, 31) if g.from_reserve else
                 self.rng.choice([20, 30, 40, 50, 50, 60, 60, 70, 80, 100, 120]) for g in grants]
        free = [i for i, g in enumerate(grants) if not g.from_reserve]
        while sum(units) != target:
            i = self.rng.choice(free)
            step = 1 if sum(units) < target else -1
            if 10 <= units[i] + step <= 200:
                units[i] += step
        for g, u in zip(grants, units):
            g.amount = u * 100

    def _day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def _ordinary_steps(self, g: GrantPlan, town: str) -> None:
        """Application, home investigation, town review, seven days of public notice, approval and
        payment, ending on `g.paid_on`."""
        gaps = [self.rng.randrange(1, 3), self.rng.randrange(1, 4), 1, 6, self.rng.randrange(1, 3),
                self.rng.randrange(0, 3)]
        assert g.paid_on is not None
        applied = g.paid_on - timedelta(days=sum(gaps))
        g.applied_on = applied
        investigated = applied + timedelta(days=gaps[0])
        reviewed = investigated + timedelta(days=gaps[1])
        notice_from = reviewed + timedelta(days=gaps[2])
        notice_to = notice_from + timedelta(days=gaps[3])
        approved = notice_to + timedelta(days=gaps[4])
        cadre = self.rng.choice(self.cadres[town])
        g.steps = [
            (investigated, "investigate", {"investigated_on": investigated, "investigator": cadre,
                                           "findings": "入户核实，家庭情况属实", "village_opinion": "同意申请"}),
            (reviewed, "review", {"reviewed_on": reviewed, "reviewer": self.reviewers[town],
                                  "reviewed_amount": Decimal(g.amount)}),
            (notice_from, "publicise", {"notice_from": notice_from, "notice_to": notice_to}),
            (approved, "approve", {"approved_on": approved, "approver": self.rng.choice(self.approvers),
                                   "approved_amount": Decimal(g.amount)}),
            (g.paid_on, "pay", {"paid_on": g.paid_on, "paid_amount": Decimal(g.amount),
                                "payment_method": self.rng.choice(["bank_transfer", "bank_transfer", "one_card"]),
                                "from_reserve_fund": False}),
        ]

    def _assist_first_steps(self, g: GrantPlan, town: str, complete: bool) -> None:
        assert g.paid_on is not None
        g.applied_on = g.paid_on - timedelta(days=self.rng.randrange(0, 3))
        g.steps = [(g.paid_on, "pay_first", {
            "paid_on": g.paid_on, "paid_amount": Decimal(g.amount), "from_reserve_fund": g.from_reserve,
            "payment_method": self.rng.choice(["bank_transfer", "cash"] if g.from_reserve else ["bank_transfer"]),
            "documents_owed": ["application_form", "id_copies", "household_register", "income_proof",
                               "investigation_record", "village_opinion"],
            "paperwork_deadline": g.paid_on + timedelta(days=30)})]
        if complete:
            investigated = g.paid_on + timedelta(days=self.rng.randrange(1, 4))
            reviewed = investigated + timedelta(days=self.rng.randrange(1, 4))
            approved = reviewed + timedelta(days=self.rng.randrange(1, 4))
            done = approved + timedelta(days=self.rng.randrange(0, 4))
            g.steps += [
                (investigated, "investigate_later", {"investigated_on": investigated,
                                                     "investigator": self.rng.choice(self.cadres[town]),
                                                     "findings": "补充入户调查，情况属实", "village_opinion": "同意"}),
                (reviewed, "review_later", {"reviewed_on": reviewed, "reviewer": self.reviewers[town],
                                            "reviewed_amount": Decimal(g.amount)}),
                (approved, "approve_later", {"approved_on": approved, "approver": self.rng.choice(self.approvers),
                                             "approved_amount": Decimal(g.amount)}),
                (done, "complete_paperwork", {"paperwork_completed_on": done}),
            ]

    def plan(self) -> list[HouseholdPlan]:
        rng = self.rng
        grant_households = [self._household(size) for size in self._sizes(GRANT_HOUSEHOLDS, GRANT_PERSONS)]
        new_households = []
        for n in range(NEW_HOUSEHOLDS):
            single = n < 10  # extreme-poverty support: people living alone
            size = 1 if single else rng.choice([1, 2, 2, 3, 3, 4])
            new_households.append(self._household(size, single_elder=single))
        other_households = [self._household(rng.choice([1, 2, 3, 3, 4, 5])) for _ in range(OTHER_HOUSEHOLDS)]

        # Temporary assistance paid in the period: one grant per household.
        kinds = (["overdue"] * ASSIST_FIRST_OVERDUE + ["completed"] * ASSIST_FIRST_COMPLETED
                 + ["owed"] * ASSIST_FIRST_OWED)
        kinds += ["ordinary"] * (GRANT_HOUSEHOLDS - len(kinds))
        rng.shuffle(kinds)
        grants = []
        for h, kind in zip(grant_households, kinds):
            if kind == "overdue":
                paid = self._day(FIRST_DAY, date(2021, 10, 5))  # due 30 days later: before 5 November
            elif kind == "completed":
                paid = self._day(FIRST_DAY, date(2021, 10, 20))
            elif kind == "owed":
                paid = self._day(date(2021, 10, 6), LAST_DAY - timedelta(days=1))
            else:
                paid = self._day(FIRST_DAY, LAST_DAY)
            hardship = ("outbreak" if kind != "ordinary" else
                        rng.choice(["outbreak", "medical", "medical", "living", "living", "education", "accident"]))
            h.grant = GrantPlan(kind, paid, 0, len(h.members), hardship)
            grants.append(h.grant)
        # Paid from the towns' reserve funds: grants paid first after the allocation, a few per town.
        per_town: dict[str, int] = {}
        for h in grant_households:
            g = h.grant
            assert g is not None and g.paid_on is not None
            if g.kind in ("owed", "completed") and g.paid_on >= ALLOCATED_ON and per_town.get(h.town, 0) < 6:
                g.from_reserve = True
                per_town[h.town] = per_town.get(h.town, 0) + 1
        self._amounts(grants)
        for h in grant_households:
            g = h.grant
            assert g is not None
            if g.kind == "ordinary":
                self._ordinary_steps(g, h.town)
            else:
                self._assist_first_steps(g, h.town, complete=g.kind == "completed")

        # Grants outside the figures: paid in September, applications still open, one refused.
        for h in other_households[:5]:
            g = GrantPlan("ordinary", self._day(date(2021, 9, 6), date(2021, 9, 28)),
                          rng.choice([1000, 1500, 2000, 3000]), len(h.members), "living")
            self._ordinary_steps(g, h.town)
            h.grant = g
        for n, h in enumerate(other_households[5:17]):
            applied = self._day(date(2021, 10, 25), date(2021, 11, 3))
            g = GrantPlan("open", None, rng.choice([2000, 3000, 5000]), len(h.members), "outbreak", applied)
            if n % 3 == 0:
                day = applied + timedelta(days=1)
                g.steps = [(day, "investigate", {"investigated_on": day, "investigator": rng.choice(self.cadres[h.town]),
                                                 "findings": "已入户调查", "village_opinion": "同意申请"})]
            h.grant = g
        for h in other_households[17:19]:
            applied = self._day(date(2021, 10, 10), date(2021, 10, 20))
            g = GrantPlan("refused", None, 3000, len(h.members), "living", applied)
            day = applied + timedelta(days=2)
            g.steps = [(day, "investigate", {"investigated_on": day, "investigator": rng.choice(self.cadres[h.town]),
                                             "findings": "入户核实，家庭收入高于救助标准", "village_opinion": "不同意"}),
                       (day + timedelta(days=1), "refuse", {"refused_reason": "家庭人均收入高于当地临时救助标准"})]
            h.grant = g

        # Newly included in the period: decided in October or November, in force from the first
        # of that month; persons summing to the brief's.
        included = rng.sample(grant_households, INCLUDED_FROM_GRANT_HOUSEHOLDS) + new_households
        persons = [max(1, round(len(h.members) * 0.75)) for h in included]
        while sum(persons) != INCLUDED_PERSONS:
            i = rng.randrange(len(included))
            if sum(persons) > INCLUDED_PERSONS and persons[i] > 1:
                persons[i] -= 1
            elif sum(persons) < INCLUDED_PERSONS and persons[i] < len(included[i].members):
                persons[i] += 1
        new = {id(h) for h in new_households}
        for h, n in zip(included, persons):
            decided = self._day(FIRST_DAY, LAST_DAY)
            applied = decided - timedelta(days=rng.randrange(7, 21))
            single = len(h.members) == 1 and h.head.born.year <= 1955
            programme = ("extreme_poverty" if single else
                         "urban_dibao" if self.places[h.town][0] == "subdistrict" else "rural_dibao")
            h.inclusion = (programme, applied, decided, n)
            if id(h) in new:
                h.registered_on = applied
        # Households on the books for years: 低保 or low income since then.
        for h in grant_households + other_households:
            if h.inclusion is None and rng.random() < 0.5:
                status = rng.choice(["urban_dibao" if self.places[h.town][0] == "subdistrict" else "rural_dibao"] * 4
                                    + ["low_income"])
                start = max(h.registered_on, date(2015, 1, 1))
                if start.day > 1:  # benefits run by the month: from the first of the next one
                    start = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
                h.categories.append((status, start, Decimal(rng.choice([280, 350, 420, 510, 640]))))

        # Contacts: every household in the period; a few not in the last two weeks.
        everyone = grant_households + new_households + other_households
        recent_from = LAST_DAY - timedelta(days=13)
        quiet = {id(h) for h in rng.sample([h for h in everyone if h.registered_on < recent_from], NOT_CONTACTED)}
        for h in everyone:
            start = max(FIRST_DAY, h.registered_on)
            end = recent_from - timedelta(days=1) if id(h) in quiet else LAST_DAY
            channels = rng.choices(["phone", "wechat", "home_visit"], [5, 3, 3], k=rng.choice([1, 1, 1, 2]))
            days = sorted(self._day(start, end) for _ in channels)
            if id(h) not in quiet and days[-1] < recent_from:
                days[-1] = self._day(recent_from, LAST_DAY)
            h.contacts = list(zip(days, channels))
        return everyone

    # -------------------------------------------------------------- writing

    def _create(self, session: Any, spec: Any, values: dict[str, Any]) -> uuid.UUID:
        return records.create(session, self.actor, spec, values).id

    def write_households(self, households: list[HouseholdPlan], towns: dict[str, uuid.UUID],
                         communities: dict[tuple[str, str], uuid.UUID]) -> None:
        for chunk in _chunks(households, 150):
            with self.db.write() as s:
                for h in chunk:
                    if h.registered_on > self.last_day:
                        continue
                    self._write_household(s, h, towns, communities)

    def _write_household(self, s: Any, h: HouseholdPlan, towns: dict[str, uuid.UUID],
                         communities: dict[tuple[str, str], uuid.UUID]) -> None:
        rng, head = self.rng, h.head
        h.id = self._create(s, HOUSEHOLDS, {
            "head_name": head.name, "head_id_number": head.id_number, "town_id": towns[h.town],
            "community_id": communities.get((h.town, h.community)), "address": h.address, "phone": head.phone,
            "bank_name": h.bank_name, "bank_account": h.bank_account, "registered_on": h.registered_on, "notes": ""})
        self.counts["households"] += 1
        for p in h.members:
            p.id = self._create(s, MEMBERS, {
                "household_id": h.id, "name": p.name, "relation": p.relation, "id_number": p.id_number,
                "phone": p.phone, "address": "", "health": p.health, "work": p.work, "monthly_income": p.income,
                "notes": ""})
            self.counts["members"] += 1
        for status, start, benefit in h.categories:
            self._create(s, HOUSEHOLD_CATEGORIES, {"household_id": h.id, "status": status, "start_date": start,
                                                   "note": "", "monthly_benefit": benefit})
            self.counts["household_categories"] += 1
        # Persons in difficulty: disabled adults with their certificate, children in difficulty.
        for p in h.members:
            age = 2021 - p.born.year
            if p.health == "disabled" and age >= 18 and rng.random() < 0.3:
                self._create(s, PERSON_CATEGORIES, {
                    "member_id": p.id, "status": "disabled", "start_date": max(h.registered_on, date(2016, 1, 1)),
                    "certificate_number": p.id_number + str(rng.randrange(1, 5)) + str(rng.randrange(1, 8)),
                    "disability_grade": str(rng.randrange(1, 5)), "note": "",
                    "monthly_benefit": Decimal(rng.choice([80, 100, 120]))})
                self.counts["person_categories"] += 1
            elif age < 16 and p.relation == "grandchild" and rng.random() < 0.2:
                self._create(s, PERSON_CATEGORIES, {
                    "member_id": p.id, "status": "child_in_difficulty",
                    "start_date": max(h.registered_on, p.born + timedelta(days=400), date(2019, 1, 1)),
                    "note": "父母外出务工，由祖父母抚养", "monthly_benefit": Decimal(300)})
                self.counts["person_categories"] += 1
        if h.inclusion is not None:
            programme, applied, decided, persons = h.inclusion
            done = decided <= self.last_day
            effective = decided.replace(day=1)
            benefit = Decimal({"extreme_poverty": 780, "urban_dibao": 640, "rural_dibao": 420}[programme] * persons
                              if programme != "extreme_poverty" else 780)
            self._create(s, INCLUSIONS, {
                "household_id": h.id, "programme": programme, "applied_on": applied, "persons": persons,
                "decision": "approved" if done else "pending", "decided_on": decided if done else None,
                "effective_from": effective if done else None, "monthly_benefit": benefit if done else None,
                "notes": "疫情期间简化审核程序"})
            self.counts["inclusions"] += 1
            if done and programme == "extreme_poverty":
                self._create(s, PERSON_CATEGORIES, {
                    "member_id": h.head.id, "status": "extreme_poverty", "start_date": effective,
                    "care_mode": "scattered", "note": "", "monthly_benefit": benefit})
                self.counts["person_categories"] += 1
            elif done:
                self._create(s, HOUSEHOLD_CATEGORIES, {"household_id": h.id, "status": programme,
                                                       "start_date": effective, "note": "",
                                                       "monthly_benefit": benefit})
                self.counts["household_categories"] += 1
        for day, channel in h.contacts:
            if day > self.last_day:
                continue
            found = (["none"] if rng.random() < 0.35 else
                     rng.sample(FINDINGS, rng.choice([1, 1, 2])))
            self._create(s, CONTACTS, {
                "household_id": h.id, "contacted_on": day, "channel": channel,
                "contacted_by": rng.choice(self.cadres[h.town]), "findings": found,
                "situation": "生活基本稳定" if found == ["none"] else "疫情期间生活存在困难",
                "needs": "无" if found == ["none"] else rng.choice(NEEDS[:-1]),
                "follow_up": "" if found == ["none"] else "已报镇（街道）民政办跟进"})
            self.counts["contacts"] += 1

    def write_grants(self, households: list[HouseholdPlan]) -> None:
        planned = sorted((h for h in households if h.grant is not None and h.id is not None),
                         key=lambda h: (h.grant.applied_on, h.head.id_number))  # type: ignore[union-attr]
        for chunk in _chunks(planned, 120):
            with self.db.write() as s:
                for h in chunk:
                    g = h.grant
                    assert g is not None
                    if g.applied_on > self.last_day:
                        continue
                    reason = self.rng.choice(REASONS.get(g.hardship, REASONS["living"]))
                    row = grant_service.apply(s, self.actor, {
                        "household_id": h.id, "applied_on": g.applied_on, "hardship": g.hardship, "reason": reason,
                        "persons": g.persons, "earlier_assistance": "", "proposed_amount": Decimal(g.amount),
                        "notes": "先行救助" if g.kind in ("overdue", "completed", "owed") else ""})
                    self.counts["grants"] += 1
                    version = row.version
                    for day, key, values in g.steps:
                        if day > self.last_day:
                            break
                        version = grant_service.move(s, self.actor, row.id, version, key, values).version
                        self.counts["grant_steps"] += 1

    def write_reserve_funds(self, towns: dict[str, uuid.UUID]) -> None:
        if ALLOCATED_ON > self.last_day:
            return
        with self.db.write() as s:
            for town, amount in RESERVE_FUNDS.items():
                self._create(s, RESERVE_ALLOCATIONS, {"town_id": towns[town], "allocated_on": ALLOCATED_ON,
                                                      "amount": Decimal(amount), "document": RESERVE_DOCUMENT,
                                                      "notes": "疫情期间临时救助备用金"})
                self.counts["reserve_allocations"] += 1

    def write_rescues(self, towns: dict[str, uuid.UUID]) -> None:
        rng = self.rng
        kinds = ["vagrant"] * VAGRANTS + ["stranded"] * STRANDED
        with self.db.write() as s:
            for n, kind in enumerate(kinds):
                day = FIRST_DAY + timedelta(days=2 + n * 3 + rng.randrange(0, 3))
                if day > self.last_day:
                    continue
                place, town = RESCUE_PLACES[n % len(RESCUE_PLACES)]
                known = kind == "stranded" or n % 2 == 0
                male = rng.random() < 0.75
                born = self._born(1950, 1995)
                values: dict[str, Any] = {
                    "kind": kind, "found_on": day,
                    "found_at": datetime.combine(day, time(rng.randrange(7, 22), rng.choice((0, 15, 30, 45)))).astimezone(),
                    "place_found": place, "town_id": towns.get(town), "patrol": rng.choice(PATROLS),
                    "name": "", "id_number": "", "sex": "male" if male else "female",
                    "approximate_age": None if known else rng.randrange(40, 70),
                    "home_place": rng.choice(HOME_PLACES),
                    "health": rng.choice(["身体状况良好", "体弱，轻度营养不良", "患有慢性病，需药物治疗"]),
                    "help_given": (["food", "lodging", "ticket"] if kind == "stranded"
                                   else rng.choice([["food", "clothing", "station"], ["food", "medical", "station"],
                                                    ["food", "lodging", "ticket"]])),
                    "outcome": ("returned_home" if kind == "stranded" else
                                rng.choice(["relief_station", "family_collected", "returned_home", "hospital"])),
                    "notes": "因疫情滞留，无返乡路费" if kind == "stranded" else "",
                }
                if known:
                    values["name"] = person_name(rng)
                    values["id_number"] = resident_id(rng, born, male)
                self._create(s, RESCUES, values)
                self.counts["rescues"] += 1


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _places(db: Database, actor: Actor) -> tuple[dict[str, uuid.UUID], dict[tuple[str, str], uuid.UUID],
                                                 dict[str, tuple[str, list[str]]]]:
    """The towns (and their villages and communities) of the place tree; the reserve funds' towns
    are added if the tree lacks them."""
    with db.write() as s:
        for town in RESERVE_FUNDS:
            if s.scalar(select(Town.id).where(Town.name == town, Town.deleted_at.is_(None))) is None:
                records.create(s, actor, TOWNS, {"name": town, "kind": "subdistrict" if town.endswith("街道") else "town",
                                                 "notes": ""})
        towns = {name: (tid, kind) for tid, name, kind in s.execute(
            select(Town.id, Town.name, Town.kind).where(Town.deleted_at.is_(None)).order_by(Town.name))}
        communities: dict[tuple[str, str], uuid.UUID] = {}
        names = {tid: name for name, (tid, _kind) in towns.items()}
        for cid, town_id, name in s.execute(select(Community.id, Community.town_id, Community.name)
                                            .where(Community.deleted_at.is_(None)).order_by(Community.name)):
            if town_id in names:
                communities[(names[town_id], name)] = cid
    places = {name: (kind, sorted(c for t, c in communities if t == name)) for name, (_tid, kind) in towns.items()
              if name in RESERVE_FUNDS}
    return {name: tid for name, (tid, _kind) in towns.items()}, communities, places


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR, today: date | None = None,
         sample: int = 1) -> dict[str, int]:
    """Adds group 4's demo records, none dated after `today` (default: 5 November 2021, the
    brief's last day).  A second run adds nothing.  `sample` n keeps one planned household in n
    (the self-test wants a few records of every kind, not the ~900 households)."""
    last_day = min(today or LAST_DAY, LAST_DAY)
    towns, communities, places = _places(db, actor)
    demo = _Demo(db, actor, last_day, places)
    households = demo.plan()[::sample]
    with db.read() as s:
        if s.scalar(select(Household.id).where(Household.head_id_number == households[0].head.id_number)) is not None:
            return dict.fromkeys(demo.counts, 0)
    demo.write_households(households, towns, communities)
    demo.write_reserve_funds(towns)  # before the grants paid from them
    demo.write_grants(households)
    demo.write_rescues(towns)
    return demo.counts
