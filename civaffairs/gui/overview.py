"""The leading group's overview (总览): alerts first, then every working group's figures as tiles,
and charts over a period the user picks; a click on a tile or a chart point opens the register
behind it, filtered.

Everything is computed by the groups' `figures.py` (`civaffairs.reports.series.overview`) in a
worker thread with its own read transaction: the window never waits for it.  Saves anywhere
(`ops.sig_changed`) ask for a new computation after a short pause, and at most one runs at a time
(a request while one runs is served once it ends), so a burst of saves costs one or two."""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QDateEdit, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QSplitter,
    QTabWidget, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.errors import CivaffairsError
from civaffairs.core.i18n import _
from civaffairs.gui.charts import ChartPanel
from civaffairs.gui.context import AppContext
from civaffairs.gui.notices import NoticesView
from civaffairs.gui.signals import emit
from civaffairs.gui.widgets import heading, period_date_range
from civaffairs.groups import GROUPS
from civaffairs.records import service as records
from civaffairs.records.spec import all_registers
from civaffairs.reports import series
from civaffairs.reports.figures import Figure, Opens, Period, Unit, unit_word

TILE_COLUMNS = 3
ALERT_COLUMNS = 3
DEBOUNCE_MS = 500  # many saves in a row (an import, fast entry) → one computation


def group_overview(package: str):  # type: ignore[no-untyped-def]
    """A group's own overview lines (`overview_lines(ctx)` in its `ui.py`), if it has any."""
    return group_overview_module(f"civaffairs.groups.{package}.ui")


def group_overview_module(name: str):  # type: ignore[no-untyped-def]
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name is None or not name.startswith(e.name):
            raise
        return None
    return getattr(module, "overview_lines", None)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


# ------------------------------------------------------------------ the worker


class _Computation(QThread):
    """One computation of the overview off the GUI thread."""

    sig_done = Signal(object, object)  # result, error

    def __init__(self, job: Callable[[Callable[[], bool]], Any]) -> None:
        super().__init__()
        self._job = job
        self._stop = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        try:
            result = self._job(self._stop.is_set)
        except BaseException as e:  # noqa: BLE001 - shown on the GUI thread
            emit(self.sig_done, None, e)
        else:
            emit(self.sig_done, result, None)


# Running computations are kept here, not by the tab, so that a tab closed while one runs does not
# destroy a running thread; each removes itself when it ends.
_RUNNING: set[_Computation] = set()


def wait_for_computations(*, cancel: bool = False) -> None:
    """Wait for every overview computation (tests, the end of the program); with `cancel`, ask
    each to stop at its next step first.  A QThread still running when Python tears its objects
    down crashes the process, so nothing may outlive the window."""
    for c in list(_RUNNING):
        if cancel:
            c.cancel()
    for c in list(_RUNNING):
        c.wait()


# ------------------------------------------------------------------ tiles


