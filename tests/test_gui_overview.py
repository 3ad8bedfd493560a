"""The leading group's overview (总览): computed off the GUI thread (the window keeps answering, the
tab says "正在计算…"), alerts first (a positive NAT result), a tile click and a chart point open
the register behind them filtered, the charts draw the points asked for, an empty period says so,
and a burst of saves gives one recomputation, not one each."""
from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from pytestqt.qtbot import QtBot

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import today_local
from civaffairs.db.database import Database
from civaffairs.groups.community.fields import ENTRIES
from civaffairs.groups.service_institutions import fields as SI
from civaffairs.gui import overview as overview_module
from civaffairs.gui.charts import msecs
from civaffairs.gui.context import AppContext
from civaffairs.gui.main_window import MainWindow
from civaffairs.gui.navigation import register_view
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences
from civaffairs.gui.signals import emit
from civaffairs.reports import series
from civaffairs.reports.figures import Period
from tests.test_community import _compound, _entrance, _entry, _point
from tests.test_service_institutions import institution, nat_round, resident, result


@pytest.fixture
def window(qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path):  # type: ignore[no-untyped-def]
    made: list[MainWindow] = []

    def make() -> MainWindow:
        ctx = AppContext(sqlite_db, Operations(sqlite_db, admin), admin, tmp_path, Preferences(), "测试民政局")
        w = MainWindow(ctx)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        made.append(w)
        return w

    yield make
    overview_module.wait_for_computations()  # no thread outlives its test


def _loaded(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.overview.data is not None and not w.overview.computing, timeout=30_000)


def _recently(days: int) -> date:
    return today_local() - timedelta(days=days)


def test_the_overview_computes_off_the_gui_thread_and_says_so(qtbot: QtBot, window, sqlite_db: Database,  # type: ignore[no-untyped-def]
                                                             admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    real = series.overview
    gate = threading.Event()

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(20)  # a large database on a slow office PC: done when the test says so
        return real(*args, **kwargs)

    monkeypatch.setattr(series, "overview", slow)
    w = window()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    assert w.overview.computing and w.overview.status.text() == "正在计算…"
    assert w.overview.loading.isVisibleTo(w.overview) and w.overview.data is None
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5000)  # the event loop runs while it computes
    w.overview.last7.click()  # and the clerk may pick another period meanwhile: served after this one
    assert w.overview.computing and w.overview.data is None
    gate.set()
    _loaded(qtbot, w)
    timer.stop()
    assert w.overview.data is not None and w.overview.data.period == Period(_recently(6), today_local())
    assert w.overview.status.text().startswith(w.overview.data.period.text)
    assert not w.overview.loading.isVisibleTo(w.overview)


