"""Group 4's household screens, added to the group's tab by `add_pages`: the "not contacted since"
page (a date and a town, the list, a contact entered from it, the list printed for the town's
cadres), "print household file" on the households page, "move to another household" on the
family members (in the members page and in the households' detail pane), and, in a new member's
form refused because the person is already in another household, a button that moves them here.

Qt code only: everything it reads or writes goes through `household_service` and the register
service, via `ctx.ops`."""
from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QLayout,
    QLineEdit, QListWidget, QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import _
from civaffairs.groups.assistance import household_service as service
from civaffairs.groups.assistance.households import CONTACTS, GROUP, HEAD, HOUSEHOLDS, MEMBERS, RELATIONS
from civaffairs.gui.context import AppContext
from civaffairs.gui.form import RecordForm
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.signals import emit
from civaffairs.gui.widgets import period_date_range
from civaffairs.places.fields import TOWNS
from civaffairs.records import service as records

NEVER = QColor("#f8d7da")  # never contacted: the alert colour of lists
WATCHED = frozenset({HOUSEHOLDS.key, CONTACTS.key, MEMBERS.key})
SEARCH_DELAY_MS = 250
ADDRESS_COLUMN = 5  # the not-contacted table's column that takes the spare width


def _layout_holding(layout: QLayout, widget: QWidget) -> QLayout | None:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is widget:
            return layout
        if item.layout() is not None:
            found = _layout_holding(item.layout(), widget)
            if found is not None:
                return found
    return None


def _beside_print(view: RegisterView, button: QPushButton) -> None:
    """Put `button` just before the view's "Print list…" button."""
    holder = _layout_holding(view.layout(), view.print_button)
    if holder is not None:
        holder.insertWidget(holder.indexOf(view.print_button), button)
    else:  # the view's layout changed: keep the button reachable under the list
        view.layout().addWidget(button)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


# ------------------------------------------------------------------ not contacted since a date


