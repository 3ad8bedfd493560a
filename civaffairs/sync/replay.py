"""On the office server: a PC's change applied exactly once, through the same services as a
direct write (the permissions of the user who made it, validation, the register's rules, audit),
merged field by field against what was saved meanwhile, or queued as a conflict.  Never dropped.

A change arrives as a `Change` (from a PC's outbox, over the network or in an exchange file).
`apply_change` runs in the caller's server transaction; a refused change leaves nothing but its
conflict and its "applied" mark (a savepoint around the service call)."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts.models import User
from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import CivaffairsError, EditConflict, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import RegisterSpec, get_register
from civaffairs.sync.models import AppliedChange, SyncConflict

APPLIED, MERGED, CONFLICT, ALREADY = "applied", "merged", "conflict", "already"
OUTCOME_LABELS = {APPLIED: N_("applied"), MERGED: N_("merged"), CONFLICT: N_("conflict"), ALREADY: N_("applied before")}


@dataclass(frozen=True)
class Change:
    """One change made on a PC, as it travels (`OutboxEntry` without the PC's bookkeeping)."""

    id: uuid.UUID
    made_at: datetime
    actor: str
    command: str
    register: str
    record_id: uuid.UUID
    record_label: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "made_at": self.made_at.isoformat(), "actor": self.actor,
                "command": self.command, "register": self.register, "record_id": str(self.record_id),
                "record_label": self.record_label, "payload": dict(self.payload)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(uuid.UUID(data["id"]), datetime.fromisoformat(data["made_at"]), str(data["actor"]),
                   str(data["command"]), str(data["register"]), uuid.UUID(data["record_id"]),
                   str(data.get("record_label", "")), dict(data.get("payload") or {}))


def _actor(session: Session, username: str) -> Actor | None:
    """The user as the server knows them now: a PC cannot write past its user's role by editing
    its own file, nor with rights taken away while it was offline."""
    from civaffairs.accounts.service import actor_for

    known = session.info.setdefault("civaffairs_replay_actors", {})  # one look-up per user and batch
    if username not in known:
        user = session.scalar(select(User).where(User.username == username))
        known[username] = actor_for(user) if user is not None and user.active else None
    return known[username]


def apply_change(session: Session, change: Change, pc: str, *, seen: bool | None = None) -> str:
    """Apply `change` once; the outcome: applied, merged, conflict, or already (seen before).
    `seen`: whether it was applied before, when the caller asked for a whole batch at once."""
    if seen if seen is not None else session.get(AppliedChange, change.id) is not None:
        return ALREADY
    from civaffairs.sync.capture import REPLAY_PC

    session.info[REPLAY_PC] = pc  # whose reserved numbers its calls may use
    outcome = _apply(session, change)
    session.add(AppliedChange(change_id=change.id, pc=pc[:64], applied_at=now_utc(), outcome=outcome))
    session.flush()
    return outcome


def _apply(session: Session, change: Change) -> str:
    spec: Any = None  # a service call names its own audit register, not always a register's
    if change.command != "call":
        try:
            spec = get_register(change.register)
        except KeyError:
            return _queue(session, change, "refused", reason=_("This program does not know the register “{register}”.")
                          .format(register=change.register))
    actor = _actor(session, change.actor)
    if actor is None:
        return _queue(session, change, "permission", spec=spec,
                      reason=_("The account “{user}” no longer exists or is disabled.").format(user=change.actor))
    from civaffairs.sync import capture

    session.info[capture.NUMBERS_GIVEN] = [dict(n) for n in change.payload.get("numbers", [])]
    try:
        with session.begin_nested():  # a refusal leaves nothing of the change behind
            if change.command == "create":
                values = V.form_from_json(spec, change.payload.get("values", {}))
                records.create_id(session, actor, spec, values, accept=change.payload.get("accepted", ()),
                                  record_id=change.record_id)
                return APPLIED
            if change.command == "update":
                return _update(session, actor, spec, change)
            if change.command == "delete":
                obj = session.get(spec.model, change.record_id)
                version = change.payload.get("version")
                if obj is not None and obj.deleted_at is None and version is not None and obj.version != version:
                    raise _EditAgainstDelete(obj)
                records.delete(session, actor, spec, change.record_id)
                return APPLIED
            if change.command == "restore":
                records.restore(session, actor, spec, change.record_id)
                return APPLIED
            if change.command == "move":  # a step of a workflow: allowed from the state the server holds?
                from civaffairs.records import workflow

                obj = session.get(spec.model, change.record_id)
                if obj is None or obj.deleted_at is not None:
                    raise EditConflict([], deleted=True)
                values = V.form_from_json(spec, change.payload.get("values", {}), form_only=False)
                workflow.move(session, actor, workflow.workflow_of(spec.key), change.record_id, obj.version,
                              str(change.payload.get("key")), values)
                return APPLIED if obj.version - 1 == change.payload.get("version") else MERGED
            if change.command == "call":  # a service call made whole again, by the same function
                name = str(change.payload.get("name"))
                if name not in capture.COMMANDS:
                    raise ValidationError.at("", _("This program cannot make the change “{name}”.").format(name=name))
                arguments = capture.from_json(change.payload.get("args", {}))
                merged = _merge_call(session, actor, change, capture.COMMANDS[name], arguments)
                if merged is not None:
                    return merged
                capture.call_again(session, actor, name, arguments, change.payload.get("ids", ()))
                return APPLIED
            raise ValueError(change.command)
    except _EditAgainstDelete as e:
        return _queue(session, change, "edit_delete", spec=spec, theirs_by=e.obj.updated_by, theirs_at=e.obj.updated_at,
                      reason=_("Deleted on one PC while it was changed on another."))
    except EditConflict as e:  # the update found the record deleted meanwhile
        if change.command == "call" and not e.deleted:  # a service call on a record saved since: says what changed
            return _queue(session, change, "refused", spec=spec, reason=e.message)
        obj = session.get(spec.model, change.record_id)
        return _queue(session, change, "edit_delete", spec=spec,
                      theirs_by=(obj.deleted_by or obj.updated_by) if obj is not None else "",
                      theirs_at=(obj.deleted_at or obj.updated_at) if obj is not None else None,
                      reason=e.message if not e.deleted else _("Changed on one PC while it was deleted on another."))
    except PermissionDenied as e:
        return _queue(session, change, "permission", spec=spec, reason=e.message)
    except CivaffairsError as e:  # a rule, a field, a warning nobody accepted, children
        return _queue(session, change, "refused", spec=spec, reason=e.message)
    finally:
        session.info.pop(capture.NUMBERS_GIVEN, None)


class _EditAgainstDelete(Exception):
    def __init__(self, obj: Any):
        self.obj = obj


def _update(session: Session, actor: Actor, spec: RegisterSpec, change: Change) -> str:
    """A three-way merge: each field the clerk changed is taken where the server still holds
    the value the clerk started from; where the server holds another value, that field is a
    conflict; the other fields are saved all the same."""
    obj = session.get(spec.model, change.record_id)
    if obj is None or obj.deleted_at is not None:
        raise EditConflict([], deleted=True)
    current = records._current(spec, obj)
    base = V.form_from_json(spec, change.payload.get("base", {}))
    new = V.form_from_json(spec, change.payload.get("new", {}))
    take: dict[str, Any] = {}
    clashes: list[str] = []
    for name, value in new.items():
        now = current.get(name)
        if now == value:
            continue  # the server holds it already
        if now == base.get(name) or (V.is_empty(now) and V.is_empty(base.get(name))):
            take[name] = value
        else:
            clashes.append(name)
    merged = obj.version != change.payload.get("version")
    if take:
        records.update(session, actor, spec, change.record_id, obj.version, take,
                       accept=change.payload.get("accepted", ()))
        if merged:
            audit.record(session, actor, "merge", spec.key, change.record_id, record_version=obj.version,
                         label=change.record_label, changes={
                             "base version": [None, str(change.payload.get("version"))],
                             "fields": [None, ",".join(sorted(take))]})
    for name in clashes:
        f = spec.field(name)
        _queue(session, change, "same_field", spec=spec, field_name=name,
               mine=records._canonical(session, f, new.get(name)),
               theirs=records._canonical(session, f, current.get(name)),
               theirs_by=obj.updated_by, theirs_at=obj.updated_at,
               reason=_("“{field}” was changed on two PCs while they were apart.").format(field=f.title))
    if clashes:
        return CONFLICT
    return MERGED if merged else APPLIED


def _merge_call(session: Session, actor: Actor, change: Change, command: Any, arguments: dict[str, Any]) -> str | None:
    """A call that edits fields of a record saved meanwhile on the server (a notice draft edited
    on two PCs), merged three ways as `_update` merges a record: each field it sets is taken
    where the server still holds the value the PC started from, the others are conflicts.  None
    when there is nothing to merge (not such a call, or nothing saved since): made as it is."""
    from civaffairs.sync import capture

    base = change.payload.get("base")
    if command.merge_arg is None or base is None:
        return None
    obj = session.get(command.model, arguments.get(command.record_arg))
    seen = arguments.get(command.version_arg)
    if obj is None or getattr(obj, "deleted_at", None) is not None or seen is None or obj.version == seen:
        return None  # the call itself says why it cannot be made, or it is made as it was
    base = capture.from_json(base)
    new = dict(arguments.get(command.merge_arg) or {})
    take: dict[str, Any] = {}
    clashes: list[str] = []
    for name, value in new.items():
        now = capture.field_value(obj, name)
        if now == base.get(name):
            take[name] = value
        elif now != value:
            clashes.append(name)
    version = obj.version
    by, at = obj.updated_by, obj.updated_at  # who saved the other side, before this merge saves
    if take:
        capture.call_again(session, actor, command.name,
                           arguments | {command.merge_arg: take, command.version_arg: version},
                           change.payload.get("ids", ()))
        audit.record(session, actor, "merge", command.register, change.record_id, record_version=obj.version,
                     label=change.record_label, changes={"base version": [None, str(seen)],
                                                         "fields": [None, ",".join(sorted(take))]})
    titles = command.field_titles or {}
    for name in clashes:
        title = _(titles[name]) if name in titles else name
        _queue(session, change, "same_field", field_name=name, mine=_text(new.get(name)),
               theirs=_text(capture.field_value(obj, name)), theirs_by=by, theirs_at=at,
               reason=_("“{field}” was changed on two PCs while they were apart.").format(field=title))
    return CONFLICT if clashes else MERGED


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)  # one a line, as the editor and the service take them
    return str(value)


def _queue(session: Session, change: Change, kind: str, *, spec: RegisterSpec | None = None, field_name: str = "",
           mine: str | None = None, theirs: str | None = None, theirs_by: str = "",
           theirs_at: datetime | None = None, reason: str = "") -> str:
    session.add(SyncConflict(
        change_id=change.id, at=now_utc(), kind=kind, register=change.register, record_id=change.record_id,
        record_label=change.record_label[:200], field=field_name, mine=mine, theirs=theirs, mine_by=change.actor,
        mine_at=change.made_at, theirs_by=theirs_by or "", theirs_at=theirs_at, reason=reason,
        payload=change.as_json()))
    session.flush()
    return CONFLICT
