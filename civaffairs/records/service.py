"""The one service behind every register: list, read, create, update, delete, restore.

Each write checks permission, validates every field (all messages at once, each at its field),
applies the register's own rules, writes, and records an audit entry, all inside the caller's
transaction (`Database.write()`), so one user action is one transaction.  Lists are paged by the
database and masked here, so that the GUI never even receives data the user may not see."""
from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, and_, bindparam, cast, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import (
    EditConflict, FieldChange, HasChildren, NeedsConfirmation, NotFound, PermissionDenied, ValidationError,
)
from civaffairs.core.i18n import _
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, children_of, get_register


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
    return datetime.combine(day, time.min).astimezone().astimezone(timezone.utc)


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
        terms = q.search.split()
        if terms:
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
                    conds.append(column < _local_day_start_utc(q.date_to + timedelta(days=1)))
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
_counts: OrderedDict[tuple[str, bool, ListQuery], Select[Any]] = OrderedDict()


def count(session: Session, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery()) -> int:
    key = (spec.key, actor.can_read_sensitive(spec.group), q)
    stmt = _counts.get(key)
    if stmt is None:  # built once per query, as the pages are
        qq = _query(spec)
        stmt = select(func.count()).select_from(spec.model)
        if q.search or q.equals:  # the join is needed only to search or filter by a referenced name
            for alias, on in qq.joins:
                stmt = stmt.outerjoin(alias, on)
        stmt = stmt.where(and_(*qq.where(actor, q)))
        _counts[key] = stmt
        while len(_counts) > PAGE_STATEMENTS_KEPT:
            _counts.popitem(last=False)
    return _connection(session).execute(stmt).scalar() or 0


