"""Group 5's tab: the registers (organisations with their status, measures and notices sent in the
detail pane; the notices to organisations), plus the not-acknowledged list (printable), and on the
notices page: sending a notice to many organisations at once, and taking over one of the
program's issued notices."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
    QHeaderView, QLabel, QLayout, QListWidget, QListWidgetItem, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.groups.social_organisations import figures as G
from civaffairs.groups.social_organisations import reports, service
from civaffairs.groups.social_organisations.fields import (
    CHANNELS, DELIVERIES, GROUP, KINDS, NOTICES, ORGANISATIONS,
)
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.table_model import ROW_COLOURS, ROW_ROLE, Column, ListSource, PagedTableModel
from civaffairs.gui.widgets import period_date_range
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel

CHANGES = frozenset({ORGANISATIONS.key, NOTICES.key, DELIVERIES.key})


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    period_date_range(edit)  # the days the figures can be computed for
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _day(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def _message_label() -> QLabel:
    label = QLabel()
    label.setObjectName("message")
    label.setWordWrap(True)
    label.setStyleSheet("color: #c0392b;")
    return label


def _notice_text(title: str, number: str, day: date) -> str:
    return f"{day.isoformat()}  {title}" + (f"（{number}）" if number else "")


# ------------------------------------------------------------------ sending a notice


class SendDialog(QDialog):
    """Send one notice to every organisation of the chosen kinds (in one town, or everywhere) that
    has not had it yet, on one day and by one channel."""

    def __init__(self, ctx: AppContext, notice: records.Row, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.notice_id = ctx, notice.id
        self.sent: int | None = None
        self.setObjectName("sendDialog")
        self.setWindowTitle(_("Send the notice to organisations"))
        title = QLabel(notice.values["title"])
        title.setObjectName("noticeTitle")
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold;")
        self.day = _date_edit(max(today_local(), notice.values["notice_date"]))
        self.day.setObjectName("sentDate")
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        self.channel.addItem("", "")
        for c in CHANNELS:
            self.channel.addItem(c.title, c.code)
        self.kinds: dict[str, QCheckBox] = {}
        kinds_row = QHBoxLayout()
        for k in KINDS:
            box = QCheckBox(k.title)
            box.setObjectName(f"kind_{k.code}")
            box.setChecked(True)
            box.toggled.connect(self.update_count)
            self.kinds[k.code] = box
            kinds_row.addWidget(box)
        kinds_row.addStretch(1)
        self.town = QComboBox()
        self.town.setObjectName("town")
        self.town.addItem(_("Every town and sub-district"), "")
        for option in ctx.ops.read(lambda s: records.options(s, ctx.actor, TOWNS)):
            self.town.addItem(option.label, str(option.id))  # as text: see NotAcknowledgedView.fill_notices
        self.town.currentIndexChanged.connect(self.update_count)
        self.count = QLabel()
        self.count.setObjectName("recipientCount")
        self.message = _message_label()
        form = QFormLayout()
        form.addRow(_("Date sent"), self.day)
        form.addRow(_("Sent by"), self.channel)
        form.addRow(_("Kinds of organisation"), kinds_row)
        form.addRow(_("Town or sub-district"), self.town)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Record as sent"))
        buttons.accepted.connect(self.send)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.count)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())
        self.update_count()

    def chosen_town(self) -> uuid.UUID | None:
        data = self.town.currentData()
        return uuid.UUID(data) if data else None

    def chosen_kinds(self) -> list[str]:
        return [code for code, box in self.kinds.items() if box.isChecked()]

    def update_count(self, *_changed: object) -> None:
        kinds, town = self.chosen_kinds(), self.chosen_town()
        if not kinds:
            self.count.setText(_("Choose at least one kind of organisation."))
            self.ok_button.setEnabled(False)
            return
        found = self.ctx.ops.read(lambda s: service.recipients(s, self.notice_id, kinds=kinds, town_id=town))
        if found.already:
            text = _("{n} organisations will be recorded as sent this notice; {k} chosen have had it already.")
        else:
            text = _("{n} organisations will be recorded as sent this notice.")
        self.count.setText(text.format(n=len(found.new), k=found.already))
        self.ok_button.setEnabled(bool(found.new) and self.ctx.actor.can_write(GROUP))

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def send(self) -> None:
        ctx, notice_id, day = self.ctx, self.notice_id, _day(self.day)
        kinds, town, channel = self.chosen_kinds(), self.chosen_town(), self.channel.currentData() or ""
        sent = ctx.ops.write(lambda s: service.send_notice(s, ctx.actor, notice_id, day, kinds=kinds, town_id=town,
                                                           channel=channel),
                             changed=[DELIVERIES.key, NOTICES.key, ORGANISATIONS.key], parent=self, form=self)
        if sent is not None:
            self.sent = sent
            self.accept()


class TakeOverDialog(QDialog):
    """Choose one of the program's issued notices to send to organisations."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.taken: records.Row | None = None
        self.setObjectName("takeOverDialog")
        self.setWindowTitle(_("Send an issued notice to organisations"))
        self.list = QListWidget()
        self.list.setObjectName("issuedNotices")
        for n in ctx.ops.read(lambda s: service.notices_to_take_over(s, ctx.actor)):
            item = QListWidgetItem(_notice_text(n.title, n.document_number or "", n.issue_date or n.document_date))
            item.setData(Qt.ItemDataRole.UserRole, str(n.id))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.take_over())
        self.deadline = QCheckBox(_("Acknowledge by"))
        self.deadline.setObjectName("hasDeadline")
        self.reply_by = _date_edit(today_local())
        self.reply_by.setObjectName("replyBy")
        self.reply_by.setEnabled(False)
        self.deadline.toggled.connect(self.reply_by.setEnabled)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline)
        deadline_row.addWidget(self.reply_by)
        deadline_row.addStretch(1)
        self.message = _message_label()
        empty = _("No issued notice is waiting to be taken over.")
        hint = QLabel(_("The title, document number and date are taken from the notice as it was issued.")
                      if self.list.count() else empty)
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Take over"))
        self.ok_button.setEnabled(False)
        self.list.currentRowChanged.connect(lambda row: self.ok_button.setEnabled(row >= 0))
        buttons.accepted.connect(self.take_over)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(deadline_row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def take_over(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        ctx, notice_id = self.ctx, uuid.UUID(item.data(Qt.ItemDataRole.UserRole))
        reply_by = _day(self.reply_by) if self.deadline.isChecked() else None
        row = ctx.ops.write(lambda s: service.take_over_notice(s, ctx.actor, notice_id, reply_by=reply_by),
                            changed=[NOTICES.key], parent=self, form=self)
        if row is not None:
            self.taken = row
            self.accept()


def _actions_row(view: RegisterView) -> QLayout | None:
    """The row of the register view that holds its buttons (found by its print button)."""
    layout = view.layout()
    for i in range(layout.count()):
        row = layout.itemAt(i).layout()
        if row is not None and row.indexOf(view.print_button) >= 0:
            return row
    return None


class NoticeActions:
    """On the notices page: "Send to organisations…" for the selected notice and "From an issued
    notice…"."""

    def __init__(self, ctx: AppContext, view: RegisterView) -> None:
        self.ctx, self.view = ctx, view
        self.send_button = _button(_("Send to organisations…"), "sendButton",
                                   _("Record the selected notice as sent to every organisation of the kinds chosen."))
        self.send_button.clicked.connect(self.open_send)
        self.take_over_button = _button(_("From an issued notice…"), "takeOverButton",
                                        _("Add one of the program's issued notices to this list, to send it to "
                                          "organisations."))
        self.take_over_button.clicked.connect(self.open_take_over)
        writer = ctx.actor.can_write(GROUP)
        self.send_button.setVisible(writer)
        self.take_over_button.setVisible(writer)
        row = _actions_row(view)
        if row is None:  # a different layout of the shared view: a row of our own below it
            row = QHBoxLayout()
            view.layout().insertLayout(2, row)
        at = max(row.indexOf(view.print_button), 0)
        row.insertWidget(at, self.take_over_button)
        row.insertWidget(at, self.send_button)
        view.table.selectionModel().selectionChanged.connect(lambda *_a: self.update_buttons())
        view.model.modelReset.connect(self.update_buttons)
        self.update_buttons()

    def selected(self) -> records.Row | None:
        rows = self.view.selected_rows()
        return rows[0] if len(rows) == 1 and not self.view.trash.isChecked() else None

    def update_buttons(self) -> None:
        self.send_button.setEnabled(self.selected() is not None)

    def open_send(self) -> SendDialog | None:
        notice = self.selected()
        if notice is None:
            return None
        dialog = SendDialog(self.ctx, notice, self.view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_take_over(self) -> TakeOverDialog:
        dialog = TakeOverDialog(self.ctx, self.view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


# ------------------------------------------------------------------ the not-acknowledged list


class NotAcknowledgedView(QWidget):
    """未签收名单: the organisations that have not acknowledged a notice (or any notice) on a day,
    overdue ones in red; record an acknowledgement from here, and print the list to ring round."""

    def __init__(self, ctx: AppContext, deliveries: RegisterView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.deliveries = ctx, deliveries
        self.setObjectName("notAcknowledgedView")
        self.notice = QComboBox()
        self.notice.setObjectName("notice")
        self.notice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.notice.currentIndexChanged.connect(self.refresh)
        self.day = _date_edit(today_local())
        self.day.setObjectName("day")
        self.day.dateChanged.connect(self.refresh)
        self.acknowledged_button = _button(_("Acknowledged today"), "acknowledgedTodayButton",
                                           _("Record that the selected organisations acknowledged receipt today."))
        self.acknowledged_button.clicked.connect(self.acknowledged_today)
        self.record_button = _button(_("Record acknowledgement…"), "recordButton",
                                     _("Open the selected notice sent, to enter the date and who acknowledged it."))
        self.record_button.clicked.connect(self.record_acknowledgement)
        self.print_button = _button(_("Print list…"), "printButton",
                                    _("Print this list, with whom to call; phones masked as on screen."))
        self.print_button.clicked.connect(self.print_list)
        writer = ctx.actor.can_write(GROUP)
        self.acknowledged_button.setVisible(writer)
        self.record_button.setVisible(writer)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Notice")))
        top.addWidget(self.notice, 1)
        top.addWidget(QLabel(_("Not acknowledged on")))
        top.addWidget(self.day)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.acknowledged_button)
        actions.addWidget(self.record_button)
        actions.addWidget(self.print_button)

        columns: list[Column[G.PendingLine]] = [
            Column("organisation", _("Organisation name"), lambda p: p.organisation, sortable=False, width_chars=26),
            Column("kind", _("Kind"), lambda p: p.kind_title, sortable=False, width_chars=12),
            Column("notice", _("Notice"), lambda p: p.notice, sortable=False, width_chars=34),
            Column("sent_date", _("Date sent"), lambda p: p.sent_date.isoformat(), sortable=False, width_chars=10),
            Column("reply_by", _("Acknowledge by"), lambda p: p.reply_by.isoformat() if p.reply_by else "",
                   sortable=False, width_chars=10, colour=lambda p: "#c0392b" if p.overdue else None),
            Column("days", _("Days waiting"), lambda p: str(p.days_waiting), sortable=False, align_right=True,
                   width_chars=6),
            Column("contact_person", _("Contact person"), lambda p: p.contact_person, sortable=False, width_chars=8),
            Column("contact_phone", _("Contact phone"), lambda p: p.contact_phone, sortable=False, width_chars=12),
        ]
        self.model = PagedTableModel(ctx.ops.read, columns, ListSource(self._read))
        self.model.row_background = lambda p: ROW_COLOURS[RowLevel.ALERT if p.overdue else RowLevel.WARNING]
        self.table = QTableView()
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        metrics = QFontMetrics(self.font())
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
        char = metrics.horizontalAdvance("中")
        for i, c in enumerate(columns):
            self.table.setColumnWidth(i, max(c.width_chars * char * 6 // 10 + 16, metrics.horizontalAdvance(c.title) + 28))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.record_acknowledgement())
        legend = QLabel(_("Yellow: not yet acknowledged. Red: past the day by which it was to be acknowledged."))
        legend.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(legend)
        ctx.ops.sig_changed.connect(self._on_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.update_buttons())
        self.model.modelReset.connect(self.update_buttons)
        self.fill_notices()
        self.refresh()

    def _read(self, session: Any) -> list[G.PendingLine]:
        return service.not_acknowledged(session, self.ctx.actor, notice_id=self.notice_id(), day=_day(self.day))

    def notice_id(self) -> uuid.UUID | None:
        data = self.notice.currentData()
        return uuid.UUID(data) if data else None

    def fill_notices(self) -> None:
        """The choice of notices, newest first, keeping the one chosen when it is still there."""
        current = self.notice_id()
        self.notice.blockSignals(True)
        self.notice.clear()
        # Ids as text: a combo box finds its items by value, which a UUID object does not survive.
        self.notice.addItem(_("Every notice"), "")
        for n in self.ctx.ops.read(G.notices):
            self.notice.addItem(_notice_text(n.title, n.document_number, n.notice_date), str(n.id))
        at = self.notice.findData(str(current) if current else "")
        self.notice.setCurrentIndex(max(at, 0))
        self.notice.blockSignals(False)

    def choose_notice(self, notice_id: uuid.UUID | None) -> None:
        self.notice.setCurrentIndex(max(self.notice.findData(str(notice_id) if notice_id else ""), 0))

    def set_day(self, day: date) -> None:
        self.day.setDate(QDate(day.year, day.month, day.day))

    def _on_changed(self, changed: frozenset[str]) -> None:
        if not changed or changed & CHANGES:
            if not changed or NOTICES.key in changed:
                self.fill_notices()
            self.refresh()

    def refresh(self, *_changed: object) -> None:
        self.model.refresh()
        lines = [self.model.row(r) for r in range(self.model.rowCount())]
        day = long_date(_day(self.day))
        if not lines:
            self.summary.setText(_("{day}: every notice sent has been acknowledged.").format(day=day))
        else:
            overdue = sum(1 for line in lines if line is not None and line.overdue)
            organisations = len({line.organisation_id for line in lines if line is not None})
            self.summary.setText(_("{day}: {n} notices sent to {k} organisations not acknowledged; {overdue} of them "
                                   "overdue.").format(day=day, n=len(lines), k=organisations, overdue=overdue))
        self.update_buttons()

    def selected(self) -> list[G.PendingLine]:
        return [self.model.data(index, ROW_ROLE) for index in self.table.selectionModel().selectedRows()]

    def update_buttons(self) -> None:
        chosen = self.selected()
        self.acknowledged_button.setEnabled(bool(chosen))
        self.record_button.setEnabled(len(chosen) == 1)
        self.print_button.setEnabled(self.model.rowCount() > 0)

    def acknowledged_today(self) -> int | None:
        chosen = self.selected()
        if not chosen:
            return None
        ctx, day = self.ctx, today_local()
        pairs = [(line.delivery_id, line.delivery_version) for line in chosen]
        return ctx.ops.write(lambda s: service.acknowledge(s, ctx.actor, pairs, day), changed=[DELIVERIES.key],
                             parent=self)

    def record_acknowledgement(self) -> Any:
        chosen = self.selected()
        if len(chosen) != 1 or not self.ctx.actor.can_write(GROUP):
            return None
        form = self.deliveries.open_form(chosen[0].delivery_id)
        editor = form.editors["acknowledged_date"]
        if editor.value() is None:
            editor.set_value(today_local())
        form.editors["acknowledged_by"].focus_widget.setFocus()
        return form

    def print_list(self) -> Any:
        from civaffairs.gui.printing.preview import preview_in_background

        ctx, notice_id, day = self.ctx, self.notice_id(), _day(self.day)
        printed_at = now_utc()
        title = reports.not_acknowledged_title()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return reports.render_not_acknowledged(session, ctx.actor, day=day, notice_id=notice_id,
                                                       office_name=ctx.office_name, printed_by=ctx.actor.display_name,
                                                       printed_at=printed_at, progress=progress.report)

        return preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=self)


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    tab = GroupTab(ctx, group)
    deliveries = tab.register_views[DELIVERIES.key]
    tab.not_acknowledged = NotAcknowledgedView(ctx, deliveries)  # type: ignore[attr-defined]
    tab.insert_page(tab.pages.indexOf(deliveries) + 1, tab.not_acknowledged, _("Notices not acknowledged"))  # type: ignore[attr-defined]
    tab.notice_actions = NoticeActions(ctx, tab.register_views[NOTICES.key])  # type: ignore[attr-defined]
    return tab


def overview_lines(ctx: AppContext) -> list[str]:
    """Today's state of the social organisations, for the leading group's overview."""
    today = today_local()

    def read(s):  # type: ignore[no-untyped-def]
        return G.count_by_status(s, today), G.not_acknowledged(s, today)

    by_status, pending = ctx.ops.read(read)
    lines = []
    total = sum(by_status.values())
    if total:
        parts = "，".join(f"{c.title} {by_status[c.code]}" for c in G.STATUSES if by_status[c.code])
        lines.append(_("Social organisations: {n} registered; today: {parts}.").format(n=total, parts=parts))
    if pending:
        names = list(dict.fromkeys(line.organisation for line in pending))
        listed = "、".join(names[:4]) + ("等" if len(names) > 4 else "")
        overdue = sum(1 for line in pending if line.overdue)
        lines.append(_("Notices not acknowledged: {n} organisations ({names}); {overdue} acknowledgements overdue.")
                     .format(n=len(names), names=listed, overdue=overdue))
    return lines
