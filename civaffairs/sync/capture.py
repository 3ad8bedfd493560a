"""Queueing a service's change in the outbox of a working copy, in the change's own transaction
(committed together or not at all).  The services call `queue` after their audit entry; on a
database that is not a working copy (a single PC, or the office server itself) it does nothing."""
from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core import ids
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import CivaffairsError
from civaffairs.core.i18n import _
from civaffairs.db.database import WORKING_COPY
from civaffairs.records.spec import RegisterSpec
from civaffairs.records.values import form_json
from civaffairs.sync.models import OutboxEntry


QUEUED = "civaffairs_queued"  # Session.info: the records whose changes this transaction queued
WRITTEN = "civaffairs_written"  # Session.info: (table, id) of what this transaction's flushes wrote
LOCAL_ONLY = frozenset({
    "audit_entry",  # this PC's own trail (the server keeps its own of every applied change)
    "user_account",  # a log-in's counters; accounts are managed on the server
    "office_setting",
    "exchange_import_batch", "exchange_import_item",  # this PC's import batches (their records are queued)
    "assistance_person_search",  # kept from the members by their flushes, on every database alike
    "sync_outbox", "sync_state", "sync_applied", "sync_conflict",
})
"""Tables a working copy writes for itself.  Any other row written on a working copy must be
part of a queued change, or the transaction is refused (`NeedsServer`): nothing may be saved
on a PC that would never reach the server."""


class NeedsServer(CivaffairsError):
    """An action that cannot yet be taken on a working copy (it would not reach the server)."""


def is_working_copy(session: Session) -> bool:
    return bool(session.info.get(WORKING_COPY))


