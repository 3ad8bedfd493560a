"""Group 4's households in difficulty, as register specs: households and their members,
categories over time (per household: 城市低保, 农村低保, low income; per person: 特困 with its care
mode, disabled person in difficulty with certificate and grade, child in difficulty), contacts
with each household (phone, WeChat, home visit) and applications for inclusion.

A person (by ID number) belongs to one live household: the same number in a second household is
refused, naming the household that has it, and the clerk moves the person instead
(`household_service.move_member`).  A possible duplicate — the same name and birth date, or the
same phone, in another household's record — is a warning the clerk may accept.  A member's sex
and birth date are derived from the ID number (never typed)."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import N_, _
from civaffairs.core.idnumbers import parse_resident_id
from civaffairs.groups.assistance.models import (
    Contact, Household, HouseholdCategory, HouseholdMember, Inclusion, PersonCategory,
)
from civaffairs.groups.assistance.search import MEMBER_SEARCH
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.places.models import Community, Town
from civaffairs.records.spec import (
    Choice, ComputedColumn, FieldSpec, Kind, RegisterSpec, RowLevel, Sensitivity, register,
)
from civaffairs.records.status import StatusHistory

GROUP = 4
GREEN, AMBER, RED, GREY = "#1e8449", "#b7950b", "#c0392b", "#7f8c8d"

HEAD = "head"
RELATIONS = (
    Choice(HEAD, N_("Head of household")),
    Choice("spouse", N_("Spouse")),
    Choice("child", N_("Child")),
    Choice("parent", N_("Parent")),
    Choice("grandchild", N_("Grandchild")),
    Choice("grandparent", N_("Grandparent")),
    Choice("sibling", N_("Brother or sister")),
    Choice("other", N_("Other relation")),
)
SEXES = (Choice("male", N_("Male")), Choice("female", N_("Female")))
HEALTH = (
    Choice("healthy", N_("Healthy")),
    Choice("chronic", N_("Chronic illness")),
    Choice("serious", N_("Serious illness")),
    Choice("disabled", N_("Disabled")),
    Choice("frail", N_("Old and frail")),
)
WORK = (
    Choice("employed", N_("Employed")),
    Choice("migrant", N_("Migrant worker")),
    Choice("farming", N_("Farming")),
    Choice("unemployed", N_("Unemployed")),
    Choice("retired", N_("Retired")),
    Choice("student", N_("Student")),
    Choice("preschool", N_("Preschool child")),
    Choice("unable", N_("Unable to work")),
)

URBAN_DIBAO, RURAL_DIBAO, LOW_INCOME = "urban_dibao", "rural_dibao", "low_income"
HOUSEHOLD_CATEGORIES_CHOICES = (
    Choice(URBAN_DIBAO, N_("Urban minimum living guarantee")),
    Choice(RURAL_DIBAO, N_("Rural minimum living guarantee")),
    Choice(LOW_INCOME, N_("Low-income household")),
)
EXTREME_POVERTY, DISABLED, CHILD_IN_DIFFICULTY = "extreme_poverty", "disabled", "child_in_difficulty"
PERSON_CATEGORIES_CHOICES = (
    Choice(EXTREME_POVERTY, N_("Extreme-poverty support")),
    Choice(DISABLED, N_("Disabled person in difficulty")),
    Choice(CHILD_IN_DIFFICULTY, N_("Child in difficulty")),
)
CARE_MODES = (Choice("central", N_("Central care")), Choice("scattered", N_("Scattered care")))
DISABILITY_GRADES = (
    Choice("1", N_("Grade 1")), Choice("2", N_("Grade 2")), Choice("3", N_("Grade 3")), Choice("4", N_("Grade 4")),
)
ADULT_AGE = 18  # a child in difficulty is under 18

CHANNELS = (
    Choice("phone", N_("Phone call")),
    Choice("wechat", N_("WeChat")),
    Choice("home_visit", N_("Home visit")),
)
NO_DIFFICULTY = "none"
FINDINGS = (
    Choice("food", N_("Short of food")),
    Choice("medicine", N_("Short of medicine")),
    Choice("heating", N_("Heating")),
    Choice("income_lost", N_("Income lost in the outbreak")),
    Choice("housing", N_("Housing problems")),
    Choice("care", N_("Needs care")),
    Choice(NO_DIFFICULTY, N_("No difficulty")),
)

PROGRAMMES = (
    Choice(URBAN_DIBAO, N_("Urban minimum living guarantee")),
    Choice(RURAL_DIBAO, N_("Rural minimum living guarantee")),
    Choice(EXTREME_POVERTY, N_("Extreme-poverty support")),
)
PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
DECISIONS = (
    Choice(PENDING, N_("Pending"), AMBER),
    Choice(APPROVED, N_("Approved"), GREEN),
    Choice(REFUSED, N_("Not approved"), GREY),
)

BANK_ACCOUNT_DIGITS = (10, 30)


def _live(model: type, record_id: uuid.UUID | None, *conds: Any) -> list[Any]:
    where = [model.deleted_at.is_(None), *conds]
    if record_id is not None:
        where.append(model.id != record_id)
    return where


def _birth_date(number: str | None) -> date | None:
    """The birth date in a (validated) ID number; None when there is none."""
    if not number:
        return None
    try:
        return parse_resident_id(number).birth_date
    except ValueError:
        return None


def _town_name(session: Session, town_id: uuid.UUID | None) -> str:
    return (session.scalar(select(Town.name).where(Town.id == town_id)) if town_id else None) or ""


def household_label(session: Session, household_id: uuid.UUID) -> str:
    """How messages name a household: its head and town ("马跑泉镇王建国户" in Chinese)."""
    row = session.execute(select(Household.head_name, Town.name).join(Town, Town.id == Household.town_id)
                          .where(Household.id == household_id)).first()
    if row is None:
        return ""
    return _("the household of {head} ({town})").format(head=row[0], town=row[1])


# ------------------------------------------------------------------ computed columns


HOUSEHOLD_HISTORY = StatusHistory(HouseholdCategory, "household_id", choices=HOUSEHOLD_CATEGORIES_CHOICES,
                                  per_status=True)
PERSON_HISTORY = StatusHistory(PersonCategory, "member_id", choices=PERSON_CATEGORIES_CHOICES, per_status=True)


def member_counts(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Live members of each household."""
    if not ids:
        return {}
    m = HouseholdMember
    found = dict(session.execute(select(m.household_id, func.count()).where(
        m.household_id.in_(list(ids)), m.deleted_at.is_(None)).group_by(m.household_id)).all())
    return {i: found.get(i, 0) for i in ids}


