"""Queueing a service's change in the outbox of a working copy, in the change's own transaction
(committed together or not at all).  The services call `queue` after their audit entry; on a
database that is not a working copy (a single PC, or the office server itself) it does nothing."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.clock import now_utc
from civaffairs.db.database import WORKING_COPY
from civaffairs.records.spec import RegisterSpec
from civaffairs.records.values import form_json
from civaffairs.sync.models import OutboxEntry


def is_working_copy(session: Session) -> bool:
    return bool(session.info.get(WORKING_COPY))


def _next_position(session: Session) -> int:
    return (session.scalar(select(func.max(OutboxEntry.position))) or 0) + 1


def queue(session: Session, actor: Actor, command: str, spec: RegisterSpec, record_id: uuid.UUID,
          payload: Mapping[str, Any], label: str = "") -> None:
    if not is_working_copy(session):
        return
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