@event.listens_for(Session, "after_flush")
def _note_written(session: Session, _flush_context: Any) -> None:
    if not session.info.get(WORKING_COPY):
        return
    written = session.info.setdefault(WRITTEN, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", "")
        if table not in LOCAL_ONLY:
            written.add((table, getattr(obj, "id", None)))


@event.listens_for(Session, "before_commit")
def _refuse_what_would_not_reach_the_server(session: Session) -> None:
    if not session.info.get(WORKING_COPY):
        return
    session.flush()  # the commit's own flush comes after this hook: what it would write is judged too
    queued = session.info.get(QUEUED, set())
    stray = sorted({table for table, record_id in session.info.pop(WRITTEN, set()) if record_id not in queued})
    session.info.pop(QUEUED, None)
    if stray:
        raise NeedsServer(_("This action cannot be taken on this PC's working copy yet: it would not reach the "
                            "office server ({tables}). Take it on a PC connected straight to the server.")
                          .format(tables="、".join(stray)))


def _next_position(session: Session) -> int:
    return (session.scalar(select(func.max(OutboxEntry.position))) or 0) + 1


def queue(session: Session, actor: Actor, command: str, spec: RegisterSpec, record_id: uuid.UUID,
          payload: Mapping[str, Any], label: str = "") -> None:
    if not is_working_copy(session):
        return
    session.info.setdefault(QUEUED, set()).add(record_id)
    if session.info.get(IN_COMMAND):
        return  # part of a queued service call, which travels whole
    numbers = session.info.pop(NUMBERS_GIVEN, None)  # a workflow step that numbered the record
    session.add(OutboxEntry(position=_next_position(session), made_at=now_utc(), actor=actor.username,
                            command=command, register=spec.key, record_id=record_id, record_label=label[:200],
                            payload={**payload, **({"numbers": numbers} if numbers else {})}))


def queue_created(session: Session, actor: Actor, spec: RegisterSpec,
                  rows: Sequence[tuple[uuid.UUID, Mapping[str, Any], Sequence[str], str]]) -> None:
    """Many new records at once (an import written in bulk): (id, values, warnings accepted, label)."""
    if not is_working_copy(session) or not rows:
        return
    from civaffairs.core.ids import new_id
    from civaffairs.records.service import BULK_CHUNK, insert_rows

    session.info.setdefault(QUEUED, set()).update(record_id for record_id, *_rest in rows)
    if session.info.get(IN_COMMAND):
        return
    first, now = _next_position(session), now_utc()
    entries = [dict(id=new_id(), position=first + i, made_at=now, actor=actor.username, command="create",
                    register=spec.key, record_id=record_id, record_label=label[:200],
                    payload=create_payload(spec, values, accepted), sent_at=None, outcome=None)
               for i, (record_id, values, accepted, label) in enumerate(rows)]
    for start in range(0, len(entries), BULK_CHUNK):
        insert_rows(session, OutboxEntry.__table__, entries[start:start + BULK_CHUNK])


def create_payload(spec: RegisterSpec, values: Mapping[str, Any], accepted: Sequence[str]) -> dict[str, Any]:
    return {"values": form_json(spec, values), "accepted": list(accepted)}


def update_payload(spec: RegisterSpec, version: int, before: Mapping[str, Any], after: Mapping[str, Any],
                   names: Sequence[str], accepted: Sequence[str]) -> dict[str, Any]:
    """What the clerk changed, and from what: the server merges field by field against it."""
    keep = [n for n in names if spec.field(n).in_form]
    return {"version": version, "base": form_json(spec, before, keep), "new": form_json(spec, after, keep),
            "accepted": list(accepted)}


# ------------------------------------------------------------------ service calls as changes

IN_COMMAND = "civaffairs_in_command"  # Session.info: a replayable call is running (inner changes go with it)


@dataclass(frozen=True)
class Command:
    """A service function whose calls on a working copy travel to the server whole, to be made
    there again by the same function (the same rules, rights and audit)."""

    name: str
    fn: Callable[..., Any]
    register: str  # the audit register of what it changes (its rows come down with the pull)
    record_arg: str | None  # the argument naming the record it acts on
    returns_id: str | None  # the argument that takes, on the server, the id the call returned here
    version_arg: str | None  # the argument holding the version the clerk saw (refreshed by "keep mine")
    model: Any = None  # the table of `record_arg`'s record, for its current version
    merge_arg: str | None = None  # the argument mapping field names to new values: merged field by field
    field_titles: Mapping[str, str] | None = None  # those fields' titles, for the conflict screen (untranslated)


COMMANDS: dict[str, Command] = {}
SYNCED_TABLES: dict[str, Any] = {}
"""Tables that are not a register's but come down with the pull all the same, by the audit
register their changes are recorded under (a notice's rows under "notices.notice")."""


def synced_table(register: str, model: Any) -> None:
    SYNCED_TABLES[register] = model


def replayable(name: str, *, register: str, record_arg: str | None = None, returns_id: str | None = None,
               version_arg: str | None = None, model: Any = None, merge_arg: str | None = None,
               field_titles: Mapping[str, str] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a service function (session, actor, ...) whose changes are not all made through the
    records service: on a working copy, a call is queued as one change with its arguments, and
    every row it wrote goes with it.  On any other database it runs as it always did.

    A call that edits fields of one record (`merge_arg` names the mapping of field to new value,
    `version_arg` the version the clerk saw) also carries the values those fields held before it,
    so that the server can merge it with what was saved meanwhile, field by field."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def call(session: Session, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            if not is_working_copy(session) or session.info.get(IN_COMMAND):
                return fn(session, actor, *args, **kwargs)
            bound = signature.bind(session, actor, *args, **kwargs)
            bound.apply_defaults()
            arguments = {k: v for k, v in list(bound.arguments.items())[2:]}
            before = set(session.info.get(WRITTEN, set()))
            base = _base_values(session, arguments) if merge_arg else None
            session.info[IN_COMMAND] = True
            try:
                with ids.recording() as made:  # the server gives these ids again, in order
                    result = fn(session, actor, *args, **kwargs)
                    session.flush()
            finally:
                session.info.pop(IN_COMMAND, None)
            written = set(session.info.get(WRITTEN, set())) - before
            session.info.setdefault(QUEUED, set()).update(i for _t, i in written)
            if returns_id is not None and isinstance(result, uuid.UUID):
                arguments[returns_id] = result
            record_id = arguments.get(record_arg) if record_arg else getattr(result, "id", result)
            payload = {"name": name, "args": to_json(arguments), "ids": [str(i) for i in made],
                       "rows": sorted([t, str(i)] for t, i in written if isinstance(i, uuid.UUID)),
                       "numbers": session.info.pop(NUMBERS_GIVEN, [])}
            if base is not None:
                payload["base"] = to_json(base)
            session.add(OutboxEntry(
                position=_next_position(session), made_at=now_utc(), actor=actor.username, command="call",
                register=register, record_id=record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(int=0),
                record_label="", payload=payload))
            session.flush()
            return result

        def _base_values(session: Session, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
            """The values the fields this call sets held before it (None: no such record here)."""
            assert merge_arg is not None and record_arg is not None and model is not None
            obj = session.get(model, arguments.get(record_arg))
            if obj is None:
                return None
            return {k: field_value(obj, k) for k in arguments.get(merge_arg) or {}}

        if merge_arg is not None and (record_arg is None or version_arg is None or model is None):
            raise TypeError("a call merged field by field names its record, version and table")
        COMMANDS[name] = Command(name, fn, register, record_arg, returns_id, version_arg, model, merge_arg,
                                 field_titles)
        return call
    return wrap


def field_value(obj: Any, name: str) -> Any:
    """A field's stored value, comparable across a JSON round trip (a list, not a JSON array proxy)."""
    value = getattr(obj, name, None)
    return list(value) if isinstance(value, (list, tuple)) else value


def call_again(session: Session, actor: Actor, name: str, arguments: Mapping[str, Any],
               given_ids: Sequence[str] = ()) -> Any:
    """A queued call made again (on the server, or by whoever resolves its conflict), giving the
    records it makes the ids the PC gave them (`given_ids`, in order)."""
    command = COMMANDS[name]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in list(inspect.signature(command.fn).parameters.values())[2:]:
        if parameter.name not in arguments:
            continue
        value = arguments[parameter.name]
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(value)
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(value)
        elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[parameter.name] = value
    with ids.replaying(uuid.UUID(i) for i in given_ids):
        result = command.fn(session, actor, *args, **kwargs)
        session.flush()  # the rows get their ids while the PC's are given
    return result


NUMBERS_GIVEN = "civaffairs_numbers_given"  # Session.info: numbers a working copy drew in this call
REPLAY_PC = "civaffairs_replay_pc"  # Session.info, on the server: whose call is being made again


def to_json(value: Any) -> Any:
    """Arguments as JSON, their types kept (an id stays an id, a date a date)."""
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, Mapping):
        return {"$map": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot queue an argument of type {type(value).__name__}")


def from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if "$uuid" in value:
            return uuid.UUID(value["$uuid"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$time" in value:
            return time.fromisoformat(value["$time"])
        if "$decimal" in value:
            return Decimal(value["$decimal"])
        if "$map" in value:
            return {from_json(k): from_json(v) for k, v in value["$map"]}
    return value
