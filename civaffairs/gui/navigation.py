"""Going to a register from elsewhere: an overview tile, a chart point, a person found by 查人.

`show_register(widget, key, ...)` brings the register's page to the front in the main window (its
group tab, and the page inside it), sets the list's filters as asked and, given a record, selects
it (so its detail pane shows).  It works on the views the window already has: the same list the
clerk would reach by hand, with the same filters they could set."""
from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from civaffairs.gui.register_view import RegisterView
from civaffairs.records import service as records

# How far down the list a record is looked for when it is not on the first page (rows, read page
# by page as the table would): beyond that the list is narrowed to the record's own label.
LOOK_AHEAD_ROWS = 2000


def main_window(widget: QWidget | None = None) -> QWidget | None:
    """The main window that `widget` belongs to, else the application's one."""
    from civaffairs.gui.main_window import MainWindow

    if widget is not None and isinstance(widget.window(), MainWindow):
        return widget.window()
    for top in QApplication.topLevelWidgets():
        if isinstance(top, MainWindow):
            return top
    return None


def register_view(widget: QWidget | None, register_key: str) -> RegisterView | None:
    """The main list of the register `register_key` in the main window (not a detail pane)."""
    window = main_window(widget)
    if window is None:
        return None
    return window.find_register_view(register_key)  # type: ignore[attr-defined,no-any-return]


def _bring_to_front(view: QWidget) -> None:
    """Make every tab page that holds `view` the current one, from the inside out."""
    ancestor = view.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor, QTabWidget):  # its pages sit in a stack: find the one holding the view
            for i in range(ancestor.count()):
                page = ancestor.widget(i)
                if page is view or page.isAncestorOf(view):
                    ancestor.setCurrentIndex(i)
                    break
        ancestor = ancestor.parentWidget()


def show_register(widget: QWidget | None, register_key: str, *, search: str = "", date_from: date | None = None,
                  date_to: date | None = None, colours: tuple[str, ...] = (),
                  record_id: uuid.UUID | None = None) -> RegisterView | None:
    """Bring the register's list to the front with these filters (the others cleared) and, given
    `record_id`, that record selected.  None when the window has no such list (a register of a
    group this build does not show)."""
    view = register_view(widget, register_key)
    if view is None:
        return None
    _bring_to_front(view)
    view.trash.setChecked(False)
    view.search.setText(search)
    use_dates = date_from is not None or date_to is not None
    if use_dates and view.spec.date_field:
        start, end = date_from or date_to, date_to or date_from
        assert start is not None and end is not None
        view.date_from.setDate(QDate(start.year, start.month, start.day))
        view.date_to.setDate(QDate(end.year, end.month, end.day))
    view.date_filter.setChecked(use_dates and bool(view.spec.date_field))
    wanted = tuple(colours)  # the combo's items carry tuples of codes; findData cannot compare those
    view.colour.setCurrentIndex(next((i for i in range(view.colour.count())
                                      if tuple(view.colour.itemData(i) or ()) == wanted), 0))
    view.apply_filters()
    if record_id is not None:
        select_record(view, record_id)
    return view


def select_record(view: RegisterView, record_id: uuid.UUID) -> bool:
    """Select the record in the list as it is filtered now; if it is not within the first rows,
    narrow the list to its label first.  False when the list does not hold it."""
    if _select_in_list(view, record_id):
        return True
    try:
        row = view.ctx.ops.read(lambda s: records.get(s, view.ctx.actor, view.spec, record_id))
    except Exception:  # noqa: BLE001 - gone or not readable: nothing to select
        return False
    if row is None:
        return False
    # Its first searchable name (a person's name, an organisation's) narrows the list to a few rows.
    for name in view.spec.display_fields:
        f = view.spec.field(name)
        value = row.values.get(name)
        if f.searchable and isinstance(value, str) and value and name not in row.masked:
            view.search.setText(value)
            view.apply_filters()
            break
    return _select_in_list(view, record_id)


def _select_in_list(view: RegisterView, record_id: uuid.UUID) -> bool:
    model = view.model
    for i in range(min(model.total_count(), LOOK_AHEAD_ROWS)):
        row = model.row(i)
        if row is not None and row.id == record_id:
            view.select_row(i)
            view.table.scrollTo(model.index(i, 0))
            return True
    return False
