"""Group 4's person search (assistance/search.py): by name, ID number, phone and address for
terms of one, two and three characters; what a role may not see is not searchable by it; the
side table follows every write; the members register's search."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.groups.assistance import household_service, search
from civaffairs.groups.assistance.households import HOUSEHOLDS, MEMBERS
from civaffairs.groups.assistance.models import PersonSearchEntry
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records
from tests.helpers import make_id

ASSISTANCE = Actor("assistance", "救助股干事", Role.MEMBER, frozenset({4}))
OTHER_GROUP = Actor("institutions", "养老股干事", Role.MEMBER, frozenset({2}))


def create(db: Database, spec, values: dict[str, Any], actor: Actor = ASSISTANCE) -> records.Row:  # type: ignore[no-untyped-def]
    with db.write() as s:
        return records.create(s, actor, spec, values)


@pytest.fixture
def family(db: Database) -> dict[str, uuid.UUID]:
    """Two households in two towns: 王建国's (four members) and 李秀英's (two)."""
    town = create(db, TOWNS, {"name": "马跑泉镇", "kind": "town"}, Actor("admin", "管理员", Role.ADMINISTRATOR)).id
    other = create(db, TOWNS, {"name": "道北街道", "kind": "subdistrict"}, Actor("admin", "管理员", Role.ADMINISTRATOR)).id
    wang = create(db, HOUSEHOLDS, {"head_name": "王建国", "head_id_number": make_id("620503", date(1968, 3, 2), 131),
                                    "town_id": town, "address": "麦积区马跑泉镇崖湾村三组12号", "phone": "13893810011"}).id
    li = create(db, HOUSEHOLDS, {"head_name": "李秀英", "head_id_number": make_id("620502", date(1975, 8, 9), 242),
                                  "town_id": other, "address": "麦积区道北街道渭滨北路18号", "phone": "13993820022"}).id
    ids = {"wang_household": wang, "li_household": li}
    for key, household, name, relation, number, phone, address in (
        ("wang", wang, "王建国", "head", make_id("620503", date(1968, 3, 2), 131), "13893810011", ""),
        ("wife", wang, "张桂英", "spouse", make_id("620503", date(1970, 5, 6), 142), "", ""),
        ("son", wang, "王磊", "child", make_id("620503", date(1996, 1, 21), 153), "18709381234", "兰州市城关区东岗西路"),
        ("daughter", wang, "王芳", "child", make_id("620503", date(2001, 7, 30), 162), "", ""),
        ("li", li, "李秀英", "head", make_id("620502", date(1975, 8, 9), 242), "13993820022", ""),
        ("grandson", li, "赵子轩", "grandchild", make_id("620502", date(2012, 4, 4), 251), "", ""),
    ):
        ids[key] = create(db, MEMBERS, {"household_id": household, "name": name, "relation": relation,
                                         "id_number": number, "phone": phone, "address": address}).id
    return ids


def names(db: Database, text: str, actor: Actor = ASSISTANCE) -> list[str]:
    with db.read() as s:
        found = search.find(s, actor, text, 0, 50)
        assert found.total == len(found.hits)
        return [h.name for h in found.hits]


# ------------------------------------------------------------------ what is found


def test_names_of_one_two_and_three_characters(db: Database, family: dict[str, uuid.UUID]) -> None:
    assert names(db, "王") == ["王建国", "王磊", "王芳"]
    assert names(db, "英") == ["张桂英", "李秀英"]  # in the list's order: by code point, as the database sorts
    assert names(db, "秀英") == ["李秀英"]
    assert names(db, "王建国") == ["王建国"]
    assert names(db, "建国王") == []
    assert names(db, "") == [] and names(db, "   ") == []


def test_id_number_phone_and_address_digits_and_words(db: Database, family: dict[str, uuid.UUID]) -> None:
    assert names(db, "0502") == ["李秀英", "赵子轩"]  # the region code of their ID numbers
    assert names(db, "19960121") == ["王磊"]  # a birth date inside the ID number
    assert names(db, "1234") == ["王磊"]  # the last digits of a phone
    assert names(db, "138") == ["王建国"]
    # A member without an address of their own is found by the household's; one who lives
    # elsewhere by their own only.
    assert sorted(names(db, "崖湾")) == ["张桂英", "王建国", "王芳"]
    assert names(db, "兰州") == ["王磊"]
    assert sorted(names(db, "渭")) == ["李秀英", "赵子轩"]
    # Several terms: every one must match, each in any field.
    assert names(db, "王 崖湾") == ["王建国", "王芳"]
    assert names(db, "王 渭滨") == []


def test_full_width_digits_and_a_lower_case_x_are_found(db: Database, family: dict[str, uuid.UUID]) -> None:
    assert names(db, "１２３４") == ["王磊"]
    assert names(db, "０５０２") == ["李秀英", "赵子轩"]
    number = make_id("620503", date(1990, 2, 2), 0)
    while not number.endswith("X"):
        number = make_id("620503", date(1990, 2, 2), int(number[14:17]) + 1)
    create(db, MEMBERS, {"household_id": family["wang_household"], "name": "王小明", "relation": "grandchild",
                          "id_number": number})
    assert names(db, number[-4:].lower()) == ["王小明"]
    assert names(db, "%") == [] and names(db, "_") == []  # no wildcards


def test_rare_characters_are_found_and_come_back_unchanged(db: Database, family: dict[str, uuid.UUID]) -> None:
    # 𠈌 is beyond the BMP (CJK Extension B); U+E000 stands for a 生僻字 an old system kept in the
    # private use area.
    for name in ("王𠈌", "李\ue000华"):
        create(db, MEMBERS, {"household_id": family["li_household"], "name": name, "relation": "other",
                              "id_number": make_id("620502", date(1991, 3, 3 + len(name)), 401 + 2 * len(name))})
    assert names(db, "𠈌") == ["王𠈌"]
    assert names(db, "\ue000") == ["李\ue000华"] and names(db, "\ue000华") == ["李\ue000华"]


def test_a_role_that_may_not_see_personal_data_searches_names_only(db: Database, family: dict[str, uuid.UUID]) -> None:
    for actor in (Actor("viewer", "查阅人员", Role.VIEWER), OTHER_GROUP):
        assert names(db, "王", actor) == ["王建国", "王磊", "王芳"]
        for term in ("0502", "1234", "崖湾", "渭滨"):
            assert names(db, term, actor) == [], term
        with db.read() as s:
            hit = search.find(s, actor, "王磊", 0, 10).hits[0]
        assert hit.masked == {"id_number", "phone", "address"}
        assert "19960121" not in hit.id_number and hit.phone.startswith("187") and "1234" in hit.phone
        assert "东岗西路" not in hit.address
    with db.read() as s:
        hit = search.find(s, ASSISTANCE, "王磊", 0, 10).hits[0]
    assert (hit.id_number, hit.phone, hit.address, hit.masked) == (
        make_id("620503", date(1996, 1, 21), 153), "18709381234", "兰州市城关区东岗西路", frozenset())
    assert (hit.head_name, hit.town, hit.relation, hit.household_id) == ("王建国", "马跑泉镇", "子女",
                                                                         family["wang_household"])


def test_what_only_some_roles_search_is_what_the_members_list_masks() -> None:
    """The side table's full text adds to the name what the members' list masks: if a field
    changes its sensitivity, this search must change with it."""
    sensitive = {f.name for f in MEMBERS.fields if f.sensitive is not None and f.searchable}
    assert sensitive == {"id_number", "phone", "address"}
    assert {f.name for f in MEMBERS.fields if f.searchable and f.sensitive is None} >= {"name"}
    assert HOUSEHOLDS.field("address").sensitive is not None


def test_paging_follows_the_members_list_order(db: Database, family: dict[str, uuid.UUID]) -> None:
    with db.read() as s:
        everyone = search.page_ids(s, ASSISTANCE, "620", 0, 50)
        assert search.count(s, ASSISTANCE, "620") == 6
        assert search.page_ids(s, ASSISTANCE, "620", 2, 3) == everyone[2:5]
        ordered = list(s.scalars(select(MEMBERS.model.id).order_by(MEMBERS.model.name, MEMBERS.model.id)))
        # The total is right whether the page is full, the last one, or past the end.
        for offset, limit, shown in ((0, 3, 3), (4, 5, 2), (0, 6, 6), (10, 5, 0)):
            found = search.find(s, ASSISTANCE, "620", offset, limit)
            assert (found.total, [h.member_id for h in found.hits]) == (6, ordered[offset:offset + shown])
    assert everyone == ordered


def test_paging_through_persons_of_the_same_name(db: Database, family: dict[str, uuid.UUID]) -> None:
    for n in range(3):
        create(db, MEMBERS, {"household_id": family["li_household"], "name": "王芳", "relation": "other",
                              "id_number": make_id("620502", date(1988, 10, 3 + n), 301 + 2 * n)})
    with db.read() as s:
        ordered = search.page_ids(s, ASSISTANCE, "王芳", 0, 10)
        assert len(ordered) == 4
        for limit in (1, 2, 3):
            found = search.find(s, ASSISTANCE, "王芳", 0, limit)
            assert (found.total, [h.member_id for h in found.hits]) == (4, ordered[:limit])
            found = search.find(s, ASSISTANCE, "王芳", limit, limit)
            assert found.total == 4 and [h.member_id for h in found.hits] == ordered[limit:2 * limit]


# ------------------------------------------------------------------ the side table follows the writes


def test_the_search_follows_every_change(db: Database, family: dict[str, uuid.UUID]) -> None:
    with db.write() as s:
        son = records.get(s, ASSISTANCE, MEMBERS, family["son"])
        records.update(s, ASSISTANCE, MEMBERS, son.id, son.version, {"name": "王磊磊", "phone": "18709389999"})
        assert search.count(s, ASSISTANCE, "王磊磊") == 1  # inside the same transaction
    assert names(db, "9999") == ["王磊磊"] and names(db, "1234") == []

    # The household moves: its members without an address of their own are found by the new one.
    with db.write() as s:
        household = records.get(s, ASSISTANCE, HOUSEHOLDS, family["wang_household"])
        records.update(s, ASSISTANCE, HOUSEHOLDS, household.id, household.version, {"address": "麦积区马跑泉镇二十里铺村5号"})
    assert sorted(names(db, "二十里铺")) == ["张桂英", "王建国", "王芳"] and names(db, "崖湾") == []

    # A person moved to another household is found by that household's address.
    with db.write() as s:
        daughter = records.get(s, ASSISTANCE, MEMBERS, family["daughter"])
        household_service.move_member(s, ASSISTANCE, daughter.id, family["li_household"], daughter.version,
                                      relation="other")
    assert sorted(names(db, "渭滨")) == ["李秀英", "王芳", "赵子轩"]

    # Deleted: not found; restored: found again.
    with db.write() as s:
        records.delete(s, ASSISTANCE, MEMBERS, family["grandson"])
    assert names(db, "赵") == []
    with db.write() as s:
        records.restore(s, Actor("admin", "管理员", Role.ADMINISTRATOR), MEMBERS, family["grandson"])
    assert names(db, "赵") == ["赵子轩"]


def test_a_rolled_back_write_leaves_the_search_as_it_was(db: Database, family: dict[str, uuid.UUID]) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        create_values = {"household_id": family["li_household"], "name": "孙悟空", "relation": "other",
                         "id_number": make_id("620502", date(1980, 1, 1), 311)}
        records.create(s, ASSISTANCE, MEMBERS, create_values)
        assert search.count(s, ASSISTANCE, "孙悟空") == 1
        raise RuntimeError("the clerk's transaction fails")
    assert names(db, "孙悟空") == []


def test_rebuild_gives_what_the_writes_gave(db: Database, family: dict[str, uuid.UUID]) -> None:
    def table() -> list[tuple[Any, ...]]:
        with db.read() as s:
            return [tuple(r) for r in s.execute(select(PersonSearchEntry.name, PersonSearchEntry.member_id,
                                                       PersonSearchEntry.name_text, PersonSearchEntry.full_text)
                                                .order_by(PersonSearchEntry.name, PersonSearchEntry.member_id))]

    kept = table()
    assert len(kept) == 6
    with db.write() as s:
        s.execute(PersonSearchEntry.__table__.delete())
    assert names(db, "王") == []
    with db.write() as s:
        assert search.rebuild(s) == 6
    assert table() == kept


# ------------------------------------------------------------------ the members register


def _register_ids(db: Database, q: records.ListQuery, actor: Actor = ASSISTANCE) -> list[uuid.UUID]:
    with db.read() as s:
        return [r.id for r in records.fetch(s, actor, MEMBERS, q, 0, 100)]


def test_the_register_hook_answers_as_its_condition_does(db: Database, family: dict[str, uuid.UUID]) -> None:
    """The fast count and page give exactly what the per-term condition gives on the members."""
    hook = search.MEMBER_SEARCH
    for actor in (ASSISTANCE, OTHER_GROUP):
        for text in ("王", "英", "王建国", "0502", "1234", "崖湾", "王 崖湾", "无此人"):
            q = records.ListQuery(search=text)
            with db.read() as s:
                m = MEMBERS.model
                stmt = select(m.id).where(m.deleted_at.is_(None), *(hook.condition(actor, t) for t in text.split()))
                expected = list(s.scalars(stmt.order_by(m.name, m.id)))
                assert hook.page(s, actor, q, 0, 100) == expected, (actor.username, text)
                assert hook.count(s, actor, q) == len(expected)
    with db.read() as s:
        for q in (records.ListQuery(search="王", sort="birth_date"), records.ListQuery(search="王", deleted=True),
                  records.ListQuery(search="王", equals=(("household_id", family["wang_household"]),)),
                  records.ListQuery(search="王", descending=True), records.ListQuery()):
            assert hook.page(s, ASSISTANCE, q, 0, 10) is None and hook.count(s, ASSISTANCE, q) is None


def test_the_members_register_searches_through_the_person_search(db: Database, family: dict[str, uuid.UUID]) -> None:
    assert MEMBERS.search is search.MEMBER_SEARCH
    # The household's address is searched only by the person search.
    assert _register_ids(db, records.ListQuery(search="崖湾")) == [family["wife"], family["wang"], family["daughter"]]
    with db.read() as s:
        assert records.count(s, ASSISTANCE, MEMBERS, records.ListQuery(search="崖湾")) == 3
    assert _register_ids(db, records.ListQuery(search="崖湾"), OTHER_GROUP) == []
    # Another sort goes through the condition: the same persons.
    assert set(_register_ids(db, records.ListQuery(search="崖湾", sort="birth_date"))) == {
        family["wife"], family["wang"], family["daughter"]}
