"""One table model for every list in the program, paged from the database.

Qt asks only for the visible cells; the model fetches the page holding a row on first need and
keeps a few pages, so a register of 100,000 rows opens at once and holds a page or two in
memory.  Sorting and filtering are done by the database (a new query, then a model reset),
never by a proxy model calling Python for every row."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtCore import QSize
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.i18n import _, current_language
from civaffairs.records import service as records
from civaffairs.records.display import align_right, cell_text
from civaffairs.records.spec import FieldSpec, RegisterSpec, RowLevel

# Rows that need attention: light enough that the text stays readable, the same on every screen.
ROW_COLOURS = {RowLevel.ALERT: QColor("#f8d7da"), RowLevel.WARNING: QColor("#fff3cd")}

RowT = TypeVar("RowT")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object itself (e.g. a records.Row)
FIELD_ROLE = Qt.ItemDataRole.UserRole + 2  # the column's field name

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[RowT]):
    key: str
    title: str
    text: Callable[[RowT], str]
    sortable: bool = True
    align_right: bool = False
    width_chars: int = 10
    tooltip: Callable[[RowT], str] | None = None
    colour: Callable[[RowT], str | None] | None = None  # "#rrggbb" of the cell's text, e.g. a health code


class PagedSource(Protocol[RowT]):
    """Where a paged model's rows come from: a count and pages, both done by the database."""

    def count(self, session: Session) -> int: ...
    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[RowT]: ...


class ListSource(Generic[RowT]):
    """A short list read whole (notices, numbers, accounts: dozens, not thousands)."""

    def __init__(self, read_all: Callable[[Session], Sequence[RowT]]) -> None:
        self._read_all = read_all
        self._rows: Sequence[RowT] = ()

    def count(self, session: Session) -> int:
        self._rows = self._read_all(session)  # the model counts first on every refresh
        return len(self._rows)

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[RowT]:
        return self._rows[offset:offset + limit]


class PagedTableModel(QAbstractTableModel, Generic[RowT]):
    PAGE_SIZE = 200
    PAGES_KEPT = 2  # the page on screen and its neighbour: memory stays flat however long the list

    def __init__(self, reader: Callable[[Callable[[Session], Any]], Any], columns: Sequence[Column[RowT]],
                 source: PagedSource[RowT], parent: Any = None) -> None:
        super().__init__(parent)
        self._read = reader
        self.columns = list(columns)
        self._source = source
        self._count = 0
        self._pages: OrderedDict[int, Sequence[RowT]] = OrderedDict()
        self.row_background: Callable[[RowT], QColor | None] | None = None
        self.pages_fetched = 0  # for tests and benchmarks
        self._row_number_size = self._row_number_hint()

    # -- data source

    def set_source(self, source: PagedSource[RowT]) -> None:
        self._source = source
        self.refresh()

    def refresh(self) -> None:
        """Count the rows and read the first page in one read: a list opens (or follows a new
        search) at its top, and the count and the rows shown first are of one moment."""
        def count_and_first_page(session: Session) -> tuple[int, Sequence[RowT]]:
            n = self._source.count(session)
            return n, self._source.fetch(session, 0, self.PAGE_SIZE) if n else ()

        self.beginResetModel()
        self._pages.clear()
        self._count, first = self._read(count_and_first_page)
        self._row_number_size = self._row_number_hint()
        if first:
            self._pages[0] = first
            self.pages_fetched += 1
        self.endResetModel()

    def loaded_row_count(self) -> int:
        return sum(len(p) for p in self._pages.values())

    def total_count(self) -> int:
        return self._count

    def row(self, row: int) -> RowT | None:
        if not 0 <= row < self._count:
            return None
        page_no = row // self.PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            page = self._read(lambda s: self._source.fetch(s, page_no * self.PAGE_SIZE, self.PAGE_SIZE))
            self.pages_fetched += 1
            self._pages[page_no] = page
            while len(self._pages) > self.PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        offset = row - page_no * self.PAGE_SIZE
        return page[offset] if offset < len(page) else None  # rows deleted since the count

    # -- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _DISPLAY:
            return self.columns[section].title if orientation == Qt.Orientation.Horizontal else str(section + 1)
        if role == _SIZE_HINT and orientation == Qt.Orientation.Vertical:
            # The row numbers' header measures 200 sections on every reset, asking each for five
            # roles; a size hint is the one answer it takes instead (as wide as the last number).
            return self._row_number_size
        return None

    def _row_number_hint(self) -> QSize:
        metrics = QFontMetrics(QApplication.font())
        return QSize(metrics.horizontalAdvance("9" * len(str(max(self._count, 1)))) + 12, metrics.height() + 10)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Asked for every role of every visible cell at every paint: roles no column serves are
        # turned away before the row is looked up.
        if role not in _ROLES or not index.isValid():
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = self.columns[index.column()]
        if role == _DISPLAY:
            return column.text(row)
        if role == _TOOLTIP and column.tooltip:
            return column.tooltip(row)
        if (role == _FOREGROUND or role == _DECORATION) and column.colour:
            colour = column.colour(row)
            if colour is None:
                return None
            return QBrush(QColor(colour)) if role == _FOREGROUND else _dot(colour)
        if role == _FONT and column.colour and column.colour(row):
            return _bold()
        if role == _ALIGNMENT and column.align_right:
            return _RIGHT
        if role == _BACKGROUND and self.row_background:
            colour = self.row_background(row)
            return QBrush(colour) if colour else None
        if role == ROW_ROLE:
            return row
        if role == FIELD_ROLE:
            return column.key
        return None


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_SIZE_HINT = int(Qt.ItemDataRole.SizeHintRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, _DECORATION, _FONT, _ALIGNMENT, _BACKGROUND,
                    int(ROW_ROLE), int(FIELD_ROLE)})


