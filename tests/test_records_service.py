"""The generic register service on group 1's registers, on every backend under test: writes,
validation, permissions, masking, edit conflicts, the audit trail, the recycle bin and lists."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.audit.models import AuditEntry
from civaffairs.core.clock import today_local
from civaffairs.core.errors import EditConflict, NotFound, PermissionDenied, ValidationError
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.groups.bureau_office.models import DisinfectionLog, HealthCheckIn, StaffMember, Visitor
from civaffairs.records import service as records
from civaffairs.records.service import ListQuery
from civaffairs.records.spec import RegisterSpec
from tests.helpers import (
    PAST, audit_count, audit_entries, check_in_values, fresh_id, make_check_in, make_staff, staff_values,
    table_count, visitor_values, wrong_check_digit,
)


def _count(db: Database, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery()) -> int:
    with db.read() as s:
        return records.count(s, actor, spec, q)


def _fetch(db: Database, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery(), **kw: Any) -> list[records.Row]:
    with db.read() as s:
        return records.fetch(s, actor, spec, q, **kw)


def _get(db: Database, actor: Actor, spec: RegisterSpec, record_id: uuid.UUID) -> records.Row:
    with db.read() as s:
        return records.get(s, actor, spec, record_id)


@pytest.fixture
def staff(db: Database, office_member: Actor) -> records.Row:
    return make_staff(db, office_member, name="王建国", department="办公室", phone="13912345678")


@pytest.fixture
def check_in(db: Database, office_member: Actor, staff: records.Row) -> records.Row:
    return make_check_in(db, office_member, staff.id, PAST)


# ------------------------------------------------------------------ create, get, update, delete, restore


def test_create_and_get_staff(db: Database, office_member: Actor) -> None:
    number = fresh_id()
    values = staff_values(name=" 李秀英 ", id_number=number.lower(), working_groups=["3", "1"])
    with db.write() as s:
        row = records.create(s, office_member, bo.STAFF, values)
    assert row.version == 1
    got = _get(db, office_member, bo.STAFF, row.id)
    assert got.values["name"] == "李秀英"
    assert got.values["id_number"] == number.upper()
    assert got.values["working_groups"] == ["1", "3"]
    assert got.masked == frozenset()
    assert got.deleted_at is None
    with db.read() as s:
        obj = s.get(StaffMember, row.id)
        assert obj.created_by == office_member.username == obj.updated_by
        assert obj.created_at.tzinfo is not None


def test_create_and_get_check_in(db: Database, office_member: Actor, staff: records.Row) -> None:
    with db.write() as s:
        row = records.create(s, office_member, bo.CHECK_INS, check_in_values(
            staff.id, PAST, morning_temperature="37.4", afternoon_temperature="", health_code="yellow",
            travelled_outside="是", notes="  头痛 "))
    got = _get(db, office_member, bo.CHECK_INS, row.id)
    assert got.values["staff_id"] == "王建国"  # a reference is shown by the referenced record's name
    assert got.values["staff_id__id"] == staff.id
    assert got.values["day"] == PAST
    assert got.values["morning_temperature"] == Decimal("37.4")
    assert got.values["afternoon_temperature"] is None
    assert got.values["health_code"] == "yellow"
    assert got.values["travelled_outside"] is True
    assert got.values["notes"] == "头痛"
    with db.read() as s:
        assert s.get(HealthCheckIn, row.id).morning_temperature == 374


def test_create_visitor_and_disinfection(db: Database, office_member: Actor) -> None:
    with db.write() as s:
        v = records.create(s, office_member, bo.VISITORS, visitor_values())
        d = records.create(s, office_member, bo.DISINFECTION, {
            "day": PAST, "time_of_day": "08:30", "area": "一楼大厅", "disinfectant": "84消毒液（1:100）",
            "method": "spray", "operator": "后勤 马建国"})
    got = _get(db, office_member, bo.VISITORS, v.id)
    assert got.values["time_in"] == datetime(2021, 10, 25, 1, 30, tzinfo=timezone.utc)
    assert got.values["time_out"] == datetime(2021, 10, 25, 2, 10, tzinfo=timezone.utc)
    assert got.values["temperature"] == Decimal("36.4")
    assert _get(db, office_member, bo.DISINFECTION, d.id).values["method"] == "spray"


def test_update_changes_only_the_given_fields(db: Database, office_member: Actor, check_in: records.Row) -> None:
    with db.write() as s:
        row = records.update(s, office_member, bo.CHECK_INS, check_in.id, check_in.version,
                             {"morning_temperature": "37.6", "notes": "复测"})
    assert row.version == check_in.version + 1
    assert row.values["morning_temperature"] == Decimal("37.6")
    assert row.values["notes"] == "复测"
    assert row.values["afternoon_temperature"] == Decimal("36.6")  # untouched
    assert row.values["health_code"] == "green"


def test_update_without_changes_keeps_the_version(db: Database, office_member: Actor, check_in: records.Row) -> None:
    entries = audit_count(db)
    with db.write() as s:
        row = records.update(s, office_member, bo.CHECK_INS, check_in.id, check_in.version,
                             {"morning_temperature": "36.50", "health_code": "green"})
    assert row.version == check_in.version
    assert audit_count(db) == entries


def test_delete_and_restore(db: Database, office_member: Actor, admin: Actor, check_in: records.Row) -> None:
    with db.write() as s:
        records.delete(s, office_member, bo.CHECK_INS, check_in.id, check_in.version)
    assert _count(db, office_member, bo.CHECK_INS) == 0
    assert _fetch(db, office_member, bo.CHECK_INS) == []
    binned = _fetch(db, office_member, bo.CHECK_INS, ListQuery(deleted=True))
    assert [r.id for r in binned] == [check_in.id]
    assert binned[0].deleted_by == office_member.username
    assert binned[0].deleted_at is not None
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(deleted=True)) == 1
    assert _get(db, office_member, bo.CHECK_INS, check_in.id).deleted_at is not None

    with db.write() as s:
        row = records.restore(s, admin, bo.CHECK_INS, check_in.id)
    assert row.deleted_at is None
    assert [r.id for r in _fetch(db, office_member, bo.CHECK_INS)] == [check_in.id]
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(deleted=True)) == 0


def test_deleting_twice_is_harmless(db: Database, office_member: Actor, check_in: records.Row) -> None:
    for _ in range(2):
        with db.write() as s:
            records.delete(s, office_member, bo.CHECK_INS, check_in.id)
    assert audit_count(db, action="delete") == 1


def test_delete_many(db: Database, office_member: Actor) -> None:
    rows = [make_staff(db, office_member) for _ in range(3)]
    with db.write() as s:
        assert records.delete_many(s, office_member, bo.STAFF, [r.id for r in rows[:2]]) == 2
    assert [r.id for r in _fetch(db, office_member, bo.STAFF)] == [rows[2].id]


def test_missing_record(db: Database, office_member: Actor) -> None:
    with pytest.raises(NotFound), db.read() as s:
        records.get(s, office_member, bo.STAFF, uuid.uuid4())
    with pytest.raises(NotFound), db.write() as s:
        records.update(s, office_member, bo.STAFF, uuid.uuid4(), 1, {"name": "x"})
    with pytest.raises(NotFound), db.write() as s:
        records.delete(s, office_member, bo.STAFF, uuid.uuid4())


# ------------------------------------------------------------------ validation


def _refused_create(db: Database, actor: Actor, spec: RegisterSpec, values: dict[str, Any]) -> ValidationError:
    records_before, entries_before = table_count(db, spec.model), audit_count(db)
    with pytest.raises(ValidationError) as err, db.write() as s:
        records.create(s, actor, spec, values)
    assert table_count(db, spec.model) == records_before
    assert audit_count(db) == entries_before
    return err.value


def test_wrong_check_digit_is_refused_at_id_number(db: Database, office_member: Actor) -> None:
    err = _refused_create(db, office_member, bo.STAFF, staff_values(id_number=wrong_check_digit(fresh_id())))
    assert set(err.field_errors) == {"id_number"}


def test_every_bad_field_is_named_at_once(db: Database, office_member: Actor) -> None:
    err = _refused_create(db, office_member, bo.STAFF, staff_values(
        name="", phone="12345", id_number=wrong_check_digit(fresh_id()), working_groups=["9"]))
    assert set(err.field_errors) == {"name", "phone", "id_number", "working_groups"}


def test_unknown_field_is_refused(db: Database, office_member: Actor) -> None:
    err = _refused_create(db, office_member, bo.STAFF, staff_values(salary="1"))
    assert set(err.field_errors) == {""}


def test_future_day_is_refused_at_day(db: Database, office_member: Actor, staff: records.Row) -> None:
    tomorrow = today_local() + timedelta(days=1)
    err = _refused_create(db, office_member, bo.CHECK_INS, check_in_values(staff.id, tomorrow))
    assert set(err.field_errors) == {"day"}


@pytest.mark.parametrize("field", ["morning_temperature", "afternoon_temperature"])
@pytest.mark.parametrize("temperature", ["33.9", "43.1", "36.55"])
def test_temperature_out_of_range_is_refused_at_its_field(
    db: Database, office_member: Actor, staff: records.Row, field: str, temperature: str
) -> None:
    err = _refused_create(db, office_member, bo.CHECK_INS, check_in_values(staff.id, **{field: temperature}))
    assert set(err.field_errors) == {field}


def test_temperature_bounds_are_accepted(db: Database, office_member: Actor, staff: records.Row) -> None:
    row = make_check_in(db, office_member, staff.id, morning_temperature="34.0", afternoon_temperature="43.0")
    assert (row.values["morning_temperature"], row.values["afternoon_temperature"]) == (Decimal("34.0"), Decimal("43.0"))


def test_visitor_temperature_out_of_range(db: Database, office_member: Actor) -> None:
    err = _refused_create(db, office_member, bo.VISITORS, visitor_values(temperature="43.1"))
    assert set(err.field_errors) == {"temperature"}


def test_a_check_in_needs_some_temperature(db: Database, office_member: Actor, staff: records.Row) -> None:
    err = _refused_create(db, office_member, bo.CHECK_INS, check_in_values(
        staff.id, morning_temperature=None, afternoon_temperature=""))
    assert set(err.field_errors) == {"morning_temperature"}


def test_second_check_in_same_day_is_refused_at_day(db: Database, office_member: Actor, staff: records.Row,
                                                   check_in: records.Row) -> None:
    err = _refused_create(db, office_member, bo.CHECK_INS, check_in_values(staff.id, PAST))
    assert set(err.field_errors) == {"day"}
    # Another day, or another person on the same day, is fine.
    make_check_in(db, office_member, staff.id, PAST - timedelta(days=1))
    other = make_staff(db, office_member)
    make_check_in(db, office_member, other.id, PAST)


def test_moving_a_check_in_onto_a_taken_day_is_refused(db: Database, office_member: Actor, staff: records.Row,
                                                      check_in: records.Row) -> None:
    other = make_check_in(db, office_member, staff.id, PAST - timedelta(days=1))
    with pytest.raises(ValidationError) as err, db.write() as s:
        records.update(s, office_member, bo.CHECK_INS, other.id, other.version, {"day": PAST})
    assert set(err.value.field_errors) == {"day"}
    # Saving a check-in on its own day is not a clash with itself.
    with db.write() as s:
        records.update(s, office_member, bo.CHECK_INS, check_in.id, check_in.version, {"day": PAST, "notes": "x"})


def test_duplicate_staff_id_number_is_refused_at_id_number(db: Database, office_member: Actor, staff: records.Row) -> None:
    err = _refused_create(db, office_member, bo.STAFF, staff_values(id_number=staff.values["id_number"]))
    assert set(err.field_errors) == {"id_number"}
    # The same number typed in lower case is the same number.
    if staff.values["id_number"].endswith("X"):
        err = _refused_create(db, office_member, bo.STAFF, staff_values(id_number=staff.values["id_number"].lower()))
        assert set(err.field_errors) == {"id_number"}


def test_staff_without_id_number_may_be_several(db: Database, office_member: Actor) -> None:
    make_staff(db, office_member, id_number="")
    make_staff(db, office_member, id_number="")
    assert _count(db, office_member, bo.STAFF) == 2


def test_id_number_of_a_deleted_staff_member_may_be_used_again(db: Database, office_member: Actor,
                                                              staff: records.Row) -> None:
    with db.write() as s:
        records.delete(s, office_member, bo.STAFF, staff.id)
    make_staff(db, office_member, id_number=staff.values["id_number"])


def test_visitor_leaving_before_arriving_is_refused_at_time_out(db: Database, office_member: Actor) -> None:
    values = visitor_values()
    values["time_out"] = values["time_in"] - timedelta(minutes=1)
    err = _refused_create(db, office_member, bo.VISITORS, values)
    assert set(err.field_errors) == {"time_out"}


def test_check_in_for_a_deleted_staff_member_is_refused(db: Database, office_member: Actor, staff: records.Row) -> None:
    with db.write() as s:
        records.delete(s, office_member, bo.STAFF, staff.id)
    err = _refused_create(db, office_member, bo.CHECK_INS, check_in_values(staff.id))
    assert set(err.field_errors) == {"staff_id"}
    err = _refused_create(db, office_member, bo.CHECK_INS, check_in_values(uuid.uuid4()))
    assert set(err.field_errors) == {"staff_id"}


def test_refused_update_writes_nothing(db: Database, office_member: Actor, check_in: records.Row) -> None:
    entries = audit_count(db)
    with pytest.raises(ValidationError) as err, db.write() as s:
        records.update(s, office_member, bo.CHECK_INS, check_in.id, check_in.version,
                       {"morning_temperature": "43.1", "notes": "changed"})
    assert set(err.value.field_errors) == {"morning_temperature"}
    row = _get(db, office_member, bo.CHECK_INS, check_in.id)
    assert row.version == check_in.version
    assert row.values["notes"] == ""
    assert audit_count(db) == entries


# ------------------------------------------------------------------ permissions


@pytest.fixture(params=["institutions_member", "viewer", "leader"])
def outsider(request: pytest.FixtureRequest) -> Actor:
    """Someone who may not change group 1's registers."""
    return request.getfixturevalue(request.param)


