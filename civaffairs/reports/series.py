"""The leading group's overview (总览) as plain data: tiles, alerts and charts of every working group
for a period, computed now from the records by the groups' `figures.py` (Qt-free).

Like the statistics report, the overview names no group: it finds in each contributor module
(`civaffairs.reports.statistics.contributors()`)
- `report_section(session, actor, period)`: its summary figures and the figures that can alert
  become tiles;
- `today_alerts(session, actor, day) -> tuple[Figure, ...]` (optional): what needs attention today
  whatever the period (abnormal entries today, reserve funds nearly spent, stock near expiry);
- `chart_series(session, actor, period) -> tuple[Chart, ...]` (optional): its charts.
The GUI computes `overview(...)` in a worker thread and only draws the result."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import _
from civaffairs.reports.figures import Chart, Figure, Period
from civaffairs.reports.statistics import _module, contributors

DEFAULT_DAYS = 30  # the overview's period unless the user picks another: the last 30 days

# The order of the alerts at the top of the overview (the list); others follow in the
# order of the groups.
ALERT_ORDER = (
    "sync_conflicts_open", "nat_positive", "nat_all_negative", "entries_abnormal_today", "supervision_corrections_overdue",
    "paperwork_overdue_today", "reserves_below_target", "reserves_nearly_spent", "stock_near_expiry",
)
# A period's figure that today's figure of the same group says better: not alerted twice.
SUPERSEDED_BY_TODAY = {"paperwork_overdue": "paperwork_overdue_today"}


def default_period(today: date) -> Period:
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


@dataclass(frozen=True)
class GroupTiles:
    key: str  # the section's key: "group-3", "supervision"
    title: str  # translated: the working group's name
    tiles: tuple[Figure, ...]


@dataclass(frozen=True)
class Alert:
    group: str  # translated title of the working group
    figure: Figure


@dataclass(frozen=True)
class Overview:
    period: Period
    today: date
    alerts: tuple[Alert, ...]
    groups: tuple[GroupTiles, ...]
    charts: tuple[Chart, ...]
    not_reporting: tuple[str, ...]  # translated titles of groups with no figures yet

    def tile(self, key: str) -> Figure:
        for g in self.groups:
            for f in g.tiles:
                if f.key == key:
                    return f
        raise KeyError(key)

    def chart(self, key: str) -> Chart:
        for c in self.charts:
            if c.key == key:
                return c
        raise KeyError(key)


def _open_conflicts(session: Session) -> int:
    """The open conflicts between PCs (a working copy holds the server's list; elsewhere none)."""
    from civaffairs.sync.conflicts import count_open

    return count_open(session)


def _alert_rank(f: Figure) -> int:
    return ALERT_ORDER.index(f.key) if f.key in ALERT_ORDER else len(ALERT_ORDER)


def overview(session: Session, actor: Actor, period: Period, today: date,
             cancelled: Callable[[], bool] = lambda: False) -> Overview:
    """Every group's tiles, the alerts among them (most urgent first) and the charts for `period`.
    `cancelled()` is asked between groups so that a stale computation stops early."""
    groups: list[GroupTiles] = []
    alerts: list[Alert] = []
    charts: list[Chart] = []
    missing: list[str] = []
    for name, title in contributors():
        if cancelled():
            break
        module = _module(name)
        if module is None or not hasattr(module, "report_section"):
            missing.append(_(title))
            continue
        section = module.report_section(session, actor, period)
        today_figures: tuple[Figure, ...] = (module.today_alerts(session, actor, today)
                                             if hasattr(module, "today_alerts") else ())
        today_keys = {f.key for f in today_figures}
        tiles = [f for f in section.figures if f.summary or f.alert or f.opens is not None and f.key in ALERT_ORDER]
        tiles += today_figures
        groups.append(GroupTiles(section.key, section.title, tuple(tiles)))
        for f in tiles:
            if f.alert and SUPERSEDED_BY_TODAY.get(f.key) not in today_keys:
                alerts.append(Alert(section.title, f))
        if hasattr(module, "chart_series"):
            charts.extend(module.chart_series(session, actor, period))
    conflicts = _open_conflicts(session)
    if conflicts:
        alerts.append(Alert(_("Several PCs"), Figure(
            "sync_conflicts_open", _("Open conflicts between PCs (冲突处理)"), conflicts, alert=True,
            note=_("Changes made on two PCs that could not be merged by themselves; resolve them in 冲突处理."))))
    alerts.sort(key=lambda a: _alert_rank(a.figure))  # stable: the groups' order within a rank
    return Overview(period, today, tuple(alerts), tuple(groups), tuple(charts), tuple(missing))
