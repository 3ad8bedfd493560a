"""Queueing a service's change in the outbox of a working copy, in the change's own transaction
(committed together or not at all).  The services call `queue` after their audit entry; on a
database that is not a working copy (a single PC, or the office server itself) it does nothing."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
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
    session.add(OutboxEntry(position=_next_position(session), made_at=now_utc(), actor=actor.username,
                            command=command, register=spec.key, record_id=record_id, record_label=label[:200],
                            payload=dict(payload)))


def queue_created(session: Session, actor: Actor, spec: RegisterSpec,
                  rows: Sequence[tuple[uuid.UUID, Mapping[str, Any], Sequence[str], str]]) -> None:
    """Many new records at once (an import written in bulk): (id, values, warnings accepted, label)."""
    if not is_working_copy(session) or not rows:
        return
    from civaffairs.core.ids import new_id
    from civaffairs.records.service import BULK_CHUNK, insert_rows

    session.info.setdefault(QUEUED, set()).update(record_id for record_id, *_rest in rows)
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