def test_outsiders_cannot_create(db: Database, outsider: Actor, staff: records.Row) -> None:
    before, entries = table_count(db, StaffMember), audit_count(db)
    with pytest.raises(PermissionDenied), db.write() as s:
        records.create(s, outsider, bo.STAFF, staff_values())
    with pytest.raises(PermissionDenied), db.write() as s:
        records.create(s, outsider, bo.CHECK_INS, check_in_values(staff.id))
    assert table_count(db, StaffMember) == before
    assert table_count(db, HealthCheckIn) == 0
    assert audit_count(db) == entries


def test_outsiders_cannot_update(db: Database, outsider: Actor, staff: records.Row) -> None:
    entries = audit_count(db)
    with pytest.raises(PermissionDenied), db.write() as s:
        records.update(s, outsider, bo.STAFF, staff.id, staff.version, {"name": "改名"})
    row = _get(db, outsider, bo.STAFF, staff.id)
    assert row.values["name"] == "王建国" and row.version == staff.version
    assert audit_count(db) == entries


def test_outsiders_cannot_delete(db: Database, outsider: Actor, staff: records.Row, office_member: Actor) -> None:
    entries = audit_count(db)
    with pytest.raises(PermissionDenied), db.write() as s:
        records.delete(s, outsider, bo.STAFF, staff.id, staff.version)
    with pytest.raises(PermissionDenied), db.write() as s:
        records.delete_many(s, outsider, bo.STAFF, [staff.id])
    assert _count(db, office_member, bo.STAFF) == 1
    assert audit_count(db) == entries


