"""What a register is, as plain data: its fields and rules.

A new record type needs a model, a `RegisterSpec` and a migration; the shared table, form,
service and audit machinery do the rest.  Labels are `N_`-marked English texts translated where
they are shown."""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from civaffairs.core.i18n import N_, _

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DATE = "date"
    DATETIME = "datetime"  # stored UTC, entered and shown local
    TIME = "time"
    TEMPERATURE = "temperature"  # °C with one decimal, stored as integer tenths
    MONEY = "money"  # yuan with two decimals, stored as integer fen
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"  # stored as a JSON list of codes
    BOOLEAN = "boolean"
    REFERENCE = "reference"  # another register's record, by id
    RESIDENT_ID = "resident_id"
    PHONE = "phone"
    CREDIT_CODE = "credit_code"  # unified social credit code (GB 32100) of an organisation or enterprise


class Sensitivity(StrEnum):
    """Personal data that is masked for users whose role does not allow it."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    HEALTH = "health"
    BANK_ACCOUNT = "bank_account"


@dataclass(frozen=True)
class Choice:
    code: str
    label: str  # N_-marked
    colour: str | None = None  # "#rrggbb": shown in this colour wherever it appears (health codes, results)

    @property
    def title(self) -> str:
        return _(self.label)


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the model attribute
    label: str  # N_-marked
    kind: Kind = Kind.TEXT
    required: bool = False
    sensitive: Sensitivity | None = None
    choices: tuple[Choice, ...] = ()
    reference: str | None = None  # key of the referenced register
    max_length: int | None = None
    minimum: Any = None  # numbers and temperatures, in the entered unit
    maximum: Any = None
    not_in_future: bool = False
    searchable: bool = False  # part of "search as you type"
    in_list: bool = True
    in_form: bool = True
    width: int = 10  # list column width, in characters
    placeholder: str = ""  # N_-marked
    default: Callable[[], Any] | None = None

    @property
    def title(self) -> str:
        return _(self.label)

    def choice_title(self, code: str | None) -> str:
        for c in self.choices:
            if c.code == code:
                return c.title
        return code or ""


# (session, values after coercion, id of the record being edited or None) -> {field: message}
RegisterRule = Callable[["Session", Mapping[str, Any], "uuid.UUID | None"], dict[str, str]]


def row_local(rule: RegisterRule) -> RegisterRule:
    """Mark a rule that looks only at the row's own values (never at the database): rows checked
    by such rules can be written together, since no row's verdict depends on another's write."""
    rule.row_local = True  # type: ignore[attr-defined]
    return rule


def is_row_local(rule: Any) -> bool:
    return bool(getattr(rule, "row_local", False))

# (session, ids of the records on a page) -> {id: value}: one query for a whole page.
Compute = Callable[["Session", Sequence["uuid.UUID"]], Mapping["uuid.UUID", Any]]


@dataclass(frozen=True)
class ComputedColumn:
    """A list column computed from other records whenever a page is shown, never stored: an
    institution's status today, a NAT round's completion, days of cover.  `field` says how the
    value is shown (its kind, choices, width; it is never in the form); `compute` is a function of
    the group's `figures.py`, so that the list, the report and the tests share one computation.
    Not sortable or searchable: the database does not have the value."""

    field: FieldSpec
    compute: Compute


class RowLevel(StrEnum):
    """How a row asks for attention in lists (and the overview): the GUI picks the colours."""

    ALERT = "alert"  # red: a positive result, a fever, an overdue correction
    WARNING = "warning"  # yellow: below target, not yet done


@dataclass(frozen=True)
class RegisterSpec:
    key: str  # "bureau_office.staff": also the audit register name
    group: int  # working group 1–7 that owns it
    title: str  # N_-marked
    model: type
    fields: tuple[FieldSpec, ...]
    display_fields: tuple[str, ...]  # name a record in messages and the audit log
    date_field: str | None = None  # the date-range filter applies here
    colour_field: str | None = None  # the health-code colour filter applies here
    default_sort: str | None = None
    default_descending: bool = False
    rules: tuple[RegisterRule, ...] = ()
    record_noun: str = ""  # N_-marked, e.g. "staff member"; used in window titles
    # The record this one belongs to (an institution's resident, a round's result): a REFERENCE
    # field.  The parent's view shows these records in its detail pane, a new one opens with the
    # parent filled in, and a parent with live children cannot be deleted.
    parent_field: str | None = None
    computed: tuple[ComputedColumn, ...] = ()
    # (row values, computed ones included) -> a level, for rows that need attention
    row_level: Callable[[Mapping[str, Any]], RowLevel | None] | None = None
    # Fast keyboard entry keeps these from one record to the next (by default the date and the parent).
    carry_over: tuple[str, ...] | None = None
    # Like `rules`, but what they find may be right (a possible duplicate person): the service
    # refuses with `NeedsConfirmation` until the clerk accepts these very messages.
    warnings: tuple[RegisterRule, ...] = ()
    # (values after validation) -> values of fields that are not in the form, written with the
    # record: a member's sex and birth date from the ID number.
    derive: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    # Rules run before a record goes to the recycle bin, on its stored values: a paid grant, an
    # allocation the grants paid from it still need.  Their messages say why it stays.
    delete_rules: tuple[RegisterRule, ...] = ()
    # A register's own search, where ILIKE over the searchable fields is too slow or too narrow
    # (the person search over 100,000 members): `condition(actor, term)` is one term's condition on
    # the model; `count(session, actor, q)` and `page(session, actor, q, offset, limit) -> ids`
    # answer a query they serve faster themselves, or return None for the generic list to apply
    # `condition`.  See civaffairs/groups/assistance/search.py.
    search: Any = None
    # The fields that identify a record to a person (an ID number, a credit code, an
    # institution's name): an import matches existing records by them, and a reference to a
    # record of this register is written and read by them in a workbook.  Empty: see `key_fields`.
    natural_key: tuple[str, ...] = ()
    # True where a register's records stand alone: no flush hook keeps another table from them
    # and its rules and warnings read only the row (`rules.row_local`).  Then many new records
    # (an import of 100,000 entry registrations) are validated one by one but written together
    # (`service.create_many`); otherwise each is written as the form writes it.
    bulk_rows: bool = False
    _by_name: dict[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})
        if self.parent_field is not None:
            parent = self._by_name[self.parent_field]
            if parent.kind is not Kind.REFERENCE or not parent.reference:
                raise ValueError(f"{self.key}: the parent field {self.parent_field} is not a reference")

    @property
    def name(self) -> str:
        return _(self.title)

    def field(self, name: str) -> FieldSpec:
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @property
    def parent_key(self) -> str | None:
        """The key of the parent register, if records of this one belong to another's."""
        return self._by_name[self.parent_field].reference if self.parent_field else None

    @property
    def list_fields(self) -> tuple[FieldSpec, ...]:
        """The list's columns: the stored fields shown in lists, then the computed ones."""
        return tuple(f for f in self.fields if f.in_list) + tuple(c.field for c in self.computed)

    def is_computed(self, name: str) -> bool:
        return any(c.field.name == name for c in self.computed)

    @property
    def carried_fields(self) -> tuple[str, ...]:
        if self.carry_over is not None:
            return self.carry_over
        # The day is kept, not a date-time: each visitor's or entry's time is typed anew.
        day = self.date_field if self.date_field and self.field(self.date_field).kind is Kind.DATE else None
        return tuple(n for n in (self.parent_field, day) if n and self.field(n).in_form)

    @property
    def key_fields(self) -> tuple[str, ...]:
        """`natural_key`, or by default: the first required resident-ID or credit-code field, else
        the field a `rules.unique_name` rule keeps unique (with the parent it is unique under),
        else the display fields."""
        if self.natural_key:
            return self.natural_key
        for f in self.fields:
            if f.kind in (Kind.RESIDENT_ID, Kind.CREDIT_CODE) and f.required:
                return (f.name,)
        for rule in self.rules:
            unique = _unique_name_fields(rule)
            if unique and all(n in self._by_name for n in unique):
                return unique
        return self.display_fields

    @functools.cached_property
    def form_fields(self) -> tuple[FieldSpec, ...]:  # asked for every row of an import: made once
        return tuple(f for f in self.fields if f.in_form)