class NotContactedView(QWidget):
    """The households with no contact since a date, of one town or all, with their last contact;
    a contact is entered from here, and the list printed for the town's cadres to take round."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("notContactedView")
        self.since = period_date_range(QDateEdit(_qdate(service.two_weeks_ago(today_local()))))
        self.since.setObjectName("since")
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.dateChanged.connect(self.refresh)
        self.town = QComboBox()
        self.town.setObjectName("town")
        self._fill_towns()
        self.town.currentIndexChanged.connect(self.refresh)
        self.contact_button = QPushButton(_("Record a contact…"))
        self.contact_button.setObjectName("contactButton")
        self.contact_button.setToolTip(_("Enter a phone call, WeChat message or home visit for the selected household."))
        self.contact_button.clicked.connect(self.record_contact)
        self.contact_button.setVisible(ctx.actor.can_write(GROUP))
        self.print_button = QPushButton(_("Print list for the town…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(_("The list for the town's cadres, one town per page, with room to write each "
                                       "contact and sign."))
        self.print_button.clicked.connect(self.print_list)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Not contacted since")))
        top.addWidget(self.since)
        top.addSpacing(12)
        top.addWidget(QLabel(_("Town or sub-district")))
        top.addWidget(self.town)
        top.addStretch(1)
        top.addWidget(self.contact_button)
        top.addWidget(self.print_button)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        legend = QLabel(_("Every household on the books should be reached by phone, WeChat or a home visit. "
                          "Red: never contacted."))
        legend.setStyleSheet("color: #555;")
        legend.setWordWrap(True)
        self.table = QTableWidget(0, 9)
        self.table.setObjectName("table")
        self.table.setHorizontalHeaderLabels([
            _("Town or sub-district"), _("Village or community"), _("Head of household"), _("Head's ID number"),
            _("Phone"), _("Address"), _("Household size"), _("Last contact"), _("Days since")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(ADDRESS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.record_contact())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.lines: list[service.NotContactedLine] = []
        self.last_form: RecordForm | None = None
        ctx.ops.sig_changed.connect(self._on_changed)
        self.refresh()

    def _fill_towns(self) -> None:
        chosen = self.town.currentData()
        self.town.blockSignals(True)
        self.town.clear()
        self.town.addItem(_("All towns and sub-districts"), None)
        for town_id, name in self.ctx.ops.read(service.towns):
            self.town.addItem(name, str(town_id))
        self.town.setCurrentIndex(max(self.town.findData(chosen), 0))
        self.town.blockSignals(False)

    def _on_changed(self, keys: frozenset[str]) -> None:
        if not keys or TOWNS.key in keys:
            self._fill_towns()
        if not keys or keys & (WATCHED | {TOWNS.key}):
            self.refresh()

    def town_id(self) -> uuid.UUID | None:
        data = self.town.currentData()
        return uuid.UUID(data) if data else None

    def set_since(self, day: date) -> None:
        self.since.setDate(_qdate(day))

    def set_town(self, name: str) -> None:
        self.town.setCurrentIndex(max(self.town.findText(name), 0))

    def refresh(self) -> None:
        since, town_id, today = _day(self.since), self.town_id(), today_local()
        self.lines = self.ctx.ops.read(lambda s: service.not_contacted_since(s, self.ctx.actor, since, town_id))
        where = self.town.currentText() if town_id else _("all towns and sub-districts")
        if self.lines:
            never = sum(1 for line in self.lines if line.last_contact is None)
            self.summary.setText(_("{n} households in {where} have not been contacted since {day}, {never} of them "
                                   "never.").format(n=len(self.lines), where=where, day=long_date(since), never=never))
        else:
            self.summary.setText(_("Every household in {where} has been contacted since {day}.").format(
                where=where, day=long_date(since)))
        self.table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            days = line.days_since(today)
            last = f"{line.last_contact.isoformat()} {line.last_channel}" if line.last_contact else _("Never contacted")
            cells = [line.town, line.community, line.head_name, line.head_id_number, line.phone, line.address,
                     str(line.members), last, "" if days is None else str(days)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (6, 8):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if line.last_contact is None:
                    item.setBackground(QBrush(NEVER))
                self.table.setItem(r, c, item)
        self.print_button.setEnabled(bool(self.lines))
        self._update_buttons()

    def selected_line(self) -> service.NotContactedLine | None:
        rows = self.table.selectionModel().selectedRows()
        return self.lines[rows[0].row()] if rows and rows[0].row() < len(self.lines) else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self) -> None:
        self.contact_button.setEnabled(self.selected_line() is not None)

    def record_contact(self) -> RecordForm | None:
        line = self.selected_line()
        if line is None or not self.ctx.actor.can_write(GROUP):
            return None
        form = RecordForm(self.ctx, CONTACTS, None, self, {"household_id": line.household_id,
                                                            "contacted_on": today_local()},
                          fixed={"household_id"})
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        self.last_form = form
        return form

    def print_list(self) -> None:
        from civaffairs.groups.assistance.household_paper import render_not_contacted
        from civaffairs.gui.printing.preview import preview_in_background

        ctx, since, town_id, printed_at = self.ctx, _day(self.since), self.town_id(), now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return render_not_contacted(session, ctx.actor, since, town_id, office_name=ctx.office_name,
                                            printed_by=ctx.actor.display_name, printed_at=printed_at,
                                            progress=progress.report)

        where = self.town.currentText() if town_id else ""
        title = _("Households not contacted since {day}").format(day=long_date(since))
        preview_in_background(ctx, f"{where}{title}", render, suggested_name=f"{where}{title}.pdf", parent=self)


# ------------------------------------------------------------------ a household's file


def add_file_button(ctx: AppContext, view: RegisterView) -> QPushButton:
    """"Print household file…" on the households page: the selected household's whole file."""
    button = QPushButton(_("Print household file…"))
    button.setObjectName("printFileButton")
    button.setToolTip(_("The selected household's file: its members, categories, contacts, applications and "
                        "temporary assistance."))

    def print_file() -> None:
        from civaffairs.groups.assistance.household_paper import render_household_file
        from civaffairs.gui.printing.preview import preview_in_background

        rows = view.selected_rows()
        if len(rows) != 1:
            return
        household_id, head, printed_at = rows[0].id, rows[0].values["head_name"], now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return render_household_file(session, ctx.actor, household_id, office_name=ctx.office_name,
                                             printed_by=ctx.actor.display_name, printed_at=printed_at,
                                             progress=progress.report)

        title = _("Household file of {head}").format(head=head)
        preview_in_background(ctx, title, render, suggested_name=f"{title}.pdf", parent=view)

    button.clicked.connect(print_file)
    view.sig_current_changed.connect(lambda row: button.setEnabled(row is not None and not view.trash.isChecked()))
    button.setEnabled(False)
    _beside_print(view, button)
    return button