@pytest.mark.parametrize("who", ["office_member", "institutions_member", "viewer", "leader"])
def test_only_an_administrator_restores(db: Database, office_member: Actor, admin: Actor, staff: records.Row,
                                        who: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)
    with db.write() as s:
        records.delete(s, office_member, bo.STAFF, staff.id)
    entries = audit_count(db)
    with pytest.raises(PermissionDenied), db.write() as s:
        records.restore(s, actor, bo.STAFF, staff.id)
    assert _count(db, office_member, bo.STAFF) == 0
    assert audit_count(db) == entries
    with db.write() as s:
        records.restore(s, admin, bo.STAFF, staff.id)
    assert _count(db, office_member, bo.STAFF) == 1


def test_administrator_writes_every_group(db: Database, admin: Actor) -> None:
    row = make_staff(db, admin)
    with db.write() as s:
        records.update(s, admin, bo.STAFF, row.id, row.version, {"post": "股长"})
        records.delete(s, admin, bo.STAFF, row.id)


# ------------------------------------------------------------------ masking


@pytest.fixture
def full_check_in(db: Database, office_member: Actor, staff: records.Row) -> records.Row:
    return make_check_in(db, office_member, staff.id, PAST, morning_temperature="37.5", health_code="yellow",
                         travelled_outside=True)


