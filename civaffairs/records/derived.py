"""Tables kept from register rows by the services' flushes (a search index), and how to bring
them up to date when rows were copied in without a flush (a working copy's pull).  The module
that keeps such a table registers its refresher for the registers' tables it reads."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping

from sqlalchemy import Connection

Refresher = Callable[[Connection, Mapping[str, Collection[uuid.UUID]]], None]
_refreshers: dict[str, list[Refresher]] = {}


def on_copied(table_names: Collection[str], refresher: Refresher) -> None:
    """Call `refresher(connection, {table: ids})` after rows of these tables were copied in."""
    for name in table_names:
        if refresher not in _refreshers.setdefault(name, []):
            _refreshers[name].append(refresher)


def rows_copied(connection: Connection, copied: Mapping[str, Collection[uuid.UUID]]) -> None:
    """Bring every derived table up to date with the rows just copied (by table name)."""
    done: list[Refresher] = []
    for name, ids in copied.items():
        for refresher in _refreshers.get(name, ()):
            if ids and refresher not in done:
                done.append(refresher)
                refresher(connection, copied)
