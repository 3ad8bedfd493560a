"""Charts of the overview (总览), drawn with QtCharts from a `reports.figures.Chart`.

A daily chart is a line per series over a date axis (every day of the period is a point, a day
with nothing a zero); a chart by category (assistance paid per town) is a bar per category.  A
click on a point or a bar emits `sig_opens` with the `Opens` of the records behind it; an empty
chart says so instead of showing an empty frame."""
from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from civaffairs.core.i18n import _
from civaffairs.gui.signals import emit
from civaffairs.reports.figures import Chart, Opens, Point, Unit, unit_word

ALERT_COLOUR = QColor("#c0392b")
COLOURS = (QColor("#2e6da4"), QColor("#e67e22"), QColor("#27ae60"), QColor("#8e44ad"))
CHART_HEIGHT = 260
MAX_CATEGORY_LABEL = 6  # characters of a town's or an institution's name under its bar


def msecs(day: date) -> float:
    """Local midnight of `day` as the date axis counts it."""
    return float(QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0)).toMSecsSinceEpoch())


def day_of(msecs_since_epoch: float) -> date:
    """The day a point of the date axis stands for (the nearest local midnight)."""
    moment = QDateTime.fromMSecsSinceEpoch(int(msecs_since_epoch + 12 * 3600 * 1000))
    d = moment.date()
    return date(d.year(), d.month(), d.day())


def _number(value: int | Decimal) -> float:
    return float(value)


def nice_max(top: float, whole: bool = True) -> float:
    """An axis maximum a little above the data, four round steps (0, 20, 40, 60, 80); `whole`
    keeps the steps whole numbers (counts)."""
    raw = max(top, 0.0) * 1.08 / 4
    if whole:
        raw = max(raw, 1.0)
    elif raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if step >= raw and (not whole or step == int(step)):
            return step * 4
    return 40 * mag


def _short(text: str) -> str:
    return text if len(text) <= MAX_CATEGORY_LABEL else text[:MAX_CATEGORY_LABEL - 1] + "…"


class ChartPanel(QWidget):
    """One chart of the overview: its QtCharts view, or a sentence when the period has nothing."""

    sig_opens = Signal(object)  # Opens of the point or bar clicked

    def __init__(self, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = chart
        self.setObjectName(f"chart_{chart.key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)
        self.empty_label = QLabel(_("{title}: no records in this period.").format(title=chart.title))
        self.empty_label.setObjectName("chartEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #666; border: 1px dashed #bbb; padding: 12px;")
        self.chart = QChart()
        self.chart.setTitle(chart.title)
        title_font = QFont(self.chart.titleFont())
        title_font.setBold(True)
        title_font.setPointSizeF(max(title_font.pointSizeF(), 10.5))
        self.chart.setTitleFont(title_font)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(CHART_HEIGHT)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        self.lines: list[QLineSeries] = []
        self.bars: list[QBarSet] = []
        if chart.empty:
            self.empty_label.setMinimumHeight(60)
            self.stack.setCurrentWidget(self.empty_label)
            self.stack.setMaximumHeight(80)
        elif chart.by_day:
            self._draw_days(chart)
        else:
            self._draw_categories(chart)

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty_label

    def _value_axis(self, top: float, unit: Unit) -> QValueAxis:
        axis = QValueAxis()
        whole = unit not in (Unit.HOURS, Unit.YUAN) or top >= 10
        axis.setRange(0, nice_max(top, whole))
        axis.setTickCount(5)
        axis.setLabelFormat("%.0f" if whole else "%.1f")
        axis.setTitleText(unit_word(unit) or _("Number"))
        return axis

    def _draw_days(self, chart: Chart) -> None:
        days = [p.x for p in chart.series[0].points if isinstance(p.x, date)]
        top = 0.0
        for n, s in enumerate(chart.series):
            line = QLineSeries()
            line.setName(_("{name} (total {total})").format(name=s.name, total=_total_text(s.total, chart.unit)))
            pen = QPen(ALERT_COLOUR if s.alert else COLOURS[n % len(COLOURS)])
            pen.setWidthF(2.0)
            line.setPen(pen)
            line.setPointsVisible(len(s.points) <= 62)  # a marker per day, while they do not merge
            for p in s.points:
                assert isinstance(p.x, date)
                line.append(msecs(p.x), _number(p.value))
                top = max(top, _number(p.value))
            points = s.points
            line.clicked.connect(lambda at, points=points: self._day_clicked(points, at))
            self.chart.addSeries(line)
            self.lines.append(line)
        x = QDateTimeAxis()
        x.setFormat(_("M/d"))
        first, last = min(days), max(days)
        x.setRange(QDateTime(QDate(first.year, first.month, first.day), QTime(0, 0)),
                   QDateTime(QDate(last.year, last.month, last.day), QTime(0, 0)))
        x.setTickCount(_tick_count(len(days)))
        x.setTitleText(_("Date"))
        y = self._value_axis(top, chart.unit)
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for line in self.lines:
            line.attachAxis(x)
            line.attachAxis(y)
        self.date_axis, self.value_axis = x, y

    def _draw_categories(self, chart: Chart) -> None:
        series = QBarSeries()
        names: list[str] = []
        top = 0.0
        for n, s in enumerate(chart.series):
            bar = QBarSet(s.name)
            bar.setColor(ALERT_COLOUR if s.alert else COLOURS[n % len(COLOURS)])
            for p in s.points:
                bar.append(_number(p.value))
                top = max(top, _number(p.value))
                if n == 0:
                    names.append(str(p.x))
            points = s.points
            bar.clicked.connect(lambda index, points=points: self._open(points[index] if 0 <= index < len(points)
                                                                        else None))
            series.append(bar)
            self.bars.append(bar)
        series.setLabelsVisible(len(names) <= 12)
        series.setLabelsFormat("@value")
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([_short(name) for name in names])
        y = self._value_axis(top, chart.unit)
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        self.chart.legend().setVisible(len(chart.series) > 1)
        self.category_axis, self.value_axis = x, y
        self.bar_series = series

    def _day_clicked(self, points: tuple[Point, ...], at: QPointF) -> None:
        day = day_of(at.x())
        self._open(next((p for p in points if p.x == day), None))

    def _open(self, point: Point | None) -> None:
        if point is not None and point.opens is not None:
            self.open(point.opens)

    def open(self, opens: Opens) -> None:
        emit(self.sig_opens, opens)


def _tick_count(days: int) -> int:
    """Date labels that do not overlap at the overview's width: about one a week on a month."""
    if days <= 8:
        return max(days, 2)
    return min(8, max(3, days // 5 + 1))


def _total_text(total: int | Decimal, unit: Unit) -> str:
    if unit is Unit.YUAN:
        return f"{Decimal(total):,.2f}"
    if isinstance(total, Decimal):
        return f"{total:,.1f}"
    return f"{total:,}"
