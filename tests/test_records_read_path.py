"""The list's read path (`records.fetch`, `records.count`) on every backend under test: a page is
sent as SQL text compiled once, its values come back as the driver gives them and are converted
when a row is first read.  Whatever the path, a page's rows are the rows `records.get` reads
through SQLAlchemy's own typed execution: converted, references named, computed columns added and
what the reader may not see masked, before the row is ever read."""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from civaffairs import demo
from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.community import demo as community_demo
from civaffairs.groups.community.fields import DUTY_POINTS, ENTRIES
from civaffairs.groups.service_institutions import demo as institutions_demo
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.gui.table_model import PagedTableModel, RecordTableModel
from civaffairs.places import demo as places_demo
from civaffairs.records import service as records
from civaffairs.records.service import ListQuery
from civaffairs.records.spec import RegisterSpec, all_registers
from tests.helpers import drop_postgres_schema, postgres_schema

POSTGRES_URL = os.environ.get("CIVAFFAIRS_TEST_POSTGRES_URL")
ADMIN = Actor("admin", "管理员", Role.ADMINISTRATOR)
VIEWER = Actor("viewer", "查阅人员", Role.VIEWER)  # sees every register, personal data masked
READERS = {"admin": ADMIN, "viewer": VIEWER}


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if POSTGRES_URL else []))
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo records of the place tree and groups 1 to 3 (every kind of field, references named
    by a date or by their own parent, computed columns), and a few records in the recycle bin."""
    data_dir: Path = tmp_path_factory.mktemp("read_path")
    schema = None
    if request.param == "postgresql":
        assert POSTGRES_URL
        url, schema = postgres_schema(POSTGRES_URL)
        db = open_database(data_dir, url)
    else:
        db = open_database(data_dir)
    places_demo.fill(db)
    demo.fill(db, staff=12, days=3)
    institutions_demo.fill(db)
    community_demo.fill(db)
    with db.write() as s:
        for row in records.fetch(s, ADMIN, ENTRIES, ListQuery(), 0, 3):
            records.delete(s, ADMIN, ENTRIES, row.id)
    try:
        yield db
    finally:
        db.dispose()
        if schema:
            drop_postgres_schema(POSTGRES_URL or "", schema)


def _filled_registers(db: Database) -> list[RegisterSpec]:
    with db.read() as s:
        return [spec for spec in all_registers() if s.scalar(select(func.count()).select_from(spec.model))]


def _fields(row: records.Row) -> tuple[Any, ...]:
    return row.id, row.version, row.values, row.masked, row.deleted_at, row.deleted_by


@pytest.mark.parametrize("reader", READERS)
def test_every_page_row_is_the_row_that_get_reads(filled: Database, reader: str) -> None:
    actor = READERS[reader]
    registers = _filled_registers(filled)
    assert len(registers) >= 20  # the demo reaches every register of those groups
    kinds = set()
    for spec in registers:
        for q in (ListQuery(), ListQuery(deleted=True)):
            with filled.read() as s:
                page = records.fetch(s, actor, spec, q, 0, 200)
                expected = [records.get(s, actor, spec, row.id) for row in page]
            assert [_fields(r) for r in page] == [_fields(r) for r in expected], (spec.key, q.deleted)
            assert page == expected and expected == page  # a page's row equals a Row, both ways round
            kinds |= {f.kind for f in spec.fields if any(r.values.get(f.name) is not None for r in page)}
    assert len(kinds) >= 12, kinds  # dates, times, moments, money, temperatures, choices, references…


def test_a_row_is_converted_when_first_read_and_only_that_row(filled: Database) -> None:
    with filled.read() as s:
        page = records.fetch(s, ADMIN, ENTRIES, ListQuery(), 0, 200)
    assert len(page) == 200
    assert not any("values" in vars(r) for r in page)  # nothing converted yet
    shown = page[5].values
    assert isinstance(shown["day"], date) and shown["duty_point_id"] and shown["duty_point_id__id"]
    assert [i for i, r in enumerate(page) if "values" in vars(r)] == [5]
    assert len({r.id for r in page}) == 200  # ids alone do not convert the rows
    assert [i for i, r in enumerate(page) if "values" in vars(r)] == [5]


def test_a_page_never_holds_what_its_reader_may_not_see(filled: Database) -> None:
    with filled.read() as s:
        seen = records.fetch(s, ADMIN, ENTRIES, ListQuery(), 0, 50)
        hidden = records.fetch(s, VIEWER, ENTRIES, ListQuery(), 0, 50)
    secrets = {r.values[name] for r in seen for name in ("id_number", "phone") if r.values[name]}
    assert secrets
    for row in hidden:  # before any value is read: the row's whole state, converted or not
        state = repr(vars(row)) + repr(getattr(row, "_source", ""))
        assert not any(secret in state for secret in secrets), state
    assert all({"id_number", "phone", "health_code"} & row.masked for row in hidden)
    assert all(row.values["phone"] == "" or "*" in row.values["phone"] for row in hidden)


def test_the_recycle_bin_shows_who_deleted_before_any_value_is_read(filled: Database) -> None:
    with filled.read() as s:
        deleted = records.fetch(s, ADMIN, ENTRIES, ListQuery(deleted=True))
    assert len(deleted) == 3
    assert all(r.deleted_at is not None and r.deleted_at.tzinfo is not None for r in deleted)
    assert {r.deleted_by for r in deleted} == {ADMIN.username}


@pytest.mark.parametrize("q", [
    ListQuery(),
    ListQuery(search="王"),
    ListQuery(search="张 1"),
    ListQuery(date_from=date(2021, 10, 20), date_to=date(2021, 10, 31)),
    ListQuery(colours=("green", "yellow")),
    ListQuery(sort="name", descending=True),
    ListQuery(deleted=True),
], ids=["all", "search", "two words", "dates", "codes", "by name", "bin"])
def test_the_driver_statement_binds_as_sqlalchemy_does(filled: Database, q: ListQuery) -> None:
    """The same statement run by SQLAlchemy itself (its bind processing of dates, UUIDs, IN lists
    and LIKE patterns) finds the same records in the same order, page after page."""
    with filled.read() as s:
        point = records.fetch(s, ADMIN, DUTY_POINTS, ListQuery(), 0, 1)[0].id
    for query in (q, replace(q, equals=(("duty_point_id", point),))):
        qq = records._query(ENTRIES)
        stmt = qq.select_rows(ADMIN, query).order_by(*qq.order_by(ADMIN, query))
        with filled.read() as s:
            expected = [r.id for r in s.execute(stmt)]
            got = [r.id for offset in range(0, len(expected) + 1, 70)
                   for r in records.fetch(s, ADMIN, ENTRIES, query, offset, 70)]
            assert records.count(s, ADMIN, ENTRIES, query) == len(expected)
        assert got == expected


def test_pages_and_counts_go_through_sqlalchemys_events(filled: Database) -> None:
    """Sent as SQL text straight to the driver, but whoever listens to SQLAlchemy's cursor events
    (logging, tests, tools) still sees every statement."""
    sent: list[str] = []
    listener = lambda conn, cursor, sql, params, context, many: sent.append(sql)  # noqa: E731
    event.listen(filled.engine, "before_cursor_execute", listener)
    try:
        with filled.read() as s:
            records.fetch(s, ADMIN, ENTRIES, ListQuery(search="王"), 0, 10)
            records.count(s, ADMIN, ENTRIES, ListQuery(search="王"))
    finally:
        event.remove(filled.engine, "before_cursor_execute", listener)
    assert any("ORDER BY" in sql and "LIMIT" in sql.upper() for sql in sent)
    assert any("count(*)" in sql.lower() for sql in sent)


def test_a_translated_schema_takes_sqlalchemys_own_execution(filled: Database) -> None:
    """Where SQLAlchemy would rewrite the statement as it runs (a schema translation), the plain
    SQL text would be wrong: the page then runs through SQLAlchemy's execution, with the same rows."""
    translated = filled.engine.execution_options(schema_translate_map={None: None})
    with Session(translated) as s, s.begin():
        assert s.connection().get_execution_options().get("schema_translate_map") is not None
        page = records.fetch(s, VIEWER, ENTRIES, ListQuery(), 0, 30)
        n = records.count(s, VIEWER, ENTRIES, ListQuery(search="王"))
    with filled.read() as s:
        assert page == records.fetch(s, VIEWER, ENTRIES, ListQuery(), 0, 30)
        assert n == records.count(s, VIEWER, ENTRIES, ListQuery(search="王"))
    assert all(type(r) is records.Row for r in page)  # converted as read, not as driver values