# ------------------------------------------------------------------ registers


class RegisterSource:
    """A register's list under a query, for `PagedTableModel`."""

    def __init__(self, actor: Actor, spec: RegisterSpec, query: records.ListQuery) -> None:
        self.actor, self.spec, self.query = actor, spec, query

    def count(self, session: Session) -> int:
        return records.count(session, self.actor, self.spec, self.query)

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[records.Row]:
        return records.fetch(session, self.actor, self.spec, self.query, offset, limit)


_dots: dict[str, QIcon] = {}


def _dot(colour: str) -> QIcon:
    """A small filled circle of `colour`: a health code reads at a glance, also in grey print."""
    if colour not in _dots:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(colour))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        _dots[colour] = QIcon(pixmap)
    return _dots[colour]


def _bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


def _choice_colour(f: FieldSpec) -> Callable[[records.Row], str | None] | None:
    colours = {c.code: c.colour for c in f.choices if c.colour}
    if not colours:
        return None
    return lambda row: None if f.name in row.masked else colours.get(row.values.get(f.name))


def _cell_text(f: FieldSpec) -> Callable[[records.Row], str]:
    return lambda row: cell_text(f, row)


def _masked_tip(f: FieldSpec) -> Callable[[records.Row], str]:
    return lambda row: _("Hidden: your role may not see this personal data.") if f.name in row.masked else ""


# (the register, hidden fields, language) → (the register, its columns); the register is kept in
# the value so that its id is never reused while its columns are here.
_columns: dict[tuple[int, frozenset[str], str], tuple[RegisterSpec, tuple[Column[records.Row], ...]]] = {}


def register_columns(spec: RegisterSpec, hidden: frozenset[str] = frozenset()) -> list[Column[records.Row]]:
    """The list's columns; computed ones cannot be sorted (the database does not have them).
    Made once per register and language: every list and detail pane opened makes a model."""
    key = (id(spec), hidden, current_language())
    kept = _columns.get(key)
    if kept is None:
        kept = _columns[key] = (spec, tuple(
            Column(f.name, f.title, _cell_text(f), sortable=not spec.is_computed(f.name),
                   align_right=align_right(f), width_chars=f.width, tooltip=_masked_tip(f) if f.sensitive else None,
                   colour=_choice_colour(f))
            for f in spec.list_fields if f.name not in hidden))
    return list(kept[1])


class RecordTableModel(PagedTableModel[records.Row]):
    """A register's rows; `sort()` asks the database for the new order."""

    def __init__(self, reader: Callable[[Callable[[Session], Any]], Any], actor: Actor, spec: RegisterSpec,
                 query: records.ListQuery | None = None, parent: Any = None,
                 hidden: frozenset[str] = frozenset()) -> None:
        self.spec, self.actor = spec, actor
        super().__init__(reader, register_columns(spec, hidden), RegisterSource(actor, spec, query or records.ListQuery()),
                         parent)
        if spec.row_level is not None:
            level = spec.row_level
            self.row_background = lambda row: ROW_COLOURS.get(level(row.values))  # type: ignore[arg-type]
        self.refresh()

    @property
    def query(self) -> records.ListQuery:
        return self._source.query  # type: ignore[attr-defined,no-any-return]

    def set_query(self, query: records.ListQuery) -> None:
        self.set_source(RegisterSource(self.actor, self.spec, query))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.columns) and not self.columns[column].sortable:
            return  # the view puts its indicator back (RegisterView)
        key, descending = (None, False) if column < 0 else (  # no indicator: the register's own order
            self.columns[column].key, order == Qt.SortOrder.DescendingOrder)
        if (key, descending) == (self.spec.default_sort, self.spec.default_descending):
            key, descending = None, False  # the same order, asked the same way
        query = replace(self.query, sort=key, descending=descending)
        if query != self.query:  # the view asks again for the order it shows as it opens
            self.set_query(query)