def _unique_name_fields(rule: Any) -> tuple[str, ...]:
    """The (parent, field) a `rules.unique_name` rule keeps unique, read from its closure."""
    if getattr(rule, "__qualname__", "") != "unique_name.<locals>.rule" or rule.__closure__ is None:
        return ()
    cells = dict(zip(rule.__code__.co_freevars, (c.cell_contents for c in rule.__closure__)))
    return tuple(n for n in (cells.get("parent"), cells.get("field")) if n)


HEALTH_CODE_CHOICES = (
    Choice("green", N_("Green"), "#1e8449"),
    Choice("yellow", N_("Yellow"), "#b7950b"),
    Choice("red", N_("Red"), "#c0392b"),
)


_REGISTERS: dict[str, RegisterSpec] = {}


def register(spec: RegisterSpec) -> RegisterSpec:
    if spec.key in _REGISTERS and _REGISTERS[spec.key] is not spec:
        raise ValueError(f"register {spec.key} defined twice")
    _REGISTERS[spec.key] = spec
    return spec


def get_register(key: str) -> RegisterSpec:
    return _REGISTERS[key]


def all_registers() -> list[RegisterSpec]:
    return list(_REGISTERS.values())


def children_of(spec: RegisterSpec) -> list[RegisterSpec]:
    """The registers whose records belong to a record of `spec`, in registration order."""
    return [r for r in _REGISTERS.values() if r.parent_key == spec.key]
