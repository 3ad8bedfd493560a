"""Numbers as plain data (no SQLAlchemy, no Qt): the kinds of numbered paper, how each kind writes
its numbers, and one line of the number register."""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from civaffairs.core.i18n import N_, _


class NumberStatus(StrEnum):
    USED = "used"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _(NUMBER_STATUS_LABELS[self])


NUMBER_STATUS_LABELS = {NumberStatus.USED: N_("Used"), NumberStatus.CANCELLED: N_("Cancelled")}

OPEN, CLOSE = "\u3014", "\u3015"  # 〔 〕: the brackets GB/T 9704 prescribes around the year
PREFIX_PATTERN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{1,12}$")


def bracketed(prefix: str, year: int, serial: int) -> str:
    """`麦民发〔2021〕12号`: the full year in 〔〕, the serial without zero padding."""
    return f"{prefix}{OPEN}{year}{CLOSE}{serial}号"


@dataclass(frozen=True)
class NumberKind:
    """A kind of numbered paper.  Numbers run per (kind, prefix, year) and are never reused."""

    key: str  # "document", "inspection", …: stored with every number
    label: str  # N_-marked, e.g. "Document number"
    default_prefix: str = ""  # offered until the office has used another
    format: Callable[[str, int, int], str] = bracketed

    @property
    def title(self) -> str:
        return _(self.label)


_KINDS: dict[str, NumberKind] = {}


def register_kind(kind: NumberKind) -> NumberKind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"number kind {kind.key} defined twice")
    _KINDS[kind.key] = kind
    return kind


def number_kind(key: str) -> NumberKind:
    return _KINDS[key]


def number_kinds() -> list[NumberKind]:
    return list(_KINDS.values())


@dataclass(frozen=True)
class NumberEntry:
    """One line of the number register: a number given out, and what became of it."""

    kind: str
    prefix: str
    year: int
    serial: int
    number: str
    status: NumberStatus
    owner_register: str
    owner_id: uuid.UUID | None
    owner_label: str
    given_by: str
    given_at: datetime
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
