"""100,000 check-ins for 500 staff: the service counts, pages, sorts and searches in the
database, and its answers agree with Python working on the same data."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office import fields as bo
from civaffairs.records import service as records
from civaffairs.records.service import ListQuery
from tests.helpers import PAST, bulk_check_ins, bulk_staff, drop_postgres_schema, postgres_schema

STAFF, DAYS = 500, 200
ROWS = STAFF * DAYS
POSTGRES_URL = os.environ.get("CIVAFFAIRS_TEST_POSTGRES_URL")
OFFICE = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))


@dataclass
class Big:
    db: Database
    rows: list[dict[str, Any]]  # as inserted
    names: dict[Any, str]  # staff id -> name
    seconds: float  # to insert
    _orders: dict[tuple[str, bool], list[dict[str, Any]]] = field(default_factory=dict)

    def ordered(self, by: str, descending: bool) -> list[dict[str, Any]]:
        """The rows as the list should order them: by the field, then by id."""
        if (by, descending) not in self._orders:
            key = (lambda r: (self.names[r["staff_id"]], r["id"])) if by == "staff_id" else (lambda r: (r[by], r["id"]))
            self._orders[by, descending] = sorted(self.rows, key=key, reverse=descending)
        return self._orders[by, descending]


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if POSTGRES_URL else []))
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Big]:
    data_dir: Path = tmp_path_factory.mktemp("big")
    schema = None
    if request.param == "postgresql":
        assert POSTGRES_URL
        url, schema = postgres_schema(POSTGRES_URL)
        db = open_database(data_dir, url)
    else:
        db = open_database(data_dir)
    # Collation-proof names: every collation sorts same-shaped ASCII like Python does.
    names = [f"staff{(i * 7919) % STAFF:04d}" for i in range(STAFF)]
    days = [PAST - timedelta(days=d) for d in range(DAYS)]
    started = time.perf_counter()
    with db.write() as s:
        ids = bulk_staff(s, names)
        rows = bulk_check_ins(s, ids, days)
    seconds = time.perf_counter() - started
    try:
        yield Big(db, rows, dict(zip(ids, names)), seconds)
    finally:
        db.dispose()
        if schema:
            drop_postgres_schema(POSTGRES_URL or "", schema)


def _fetch(big: Big, q: ListQuery = ListQuery(), offset: int = 0, limit: int = 100) -> list[records.Row]:
    with big.db.read() as s:
        return records.fetch(s, OFFICE, bo.CHECK_INS, q, offset=offset, limit=limit)


def _count(big: Big, q: ListQuery = ListQuery()) -> int:
    with big.db.read() as s:
        return records.count(s, OFFICE, bo.CHECK_INS, q)


def test_bulk_insert_is_quick(big: Big) -> None:
    assert len(big.rows) == ROWS
    assert big.seconds < 30


def test_count(big: Big) -> None:
    assert _count(big) == ROWS


def test_a_page_deep_in_the_list(big: Big) -> None:
    rows = _fetch(big, offset=50_000, limit=100)
    assert len(rows) == 100
    assert len({r.id for r in rows}) == 100
    assert len(_fetch(big, offset=ROWS - 30, limit=100)) == 30
    assert _fetch(big, offset=ROWS, limit=100) == []


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("offset", [0, 50_000, ROWS - 100])
def test_sorted_by_day_as_python_sorts(big: Big, descending: bool, offset: int) -> None:
    expected = big.ordered("day", descending)[offset:offset + 100]
    got = _fetch(big, ListQuery(sort="day", descending=descending), offset=offset)
    assert [r.id for r in got] == [r["id"] for r in expected]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("offset", [0, 31_337, ROWS - 100])
def test_sorted_by_staff_name_as_python_sorts(big: Big, descending: bool, offset: int) -> None:
    expected = big.ordered("staff_id", descending)
    got = _fetch(big, ListQuery(sort="staff_id", descending=descending), offset=offset)
    assert [r.id for r in got] == [r["id"] for r in expected[offset:offset + 100]]
    assert [r.values["staff_id"] for r in got] == [big.names[r["staff_id"]] for r in expected[offset:offset + 100]]


def test_default_order_is_newest_day_first(big: Big) -> None:
    got = _fetch(big, limit=STAFF + 1)
    assert {r.values["day"] for r in got[:STAFF]} == {PAST}
    assert got[STAFF].values["day"] == PAST - timedelta(days=1)


def test_search_narrows_the_count(big: Big) -> None:
    name = next(iter(big.names.values()))
    assert _count(big, ListQuery(search=name)) == DAYS
    rows = _fetch(big, ListQuery(search=name), limit=DAYS + 10)
    assert len(rows) == DAYS and {r.values["staff_id"] for r in rows} == {name}
    # "staff001" matches staff0010–staff0019.
    assert _count(big, ListQuery(search="staff001")) == 10 * DAYS
    assert _count(big, ListQuery(search="nobody")) == 0


def test_filters_narrow_the_count(big: Big) -> None:
    yellow = sum(1 for r in big.rows if r["health_code"] == "yellow")
    assert _count(big, ListQuery(colours=("yellow",))) == yellow
    week = PAST - timedelta(days=6)
    assert _count(big, ListQuery(date_from=week)) == 7 * STAFF
    in_week_red = sum(1 for r in big.rows if r["health_code"] == "red" and r["day"] >= week)
    assert _count(big, ListQuery(date_from=week, colours=("red",))) == in_week_red
    name = next(iter(big.names.values()))
    assert _count(big, ListQuery(search=name, date_from=week)) == 7
