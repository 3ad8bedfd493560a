"""A register of 100,000 check-ins opens at once: the model knows the full count, holds a page
or two, and leaves sorting and searching to the database."""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, insert, select

from civaffairs.accounts.roles import Actor, Role
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.ids import new_id
from civaffairs.db.bootstrap import open_database
from civaffairs.db.database import Database
from civaffairs.groups.bureau_office.fields import CHECK_INS
from civaffairs.groups.bureau_office.models import HealthCheckIn, StaffMember
from civaffairs.gui.context import AppContext
from civaffairs.gui.operations import Operations
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.settings import Preferences
from civaffairs.gui.table_model import PagedTableModel

STAFF, DAYS = 500, 200  # 100,000 check-ins


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    data_dir: Path = tmp_path_factory.mktemp("big")
    db = open_database(data_dir)
    rng = random.Random(7)
    now, today = now_utc(), today_local()
    stamp = dict(version=1, created_at=now, created_by="bulk", updated_at=now, updated_by="bulk")
    staff = [dict(id=new_id(), name=f"职工{i:03d}", department="办公室", post="", phone="", id_number="",
                  working_groups=["1"], **stamp) for i in range(STAFF)]
    with db.write() as s:
        s.execute(insert(StaffMember), staff)
        s.execute(insert(HealthCheckIn), [
            dict(id=new_id(), staff_id=p["id"], day=today - timedelta(days=d),
                 morning_temperature=rng.randrange(358, 375), afternoon_temperature=rng.randrange(358, 375),
                 health_code="green" if rng.random() > 0.02 else "yellow", travelled_outside=False, notes="", **stamp)
            for d in range(DAYS) for p in staff
        ])
    yield db
    db.dispose()


def test_100k_rows_open_paged_and_sort_and_search_in_the_database(qtbot: QtBot, big_db: Database, tmp_path: Path) -> None:
    actor = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
    ctx = AppContext(big_db, Operations(big_db, actor), actor, tmp_path, Preferences(), "测试民政局")
    statements: list[str] = []
    listener = lambda conn, cursor, sql, params, context, many: statements.append(sql)  # noqa: E731
    event.listen(big_db.engine, "before_cursor_execute", listener)
    try:
        view = RegisterView(ctx, CHECK_INS)
        qtbot.addWidget(view)
        view.resize(1200, 700)
        view.show()
        qtbot.waitExposed(view)
        model = view.model
        assert model.rowCount() == STAFF * DAYS == 100_000
        qtbot.waitUntil(lambda: model.loaded_row_count() > 0)  # painted: the first page was read
        assert model.loaded_row_count() <= 2 * PagedTableModel.PAGE_SIZE

        # Jump to the middle and to the end: still only a page or two in memory.
        for row in (50_000, 99_999):
            view.table.scrollTo(model.index(row, 0))
            qtbot.wait(10)
            assert model.index(row, 1).data()
            assert model.loaded_row_count() <= 2 * PagedTableModel.PAGE_SIZE

        # Sort by the morning temperature, highest first: the database sorts.
        column = [c.key for c in model.columns].index("morning_temperature")
        statements.clear()
        view.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        view.table.scrollToTop()
        qtbot.wait(10)
        assert any("ORDER BY" in s and "morning_temperature DESC" in s for s in statements)
        with big_db.read() as s:
            highest = s.scalar(select(func.max(HealthCheckIn.morning_temperature)))
        assert model.index(0, column).data() == f"{highest / 10:.1f}"
        assert model.loaded_row_count() <= 2 * PagedTableModel.PAGE_SIZE

        # Sort by the staff member (a referenced register): ordered by name, by the database.
        view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        assert model.index(0, 0).data() == "职工000"
        assert model.index(model.rowCount() - 1, 0).data() == "职工499"

        # Search as one types: the database filters (LIKE), the count follows.
        statements.clear()
        qtbot.keyClicks(view.search, "123")
        qtbot.waitUntil(lambda: model.rowCount() == DAYS, timeout=3000)
        assert any(" LIKE " in s.upper() for s in statements)
        assert {model.index(r, 0).data() for r in range(model.rowCount())} == {"职工123"}
        assert model.loaded_row_count() <= DAYS
    finally:
        event.remove(big_db.engine, "before_cursor_execute", listener)
