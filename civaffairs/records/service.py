"""The one service behind every register: list, read, create, update, delete, restore.

Each write checks permission, validates every field (all messages at once, each at its field),
applies the register's own rules, writes, and records an audit entry, all inside the caller's
transaction (`Database.write()`), so one user action is one transaction.  Lists are paged by the
database and masked here, so that the GUI never even receives data the user may not see."""
from __future__ import annotations

import uuid
import weakref
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, and_, bindparam, cast, false, func, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TupleType

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.errors import (
    EditConflict, FieldChange, HasChildren, NeedsConfirmation, NotFound, PermissionDenied, ValidationError,
)
from civaffairs.core.i18n import _
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, children_of, get_register, is_row_local
from civaffairs.sync import capture


# ------------------------------------------------------------------ queries


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    colours: tuple[str, ...] = ()
    equals: tuple[tuple[str, Any], ...] = ()  # (field, value) pairs, e.g. one staff member
    sort: str | None = None
    descending: bool = False
    deleted: bool = False  # True: the recycle bin


@dataclass(frozen=True)
class Row:
    id: uuid.UUID
    version: int
    values: dict[str, Any]  # field -> value; masked fields hold the masked text
    masked: frozenset[str] = field(default_factory=frozenset)
    deleted_at: datetime | None = None
    deleted_by: str | None = None


def _can_see(actor: Actor, spec: RegisterSpec, f: FieldSpec) -> bool:
    return f.sensitive is None or actor.can_read_sensitive(spec.group)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _local_day_start_utc(day: date) -> datetime:
    # The first and last days a calendar can pick (0001-01-01, 9999-12-31) have no neighbour: kept
    # a day inside, which no record reaches.
    day = min(max(day, date.min + timedelta(days=1)), date.max - timedelta(days=1))
    return datetime.combine(day, time.min).astimezone().astimezone(timezone.utc)


SEARCH_TERM_LIMIT = 100  # characters of one search word: SQLite refuses far longer LIKE patterns


def _searchable(q: ListQuery) -> ListQuery:
    """The query with a search every backend and every register's own search can take: no NUL
    or half a character, no word longer than any record holds."""
    if not q.search:
        return q
    search = " ".join(t[:SEARCH_TERM_LIMIT] for t in V.searchable(q.search).split()[:10])
    return q if search == q.search else replace(q, search=search)


class _Query:
    """Column expressions of a register's list, references joined to their display field."""

    def __init__(self, spec: RegisterSpec):
        self.spec = spec
        model = spec.model
        self.columns: dict[str, ColumnElement[Any]] = {}
        self.joins: list[tuple[Any, ColumnElement[bool]]] = []
        self.shown_as: dict[str, FieldSpec] = {}  # a reference column's value is this field of its target
        for f in spec.fields:
            if f.kind is Kind.REFERENCE:
                target = get_register(f.reference or "")
                alias = aliased(target.model)
                self.joins.append((alias, getattr(model, f.name) == alias.id))
                shown = target.field(target.display_fields[0])
                column = getattr(alias, shown.name)
                if shown.kind is Kind.REFERENCE:  # named by its own parent (a daily check by its institution)
                    further = get_register(shown.reference or "")
                    alias2 = aliased(further.model)
                    self.joins.append((alias2, column == alias2.id))
                    shown = further.field(further.display_fields[0])
                    column = getattr(alias2, shown.name)
                self.shown_as[f.name] = shown
                self.columns[f.name] = column
                self.columns[f.name + "__id"] = getattr(model, f.name)
            else:
                self.columns[f.name] = getattr(model, f.name)

    def where(self, actor: Actor, q: ListQuery) -> list[ColumnElement[bool]]:
        spec, model = self.spec, self.spec.model
        conds: list[ColumnElement[bool]] = [
            model.deleted_at.is_not(None) if q.deleted else model.deleted_at.is_(None)
        ]
        terms = q.search.split()  # made searchable by `_searchable` at count, fetch and stream
        if terms and spec.search is not None:  # the register searches in its own way
            conds.extend(spec.search.condition(actor, term) for term in terms[:5])
        elif terms:
            searchable = [f for f in spec.fields if f.searchable and _can_see(actor, spec, f)]
            if not searchable:  # nothing this user may search: no match, rather than everything
                conds.append(false())
            for term in terms[:5] if searchable else ():
                pattern = f"%{_escape_like(term)}%"
                conds.append(or_(*(self.columns[f.name].ilike(pattern, escape="\\") for f in searchable)))
        if spec.date_field and (q.date_from or q.date_to):
            column = self.columns[spec.date_field]
            if spec.field(spec.date_field).kind is Kind.DATETIME:
                if q.date_from:
                    conds.append(column >= _local_day_start_utc(q.date_from))
                if q.date_to:
                    conds.append(column < _local_day_start_utc(min(q.date_to, date.max - timedelta(days=1))
                                                               + timedelta(days=1)))
            else:
                if q.date_from:
                    conds.append(column >= q.date_from)
                if q.date_to:
                    conds.append(column <= q.date_to)
        if q.colours and spec.colour_field:
            if not _can_see(actor, spec, spec.field(spec.colour_field)):
                raise PermissionDenied(_("Your role may not filter by health code in this register."))
            conds.append(self.columns[spec.colour_field].in_(q.colours))
        for name, value in q.equals:
            if not _can_see(actor, spec, spec.field(name)):  # else equality would reveal masked values
                raise PermissionDenied(_("Hidden: your role may not see this personal data."))
            key = name + "__id" if name + "__id" in self.columns else name
            conds.append(self.columns[key] == value)
        return conds

    def select_all(self) -> Select[Any]:
        model = self.spec.model
        stmt = select(model.id, model.version, model.deleted_at, model.deleted_by,
                      *(c.label(n) for n, c in self.columns.items()))
        for alias, on in self.joins:
            stmt = stmt.outerjoin(alias, on)
        return stmt

    def select_rows(self, actor: Actor, q: ListQuery) -> Select[Any]:
        return self.select_all().where(and_(*self.where(actor, q)))

    def order_by(self, actor: Actor, q: ListQuery) -> list[ColumnElement[Any]]:
        spec = self.spec
        name, descending = q.sort, q.descending
        if not name or not spec.has_field(name) or not _can_see(actor, spec, spec.field(name)):
            name, descending = spec.default_sort, spec.default_descending
        order: list[ColumnElement[Any]] = []
        if name:
            column = self.columns[name]
            if spec.field(name).kind is Kind.MULTI_CHOICE:
                column = cast(column, String)  # PostgreSQL has no ordering for json; its text sorts
            ordered = column.desc() if descending else column.asc()
            nullable = name in spec.model.__table__.c and spec.model.__table__.c[name].nullable
            # Empty values last on every backend (SQLite and PostgreSQL differ by default); only
            # where a column can be empty, so that a NOT NULL column's index still serves the sort.
            order.append(ordered.nulls_last() if nullable else ordered)
        # A unique tie-breaker keeps pages stable; ids are time-ordered, so this is creation order.
        order.append(spec.model.id.desc() if descending else spec.model.id.asc())
        return order


