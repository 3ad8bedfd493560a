"""Group 4's tab: the registers (households with their members, categories, contacts and
inclusion in the detail pane; grants, reserve funds, rescues), plus the pages each part adds:
`ui_households` (not contacted since a date, moving a person, a household's file) and `ui_grants`
(the grant's approval steps, overdue paperwork, reserve fund balances, the 公示 list)."""
from __future__ import annotations

from civaffairs.groups import WorkingGroup
from civaffairs.groups.assistance import ui_grants, ui_households
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab

PARTS = (ui_households, ui_grants)


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    tab = GroupTab(ctx, group)
    for part in PARTS:
        part.add_pages(tab)
    tab.pages.setCurrentIndex(0)
    return tab


def overview_lines(ctx: AppContext) -> list[str]:
    """The households not reached lately, grants with overdue paperwork, reserve funds left."""
    lines: list[str] = []
    for part in PARTS:
        lines_of = getattr(part, "overview_lines", None)
        if lines_of is not None:
            lines.extend(lines_of(ctx))
    return lines
