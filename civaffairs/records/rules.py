"""Register rules many registers share, made by a factory so that each register only names its
fields and its message.  A rule is `(session, values, record_id) -> {field: message}`
(`spec.RegisterRule`); messages are N_-marked and translated when the rule runs."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.core.i18n import _
from civaffairs.records.spec import RegisterRule, row_local


def unique_name(model: Any, message: str, *, parent: str | None = None, field: str = "name") -> RegisterRule:
    """No two live records of `model` with the same `field` (under the same `parent`, if given);
    `message` names it with {name}."""

    def rule(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
        name = values.get(field)
        parent_id = values.get(parent) if parent else None
        if not name or (parent and parent_id is None):
            return {}
        stmt = select(model.id).where(getattr(model, field) == name, model.deleted_at.is_(None))
        if parent:
            stmt = stmt.where(getattr(model, parent) == parent_id)
        if record_id:
            stmt = stmt.where(model.id != record_id)
        if session.scalar(stmt.limit(1)) is not None:
            return {field: _(message).format(name=name)}
        return {}

    return rule


def in_order(first: str, then: str, message: str) -> RegisterRule:
    """`then` (an end date, a time out) is not before `first`, when both are given."""

    def rule(session: Session, values: Mapping[str, Any], record_id: uuid.UUID | None) -> dict[str, str]:
        a, b = values.get(first), values.get(then)
        if a is not None and b is not None and b < a:
            return {then: _(message)}
        return {}

    return row_local(rule)
