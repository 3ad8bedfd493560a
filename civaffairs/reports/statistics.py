"""The statistics report (统计上报): one report for a period, a summary and one section per
working group (and the supervision teams), each contributed by the group's `figures.py`.

The report's code names no group: `CONTRIBUTORS` is derived from the list of working groups, and
a group without a `figures.py` yet is simply named as not reporting."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor, person_name
from civaffairs.core.clock import now_utc
from civaffairs.core.i18n import N_, _
from civaffairs.groups import GROUPS
from civaffairs.reports.figures import Figure, Period, ReportSection

SUPERVISION = ("civaffairs.supervision.figures", N_("Supervision teams"))


def contributors() -> list[tuple[str, str]]:
    """(module, N_-marked title) of every section, in the order of the report."""
    return [(f"civaffairs.groups.{g.package}.figures", g.label) for g in GROUPS] + [SUPERVISION]


@dataclass(frozen=True)
class StatisticsReport:
    office_name: str
    period: Period
    made_at: datetime  # UTC
    made_by: str
    sections: tuple[ReportSection, ...]
    not_reporting: tuple[str, ...]  # translated titles of the groups that have no figures yet

    @property
    def title(self) -> str:
        return _("{office}: epidemic prevention statistics").format(office=self.office_name)

    def summary(self) -> list[tuple[ReportSection, Figure]]:
        """The figures every section marks for the summary, in order."""
        return [(section, f) for section in self.sections for f in section.figures if f.summary]

    def section(self, key: str) -> ReportSection:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name is not None and name.startswith(e.name):
            return None
        raise


def build(session: Session, actor: Actor, period: Period, *, office_name: str, made_at: datetime | None = None) -> StatisticsReport:
    """Every section's figures for `period`, computed now from the records."""
    sections: list[ReportSection] = []
    missing: list[str] = []
    for name, title in contributors():
        module = _module(name)
        if module is None or not hasattr(module, "report_section"):
            missing.append(_(title))
            continue
        sections.append(module.report_section(session, actor, period))
    return StatisticsReport(office_name, period, made_at or now_utc(),
                            person_name(actor.username, {actor.username: actor.display_name}), tuple(sections),
                            tuple(missing))