_queries: dict[str, _Query] = {}


def _query(spec: RegisterSpec) -> _Query:
    if spec.key not in _queries:
        _queries[spec.key] = _Query(spec)
    return _queries[spec.key]


PAGE_STATEMENTS_KEPT = 64  # statements of lists kept built (a few per open register)


class _Statement:
    """A list's statement (a page or a count), built once per query, with its SQL text compiled
    once for each database it runs on (see `_DriverStatement`)."""

    __slots__ = ("select", "compiled", "__weakref__")

    def __init__(self, select: Select[Any]) -> None:
        self.select = select
        self.compiled: weakref.WeakKeyDictionary[Any, _DriverStatement | None] = weakref.WeakKeyDictionary()


def _kept(cache: OrderedDict[Any, _Statement], key: Any, build: Any) -> _Statement:
    statement = cache.get(key)
    if statement is None:
        statement = cache[key] = _Statement(build())
        while len(cache) > PAGE_STATEMENTS_KEPT:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return statement


class _DriverStatement:
    """A statement compiled once for one database (its dialect) into the SQL text and the
    parameters that SQLAlchemy would send, for the driver's own cursor (`_driver_fetch`): the values
    come back as the driver returns them (no per-value type processing of a whole page) and are
    converted by the row plan when read.  Only the offset and the limit change between calls; the
    query's own parameters (dates, search patterns, ids) are bound and processed once, as
    SQLAlchemy itself would bind them (its bind processors for this dialect)."""

    __slots__ = ("sql", "template", "variables")

    def __init__(self, sql: str, template: list[Any] | dict[str, Any],
                 variables: list[tuple[Any, str, Any]]) -> None:
        self.sql = sql
        self.template = template  # positional: the parameters in order; else by name
        self.variables = variables  # (position or name, variable, its bind processor)

    def parameters(self, given: Mapping[str, Any]) -> Any:
        if not self.variables:
            return tuple(self.template) if isinstance(self.template, list) else self.template
        params = self.template.copy()
        for where, name, process in self.variables:
            value = given[name]
            params[where] = process(value) if process is not None else value  # type: ignore[index]
        return tuple(params) if isinstance(params, list) else params


def _driver_statement(connection: Any, statement: _Statement, variables: Mapping[str, Any]) -> _DriverStatement | None:
    """`statement` as SQL text for this connection's database, or None where plain SQL text would
    not be what SQLAlchemy sends (a schema translation, literal-rendered parameters): those run
    through SQLAlchemy's own execution."""
    if connection.get_execution_options().get("schema_translate_map"):
        return None
    dialect = connection.dialect
    try:
        return statement.compiled[dialect]
    except KeyError:
        pass
    driver = None
    compiled = statement.select.compile(dialect=dialect)
    if not compiled.literal_execute_params and not any(isinstance(b.type, TupleType) for b in compiled.binds.values()):
        state = compiled.construct_expanded_state(dict(variables), escape_names=False)
        processors: dict[str, Any] = {name: b.type.dialect_impl(dialect).bind_processor(dialect)
                                      for name, b in compiled.binds.items()}
        processors.update(state.processors)  # the expanded elements of an IN list
        params = state.parameters

        def bound(name: str) -> Any:
            process = processors.get(name)
            return process(params[name]) if process is not None else params[name]

        if compiled.positional:
            order = list(state.positiontup or ())
            template: list[Any] | dict[str, Any] = [None if name in variables else bound(name) for name in order]
            where: list[tuple[Any, str, Any]] = [(i, name, processors.get(name)) for i, name in enumerate(order)
                                                 if name in variables]
        else:
            escaped = compiled.escaped_bind_names or {}
            template = {escaped.get(name, name): None if name in variables else bound(name) for name in params}
            where = [(escaped.get(name, name), name, processors.get(name)) for name in params if name in variables]
        driver = _DriverStatement(state.statement, template, where)
    statement.compiled[dialect] = driver
    return driver


_counts: OrderedDict[tuple[str, bool, ListQuery], _Statement] = OrderedDict()


def count(session: Session, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery()) -> int:
    q = _searchable(q)
    if spec.search is not None and q.search:
        served = spec.search.count(session, actor, q)
        if served is not None:
            return int(served)
    def build() -> Select[Any]:
        qq = _query(spec)
        stmt = select(func.count()).select_from(spec.model)
        if q.search or q.equals:  # the join is needed only to search or filter by a referenced name
            for alias, on in qq.joins:
                stmt = stmt.outerjoin(alias, on)
        return stmt.where(and_(*qq.where(actor, q)))

    # Built once per query, as the pages are; what the actor may see decides what may be searched.
    statement = _kept(_counts, (spec.key, actor.can_read_sensitive(spec.group), q), build)
    connection = _connection(session)
    driver = _driver_statement(connection, statement, {})
    if driver is None:
        return connection.execute(statement.select).scalar() or 0
    return _driver_fetch(connection, driver.sql, driver.parameters({}))[0][0] or 0