def last_contacts(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, date | None]:
    """The date of each household's latest contact (None: never contacted)."""
    if not ids:
        return {}
    c = Contact
    found = dict(session.execute(select(c.household_id, func.max(c.contacted_on)).where(
        c.household_id.in_(list(ids)), c.deleted_at.is_(None)).group_by(c.household_id)).all())
    return {i: found.get(i) for i in ids}


# ------------------------------------------------------------------ households


def holder_of(session: Session, number: str, record_id: uuid.UUID | None) -> tuple[HouseholdMember, Household] | None:
    """The live member (of a live household) with this ID number, other than `record_id`."""
    m, h = HouseholdMember, Household
    row = session.execute(select(m, h).join(h, h.id == m.household_id).where(
        *_live(m, record_id, m.id_number == number), h.deleted_at.is_(None)).order_by(m.id).limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def _community_in_town(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    town_id, community_id = values.get("town_id"), values.get("community_id")
    if town_id is None or community_id is None:
        return {}
    row = session.execute(select(Community.name, Community.town_id).where(Community.id == community_id)).first()
    if row is None or row[1] == town_id:
        return {}  # a missing record is reported at its field by the service
    return {"community_id": _("{community} belongs to {town}, not to the chosen town or sub-district.").format(
        community=row[0], town=_town_name(session, row[1]))}


def _bank_account(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    account, bank = values.get("bank_account") or "", values.get("bank_name") or ""
    errors: dict[str, str] = {}
    low, high = BANK_ACCOUNT_DIGITS
    if account and not (account.isascii() and account.isdigit() and low <= len(account) <= high):
        errors["bank_account"] = _("A bank account number has {low} to {high} digits, with no spaces or other "
                                   "characters; this one has {n} characters.").format(low=low, high=high,
                                                                                      n=len(account))
    if account and not bank:
        errors["bank_name"] = _("Please name the bank of this account.")
    return errors


def _one_household_per_head(session: Session, values: Mapping[str, Any],
                            record_id: uuid.UUID | None) -> dict[str, str]:
    number = values.get("head_id_number")
    if not number:
        return {}
    other = session.execute(select(Household.id, Household.head_name).where(
        *_live(Household, record_id, Household.head_id_number == number)).limit(1)).first()
    if other is None:
        return {}
    town = session.scalar(select(Town.name).join(Household, Household.town_id == Town.id)
                          .where(Household.id == other[0])) or ""
    return {"head_id_number": _("{name} already heads a household in {town}. A person heads one household: change "
                                "that household's head first.").format(name=other[1], town=town)}


def _head_member_agrees(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """A household whose head is also entered among its members keeps the two the same person."""
    number = values.get("head_id_number")
    if record_id is None or not number:
        return {}
    m = HouseholdMember
    head = session.execute(select(m.name, m.id_number).where(
        m.household_id == record_id, m.relation == HEAD, m.deleted_at.is_(None)).limit(1)).first()
    if head is None or head[1] == number:
        return {}
    return {"head_id_number": _("{name} is entered among the members as the head of this household. Change their "
                                "relation first, then the household's head.").format(name=head[0])}


def _people_like(session: Session, name: str | None, born: date | None, phone: str | None, *,
                 household_id: uuid.UUID | None, member_id: uuid.UUID | None,
                 same_household_too: bool) -> dict[str, str]:
    """Possible duplicates of a person: members with the same name and birth date (in any
    household when `same_household_too`, else in other households) and heads of other households
    born that day by their ID number; members of other households and other households with the
    same phone (a family shares its phone).  One message per field, worded the same each time for
    the same finding: the clerk accepts it by its text."""
    m, h = HouseholdMember, Household
    found: dict[str, str] = {}
    if name and born:
        same: list[str] = []
        stmt = (select(m.name, m.household_id).join(h, h.id == m.household_id)
                .where(*_live(m, member_id, m.name == name, m.birth_date == born), h.deleted_at.is_(None)))
        if not same_household_too and household_id is not None:
            stmt = stmt.where(h.id != household_id)
        for other_name, other_household in session.execute(stmt.order_by(m.id).limit(3)):
            same.append(_("{name} in {household}").format(name=other_name,
                                                          household=household_label(session, other_household)))
        # Heads of other households born that day (by their ID number; few share a name).
        heads = select(h.id, h.head_id_number).where(*_live(h, household_id, h.head_name == name)).order_by(h.id)
        for other_household, number in session.execute(heads.limit(20)):
            if len(same) < 3 and _birth_date(number) == born:
                same.append(_("{name}, the head of {household}").format(
                    name=name, household=household_label(session, other_household)))
        if same:
            found["name"] = _("Possibly the same person: {name}, born on {day}, is already registered as {where}.").format(
                name=name, day=long_date(born), where="；".join(same))
    if phone:
        same = []
        stmt = (select(m.name, m.household_id).join(h, h.id == m.household_id)
                .where(*_live(m, member_id, m.phone == phone), h.deleted_at.is_(None)))
        if household_id is not None:
            stmt = stmt.where(h.id != household_id)
        for other_name, other_household in session.execute(stmt.order_by(m.id).limit(3)):
            same.append(_("{name} in {household}").format(name=other_name,
                                                          household=household_label(session, other_household)))
        for other_household in session.scalars(select(h.id).where(*_live(h, household_id, h.phone == phone))
                                                .order_by(h.id).limit(3)):
            if len(same) < 3:
                same.append(household_label(session, other_household))
        if same:
            found["phone"] = _("This phone number is already given for {where}.").format(where="；".join(same))
    return found


def _household_duplicates(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """The head may be registered already: as a member of another household (a son setting up his
    own household: it is saved, then he is moved into it) or under another ID number."""
    found = _people_like(session, values.get("head_name"), _birth_date(values.get("head_id_number")),
                         values.get("phone"), household_id=record_id, member_id=None, same_household_too=False)
    if "name" in found:
        found["head_name"] = found.pop("name")
    number = values.get("head_id_number")
    holder = holder_of(session, number, None) if number else None
    if holder is not None and holder[0].household_id != record_id:
        found["head_id_number"] = _("{name} (this ID number) is a member of {household}. If they now head this "
                                    "household, save it and then move them into it.").format(
            name=holder[0].name, household=household_label(session, holder[0].household_id))
    return found


HOUSEHOLDS = register(RegisterSpec(
    key="assistance.households", group=GROUP, title=N_("Households in difficulty"), record_noun=N_("household"),
    model=Household, display_fields=("head_name",), date_field="registered_on", default_sort="head_name",
    fields=(
        FieldSpec("head_name", N_("Head of household"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("head_id_number", N_("Head's ID number"), Kind.RESIDENT_ID, required=True,
                  sensitive=Sensitivity.ID_NUMBER, searchable=True, width=18),
        FieldSpec("town_id", N_("Town or sub-district"), Kind.REFERENCE, reference=TOWNS.key, required=True,
                  searchable=True, width=10),
        FieldSpec("community_id", N_("Village or community"), Kind.REFERENCE, reference=COMMUNITIES.key,
                  searchable=True, width=10),
        FieldSpec("address", N_("Address"), max_length=200, sensitive=Sensitivity.ADDRESS, searchable=True,
                  width=22),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, searchable=True, width=13),
        FieldSpec("bank_name", N_("Bank"), max_length=50, width=12, in_list=False,
                  placeholder=N_("e.g. 甘肃农村信用社")),
        FieldSpec("bank_account", N_("Bank account number"), sensitive=Sensitivity.BANK_ACCOUNT, width=20,
                  placeholder=N_("digits only")),
        FieldSpec("registered_on", N_("Registered on"), Kind.DATE, not_in_future=True, width=10,
                  default=today_local),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=1000, in_list=False),
    ),
    computed=(
        HOUSEHOLD_HISTORY.today_column("categories", N_("Categories today"), width=18),
        ComputedColumn(FieldSpec("members", N_("Household size"), Kind.INTEGER, in_form=False, width=4), member_counts),
        ComputedColumn(FieldSpec("last_contact", N_("Last contact"), Kind.DATE, in_form=False, width=10),
                       last_contacts),
    ),
    rules=(_community_in_town, _bank_account, _one_household_per_head, _head_member_agrees),
    warnings=(_household_duplicates,),
))


# ------------------------------------------------------------------ members


def _one_household_per_person(session: Session, values: Mapping[str, Any],
                              record_id: uuid.UUID | None) -> dict[str, str]:
    number, household_id = values.get("id_number"), values.get("household_id")
    if not number or household_id is None:
        return {}
    found = holder_of(session, number, record_id)
    if found is not None:
        member, household = found
        if member.household_id == household_id:
            return {"id_number": _("{name} is already a member of this household.").format(name=member.name)}
        return {"id_number": _("{name} (this ID number) is already a member of {household}. A person belongs to one "
                               "household: move them into this one instead of entering them again.").format(
            name=member.name, household=household_label(session, member.household_id))}
    return {}


def _heads_elsewhere(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """The ID number of another household's head, who is not entered among its members: a warning,
    not a refusal, since that is also what a head who moved out alone leaves behind."""
    number, household_id = values.get("id_number"), values.get("household_id")
    if not number:
        return {}
    head = session.execute(select(Household.id, Household.head_name).where(
        *_live(Household, household_id, Household.head_id_number == number)).order_by(Household.id).limit(1)).first()
    if head is None:
        return {}
    return {"id_number": _("This is the ID number of {name}, the head of {household}. Is it really the same person "
                           "in a second household?").format(name=head[1], household=household_label(session, head[0]))}


def _one_head(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    """One head per household, and the head among the members is the household's head.  (Not the
    converse: a new head is made by taking the old one's relation off, changing the household's
    head, then giving the new one the relation.)"""
    household_id, relation, number = values.get("household_id"), values.get("relation"), values.get("id_number")
    if household_id is None or not relation:
        return {}
    household = session.get(Household, household_id)
    if household is None:
        return {}
    m = HouseholdMember
    if relation == HEAD:
        other = session.scalar(select(m.name).where(
            *_live(m, record_id, m.household_id == household_id, m.relation == HEAD)).limit(1))
        if other is not None:
            return {"relation": _("This household already has a head: {name}.").format(name=other)}
        if number and number != household.head_id_number:
            return {"relation": _("The head of this household is {name}, whose ID number is different. Change the "
                                  "household's head first.").format(name=household.head_name)}
    return {}


def _member_duplicates(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    found = _people_like(session, values.get("name"), _birth_date(values.get("id_number")), values.get("phone"),
                         household_id=values.get("household_id"), member_id=record_id, same_household_too=True)
    found.update(_heads_elsewhere(session, values, record_id))
    return found


def derive_member(values: Mapping[str, Any]) -> dict[str, Any]:
    """Sex and birth date from the ID number (the 17th digit: odd for men)."""
    number = values.get("id_number")
    if not number:
        return {"sex": None, "birth_date": None}
    parsed = parse_resident_id(number)
    return {"sex": "male" if parsed.male else "female", "birth_date": parsed.birth_date}


MEMBERS = register(RegisterSpec(
    key="assistance.members", group=GROUP, title=N_("Family members"), record_noun=N_("family member"),
    model=HouseholdMember, display_fields=("name",), default_sort="name", parent_field="household_id",
    # The person search: name, ID number, phone and address (the household's too), for 1- to
    # 3-character terms over 100,000 persons (search.py; measured in bench/bench_person_search.py).
    search=MEMBER_SEARCH,
    fields=(
        FieldSpec("household_id", N_("Household"), Kind.REFERENCE, reference=HOUSEHOLDS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("name", N_("Name"), required=True, max_length=50, searchable=True, width=8),
        FieldSpec("relation", N_("Relation to the head"), Kind.CHOICE, choices=RELATIONS, required=True, width=8),
        FieldSpec("id_number", N_("ID number"), Kind.RESIDENT_ID, required=True, sensitive=Sensitivity.ID_NUMBER,
                  searchable=True, width=18),
        FieldSpec("sex", N_("Sex"), Kind.CHOICE, choices=SEXES, in_form=False, width=4),
        # Masked as a whole ("***"): the birth date is the part of the ID number a masked list hides.
        FieldSpec("birth_date", N_("Birth date"), Kind.DATE, sensitive=Sensitivity.ID_NUMBER, in_form=False, width=10),
        FieldSpec("phone", N_("Phone"), Kind.PHONE, sensitive=Sensitivity.PHONE, searchable=True, width=13),
        FieldSpec("address", N_("Address (if not the household's)"), max_length=200, sensitive=Sensitivity.ADDRESS,
                  searchable=True, width=18, in_list=False),
        FieldSpec("health", N_("Health"), Kind.CHOICE, choices=HEALTH, sensitive=Sensitivity.HEALTH, width=8),
        FieldSpec("work", N_("Work"), Kind.CHOICE, choices=WORK, width=11),
        FieldSpec("monthly_income", N_("Monthly income (yuan)"), Kind.MONEY, minimum=0, maximum=1_000_000,
                  width=9),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    carry_over=("household_id",),
    rules=(_one_household_per_person, _one_head),
    warnings=(_member_duplicates,),
    derive=derive_member,
))


# ------------------------------------------------------------------ categories over time


HOUSEHOLD_CATEGORIES = register(RegisterSpec(
    key="assistance.household_categories", group=GROUP, title=N_("Household categories"),
    record_noun=N_("household category"), model=HouseholdCategory,
    display_fields=("household_id", "status", "start_date"), date_field="start_date", default_sort="start_date",
    default_descending=True, parent_field="household_id",
    fields=HOUSEHOLD_HISTORY.fields(HOUSEHOLDS.key, N_("Household"), status_label=N_("Category")) + (
        FieldSpec("monthly_benefit", N_("Monthly benefit (yuan)"), Kind.MONEY, minimum=0, maximum=100_000,
                  width=9),
    ),
    rules=(HOUSEHOLD_HISTORY.no_overlap,),
))


def _person_category_details(session: Session, values: Mapping[str, Any],
                             record_id: uuid.UUID | None) -> dict[str, str]:
    status = values.get("status")
    errors: dict[str, str] = {}
    if status == EXTREME_POVERTY and not values.get("care_mode"):
        errors["care_mode"] = _("Extreme-poverty support is either central or scattered care: please choose.")
    elif status != EXTREME_POVERTY and values.get("care_mode"):
        errors["care_mode"] = _("The care mode is only for extreme-poverty support.")
    if status == DISABLED:
        if not values.get("certificate_number"):
            errors["certificate_number"] = _("Please enter the number of the disability certificate.")
        if not values.get("disability_grade"):
            errors["disability_grade"] = _("Please choose the disability grade.")
    else:
        if values.get("certificate_number"):
            errors["certificate_number"] = _("A disability certificate is only for a disabled person in difficulty.")
        if values.get("disability_grade"):
            errors["disability_grade"] = _("A disability grade is only for a disabled person in difficulty.")
    member_id, start = values.get("member_id"), values.get("start_date")
    if status == CHILD_IN_DIFFICULTY and member_id is not None and start is not None:
        member = session.get(HouseholdMember, member_id)
        born = member.birth_date if member is not None else None
        if born is not None and _age_on(born, start) >= ADULT_AGE:
            errors["status"] = _("{name} was born on {day} and is not a child on {start}.").format(
                name=member.name, day=long_date(born), start=long_date(start))
    return errors


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


PERSON_CATEGORIES = register(RegisterSpec(
    key="assistance.person_categories", group=GROUP, title=N_("Person categories"),
    record_noun=N_("person category"), model=PersonCategory,
    display_fields=("member_id", "status", "start_date"), date_field="start_date", default_sort="start_date",
    default_descending=True, parent_field="member_id",
    fields=PERSON_HISTORY.fields(MEMBERS.key, N_("Person"), status_label=N_("Category")) + (
        FieldSpec("care_mode", N_("Care mode"), Kind.CHOICE, choices=CARE_MODES, width=8),
        # The certificate number begins with the person's ID number; the grade is health data.
        FieldSpec("certificate_number", N_("Disability certificate number"), max_length=32,
                  sensitive=Sensitivity.ID_NUMBER, width=20),
        FieldSpec("disability_grade", N_("Disability grade"), Kind.CHOICE, choices=DISABILITY_GRADES,
                  sensitive=Sensitivity.HEALTH, width=6),
        FieldSpec("monthly_benefit", N_("Monthly benefit (yuan)"), Kind.MONEY, minimum=0, maximum=100_000,
                  width=9),
    ),
    rules=(PERSON_HISTORY.no_overlap, _person_category_details),
))


# ------------------------------------------------------------------ contacts


def _findings_consistent(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    findings = values.get("findings") or []
    if NO_DIFFICULTY in findings and len(findings) > 1:
        return {"findings": _("“No difficulty” cannot go with a difficulty found.")}
    return {}


def _contact_level(row: Mapping[str, Any]) -> RowLevel | None:
    """A contact that found a difficulty asks for attention (and its follow-up)."""
    findings = row.get("findings")
    return RowLevel.WARNING if isinstance(findings, list) and set(findings) - {NO_DIFFICULTY} else None


CONTACTS = register(RegisterSpec(
    key="assistance.contacts", natural_key=("household_id", "contacted_on", "channel", "contacted_by", "findings"), group=GROUP, title=N_("Contacts"), record_noun=N_("contact"), model=Contact,
    display_fields=("household_id", "contacted_on"), date_field="contacted_on", default_sort="contacted_on",
    default_descending=True, parent_field="household_id",
    fields=(
        FieldSpec("household_id", N_("Household"), Kind.REFERENCE, reference=HOUSEHOLDS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("contacted_on", N_("Date"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("channel", N_("How"), Kind.CHOICE, choices=CHANNELS, required=True, width=8),
        FieldSpec("contacted_by", N_("Contacted by"), required=True, max_length=50, searchable=True, width=10),
        FieldSpec("findings", N_("Found"), Kind.MULTI_CHOICE, choices=FINDINGS, width=16),
        # What a visit finds out about a family (an illness, the medicine it needs) is personal.
        FieldSpec("situation", N_("Situation"), Kind.LONG_TEXT, max_length=1000, sensitive=Sensitivity.HEALTH,
                  width=20),
        FieldSpec("needs", N_("Needs"), Kind.LONG_TEXT, max_length=1000, sensitive=Sensitivity.HEALTH, width=16),
        FieldSpec("follow_up", N_("Follow-up"), Kind.LONG_TEXT, max_length=1000, width=16),
    ),
    carry_over=("contacted_on", "channel", "contacted_by"),
    row_level=_contact_level,
    rules=(_findings_consistent,),
))


# ------------------------------------------------------------------ inclusion


def _inclusion_rules(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    decision = values.get("decision")
    applied, decided, effective = values.get("applied_on"), values.get("decided_on"), values.get("effective_from")
    if decision == APPROVED:
        if decided is None:
            errors["decided_on"] = _("An approved application needs the date of the decision.")
        if effective is None:
            errors["effective_from"] = _("An approved application needs the date it takes effect.")
    elif decision == REFUSED:
        if decided is None:
            errors["decided_on"] = _("A refused application needs the date of the decision.")
        if effective is not None:
            errors["effective_from"] = _("A refused application takes no effect: leave this empty.")
    elif decision == PENDING:
        if decided is not None:
            errors["decided_on"] = _("A pending application has no decision yet: leave this empty.")
        if effective is not None:
            errors["effective_from"] = _("A pending application takes no effect yet: leave this empty.")
    if applied is not None and decided is not None and decided < applied:
        errors.setdefault("decided_on", _("The decision is dated before the application ({day}).").format(
            day=long_date(applied)))
    # Benefits are paid by the month: from the month of the application at the earliest.
    if applied is not None and effective is not None and effective < applied.replace(day=1):
        errors.setdefault("effective_from", _("It cannot take effect before the month of the application "
                                              "({day}).").format(day=long_date(applied)))
    household_id, persons = values.get("household_id"), values.get("persons")
    if household_id is not None and persons:
        members = member_counts(session, [household_id])[household_id]
        if members and persons > members:
            errors["persons"] = _("The household has {n} members entered; more persons cannot be included.").format(
                n=members)
    return errors


def _inclusion_level(row: Mapping[str, Any]) -> RowLevel | None:
    return RowLevel.WARNING if row.get("decision") == PENDING else None


INCLUSIONS = register(RegisterSpec(
    key="assistance.inclusions", group=GROUP, title=N_("Inclusion"), record_noun=N_("application for inclusion"),
    model=Inclusion, display_fields=("household_id", "programme"), date_field="applied_on",
    default_sort="applied_on", default_descending=True, parent_field="household_id",
    fields=(
        FieldSpec("household_id", N_("Household"), Kind.REFERENCE, reference=HOUSEHOLDS.key, required=True,
                  searchable=True, width=8),
        FieldSpec("programme", N_("Programme"), Kind.CHOICE, choices=PROGRAMMES, required=True, width=14),
        FieldSpec("applied_on", N_("Applied on"), Kind.DATE, required=True, not_in_future=True, width=10),
        FieldSpec("persons", N_("Persons included"), Kind.INTEGER, required=True, minimum=1, maximum=30, width=5),
        FieldSpec("decision", N_("Decision"), Kind.CHOICE, choices=DECISIONS, required=True, width=7,
                  default=lambda: PENDING),
        FieldSpec("decided_on", N_("Decided on"), Kind.DATE, not_in_future=True, width=10),
        FieldSpec("effective_from", N_("Effective from"), Kind.DATE, width=10),
        FieldSpec("monthly_benefit", N_("Monthly benefit (yuan)"), Kind.MONEY, minimum=0, maximum=100_000,
                  width=9),
        FieldSpec("notes", N_("Notes"), Kind.LONG_TEXT, max_length=500, in_list=False),
    ),
    row_level=_inclusion_level,
    rules=(_inclusion_rules,),
))

REGISTERS = (HOUSEHOLDS, MEMBERS, HOUSEHOLD_CATEGORIES, PERSON_CATEGORIES, CONTACTS, INCLUSIONS)
