"""Record ids: time-ordered UUIDs (version 7), so that records made on different PCs while the
office network is down can be merged without renumbering, and index locality stays good.

A service call made on a PC's working copy is made again on the office server by the same
function (`civaffairs.sync`); the ids it gave on the PC are recorded there (`recording`) and
given again, in the same order, on the server (`replaying`), so that its records keep their ids."""
from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import uuid6

_recorded: ContextVar[list[uuid.UUID] | None] = ContextVar("civaffairs_recorded_ids", default=None)
_replayed: ContextVar[deque[uuid.UUID] | None] = ContextVar("civaffairs_replayed_ids", default=None)


def new_id() -> uuid.UUID:
    again = _replayed.get()
    if again:
        return again.popleft()
    made = uuid.UUID(bytes=uuid6.uuid7().bytes)
    recorded = _recorded.get()
    if recorded is not None:
        recorded.append(made)
    return made


@contextmanager
def recording() -> Iterator[list[uuid.UUID]]:
    """The ids given inside, in order."""
    made: list[uuid.UUID] = []
    token = _recorded.set(made)
    try:
        yield made
    finally:
        _recorded.reset(token)


@contextmanager
def replaying(ids: Iterable[uuid.UUID]) -> Iterator[None]:
    """Inside, `new_id` gives these ids first, in order (then new ones)."""
    token = _replayed.set(deque(ids))
    try:
        yield
    finally:
        _replayed.reset(token)
