"""Group 6's tab: the registers on the generic views (organisations with their batches, material
donations and payments in the detail pane; batches with their donations; material donations with
their handovers; handovers with their allocations), plus

- on the money and material donations: print the acknowledgement (numbered the first time) and
  cancel its number;
- a donation added in a batch's detail pane starts with the batch's day, organisation and channel;
- "Stock": what is left of every lot in the store and with the coordination team;
- "Trace": a donor's materials through their handovers to every recipient, and any allocation
  back to its donor;
- "Public disclosure": the 公示 of a period, printed.

Qt only here; everything else is the services' and figures'."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
    QHeaderView, QLabel, QLayout, QLineEdit, QPushButton, QTableView, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from civaffairs.core.clock import today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups import WorkingGroup
from civaffairs.groups.donations import figures as G
from civaffairs.groups.donations import service
from civaffairs.groups.donations.fields import (
    ALLOCATIONS, BATCHES, DONORS, ITEMS, MATERIALS, MONEY, ORGANISATIONS, REGISTERS, choice_title, quantity_text,
    yuan,
)
from civaffairs.gui.context import AppContext
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.table_model import ROW_COLOURS, Column, ListSource, PagedTableModel
from civaffairs.gui.widgets import period_date_range
from civaffairs.records import service as records
from civaffairs.records.spec import RowLevel
from civaffairs.reports.figures import Period

OUTBREAK_START = date(2021, 10, 1)  # the overview counts donations since the outbreak began
KEYS = frozenset(spec.key for spec in REGISTERS)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def _date_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    period_date_range(edit)  # the days the figures can be computed for
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def _actions_row(view: RegisterView) -> QLayout:
    """The row of the register view that holds its buttons (found by its print button)."""
    layout = view.layout()
    for i in range(layout.count()):
        row = layout.itemAt(i).layout()
        if row is not None and row.indexOf(view.print_button) >= 0:
            return row
    row = QHBoxLayout()  # a different layout of the shared view: a row of our own below it
    view.layout().insertLayout(2, row)
    return row


def _add_buttons(view: RegisterView, *buttons: QPushButton) -> None:
    row = _actions_row(view)
    at = max(row.indexOf(view.print_button), 0)
    for n, button in enumerate(buttons):
        row.insertWidget(at + n, button)


def _group_tab(widget: QWidget) -> DonationsTab | None:
    parent = widget.parent()
    while parent is not None and not isinstance(parent, DonationsTab):
        parent = parent.parent()
    return parent


def _selected(view: RegisterView) -> records.Row | None:
    rows = view.selected_rows()
    return rows[0] if len(rows) == 1 and not view.trash.isChecked() else None


# ------------------------------------------------------------------ acknowledgements


class CancelAcknowledgementDialog(QDialog):
    def __init__(self, ctx: AppContext, register_key: str, record_id: uuid.UUID, number: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.register_key, self.record_id = ctx, register_key, record_id
        self.setObjectName("cancelAckDialog")
        self.setWindowTitle(_("Cancel the acknowledgement number"))
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("e.g. wrong amount, acknowledgement made again"))
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Cancel the number"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Close"))
        buttons.accepted.connect(self.cancel_number)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        explanation = QLabel(_("Cancel {number}? It stays in the number register with the reason and is never given "
                               "again; the donation can then be acknowledged under a new number.")
                             .format(number=number))
        explanation.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Reason"), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.message.setText("\n".join(errors.values()))

    def cancel_number(self) -> None:
        ctx, key, record_id, reason = self.ctx, self.register_key, self.record_id, self.reason.text()
        if ctx.ops.write(lambda s: service.cancel_acknowledgement(s, ctx.actor, key, record_id, reason),
                         changed=[key], parent=self, form=self) is not None:
            self.accept()


class AcknowledgementPaper:
    """The acknowledgement buttons of a list of money or material donations: print it (the
    donation gets its number the first time: today's date, the prefix last used) and cancel its
    number with a reason."""

    def __init__(self, ctx: AppContext, view: RegisterView) -> None:
        self.ctx, self.view, self.spec = ctx, view, view.spec
        self.writer = service.can_write(ctx.actor)
        self.print_button = _button(_("Print acknowledgement…"), "printAckButton",
                                    _("The donation acknowledgement (捐赠接收凭证) of the selected donation; it is "
                                      "numbered the first time it is printed. It is not the fiscal donation receipt."))
        self.cancel_button = _button(_("Cancel acknowledgement number…"), "cancelAckButton",
                                     _("Cancel the acknowledgement number of the selected donation, with a reason."))
        self.print_button.clicked.connect(self.print_acknowledgement)
        self.cancel_button.clicked.connect(self.cancel_number)
        self.cancel_button.setVisible(self.writer)
        _add_buttons(view, self.print_button, self.cancel_button)
        view.table.selectionModel().selectionChanged.connect(lambda *_a: self.update_buttons())
        view.model.modelReset.connect(self.update_buttons)
        self.update_buttons()

    def update_buttons(self) -> None:
        row = _selected(self.view)
        numbered = bool(row is not None and row.values.get("ack_number"))
        self.print_button.setEnabled(row is not None and (numbered or self.writer))
        self.cancel_button.setEnabled(numbered and self.writer)

    def print_acknowledgement(self) -> Any:
        row = _selected(self.view)
        if row is None:
            return None
        ctx, key, record_id = self.ctx, self.spec.key, row.id
        number = row.values.get("ack_number")
        if not number:
            if not self.writer:
                return None
            number = ctx.ops.write(lambda s: service.ensure_acknowledgement(s, ctx.actor, key, record_id),
                                   changed=[key], parent=self.view)
            if number is None:
                return None
            self.reselect(record_id)  # the lists were read again: keep the clerk on this donation
        from civaffairs.groups.donations.reports import render_acknowledgement
        from civaffairs.gui.printing.preview import preview_in_background

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as s:
                ack = service.acknowledgement(s, ctx.actor, key, record_id)
            return render_acknowledgement(ack)

        title = f"{_('Donation acknowledgement')} {number}"
        return preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=self.view)

    def reselect(self, record_id: uuid.UUID) -> None:
        model = self.view.model
        for row in range(min(model.total_count(), model.PAGE_SIZE)):
            found = model.row(row)
            if found is not None and found.id == record_id:
                self.view.select_row(row)
                return

    def cancel_number(self) -> CancelAcknowledgementDialog | None:
        row = _selected(self.view)
        if row is None or not row.values.get("ack_number") or not self.writer:
            return None
        self.cancel_dialog = CancelAcknowledgementDialog(self.ctx, self.spec.key, row.id, row.values["ack_number"],
                                                         self.view)
        self.cancel_dialog.open()
        return self.cancel_dialog


def _donations_start_from_their_batch(ctx: AppContext, view: RegisterView) -> None:
    """A donation added in a batch's detail pane starts with the batch's day, organisation and
    channel (the rules require them to agree), so that the clerk types only donor and amount."""
    original = view.open_form

    def open_form(record_id: uuid.UUID | None = None, initial: dict[str, Any] | None = None, *,
                  continuous: bool = False) -> Any:
        if record_id is None and view.parent_id is not None:
            batch_id = view.parent_id
            initial = {**ctx.ops.read(lambda s: service.batch_defaults(s, batch_id)), **(initial or {})}
        return original(record_id, initial, continuous=continuous)

    view.open_form = open_form  # type: ignore[method-assign]


# ------------------------------------------------------------------ stock


class StockView(QWidget):
    """What is left of every lot: in the receiving organisation's store and with the coordination
    team (handed over, not yet allocated); expired materials still held are red."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("stockView")
        self.only_left = QCheckBox(_("Only donations with materials left"))
        self.only_left.setObjectName("onlyLeft")
        self.only_left.setChecked(True)
        self.only_left.toggled.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        today = today_local()
        columns: list[Column[G.StockLine]] = [
            Column("day", _("Date received"), lambda l: l.day.isoformat(), sortable=False, width_chars=10),
            Column("donor", _("Donor"), lambda l: l.donor, sortable=False, width_chars=18),
            Column("item", _("Kind of material"), lambda l: choice_title(ITEMS, l.item), sortable=False,
                   width_chars=8),
            Column("material", _("Material and unit"), lambda l: l.item_text, sortable=False, width_chars=26),
            Column("received", _("Received"), lambda l: f"{l.received:,}", sortable=False, align_right=True,
                   width_chars=8),
            Column("in_store", _("In the store"), lambda l: f"{l.in_store:,}", sortable=False, align_right=True,
                   width_chars=8),
            Column("with_team", _("With the coordination team"), lambda l: f"{l.with_team:,}", sortable=False,
                   align_right=True, width_chars=10),
            Column("expiry", _("Expiry date"), lambda l: l.expiry_date.isoformat() if l.expiry_date else "",
                   sortable=False, width_chars=10),
        ]
        self.model = PagedTableModel(ctx.ops.read, columns, ListSource(
            lambda s: G.stock_lines(s, only_with_stock=self.only_left.isChecked())))
        self.model.row_background = lambda l: (ROW_COLOURS[RowLevel.ALERT] if l.expiry_date is not None
                                               and l.expiry_date < today and (l.in_store or l.with_team) else None)
        self.table = QTableView()
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        char = QFontMetrics(self.font()).horizontalAdvance("中")
        for i, c in enumerate(columns):
            self.table.setColumnWidth(i, max(c.width_chars * char * 6 // 10 + 16,
                                             QFontMetrics(self.font()).horizontalAdvance(c.title) + 28))
        top = QHBoxLayout()
        top.addWidget(self.only_left)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        ctx.ops.sig_changed.connect(lambda changed: self.refresh() if not changed or changed & KEYS else None)
        self.refresh()

    def refresh(self, *_args: object) -> None:
        self.model.refresh()
        today = today_local()
        items = self.ctx.ops.read(lambda s: G.material_figures(s, Period(min(OUTBREAK_START, today), today)))
        parts = [_("{item} ({unit}): {store} in the store, {team} with the coordination team").format(
            item=i.item_title, unit=i.unit_title, store=f"{i.in_store:,}", team=f"{i.with_team:,}")
            for i in items if i.in_store or i.with_team]
        self.summary.setText(_("Today: {parts}.").format(parts="；".join(parts)) if parts
                             else _("No donated materials are left in the store or with the coordination team."))


# ------------------------------------------------------------------ tracing


class TraceView(QWidget):
    """Every unit of a donor's materials: its lots, the handovers to the coordination team, the
    allocations to each recipient, and what is left; and any allocation back to its donor."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("traceView")
        self.donor = QComboBox()
        self.donor.setObjectName("donor")
        self.donor.setMinimumWidth(260)
        self.item = QComboBox()
        self.item.setObjectName("item")
        self.item.addItem(_("All kinds of material"), None)
        for c in ITEMS:
            self.item.addItem(c.title, c.code)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.back = QLabel()
        self.back.setObjectName("traceBack")
        self.back.setWordWrap(True)
        self.back.setStyleSheet("color: #1a5276;")
        self.tree = QTreeWidget()
        self.tree.setObjectName("tree")
        self.tree.setHeaderLabels([_("Donation, handover, allocation"), _("Date"), _("Quantity"), _("Left")])
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        char = QFontMetrics(self.font()).horizontalAdvance("中")
        for column, chars in ((1, 8), (2, 8), (3, 12)):
            self.tree.setColumnWidth(column, chars * char)
        self.tree.currentItemChanged.connect(lambda *_a: self._show_back())
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Donor")))
        top.addWidget(self.donor, 1)
        top.addWidget(QLabel(_("Kind of material")))
        top.addWidget(self.item)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.back)
        self.trace: G.DonorTrace | None = None
        self.load_donors()
        self.donor.currentIndexChanged.connect(lambda _i: self.refresh())
        self.item.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.ops.sig_changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, changed: frozenset[str]) -> None:
        if not changed or changed & KEYS:
            self.load_donors()
            self.refresh()

    def load_donors(self) -> None:
        chosen = self.donor.currentData()
        options = self.ctx.ops.read(lambda s: G.material_donors(s))
        self.donor.blockSignals(True)
        self.donor.clear()
        for donor_id, label in options:
            self.donor.addItem(label, str(donor_id))
        i = self.donor.findData(chosen) if chosen else -1
        self.donor.setCurrentIndex(max(i, 0))
        self.donor.blockSignals(False)

    def select_donor(self, donor_id: uuid.UUID) -> bool:
        i = self.donor.findData(str(donor_id))
        if i < 0:
            return False
        self.item.setCurrentIndex(0)
        self.donor.setCurrentIndex(i)
        self.refresh()
        return True

    def refresh(self) -> None:
        self.tree.clear()
        self.back.clear()
        data = self.donor.currentData()
        if data is None:
            self.trace = None
            self.summary.setText(_("No donor has given materials yet."))
            return
        donor_id, item = uuid.UUID(data), self.item.currentData()
        trace = self.ctx.ops.read(lambda s: G.trace_donor(s, donor_id, item))
        self.trace = trace
        team_colour = QBrush(QColor("#1a5276"))
        for lot in trace.lots:
            top = QTreeWidgetItem([_("{material}, received by {organisation}").format(
                material=lot.item_text, organisation=lot.organisation), lot.day.isoformat(),
                lot.quantity_text(lot.quantity), _("{n} in the store").format(n=lot.quantity_text(lot.in_store))])
            top.setData(0, Qt.ItemDataRole.UserRole, ("lot", str(lot.id)))
            self.tree.addTopLevelItem(top)
            for h in lot.handovers:
                slip = _(" (slip {number})").format(number=h.slip_number) if h.slip_number else ""
                node = QTreeWidgetItem([_("Handed over to the coordination team, received by {name}{slip}").format(
                    name=h.received_by, slip=slip), h.day.isoformat(), lot.quantity_text(h.quantity),
                    _("{n} with the team").format(n=lot.quantity_text(h.left))])
                node.setData(0, Qt.ItemDataRole.UserRole, ("handover", str(h.id)))
                node.setForeground(3, team_colour)
                top.addChild(node)
                for a in h.allocations:
                    leaf = QTreeWidgetItem([f"→ {a.recipient}（{a.recipient_kind_title}）", a.day.isoformat(),
                                            lot.quantity_text(a.quantity), ""])
                    leaf.setData(0, Qt.ItemDataRole.UserRole, ("allocation", str(a.id)))
                    node.addChild(leaf)
            top.setExpanded(True)
            for k in range(top.childCount()):
                top.child(k).setExpanded(True)
        self.summary.setText(self._summary(trace))

    @staticmethod
    def _summary(trace: G.DonorTrace) -> str:
        if not trace.lots:
            return _("{donor} has given no materials of this kind.").format(donor=trace.donor)
        lines = []
        for unit in dict.fromkeys(lot.unit for lot in trace.lots):
            lots = [lot for lot in trace.lots if lot.unit == unit]
            received = sum(lot.quantity for lot in lots)
            handed = sum(lot.handed_over for lot in lots)
            allocated = sum(h.allocated for lot in lots for h in lot.handovers)
            recipients = {(a.recipient_kind, a.recipient) for lot in lots for h in lot.handovers for a in h.allocations}
            lines.append(_("{received} received: {handed} handed over to the coordination team, {allocated} allocated "
                           "to {n} recipients, {team} with the team, {store} in the store").format(
                received=quantity_text(received, unit), handed=quantity_text(handed, unit),
                allocated=quantity_text(allocated, unit), n=len(recipients),
                team=quantity_text(handed - allocated, unit), store=quantity_text(received - handed, unit)))
        return _("{donor}: {lines}.").format(donor=trace.donor, lines="；".join(lines))

    def _show_back(self) -> None:
        item = self.tree.currentItem()
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if not data or data[0] != "allocation":
            self.back.clear()
            return
        allocation_id = uuid.UUID(data[1])
        back = self.ctx.ops.read(lambda s: G.trace_back(s, allocation_id))
        self.back.setText(_("Back to its donor: {text}").format(text=back.text) if back else "")

    def allocation_items(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                node = top.child(j)
                found += [node.child(k) for k in range(node.childCount())]
        return found

    def show_allocation(self, allocation_id: uuid.UUID) -> bool:
        """Trace one allocation back: its donor's tree, the allocation selected, the way back below."""
        back = self.ctx.ops.read(lambda s: G.trace_back(s, allocation_id))
        if back is None or not self.select_donor(back.origin.donor_id):
            return False
        for leaf in self.allocation_items():
            if leaf.data(0, Qt.ItemDataRole.UserRole) == ("allocation", str(allocation_id)):
                self.tree.setCurrentItem(leaf)
                return True
        return False


# ------------------------------------------------------------------ public disclosure


class DisclosureView(QWidget):
    """The 公示 of a period: what it will state, and the button that prints it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("disclosureView")
        today = today_local()
        self.start = _date_edit(today.replace(day=1), "periodStart")
        self.end = _date_edit(today, "periodEnd")
        self.organisation = QComboBox()
        self.organisation.setObjectName("organisation")
        self.print_button = _button(_("Print public disclosure…"), "printDisclosureButton",
                                    _("The 公示 of the period: money and materials received, where they went, what the "
                                      "money paid for and what is left. Donors who asked not to be named are masked."))
        self.print_button.clicked.connect(self.print_disclosure)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        note = QLabel(_("In the disclosure, donors who asked not to be named appear as 张*明, anonymous donors as "
                        "匿名, and households that received materials by their head's masked name."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.organisation.setMinimumWidth(280)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(_("First day of the period"), self.start)
        form.addRow(_("Last day of the period"), self.end)
        form.addRow(_("Receiving organisation"), self.organisation)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(note)
        layout.addWidget(self.summary, 1)
        self.load_organisations()
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.organisation.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.ops.sig_changed.connect(lambda changed: self.refresh() if not changed or changed & KEYS else None)
        self.refresh()

    def load_organisations(self) -> None:
        self.organisation.clear()
        self.organisation.addItem(_("All receiving organisations"), None)
        for o in self.ctx.ops.read(lambda s: records.options(s, self.ctx.actor, ORGANISATIONS)):
            self.organisation.addItem(o.label, str(o.id))

    def set_period(self, period: Period) -> None:
        self.start.setDate(_qdate(period.start))
        self.end.setDate(_qdate(period.end))

    def period(self) -> Period | None:
        start, end = _pydate(self.start), _pydate(self.end)
        return Period(start, end) if end >= start else None

    def organisation_id(self) -> uuid.UUID | None:
        data = self.organisation.currentData()
        return uuid.UUID(data) if data else None

    def refresh(self) -> None:
        period = self.period()
        self.print_button.setEnabled(period is not None)
        if period is None:
            self.summary.setText(_("The period ends before it starts."))
            return
        organisation_id = self.organisation_id()
        d = self.ctx.ops.read(lambda s: service.disclosure(s, self.ctx.actor, period, organisation_id))
        lines = [
            _("{period}: {n} money donations totalling {total}; {lots} donations of materials (estimated at {value})."
              ).format(period=period.text, n=d.money_count, total=yuan(d.money_total), lots=len(d.materials),
                       value=yuan(d.materials_value)),
            _("Materials allocated in the period: {n} allocations.").format(n=len(d.allocations)),
            _("Donated money paid out in the period: {used}; left at its end: {left}.").format(
                used=yuan(d.used_total), left=yuan(d.left_total)),
        ]
        self.summary.setText("\n".join(lines))

    def print_disclosure(self) -> Any:
        period = self.period()
        if period is None:
            return None
        from civaffairs.groups.donations.reports import render_disclosure
        from civaffairs.gui.printing.preview import preview_in_background

        ctx, organisation_id, printed_on = self.ctx, self.organisation_id(), today_local()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as s:
                d = service.disclosure(s, ctx.actor, period, organisation_id)
            return render_disclosure(d, printed_on=printed_on)

        title = _("Public disclosure {period}").format(period=period.text)
        return preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=self)


# ------------------------------------------------------------------ the tab


class DonationsTab(GroupTab):
    def __init__(self, ctx: AppContext, group: WorkingGroup) -> None:
        super().__init__(ctx, group)
        views = self.register_views
        self.acknowledgements = [AcknowledgementPaper(ctx, views[MONEY.key]),
                                 AcknowledgementPaper(ctx, views[BATCHES.key].detail_views[MONEY.key]),
                                 AcknowledgementPaper(ctx, views[MATERIALS.key])]
        _donations_start_from_their_batch(ctx, views[BATCHES.key].detail_views[MONEY.key])
        self.stock = StockView(ctx)
        self.trace = TraceView(ctx)
        self.disclosure = DisclosureView(ctx)
        at = len(REGISTERS)
        self.insert_page(at, self.stock, _("Stock of donated materials"))
        self.insert_page(at + 1, self.trace, _("Where materials went"))
        self.insert_page(at + 2, self.disclosure, _("Public disclosure"))
        self.trace_back_button = _button(_("Trace back…"), "traceBackButton",
                                         _("Follow the selected allocation back to its handover, donation and donor."))
        self.trace_back_button.clicked.connect(self.trace_selected_allocation)
        _add_buttons(views[ALLOCATIONS.key], self.trace_back_button)
        self.trace_donor_button = _button(_("Trace materials…"), "traceDonorButton",
                                          _("Follow the selected donor's materials to every recipient."))
        self.trace_donor_button.clicked.connect(self.trace_selected_donor)
        _add_buttons(views[DONORS.key], self.trace_donor_button)

    def trace_selected_allocation(self) -> bool:
        row = _selected(self.register_views[ALLOCATIONS.key])
        if row is None:
            return False
        self.pages.setCurrentWidget(self.trace)
        return self.trace.show_allocation(row.id)

    def trace_selected_donor(self) -> bool:
        row = _selected(self.register_views[DONORS.key])
        if row is None:
            return False
        self.trace.load_donors()
        self.pages.setCurrentWidget(self.trace)
        return self.trace.select_donor(row.id)


def build_tab(ctx: AppContext, group: WorkingGroup) -> GroupTab:
    return DonationsTab(ctx, group)


def overview_lines(ctx: AppContext) -> list[str]:
    """Donations since the outbreak, money left, materials held, batches that do not agree."""
    today = today_local()
    period = Period(min(OUTBREAK_START, today), today)
    pf = ctx.ops.read(lambda s: G.period_figures(s, period))
    lines = [_("Donations since {day}: {n} of money totalling {total}; {lots} of materials.").format(
        day=long_date(period.start), n=pf.money.received.count, total=yuan(pf.money.received.amount),
        lots=sum(i.lots for i in pf.materials))]
    if pf.money.received.count or pf.money.used:
        lines.append(_("Donated money paid out: {used}; left: {left}.").format(used=yuan(pf.money.used),
                                                                           left=yuan(pf.money.left)))
    held = [_("{item} {n}").format(item=i.item_title, n=quantity_text(i.with_team, i.unit))
            for i in pf.materials if i.with_team]
    if held:
        lines.append(_("Materials with the coordination team, not yet allocated: {list}.").format(list="、".join(held)))
    if pf.batches_not_matching:
        lines.append(_("Day batches not agreeing with their statement: {list}.").format(list="；".join(
            f"{long_date(b.day)} {choice_title(G.CHANNELS, b.channel)}" for b in pf.batches_not_matching)))
    return lines