def _connection(session: Session) -> Any:
    """The session's connection for a plain read, after writing out what the session holds (as
    the ORM's own queries would), so that a count or a page inside a write sees its own changes."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()


_OFFSET, _LIMIT = bindparam("civ_offset", type_=Integer), bindparam("civ_limit", type_=Integer)
_pages: OrderedDict[tuple[str, bool, ListQuery], Select[Any]] = OrderedDict()


def _page_statement(actor: Actor, spec: RegisterSpec, q: ListQuery) -> Select[Any]:
    """The list's SELECT for a query, built once: scrolling and paging only change its offset.
    What the actor may see is part of the key (it decides what may be searched and sorted)."""
    key = (spec.key, actor.can_read_sensitive(spec.group), q)
    stmt = _pages.get(key)
    if stmt is None:
        qq = _query(spec)
        stmt = qq.select_rows(actor, q).order_by(*qq.order_by(actor, q)).offset(_OFFSET).limit(_LIMIT)
        _pages[key] = stmt
        while len(_pages) > PAGE_STATEMENTS_KEPT:
            _pages.popitem(last=False)
    else:
        _pages.move_to_end(key)
    return stmt


def fetch(session: Session, actor: Actor, spec: RegisterSpec, q: ListQuery = ListQuery(),
          offset: int = 0, limit: int = 200) -> list[Row]:
    """One page of the list, sorted and filtered by the database."""
    stmt = _page_statement(actor, spec, q)
    plan = _plan(spec, actor.can_read_sensitive(spec.group))
    # Through the session's connection: plain rows, without the ORM's loading machinery.
    rows = [_row(actor, spec, r, plan) for r in
            _connection(session).execute(stmt, {"civ_offset": offset, "civ_limit": limit})]
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


_Step = tuple[FieldSpec, int, Any, bool, "tuple[int, FieldSpec, Any] | None"]
_plans: dict[tuple[str, bool], list[_Step]] = {}


def _converter(f: FieldSpec) -> Any:
    """The database-to-value conversion of `f`, or None where the stored value is the value."""
    if f.kind in (Kind.TEMPERATURE, Kind.MONEY, Kind.DATETIME):
        return lambda value, f=f: V.from_db(f, value)
    return None


def _plan(spec: RegisterSpec, sees_sensitive: bool) -> list[_Step]:
    """How to turn a result tuple of the list's SELECT into a row's values, worked out once per
    register and visibility: a page of 200 rows then costs a loop, not 200 × fields lookups."""
    key = (spec.key, sees_sensitive)
    plan = _plans.get(key)
    if plan is None:
        qq = _query(spec)
        position = {name: i for i, name in enumerate(["id", "version", "deleted_at", "deleted_by", *qq.columns])}
        plan = []
        for f in spec.fields:
            ref = None
            if f.kind is Kind.REFERENCE:
                shown = qq.shown_as[f.name]
                ref = (position[f.name + "__id"], shown, _converter(shown))
            plan.append((f, position[f.name], _converter(f), f.sensitive is None or sees_sensitive, ref))
        _plans[key] = plan
    return plan


def _row(actor: Actor, spec: RegisterSpec, r: Sequence[Any], plan: list[_Step] | None = None) -> Row:
    """One result tuple of `_Query.select_all()` as a row: references named, values converted,
    what the actor may not see masked."""
    values: dict[str, Any] = {}
    masked: set[str] = set()
    for f, i, convert, visible, ref in plan or _plan(spec, actor.can_read_sensitive(spec.group)):
        value = r[i]
        if value is not None and convert is not None:
            value = convert(value)
        if ref is not None:
            id_index, shown, shown_convert = ref
            values[f.name + "__id"] = r[id_index]
            if value is not None and not isinstance(value, str):  # a date or a choice names the record
                value = V.display_text(shown, shown_convert(value) if shown_convert else value)
            elif value is not None and shown.kind is Kind.CHOICE:
                value = shown.choice_title(value)
        if not visible and not V.is_empty(value):
            value = V.mask(f, V.display_text(f, value))
            masked.add(f.name)
        values[f.name] = value
    return Row(r[0], r[1], values, frozenset(masked), r[2], r[3])


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


def _label(session: Session, spec: RegisterSpec, current: Mapping[str, Any]) -> str:
    """How the audit log and messages name a record, e.g. "张三 2021-10-25"."""
    parts = [_canonical(session, spec.field(n), current.get(n)) if spec.field(n).kind is Kind.REFERENCE
             else V.display_text(spec.field(n), current.get(n)) for n in spec.display_fields]
    return " ".join(p for p in parts if p)


def _reference_label(session: Session, f: FieldSpec, value: uuid.UUID) -> str:
    target = get_register(f.reference or "")
    obj = session.get(target.model, value)
    return str(getattr(obj, target.display_fields[0])) if obj is not None else ""


def _canonical(session: Session, f: FieldSpec, value: Any) -> str | None:
    if f.kind is Kind.REFERENCE and value is not None:
        return _reference_label(session, f, value)
    return V.canonical_text(f, value)


def _validate(session: Session, spec: RegisterSpec, given: Mapping[str, Any],
              current: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, Any]:
    """Coerce `given` onto `current`; raise one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    merged = dict(current)
    unknown = set(given) - {f.name for f in spec.form_fields}
    if unknown:
        raise ValidationError({"": _("Unknown fields: {f}").format(f=", ".join(sorted(unknown)))})
    for f in spec.form_fields:
        if f.name not in given and record_id is not None:
            continue
        try:
            merged[f.name] = V.coerce(f, given.get(f.name))
        except ValueError as e:
            errors[f.name] = str(e)
    for f in spec.form_fields:
        value = merged.get(f.name)
        if f.kind is Kind.REFERENCE and f.name not in errors and value is not None:
            target = session.get(get_register(f.reference or "").model, value)
            if target is None or target.deleted_at is not None:
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
           accept: Collection[str] = ()) -> Row:
    """`accept`: the warnings (`RegisterSpec.warnings` messages) the clerk has seen and accepts."""
    _require_write(actor, spec)
    clean = _validate(session, spec, values, {}, None)
    accepted = _warnings(session, spec, clean, None, accept)
    written = _derive(spec, clean)
    now = now_utc()
    obj = spec.model(
        **{f.name: V.to_db(f, clean.get(f.name)) for f in written},
        created_at=now, created_by=actor.username, updated_at=now, updated_by=actor.username,
    )
    session.add(obj)
    _flush(session, spec)
    changes = {f.name: [None, _canonical(session, f, clean.get(f.name))] for f in written
               if not V.is_empty(clean.get(f.name))}
    _accepted(changes, accepted)
    audit.record(session, actor, "create", spec.key, obj.id, record_version=obj.version,
                 label=_label(session, spec, clean), changes=changes, at=now)
    return get(session, actor, spec, obj.id)


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
    clean = _validate(session, spec, values, current, record_id)
    written = _derive(spec, clean)
    changed = [f for f in written if clean.get(f.name) != current.get(f.name)]
    if not changed:
        return get(session, actor, spec, record_id)
    # Only what this edit brings is asked: a duplicate accepted when the record was made is not.
    accepted = _warnings(session, spec, clean, record_id, accept, known)
    changes: dict[str, list[Any]] = {}
    for f in changed:
        changes[f.name] = [_canonical(session, f, current.get(f.name)), _canonical(session, f, clean.get(f.name))]
        setattr(obj, f.name, V.to_db(f, clean.get(f.name)))
    _accepted(changes, accepted)
    now = now_utc()
    obj.updated_at, obj.updated_by = now, actor.username
    try:
        _flush(session, spec)
    except StaleDataError:  # saved by another PC between our read and our write
        raise EditConflict([], deleted=False) from None
    audit.record(session, actor, "update", spec.key, obj.id, record_version=obj.version,
                 label=_label(session, spec, clean), changes=changes, at=now)
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
    obj.deleted_at, obj.deleted_by = now, actor.username
    obj.updated_at, obj.updated_by = now, actor.username
    session.flush()
    audit.record(session, actor, "delete", spec.key, obj.id, record_version=obj.version,
                 label=_label(session, spec, _current(spec, obj)), at=now)


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
    audit.record(session, actor, "restore", spec.key, obj.id, record_version=obj.version,
                 label=_label(session, spec, current), at=now)
    return get(session, actor, spec, record_id)
