"""Group 4's households through the services: every rule of households, members, categories,
contacts and inclusion; one person in one household (refused, then moved); possible duplicates
accepted by the clerk; sex and birth date derived from the ID number; rare characters; masking in
lists, the not-contacted list, the household's file and on paper; forbidden calls."""
from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import EditConflict, NeedsConfirmation, PermissionDenied, ValidationError
from civaffairs.core.ids import new_id
from civaffairs.db.database import Database
from civaffairs.groups.assistance import household_paper as paper
from civaffairs.groups.assistance import household_service as S
from civaffairs.groups.assistance import households as H
from civaffairs.groups.assistance.models import HouseholdMember, TemporaryAssistanceGrant
from civaffairs.places import demo as places_demo
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.printing.fonts import MissingGlyph
from civaffairs.records import service as records
from tests.helpers import assert_fonts_embedded, audit_entries, fresh_id, fresh_mobile

PRINTED_AT = datetime(2021, 11, 5, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def clerk() -> Actor:
    return Actor("assist", "救助股干事", Role.MEMBER, frozenset({4}))


@pytest.fixture
def places(db: Database) -> dict[str, uuid.UUID]:
    """Towns and communities of the demo place tree, by name."""
    places_demo.fill(db)
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR)
    with db.read() as s:
        found = {o.label: o.id for o in records.options(s, admin, TOWNS)}
        found.update({o.label: o.id for o in records.options(s, admin, COMMUNITIES)})
    return found


def create(db: Database, actor: Actor, spec, values: dict[str, Any], **kw: Any) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values, **kw)


def update(db: Database, actor: Actor, spec, row: records.Row, values: dict[str, Any], **kw: Any) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.update(s, actor, spec, row.id, row.version, values, **kw)


def household(db: Database, actor: Actor, places: dict[str, uuid.UUID], head: str = "王建国", *,
              town: str = "马跑泉镇", community: str | None = "崖湾村", number: str | None = None,
              **extra: Any) -> records.Row:
    values = {"head_name": head, "head_id_number": number or fresh_id(), "town_id": places[town],
              "community_id": places[community] if community else None, "address": "崖湾村三组12号",
              "phone": fresh_mobile(), "bank_name": "甘肃农村信用社", "bank_account": "6228480012345678901",
              "registered_on": date(2021, 10, 8)}
    values.update(extra)
    return create(db, actor, H.HOUSEHOLDS, values)


def member(db: Database, actor: Actor, household_id: uuid.UUID, name: str, relation: str = "child", *,
           number: str | None = None, **extra: Any) -> records.Row:
    values = {"household_id": household_id, "name": name, "relation": relation, "id_number": number or fresh_id(),
              "health": "healthy", "work": "farming", "monthly_income": "600"}
    values.update(extra)
    return create(db, actor, H.MEMBERS, values)


def with_head(db: Database, actor: Actor, places: dict[str, uuid.UUID], head: str = "王建国", **kw: Any) -> tuple[records.Row, records.Row]:
    """A household and its head entered among its members."""
    h = household(db, actor, places, head, **kw)
    return h, member(db, actor, h.id, head, "head", number=h.values["head_id_number"])


# ------------------------------------------------------------------ households


