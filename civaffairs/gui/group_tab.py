"""A working group's tab: its registers as pages, plus whatever the group adds (its `ui.py`)."""
from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.gui.context import AppContext
from civaffairs.gui.notices import NoticesView
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.widgets import heading
from civaffairs.records.spec import all_registers


class GroupTab(QWidget):
    def __init__(self, ctx: AppContext, group: WorkingGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.group = ctx, group
        self.setObjectName(f"group_{group.number}")
        layout = QVBoxLayout(self)
        layout.addWidget(heading(group.name, "groupTitle"))
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.setDocumentMode(True)
        self.register_views: dict[str, RegisterView] = {}
        for spec in all_registers():
            if spec.group == group.number:
                view = RegisterView(ctx, spec)
                self.register_views[spec.key] = view
                self.pages.addTab(view, spec.name)
        if not self.pages.count():
            empty = QLabel(_("The registers of this working group are not set up yet."))
            empty.setObjectName("noRegisters")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.pages.addTab(empty, _("Registers"))
        self.notices = NoticesView(ctx, group.number)
        self.pages.addTab(self.notices, _("Notices"))
        layout.addWidget(self.pages, 1)

    def insert_page(self, index: int, widget: QWidget, title: str) -> None:
        self.pages.insertTab(index, widget, title)
        self.pages.setCurrentIndex(0)


def build_group_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    """The group's own `ui.build_tab` when it has one, else the plain tab of its registers."""
    try:
        module = importlib.import_module(f"civaffairs.groups.{group.package}.ui")
    except ModuleNotFoundError as e:
        if e.name != f"civaffairs.groups.{group.package}.ui":
            raise
        return GroupTab(ctx, group)
    return module.build_tab(ctx, group)  # type: ignore[no-any-return]


def build_supervision_tab(ctx: AppContext) -> QWidget | None:
    """The supervision teams' tab (`civaffairs.supervision.ui.build_tab`), once that package is there."""
    try:
        module = importlib.import_module("civaffairs.supervision.ui")
    except ModuleNotFoundError as e:
        if e.name not in ("civaffairs.supervision", "civaffairs.supervision.ui"):
            raise
        return None
    return module.build_tab(ctx)  # type: ignore[no-any-return]