# ------------------------------------------------------------------ moving a person


class MoveMemberDialog(QDialog):
    """Move one family member into another household, chosen by searching for its head."""

    def __init__(self, ctx: AppContext, member: records.Row, parent: QWidget | None = None, *,
                 to_household: uuid.UUID | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.member = ctx, member
        self.moved: records.Row | None = None
        self.setObjectName("moveMemberDialog")
        self.setWindowTitle(_("Move to another household"))
        self.from_household = member.values["household_id__id"]
        intro = QLabel(_("Move {name} from the household of {head} into the household chosen below.").format(
            name=member.values["name"], head=member.values["household_id"] or ""))
        intro.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Search for the household: the head's name, ID number, address or phone"))
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.find)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.households = QListWidget()
        self.households.setObjectName("households")
        self.households.itemSelectionChanged.connect(self._update_button)
        self.relation = QComboBox()
        self.relation.setObjectName("relation")
        self.relation.addItem(_("(please choose)"), None)
        for choice in RELATIONS:
            self.relation.addItem(choice.title, choice.code)
        current = member.values.get("relation")
        if current and current != HEAD:  # a head moving in is not that household's head: ask anew
            self.relation.setCurrentIndex(self.relation.findData(current))
        self.relation.currentIndexChanged.connect(self._update_button)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.move_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.move_button.setText(_("Move"))
        self.move_button.setObjectName("moveButton")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self.move)
        buttons.rejected.connect(self.reject)
        relation_row = QHBoxLayout()
        relation_row.addWidget(QLabel(_("Relation to the new head")))
        relation_row.addWidget(self.relation, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.households, 1)
        layout.addLayout(relation_row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.choices: list[service.HouseholdChoice] = []
        self.find()
        if to_household is not None:
            self.choose(to_household)
        self._update_button()

    def find(self) -> None:
        self._timer.stop()
        text = self.search.text()
        found = self.ctx.ops.read(lambda s: service.find_households(s, self.ctx.actor, text))
        self.choices = [c for c in found if c.id != self.from_household]
        self.households.clear()
        for choice in self.choices:
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, str(choice.id))
            self.households.addItem(item)
        if len(self.choices) == 1:
            self.households.setCurrentRow(0)

    def choose(self, household_id: uuid.UUID) -> None:
        for i in range(self.households.count()):
            if self.households.item(i).data(Qt.ItemDataRole.UserRole) == str(household_id):
                self.households.setCurrentRow(i)
                return

    def target(self) -> uuid.UUID | None:
        item = self.households.currentItem()
        return uuid.UUID(item.data(Qt.ItemDataRole.UserRole)) if item is not None and item.isSelected() else None

    def _update_button(self) -> None:
        self.move_button.setEnabled(self.target() is not None and self.relation.currentData() is not None)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.error.setText("\n".join(errors.values()))
        self.error.show()

    def move(self) -> None:
        target, relation = self.target(), self.relation.currentData()
        if target is None or relation is None:
            return
        ctx, member = self.ctx, self.member
        row = ctx.ops.write(lambda s: service.move_member(s, ctx.actor, member.id, target, member.version,
                                                          relation=relation),
                            changed=[MEMBERS.key, HOUSEHOLDS.key], parent=self, form=self)
        if row is not None:
            self.moved = row
            self.accept()