def test_a_household_rules(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    with pytest.raises(ValidationError) as e:
        household(db, clerk, places, town="甘泉镇", community="崖湾村")
    assert "崖湾村" in e.value.field_errors["community_id"] and "马跑泉镇" in e.value.field_errors["community_id"]
    for bad in ("6228 4800 1234 5678", "62284800A2345678", "622848001", "1" * 31, "６２２８４８００１２３４５６７８"):
        with pytest.raises(ValidationError) as e:
            household(db, clerk, places, bank_account=bad)
        assert "10" in e.value.field_errors["bank_account"] and "30" in e.value.field_errors["bank_account"]
    with pytest.raises(ValidationError) as e:
        household(db, clerk, places, bank_name="")
    assert set(e.value.field_errors) == {"bank_name"}
    household(db, clerk, places, "李秀兰", bank_name="", bank_account="")  # no account at all is fine
    ten = household(db, clerk, places, "赵小平", bank_account="1234567890")
    assert ten.values["bank_account"] == "1234567890"
    # One household per head: the same head ID number again is refused, naming the town.
    number = fresh_id()
    household(db, clerk, places, "张国华", number=number)
    with pytest.raises(ValidationError) as e:
        household(db, clerk, places, "张国华", town="甘泉镇", community=None, number=number)
    assert "张国华" in e.value.field_errors["head_id_number"] and "马跑泉镇" in e.value.field_errors["head_id_number"]


def test_the_head_among_the_members_is_the_households_head(db: Database, clerk: Actor,
                                                          places: dict[str, uuid.UUID]) -> None:
    h, head = with_head(db, clerk, places)
    # One head per household.
    with pytest.raises(ValidationError) as e:
        member(db, clerk, h.id, "王小军", "head")
    assert "王建国" in e.value.field_errors["relation"]
    other = household(db, clerk, places, "刘桂芳")
    with pytest.raises(ValidationError) as e:
        member(db, clerk, other.id, "王小军", "head")  # not the head the household names
    assert "刘桂芳" in e.value.field_errors["relation"]
    # The household's head cannot change while another person is its head among the members.
    with pytest.raises(ValidationError) as e:
        update(db, clerk, H.HOUSEHOLDS, h, {"head_id_number": fresh_id(), "head_name": "王小军"})
    assert "王建国" in e.value.field_errors["head_id_number"]
    # Change the relation first, then the head: allowed.
    update(db, clerk, H.MEMBERS, head, {"relation": "parent"})
    with db.read() as s:
        h = records.get(s, clerk, H.HOUSEHOLDS, h.id)
    update(db, clerk, H.HOUSEHOLDS, h, {"head_id_number": fresh_id(), "head_name": "王小军"})


def test_sex_and_birth_date_come_from_the_id_number(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    h = household(db, clerk, places)
    woman = member(db, clerk, h.id, "王小红", number=fresh_id(date(1990, 2, 28), male=False))
    assert (woman.values["sex"], woman.values["birth_date"]) == ("female", date(1990, 2, 28))
    assert "sex" not in {f.name for f in H.MEMBERS.form_fields}
    assert "birth_date" not in {f.name for f in H.MEMBERS.form_fields}
    with pytest.raises(ValidationError):  # not typed: the form has no such field
        member(db, clerk, h.id, "王小兵", sex="male")
    changed = update(db, clerk, H.MEMBERS, woman, {"id_number": fresh_id(date(1991, 7, 1), male=True)})
    assert (changed.values["sex"], changed.values["birth_date"]) == ("male", date(1991, 7, 1))
    entry = audit_entries(db, woman.id)[-1]
    assert entry.changes["birth_date"] == ["1990-02-28", "1991-07-01"]
    with pytest.raises(ValidationError) as e:
        member(db, clerk, h.id, "王小兵", number="620503199107011230")  # a wrong check digit
    assert "id_number" in e.value.field_errors


@pytest.mark.parametrize("name", ["𠀀", "王䶮", "𠀀䶮明", "龑𪚥"])
def test_rare_characters_round_trip(db: Database, clerk: Actor, places: dict[str, uuid.UUID], name: str) -> None:
    h = household(db, clerk, places, name)
    m = member(db, clerk, h.id, name, "head", number=h.values["head_id_number"])
    with db.read() as s:
        assert records.get(s, clerk, H.HOUSEHOLDS, h.id).values["head_name"] == name
        assert s.scalar(select(HouseholdMember.name).where(HouseholdMember.id == m.id)) == name
        # Found by searching for the rare character alone.
        found = records.fetch(s, clerk, H.MEMBERS, records.ListQuery(search=name[0]))
        assert [r.id for r in found] == [m.id]
        assert entry_label(s, m.id) == name


def entry_label(s, record_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    return s.scalar(select(AuditEntry.record_label).where(AuditEntry.record_id == record_id))


# ------------------------------------------------------------------ one person, one household


def test_the_same_id_number_in_a_second_household_is_refused_and_the_person_moved(
        db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    a, _head_a = with_head(db, clerk, places, "王建国")
    b, _head_b = with_head(db, clerk, places, "李德明", town="甘泉镇", community="甘泉村")
    son = member(db, clerk, a.id, "王小军", "child")
    number = son.values["id_number"]
    with pytest.raises(ValidationError) as e:
        member(db, clerk, b.id, "王小军", "other", number=number)
    message = e.value.field_errors["id_number"]
    assert "王建国" in message and "马跑泉镇" in message and "移" in message  # names the household, offers the move
    with pytest.raises(ValidationError) as e:  # in the same household: a different message
        member(db, clerk, a.id, "王小军", "child", number=number)
    assert "本户" in e.value.field_errors["id_number"]
    with db.read() as s:
        holder = S.holder_in_other_household(s, clerk, number, b.id)
        assert S.holder_in_other_household(s, clerk, number, a.id) is None  # already there: nothing to move
        assert S.holder_in_other_household(s, clerk, "not a number", b.id) is None
    assert holder is not None and (holder.member_id, holder.name) == (son.id, "王小军")
    assert "王建国" in holder.household
    with db.write() as s:
        moved = S.move_member(s, clerk, holder.member_id, b.id, holder.version, relation="other")
    assert (moved.values["household_id__id"], moved.values["relation"]) == (b.id, "other")
    entry = audit_entries(db, son.id)[-1]
    assert entry.action == "update" and entry.changes["household_id"] == ["王建国", "李德明"]
    assert entry.changes["relation"] == ["child", "other"]
    with db.read() as s:
        counts = H.member_counts(s, [a.id, b.id])
    assert counts == {a.id: 1, b.id: 2}
    # The ID number of another household's head not entered among its members: asked about.
    c = household(db, clerk, places, "赵永福")
    with pytest.raises(NeedsConfirmation) as e:
        member(db, clerk, b.id, "赵永福", "other", number=c.values["head_id_number"])
    assert "赵永福" in e.value.field_errors["id_number"]
    # A son setting up his own household: saved when the clerk accepts, then he is moved into it.
    with pytest.raises(NeedsConfirmation) as e:
        household(db, clerk, places, "王小军", number=number)
    assert "李德明" in e.value.field_errors["head_id_number"]


def test_moving_a_person_is_refused_where_it_makes_no_sense(db: Database, clerk: Actor,
                                                            places: dict[str, uuid.UUID]) -> None:
    a, head_a = with_head(db, clerk, places, "王建国")
    b, _head_b = with_head(db, clerk, places, "李德明")
    son = member(db, clerk, a.id, "王小军")

    def move(row: records.Row, to: uuid.UUID, **kw: Any) -> records.Row:
        with db.write() as s:
            return S.move_member(s, clerk, row.id, to, row.version, **kw)

    with pytest.raises(ValidationError) as e:
        move(son, a.id)
    assert "王小军" in e.value.field_errors["household_id"]
    with pytest.raises(ValidationError) as e:  # the head, while the household has other members
        move(head_a, b.id, relation="parent")
    assert "王小军" not in e.value.field_errors["relation"] and "1" in e.value.field_errors["relation"]
    with pytest.raises(ValidationError) as e:  # as the head of a household that has one
        move(son, b.id, relation="head")
    assert "李德明" in e.value.field_errors["relation"]
    with pytest.raises(EditConflict):
        with db.write() as s:
            S.move_member(s, clerk, son.id, b.id, son.version + 1)
    moved = move(son, b.id, relation="grandchild")
    # The head left alone may move: the household is left without members, its history kept.
    with db.read() as s:
        head_a = records.get(s, clerk, H.MEMBERS, head_a.id)
    move(head_a, b.id, relation="parent")
    with db.read() as s:
        assert H.member_counts(s, [a.id, b.id]) == {a.id: 0, b.id: 3}
    assert moved.values["household_id"] == "李德明"


def test_moving_is_forbidden_to_a_viewer_and_to_another_group(db: Database, clerk: Actor, viewer: Actor,
                                                              office_member: Actor,
                                                              places: dict[str, uuid.UUID]) -> None:
    a, _ = with_head(db, clerk, places, "王建国")
    b, _ = with_head(db, clerk, places, "李德明")
    son = member(db, clerk, a.id, "王小军")
    for actor in (viewer, office_member):
        with pytest.raises(PermissionDenied):
            with db.write() as s:
                S.move_member(s, actor, son.id, b.id, son.version)
        with db.read() as s:
            assert S.holder_in_other_household(s, actor, son.values["id_number"], b.id) is None
        for spec, values in ((H.HOUSEHOLDS, {"head_name": "x"}), (H.MEMBERS, {"name": "x"}),
                             (H.CONTACTS, {"household_id": a.id}), (H.INCLUSIONS, {"household_id": a.id})):
            with pytest.raises(PermissionDenied):
                create(db, actor, spec, values)
    with db.read() as s:
        assert records.get(s, clerk, H.MEMBERS, son.id).values["household_id__id"] == a.id


# ------------------------------------------------------------------ possible duplicates


def test_a_possible_duplicate_is_saved_only_when_the_clerk_accepts_it(db: Database, clerk: Actor,
                                                                    places: dict[str, uuid.UUID]) -> None:
    a, _ = with_head(db, clerk, places, "王建国")
    b, _ = with_head(db, clerk, places, "李德明", town="甘泉镇", community="甘泉村")
    born = date(1988, 5, 17)
    phone = fresh_mobile()
    member(db, clerk, a.id, "王小军", number=fresh_id(born), phone=phone)
    # Same name and birth date, another ID number: a typing slip, or really another person.
    values = {"household_id": b.id, "name": "王小军", "relation": "other", "id_number": fresh_id(born)}
    with pytest.raises(NeedsConfirmation) as e:
        create(db, clerk, H.MEMBERS, values)
    warning = e.value.field_errors["name"]
    assert "王建国" in warning and "1988年5月17日" in warning
    with pytest.raises(NeedsConfirmation):  # accepting another text accepts nothing
        create(db, clerk, H.MEMBERS, values, accept=("别的提示",))
    saved = create(db, clerk, H.MEMBERS, values, accept=(warning,))
    assert audit_entries(db, saved.id)[0].changes["warnings accepted"] == [None, warning]
    # The same phone in another household.
    with pytest.raises(NeedsConfirmation) as e:
        member(db, clerk, b.id, "李娜", "child", phone=phone)
    assert set(e.value.field_errors) == {"phone"} and "王小军" in e.value.field_errors["phone"]
    # A family shares its phone: no question within the household.
    member(db, clerk, a.id, "王小红", "child", phone=phone)
    # A new household whose head is already a member elsewhere, same name and birth date.
    with pytest.raises(NeedsConfirmation) as e:
        household(db, clerk, places, "王小军", number=fresh_id(born))
    assert "王建国" in e.value.field_errors["head_name"]
    # An edit that changes nothing about the person asks nothing again.
    with db.read() as s:
        saved = records.get(s, clerk, H.MEMBERS, saved.id)
    update(db, clerk, H.MEMBERS, saved, {"work": "unemployed"})


# ------------------------------------------------------------------ categories over time


def test_household_categories_overlap_only_within_one_category(db: Database, clerk: Actor,
                                                              places: dict[str, uuid.UUID]) -> None:
    h = household(db, clerk, places)

    def category(status: str, start: date, end: date | None = None, benefit: str | None = None) -> records.Row:
        return create(db, clerk, H.HOUSEHOLD_CATEGORIES, {"household_id": h.id, "status": status, "start_date": start,
                                                          "end_date": end, "monthly_benefit": benefit})

    category(H.RURAL_DIBAO, date(2020, 1, 1), benefit="520.00")
    category(H.LOW_INCOME, date(2021, 3, 1))  # at the same time, another category: fine
    with pytest.raises(ValidationError) as e:
        category(H.RURAL_DIBAO, date(2021, 10, 1), date(2021, 12, 31))
    assert "农村低保" in e.value.field_errors["start_date"] and "2020年1月1日" in e.value.field_errors["start_date"]
    with pytest.raises(ValidationError) as e:
        category(H.URBAN_DIBAO, date(2021, 10, 1), date(2021, 9, 1))
    assert "end_date" in e.value.field_errors
    with db.read() as s:
        row = records.get(s, clerk, H.HOUSEHOLDS, h.id)
        on = H.HOUSEHOLD_HISTORY.statuses_on(s, [h.id], date(2020, 6, 1))
    assert row.values["categories"] == [H.RURAL_DIBAO, H.LOW_INCOME]
    assert on == {h.id: [H.RURAL_DIBAO]}
    from civaffairs.records.display import cell_text
    assert cell_text(H.HOUSEHOLDS.list_fields[-3], row) == "农村低保、低收入家庭"


def test_person_categories_and_their_details(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    h = household(db, clerk, places)
    old = member(db, clerk, h.id, "王秀英", "parent", number=fresh_id(date(1940, 3, 3)))
    child = member(db, clerk, h.id, "王乐乐", "grandchild", number=fresh_id(date(2012, 9, 9)))

    def category(person: records.Row, status: str, start: date = date(2021, 1, 1), **extra: Any) -> records.Row:
        return create(db, clerk, H.PERSON_CATEGORIES, {"member_id": person.id, "status": status, "start_date": start,
                                                       **extra})

    with pytest.raises(ValidationError) as e:
        category(old, H.EXTREME_POVERTY)
    assert set(e.value.field_errors) == {"care_mode"}
    category(old, H.EXTREME_POVERTY, care_mode="scattered", monthly_benefit="780")
    with pytest.raises(ValidationError) as e:
        category(old, H.DISABLED, care_mode="central")
    assert {"care_mode", "certificate_number", "disability_grade"} <= set(e.value.field_errors)
    category(old, H.DISABLED, certificate_number="62050319400303123X42", disability_grade="2")
    with pytest.raises(ValidationError) as e:  # the same category twice at once
        category(old, H.EXTREME_POVERTY, date(2021, 6, 1), care_mode="central")
    assert "特困" in e.value.field_errors["start_date"]
    with pytest.raises(ValidationError) as e:
        category(old, H.CHILD_IN_DIFFICULTY)
    assert "王秀英" in e.value.field_errors["status"]
    with pytest.raises(ValidationError) as e:
        category(child, H.CHILD_IN_DIFFICULTY, date(2031, 1, 1))  # eighteen by then
    assert "status" in e.value.field_errors
    category(child, H.CHILD_IN_DIFFICULTY)
    with db.read() as s:
        assert H.PERSON_HISTORY.statuses_on(s, [old.id, child.id], date(2021, 10, 1)) == {
            old.id: [H.EXTREME_POVERTY, H.DISABLED], child.id: [H.CHILD_IN_DIFFICULTY]}


# ------------------------------------------------------------------ contacts and inclusion


def test_contact_rules(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    h = household(db, clerk, places)
    values = {"household_id": h.id, "contacted_on": date(2021, 10, 20), "channel": "home_visit",
              "contacted_by": "村干部 马红", "findings": ["none", "food"]}
    with pytest.raises(ValidationError) as e:
        create(db, clerk, H.CONTACTS, values)
    assert set(e.value.field_errors) == {"findings"}
    with pytest.raises(ValidationError) as e:
        create(db, clerk, H.CONTACTS, {**values, "findings": [], "channel": "letter", "contacted_by": ""})
    assert {"channel", "contacted_by"} <= set(e.value.field_errors)
    row = create(db, clerk, H.CONTACTS, {**values, "findings": ["food", "income_lost"], "needs": "米面油"})
    assert H.CONTACTS.row_level(row.values) is not None
    calm = create(db, clerk, H.CONTACTS, {**values, "findings": ["none"], "channel": "wechat"})
    assert H.CONTACTS.row_level(calm.values) is None


def test_inclusion_rules(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    h, _ = with_head(db, clerk, places)
    member(db, clerk, h.id, "王小军")
    base = {"household_id": h.id, "programme": H.RURAL_DIBAO, "applied_on": date(2021, 10, 8), "persons": 2,
            "decision": H.APPROVED}
    with pytest.raises(ValidationError) as e:
        create(db, clerk, H.INCLUSIONS, base)
    assert set(e.value.field_errors) == {"decided_on", "effective_from"}
    with pytest.raises(ValidationError) as e:
        create(db, clerk, H.INCLUSIONS, {**base, "decided_on": date(2021, 10, 1), "effective_from": date(2021, 9, 1)})
    assert {"decided_on", "effective_from"} == set(e.value.field_errors)
    with pytest.raises(ValidationError) as e:
        create(db, clerk, H.INCLUSIONS, {**base, "decision": H.PENDING, "decided_on": date(2021, 10, 20)})
    assert "decided_on" in e.value.field_errors
    with pytest.raises(ValidationError) as e:
        create(db, clerk, H.INCLUSIONS, {**base, "decision": H.REFUSED})
    assert "decided_on" in e.value.field_errors
    with pytest.raises(ValidationError) as e:  # more persons than the household has
        create(db, clerk, H.INCLUSIONS, {**base, "persons": 3, "decided_on": date(2021, 10, 20),
                                         "effective_from": date(2021, 10, 1)})
    assert "2" in e.value.field_errors["persons"]
    # From the month of the application: the 1st of October, applied on the 8th.
    row = create(db, clerk, H.INCLUSIONS, {**base, "decided_on": date(2021, 10, 20),
                                           "effective_from": date(2021, 10, 1), "monthly_benefit": "1040"})
    assert row.values["monthly_benefit"] == Decimal("1040.00")
    pending = create(db, clerk, H.INCLUSIONS, {**base, "programme": H.EXTREME_POVERTY, "decision": H.PENDING,
                                               "persons": 1})
    assert H.INCLUSIONS.row_level(pending.values) is not None and H.INCLUSIONS.row_level(row.values) is None


# ------------------------------------------------------------------ not contacted since a date


def contact(db: Database, actor: Actor, household_id: uuid.UUID, day: date, channel: str = "phone") -> None:
    create(db, actor, H.CONTACTS, {"household_id": household_id, "contacted_on": day, "channel": channel,
                                   "contacted_by": "马红", "findings": ["none"]})


def test_the_households_not_contacted_since_a_date(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> None:
    called = household(db, clerk, places, "王建国")
    old = household(db, clerk, places, "李德明", community="二十里铺村")
    household(db, clerk, places, "赵永福", community=None)  # never contacted
    elsewhere = household(db, clerk, places, "孙丽", town="甘泉镇", community="甘泉村")
    contact(db, clerk, called.id, date(2021, 10, 28))
    contact(db, clerk, old.id, date(2021, 10, 2), "wechat")
    contact(db, clerk, old.id, date(2021, 10, 12), "home_visit")
    contact(db, clerk, elsewhere.id, date(2021, 10, 1))
    with db.read() as s:
        lines = S.not_contacted_since(s, clerk, date(2021, 10, 22))
        town = S.not_contacted_since(s, clerk, date(2021, 10, 22), places["马跑泉镇"])
        earlier = S.not_contacted_since(s, clerk, date(2021, 10, 12), places["马跑泉镇"])
    assert [(l.town, l.head_name) for l in lines] == [("甘泉镇", "孙丽"), ("马跑泉镇", "赵永福"), ("马跑泉镇", "李德明")]
    assert [l.head_name for l in town] == ["赵永福", "李德明"]  # no community first, then by community
    by_head = {l.head_name: l for l in town}
    assert (by_head["李德明"].last_contact, by_head["李德明"].last_channel) == (date(2021, 10, 12), "上门询问")
    assert by_head["李德明"].days_since(date(2021, 11, 5)) == 24
    assert by_head["赵永福"].last_contact is None and by_head["赵永福"].days_since(date(2021, 11, 5)) is None
    assert by_head["李德明"].community == "二十里铺村" and by_head["李德明"].phone == old.values["phone"]
    assert [l.head_name for l in earlier] == ["赵永福"]  # contacted on the 12th itself counts
    with db.read() as s:
        assert S.summary(s, date(2021, 11, 5)).not_contacted == 3  # only 王建国 within two weeks
        assert S.summary(s, date(2021, 11, 5)).households == 4


# ------------------------------------------------------------------ masking


def _file_household(db: Database, clerk: Actor, places: dict[str, uuid.UUID]) -> tuple[records.Row, records.Row]:
    h, head = with_head(db, clerk, places, "王建国", address="崖湾村三组12号")
    son = member(db, clerk, h.id, "王小军", phone=fresh_mobile(), health="chronic")
    create(db, clerk, H.HOUSEHOLD_CATEGORIES, {"household_id": h.id, "status": H.RURAL_DIBAO,
                                               "start_date": date(2021, 10, 1), "monthly_benefit": "520"})
    create(db, clerk, H.PERSON_CATEGORIES, {"member_id": head.id, "status": H.DISABLED, "start_date": date(2019, 1, 1),
                                            "certificate_number": "62050319700101123X42", "disability_grade": "2"})
    contact(db, clerk, h.id, date(2021, 10, 20), "home_visit")
    create(db, clerk, H.INCLUSIONS, {"household_id": h.id, "programme": H.RURAL_DIBAO, "applied_on": date(2021, 10, 8),
                                     "persons": 2, "decision": H.APPROVED, "decided_on": date(2021, 10, 20),
                                     "effective_from": date(2021, 10, 1), "monthly_benefit": "520"})
    now = datetime.now(timezone.utc)
    with db.write() as s:  # engineer G's register writes grants; here one is put straight in the table
        s.add(TemporaryAssistanceGrant(
            id=new_id(), version=1, created_at=now, created_by="t", updated_at=now, updated_by="t",
            number="麦民临救〔2021〕7号", household_id=h.id, town_id=places["马跑泉镇"], state="paid",
            assist_first=True, applied_on=date(2021, 10, 15), hardship="outbreak", persons=2,
            proposed_amount=150000, approved_amount=150000, paid_amount=150000, paid_on=date(2021, 10, 16),
            documents_owed=["application"], paperwork_deadline=date(2021, 11, 15)))
    return h, son


def test_personal_data_is_masked_for_a_role_without_the_right(db: Database, clerk: Actor, viewer: Actor,
                                                             office_member: Actor, leader: Actor,
                                                             places: dict[str, uuid.UUID]) -> None:
    h, son = _file_household(db, clerk, places)
    full = {"id": h.values["head_id_number"], "phone": h.values["phone"], "bank": h.values["bank_account"],
            "address": h.values["address"]}
    for actor in (viewer, office_member):
        with db.read() as s:
            row = records.fetch(s, actor, H.HOUSEHOLDS)[0]
            person = records.get(s, actor, H.MEMBERS, son.id)
            line = S.not_contacted_since(s, actor, date(2021, 11, 1))[0]
            file = S.household_file(s, actor, h.id)
        assert {"head_id_number", "phone", "bank_account", "address"} <= row.masked
        assert row.values["head_id_number"] == full["id"][:6] + "********" + full["id"][-4:]
        assert row.values["bank_account"] == "6228 **** 8901"
        assert row.values["phone"] == full["phone"][:3] + "****" + full["phone"][-4:]
        assert row.values["address"] == "崖湾村***"
        assert {"id_number", "phone", "birth_date", "health"} <= person.masked
        assert person.values["birth_date"] == "***" and person.values["health"] == "***"
        assert person.values["sex"] == son.values["sex"]  # the sex is plain, as the masked number's digit is
        assert line.masked == {"head_id_number", "phone", "address"}
        assert full["id"] not in (line.head_id_number, line.phone, line.address)
        assert line.head_id_number == row.values["head_id_number"] and line.phone == row.values["phone"]
        assert "bank_account" in file.household.masked
        assert all("id_number" in m.masked for m in file.members)
        # Masked values are not searchable or sortable for them.
        with db.read() as s:
            assert records.fetch(s, actor, H.HOUSEHOLDS, records.ListQuery(search=full["id"][-6:])) == []
        # And on paper.
        with db.read() as s:
            texts = [pdf_text(paper.render_household_file(s, actor, h.id, office_name="麦积区民政局",
                                                          printed_by="查阅人员", printed_at=PRINTED_AT)),
                     pdf_text(paper.render_not_contacted(s, actor, date(2021, 11, 1), places["马跑泉镇"],
                                                         office_name="麦积区民政局", printed_by="查阅人员",
                                                         printed_at=PRINTED_AT))]
        for text in texts:
            for value in full.values():
                assert value not in text
            assert row.values["head_id_number"] in text and row.values["phone"] in text
        assert "6228 **** 8901" in texts[0] and son.values["id_number"] not in texts[0]
    # A leader and the group's own member see everything.
    for actor in (leader, clerk):
        with db.read() as s:
            row = records.fetch(s, actor, H.HOUSEHOLDS)[0]
            text = pdf_text(paper.render_household_file(s, actor, h.id, office_name="麦积区民政局",
                                                        printed_by="局长", printed_at=PRINTED_AT))
        assert not row.masked
        for value in full.values():
            assert value in text
        assert son.values["id_number"] in text


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# ------------------------------------------------------------------ the file and the paper


def test_a_households_file_holds_everything_about_it(db: Database, clerk: Actor, places: dict[str, uuid.UUID],
                                                    tmp_path: Path) -> None:
    h, son = _file_household(db, clerk, places)
    with db.read() as s:
        file = S.household_file(s, clerk, h.id)
    assert [m.values["name"] for m in file.members] == ["王建国", "王小军"]  # the head first
    assert [c.values["status"] for c in file.household_categories] == [H.RURAL_DIBAO]
    assert [(c.values["member_id"], c.values["status"]) for c in file.person_categories] == [("王建国", H.DISABLED)]
    assert [c.values["channel"] for c in file.contacts] == ["home_visit"]
    assert [i.values["decision"] for i in file.inclusions] == [H.APPROVED]
    [grant] = file.grants
    assert (grant.number, grant.paid, grant.paperwork_owed) == ("麦民临救〔2021〕7号", Decimal("1500.00"), True)
    with db.read() as s:
        pdf = paper.render_household_file(s, clerk, h.id, office_name="天水市麦积区民政局", printed_by="救助股干事",
                                          printed_at=PRINTED_AT)
    text = pdf_text(pdf)
    for expected in ("王小军", "农村低保", "上门询问", "麦民临救〔2021〕7号", "1,500.00", "困难残疾人", "崖湾村"):
        assert expected in text
    assert_fonts_embedded(pdf, tmp_path)
    with db.write() as s:
        records.delete(s, clerk, H.MEMBERS, son.id)
    with db.read() as s:
        assert [m.values["name"] for m in S.household_file(s, clerk, h.id).members] == ["王建国"]


def test_the_not_contacted_list_on_paper(db: Database, clerk: Actor, places: dict[str, uuid.UUID],
                                         tmp_path: Path) -> None:
    household(db, clerk, places, "王建国")
    household(db, clerk, places, "孙丽", town="甘泉镇", community="甘泉村")
    with db.read() as s:
        one = paper.render_not_contacted(s, clerk, date(2021, 10, 22), places["马跑泉镇"], office_name="麦积区民政局",
                                         printed_by="救助股干事", printed_at=PRINTED_AT)
        every = paper.render_not_contacted(s, clerk, date(2021, 10, 22), None, office_name="麦积区民政局",
                                           printed_by="救助股干事", printed_at=PRINTED_AT)
    text = pdf_text(one)
    assert "马跑泉镇" in text and "王建国" in text and "孙丽" not in text
    assert "2021年10月22日" in text and "负责人（签字）" in text
    pages = PdfReader(io.BytesIO(every)).pages
    assert len(pages) == 2  # a town on its own page, for its own cadres
    assert "甘泉镇" in pages[0].extract_text() and "马跑泉镇" in pages[1].extract_text()
    assert_fonts_embedded(every, tmp_path)
    # A long list runs over pages: each later page names its town, the lines to sign come at the end.
    for i in range(30):
        household(db, clerk, places, f"刘{'一二三四五六七八九十'[i % 10]}{i}", town="花牛镇", community="花牛村")
    with db.read() as s:
        long = paper.render_not_contacted(s, clerk, date(2021, 10, 22), places["花牛镇"], office_name="麦积区民政局",
                                          printed_by="救助股干事", printed_at=PRINTED_AT)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(long)).pages]
    assert len(pages) >= 2 and "（续）" not in pages[0] and "负责人（签字）" not in pages[0]
    assert all("花牛镇2021年10月22日以来未联系困难家庭名单（续）" in p for p in pages[1:])
    assert "负责人（签字）" in pages[-1] and sum(p.count("刘") for p in pages) == 30


def test_a_character_the_font_lacks_is_named_not_left_blank(db: Database, clerk: Actor,
                                                            places: dict[str, uuid.UUID]) -> None:
    h = household(db, clerk, places, "王䶮")
    with db.read() as s:  # 䶮 (Extension A) is in the shipped Song face
        assert "王䶮" in pdf_text(paper.render_household_file(s, clerk, h.id, office_name="麦积区民政局",
                                                             printed_by="x", printed_at=PRINTED_AT))
    rare = household(db, clerk, places, "王𠀀")
    with db.read() as s, pytest.raises(MissingGlyph) as e:  # Extension B is not: said, never a blank
        paper.render_household_file(s, clerk, rare.id, office_name="麦积区民政局", printed_by="x",
                                    printed_at=PRINTED_AT)
    assert "𠀀" in e.value.message
