"""Input a clerk can type (or paste, or import) that once ended in a traceback: a number with more
digits than a Decimal holds, a date filter at the calendar's end, a search of 20,000 characters,
a NUL or half a character in a text field or a search box.  Each ends in a Chinese message at the
field, or in a correct (empty) list, on every backend; nothing is written."""
from __future__ import annotations

from datetime import date

import pytest

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import ValidationError
from civaffairs.db.database import Database
from civaffairs.groups import load_all
from civaffairs.groups.community.fields import ENTRIES
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.service import ListQuery
from civaffairs.records.spec import Kind, all_registers
from tests.test_community import _compound, _entrance, _point
from tests.test_records_bulk import _entry_values

load_all()


@pytest.mark.parametrize("raw", ["1e27", "-1e27", "1e30", "9" * 40, "1E+400", "99999999999999999999",
                                 "-99999999999999999999"])
def test_a_number_beyond_any_decimal_or_column_is_a_message_at_the_field(raw: str) -> None:
    """Every numeric field has its bounds, so that what it accepts fits its column."""
    for spec in all_registers():
        for f in spec.form_fields:
            if f.kind in (Kind.MONEY, Kind.TEMPERATURE, Kind.INTEGER):
                with pytest.raises(ValueError) as e:
                    V.coerce(f, raw)
                assert str(e.value) and not str(e.value).isascii(), (spec.key, f.name, e.value)


@pytest.mark.parametrize("raw", ["赵\x00敏", "赵敏\ud800", "\udfff"])
def test_text_no_database_can_keep_is_refused_at_the_field(db: Database, admin: Actor, raw: str) -> None:
    point = _point(db, admin, _entrance(db, admin, _compound(db, admin)))
    with pytest.raises(ValidationError) as e:
        with db.write() as s:
            records.create(s, admin, ENTRIES, _entry_values(point, 1, name=raw))
    assert "name" in e.value.field_errors and "字符" in e.value.field_errors["name"]
    with db.read() as s:
        assert records.count(s, admin, ENTRIES) == 0


@pytest.mark.parametrize("q", [
    ListQuery(search="王" * 20_000),
    ListQuery(search="王\x00伟"),
    ListQuery(search="王\ud800伟"),
    ListQuery(search=("赵" * 300 + " ") * 5),
    ListQuery(date_from=date(1, 1, 1), date_to=date(9999, 12, 31)),
    ListQuery(date_from=date(9999, 12, 31)),
    ListQuery(date_to=date(1, 1, 1)),
], ids=["20000 characters", "NUL", "half a character", "five long words", "whole calendar", "last day", "first day"])
def test_every_list_answers_any_search_and_any_dates(db: Database, admin: Actor, q: ListQuery) -> None:
    point = _point(db, admin, _entrance(db, admin, _compound(db, admin)))
    with db.write() as s:
        records.create(s, admin, ENTRIES, _entry_values(point, 1, name="王伟"))
    for spec in all_registers():
        with db.read() as s:
            n = records.count(s, admin, spec, q)
            page = records.fetch(s, admin, spec, q, 0, 50)
        assert n == len(page), spec.key
        if spec is ENTRIES:
            assert n == (1 if q.date_from is None and q.date_to is None and ("\x00" in q.search or "\ud800" in q.search) else
                         1 if q.date_from == date(1, 1, 1) and q.date_to == date(9999, 12, 31) else 0), q


@pytest.mark.parametrize("text", ["王\x00伟", "王" * 20_000, "13900001234\x00", "\ud800"])
def test_find_a_person_answers_or_explains(db: Database, admin: Actor, text: str) -> None:
    from civaffairs.people import service as people

    with db.write() as s:
        try:
            people.find(s, admin, text)
        except ValidationError as e:
            assert not str(e).isascii()