def add_move_button(ctx: AppContext, view: RegisterView) -> QPushButton:
    """"Move to another household…" on a family members list (for those who may change it)."""
    button = QPushButton(_("Move to another household…"))
    button.setObjectName("moveButton")
    button.setToolTip(_("Move the selected person into another household, keeping their records."))

    def open_dialog() -> MoveMemberDialog | None:
        rows = view.selected_rows()
        if len(rows) != 1 or view.trash.isChecked():
            return None
        dialog = MoveMemberDialog(ctx, rows[0], view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        view.last_move_dialog = dialog  # type: ignore[attr-defined]  # for tests
        return dialog

    button.clicked.connect(open_dialog)
    view.sig_current_changed.connect(lambda row: button.setEnabled(row is not None and not view.trash.isChecked()))
    button.setEnabled(False)
    button.setVisible(ctx.actor.can_write(GROUP))
    view.open_move_dialog = open_dialog  # type: ignore[attr-defined]
    _beside_print(view, button)
    return button


def offer_move_in_form(ctx: AppContext, form: RecordForm) -> None:
    """A new member refused because the ID number is in another household: a button under the
    message moves that person into this household (with the relation chosen in the form), and
    the form closes as if saved."""
    if form.record_id is not None or not ctx.actor.can_write(GROUP):
        return  # an edit that types another person's number is a slip, not a move
    button = QPushButton()
    button.setObjectName("moveHereButton")
    button.hide()
    outer = form.layout()
    boxes = form.findChildren(QDialogButtonBox)
    index = outer.indexOf(boxes[0]) if boxes else -1
    outer.insertWidget(index if index >= 0 else outer.count(), button)
    holder: dict[str, service.Holder | None] = {"found": None}
    show_errors, show_warnings = form.show_field_errors, getattr(form, "show_warnings", None)

    def household() -> uuid.UUID | None:
        value = form.editors["household_id"].value()
        return value if isinstance(value, uuid.UUID) else None

    def errors_shown(errors: dict[str, str]) -> None:
        show_errors(errors)
        found = None
        target = household()
        if "id_number" in errors and target is not None:
            number = form.editors["id_number"].value()
            found = ctx.ops.read(lambda s: service.holder_in_other_household(s, ctx.actor, number, target))
        holder["found"] = found
        if found is not None:
            button.setText(_("Move {name} from {household} into this household").format(
                name=found.name, household=found.household))
        if found is not None and button.isHidden():
            button.show()
            form.resize(form.width(), form.height() + button.sizeHint().height())
        elif found is None:
            button.hide()

    def warnings_shown(warnings: dict[str, str]) -> None:
        button.hide()
        holder["found"] = None
        if show_warnings is not None:
            show_warnings(warnings)

    def move_here() -> None:
        found, target = holder["found"], household()
        if found is None or target is None:
            return
        relation = form.editors["relation"].value() or None
        row = ctx.ops.write(lambda s: service.move_member(s, ctx.actor, found.member_id, target, found.version,
                                                          relation=relation),
                            changed=[MEMBERS.key, HOUSEHOLDS.key], parent=form, form=form)
        if row is not None:
            form.saved_row = row
            emit(form.sig_saved, row)
            form.accept()

    form.show_field_errors = errors_shown  # type: ignore[method-assign]
    if show_warnings is not None:
        form.show_warnings = warnings_shown  # type: ignore[method-assign]
    button.clicked.connect(move_here)
    form.move_here_button = button  # type: ignore[attr-defined]


def _members_view(ctx: AppContext, view: RegisterView) -> None:
    """A family members list: the move button, and new members' forms that offer the move."""
    add_move_button(ctx, view)
    open_form = view.open_form

    def opening(*args, **kwargs) -> RecordForm:  # type: ignore[no-untyped-def]
        form = open_form(*args, **kwargs)
        offer_move_in_form(ctx, form)
        return form

    view.open_form = opening  # type: ignore[method-assign]


# ------------------------------------------------------------------ the tab


def add_pages(tab: GroupTab) -> None:
    """The household screens of group 4's tab (called by the group's `ui.build_tab`)."""
    ctx = tab.ctx
    view = NotContactedView(ctx)
    tab.not_contacted = view  # type: ignore[attr-defined]
    contacts = tab.register_views.get(CONTACTS.key)
    index = tab.pages.indexOf(contacts) + 1 if contacts is not None else tab.pages.count()
    tab.insert_page(index, view, _("Not contacted"))
    households = tab.register_views.get(HOUSEHOLDS.key)
    if households is not None:
        tab.household_file_button = add_file_button(ctx, households)  # type: ignore[attr-defined]
        if MEMBERS.key in households.detail_views:
            _members_view(ctx, households.detail_views[MEMBERS.key])
    members = tab.register_views.get(MEMBERS.key)
    if members is not None:
        _members_view(ctx, members)


def overview_lines(ctx: AppContext) -> list[str]:
    """The households on the books and those not contacted for two weeks, for the overview."""
    day = today_local()
    totals = ctx.ops.read(lambda s: service.summary(s, day))
    if not totals.households:
        return []
    lines = [_("{households} households in difficulty with {members} family members on the books.").format(
        households=totals.households, members=totals.members)]
    if totals.not_contacted:
        lines.append(_("{n} households not contacted for two weeks (since {day}): see “Not contacted”.").format(
            n=totals.not_contacted, day=long_date(service.two_weeks_ago(day))))
    return lines