class Tile(QFrame):
    """A figure as a tile: its number and unit large, its label under it; red when it alerts; a
    click opens the register behind it."""

    sig_opens = Signal(object)

    def __init__(self, figure: Figure, group: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = figure
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setMinimumWidth(150)
        colour, background = ("#b03a2e", "#fdecea") if figure.alert else ("#1f3f66", "#f4f7fb")
        self.setStyleSheet(f"Tile {{ background: {background}; border: 1px solid {colour}40; border-radius: 6px; }}"
                           f"QLabel {{ background: transparent; border: none; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        self.value_label = QLabel(tile_text(figure))
        self.value_label.setObjectName("tileValue")
        self.value_label.setWordWrap(True)
        # a sum of money in yuan ("2,043,000.00 元") must fit a narrow tile on one line
        length = len(tile_text(figure))
        size = 17 if length <= 11 else 13 if length <= 15 else 11
        self.value_label.setStyleSheet(f"color: {colour}; font-size: {size}pt; font-weight: bold;")
        self.label = QLabel(f"{group}：{figure.label}" if group else figure.label)
        self.label.setObjectName("tileLabel")
        self.label.setWordWrap(True)
        self.label.setStyleSheet(f"color: {'#b03a2e' if figure.alert else '#333'};")
        layout.addWidget(self.value_label)
        layout.addWidget(self.label)
        tip = [figure.label]
        if figure.note:
            tip.append(figure.note)
        if figure.opens is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            tip.append(_("Click to open the register behind this figure."))
        self.setToolTip("\n".join(tip))

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.activate()
        super().mouseReleaseEvent(event)

    def activate(self) -> None:
        if self.figure.opens is not None:
            emit(self.sig_opens, self.figure.opens)


def tile_text(figure: Figure) -> str:
    """The figure's value with its unit (hours too: "3,771.0 小时")."""
    v = figure.value
    if isinstance(v, Decimal) and figure.unit not in (Unit.YUAN, Unit.PERCENT):
        return f"{v:,} {unit_word(figure.unit)}".strip()
    return figure.text


def _clear(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.deleteLater()


# ------------------------------------------------------------------ the tab


class OverviewTab(QWidget):
    sig_loaded = Signal()  # a computation's result is on screen

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("overview")
        self.data: series.Overview | None = None
        self.tiles: dict[tuple[str, str], Tile] = {}
        self.alert_tiles: list[Tile] = []
        self.charts: dict[str, ChartPanel] = {}
        self._computation: _Computation | None = None
        self._again = False
        self.loads = 0  # computations started: how a test sees that a burst of saves gives few

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading(_("{office}: epidemic prevention leading group").format(office=ctx.office_name),
                              "overviewTitle", grow=5), 1)
        self.date_label = QLabel()
        self.date_label.setObjectName("todayLabel")
        top.addWidget(self.date_label)
        outer.addLayout(top)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Period from")))
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, name in ((self.date_from, "periodFrom"), (self.date_to, "periodTo")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setObjectName(name)
            period_date_range(edit)
        period = series.default_period(today_local())
        self.date_from.setDate(_qdate(period.start))
        self.date_to.setDate(_qdate(period.end))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(_("to")))
        bar.addWidget(self.date_to)
        for days, name in ((7, "last7"), (series.DEFAULT_DAYS, "last30")):
            b = QPushButton(_("Last {n} days").format(n=days))
            b.setObjectName(name)
            setattr(self, name, b)
            b.clicked.connect(lambda _checked=False, days=days: self.set_period(
                Period(today_local() - timedelta(days=days - 1), today_local())))
            bar.addWidget(b)
        self.status = QLabel()
        self.status.setObjectName("overviewStatus")
        self.status.setStyleSheet("color: #666;")
        bar.addWidget(self.status, 1)
        self.statistics_button = QPushButton(_("Statistics report…"))
        self.statistics_button.setObjectName("statisticsButton")
        self.statistics_button.setToolTip(_("The statistics report of a period (统计上报), as a workbook or a PDF."))
        self.statistics_button.clicked.connect(self.open_statistics)
        bar.addWidget(self.statistics_button)
        self.demo_button = QPushButton(_("Fill with demo data…"))
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setVisible(False)
        bar.addWidget(self.demo_button)
        outer.addLayout(bar)

        # Left: alerts, then each group's tiles; right: the charts.
        left = QWidget()
        self.left_layout = QVBoxLayout(left)
        self.left_layout.setContentsMargins(0, 0, 4, 0)
        self.alerts_box = QGroupBox(_("Needs attention"))
        self.alerts_box.setObjectName("alertsBox")
        self.alerts_box.setStyleSheet("QGroupBox#alertsBox { font-weight: bold; color: #b03a2e; }")
        self.alerts_grid = QGridLayout(self.alerts_box)
        self.left_layout.addWidget(self.alerts_box)
        self.groups_layout = QVBoxLayout()
        self.left_layout.addLayout(self.groups_layout)
        self.left_layout.addStretch(1)
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setWidget(left)

        right = QWidget()
        self.charts_layout = QVBoxLayout(right)
        self.charts_layout.setContentsMargins(4, 0, 0, 0)
        right_scroll = QScrollArea()
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setWidget(right)

        figures_page = QSplitter(Qt.Orientation.Horizontal)
        figures_page.setObjectName("overviewSplit")
        figures_page.addWidget(left_scroll)
        figures_page.addWidget(right_scroll)
        figures_page.setStretchFactor(0, 5)
        figures_page.setStretchFactor(1, 6)
        figures_page.setSizes([560, 680])

        notices_page = QWidget()
        notices_layout = QVBoxLayout(notices_page)
        self.notices = NoticesView(ctx, None)
        notices_layout.addWidget(self.notices)
        self.pages = QTabWidget()
        self.pages.setObjectName("overviewPages")
        self.pages.addTab(figures_page, _("Figures and charts"))
        self.pages.addTab(notices_page, _("Notices of every group"))
        outer.addWidget(self.pages, 1)

        self.loading = QLabel(_("Computing…"))
        self.loading.setObjectName("overviewLoading")
        self.loading.setStyleSheet("color: #1f3f66; font-size: 12pt;")
        self.charts_layout.addWidget(self.loading)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        ctx.ops.sig_changed.connect(self._changed)
        self.date_from.dateChanged.connect(self._period_changed)
        self.date_to.dateChanged.connect(self._period_changed)
        self.refresh()

    # -- period

    @property
    def period(self) -> Period:
        start, end = _date(self.date_from.date()), _date(self.date_to.date())
        return Period(min(start, end), max(start, end))

    def set_period(self, period: Period) -> None:
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
        self.date_from.setDate(_qdate(period.start))
        self.date_to.setDate(_qdate(period.end))
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(False)
        self.refresh()

    def _period_changed(self) -> None:
        self._timer.start()

    def _changed(self, _keys: object) -> None:
        self._timer.start()

    # -- loading

    def open_statistics(self) -> None:
        from civaffairs.gui.statistics_dialog import StatisticsDialog

        self.statistics_dialog = StatisticsDialog(self.ctx, self)
        self.statistics_dialog.open()

    def _database_is_empty(self) -> bool:
        """True when no register holds a record: stops at the first one found (one count)."""
        def read(s):  # type: ignore[no-untyped-def]
            return not any(records.count(s, self.ctx.actor, spec) for spec in all_registers())
        try:
            return self.ctx.ops.read(read)
        except Exception:  # noqa: BLE001 - a register the role cannot count: not empty
            return False

    def refresh(self) -> None:
        """Compute the overview again in the background (the one running, if any, is let finish
        and this request served after it)."""
        self._timer.stop()
        today = today_local()
        self.date_label.setText(_("Today is {date}.").format(date=long_date(today)))
        self.demo_button.setVisible(self.ctx.actor.is_administrator and self._database_is_empty())
        self.status.setText(_("Computing…"))
        self.loading.setVisible(True)
        if self._computation is not None:
            self._again = True
            return
        try:
            period = self.period
        except CivaffairsError as e:  # a day the figures cannot compute: said, nothing computed
            self.status.setText(e.message)
            self.loading.setVisible(False)
            return
        self._start(period, today)

    def _start(self, period: Period, today: date) -> None:
        ctx = self.ctx
        lines = [(g.number, group_overview(g.package)) for g in GROUPS]
        lines.append((0, group_overview_module("civaffairs.supervision.ui")))

        def job(cancelled: Callable[[], bool]) -> tuple[series.Overview, dict[int, list[str]]]:
            with ctx.db.read() as session:
                data = series.overview(session, ctx.actor, period, today, cancelled)
            # The groups' own lines of today read through ctx.ops.read: their own transactions.
            today_lines: dict[int, list[str]] = {}
            for number, fn in lines:
                if fn is not None and not cancelled():
                    today_lines[number] = list(fn(ctx))
            return data, today_lines

        computation = _Computation(job)
        self._computation = computation
        _RUNNING.add(computation)
        self.loads += 1
        computation.sig_done.connect(self._done)
        computation.finished.connect(lambda c=computation: _forget(c))
        computation.start()

    def _done(self, result: Any, error: BaseException | None) -> None:
        computation, self._computation = self._computation, None
        if computation is not None and computation.cancelled:
            return
        if self._again:
            self._again = False
            self.refresh()
            return
        if error is not None:
            self.status.setText(_("The overview could not be computed: {error}").format(
                error=error.message if isinstance(error, CivaffairsError) else error))
            self.loading.setVisible(False)
            return
        data, today_lines = result
        self.show_overview(data, today_lines)
        emit(self.sig_loaded)

    @property
    def computing(self) -> bool:
        return self._computation is not None

    def shutdown(self) -> None:
        """The window is closing: no new computation, the running one cancelled and waited for."""
        self._timer.stop()
        self._again = False
        try:
            self.ctx.ops.sig_changed.disconnect(self._changed)
        except (RuntimeError, TypeError):  # already disconnected
            pass
        computation = self._computation
        if computation is not None:
            computation.cancel()
            computation.wait()

    # -- drawing

    def show_overview(self, data: series.Overview, today_lines: dict[int, list[str]] | None = None) -> None:
        self.data = data
        today_lines = today_lines or {}
        self.status.setText(_("Figures of {period}; alerts first.").format(period=data.period.text))
        self.loading.setVisible(False)

        _clear(self.alerts_grid)
        self.alert_tiles = []
        if data.alerts:
            for i, alert in enumerate(data.alerts):
                tile = Tile(alert.figure, alert.group)
                tile.setObjectName(f"alert_{alert.figure.key}")
                tile.sig_opens.connect(self.open)
                self.alerts_grid.addWidget(tile, i // ALERT_COLUMNS, i % ALERT_COLUMNS)
                self.alert_tiles.append(tile)
        else:
            none = QLabel(_("Nothing needs attention in this period."))
            none.setStyleSheet("color: #2e7d32; font-weight: normal;")
            self.alerts_grid.addWidget(none, 0, 0)

        _clear(self.groups_layout)
        self.tiles = {}
        numbers = {f"group-{g.number}": g.number for g in GROUPS}
        for g in data.groups:
            number = numbers.get(g.key, 0)
            box = QGroupBox(f"{number}. {g.title}" if number else g.title)
            box.setObjectName(f"overviewGroup{number}" if number else "overviewSupervision")
            lay = QVBoxLayout(box)
            grid = QGridLayout()
            grid.setSpacing(6)
            for i, f in enumerate(g.tiles):
                tile = Tile(f)
                tile.setObjectName(f"tile_{g.key}_{f.key}")
                tile.sig_opens.connect(self.open)
                self.tiles[(g.key, f.key)] = tile
                grid.addWidget(tile, i // TILE_COLUMNS, i % TILE_COLUMNS)
            lay.addLayout(grid)
            extra = today_lines.get(number, [])
            if extra:
                label = QLabel("\n".join(extra))
                label.setObjectName(f"overviewExtra{number or 'Supervision'}")
                label.setWordWrap(True)
                label.setStyleSheet("color: #444;")
                lay.addWidget(label)
            self.groups_layout.addWidget(box)
        if data.not_reporting:
            label = QLabel(_("Not yet reporting: {groups}").format(groups="、".join(data.not_reporting)))
            self.groups_layout.addWidget(label)

        while self.charts_layout.count() > 1:  # the "computing" label stays first
            item = self.charts_layout.takeAt(1)
            w = item.widget()
            if w is not None:
                w.hide()
                w.deleteLater()
        self.charts = {}
        for chart in data.charts:
            panel = ChartPanel(chart)
            panel.sig_opens.connect(self.open)
            self.charts[chart.key] = panel
            self.charts_layout.addWidget(panel)
        self.charts_layout.addStretch(1)

    def open(self, opens: Opens) -> None:
        """Bring the register behind a tile or a chart point to the front, filtered."""
        from civaffairs.gui.navigation import show_register

        show_register(self, opens.register, search=opens.search, date_from=opens.date_from, date_to=opens.date_to,
                      colours=opens.colours)


def _forget(computation: QObject) -> None:
    _RUNNING.discard(computation)  # type: ignore[arg-type]
    computation.deleteLater()
