"""How a workbook names a record: by its register's natural key (`RegisterSpec.key_fields`), as
text.  An export writes a reference this way so that the file imports again; an import finds the
referenced record by that text or by its display name, and matches rows to existing records by
their natural key."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind, RegisterSpec, get_register

SEPARATOR = " / "  # between the parts of a key of several fields: "马跑泉镇 / 东山村"
_CHUNK = 500


def key_names(spec: RegisterSpec) -> tuple[str, ...]:
    return spec.key_fields


def _may_read(actor: Actor | None, spec: RegisterSpec, names: Iterable[str]) -> bool:
    return actor is None or actor.can_read_sensitive(spec.group) or all(
        spec.field(n).sensitive is None for n in names)


def value_text(f: FieldSpec, value: Any) -> str:
    """A stored value as a key's text: what the list shows (a choice by its title)."""
    if V.is_empty(value):
        return ""
    return V.display_text(f, value)


def texts(session: Session, spec: RegisterSpec, ids: Iterable[uuid.UUID], actor: Actor | None = None,
          *, by_display: bool = False) -> dict[uuid.UUID, str]:
    """{id: the text naming that record of `spec`}: its natural key, or its display fields where a
    part of the key is empty or is personal data `actor` may not read (the list's name for it)."""
    wanted = list({i for i in ids if i is not None})
    if not wanted:
        return {}
    key = spec.display_fields if by_display or not _may_read(actor, spec, spec.key_fields) else spec.key_fields
    names = list(dict.fromkeys((*key, *spec.display_fields)))
    model = spec.model
    rows: list[Sequence[Any]] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        rows.extend(session.execute(select(model.id, *(getattr(model, n) for n in names))
                                    .where(model.id.in_(chunk))).all())
    return _render(session, spec, names, rows, key, actor)


def _render(session: Session, spec: RegisterSpec, names: list[str], rows: Sequence[Sequence[Any]],
            key: tuple[str, ...], actor: Actor | None) -> dict[uuid.UUID, str]:
    fields = [spec.field(n) for n in names]
    # The parts that are references are named by their own record's text, one query per register.
    referenced: dict[str, dict[uuid.UUID, str]] = {}
    for i, f in enumerate(fields):
        if f.kind is Kind.REFERENCE:
            referenced[f.name] = texts(session, get_register(f.reference or ""), (r[i + 1] for r in rows), actor)
    out: dict[uuid.UUID, str] = {}
    for r in rows:
        parts = {}
        for i, f in enumerate(fields):
            value = r[i + 1]
            if f.kind is Kind.REFERENCE:
                parts[f.name] = referenced[f.name].get(value, "") if value is not None else ""
            else:
                parts[f.name] = value_text(f, V.from_db(f, value))
        chosen = key if all(parts[n] for n in key) else spec.display_fields
        out[r[0]] = SEPARATOR.join(parts[n] for n in chosen if parts[n])
    return out


def all_texts(session: Session, spec: RegisterSpec, *, by_display: bool = False) -> dict[uuid.UUID, str]:
    """The text of every live record of `spec`."""
    model = spec.model
    key = spec.display_fields if by_display else spec.key_fields
    names = list(dict.fromkeys((*key, *spec.display_fields)))
    rows = session.execute(select(model.id, *(getattr(model, n) for n in names))
                           .where(model.deleted_at.is_(None))).all()
    return _render(session, spec, names, rows, key, None)


class ReferenceIndex:
    """Finds a record of a register by the text a cell holds: its natural key's text, else its
    display name.  Built on first use, one query each for the whole register."""

    def __init__(self, session: Session, spec: RegisterSpec) -> None:
        self.spec = spec
        self._session = session
        self._maps: list[dict[str, uuid.UUID | None]] | None = None  # a None id: several records

    def _build(self) -> list[dict[str, uuid.UUID | None]]:
        maps = []
        for by_display in (False, True):
            found: dict[str, uuid.UUID | None] = {}
            for record_id, text in all_texts(self._session, self.spec, by_display=by_display).items():
                t = _plain(text)
                found[t] = None if t in found and found[t] != record_id else record_id
            maps.append(found)
        return maps

    def find(self, text: str) -> tuple[uuid.UUID | None, bool]:
        """(the record's id or None, whether the text named several records)."""
        if self._maps is None:
            self._maps = self._build()
        t = _plain(text)
        for found in self._maps:
            if t in found:
                return found[t], found[t] is None
        return None, False


def _plain(text: str) -> str:
    return " ".join(str(text).replace("／", "/").split())


def key_of(spec: RegisterSpec, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The natural key of a record's values (after coercion), or None when a part is empty."""
    parts = []
    for n in spec.key_fields:
        v = values.get(n)
        if V.is_empty(v):
            return None
        parts.append(tuple(v) if isinstance(v, list) else v)
    return tuple(parts)


def existing_keys(session: Session, spec: RegisterSpec) -> dict[tuple[Any, ...], uuid.UUID]:
    """{natural key: id} of the live records of `spec`, one query."""
    model = spec.model
    fields = [spec.field(n) for n in spec.key_fields]
    found: dict[tuple[Any, ...], uuid.UUID] = {}
    for r in session.execute(select(model.id, *(getattr(model, f.name) for f in fields))
                             .where(model.deleted_at.is_(None))):
        k = key_of(spec, {f.name: V.from_db(f, v) for f, v in zip(fields, r[1:])})
        if k is not None:
            found.setdefault(k, r[0])
    return found