class _Undo(Exception):
    pass


def test_a_page_read_inside_a_write_sees_that_writes_records(filled: Database) -> None:
    with pytest.raises(_Undo), filled.write() as s:  # rolled back: the other tests keep the demo as it was
        row = records.fetch(s, ADMIN, ENTRIES, ListQuery(), 0, 1)[0]
        records.update(s, ADMIN, ENTRIES, row.id, row.version, {"name": "欧阳修"})
        again = records.fetch(s, ADMIN, ENTRIES, ListQuery(search="欧阳修"), 0, 5)
        assert [r.id for r in again] == [row.id] and again[0].version == row.version + 1
        assert records.count(s, ADMIN, ENTRIES, ListQuery(search="欧阳修")) == 1
        raise _Undo


# ------------------------------------------------------------------ the table that shows the rows


def test_the_table_model_counts_and_reads_its_first_page_in_one_read(filled: Database, qapp: Any) -> None:
    reads: list[Any] = []

    def reader(fn: Any) -> Any:
        reads.append(fn)
        with filled.read() as s:
            return fn(s)

    model = RecordTableModel(reader, ADMIN, ENTRIES)
    assert model.total_count() > PagedTableModel.PAGE_SIZE
    assert len(reads) == 1 and model.loaded_row_count() == PagedTableModel.PAGE_SIZE
    assert model.row(PagedTableModel.PAGE_SIZE - 1) is not None and len(reads) == 1
    assert model.row(PagedTableModel.PAGE_SIZE) is not None and len(reads) == 2


