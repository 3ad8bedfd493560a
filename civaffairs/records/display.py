"""A register row's cells as text, the same on screen and on paper."""
from __future__ import annotations

from typing import TYPE_CHECKING

from civaffairs.records import values as V
from civaffairs.records.spec import FieldSpec, Kind

if TYPE_CHECKING:
    from civaffairs.records.service import Row

RIGHT_ALIGNED_KINDS = (Kind.TEMPERATURE, Kind.MONEY, Kind.INTEGER)


def cell_text(f: FieldSpec, row: Row) -> str:
    """What the list shows for field `f` of `row`: a masked value as the service masked it, a
    reference as the referenced record's label, anything else as `values.display_text`."""
    value = row.values.get(f.name)
    if f.name in row.masked:
        return str(value)
    if f.kind is Kind.REFERENCE:
        return value or ""
    return V.display_text(f, value)


def align_right(f: FieldSpec) -> bool:
    """Numbers line up on the right, in the list and in printouts."""
    return f.kind in RIGHT_ALIGNED_KINDS
