"""Find a person everywhere (查人): one ID number, phone or name finds every record that mentions
the person, in every register that holds ID numbers or phones; masked as the role requires;
every search audited; a viewer refused."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from civaffairs.accounts.roles import Actor
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import PermissionDenied, ValidationError
from civaffairs.core.idnumbers import mask_phone, mask_resident_id
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.people import service as people
from civaffairs.records import service as records
from civaffairs.records.spec import Kind, all_registers, get_register
from tests.helpers import fresh_id, fresh_mobile, make_staff, visitor_values, wrong_check_digit

DONORS, VOLUNTEERS = "donations.donors", "volunteers.volunteers"


@dataclass
class Person:
    name: str
    id_number: str
    phone: str
    records: dict[str, uuid.UUID]  # register key -> the record that mentions the person


def _add_person(db: Database, admin: Actor, name: str = "马文杰") -> Person:
    """One person in four registers of three groups: a staff member who also visited, gave a
    donation and volunteers."""
    id_number, phone = fresh_id(), fresh_mobile()
    found: dict[str, uuid.UUID] = {}
    found[bo.STAFF.key] = make_staff(db, admin, name=name, id_number=id_number, phone=phone).id
    with db.write() as s:
        found[bo.VISITORS.key] = records.create(s, admin, bo.VISITORS, visitor_values(
            name=name, id_number=id_number, phone=phone)).id
        found[DONORS] = records.create(s, admin, get_register(DONORS), {
            "kind": "individual", "name": name, "id_number": id_number, "phone": phone}).id
        found[VOLUNTEERS] = records.create(s, admin, get_register(VOLUNTEERS), {
            "name": name, "id_number": id_number, "phone": phone}).id
    return Person(name, id_number, phone, found)


@pytest.fixture
def person(db: Database, admin: Actor) -> Person:
    # Someone else in the same registers, who must not be found.
    other = fresh_id()
    make_staff(db, admin, name="李娜", id_number=other)
    with db.write() as s:
        records.create(s, admin, get_register(VOLUNTEERS), {"name": "李娜", "id_number": other, "phone": fresh_mobile()})
    return _add_person(db, admin)


def _search(db: Database, actor: Actor, text: str) -> people.SearchResult:
    with db.write() as s:
        return people.find(s, actor, text)


def _found(result: people.SearchResult) -> dict[str, list[uuid.UUID]]:
    return {r.register_key: [h.record_id for h in r.hits] for r in result.registers}


def test_every_register_with_an_id_number_or_a_phone_is_searched() -> None:
    searched = {r.spec.key for r in people.searched_registers()}
    expected = {s.key for s in all_registers() if any(f.kind in (Kind.RESIDENT_ID, Kind.PHONE) for f in s.fields)}
    assert searched == expected and {bo.STAFF.key, DONORS, VOLUNTEERS, "community.entries"} <= searched
    by_key = {r.spec.key: r for r in people.searched_registers()}
    # each phone is paired with the name of the person it belongs to
    marriages = by_key["service_institutions.postponed_marriages"]
    assert [(f.name, n.name if n else None) for f, n in marriages.phone_fields] == [("phone_1", "name_1"), ("phone_2", "name_2")]
    assert [(f.name, n and n.name) for f, n in by_key["assistance.households"].phone_fields] == [("phone", "head_name")]


def test_an_id_number_finds_the_person_in_all_four_registers_and_only_there(db: Database, admin: Actor,
                                                                             person: Person) -> None:
    result = _search(db, admin, person.id_number)
    assert _found(result) == {key: [rid] for key, rid in person.records.items()}
    assert result.total == 4
    visit = next(r for r in result.registers if r.register_key == bo.VISITORS.key).hits[0]
    assert visit.day == date(2021, 10, 25) and visit.label.startswith(person.name)
    assert (bo.VISITORS.field("id_number").title, person.id_number) in visit.matched and not visit.masked
    # lower-case x, spaces: normalised like the form does
    assert _found(_search(db, admin, f" {person.id_number[:6]} {person.id_number[6:].lower()} ")) == _found(result)


def test_a_phone_alone_or_with_the_name_finds_the_same_records(db: Database, leader: Actor, person: Person) -> None:
    expected = {key: [rid] for key, rid in person.records.items()}
    assert _found(_search(db, leader, person.phone)) == expected
    assert _found(_search(db, leader, f"{person.name} {person.phone}")) == expected
    assert _search(db, leader, f"王小明 {person.phone}").total == 0  # the phone with someone else's name
    assert _found(_search(db, leader, person.name)) == expected  # a name alone: exact


def test_an_old_fifteen_digit_number_finds_the_eighteen_character_one(db: Database, admin: Actor) -> None:
    body = "620503560701123"  # born 1956-07-01
    from stdnum.cn import ric
    full = body[:6] + "19" + body[6:] + ric.calc_check_digit(body[:6] + "19" + body[6:] + "0")
    staff = make_staff(db, admin, name="赵国庆", id_number=full).id
    assert _found(_search(db, admin, body)) == {bo.STAFF.key: [staff]}


def test_another_groups_member_sees_the_id_number_and_phone_masked(db: Database, institutions_member: Actor,
                                                                    office_member: Actor, person: Person) -> None:
    result = _search(db, institutions_member, person.id_number)
    assert _found(result) == {key: [rid] for key, rid in person.records.items()}  # the search itself works
    for register in result.registers:
        for hit in register.hits:
            assert hit.masked and (get_register(register.register_key).field("id_number").title,
                                   mask_resident_id(person.id_number)) in hit.matched
            assert person.id_number not in repr(hit)
    staff_hit = next(r for r in _search(db, office_member, person.phone).registers if r.register_key == bo.STAFF.key)
    assert not staff_hit.hits[0].masked and (bo.STAFF.field("phone").title, person.phone) in staff_hit.hits[0].matched
    donor_hit = next(r for r in _search(db, office_member, person.phone).registers if r.register_key == DONORS)
    assert (get_register(DONORS).field("phone").title, mask_phone(person.phone)) in donor_hit.hits[0].matched


def test_every_search_is_audited_the_query_masked_for_whoever_may_not_see_it(
        db: Database, admin: Actor, institutions_member: Actor, person: Person) -> None:
    _search(db, admin, person.id_number)
    _search(db, institutions_member, person.id_number)
    _search(db, institutions_member, "查无此人")
    with db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "search").order_by(AuditEntry.at)).all()
        logged = [(e.actor, e.register, e.changes["query"], e.changes["found"]) for e in entries]
    assert logged == [
        ("admin", "people", person.id_number, 4),
        ("institutions", "people", mask_resident_id(person.id_number), 4),
        ("institutions", "people", "查无此人", 0),
    ]


def test_a_viewer_is_refused_and_nothing_is_audited(db: Database, viewer: Actor, person: Person) -> None:
    with pytest.raises(PermissionDenied):
        _search(db, viewer, person.id_number)
    with db.read() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "search")).first() is None


@pytest.mark.parametrize("typed", ["6205031985061512", "62050319850615123", "12345", "620503198506151234 13912345678"])
def test_what_is_not_a_usable_query_is_a_validation_error_at_the_field(sqlite_db: Database, admin: Actor,
                                                                      typed: str) -> None:
    with pytest.raises(ValidationError) as e:
        _search(sqlite_db, admin, typed)
    assert set(e.value.field_errors) == {people.QUERY_FIELD}


def test_a_wrong_check_digit_says_so_in_chinese_at_the_field(sqlite_db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as e:
        _search(sqlite_db, admin, wrong_check_digit(fresh_id()))
    assert "校验" in e.value.field_errors[people.QUERY_FIELD]


def test_a_deleted_record_is_not_listed(db: Database, admin: Actor, person: Person) -> None:
    with db.write() as s:
        records.delete(s, admin, get_register(DONORS), person.records[DONORS])
    assert DONORS not in _found(_search(db, admin, person.id_number))


def test_every_id_number_and_phone_column_is_indexed() -> None:
    """查人 asks each register by exact ID number or phone: without an index, each such question
    reads the whole table (a visitors' book of years)."""
    from civaffairs.groups import load_all
    from civaffairs.records.spec import Kind, all_registers

    load_all()
    unindexed = [f"{spec.model.__table__.name}.{f.name}" for spec in all_registers() for f in spec.fields
                 if f.kind in (Kind.RESIDENT_ID, Kind.PHONE)
                 and not any(list(i.columns)[0].name == f.name for i in spec.model.__table__.indexes)]
    assert unindexed == []