def test_the_list_converts_only_the_rows_it_shows(filled: Database, qtbot: QtBot, tmp_path: Path) -> None:
    ctx = AppContext(filled, Operations(filled, ADMIN), ADMIN, tmp_path, Preferences(), "测试民政局")
    view = RegisterView(ctx, ENTRIES)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.model.loaded_row_count() > 0)
    view.grab()  # painted
    page = view.model._pages[0]
    converted = [i for i, row in enumerate(page) if "values" in vars(row)]
    assert len(page) == PagedTableModel.PAGE_SIZE
    assert converted and len(converted) < 60, converted  # the rows in the window, not the page
    assert view.model.index(0, 1).data()  # and what is shown is the converted row's text


def test_a_read_is_rolled_back_and_refuses_to_write(db: Database) -> None:
    """A read ends in a rollback (cheaper than a commit); a change made in one would be lost, so it
    is refused loudly instead."""
    from civaffairs.places.models import Town

    with pytest.raises(RuntimeError, match="Database.write"), db.read() as s:
        s.add(Town(name="东岔镇", kind="town"))
        s.flush()
    with db.read() as s:
        assert s.query(Town).filter_by(name="东岔镇").count() == 0


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("q", [
    ListQuery(), ListQuery(search="王"), ListQuery(sort="name", descending=True),
    ListQuery(date_from=date(2021, 10, 20), date_to=date(2021, 10, 31)), ListQuery(deleted=True),
], ids=["all", "search", "by name", "dates", "bin"])
def test_a_stream_gives_the_rows_the_pages_give(filled: Database, reader: str, q: ListQuery) -> None:
    """An export reads the list as one stream (SQLite: one statement through its cursor): the same
    rows, in the same order, converted and masked the same, as page after page of `fetch`."""
    actor = READERS[reader]
    with filled.read() as s:
        total = records.count(s, actor, ENTRIES, q)
        chunks = list(records.stream(s, actor, ENTRIES, q, chunk=7))
        pages = [records.fetch(s, actor, ENTRIES, q, offset, 7) for offset in range(0, total, 7)]
    assert total > 7 or q.deleted
    assert [len(c) for c in chunks] == [len(p) for p in pages]
    assert [_fields(r) for c in chunks for r in c] == [_fields(r) for p in pages for r in p]
