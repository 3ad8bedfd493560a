"""Group 4's temporary assistance in the window (Qt only; the services decide everything):

* on the grants page: the steps the selected grant can take now (a button each, opening a small
  dialog for that step's fields, its errors at the field), a line saying where the grant stands,
  the approval form and the 公示 list to print; a new grant is applied for through
  `grant_service.apply`, so that it gets its number;
* a page of the paperwork owed under "assist first" (overdue in red);
* a page of the towns' reserve fund balances.

`add_pages(tab)` adds them to the group's tab; `overview_lines(ctx)` says what needs attention."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
    QHBoxLayout, QHeaderView, QLabel, QLayout, QLineEdit, QPushButton, QSizePolicy, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.dates import long_date
from civaffairs.core.i18n import N_, _
from civaffairs.groups.assistance import grant_paper, grant_service
from civaffairs.groups.assistance.grants import GRANTS, PAID, RESERVE_ALLOCATIONS
from civaffairs.groups.assistance.models import Household
from civaffairs.gui.context import AppContext
from civaffairs.gui.field_errors import FieldErrors
from civaffairs.gui.form import FieldEditor, RecordForm, make_editor
from civaffairs.gui.group_tab import GroupTab
from civaffairs.gui.register_view import RegisterView
from civaffairs.gui.signals import emit
from civaffairs.gui.table_model import ROW_COLOURS
from civaffairs.gui.widgets import period_date_range
from civaffairs.records import service as records
from civaffairs.records import workflow
from civaffairs.records.spec import RowLevel

OUTBREAK_START = date(2021, 10, 1)  # the 公示 list offers the outbreak's period by default
CHANGED = (GRANTS.key, RESERVE_ALLOCATIONS.key)  # a payment changes the grants and the towns' balances


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


def _table(headers: list[str], name: str = "table") -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, *, right: bool = False, background: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if background is not None:
        item.setBackground(QBrush(background))
    return item


def _actions_row(view: RegisterView) -> QLayout | None:
    """The row of the register view that holds its buttons (found by its print button)."""
    layout = view.layout()
    for i in range(layout.count()):
        row = layout.itemAt(i).layout()
        if row is not None and row.indexOf(view.print_button) >= 0:
            return row
    return None


# ------------------------------------------------------------------ applying: the number at once


class GrantApplicationForm(RecordForm):
    """The register's form, but a new grant is saved through `grant_service.apply`, which gives
    it its number; choosing the household fills in its town."""

    def __init__(self, ctx: AppContext, *args: Any, **kwargs: Any) -> None:
        super().__init__(ctx, GRANTS, *args, **kwargs)
        if self.record_id is None and "household_id" in self.editors:
            combo = self.editors["household_id"].widget
            combo.currentIndexChanged.connect(lambda _i: self._town_of_household())  # type: ignore[attr-defined]
            if self.editors.get("town_id") is not None and self.editors["town_id"].value() is None:
                self._town_of_household()  # opened from a household's detail pane: the household is given

    def _town_of_household(self) -> None:
        household_id = self.editors["household_id"].value()
        town = self.editors.get("town_id")
        if not isinstance(household_id, uuid.UUID) or town is None or "town_id" in self.fixed:
            return
        town_id = self.ctx.ops.read(lambda s: getattr(s.get(Household, household_id), "town_id", None))
        if town_id is not None:
            town.set_value(town_id)

    def save(self) -> None:
        if self.record_id is not None:
            super().save()
            return
        values = self.values()
        ctx = self.ctx
        accept = tuple(self.accepted_warnings)
        row = ctx.ops.write(lambda s: grant_service.apply(s, ctx.actor, values, accept=accept),
                            changed=[GRANTS.key], parent=self, form=self)
        if row is None:
            return
        self._reset_warnings()
        self.saved_row = row
        emit(self.sig_saved, row)
        if self.continuous:
            self._next_record(row)
        else:
            self.accept()


def _open_grant_forms_numbered(view: RegisterView) -> None:
    """Make `view` (the grants page, or the grants in a household's detail pane) open the
    application form above: as `RegisterView.open_form`, with the form class replaced."""

    def open_form(record_id=None, initial=None, *, continuous: bool = False) -> RecordForm:  # type: ignore[no-untyped-def]
        fixed = {}
        if view.in_detail_pane and view.spec.parent_field and view.parent_id is not None:
            fixed = {view.spec.parent_field: view.parent_id}
            initial = {**(initial or {}), **fixed}
        form = GrantApplicationForm(view.ctx, record_id, view, initial, continuous=continuous, fixed=set(fixed))
        if not view.can_write:
            form.save_button.setEnabled(False)
        form.accepted.connect(lambda: emit(view.sig_record_saved, form.saved_row))
        form.sig_saved.connect(view.sig_record_saved.emit)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        view.last_form = form  # type: ignore[attr-defined]  # for tests
        return form

    view.open_form = open_form  # type: ignore[method-assign]


# ------------------------------------------------------------------ one step of the workflow


class StepDialog(QDialog):
    """The fields of one step of a grant (its defaults filled in), its errors at the field; OK
    takes the step through `grant_service.move`."""

    def __init__(self, ctx: AppContext, grant: records.Row, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.grant, self.key = ctx, grant, key
        self.transition = grant_service.WORKFLOW.transition(key)
        self.saved_row: records.Row | None = None
        self.setObjectName(f"step_{key}")
        self.setWindowTitle(self.transition.title.rstrip("…"))
        layout = QVBoxLayout(self)
        state = GRANTS.field("state").choice_title(grant.values["state"])
        heading = QLabel(_("{number} {household} — now: {state}").format(
            number=grant.values.get("number") or "", household=grant.values.get("household_id") or "", state=state))
        heading.setObjectName("grantHeading")
        heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(heading)
        if self.transition.hint:
            hint = QLabel(_(self.transition.hint))
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555;")
            layout.addWidget(hint)
        general = QLabel()
        general.setObjectName("error_general")
        self.errors = FieldErrors(general)
        layout.addWidget(general)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(4)
        self.editors: dict[str, FieldEditor] = {}
        start = ctx.ops.read(lambda s: workflow.defaults(s, grant_service.WORKFLOW, key, grant.id))
        for row, f in enumerate(grant_service.WORKFLOW.step_fields(key)):
            editor = make_editor(f, ctx)
            editor.widget.setObjectName(f"field_{f.name}")
            label = QLabel(f.title + ("<span style='color:#c0392b'> *</span>" if f.required else ""))
            label.setBuddy(editor.focus_widget)
            grid.addWidget(label, 2 * row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(editor.widget, 2 * row, 1)
            error = self.errors.add(f.name, editor.focus_widget, self)
            error.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            grid.addWidget(error, 2 * row + 1, 1)
            value = start.get(f.name)
            if value is not None:
                editor.set_value(value)
            self.editors[f.name] = editor
        layout.addLayout(grid)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("buttons")
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.transition.title.rstrip("…"))
        self.ok_button.setObjectName("okButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.take_step)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def editor(self, name: str) -> QWidget:
        return self.editors[name].focus_widget

    def error_text(self, name: str) -> str:
        label = self.errors.label(name) if name else self.errors.general
        return "" if label is None or label.isHidden() else label.text()

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def show_field_errors(self, errors: dict[str, str]) -> None:
        self.errors.show_field_errors(errors)
        # Room for the messages, which may wrap onto two lines.
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def take_step(self) -> None:
        ctx, grant, key, values = self.ctx, self.grant, self.key, self.values()
        row = ctx.ops.write(lambda s: grant_service.move(s, ctx.actor, grant.id, grant.version, key, values),
                            changed=CHANGED, parent=self, form=self)
        if row is not None:
            self.saved_row = row
            self.accept()


# ------------------------------------------------------------------ the grants page's extras


def _progress_text(row: records.Row) -> str:
    """Where a grant stands, step by step, from the list row (masked fields are not used)."""
    v = row.values
    parts = [_("Applied {day}").format(day=v["applied_on"].isoformat())]
    if v.get("investigated_on"):
        parts.append(_("investigated {day} ({name})").format(day=v["investigated_on"].isoformat(),
                                                            name=v.get("investigator") or ""))
    if v.get("reviewed_on"):
        parts.append(_("reviewed {day} ({name})").format(day=v["reviewed_on"].isoformat(), name=v.get("reviewer") or ""))
    if v.get("notice_from") and v.get("notice_to"):
        parts.append(_("public notice {start} to {end}").format(start=v["notice_from"].isoformat(),
                                                               end=v["notice_to"].isoformat()))
    if v.get("approved_on"):
        parts.append(_("approved {day}: {amount} yuan").format(day=v["approved_on"].isoformat(),
                                                              amount=f"{v['approved_amount']:,.2f}"))
    if v.get("paid_on") and v.get("paid_amount") is not None:
        paid = _("paid {day}: {amount} yuan").format(day=v["paid_on"].isoformat(), amount=f"{v['paid_amount']:,.2f}")
        if v.get("from_reserve_fund"):
            paid += _(" (reserve fund)")
        parts.append(paid)
    text = " → ".join(parts)
    if v.get("state") == "refused":
        text += " — " + _("Refused: {reason}").format(reason=v.get("refused_reason") or "")
    if v.get("assist_first") and v.get("state") == PAID:
        if v.get("paperwork_completed_on"):
            text += " — " + _("Assist first: paperwork completed on {day}.").format(
                day=v["paperwork_completed_on"].isoformat())
        else:
            owed = GRANTS.field("documents_owed")
            documents = "、".join(owed.choice_title(d) for d in v.get("documents_owed") or []) or _("none")
            text += " — " + _("Assist first: paperwork due by {day}; documents owed: {documents}; steps missing: "
                            "{steps}.").format(day=v["paperwork_deadline"].isoformat() if v.get("paperwork_deadline")
                                               else "", documents=documents,
                                               steps="、".join(grant_service.missing_steps(v)) or _("none"))
    return text


class GrantActions:
    """On the grants page: a button for each step the selected grant can take now, where it
    stands, and its paper."""

    def __init__(self, ctx: AppContext, tab: GroupTab, view: RegisterView) -> None:
        self.ctx, self.tab, self.view = ctx, tab, view
        self.can_write = ctx.actor.can_write(GRANTS.group)
        self.step_buttons: dict[str, QPushButton] = {}
        self.last_dialog: StepDialog | None = None

        self.form_button = QPushButton(_("Print approval form…"))
        self.form_button.setObjectName("approvalFormButton")
        self.form_button.setToolTip(_("The approval form (临时救助审批表) of the selected grant; steps not yet "
                                      "taken are left blank to fill in by hand."))
        self.form_button.clicked.connect(self.print_approval_form)
        self.publicity_button = QPushButton(_("Print 公示 list…"))
        self.publicity_button.setObjectName("publicityButton")
        self.publicity_button.setToolTip(_("The list of grants for a period, to post in public: names and ID numbers "
                                           "partly hidden."))
        self.publicity_button.clicked.connect(self.print_publicity_list)
        row = _actions_row(view)
        if row is None:  # a different layout of the shared view: a row of our own
            row = QHBoxLayout()
            view.layout().insertLayout(2, row)
        at = max(row.indexOf(view.print_button), 0)
        row.insertWidget(at, self.form_button)
        row.insertWidget(at + 1, self.publicity_button)

        self.steps_bar = QWidget()
        self.steps_bar.setObjectName("stepsBar")
        bar = QHBoxLayout(self.steps_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.steps_label = QLabel(_("Next step:"))
        self.steps_label.setStyleSheet("font-weight: bold;")
        bar.addWidget(self.steps_label)
        self.steps_layout = QHBoxLayout()
        bar.addLayout(self.steps_layout)
        bar.addStretch(1)
        self.progress = QLabel()
        self.progress.setObjectName("grantProgress")
        self.progress.setWordWrap(True)
        self.progress.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = view.layout()
        index = next((i for i in range(layout.count()) if layout.itemAt(i).layout() is row), 1) + 1
        layout.insertWidget(index, self.steps_bar)
        layout.insertWidget(index + 1, self.progress)
        view.table.selectionModel().selectionChanged.connect(lambda *_a: self.update())
        view.model.modelReset.connect(self.update)
        view.trash.toggled.connect(lambda _c: self.update())
        self.update()

    def selected(self) -> records.Row | None:
        rows = self.view.selected_rows()
        return rows[0] if len(rows) == 1 and not self.view.trash.isChecked() else None

    def update(self) -> None:
        row = self.selected()
        self.form_button.setEnabled(row is not None)
        for button in self.step_buttons.values():
            self.steps_layout.removeWidget(button)
            button.hide()  # at once: deleteLater waits for the event loop
            button.deleteLater()
        self.step_buttons = {}
        if row is None:
            self.steps_bar.setVisible(False)
            self.progress.setText(_("Select a grant to see where it stands and take its next step."))
            return
        self.progress.setText(_progress_text(row))
        steps = self.ctx.ops.read(lambda s: grant_service.allowed_steps(s, row.id)) if self.can_write else []
        for t in steps:
            button = QPushButton(t.title)
            button.setObjectName(f"step_{t.key}")
            button.clicked.connect(lambda _c=False, key=t.key: self.open_step(key))
            self.steps_layout.addWidget(button)
            self.step_buttons[t.key] = button
        self.steps_bar.setVisible(bool(steps))

    def open_step(self, key: str) -> StepDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = StepDialog(self.ctx, row, key, self.view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def print_approval_form(self):  # type: ignore[no-untyped-def]
        from civaffairs.gui.printing.preview import preview_in_background

        row = self.selected()
        if row is None:
            return None
        ctx, grant_id = self.ctx, row.id
        title = _("Temporary assistance approval form")
        number = row.values.get("number") or ""
        printed_at = now_utc()

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return grant_paper.render_approval_form(session, ctx.actor, grant_id, office_name=ctx.office_name,
                                                        printed_by=ctx.actor.display_name, printed_at=printed_at)

        return preview_in_background(ctx, f"{title} {number}", render, suggested_name=f"{title}{number}.pdf",
                                     parent=self.view)

    def print_publicity_list(self) -> PublicityDialog:
        dialog = PublicityDialog(self.ctx, self.view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_publicity_dialog = dialog
        dialog.open()
        return dialog


class PublicityDialog(QDialog):
    """Choose the period and the kind of 公示 list, then preview it."""

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx, self.view = ctx, parent
        self.setObjectName("publicityDialog")
        self.setWindowTitle(_("Print 公示 list"))
        today = today_local()
        self.start = _date_edit(OUTBREAK_START if today >= OUTBREAK_START else today - timedelta(days=30), "start")
        self.end = _date_edit(today, "end")
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        for code, label in grant_paper.LIST_KINDS.items():
            self.kind.addItem(_(label), code)
        self.contact = QLineEdit()
        self.contact.setObjectName("contact")
        self.contact.setPlaceholderText(_("e.g. 0938-2731234"))
        self.issued = _date_edit(today, "issued")
        form = QFormLayout()
        form.addRow(_("Start of the period"), self.start)
        form.addRow(_("End of the period"), self.end)
        form.addRow(_("List"), self.kind)
        form.addRow(_("Telephone for objections"), self.contact)
        form.addRow(_("Date of posting"), self.issued)
        note = QLabel(_("Names and ID numbers are always partly hidden on this list (张*明, 620503********1234), "
                        "whoever prints it."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Preview…"))
        self.ok_button.setObjectName("okButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.preview)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def preview(self):  # type: ignore[no-untyped-def]
        from civaffairs.gui.printing.preview import preview_in_background

        start, end, issued = _pydate(self.start), _pydate(self.end), _pydate(self.issued)
        if end < start:
            self.message.setText(_("The end of the period is before its start."))
            return None
        ctx, kind, contact = self.ctx, self.kind.currentData(), self.contact.text().strip()
        title = _("Public notice of temporary assistance")

        def render(progress):  # type: ignore[no-untyped-def]
            with ctx.db.snapshot() as session:
                return grant_paper.render_publicity_list(session, start, end, kind=kind, office_name=ctx.office_name,
                                                         issued_on=issued, contact=contact,
                                                         progress=progress.report)

        self.accept()
        return preview_in_background(ctx, title, render, suggested_name=f"{title}{start}-{end}.pdf", parent=self.view)


# ------------------------------------------------------------------ paperwork owed


class PaperworkView(QWidget):
    """Grants paid first whose paperwork is still owed on a date, the overdue ones in red."""

    HEADERS = (N_("Grant number"), N_("Head of household"), N_("Town or sub-district"), N_("Paid on"),
               N_("Amount paid (yuan)"), N_("Paperwork due by"), N_("Days overdue"), N_("Documents owed"),
               N_("Steps missing"))

    def __init__(self, ctx: AppContext, tab: GroupTab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.tab = ctx, tab
        self.setObjectName("paperworkView")
        self.day = _date_edit(today_local(), "day")
        self.day.dateChanged.connect(self.refresh)
        self.overdue_only = QCheckBox(_("Overdue only"))
        self.overdue_only.setObjectName("overdueOnly")
        self.overdue_only.toggled.connect(self.refresh)
        self.open_button = QPushButton(_("Show the grant"))
        self.open_button.setObjectName("openButton")
        self.open_button.setToolTip(_("Show the selected grant on the temporary assistance page, to record its "
                                      "missing steps."))
        self.open_button.clicked.connect(self.open_grant)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Paperwork owed on")))
        top.addWidget(self.day)
        top.addWidget(self.overdue_only)
        top.addStretch(1)
        top.addWidget(self.open_button)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        legend = QLabel(_("Grants paid under “assist first, paperwork later” owe their documents and the missing steps "
                          "by their deadline. Red: the deadline has passed."))
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555;")
        self.table = _table([_(h) for h in self.HEADERS])
        self.table.doubleClicked.connect(lambda _i: self.open_grant())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.lines: list[grant_service.PaperworkOwed] = []
        ctx.ops.sig_changed.connect(lambda keys: self.refresh() if not keys or GRANTS.key in keys else None)
        self.refresh()

    def set_day(self, day: date) -> None:
        self.day.setDate(_qdate(day))

    def refresh(self) -> None:
        day = _pydate(self.day)
        everything = self.ctx.ops.read(lambda s: grant_service.paperwork_owed(s, self.ctx.actor, day))
        overdue = [l for l in everything if l.overdue]
        self.lines = overdue if self.overdue_only.isChecked() else everything
        self.summary.setText(_("{day}: {n} grants paid first still owe their paperwork; {late} of them are overdue.")
                             .format(day=long_date(day), n=len(everything), late=len(overdue)))
        self.table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            colour = ROW_COLOURS[RowLevel.ALERT] if line.overdue else None
            cells = (line.number, line.household, line.town, line.paid_on.isoformat(),
                     grant_service.yuan(line.paid_amount), line.deadline.isoformat(),
                     str(line.days_overdue) if line.overdue else "", "、".join(line.documents),
                     "、".join(line.steps))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, _item(text, right=c in (4, 6), background=colour))
        self.open_button.setEnabled(bool(self.lines))

    def open_grant(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        line = self.lines[rows[0].row()]
        show_grant(self.tab, line.number)


def show_grant(tab: GroupTab, number: str) -> None:
    """Show the grant numbered `number` selected on the grants page."""
    view = tab.register_views[GRANTS.key]
    tab.pages.setCurrentWidget(view)
    view.trash.setChecked(False)
    view.search.setText(number)
    view.apply_filters()
    for r in range(view.model.rowCount()):
        row = view.model.row(r)
        if row is not None and row.values.get("number") == number:
            view.select_row(r)
            break


# ------------------------------------------------------------------ reserve funds


class ReserveBalancesView(QWidget):
    """Each town's reserve fund on a date: allocated, paid from it, left."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reserveBalancesView")
        self.day = _date_edit(today_local(), "day")
        self.day.dateChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Reserve funds at the end of")))
        top.addWidget(self.day)
        top.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        legend = QLabel(_("A town's balance is what the district allocated less the grants paid from it; a payment "
                          "that would take it below zero is refused. Yellow: less than a tenth left."))
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555;")
        self.table = _table([_("Town or sub-district"), _("Allocated (yuan)"), _("Paid from it (yuan)"),
                             _("Balance (yuan)")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumWidth(820)  # four columns: the figures stay next to their town
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        self.balances: list[grant_service.ReserveBalance] = []
        ctx.ops.sig_changed.connect(lambda keys: self.refresh() if not keys or set(keys) & set(CHANGED) else None)
        self.refresh()

    def set_day(self, day: date) -> None:
        self.day.setDate(_qdate(day))

    def refresh(self) -> None:
        day = _pydate(self.day)
        self.balances = [b for b in self.ctx.ops.read(lambda s: grant_service.reserve_balances(s, self.ctx.actor, day))
                         if b.allocated or b.used]
        totals = (sum(b.allocated for b in self.balances), sum(b.used for b in self.balances),
                  sum(b.balance for b in self.balances))
        self.summary.setText(_("{day}: {allocated} yuan allocated to {n} towns and sub-districts, {used} yuan paid "
                               "from them, {left} yuan left.").format(
            day=long_date(day), n=len(self.balances), allocated=grant_service.yuan(totals[0]),
            used=grant_service.yuan(totals[1]), left=grant_service.yuan(totals[2])))
        self.table.setRowCount(len(self.balances) + 1)
        for r, b in enumerate(self.balances):
            colour = ROW_COLOURS[RowLevel.WARNING] if b.low else None
            self.table.setItem(r, 0, _item(b.town, background=colour))
            for c, fen in enumerate((b.allocated, b.used, b.balance), start=1):
                self.table.setItem(r, c, _item(grant_service.yuan(fen), right=True, background=colour))
        last = len(self.balances)
        total = _item(_("Total"))
        font = total.font()
        font.setBold(True)
        total.setFont(font)
        self.table.setItem(last, 0, total)
        for c, fen in enumerate(totals, start=1):
            item = _item(grant_service.yuan(fen), right=True)
            item.setFont(font)
            self.table.setItem(last, c, item)


# ------------------------------------------------------------------ the tab


def add_pages(tab: GroupTab) -> None:
    """The grant workflow on the grants page, and the paperwork and reserve fund pages after the
    reserve funds register."""
    ctx = tab.ctx
    grants = tab.register_views[GRANTS.key]
    _open_grant_forms_numbered(grants)
    for view in tab.register_views.values():
        if GRANTS.key in view.detail_views:  # a household's grants in its detail pane
            _open_grant_forms_numbered(view.detail_views[GRANTS.key])
    tab.grant_actions = GrantActions(ctx, tab, grants)  # type: ignore[attr-defined]
    tab.paperwork = PaperworkView(ctx, tab)  # type: ignore[attr-defined]
    tab.reserve_balances = ReserveBalancesView(ctx)  # type: ignore[attr-defined]
    after = tab.pages.indexOf(tab.register_views.get(RESERVE_ALLOCATIONS.key, grants)) + 1
    tab.insert_page(after, tab.paperwork, _("Paperwork owed"))  # type: ignore[attr-defined]
    tab.insert_page(after + 1, tab.reserve_balances, _("Reserve fund balances"))  # type: ignore[attr-defined]


def overview_lines(ctx: AppContext) -> list[str]:
    """Grants paid first whose paperwork is overdue, for the leading group's overview."""
    today = today_local()
    overdue = ctx.ops.read(lambda s: grant_service.count_overdue(s, today))
    if not overdue:
        return []
    return [_("Temporary assistance paid first with its paperwork overdue: {n} grants.").format(n=overdue)]

