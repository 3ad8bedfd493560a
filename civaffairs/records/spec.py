"""What a register is, as plain data: its fields and rules.

A new record type needs a model, a `RegisterSpec` and a migration; the shared table, form,
service and audit machinery do the rest.  Labels are `N_`-marked English texts translated where
they are shown."""
from __future__ import annotations

from collections.abc import Callable, Mapping
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


class Sensitivity(StrEnum):
    """Personal data that is masked for users whose role does not allow it."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    HEALTH = "health"


@dataclass(frozen=True)
class Choice:
    code: str
    label: str  # N_-marked

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
    _by_name: dict[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    @property
    def name(self) -> str:
        return _(self.title)

    def field(self, name: str) -> FieldSpec:
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @property
    def list_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.in_list)

    @property
    def form_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.in_form)


HEALTH_CODE_CHOICES = (
    Choice("green", N_("Green")),
    Choice("yellow", N_("Yellow")),
    Choice("red", N_("Red")),
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
