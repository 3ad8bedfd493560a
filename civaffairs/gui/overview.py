"""The leading group's overview (总览): every working group at a glance."""
from __future__ import annotations

import importlib

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget

from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import GROUPS
from civaffairs.gui.context import AppContext
from civaffairs.gui.notices import NoticesView
from civaffairs.gui.widgets import heading
from civaffairs.records import service as records
from civaffairs.records.spec import all_registers


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


class OverviewTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("overview")
        outer = QVBoxLayout(self)
        outer.addWidget(heading(_("{office}: epidemic prevention leading group").format(office=ctx.office_name),
                                "overviewTitle", grow=5))
        self.date_label = QLabel()
        outer.addWidget(self.date_label)

        self.statistics_button = QPushButton(_("Statistics report…"))
        self.statistics_button.setObjectName("statisticsButton")
        self.statistics_button.setToolTip(_("The statistics report of a period (统计上报), as a workbook or a PDF."))
        self.statistics_button.clicked.connect(self.open_statistics)
        outer.addWidget(self.statistics_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.demo_button = QPushButton(_("Fill with demo data…"))
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setVisible(False)
        outer.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)

        body = QWidget()
        grid = QGridLayout(body)
        grid.setSpacing(12)
        self.count_labels: dict[str, QLabel] = {}
        self.extra_labels: dict[int, tuple[QLabel, object]] = {}
        for i, group in enumerate(GROUPS):
            box = QGroupBox(f"{group.number}. {group.name}")
            box.setObjectName(f"overviewGroup{group.number}")
            lay = QVBoxLayout(box)
            specs = [s for s in all_registers() if s.group == group.number]
            for spec in specs:
                label = QLabel()
                self.count_labels[spec.key] = label
                lay.addWidget(label)
            if not specs:
                lay.addWidget(QLabel(_("Registers not set up yet.")))
            lines = group_overview(group.package)
            if lines is not None:
                extra = QLabel()
                extra.setObjectName(f"overviewExtra{group.number}")
                extra.setWordWrap(True)
                lay.addWidget(extra)
                self.extra_labels[group.number] = (extra, lines)
            lay.addStretch(1)
            grid.addWidget(box, i // 2, i % 2)
        supervision = group_overview_module("civaffairs.supervision.ui")
        if supervision is not None:
            box = QGroupBox(_("Supervision teams"))
            box.setObjectName("overviewSupervision")
            lay = QVBoxLayout(box)
            extra = QLabel()
            extra.setObjectName("overviewExtraSupervision")
            extra.setWordWrap(True)
            lay.addWidget(extra)
            lay.addStretch(1)
            self.extra_labels[0] = (extra, supervision)
            grid.addWidget(box, len(GROUPS) // 2, len(GROUPS) % 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        notices_box = QGroupBox(_("Notices of every group"))
        notices_layout = QVBoxLayout(notices_box)
        self.notices = NoticesView(ctx, None)
        notices_layout.addWidget(self.notices)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(notices_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        self._timer = QTimer(self, singleShot=True, interval=300)  # many saves → one refresh
        self._timer.timeout.connect(self.refresh)
        ctx.ops.sig_changed.connect(lambda _keys: self._timer.start())
        self.refresh()

    def open_statistics(self) -> None:
        from civaffairs.gui.statistics_dialog import StatisticsDialog

        self.statistics_dialog = StatisticsDialog(self.ctx, self)
        self.statistics_dialog.open()

    def refresh(self) -> None:
        ctx = self.ctx
        self.date_label.setText(_("Today is {date}.").format(date=long_date(today_local())))
        total = 0
        for key, label in self.count_labels.items():
            spec = next(s for s in all_registers() if s.key == key)
            n = ctx.ops.read(lambda s, spec=spec: records.count(s, ctx.actor, spec))
            total += n
            label.setText(_("{register}: {n}").format(register=spec.name, n=f"{n:,}"))
        self.demo_button.setVisible(total == 0 and ctx.actor.is_administrator)
        for label, lines in self.extra_labels.values():
            label.setText("\n".join(lines(ctx)))  # type: ignore[operator]
