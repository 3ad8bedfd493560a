"""Any value, of any type, in any field of any register, on SQLite and on PostgreSQL: the service
either keeps it (and reads back what it kept) or refuses it with a Chinese message at the field,
writing nothing.  Never a traceback, never a value the database cannot hold.

A value is what a form, a pasted row or a workbook cell can bring: text of any length with NUL and
half characters, numbers far beyond any column (as text, int, float, Decimal, NaN, infinity), dates
at the calendar's ends, times, booleans, lists, bytes.  Parametrised over `all_registers()`: a new
register is covered without a new test (its demo.py must add a record of it).  The records are the
demo's, copied into a database of the test's own on each backend."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civaffairs import groups
from civaffairs.accounts.roles import Actor, Role
from civaffairs.core.errors import CivaffairsError, ValidationError
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, all_registers
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.helpers import copy_records, drop_postgres_schema, postgres_schema

groups.load_all()
REGISTERS = all_registers()
ADMIN = Actor("admin", "管理员", Role.ADMINISTRATOR)

_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)  # NUL, surrogates, …
_numbers_as_text = st.one_of(
    st.integers().map(str),
    st.sampled_from(["1e27", "-1e400", "NaN", "inf", "-0", "0.05", "1,000", "１２", "٣", "12.345", "9" * 60,
                     " 36.5 ", "36,5", "0x10", "1_000", "²"]),
)
VALUES = st.one_of(
    _text,
    st.text(max_size=3).map(lambda t: t * 12_000),  # far beyond any column
    _numbers_as_text,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), "0001-01-01", "9999-12-31", "2021-02-29", "2021-13-01",
                     "1900-01-01", "20211105", "2021/11/5", "2021年11月5日"]),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.times(),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=4),
    st.binary(max_size=8),
)


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_db(request: pytest.FixtureRequest, demo_source: Database,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    if request.param == "postgresql":
        assert POSTGRES_URL
        url, schema = postgres_schema(POSTGRES_URL)
        database = open_database(folder, url)
        copy_records(demo_source, database)
        yield database
        database.dispose()
        drop_postgres_schema(POSTGRES_URL, schema)
    else:
        database = open_database(folder)
        copy_records(demo_source, database)
        yield database
        database.dispose()


def _a_record(db: Database, spec: RegisterSpec) -> records.Row:
    with db.read() as s:
        page = records.fetch(s, ADMIN, spec, records.ListQuery(), 0, 1)
    assert page, f"the demo has no records of {spec.key}: add some to its demo.py"
    return page[0]


def _same(f: FieldSpec, kept: Any, given: Any) -> bool:
    if f.kind is Kind.DATETIME and kept is not None and given is not None:
        return kept.replace(microsecond=0) == given.astimezone(timezone.utc).replace(microsecond=0)
    return bool(kept == given)


def _is_chinese(message: str) -> bool:
    return bool(message) and not message.isascii() and "Traceback" not in message


@pytest.mark.parametrize("spec", REGISTERS, ids=[s.key for s in REGISTERS])
def test_any_value_in_any_field_is_kept_or_refused_at_the_field(fuzz_db: Database, spec: RegisterSpec) -> None:
    fields = list(spec.form_fields)
    record = _a_record(fuzz_db, spec)

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(f=st.sampled_from(fields), raw=VALUES)
    def check(f: FieldSpec, raw: Any) -> None:
        before = _current(fuzz_db, spec, record.id)
        try:
            with fuzz_db.write() as s:
                row = records.update(s, ADMIN, spec, record.id, before.version, {f.name: raw})
        except ValidationError as e:  # and NeedsConfirmation: a warning the clerk has not accepted
            assert e.field_errors, e
            for name, message in e.field_errors.items():
                assert _is_chinese(message), (spec.key, f.name, repr(raw)[:80], name, message)
            after = _current(fuzz_db, spec, record.id)
            assert after.version == before.version and after.values == before.values, "a refusal wrote"
            return
        except CivaffairsError as e:  # a refusal of the whole record (a rule across records)
            assert _is_chinese(e.message), (spec.key, f.name, repr(raw)[:80], e.message)
            assert _current(fuzz_db, spec, record.id).version == before.version, "a refusal wrote"
            return
        kept = _current(fuzz_db, spec, record.id)
        assert kept.values == row.values  # what the save answered is what a new read finds
        expected = V.coerce(f, raw)  # accepted, so it coerces; the stored value is exactly that
        assert _same(f, kept.values.get(f.name), expected), (spec.key, f.name, repr(raw)[:80],
                                                              kept.values.get(f.name), expected)

    check()


def _current(db: Database, spec: RegisterSpec, record_id: Any) -> records.Row:
    with db.read() as s:
        return records.get(s, ADMIN, spec, record_id)


def test_the_values_reach_every_kind_of_field() -> None:
    """The fuzz means something only if every kind of field is in some register."""
    kinds = {f.kind for spec in REGISTERS for f in spec.form_fields}
    assert kinds == set(Kind), set(Kind) - kinds
