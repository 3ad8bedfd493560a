"""A small state machine for any register with a state column (Qt-free, reusable by any group).

A `Workflow` names the register, its state field and the `Transition`s allowed between states.
Each transition says from which states it may be taken, to which state it leads (or that the
state stays: a step completed afterwards, as under "assist first, paperwork later"), which of the
register's fields it fills and which of them it needs, and:

* `available` — whether the step can be taken from this record at all (a step already done is
  not offered again); when not, the refusal says why;
* `rules` — what is wrong with the values entered (a date before the application): a
  `ValidationError` at the field, as in every form;
* `guards` — whether the move may be made now, with these values (approval before the public
  notice has ended, a payment that would overdraw a reserve fund): a `MoveRefused` that says why,
  at the field when one field is the cause.

`move()` checks the permission (`actor.can_write(spec.group)`), the record's version (an
`EditConflict` when someone saved meanwhile), the current state, the values (with the field
machinery of `records.values`), the rules and guards; then writes the fields and the new state in
the caller's transaction and records one audit entry (action "transition") with the state
from → to and every field the move filled, who and when.

The register's own form must not change the state: declare the state field `in_form=False`.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc, today_local
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import Choice, FieldSpec, Kind, RegisterSpec
from civaffairs.sync import capture

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from civaffairs.accounts.roles import Actor

TRANSITION_ACTION = "transition"
# The audit log names its actions through this table (audit/service.py); a workflow's moves are
# one more kind of action.
audit.ACTION_LABELS.setdefault(TRANSITION_ACTION, N_("Workflow step"))


class MoveRefused(ValidationError):
    """A move the workflow does not allow now, with the reason (translated) at the field that
    causes it, or at "" when it is the record's state: `MoveRefused(message)`,
    `MoveRefused(message, field)` or `MoveRefused({field: message, …})`."""

    def __init__(self, reason: str | Mapping[str, str], field: str = "") -> None:
        super().__init__({field: reason} if isinstance(reason, str) else dict(reason))


# (session, the record's current values (and its "id"), the move's values after coercion) -> {field: message}
Check = Callable[["Session", Mapping[str, Any], Mapping[str, Any]], dict[str, str]]
# (the record's current values) -> None when the step can be taken, else why not (translated)
Availability = Callable[[Mapping[str, Any]], "str | None"]
# (session, the record's current values, the move's values) -> further values the move writes
Effect = Callable[["Session", Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
# (session, the record's current values) -> values to start the step's dialog with
Defaults = Callable[["Session", Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Transition:
    key: str  # names the move in code and tests: "investigate", "pay_first", …
    label: str  # N_-marked: the button ("Record the home investigation…")
    sources: tuple[str, ...]  # the states it may be taken from
    target: str | None  # the state it leads to; None: the state stays
    fields: tuple[str, ...] = ()  # the register's fields the move fills, in the dialog's order
    required: tuple[str, ...] = ()  # those it needs
    available: Availability | None = None
    rules: tuple[Check, ...] = ()
    guards: tuple[Check, ...] = ()
    effect: Effect | None = None  # e.g. clear the documents owed when the paperwork is complete
    defaults: Defaults | None = None
    hint: str = ""  # N_-marked: one line in the dialog saying what the step means

    @property
    def title(self) -> str:
        return _(self.label)


@dataclass(frozen=True)
class Workflow:
    spec: RegisterSpec
    state_field: str
    transitions: tuple[Transition, ...]
    _by_key: dict[str, Transition] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        state = self.spec.field(self.state_field)
        if state.kind is not Kind.CHOICE or state.in_form:
            raise ValueError(f"{self.spec.key}: the state field must be a choice kept out of the form")
        codes = {c.code for c in state.choices}
        for t in self.transitions:
            if t.key in self._by_key:
                raise ValueError(f"{self.spec.key}: transition {t.key} defined twice")
            unknown = (set(t.sources) | ({t.target} if t.target else set())) - codes
            if unknown:
                raise ValueError(f"{self.spec.key}: transition {t.key} names unknown states {sorted(unknown)}")
            for name in t.fields:
                self.spec.field(name)  # KeyError for a field the register does not have
            if set(t.required) - set(t.fields):
                raise ValueError(f"{self.spec.key}: transition {t.key} needs fields it does not fill")
            self._by_key[t.key] = t
        _WORKFLOWS[self.spec.key] = self

    @property
    def states(self) -> tuple[Choice, ...]:
        return self.spec.field(self.state_field).choices

    def state_title(self, code: str | None) -> str:
        return self.spec.field(self.state_field).choice_title(code)

    def transition(self, key: str) -> Transition:
        try:
            return self._by_key[key]
        except KeyError:
            raise ValueError(f"{self.spec.key}: no transition {key}") from None

    def step_fields(self, key: str) -> tuple[FieldSpec, ...]:
        """The fields of a move as the dialog and the validation see them: the register's field
        specs, required when the move needs them."""
        t = self.transition(key)
        return tuple(replace(self.spec.field(n), required=n in t.required, in_form=True) for n in t.fields)

    def refusal(self, key: str, current: Mapping[str, Any]) -> str | None:
        """Why the move `key` cannot be taken from a record with these values; None if it can."""
        t = self.transition(key)
        state = current.get(self.state_field)
        if state not in t.sources:
            return _("The record is “{state}”: “{move}” is not possible now.").format(
                state=self.state_title(state), move=t.title.rstrip("…").rstrip("."))
        if t.available is not None:
            return t.available(current)
        return None

    def allowed(self, current: Mapping[str, Any]) -> list[Transition]:
        """The moves that can be taken from a record with these values, in the workflow's order."""
        return [t for t in self.transitions if self.refusal(t.key, current) is None]