def test_closing_the_window_cancels_and_waits_for_the_computation(qtbot: QtBot, window,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread still reading when the program ends would crash it on the way out."""
    real = series.overview
    saw_cancel = threading.Event()

    def slow(session, actor, period, today, cancelled):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 20
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        if cancelled():
            saw_cancel.set()
        return real(session, actor, period, today, cancelled)

    monkeypatch.setattr(series, "overview", slow)
    w = window()
    assert w.overview.computing
    running = [c for c in overview_module._RUNNING if c.isRunning()]
    assert running
    started = time.monotonic()
    w.close()
    assert time.monotonic() - started < 10  # cancelled, not waited out
    assert saw_cancel.is_set()
    assert not any(c.isRunning() for c in running)
    loads = w.overview.loads
    emit(w.ctx.ops.sig_changed, frozenset({"entries"}))  # a save after closing starts nothing
    qtbot.wait(overview_module.DEBOUNCE_MS + 200)
    assert w.overview.loads == loads and not any(c.isRunning() for c in overview_module._RUNNING)


def test_a_positive_nat_result_is_the_first_alert_and_its_tile_opens_the_rounds(  # type: ignore[no-untyped-def]
        qtbot: QtBot, window, sqlite_db: Database, admin: Actor) -> None:
    home = institution(sqlite_db, admin)
    wang = resident(sqlite_db, admin, home)
    result(sqlite_db, admin, nat_round(sqlite_db, admin, home, _recently(3)), wang, SI.POSITIVE)
    nat_round(sqlite_db, admin, home, _recently(40))  # before the overview's 30 days: not in the filter
    w = window()
    _loaded(qtbot, w)
    first = w.overview.alert_tiles[0]
    assert first.objectName() == "alert_nat_positive" and first.figure.value == 1 and first.figure.alert
    assert first.value_label.text() == "1 人" and "#b03a2e" in first.value_label.styleSheet()
    assert "民政服务机构疫情防控组" in first.label.text()
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    view = register_view(w, SI.NAT_ROUNDS.key)
    assert view is not None and w.tabs.currentWidget().isAncestorOf(view)
    period = series.default_period(today_local())
    assert (view.model.query.date_from, view.model.query.date_to) == (period.start, period.end)
    assert view.model.total_count() == 1  # the round of three days ago, not the one of forty


def test_a_tile_and_a_chart_point_open_the_entries_filtered(qtbot: QtBot, window, sqlite_db: Database,  # type: ignore[no-untyped-def]
                                                          admin: Actor) -> None:
    point = _point(sqlite_db, admin, _entrance(sqlite_db, admin, _compound(sqlite_db, admin)))
    busy, quiet = _recently(2), _recently(5)
    for _ in range(3):
        _entry(sqlite_db, admin, point, day=busy)
    _entry(sqlite_db, admin, point, day=busy, health_code="red")
    _entry(sqlite_db, admin, point, day=quiet)
    w = window()
    _loaded(qtbot, w)

    tile = w.overview.tiles[("group-3", "entries_abnormal")]
    assert tile.figure.value == 1 and tile.figure.alert
    tile.activate()
    view = register_view(w, ENTRIES.key)
    assert view is not None and w.tabs.currentWidget().isAncestorOf(view)
    assert view.model.query.colours == ("yellow", "red") and view.model.total_count() == 1

    # the chart: one point per day of the 30, the days without entries at zero
    panel = w.overview.charts["group-3.entries"]
    assert not panel.is_empty
    entries, abnormal = panel.lines
    assert entries.count() == abnormal.count() == 30
    values = {p.x(): p.y() for p in entries.points()}
    assert values[msecs(busy)] == 4 and values[msecs(quiet)] == 1 and values[msecs(_recently(3))] == 0
    assert {p.x(): p.y() for p in abnormal.points()}[msecs(busy)] == 1
    w.tabs.setCurrentIndex(0)
    emit(entries.clicked, QPointF(msecs(quiet) + 3600_000, 1.0))  # a click near the point of that day
    assert w.tabs.currentWidget().isAncestorOf(view)
    assert view.model.query.date_from == view.model.query.date_to == quiet and view.model.query.colours == ()
    assert view.model.total_count() == 1


def test_an_empty_period_says_so_and_a_burst_of_saves_computes_once(qtbot: QtBot, window,  # type: ignore[no-untyped-def]
                                                                    sqlite_db: Database, admin: Actor) -> None:
    w = window()
    _loaded(qtbot, w)
    panel = w.overview.charts["group-3.entries"]
    assert panel.is_empty and "本时段没有记录" in panel.empty_label.text()
    assert w.overview.alerts_grid.itemAt(0).widget().text() == "本时段没有需关注的事项。"

    loads = w.overview.loads
    for _ in range(20):  # an import or fast entry: many saves in a row
        emit(w.ctx.ops.sig_changed, frozenset({ENTRIES.key}))
    qtbot.wait(overview_module.DEBOUNCE_MS + 200)
    _loaded(qtbot, w)
    assert w.overview.loads == loads + 1

    w.overview.set_period(Period(date(2021, 10, 1), date(2021, 11, 5)))
    _loaded(qtbot, w)
    assert w.overview.date_from.date().toString("yyyy-MM-dd") == "2021-10-01"
    assert len(w.overview.charts["group-1.check_ins"].data.series[0].points) == 36