@pytest.mark.parametrize("who", ["institutions_member", "viewer"])
def test_personal_data_is_masked_for_others(db: Database, staff: records.Row, full_check_in: records.Row,
                                            who: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)
    [row] = _fetch(db, actor, bo.STAFF)
    number = staff.values["id_number"]
    assert row.values["id_number"] == number[:6] + "********" + number[-4:]
    assert row.values["phone"] == "139****5678"
    assert row.values["name"] == "王建国"
    assert row.masked == frozenset({"id_number", "phone"})
    assert _get(db, actor, bo.STAFF, staff.id).values["id_number"] == row.values["id_number"]

    [ci] = _fetch(db, actor, bo.CHECK_INS)
    for f in ("morning_temperature", "afternoon_temperature", "health_code", "travelled_outside"):
        assert ci.values[f] == "***", f
    assert ci.masked == frozenset({"morning_temperature", "afternoon_temperature", "health_code", "travelled_outside"})
    assert ci.values["staff_id"] == "王建国" and ci.values["day"] == PAST


@pytest.mark.parametrize("who", ["office_member", "leader", "admin"])
def test_personal_data_is_shown_in_full_to_the_group_and_leaders(
    db: Database, staff: records.Row, full_check_in: records.Row, who: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(who)
    [row] = _fetch(db, actor, bo.STAFF)
    assert row.values["id_number"] == staff.values["id_number"]
    assert row.values["phone"] == "13912345678"
    assert row.masked == frozenset()
    [ci] = _fetch(db, actor, bo.CHECK_INS)
    assert ci.values["morning_temperature"] == Decimal("37.5")
    assert ci.values["health_code"] == "yellow"
    assert ci.values["travelled_outside"] is True


@pytest.mark.parametrize("who", ["institutions_member", "viewer"])
def test_masked_fields_cannot_be_searched_sorted_or_filtered(
    db: Database, office_member: Actor, staff: records.Row, full_check_in: records.Row, who: str,
    request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(who)
    number = staff.values["id_number"]
    assert _count(db, office_member, bo.STAFF, ListQuery(search=number)) == 1
    assert _count(db, actor, bo.STAFF, ListQuery(search=number)) == 0
    assert _count(db, actor, bo.STAFF, ListQuery(search=number[-4:])) == 0
    assert _count(db, actor, bo.STAFF, ListQuery(search="13912345678")) == 0
    assert _count(db, actor, bo.STAFF, ListQuery(search="王建国")) == 1
    with pytest.raises(PermissionDenied), db.read() as s:
        records.count(s, actor, bo.CHECK_INS, ListQuery(colours=("yellow",)))
    # Sorting by a masked field falls back to the default order, so the order gives nothing away.
    others = [make_staff(db, office_member, name=f"staff{i}") for i in range(4)]
    by_default = [r.id for r in _fetch(db, actor, bo.STAFF)]
    for descending in (False, True):
        assert [r.id for r in _fetch(db, actor, bo.STAFF, ListQuery(sort="id_number", descending=descending))] == by_default
    assert len(others) + 1 == len(by_default)


# ------------------------------------------------------------------ edit conflicts


def test_edit_conflict_names_the_change_and_keeps_the_first_save(
    db: Database, office_member: Actor, admin: Actor, check_in: records.Row
) -> None:
    first = _get(db, office_member, bo.CHECK_INS, check_in.id)
    second = _get(db, admin, bo.CHECK_INS, check_in.id)
    assert first.version == second.version
    with db.write() as s:
        records.update(s, office_member, bo.CHECK_INS, check_in.id, first.version,
                       {"morning_temperature": "37.8", "health_code": "yellow"})
    entries = audit_count(db)
    with pytest.raises(EditConflict) as err, db.write() as s:
        records.update(s, admin, bo.CHECK_INS, check_in.id, second.version, {"morning_temperature": "36.2"})
    conflict = err.value
    assert conflict.deleted is False
    changes = {c.field: c for c in conflict.changes}
    assert set(changes) == {"morning_temperature", "health_code"}
    temp = changes["morning_temperature"]
    assert (temp.old, temp.new, temp.by) == ("36.5", "37.8", office_member.username)
    assert temp.label == bo.CHECK_INS.field("morning_temperature").title
    assert temp.at is not None
    code = changes["health_code"]
    assert (code.old, code.new) == (bo.CHECK_INS.field("health_code").choice_title("green"),
                                    bo.CHECK_INS.field("health_code").choice_title("yellow"))
    now = _get(db, office_member, bo.CHECK_INS, check_in.id)
    assert now.values["morning_temperature"] == Decimal("37.8")
    assert now.version == first.version + 1
    assert audit_count(db) == entries


def test_conflict_lists_every_later_save(db: Database, office_member: Actor, admin: Actor, staff: records.Row) -> None:
    opened = staff.version
    row = staff
    for post in ("股长", "副局长"):
        with db.write() as s:
            row = records.update(s, office_member, bo.STAFF, staff.id, row.version, {"post": post})
    with pytest.raises(EditConflict) as err, db.write() as s:
        records.update(s, admin, bo.STAFF, staff.id, opened, {"name": "x"})
    assert [(c.field, c.old, c.new) for c in err.value.changes] == [("post", "科员", "股长"), ("post", "股长", "副局长")]


def test_delete_conflict(db: Database, office_member: Actor, admin: Actor, check_in: records.Row) -> None:
    with db.write() as s:
        records.update(s, office_member, bo.CHECK_INS, check_in.id, check_in.version, {"notes": "复测正常"})
    with pytest.raises(EditConflict) as err, db.write() as s:
        records.delete(s, admin, bo.CHECK_INS, check_in.id, check_in.version)
    assert [(c.field, c.old, c.new, c.by) for c in err.value.changes] == [("notes", "", "复测正常", office_member.username)]
    assert _count(db, office_member, bo.CHECK_INS) == 1
    assert audit_count(db, action="delete") == 0


def test_editing_a_record_deleted_meanwhile(db: Database, office_member: Actor, admin: Actor, check_in: records.Row) -> None:
    with db.write() as s:
        records.delete(s, admin, bo.CHECK_INS, check_in.id, check_in.version)
    with pytest.raises(EditConflict) as err, db.write() as s:
        records.update(s, office_member, bo.CHECK_INS, check_in.id, check_in.version, {"notes": "x"})
    assert err.value.deleted is True


def test_stale_write_between_read_and_flush_is_a_conflict(
    db: Database, office_member: Actor, staff: records.Row, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The optimistic lock in the UPDATE itself (version_id_col) catches a save made after the
    service read the record and before it wrote."""
    from sqlalchemy import update as sql_update

    validate = records._validate

    def validate_then_someone_saves(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        clean = validate(session, *args, **kwargs)
        session.execute(sql_update(StaffMember).where(StaffMember.id == staff.id)
                        .values(version=StaffMember.version + 1).execution_options(synchronize_session=False))
        return clean

    monkeypatch.setattr(records, "_validate", validate_then_someone_saves)
    with pytest.raises(EditConflict), db.write() as s:
        records.update(s, office_member, bo.STAFF, staff.id, staff.version, {"post": "股长"})
    monkeypatch.undo()
    assert _get(db, office_member, bo.STAFF, staff.id).values["post"] == "科员"


# ------------------------------------------------------------------ audit trail


def test_every_write_is_audited_with_old_and_new_values(
    db: Database, office_member: Actor, admin: Actor, staff: records.Row
) -> None:
    row = make_check_in(db, office_member, staff.id, PAST, morning_temperature="36.5", health_code="green")
    with db.write() as s:
        row = records.update(s, office_member, bo.CHECK_INS, row.id, row.version,
                             {"morning_temperature": "37.1", "health_code": "red", "travelled_outside": True})
    with db.write() as s:
        records.delete(s, office_member, bo.CHECK_INS, row.id, row.version)
    with db.write() as s:
        records.restore(s, admin, bo.CHECK_INS, row.id)
    entries = audit_entries(db, row.id)
    assert [(e.action, e.actor, e.record_version) for e in entries] == [
        ("create", "office", 1), ("update", "office", 2), ("delete", "office", 3), ("restore", "admin", 4)]
    created, updated, deleted, restored = entries
    assert all(e.register == bo.CHECK_INS.key for e in entries)
    assert all(e.record_label == f"王建国 {PAST.isoformat()}" for e in entries)
    assert created.changes["staff_id"] == [None, "王建国"]
    assert created.changes["day"] == [None, PAST.isoformat()]
    assert created.changes["morning_temperature"] == [None, "36.5"]
    assert created.changes["health_code"] == [None, "green"]
    assert updated.changes == {"morning_temperature": ["36.5", "37.1"], "health_code": ["green", "red"],
                               "travelled_outside": ["false", "true"]}
    assert deleted.changes == {} and restored.changes == {}


def test_staff_audit(db: Database, office_member: Actor, staff: records.Row) -> None:
    with db.write() as s:
        records.update(s, office_member, bo.STAFF, staff.id, staff.version,
                       {"name": "王建华", "working_groups": ["1", "7"]})
    created, updated = audit_entries(db, staff.id)
    assert created.changes["id_number"] == [None, staff.values["id_number"]]
    assert updated.changes == {"name": ["王建国", "王建华"], "working_groups": ["1", "1,7"]}
    assert updated.record_label == "王建华"


@pytest.fixture
def audited(db: Database, office_member: Actor, admin: Actor) -> None:
    """Two staff by the office member, one visitor by the administrator."""
    make_staff(db, office_member)
    make_staff(db, office_member)
    with db.write() as s:
        records.create(s, admin, bo.VISITORS, visitor_values())


def test_audit_fetch_and_count_filter(db: Database, admin: Actor, audited: None) -> None:
    Q = audit.AuditQuery
    today = today_local()
    with db.read() as s:
        assert audit.count(s, admin, Q()) == 3
        assert audit.count(s, admin, Q(actor="office")) == 2
        assert audit.count(s, admin, Q(actor="admin")) == 1
        assert audit.count(s, admin, Q(actor="nobody")) == 0
        assert audit.count(s, admin, Q(register=bo.STAFF.key)) == 2
        assert audit.count(s, admin, Q(register=bo.VISITORS.key, actor="office")) == 0
        assert audit.count(s, admin, Q(date_from=today, date_to=today)) == 3
        assert audit.count(s, admin, Q(date_from=today + timedelta(days=1))) == 0
        assert audit.count(s, admin, Q(date_to=today - timedelta(days=1))) == 0
        entries = audit.fetch(s, admin, Q(actor="office"))
        assert len(entries) == 2 and all(e.actor == "office" and e.action == "create" for e in entries)
        assert entries[0].at >= entries[1].at  # newest first
        assert len(audit.fetch(s, admin, Q(), offset=1, limit=1)) == 1
        record_id = entries[0].record_id
        assert audit.count(s, admin, Q(record_id=record_id)) == 1
        assert audit.actors(s, admin) == ["admin", "office"]


def test_audit_dates_are_local_days(db: Database, admin: Actor) -> None:
    with db.write() as s:
        audit.record(s, "office", "update", bo.STAFF.key, at=datetime(2021, 10, 24, 12, tzinfo=timezone.utc))
        audit.record(s, "office", "update", bo.STAFF.key, at=datetime(2021, 10, 26, 12, tzinfo=timezone.utc))
    with db.read() as s:
        got = audit.fetch(s, admin, audit.AuditQuery(date_from=date(2021, 10, 20), date_to=date(2021, 10, 25)))
        assert [e.at for e in got] == [datetime(2021, 10, 24, 12, tzinfo=timezone.utc)]


@pytest.mark.parametrize("who", ["office_member", "institutions_member", "viewer", "leader"])
def test_audit_log_is_for_administrators_only(db: Database, who: str, request: pytest.FixtureRequest,
                                              audited: None) -> None:
    actor = request.getfixturevalue(who)
    with db.read() as s:
        with pytest.raises(PermissionDenied):
            audit.fetch(s, actor, audit.AuditQuery())
        with pytest.raises(PermissionDenied):
            audit.count(s, actor, audit.AuditQuery())
        with pytest.raises(PermissionDenied):
            audit.actors(s, actor)


def test_a_refused_write_leaves_no_audit_entry_in_a_failed_transaction(db: Database, office_member: Actor) -> None:
    """A service error raised after an earlier write in the same action rolls both back."""
    with pytest.raises(ValidationError), db.write() as s:
        records.create(s, office_member, bo.STAFF, staff_values())
        records.create(s, office_member, bo.STAFF, staff_values(name=""))
    assert table_count(db, StaffMember) == 0
    assert table_count(db, AuditEntry) == 0


# ------------------------------------------------------------------ recycle bin


def test_restoring_a_check_in_whose_day_was_taken_again_is_refused(
    db: Database, office_member: Actor, admin: Actor, staff: records.Row, check_in: records.Row
) -> None:
    with db.write() as s:
        records.delete(s, office_member, bo.CHECK_INS, check_in.id)
    make_check_in(db, office_member, staff.id, PAST)
    entries = audit_count(db)
    with pytest.raises(ValidationError), db.write() as s:
        records.restore(s, admin, bo.CHECK_INS, check_in.id)
    assert _count(db, office_member, bo.CHECK_INS) == 1
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(deleted=True)) == 1
    assert audit_count(db) == entries


def test_restoring_staff_whose_id_number_was_reused_is_refused(
    db: Database, office_member: Actor, admin: Actor, staff: records.Row
) -> None:
    with db.write() as s:
        records.delete(s, office_member, bo.STAFF, staff.id)
    make_staff(db, office_member, id_number=staff.values["id_number"])
    with pytest.raises(ValidationError), db.write() as s:
        records.restore(s, admin, bo.STAFF, staff.id)


def test_restoring_a_live_record_changes_nothing(db: Database, admin: Actor, staff: records.Row) -> None:
    entries = audit_count(db)
    with db.write() as s:
        row = records.restore(s, admin, bo.STAFF, staff.id)
    assert row.version == staff.version
    assert audit_count(db) == entries


def test_deleted_staff_disappears_from_the_options(db: Database, office_member: Actor, staff: records.Row) -> None:
    other = make_staff(db, office_member, name="李娜")
    with db.read() as s:
        assert [o.label for o in records.options(s, office_member, bo.STAFF)] == sorted(["王建国", "李娜"])
        assert [o.id for o in records.options(s, office_member, bo.STAFF, search="李")] == [other.id]
    with db.write() as s:
        records.delete(s, office_member, bo.STAFF, other.id)
    with db.read() as s:
        assert [o.id for o in records.options(s, office_member, bo.STAFF)] == [staff.id]


# ------------------------------------------------------------------ lists: sorting, filters, search

NAMES = ["anna", "bert", "carl", "dora", "emil", "fred"]  # sorted alike by every collation


@pytest.fixture
def register(db: Database, office_member: Actor) -> list[records.Row]:
    """Six staff and one check-in each on three days, with varied values and no empty ones."""
    staff = []
    for i, name in enumerate(NAMES):
        staff.append(make_staff(db, office_member, name=name, department=f"dept{(i * 7) % 4}", post=f"post{(i * 5) % 3}",
                                phone=f"1391234{5000 + (i * 37) % 11:04d}", working_groups=[str(1 + i % 3)]))
    rows = []
    codes = ["green", "yellow", "red"]
    with db.write() as s:
        for d in range(3):
            for i, st in enumerate(staff):
                k = i * 3 + d
                rows.append(records.create(s, office_member, bo.CHECK_INS, check_in_values(
                    st.id, PAST - timedelta(days=d), morning_temperature=f"36.{(k * 7) % 10}",
                    afternoon_temperature=f"3{6 + k % 2}.{(k * 3) % 10}", health_code=codes[k % 5 % 3],
                    travelled_outside=k % 4 == 0, notes=f"n{(k * 11) % 7}")))
    return staff


@pytest.mark.parametrize("spec_key,field", [(bo.STAFF.key, f.name) for f in bo.STAFF.fields]
                         + [(bo.CHECK_INS.key, f.name) for f in bo.CHECK_INS.fields])
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_each_field(db: Database, office_member: Actor, register: list[records.Row],
                               spec_key: str, field: str, descending: bool) -> None:
    spec = bo.STAFF if spec_key == bo.STAFF.key else bo.CHECK_INS
    rows = _fetch(db, office_member, spec, ListQuery(sort=field, descending=descending))
    assert len(rows) == _count(db, office_member, spec)
    if spec.field(field).kind.value == "multi_choice":
        # Lists have no natural order; check that sorting works and keeps equal values together.
        seen = [",".join(r.values[field]) for r in rows]
        assert all(seen[seen.index(v):seen.index(v) + seen.count(v)] == [v] * seen.count(v) for v in seen)
        return
    key = lambda r: (r.values[field], r.id)  # noqa: E731
    assert [r.id for r in rows] == [r.id for r in sorted(rows, key=key, reverse=descending)]


def test_default_sort_of_check_ins_is_newest_day_first(db: Database, office_member: Actor,
                                                      register: list[records.Row]) -> None:
    days = [r.values["day"] for r in _fetch(db, office_member, bo.CHECK_INS)]
    assert days == sorted(days, reverse=True)
    # An unknown sort field falls back to the default.
    assert [r.values["day"] for r in _fetch(db, office_member, bo.CHECK_INS, ListQuery(sort="nonsense"))] == days


def test_paging_is_stable(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    q = ListQuery(sort="health_code")
    whole = [r.id for r in _fetch(db, office_member, bo.CHECK_INS, q)]
    paged = [r.id for off in range(0, 18, 4) for r in _fetch(db, office_member, bo.CHECK_INS, q, offset=off, limit=4)]
    assert paged == whole and len(set(whole)) == 18


def test_date_range_filter(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    def days(q: ListQuery) -> set[date]:
        return {r.values["day"] for r in _fetch(db, office_member, bo.CHECK_INS, q)}

    yesterday = PAST - timedelta(days=1)
    assert days(ListQuery(date_from=yesterday)) == {PAST, yesterday}
    assert days(ListQuery(date_to=yesterday)) == {yesterday, PAST - timedelta(days=2)}
    assert days(ListQuery(date_from=yesterday, date_to=yesterday)) == {yesterday}
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(date_from=yesterday, date_to=yesterday)) == 6
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(date_from=PAST + timedelta(days=1))) == 0


def test_date_range_filter_on_datetimes(db: Database, office_member: Actor) -> None:
    for hours in (0, 24, 48):
        values = visitor_values()
        values["time_in"] += timedelta(hours=hours)
        values["time_out"] = None
        with db.write() as s:
            records.create(s, office_member, bo.VISITORS, values)
    first = visitor_values()["time_in"].astimezone().date()
    q = ListQuery(date_from=first + timedelta(days=1), date_to=first + timedelta(days=1))
    assert _count(db, office_member, bo.VISITORS, q) == 1
    assert _count(db, office_member, bo.VISITORS, ListQuery(date_from=first)) == 3


def test_colour_filter(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    rows = _fetch(db, office_member, bo.CHECK_INS)
    for colours in (("yellow",), ("red",), ("yellow", "red"), ("green",)):
        got = _fetch(db, office_member, bo.CHECK_INS, ListQuery(colours=colours))
        assert {r.id for r in got} == {r.id for r in rows if r.values["health_code"] in colours}
        assert _count(db, office_member, bo.CHECK_INS, ListQuery(colours=colours)) == len(got)
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(colours=("yellow",), date_from=PAST)) == \
        sum(1 for r in rows if r.values["health_code"] == "yellow" and r.values["day"] == PAST)


def test_search_staff_by_name_id_and_phone(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    target = register[2]
    assert [r.id for r in _fetch(db, office_member, bo.STAFF, ListQuery(search="carl"))] == [target.id]
    assert [r.id for r in _fetch(db, office_member, bo.STAFF, ListQuery(search="CARL"))] == [target.id]
    assert [r.id for r in _fetch(db, office_member, bo.STAFF, ListQuery(search=target.values["id_number"]))] == [target.id]
    assert [r.id for r in _fetch(db, office_member, bo.STAFF, ListQuery(search=target.values["phone"]))] == [target.id]
    assert _count(db, office_member, bo.STAFF, ListQuery(search="dept1")) == \
        sum(1 for r in register if r.values["department"] == "dept1")
    # Several words must all match.
    assert _count(db, office_member, bo.STAFF, ListQuery(search="carl dept1")) == (target.values["department"] == "dept1")
    assert _count(db, office_member, bo.STAFF, ListQuery(search="nobody")) == 0


def test_search_is_literal(db: Database, office_member: Actor) -> None:
    make_staff(db, office_member, name="张_三")
    make_staff(db, office_member, name="张四")
    make_staff(db, office_member, name="100%")
    assert _count(db, office_member, bo.STAFF, ListQuery(search="张_")) == 1
    assert _count(db, office_member, bo.STAFF, ListQuery(search="%")) == 1
    assert _count(db, office_member, bo.STAFF, ListQuery(search="\\")) == 0


def test_search_check_ins_by_staff_name(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    rows = _fetch(db, office_member, bo.CHECK_INS, ListQuery(search="dora"))
    assert len(rows) == 3
    assert {r.values["staff_id__id"] for r in rows} == {register[3].id}
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(search="dora", date_from=PAST)) == 1


def test_equals_filter_by_staff(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    q = ListQuery(equals=(("staff_id", register[0].id),))
    rows = _fetch(db, office_member, bo.CHECK_INS, q)
    assert len(rows) == 3 and {r.values["staff_id"] for r in rows} == {"anna"}


def test_deleted_staff_still_names_their_check_ins(db: Database, office_member: Actor, register: list[records.Row]) -> None:
    with db.write() as s:
        records.delete(s, office_member, bo.STAFF, register[0].id)
    assert _count(db, office_member, bo.CHECK_INS, ListQuery(search="anna")) == 3


def test_disinfection_register_lists(db: Database, office_member: Actor) -> None:
    with db.write() as s:
        for hour, area in ((8, "档案室"), (14, "食堂")):
            records.create(s, office_member, bo.DISINFECTION, {
                "day": PAST, "time_of_day": f"{hour}:00", "area": area, "disinfectant": "75%酒精",
                "method": "wipe", "operator": "保洁 张玉兰"})
    assert _count(db, office_member, bo.DISINFECTION, ListQuery(search="食堂")) == 1
    assert _count(db, office_member, bo.DISINFECTION, ListQuery(search="75%")) == 2
    assert table_count(db, DisinfectionLog) == 2
    assert table_count(db, Visitor) == 0


@pytest.mark.parametrize("who", ["institutions_member", "viewer"])
def test_masked_fields_cannot_be_probed_by_equality(db: Database, staff: records.Row, full_check_in: records.Row,
                                                    who: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)
    with db.read() as s:
        with pytest.raises(PermissionDenied):
            records.count(s, actor, bo.STAFF, ListQuery(equals=(("id_number", staff.values["id_number"]),)))
        with pytest.raises(PermissionDenied):
            records.fetch(s, actor, bo.CHECK_INS, ListQuery(equals=(("health_code", "yellow"),)))
        # Equality on what they may see is fine.
        assert records.count(s, actor, bo.CHECK_INS, ListQuery(equals=(("staff_id", staff.id),))) == 1


# ------------------------------------------------------------------ group 1's "today" view


def test_today_view(db: Database, office_member: Actor, leader: Actor) -> None:
    from civaffairs.groups.bureau_office import service as office

    fine = make_staff(db, office_member, name="fine", department="a")
    absent = make_staff(db, office_member, name="absent", department="b")
    feverish = make_staff(db, office_member, name="feverish", department="c")
    yellow = make_staff(db, office_member, name="yellow", department="d")
    gone = make_staff(db, office_member, name="gone", department="e")
    make_check_in(db, office_member, fine.id, PAST, morning_temperature="37.2", afternoon_temperature="")
    make_check_in(db, office_member, feverish.id, PAST, morning_temperature="36.5", afternoon_temperature="37.3")
    make_check_in(db, office_member, yellow.id, PAST, health_code="yellow")
    make_check_in(db, office_member, absent.id, PAST - timedelta(days=1))  # another day does not count
    deleted = make_check_in(db, office_member, absent.id, PAST)
    with db.write() as s:
        records.delete(s, office_member, bo.CHECK_INS, deleted.id)
        records.delete(s, office_member, bo.STAFF, gone.id)
    with db.read() as s:
        lines = office.today(s, leader, PAST)
    assert [line.name for line in lines] == ["absent", "feverish", "yellow", "fine"]
    by_name = {line.name: line for line in lines}
    assert not by_name["absent"].checked_in and by_name["absent"].morning is None
    assert by_name["feverish"].fever and by_name["feverish"].needs_attention
    assert by_name["feverish"].afternoon == Decimal("37.3")
    assert by_name["yellow"].needs_attention and not by_name["yellow"].fever
    assert not by_name["fine"].needs_attention and by_name["fine"].morning == Decimal("37.2")


@pytest.mark.parametrize("who", ["institutions_member", "viewer"])
def test_today_view_needs_health_data_rights(db: Database, who: str, request: pytest.FixtureRequest) -> None:
    from civaffairs.groups.bureau_office import service as office

    with pytest.raises(PermissionDenied), db.read() as s:
        office.today(s, request.getfixturevalue(who), PAST)
