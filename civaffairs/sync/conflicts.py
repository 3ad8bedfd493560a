"""The queue of conflicts (冲突处理) on the office server: what a PC changed that could not be
applied by itself, listed with both values, who made each and when, and why; resolved by a
person with the right to edit the register: keep mine (the PC's change), keep theirs (what the
server holds), or edit.  A resolution is an ordinary audited change through the services."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import N_, _
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import get_register
from civaffairs.sync.models import SyncConflict

REGISTER = "sync.conflicts"  # the audit trail's name for resolutions
KIND_LABELS = {
    "same_field": N_("Same field changed on two PCs"),
    "edit_delete": N_("Changed on one PC, deleted on another"),
    "refused": N_("Refused by the register's rules"),
    "permission": N_("Not allowed for this user"),
}
MINE, THEIRS, EDIT = "mine", "theirs", "edit"


@dataclass(frozen=True)
class ConflictInfo:
    id: uuid.UUID
    kind: str
    kind_label: str
    register: str
    register_name: str
    record_id: uuid.UUID
    record_label: str
    field: str
    field_title: str
    mine: str | None
    theirs: str | None
    mine_by: str
    mine_at: datetime
    theirs_by: str
    theirs_at: datetime | None
    reason: str
    command: str


def _info(c: SyncConflict) -> ConflictInfo:
    try:
        spec = get_register(c.register)
        name = spec.name
        title = spec.field(c.field).title if c.field and spec.has_field(c.field) else ""
    except KeyError:  # a service call's record (a notice): its fields are titled by the call
        from civaffairs.sync.capture import COMMANDS

        command = COMMANDS.get(str(c.payload.get("payload", {}).get("name", "")))
        titles = (command.field_titles if command is not None else None) or {}
        name, title = c.register, _(titles[c.field]) if c.field in titles else c.field
    return ConflictInfo(c.id, c.kind, _(KIND_LABELS.get(c.kind, c.kind)), c.register, name, c.record_id,
                        c.record_label, c.field, title, c.mine, c.theirs, c.mine_by, c.mine_at, c.theirs_by,
                        c.theirs_at, c.reason, str(c.payload.get("command", "")))


def open_conflicts(session: Session, actor: Actor, limit: int = 1000) -> list[ConflictInfo]:
    """The open conflicts, oldest first."""
    rows = session.scalars(select(SyncConflict).where(SyncConflict.resolved_at.is_(None))
                           .order_by(SyncConflict.at, SyncConflict.id).limit(limit))
    return [_info(c) for c in rows]


def count_open(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))) or 0


def resolve(session: Session, actor: Actor, conflict_id: uuid.UUID, choice: str, value: Any = None) -> None:
    """Keep mine, keep theirs, or edit (`value`: the field's new value, as typed)."""
    if choice not in (MINE, THEIRS, EDIT):
        raise ValueError(choice)
    conflict = session.get(SyncConflict, conflict_id, with_for_update=True)
    if conflict is None:
        raise NotFound(_("This conflict no longer exists."))
    if conflict.resolved_at is not None:
        raise ValidationError.at("", _("This conflict was resolved by {user} already.").format(user=conflict.resolved_by))
    try:
        spec = get_register(conflict.register)
    except KeyError:  # a service call's (a notice): keeping it runs the call, which checks the rights
        if choice == THEIRS and not actor.is_administrator and actor.username != conflict.mine_by:
            raise PermissionDenied(_("Only an administrator or the person who made this change may drop it.")) from None
    else:
        if not actor.can_write(spec.group):
            raise PermissionDenied(_("Your account may not change the register “{register}”.").format(register=spec.name))
    if choice != THEIRS:
        _keep_mine(session, actor, conflict, value if choice == EDIT else None, edited=choice == EDIT)
    now = now_utc()
    conflict.resolved_at, conflict.resolved_by, conflict.resolution = now, actor.username, choice
    audit.record(session, actor, "resolve", REGISTER, conflict.record_id, label=conflict.record_label, at=now,
                 changes={"register": [None, conflict.register], "field": [None, conflict.field or None],
                          "kind": [None, conflict.kind], "resolution": [None, choice]})


def _keep_mine(session: Session, actor: Actor, conflict: SyncConflict, value: Any, *, edited: bool) -> None:
    """The PC's change, made again now by the person resolving it (so with their rights)."""
    payload = conflict.payload.get("payload", {})
    command = conflict.payload.get("command")
    if command == "call":  # a service call made again now, on the record as it is now
        from civaffairs.sync import capture

        found = capture.COMMANDS.get(str(payload.get("name")))
        one_field = found is not None and found.merge_arg is not None and bool(conflict.field)
        if found is None or (edited and not one_field):
            raise ValidationError.at("", _("This change can only be kept or dropped, not edited here."))
        arguments = capture.from_json(payload.get("args", {}))
        if one_field:  # a field that clashed: only it is made again (the rest was merged)
            assert found.merge_arg is not None
            mine = (arguments.get(found.merge_arg) or {}).get(conflict.field)
            arguments[found.merge_arg] = {conflict.field: value if edited else mine}
        if found.version_arg and found.model is not None and found.record_arg:
            obj = session.get(found.model, arguments.get(found.record_arg))
            if obj is not None:
                arguments[found.version_arg] = obj.version
        capture.call_again(session, actor, found.name, arguments)
        return
    spec = get_register(conflict.register)
    obj = session.get(spec.model, conflict.record_id)
    if command == "create" and obj is None:
        values = V.form_from_json(spec, payload.get("values", {}))
        if edited and conflict.field:
            values[conflict.field] = value
        # The person resolving has read the reason: the register's warnings are accepted.
        found = records._found_warnings(session, spec, records._validate(session, spec, values, {}, None), None)
        records.create(session, actor, spec, values, accept=list(found.values()), record_id=conflict.record_id)
        return
    if obj is None:
        raise ValidationError.at("", _("The record no longer exists."))
    if command == "delete":
        records.delete(session, actor, spec, conflict.record_id)
        return
    if command == "restore":
        records.restore(session, actor, spec, conflict.record_id)
        return
    new = V.form_from_json(spec, payload.get("new", payload.get("values", {})))
    if conflict.field:
        new = {conflict.field: value if edited else new.get(conflict.field)}
    elif edited:
        raise ValidationError.at("", _("Only a single field can be edited here; keep one side, then edit the record."))
    if obj.deleted_at is not None:
        records.restore(session, actor, spec, conflict.record_id)  # an administrator's right
        obj = session.get(spec.model, conflict.record_id)
    records.update(session, actor, spec, conflict.record_id, obj.version, new, accept=payload.get("accepted", ()))