def _watched(connection: Any) -> bool:
    """Whether someone watches this connection's statements (a cursor event, SQL echo): then
    they run through SQLAlchemy, not straight through the driver."""
    dispatch = connection.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute or connection._echo)


def _driver_fetch(connection: Any, sql: str, parameters: Any) -> list[Any]:
    """The rows of `sql` straight from the driver's cursor, in the connection's transaction: a
    list's page or count is a fraction of a millisecond, and SQLAlchemy's execution around a
    statement (events, result objects) would cost half as much again.  Whoever watches the
    statements (a cursor event, SQL echo) still sees them: then they run through SQLAlchemy.  A
    driver error is raised as SQLAlchemy would raise it."""
    if _watched(connection):
        return connection.exec_driver_sql(sql, parameters).fetchall()  # type: ignore[no-any-return]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as e:
        raise DBAPIError.instance(sql, parameters, e, connection.dialect.loaded_dbapi.Error,
                                  dialect=connection.dialect) from e
    finally:
        cursor.close()


def _connection(session: Session) -> Any:
    """The session's connection for a plain read, after writing out what the session holds (as
    the ORM's own queries would), so that a count or a page inside a write sees its own changes."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()


_OFFSET, _LIMIT = bindparam("civ_offset", type_=Integer), bindparam("civ_limit", type_=Integer)
_PAGE_VARIABLES = {"civ_offset": 0, "civ_limit": 0}
_pages: OrderedDict[tuple[str, bool, ListQuery], _Statement] = OrderedDict()


def _page_statement(actor: Actor, spec: RegisterSpec, q: ListQuery) -> _Statement:
    """The list's SELECT for a query, built once: scrolling and paging only change its offset.
    What the actor may see is part of the key (it decides what may be searched and sorted)."""
    def build() -> Select[Any]:
        qq = _query(spec)
        return qq.select_rows(actor, q).order_by(*qq.order_by(actor, q)).offset(_OFFSET).limit(_LIMIT)

    return _kept(_pages, (spec.key, actor.can_read_sensitive(spec.group), q), build)


def fetch(session: Session, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery(),
          offset: int = 0, limit: int = 200) -> list[Row]:
    """One page of the list, sorted and filtered by the database.  Its rows are converted when
    first read (the table reads the few on screen); what the actor may not see is masked here."""
    q = _searchable(q)
    if spec.search is not None and q.search:
        ids = spec.search.page(session, actor, q, offset, limit)
        if ids is not None:
            return _rows_of(session, actor, spec, ids)
    statement = _page_statement(actor, spec, q)
    sees = actor.can_read_sensitive(spec.group)
    connection = _connection(session)
    given = {"civ_offset": offset, "civ_limit": limit}
    driver = _driver_statement(connection, statement, _PAGE_VARIABLES)
    if driver is None:
        plan = _plan(spec, sees)
        rows: list[Row] = [_row(actor, spec, r, plan) for r in connection.execute(statement.select, given)]
    else:
        plan = _plan(spec, sees, connection.dialect)
        rows = _page_rows(plan, _driver_fetch(connection, driver.sql, driver.parameters(given)))
    _add_computed(session, actor, spec, rows)
    return rows


def stream(session: Session, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery(),
           chunk: int = 5000) -> Iterator[list[Row]]:
    """Every row of the list, `chunk` at a time, as `fetch` gives them (an export of 100,000).
    On SQLite one statement read through its cursor; paging by OFFSET would read again every row
    it skips (a fifth of an export's time).  Elsewhere, or where the register searches in its own
    way, or someone watches the statements, page by page."""
    q = _searchable(q)
    connection = _connection(session)
    plain = (connection.dialect.name == "sqlite" and not (spec.search is not None and q.search)
             and not _watched(connection))
    driver = _driver_statement(connection, _page_statement(actor, spec, q), _PAGE_VARIABLES) if plain else None
    if driver is None:
        offset = 0
        while True:
            page = fetch(session, actor, spec, q, offset=offset, limit=chunk)
            if page:
                yield page
            if len(page) < chunk:
                return
            offset += len(page)
    plan = _plan(spec, actor.can_read_sensitive(spec.group), connection.dialect)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(driver.sql, driver.parameters({"civ_offset": 0, "civ_limit": -1}))  # SQLite: no limit
        while True:
            found = cursor.fetchmany(chunk)
            if not found:
                return
            rows = _page_rows(plan, found)
            _add_computed(session, actor, spec, rows)
            yield rows
    finally:
        cursor.close()


def _rows_of(session: Session, actor: Actor, spec: RegisterSpec, ids: Sequence[uuid.UUID]) -> list[Row]:
    """The rows of these records, in this order (a page the register's own search found)."""
    if not ids:
        return []
    plan = _plan(spec, actor.can_read_sensitive(spec.group))
    found = {r[0]: r for r in session.execute(_query(spec).select_all().where(spec.model.id.in_(list(ids))))}
    rows = [_row(actor, spec, found[i], plan) for i in ids if i in found]
    _add_computed(session, actor, spec, rows)
    return rows


def _add_computed(session: Session, actor: Actor, spec: RegisterSpec, rows: Sequence[Row]) -> None:
    """The computed columns' values of a page, one query each (by the group's figures); a
    sensitive one (a birth date taken from an ID number) is masked as a stored field would be."""
    if not spec.computed or not rows:
        return
    ids = [r.id for r in rows]
    for column in spec.computed:
        f = column.field
        found = column.compute(session, ids)
        for r in rows:
            value = found.get(r.id)
            if not _can_see(actor, spec, f) and not V.is_empty(value):
                value = V.mask(f, V.display_text(f, value))
                object.__setattr__(r, "masked", r.masked | {f.name})
            r.values[f.name] = value


class _Plan:
    """How to turn a result tuple of the list's SELECT (`_Query.select_all()`) into a row's values,
    worked out once per register, visibility and database: a page then costs a loop, not
    rows × fields lookups.  `dialect` None: the tuple's values are already SQLAlchemy's (typed);
    else they are the driver's, and each column's conversion starts with SQLAlchemy's own result
    processing for that database (text to UUID, date, time and UTC datetime on SQLite; next to
    nothing on PostgreSQL), so that both forms give the same values."""

    __slots__ = ("hidden", "reading", "id_convert", "deleted_at_convert")

    def __init__(self, spec: RegisterSpec, sees_sensitive: bool, dialect: Any = None) -> None:
        qq = _query(spec)
        names = ["id", "version", "deleted_at", "deleted_by", *qq.columns]
        position = {name: i for i, name in enumerate(names)}
        if dialect is None:
            driver: list[Any] = [None] * len(names)
        else:
            driver = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                      for c in qq.select_all().selected_columns]

        def then(first: Any, second: Any) -> Any:
            if first is None or second is None:
                return first or second
            return lambda value: second(first(value))

        # What `_masked` does for each field the actor may not see: (field, position, conversion,
        # and for a reference: the field that names it and that field's conversion).
        self.hidden: list[tuple[FieldSpec, int, Any, FieldSpec | None, Any]] = []
        # What `_values` does for each field of a tuple `_masked` has been through: (name, position,
        # conversion; for a reference: its id's key, position and conversion, and the field that
        # names it with that field's conversion, None where the name is masked already).
        self.reading: list[tuple[str, int, Any, tuple[str, int, Any, FieldSpec | None, Any] | None]] = []
        for f in spec.fields:
            i, visible = position[f.name], f.sensitive is None or sees_sensitive
            if f.kind is Kind.REFERENCE:
                shown = qq.shown_as[f.name]  # the reference's column holds this field of its record
                id_index = position[f.name + "__id"]
                # A page names the same few parents again and again: their ids are made once.
                id_convert = lru_cache(maxsize=1024)(driver[id_index]) if driver[id_index] else None
                convert = driver[i]
                ref = (f.name + "__id", id_index, id_convert, shown if visible else None, _converter(shown))
                if not visible:
                    self.hidden.append((f, i, convert, shown, _converter(shown)))
            else:
                convert, ref = then(driver[i], _converter(f)), None
                if not visible:
                    self.hidden.append((f, i, convert, None, None))
            self.reading.append((f.name, i, convert if visible else None, ref))
        self.id_convert, self.deleted_at_convert = driver[0], driver[2]


_plans: dict[tuple[str, bool], _Plan] = {}
_driver_plans: weakref.WeakKeyDictionary[Any, dict[tuple[str, bool], _Plan]] = weakref.WeakKeyDictionary()


def _converter(f: FieldSpec) -> Any:
    """The database-to-value conversion of `f`, or None where the stored value is the value."""
    if f.kind in (Kind.TEMPERATURE, Kind.MONEY, Kind.DATETIME):
        return lambda value, f=f: V.from_db(f, value)
    return None


def _plan(spec: RegisterSpec, sees_sensitive: bool, dialect: Any = None) -> _Plan:
    plans = _plans if dialect is None else _driver_plans.setdefault(dialect, {})
    key = (spec.key, sees_sensitive)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _Plan(spec, sees_sensitive, dialect)
    return plan


def _named(shown: FieldSpec, shown_convert: Any, value: Any) -> Any:
    """A reference's value: the name of the record it refers to."""
    if not isinstance(value, str):  # a date or a choice names the record
        return V.display_text(shown, shown_convert(value) if shown_convert else value)
    if shown.kind is Kind.CHOICE:
        return shown.choice_title(value)
    return value


def _masked(plan: _Plan, r: Sequence[Any]) -> tuple[Sequence[Any], frozenset[str]]:
    """`r` with what the actor may not see already masked in place, and the masked fields: done
    as the page is read, so that no row ever holds a value its reader may not see."""
    if not plan.hidden:
        return r, frozenset()
    r = list(r)
    masked = set()
    for f, i, convert, shown, shown_convert in plan.hidden:
        value = r[i]
        if value is not None and convert is not None:
            value = convert(value)
        if value is not None and shown is not None:
            value = _named(shown, shown_convert, value)
        if not V.is_empty(value):
            value = V.mask(f, V.display_text(f, value))
            masked.add(f.name)
        r[i] = value
    return r, frozenset(masked)


def _values(plan: _Plan, r: Sequence[Any]) -> dict[str, Any]:
    """The row's values from a tuple that `_masked` has been through."""
    values: dict[str, Any] = {}
    for name, i, convert, ref in plan.reading:
        value = r[i]
        if value is not None and convert is not None:
            value = convert(value)
        if ref is not None:
            id_name, id_index, id_convert, shown, shown_convert = ref
            ref_id = r[id_index]
            values[id_name] = id_convert(ref_id) if id_convert is not None and ref_id is not None else ref_id
            if shown is not None and value is not None:
                value = _named(shown, shown_convert, value)
        values[name] = value
    return values


def _row(actor: Actor, spec: RegisterSpec, r: Sequence[Any], plan: _Plan | None = None) -> Row:
    """One result tuple of `_Query.select_all()` (SQLAlchemy's typed values) as a row: references
    named, values converted, what the actor may not see masked."""
    plan = plan or _plan(spec, actor.can_read_sensitive(spec.group))
    r, masked = _masked(plan, r)
    return Row(r[0], r[1], _values(plan, r), masked, r[2], r[3])


class _Converted:
    """A field of a page's row that is converted when first read (a non-data descriptor: once
    converted, the value sits in the row's own storage and is read from there, as in any `Row`)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, row: Any, owner: type | None = None) -> Any:
        if row is None:
            return self
        return row._convert(self.name)


class _PageRow(Row):
    """A row of a page as the database driver returned it, masked already (`_masked`), and
    converted the first time it is read: a page holds 200 rows, the table shows about 35, and
    converting the others would only make the user wait.  Its id alone is converted on its own
    (a view looks for the selected record's id among the page's rows).  Otherwise a `Row`."""

    __slots__ = ("_source",)
    id, version, values = _Converted(), _Converted(), _Converted()
    masked, deleted_at, deleted_by = _Converted(), _Converted(), _Converted()

    def _convert(self, name: str) -> Any:
        plan, r, masked = self._source
        d = self.__dict__  # the frozen dataclass's own storage
        if "id" not in d:
            d["id"] = r[0] if plan.id_convert is None else plan.id_convert(r[0])
            if name == "id":
                return d["id"]
        d["version"], d["values"], d["masked"], d["deleted_by"] = r[1], _values(plan, r), masked, r[3]
        d["deleted_at"] = r[2] if r[2] is None or plan.deleted_at_convert is None else plan.deleted_at_convert(r[2])
        return d[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return ((self.id, self.version, self.values, self.masked, self.deleted_at, self.deleted_by)
                == (other.id, other.version, other.values, other.masked, other.deleted_at, other.deleted_by))

    __hash__ = Row.__hash__


_set_source = _PageRow._source.__set__  # type: ignore[attr-defined]


def _page_rows(plan: _Plan, records: Sequence[Sequence[Any]]) -> list[Row]:
    rows: list[Row] = []
    new, nothing = object.__new__, frozenset()
    for r in records:
        row = new(_PageRow)
        _set_source(row, (plan, *_masked(plan, r)) if plan.hidden else (plan, r, nothing))
        rows.append(row)
    return rows


def get(session: Session, actor: Actor, spec: RegisterSpec, record_id: uuid.UUID) -> Row:
    """One record, deleted or not, masked as in the list."""
    r = session.execute(_query(spec).select_all().where(spec.model.id == record_id)).first()
    if r is None:
        raise NotFound(_("This record no longer exists."))
    row = _row(actor, spec, r)
    _add_computed(session, actor, spec, [row])
    return row


def live_children(session: Session, spec: RegisterSpec, record_id: uuid.UUID) -> list[tuple[RegisterSpec, int]]:
    """How many live records of each child register belong to the record `record_id` of `spec`."""
    found = []
    for child in children_of(spec):
        model = child.model
        n = session.scalar(select(func.count()).select_from(model).where(
            getattr(model, child.parent_field or "") == record_id, model.deleted_at.is_(None))) or 0
        if n:
            found.append((child, n))
    return found


@dataclass(frozen=True)
class Option:
    id: uuid.UUID
    label: str


def options(session: Session, actor: Actor, spec: RegisterSpec, search: str = "", limit: int = 5000) -> list[Option]:
    """Choices for a reference field: the live records of `spec`, by their display fields."""
    model = spec.model
    columns = [getattr(model, n) for n in spec.display_fields]
    stmt = select(model.id, *columns).where(model.deleted_at.is_(None))
    if search:
        stmt = stmt.where(columns[0].ilike(f"%{_escape_like(search)}%", escape="\\"))
    stmt = stmt.order_by(columns[0], model.id).limit(limit)
    return [Option(r[0], " ".join(str(x) for x in r[1:] if x not in (None, ""))) for r in session.execute(stmt)]


# ------------------------------------------------------------------ writes


def _require_write(actor: Actor, spec: RegisterSpec) -> None:
    if not actor.can_write(spec.group):
        raise PermissionDenied(
            _("Your account may not change the register “{register}”.").format(register=spec.name)
        )


def _label(session: Session, spec: RegisterSpec, current: Mapping[str, Any],
           references: References | None = None) -> str:
    """How the audit log and messages name a record, e.g. "张三 2021-10-25"."""
    parts = [_canonical(session, spec.field(n), current.get(n), references)
             if spec.field(n).kind is Kind.REFERENCE
             else V.display_text(spec.field(n), current.get(n)) for n in spec.display_fields]
    return " ".join(p for p in parts if p)


def _reference_label(session: Session, f: FieldSpec, value: uuid.UUID) -> str:
    target = get_register(f.reference or "")
    obj = session.get(target.model, value)
    return str(getattr(obj, target.display_fields[0])) if obj is not None else ""


def _canonical(session: Session, f: FieldSpec, value: Any, references: References | None = None) -> str | None:
    if f.kind is Kind.REFERENCE and value is not None:
        return references.label(f, value) if references is not None else _reference_label(session, f, value)
    return V.canonical_text(f, value)


class References:
    """Whether referenced records are live, and how they are named, asked once per record for
    many rows (an import's preview and write): the session keeps loaded records only while
    something else holds them, so each row would otherwise load its duty point anew."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._records: dict[tuple[str, uuid.UUID], Any] = {}  # held, so the session keeps them loaded

    def _get(self, f: FieldSpec, value: uuid.UUID) -> Any:
        key = (f.reference or "", value)
        if key not in self._records:
            self._records[key] = self._session.get(get_register(key[0]).model, value)
        return self._records[key]

    def live(self, f: FieldSpec, value: uuid.UUID) -> bool:
        target = self._get(f, value)
        return target is not None and target.deleted_at is None

    def label(self, f: FieldSpec, value: uuid.UUID) -> str:
        target = self._get(f, value)
        return str(getattr(target, get_register(f.reference or "").display_fields[0])) if target is not None else ""


def _validate(session: Session, spec: RegisterSpec, given: Mapping[str, Any],
              current: Mapping[str, Any], record_id: uuid.UUID | None, *,
              references: References | None = None, today: date | None = None) -> dict[str, Any]:
    """Coerce `given` onto `current`; raise one ValidationError naming every bad field.
    `references`, `today`: asked once for many rows (an import) rather than for each."""
    errors: dict[str, str] = {}
    merged = dict(current)
    unknown = set(given) - {f.name for f in spec.form_fields}
    if unknown:
        raise ValidationError({"": _("Unknown fields: {f}").format(f=", ".join(sorted(unknown)))})
    for f in spec.form_fields:
        if f.name not in given and record_id is not None:
            continue
        try:
            merged[f.name] = V.coerce(f, given.get(f.name), today=today)
        except ValueError as e:
            errors[f.name] = str(e)
    for f in spec.form_fields:
        value = merged.get(f.name)
        if f.kind is Kind.REFERENCE and f.name not in errors and value is not None:
            if references is not None:
                live = references.live(f, value)
            else:
                target = session.get(get_register(f.reference or "").model, value)
                live = target is not None and target.deleted_at is None
            if not live:
                errors[f.name] = _("The chosen record no longer exists; please choose again.")
    # The register's rules run even when a field failed, so that every message shows at once;
    # a rule's message never replaces a field's own.
    for rule in spec.rules:
        for name, message in rule(session, merged, record_id).items():
            errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    return merged


def _current(spec: RegisterSpec, obj: Any) -> dict[str, Any]:
    return {f.name: V.from_db(f, getattr(obj, f.name)) for f in spec.fields}


def _found_warnings(session: Session, spec: RegisterSpec, values: Mapping[str, Any],
                    record_id: uuid.UUID | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in spec.warnings:
        for name, message in rule(session, values, record_id).items():
            found.setdefault(name, message)
    return found


def _warnings(session: Session, spec: RegisterSpec, clean: Mapping[str, Any], record_id: uuid.UUID | None,
              accept: Collection[str], known: Collection[str] = ()) -> list[str]:
    """The register's warnings for these values; refused unless the clerk accepted every one of
    them (by its text, so that a different possible duplicate is asked about anew).  `known`:
    warnings the record had before this edit, accepted then and not asked again."""
    found = _found_warnings(session, spec, clean, record_id)
    if any(message not in accept and message not in known for message in found.values()):
        raise NeedsConfirmation({n: m for n, m in found.items() if m not in known})
    return [m for m in found.values() if m not in known]


def _derive(spec: RegisterSpec, clean: dict[str, Any]) -> tuple[FieldSpec, ...]:
    """Add the derived values to `clean`; the fields written: the form's and the derived ones."""
    if spec.derive is None:
        return spec.form_fields
    derived = spec.derive(clean)
    clean.update(derived)
    return spec.form_fields + tuple(spec.field(n) for n in derived if not spec.field(n).in_form)


def _accepted(changes: dict[str, list[Any]], accepted: list[str]) -> None:
    if accepted:  # the audit keeps what the clerk was warned about and saved anyway
        changes["warnings accepted"] = [None, "；".join(accepted)]


def create(session: Session, actor: Actor, spec: RegisterSpec, values: Mapping[str, Any], *,
           accept: Collection[str] = (), record_id: uuid.UUID | None = None) -> Row:
    """`accept`: the warnings (`RegisterSpec.warnings` messages) the clerk has seen and accepts.
    `record_id`: the id a working copy gave the record (the server applying its change);
    otherwise a new one.  Returns the record as the actor sees it."""
    return get(session, actor, spec, create_id(session, actor, spec, values, accept=accept, record_id=record_id))


def create_id(session: Session, actor: Actor, spec: RegisterSpec, values: Mapping[str, Any], *,
              accept: Collection[str] = (), record_id: uuid.UUID | None = None) -> uuid.UUID:
    """`create`, returning only the new record's id (the server applying many PCs' changes has
    no use for the row read back: a quarter of the work)."""
    _require_write(actor, spec)
    refs = References(session)  # a referenced record is read once, not for the check, the audit and the label
    clean = _validate(session, spec, values, {}, None, references=refs)
    accepted = _warnings(session, spec, clean, None, accept)
    written = _derive(spec, clean)
    now = now_utc()
    obj = spec.model(
        **({"id": record_id} if record_id is not None else {}),
        **{f.name: V.to_db(f, clean.get(f.name)) for f in written},
        created_at=now, created_by=actor.username, updated_at=now, updated_by=actor.username,
    )
    session.add(obj)
    _flush(session, spec)
    changes = {f.name: [None, _canonical(session, f, clean.get(f.name), refs)] for f in written
               if not V.is_empty(clean.get(f.name))}
    _accepted(changes, accepted)
    label = _label(session, spec, clean, refs)
    audit.record(session, actor, "create", spec.key, obj.id, record_version=obj.version,
                 label=label, changes=changes, at=now)
    capture.queue(session, actor, "create", spec, obj.id, capture.create_payload(spec, clean, accepted), label)
    return obj.id


BULK_CHUNK = 5000  # new records written per statement by `create_many`


@dataclass(frozen=True)
class Checked:
    """A new record's values as the form's validation and the register's rules left them, and
    the warnings found for them, made only by `check_new`.  An import's preview checks every row
    once; its write (`create_many`) reuses the result rather than checking 100,000 rows again,
    re-asking only what other records decide: whether the referenced records still exist."""
    values: Mapping[str, Any]
    warnings: tuple[tuple[str, str], ...]  # (field, message)


def check_new(session: Session, spec: RegisterSpec, values: Mapping[str, Any], *,
              references: References | None = None, today: date | None = None) -> Checked:
    """`values` checked as `create` checks them (ValidationError naming every bad field), for a
    later `create_many`.  Writes nothing."""
    clean = _validate(session, spec, values, {}, None, references=references, today=today)
    return Checked(clean, tuple(_found_warnings(session, spec, clean, None).items()) if spec.warnings else ())


def writes_in_bulk(spec: RegisterSpec) -> bool:
    """Whether `create_many` writes this register's new records together: its spec says its
    records stand alone and every rule and warning looks only at the row."""
    return spec.bulk_rows and all(is_row_local(r) for r in (*spec.rules, *spec.warnings))


def create_many(session: Session, actor: Actor, spec: RegisterSpec, rows: Sequence[Mapping[str, Any] | Checked], *,
                accept: Sequence[Collection[str]] | None = None,
                progress: Any = None) -> list[uuid.UUID]:
    """Create many records (an import) in the caller's transaction: each row validated, checked
    by the register's rules and warnings and audited exactly as `create` does it, so a bad row
    refuses the whole call with its position (`ValidationError.row`, 0-based).  Where the
    register allows it (`writes_in_bulk`) the records and their audit entries are written a few
    thousand to a statement (100,000 entry registrations in seconds, not minutes); otherwise
    one by one through `create`.  A row may be a `Checked` (from `check_new`, an import's
    preview): it is not validated again, but the records it refers to must still exist and its
    warnings must still be accepted.  Returns the new ids in the order of `rows`."""
    _require_write(actor, spec)
    accepted_by_row = accept if accept is not None else [()] * len(rows)
    if not writes_in_bulk(spec):
        ids = []
        for i, (values, ok) in enumerate(zip(rows, accepted_by_row)):
            try:
                ids.append(create_id(session, actor, spec, dict(values.values) if isinstance(values, Checked) else values,
                                     accept=ok))
            except ValidationError as e:
                e.row = i
                raise
            if progress is not None and (i + 1) % 200 == 0:
                progress(i + 1, len(rows))
        return ids
    from civaffairs.audit.models import AuditEntry
    from civaffairs.core.ids import new_id

    references = References(session)
    today = today_local()
    now = now_utc()
    user = actor.username
    table = spec.model.__table__
    ids: list[uuid.UUID] = []
    records_out: dict[frozenset[str], list[dict[str, Any]]] = {}
    audits: list[dict[str, Any]] = []
    queued: list[Any] | None = [] if capture.is_working_copy(session) else None

    def write() -> None:
        try:
            for batch in records_out.values():
                insert_rows(session, table, batch)
        except IntegrityError:
            raise ValidationError({"": _("This record clashes with one that was just saved elsewhere. Please reload and check.")}) from None
        insert_rows(session, AuditEntry.__table__, audits)
        if queued:
            capture.queue_created(session, actor, spec, queued)
            queued.clear()
        records_out.clear()
        audits.clear()

    session.flush()
    reference_fields = [f for f in spec.form_fields if f.kind is Kind.REFERENCE]
    for i, (values, ok) in enumerate(zip(rows, accepted_by_row)):
        try:
            if isinstance(values, Checked):
                clean = dict(values.values)
                for f in reference_fields:  # deleted since the preview?  (asked once per record)
                    target = clean.get(f.name)
                    if target is not None and not references.live(f, target):
                        raise ValidationError({f.name: _("The chosen record no longer exists; please choose again.")})
                if any(message not in ok for _n, message in values.warnings):
                    raise NeedsConfirmation(dict(values.warnings))
                accepted = [message for _n, message in values.warnings]
            else:
                clean = _validate(session, spec, values, {}, None, references=references, today=today)
                accepted = _warnings(session, spec, clean, None, ok)
        except ValidationError as e:
            e.row = i
            raise
        written = _derive(spec, clean)
        record_id = new_id()
        row = {f.name: V.to_db(f, clean.get(f.name)) for f in written}
        row.update(id=record_id, version=1, created_at=now, created_by=user, updated_at=now, updated_by=user,
                   deleted_at=None, deleted_by=None)
        records_out.setdefault(frozenset(row), []).append(row)
        changes = {f.name: [None, _canonical(session, f, clean.get(f.name), references)] for f in written
                   if not V.is_empty(clean.get(f.name))}  # as `create` audits it
        _accepted(changes, accepted)
        label = _label(session, spec, clean, references)
        audits.append(dict(id=new_id(), at=now, actor=user, action="create", register=spec.key, record_id=record_id,
                           record_version=1, record_label=label[:200], changes=changes))
        if queued is not None:
            queued.append((record_id, clean, accepted, label))
        ids.append(record_id)
        if len(audits) >= BULK_CHUNK:
            write()
            if progress is not None:
                progress(i + 1, len(rows))
    write()
    return ids


_inserts: dict[tuple[Any, tuple[str, ...], Any], tuple[str, bool, list[Any]]] = {}


def insert_rows(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows of one shape (the same keys) into `table` in the session's transaction,
    through the driver's executemany with each value bound as SQLAlchemy binds it (its type's
    bind processor): SQLAlchemy's own executemany spends most of its time per row around the
    values (100,000 rows: 1.2 s against 0.4 s, ../shared/PERFORMANCE.md).  Whoever watches the
    statements still sees them: then SQLAlchemy runs it.  A driver error is raised as SQLAlchemy
    would raise it (an `IntegrityError` stays one).  Audit entries are chained here, after
    whatever the session holds, as the ORM chains its own (`civaffairs.audit.chain`)."""
    if not rows:
        return
    from sqlalchemy import insert

    from civaffairs.audit import chain
    from civaffairs.audit.models import AuditEntry

    connection = _connection(session)
    if table is AuditEntry.__table__:
        rows = [dict(r) for r in rows]
        chain.extend(connection, rows)
    if _watched(connection) or connection.get_execution_options().get("schema_translate_map"):
        connection.execute(insert(table), list(rows))
        return
    dialect = connection.dialect
    names = tuple(rows[0])
    key = (table, names, dialect)
    made = _inserts.get(key)
    if made is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
        order = list(compiled.positiontup or ()) if compiled.positional else list(names)
        processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in order]
        made = _inserts[key] = (compiled.string, compiled.positional, processors)
    sql, positional, processors = made
    if positional:
        params: list[Any] = [tuple(r[n] if p is None else p(r[n]) for n, p in processors) for r in rows]
    else:
        params = [{n: r[n] if p is None else p(r[n]) for n, p in processors} for r in rows]
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, params)
    except dialect.loaded_dbapi.Error as e:
        raise DBAPIError.instance(sql, params[:1], e, dialect.loaded_dbapi.Error, dialect=dialect) from e
    finally:
        cursor.close()


def _flush(session: Session, spec: RegisterSpec) -> None:
    try:
        session.flush()
    except IntegrityError:
        # The rules check uniqueness first with a clear message; this is the race between two PCs.
        raise ValidationError({"": _("This record clashes with one that was just saved elsewhere. Please reload and check.")}) from None


def _load(session: Session, spec: RegisterSpec, record_id: uuid.UUID) -> Any:
    # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock.
    obj = session.get(spec.model, record_id, with_for_update=True)
    if obj is None:
        raise NotFound(_("This record no longer exists."))
    return obj


def _conflict(session: Session, spec: RegisterSpec, obj: Any, expected_version: int) -> EditConflict:
    changes = []
    for entry in audit.changes_since(session, obj.id, expected_version):
        for name, (old, new) in entry.changes.items():
            f = spec.field(name) if spec.has_field(name) else None
            if f is None:
                continue
            changes.append(FieldChange(name, f.title, V.display_canonical(f, old), V.display_canonical(f, new),
                                       entry.actor, entry.at))
    return EditConflict(changes, deleted=obj.deleted_at is not None)


def update(session: Session, actor: Actor, spec: RegisterSpec, record_id: uuid.UUID,
           expected_version: int, values: Mapping[str, Any], *, accept: Collection[str] = ()) -> Row:
    """Save an edit made to version `expected_version`; refused if anyone saved since."""
    _require_write(actor, spec)
    obj = _load(session, spec, record_id)
    if obj.version != expected_version or obj.deleted_at is not None:
        raise _conflict(session, spec, obj, expected_version)
    current = _current(spec, obj)
    known = set(_found_warnings(session, spec, current, record_id).values()) if spec.warnings else set()
    refs = References(session)  # a referenced record is read once, not for the check, the audit and the label
    clean = _validate(session, spec, values, current, record_id, references=refs)
    written = _derive(spec, clean)
    changed = [f for f in written if clean.get(f.name) != current.get(f.name)]
    if not changed:
        return get(session, actor, spec, record_id)
    # Only what this edit brings is asked: a duplicate accepted when the record was made is not.
    accepted = _warnings(session, spec, clean, record_id, accept, known)
    changes: dict[str, list[Any]] = {}
    for f in changed:
        changes[f.name] = [_canonical(session, f, current.get(f.name), refs), _canonical(session, f, clean.get(f.name), refs)]
        setattr(obj, f.name, V.to_db(f, clean.get(f.name)))
    _accepted(changes, accepted)
    now = now_utc()
    obj.updated_at, obj.updated_by = now, actor.username
    try:
        _flush(session, spec)
    except StaleDataError:  # saved by another PC between our read and our write
        raise EditConflict([], deleted=False) from None
    label = _label(session, spec, clean, refs)
    audit.record(session, actor, "update", spec.key, obj.id, record_version=obj.version,
                 label=label, changes=changes, at=now)
    capture.queue(session, actor, "update", spec, obj.id, capture.update_payload(
        spec, expected_version, current, clean, [f.name for f in changed], accepted), label)
    return get(session, actor, spec, record_id)


def delete(session: Session, actor: Actor, spec: RegisterSpec, record_id: uuid.UUID,
           expected_version: int | None = None) -> None:
    """Move a record to the recycle bin; an administrator can restore it."""
    _require_write(actor, spec)
    obj = _load(session, spec, record_id)
    if obj.deleted_at is not None:
        return
    if expected_version is not None and obj.version != expected_version:
        raise _conflict(session, spec, obj, expected_version)
    children = live_children(session, spec, record_id)
    if children:
        raise HasChildren(_label(session, spec, _current(spec, obj)), [(c.name, n) for c, n in children])
    if spec.delete_rules:
        current = _current(spec, obj)
        reasons = [m for rule in spec.delete_rules for m in rule(session, current, record_id).values()]
        if reasons:
            raise ValidationError({"": _("“{label}” cannot be deleted: {reason}").format(
                label=_label(session, spec, current), reason="；".join(reasons))})
    now = now_utc()
    version = obj.version
    obj.deleted_at, obj.deleted_by = now, actor.username
    obj.updated_at, obj.updated_by = now, actor.username
    session.flush()
    label = _label(session, spec, _current(spec, obj))
    audit.record(session, actor, "delete", spec.key, obj.id, record_version=obj.version, label=label, at=now)
    capture.queue(session, actor, "delete", spec, obj.id, {"version": version}, label)


def delete_many(session: Session, actor: Actor, spec: RegisterSpec, record_ids: Sequence[uuid.UUID]) -> int:
    for record_id in record_ids:
        delete(session, actor, spec, record_id)
    return len(record_ids)


def restore(session: Session, actor: Actor, spec: RegisterSpec, record_id: uuid.UUID) -> Row:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may restore deleted records."))
    obj = _load(session, spec, record_id)
    if obj.deleted_at is None:
        return get(session, actor, spec, record_id)
    current = _current(spec, obj)
    errors: dict[str, str] = {}
    if spec.parent_field and spec.parent_key:  # a child comes back only to a live parent
        parent = session.get(get_register(spec.parent_key).model, current.get(spec.parent_field))
        if parent is None or parent.deleted_at is not None:
            errors[spec.parent_field] = _("the record it belongs to has been deleted; restore that first.")
    for rule in spec.rules:  # e.g. a new check-in for the same day was entered meanwhile
        errors.update(rule(session, current, record_id))
    if errors:
        raise ValidationError({"": _("This record cannot be restored: {reason}").format(reason="；".join(errors.values()))})
    now = now_utc()
    obj.deleted_at, obj.deleted_by = None, None
    obj.updated_at, obj.updated_by = now, actor.username
    _flush(session, spec)
    label = _label(session, spec, current)
    audit.record(session, actor, "restore", spec.key, obj.id, record_version=obj.version, label=label, at=now)
    capture.queue(session, actor, "restore", spec, obj.id, {}, label)
    return get(session, actor, spec, record_id)
