"""The seven working groups, in the order of the brief.  The main window loops over `GROUPS`;
each group is a package of the same shape (`models`, `fields`, `service`, `ui`, later `reports`)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from civaffairs.core.i18n import N_, _
from civaffairs.records.spec import Choice


@dataclass(frozen=True)
class WorkingGroup:
    number: int
    package: str  # civaffairs.groups.<package>
    label: str  # N_-marked full name
    short_label: str  # N_-marked tab name

    @property
    def name(self) -> str:
        return _(self.label)

    @property
    def short_name(self) -> str:
        return _(self.short_label)


GROUPS: tuple[WorkingGroup, ...] = (
    WorkingGroup(1, "bureau_office", N_("Bureau office prevention group"), N_("Bureau office")),
    WorkingGroup(2, "service_institutions", N_("Service institutions prevention group"), N_("Service institutions")),
    WorkingGroup(3, "community", N_("Community mass prevention group"), N_("Community")),
    WorkingGroup(4, "assistance", N_("Assistance for people in difficulty group"), N_("Assistance")),
    WorkingGroup(5, "social_organisations", N_("Social organisations prevention group"), N_("Social organisations")),
    WorkingGroup(6, "donations", N_("Donation guidance and supervision group"), N_("Donations")),
    WorkingGroup(7, "volunteers", N_("Volunteer service group"), N_("Volunteers")),
)

GROUP_CHOICES = tuple(Choice(str(g.number), g.short_label) for g in GROUPS)


def group(number: int) -> WorkingGroup:
    return GROUPS[number - 1]


def load_all() -> None:
    """Import every group's field specs (and the shared place tree and supervision teams), so
    that their registers are known, in the order the tabs show them."""
    importlib.import_module("civaffairs.places.fields")
    for g in GROUPS:
        try:
            importlib.import_module(f"civaffairs.groups.{g.package}.fields")
        except ModuleNotFoundError as e:
            if e.name != f"civaffairs.groups.{g.package}.fields":
                raise
    try:
        importlib.import_module("civaffairs.supervision.fields")
    except ModuleNotFoundError as e:
        if e.name not in ("civaffairs.supervision", "civaffairs.supervision.fields"):
            raise
