"""`records.create_many`, the service behind an import's new records: the same validation, rules,
audit and permissions as `create`, row by row, but written a few thousand to a statement where the
register allows it; a bad row refuses the whole call and names its position."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from civaffairs.accounts.roles import Actor, Role
from civaffairs.audit import service as audit
from civaffairs.audit.models import AuditEntry
from civaffairs.core.errors import PermissionDenied, ValidationError
from civaffairs.db.database import Database
from civaffairs.groups.community.fields import COMPOUNDS, ENTRIES
from civaffairs.records import service as records
from tests.helpers import fresh_id, fresh_mobile
from tests.test_community import DAY, _compound, _entrance, _point


@pytest.fixture
def community_member() -> Actor:
    return Actor("community", "社区干事", Role.MEMBER, frozenset({3}))


def _entry_values(point: uuid.UUID, n: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(duty_point_id=point, day=DAY, time_of_day=f"{8 + n % 10:02d}:{n % 60:02d}",
                                  direction="in" if n % 2 else "out", name=f"赵敏{n}", id_number=fresh_id(),
                                  phone=fresh_mobile(), health_code="green" if n % 3 else "yellow",
                                  temperature="36.5", itinerary_card_checked=True, pass_number=f"WB-{n:04d}")
    values.update(overrides)
    return values


def test_entries_are_written_in_bulk_and_compounds_one_by_one() -> None:
    assert records.writes_in_bulk(ENTRIES)
    assert not records.writes_in_bulk(COMPOUNDS)  # its unique-name rule reads the database


def test_create_many_stores_and_audits_each_record_as_create_does(db: Database, community_member: Actor,
                                                                  admin: Actor) -> None:
    point = _point(db, community_member, _entrance(db, community_member, _compound(db, community_member)))
    rows = [_entry_values(point, n) for n in range(7)]
    # The same values but the name (a record is identified by it), saved one by one as the form does.
    single = [dict(values, name="钱" + values["name"]) for values in rows]
    with db.write() as s:
        ids = records.create_many(s, community_member, ENTRIES, rows)
    with db.write() as s:
        one_by_one = [records.create(s, community_member, ENTRIES, values).id for values in single]
    assert len(ids) == len(set(ids)) == 7
    with db.read() as s:
        bulk_rows = [records.get(s, community_member, ENTRIES, i) for i in ids]
        plain_rows = [records.get(s, community_member, ENTRIES, i) for i in one_by_one]
        entries = {e.record_id: e for e in audit.fetch(s, admin, audit.AuditQuery(register=ENTRIES.key), limit=100)}
    for bulk, plain, values in zip(bulk_rows, plain_rows, rows):
        assert bulk.version == plain.version == 1
        assert bulk.values["name"] == values["name"] and plain.values["name"] == "钱" + values["name"]
        assert {k: v for k, v in bulk.values.items() if k != "name"} == \
            {k: v for k, v in plain.values.items() if k != "name"}
        made, written = entries[bulk.id], entries[plain.id]
        assert made.action == written.action == "create" and made.record_version == 1
        assert made.actor == written.actor == "community"
        assert made.changes.pop("name") == [None, values["name"]]
        assert written.changes.pop("name") == [None, "钱" + values["name"]]
        assert made.changes == written.changes and len(made.changes) >= 9
        assert made.record_label == written.record_label.replace("钱", "", 1)


def test_a_bad_row_refuses_the_whole_call_and_names_its_position(db: Database, community_member: Actor) -> None:
    point = _point(db, community_member, _entrance(db, community_member, _compound(db, community_member)))
    rows = [_entry_values(point, n) for n in range(6)]
    rows[4] = _entry_values(point, 4, id_number="", phone="")  # the register's rule: one of the two
    with pytest.raises(ValidationError) as e:
        with db.write() as s:
            records.create_many(s, community_member, ENTRIES, rows)
    assert e.value.row == 4 and "id_number" in e.value.field_errors
    rows[4] = _entry_values(point, 4, temperature="39.9x")  # a field's own check
    with pytest.raises(ValidationError) as e:
        with db.write() as s:
            records.create_many(s, community_member, ENTRIES, rows)
    assert e.value.row == 4 and "temperature" in e.value.field_errors
    with db.read() as s:
        assert records.count(s, community_member, ENTRIES) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.register == ENTRIES.key)) == 0


def test_a_deleted_duty_point_is_refused(db: Database, community_member: Actor) -> None:
    entrance = _entrance(db, community_member, _compound(db, community_member))
    live, gone = _point(db, community_member, entrance), _point(db, community_member, entrance, "西门值守点")
    with db.write() as s:
        records.delete(s, community_member, records_spec_of_point(), gone)
    with pytest.raises(ValidationError) as e:
        with db.write() as s:
            records.create_many(s, community_member, ENTRIES, [_entry_values(live, 1), _entry_values(gone, 2)])
    assert e.value.row == 1 and "duty_point_id" in e.value.field_errors


def test_rows_checked_by_a_preview_are_written_without_a_second_check_but_not_past_a_deletion(
        db: Database, community_member: Actor) -> None:
    """An import's preview checks each row once (`check_new`) and its write reuses the check;
    the duty point deleted between the preview and the write still refuses the row."""
    entrance = _entrance(db, community_member, _compound(db, community_member))
    live, gone = _point(db, community_member, entrance), _point(db, community_member, entrance, "西门值守点")
    with db.read() as s:
        checked = [records.check_new(s, ENTRIES, _entry_values(point, n)) for n, point in enumerate((live, gone, live))]
    assert checked[0].values["temperature"] == records.V.coerce(ENTRIES.field("temperature"), "36.5")
    with pytest.raises(ValidationError) as e:  # what the form would refuse is refused at the check
        with db.read() as s:
            records.check_new(s, ENTRIES, _entry_values(live, 9, temperature="39.9x"))
    assert "temperature" in e.value.field_errors
    with db.write() as s:
        records.delete(s, community_member, records_spec_of_point(), gone)
    with pytest.raises(ValidationError) as e:
        with db.write() as s:
            records.create_many(s, community_member, ENTRIES, checked)
    assert e.value.row == 1 and "duty_point_id" in e.value.field_errors
    with db.write() as s:
        ids = records.create_many(s, community_member, ENTRIES, [checked[0], checked[2]])
    with db.read() as s:
        stored = [records.get(s, community_member, ENTRIES, i).values for i in ids]
    assert [v["name"] for v in stored] == ["赵敏0", "赵敏2"] and stored[0]["duty_point_id__id"] == live


def records_spec_of_point():  # type: ignore[no-untyped-def]
    from civaffairs.groups.community.fields import DUTY_POINTS

    return DUTY_POINTS


def test_create_many_checks_permission_in_the_service(db: Database, community_member: Actor) -> None:
    point = _point(db, community_member, _entrance(db, community_member, _compound(db, community_member)))
    outsider = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
    with pytest.raises(PermissionDenied):
        with db.write() as s:
            records.create_many(s, outsider, ENTRIES, [_entry_values(point, 1)])


def test_rows_of_a_register_whose_rules_read_the_database_see_each_other(db: Database,
                                                                         community_member: Actor) -> None:
    """Compounds are unique by name in their community: the second of two rows with one name is
    refused, as it would be when entered by hand after the first."""
    first = _compound(db, community_member)  # makes the town and the community
    with db.read() as s:
        community = records.get(s, community_member, COMPOUNDS, first).values["community_id__id"]
    rows = [dict(community_id=community, name="新建小区", address="", households=10, residents=30,
                 property_contact="", property_phone="") for _ in range(2)]
    with pytest.raises(ValidationError) as e:
        with db.write() as s:
            records.create_many(s, community_member, COMPOUNDS, rows)
    assert e.value.row == 1 and "name" in e.value.field_errors
    with db.write() as s:
        ids = records.create_many(s, community_member, COMPOUNDS, rows[:1])
    assert len(ids) == 1


def test_insert_rows_binds_every_type_as_sqlalchemy_does(db: Database) -> None:
    """Moments, ids, JSON and NULLs written through the driver read back as the ORM wrote them."""
    from datetime import datetime, timezone

    from civaffairs.core.ids import new_id

    at = datetime(2021, 10, 26, 8, 15, tzinfo=timezone.utc)
    rows = [dict(id=new_id(), at=at, actor="甲", action="create", register="r", record_id=new_id(),
                 record_version=1, record_label="标签", changes={"name": [None, "赵敏"]}),
            dict(id=new_id(), at=at, actor="乙", action="create", register="r", record_id=None,
                 record_version=None, record_label="", changes={})]
    with db.write() as s:
        records.insert_rows(s, AuditEntry.__table__, rows)
        s.add(AuditEntry(id=new_id(), at=at, actor="丙", action="create", register="r", record_id=None,
                         record_version=None, record_label="", changes={}))
    with db.read() as s:
        found = {e.actor: e for e in s.scalars(select(AuditEntry).where(AuditEntry.register == "r"))}
        stored = dict(s.execute(select(AuditEntry.actor, AuditEntry.changes).where(AuditEntry.register == "r")).all())
    assert found["甲"].id == rows[0]["id"] and found["甲"].record_id == rows[0]["record_id"]
    assert found["甲"].at == at and found["甲"].changes == {"name": [None, "赵敏"]}
    assert found["乙"].record_id is None and found["乙"].record_version is None
    assert stored["乙"] == stored["丙"] == {}