_WORKFLOWS: dict[str, Workflow] = {}


def workflow_of(register: str) -> Workflow:
    """The workflow of a register (a working copy's move, applied on the server)."""
    return _WORKFLOWS[register]


def _current(spec: RegisterSpec, obj: Any) -> dict[str, Any]:
    """The record's values by field, and its "id" (checks and defaults may need to know which)."""
    return {"id": obj.id, **{f.name: V.from_db(f, getattr(obj, f.name)) for f in spec.fields}}


def current_values(session: Session, workflow: Workflow, record_id: uuid.UUID) -> dict[str, Any]:
    """The record's stored values (unmasked: for the workflow's checks, never for display)."""
    obj = session.get(workflow.spec.model, record_id)
    if obj is None or obj.deleted_at is not None:
        raise NotFound(_("This record no longer exists."))
    return _current(workflow.spec, obj)


def defaults(session: Session, workflow: Workflow, key: str, record_id: uuid.UUID) -> dict[str, Any]:
    """What the step's dialog starts with: the values the record has, then the step's defaults."""
    t = workflow.transition(key)
    current = current_values(session, workflow, record_id)
    start = {n: current.get(n) for n in t.fields}
    if t.defaults is not None:
        start.update({n: v for n, v in t.defaults(session, current).items() if V.is_empty(start.get(n))})
    return start


def coerce_step(workflow: Workflow, key: str, values: Mapping[str, Any], *,
                today: date | None = None) -> dict[str, Any]:
    """The move's values after the field machinery, or one ValidationError naming each bad field."""
    fields = workflow.step_fields(key)
    unknown = set(values) - {f.name for f in fields}
    if unknown:
        raise ValidationError({"": _("Unknown fields: {f}").format(f=", ".join(sorted(unknown)))})
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        try:
            clean[f.name] = V.coerce(f, values.get(f.name), today=today)
        except ValueError as e:
            errors[f.name] = str(e)
    if errors:
        raise ValidationError(errors)
    return clean


def move(session: Session, actor: Actor, workflow: Workflow, record_id: uuid.UUID, expected_version: int,
         key: str, values: Mapping[str, Any], *, today: date | None = None) -> records.Row:
    """Take the move `key` (a `Transition.key`) on the record, as opened at `expected_version`,
    with the step's `values`.  Raises PermissionDenied, NotFound, EditConflict, MoveRefused (the
    state or a guard forbids it: the message says why) or ValidationError (a value is wrong, at
    its field).  Returns the record as the actor may see it."""
    spec = workflow.spec
    t = workflow.transition(key)
    if not actor.can_write(spec.group):
        raise PermissionDenied(_("Your account may not change the register “{register}”.").format(register=spec.name))
    # FOR UPDATE on PostgreSQL (two PCs moving one record wait for each other); SQLite's write
    # transaction already holds the database's lock.
    obj = session.get(spec.model, record_id, with_for_update=True, populate_existing=True)
    if obj is None:
        raise NotFound(_("This record no longer exists."))
    if obj.version != expected_version or obj.deleted_at is not None:
        raise records._conflict(session, spec, obj, expected_version)
    current = _current(spec, obj)
    why = workflow.refusal(key, current)
    if why is not None:
        raise MoveRefused(why)
    clean = coerce_step(workflow, key, values, today=today or today_local())
    errors: dict[str, str] = {}
    for rule in t.rules:
        for name, message in rule(session, current, clean).items():
            errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    refusals: dict[str, str] = {}
    for guard in t.guards:
        for name, message in guard(session, current, clean).items():
            refusals.setdefault(name, message)
    if refusals:
        raise MoveRefused(refusals)
    written = dict(clean)
    if t.effect is not None:
        written.update(t.effect(session, current, clean))
    if t.target is not None:
        written[workflow.state_field] = t.target
    changes: dict[str, list[Any]] = {}
    for name, value in written.items():
        f = spec.field(name)
        if value != current.get(name) or name == workflow.state_field:
            changes[name] = [records._canonical(session, f, current.get(name)), records._canonical(session, f, value)]
            setattr(obj, name, V.to_db(f, value))
    now = now_utc()
    obj.updated_at, obj.updated_by = now, actor.username
    session.flush()
    after = {**current, **written}
    label = records._label(session, spec, after)
    audit.record(session, actor, TRANSITION_ACTION, spec.key, obj.id, record_version=obj.version,
                 label=label, changes=changes, at=now)
    capture.queue(session, actor, "move", spec, obj.id, {"key": key, "version": expected_version,
                                                         "values": V.form_json(spec, clean, list(clean))}, label)
    return records.get(session, actor, spec, record_id)
