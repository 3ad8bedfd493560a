"""Import batches as a user sees them, and their undo: created records go to the recycle bin,
updated ones get their old values back, each through the service (audited).  Refused, naming the
record, if any record of the batch was changed after the import."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.core.clock import now_utc
from civaffairs.core.errors import NeedsConfirmation, NotFound, PermissionDenied, ValidationError
from civaffairs.core.i18n import _
from civaffairs.exchange import keys
from civaffairs.exchange.models import ImportBatch, ImportItem
from civaffairs.records import service as records
from civaffairs.records import values as V
from civaffairs.records.spec import get_register


@dataclass(frozen=True)
class BatchInfo:
    id: uuid.UUID
    register: str
    register_name: str
    file_name: str
    at: datetime
    actor: str
    created: int
    updated: int
    skipped: int
    undone_at: datetime | None
    undone_by: str | None


encode_values = V.form_json  # a record's form values as JSON, and back
decode_values = V.form_from_json


def _info(b: ImportBatch) -> BatchInfo:
    try:
        name = get_register(b.register).name
    except KeyError:
        name = b.register
    return BatchInfo(b.id, b.register, name, b.file_name, b.at, b.actor, b.created, b.updated, b.skipped,
                     b.undone_at, b.undone_by)


def list_batches(session: Session, actor: Actor, register: str | None = None) -> list[BatchInfo]:
    """The import batches, newest first (of one register if given)."""
    stmt = select(ImportBatch).order_by(ImportBatch.at.desc(), ImportBatch.id.desc())
    if register:
        stmt = stmt.where(ImportBatch.register == register)
    return [_info(b) for b in session.scalars(stmt)]


def undo_batch(session: Session, actor: Actor, batch_id: uuid.UUID) -> int:
    """Undo an import: administrator only; the number of records put back."""
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may undo an import."))
    batch = session.get(ImportBatch, batch_id, with_for_update=True)
    if batch is None:
        raise NotFound(_("This import batch no longer exists."))
    if batch.undone_at is not None:
        raise ValidationError({"": _("This import was undone already.")})
    spec = get_register(batch.register)
    items = list(session.scalars(select(ImportItem).where(ImportItem.batch_id == batch_id)
                                 .order_by(ImportItem.position.desc())))
    objects = {}
    for item in items:  # all or nothing: every record is checked before any is touched
        obj = session.get(spec.model, item.record_id, with_for_update=True)
        if obj is None or obj.version != item.record_version or obj.deleted_at is not None:
            label = keys.texts(session, spec, [item.record_id], actor).get(item.record_id, str(item.record_id))
            raise ValidationError({"": _("“{record}” was changed after the import; the import cannot be undone. Undo that change first, or correct the records by hand.").format(record=label)})
        objects[item.id] = obj
    for item in items:
        if item.action == "created":
            records.delete(session, actor, spec, item.record_id, item.record_version)
        else:
            before = decode_values(spec, item.before or {})
            try:
                records.update(session, actor, spec, item.record_id, item.record_version, before)
            except NeedsConfirmation as e:  # the values it had: accepted then, accepted again
                records.update(session, actor, spec, item.record_id, item.record_version, before,
                               accept=list(e.field_errors.values()))
    batch.undone_at, batch.undone_by = now_utc(), actor.username
    session.flush()
    audit.record(session, actor, "undo import", spec.key, batch.id, label=batch.file_name, changes={
        "records": [None, str(len(items))]})
    return len(items)
