"""Quotes, wildcards and injection strings typed into a search box or a filter are only text: on
both databases they leave every table as it was, and they find exactly the records that contain
them literally (a % finds a name with a %, not every name)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.errors import ValidationError
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.groups.bureau_office.fields import STAFF
from civaffairs.groups.bureau_office.models import StaffMember
from civaffairs.records import service as records
from civaffairs.records.service import ListQuery
from civaffairs.records.spec import all_registers
from tests.helpers import staff_values

load_all()

NAMES = ["张%伟", "李_明", "王\\五", "O'Brien", '赵"敏"', "钱[1]", "孙*", "周?", "吴伟"]
HOSTILE = [
    "' OR '1'='1", "'; DROP TABLE bureau_staff_member; --", "\"; DELETE FROM audit_entry; --",
    "' UNION SELECT password_hash, 1, 1 FROM account --", "%' OR 1=1 --", "') OR ('1'='1", "\\'", "%%", "__",
    "%_%", "\\%", "*", "?", "[!a]", "$1", ":name", "{0}", "%s", "'", '"', "`", ";", "--", "/*", "*/",
]


@pytest.fixture
def named(db: Database, admin: Actor) -> dict[str, object]:
    ids = {}
    with db.write() as s:
        for name in NAMES:
            ids[name] = records.create(s, admin, STAFF, staff_values(name=name)).id
    return ids


def _found(db: Database, actor: Actor, search: str) -> set[str]:
    with db.read() as s:
        rows = records.fetch(s, actor, STAFF, ListQuery(search=search), 0, 100)
        assert records.count(s, actor, STAFF, ListQuery(search=search)) == len(rows)
    return {r.values["name"] for r in rows}


@pytest.mark.parametrize("search, expected", [
    ("%", {"张%伟"}), ("_", {"李_明"}), ("\\", {"王\\五"}), ("'", {"O'Brien"}), ('"', {'赵"敏"'}),
    ("[1]", {"钱[1]"}), ("*", {"孙*"}), ("?", {"周?"}), ("伟", {"张%伟", "吴伟"}), ("张%", {"张%伟"}),
    ("%伟", {"张%伟"}), ("李_", {"李_明"}), ("_明", {"李_明"}),
])
def test_a_wildcard_or_quote_finds_only_what_holds_it(db: Database, admin: Actor, named: dict[str, object],
                                                      search: str, expected: set[str]) -> None:
    assert _found(db, admin, search) == expected


def _state(db: Database) -> dict[str, int]:
    with db.read() as s:
        tables = inspect(s.connection()).get_table_names()
        return {t: s.scalar(select(func.count()).select_from(__import__("sqlalchemy").table(t))) or 0 for t in tables}


def test_injection_strings_in_every_search_and_filter_leave_the_database_as_it_was(
        db: Database, admin: Actor, named: dict[str, object]) -> None:
    from civaffairs.people import service as people

    before = _state(db)
    for text in HOSTILE:
        words = text.lower().split()  # the list's search: every word, anywhere in the row
        assert _found(db, admin, text) == {n for n in NAMES if all(w in n.lower() for w in words)}, text
        for spec in all_registers():
            with db.read() as s:
                assert records.count(s, admin, spec, ListQuery(search=text)) == len(
                    records.fetch(s, admin, spec, ListQuery(search=text), 0, 50))
        with db.read() as s:  # the audit screen's filters
            assert audit.fetch(s, admin, audit.AuditQuery(actor=text, register=text)) == []
        try:
            with db.write() as s:  # 查人, audited
                people.find(s, admin, text)
        except ValidationError as e:  # too short or nothing to look for: said in Chinese
            assert not e.message.isascii()
    after = _state(db)
    searches = after.pop("audit_entry") - before.pop("audit_entry")
    assert after == before  # no table gone, no row added or lost
    assert 0 <= searches <= len(HOSTILE)  # only 查人's own audit entries were written
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(StaffMember)) == len(NAMES)
