"""The exchange between a PC's working copy and the office server (issue 13), each figure as a
ratio against a floor measured in the same run on the same machine.  The server is a SQLite file,
or PostgreSQL with --postgres URL (a fresh schema per database, dropped at the end; the floors
then use that server too).

    python bench/bench_sync.py [--changes 10000] [--rows 100000] [--repeat 2] [--latency 7]
                               [--postgres URL] [--profile]

1. After an outage: a joined PC makes N check-ins of group 1 through the services (one save a
   check-in, as a clerk who is a member of group 1 on the server; the server is not contacted,
   untimed), then `exchange.exchange(pc, server)` is timed.  Floor: the same rows, read from
   the PC's table, inserted with plain executemany (sqlite3 or psycopg) into a copy of the server
   database taken before the exchange, in one transaction.  Also: the time a change and where
   it goes (push on the server, marking sent on the PC, pull: collect on the server, store on
   the PC); --profile adds a cProfile top 10 of the same exchange run on copies of both databases.
2. A new PC's first download: a server holding R entry registrations (plain inserts, as
   bench_exchange.fill_entries, with their audit entries, chained), `exchange.join(pc, server,
   url)` into an empty data folder (made by open_database, untimed).  Floor: every table the join
   copies, read with the driver and written with executemany into a fresh database of the same
   schema, in one transaction.
3. From a save on PC A to the row on PC B's screen, both online: A saves a check-in and
   exchanges, B exchanges and reads the row.  Floor: the same row inserted on the server and read
   back by another connection with plain SQL.  The median of --latency samples each.

Slow figures are sampled --repeat times each, the program and its floor in turn; the fastest
sample of each counts.  The exchange of figure 1 is sampled once (a second would find nothing
waiting).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_exchange import copy_database, fill, fill_entries  # noqa: E402

DB_FILE = "civaffairs.sqlite"
CLERK_NAME, CLERK_PASSWORD = "clerk", "clerk-password-1"
STAFF = 100  # staff members the check-ins are spread over
FIRST_DAY = date(2020, 1, 1)  # figure 1's check-ins: STAFF a day from here
LATENCY_DAY = date(2019, 1, 1)  # figure 3's check-ins (the program's)
FLOOR_DAY = date(2018, 1, 1)  # figure 3's rows (the floor's)


def _clerk():  # type: ignore[no-untyped-def]
    from civaffairs.accounts.roles import Actor, Role

    return Actor(CLERK_NAME, "办公室文员", Role.MEMBER, frozenset({1}))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


# ------------------------------------------------------------------ where the databases live


class Place:
    """Where the benchmark's servers live: folders of SQLite files, or schemas on a PostgreSQL
    server (each opened through its search_path, as the tests do)."""

    def __init__(self, work: Path, postgres: str | None):
        self.work = work
        self.postgres = postgres
        self.schemas: list[str] = []

    def server(self, name: str):  # type: ignore[no-untyped-def]
        from civaffairs.db.bootstrap import open_database

        if self.postgres is None:
            return open_database(self.work / name)
        from sqlalchemy.engine import make_url

        schema = f"bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        url = make_url(self.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        return open_database(self.work / name, url.render_as_string(hide_password=False))

    def copy(self, source, name: str):  # type: ignore[no-untyped-def]
        """A copy of the server `source` (its rows as they are now), as a new server."""
        if self.postgres is None:
            source.dispose()
            copy_database(Path(source.engine.url.database).parent, self.work / name)
            from civaffairs.db.bootstrap import open_database

            return open_database(self.work / name)
        from sqlalchemy import text

        import civaffairs.schema  # noqa: F401
        from civaffairs.db.base import Base

        target = self.server(name)
        tables = Base.metadata.sorted_tables
        with target.engine.begin() as c:
            src = self.schema_of(source)
            for t in reversed(tables):
                c.execute(text(f'DELETE FROM "{t.name}"'))
            for t in tables:
                columns = ", ".join(f'"{col.name}"' for col in t.columns)
                c.execute(text(f'INSERT INTO "{t.name}" ({columns}) SELECT {columns} FROM "{src}"."{t.name}"'))
        return target

    @staticmethod
    def schema_of(db) -> str:  # type: ignore[no-untyped-def]
        return db.engine.url.query["options"].split("=", 1)[1]

    def connect(self, db):  # type: ignore[no-untyped-def]
        """A plain driver connection to the database `db` (sqlite3 or psycopg)."""
        if db.is_sqlite:
            con = sqlite3.connect(db.engine.url.database, isolation_level=None)
            con.execute("PRAGMA foreign_keys=ON")  # as the program's connections
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=10000")
            return con
        import psycopg

        return psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.postgres or "", isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(text(sql))
        engine.dispose()

    def drop(self) -> None:
        for schema in self.schemas:
            try:
                self._admin(f'DROP SCHEMA "{schema}" CASCADE')
            except Exception as e:  # noqa: BLE001 - the report matters more than the clean-up
                print(f"(could not drop schema {schema}: {e})", file=sys.stderr)


@contextmanager
def transaction(con: Any) -> Iterator[Any]:
    """One transaction on a plain connection (sqlite3 in autocommit mode, or psycopg)."""
    if isinstance(con, sqlite3.Connection):
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    else:
        with con.transaction():
            yield con


def placeholders(con: Any, n: int) -> str:
    return ", ".join(("?" if isinstance(con, sqlite3.Connection) else "%s") for _ in range(n))


def to_sqlite(value: Any) -> Any:
    """A value read with psycopg as SQLAlchemy stores it in SQLite."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(" ", "microseconds")
    if isinstance(value, (date, Decimal)):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):  # time
        return value.isoformat()
    return value


# ------------------------------------------------------------------ the office


def make_office(db) -> None:  # type: ignore[no-untyped-def]
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR

    with db.write() as s:
        admin = accounts.initialise_office(s, "麦积区民政局", "admin", "管理员", "admin-password-1",
                                           by=COMMAND_LINE_ACTOR)
        accounts.create_user(s, admin, CLERK_NAME, "办公室文员", CLERK_PASSWORD, "member", [1])


def add_staff(db, n: int) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    """`n` staff members of group 1, with plain inserts and an audit entry each (chained)."""
    import random

    from civaffairs.audit.models import AuditEntry
    from civaffairs.core.clock import now_utc
    from civaffairs.core.ids import new_id
    from civaffairs.demo import resident_id
    from civaffairs.groups.bureau_office import fields as bo
    from civaffairs.records.service import insert_rows

    rng = random.Random(7)
    now = now_utc()
    rows = [dict(id=new_id(), version=1, created_at=now, created_by="admin", updated_at=now, updated_by="admin",
                 name=f"职工{i:03d}", department="办公室", post="科员", phone=f"139{i:08d}",
                 id_number=resident_id(rng, date(1970 + i % 30, 1 + i % 12, 1 + i % 28), i % 2 == 0),
                 working_groups=["1"]) for i in range(n)]
    with db.write() as s:
        insert_rows(s, bo.STAFF.model.__table__, rows)
        insert_rows(s, AuditEntry.__table__, [audit_row(bo.STAFF.key, r["id"], r["name"], now) for r in rows])
    return [r["id"] for r in rows]


def audit_row(register: str, record_id: uuid.UUID, label: str, at: datetime) -> dict[str, Any]:
    from civaffairs.core.ids import new_id

    return dict(id=new_id(), at=at, actor="admin", action="create", register=register, record_id=record_id,
                record_version=1, record_label=label, changes={"name": [None, label]})


def check_in(staff_id: uuid.UUID, day: date) -> dict[str, Any]:
    return {"staff_id": staff_id, "day": day, "morning_temperature": Decimal("36.5"),
            "afternoon_temperature": Decimal("36.6"), "health_code": "green", "travelled_outside": False,
            "notes": ""}


def table_rows(db, table, *, raw: bool) -> tuple[list[str], list[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    """Every row of `table` in the SQLite database `db`, as a driver inserts them: raw sqlite3
    rows for sqlite3; SQLAlchemy's Python values for psycopg."""
    from sqlalchemy import select

    names = [c.name for c in table.columns]
    if raw:
        con = sqlite3.connect(db.engine.url.database)
        rows = con.execute(f'SELECT {", ".join(names)} FROM "{table.name}"').fetchall()
        con.close()
        return names, rows
    with db.read() as s:
        return names, [tuple(r) for r in s.execute(select(table))]


# ------------------------------------------------------------------ figure 1


class Phases:
    """Time spent in the exchange's steps, by wrapping them for one run."""

    NAMES = ("apply_changes", "collect", "store", "keep_numbers")
    LABELS = {"apply_changes": "push: apply on the server (apply_changes)",
              "collect": "pull: read on the server (collect)",
              "store": "pull: write on the PC (store)",
              "keep_numbers": "numbers reserved for the PC (keep_numbers)"}

    def __init__(self) -> None:
        self.spent = dict.fromkeys(self.NAMES, 0.0)
        self.calls = dict.fromkeys(self.NAMES, 0)

    @contextmanager
    def watching(self) -> Iterator[None]:
        from civaffairs.sync import exchange

        originals = {name: getattr(exchange, name) for name in self.NAMES if hasattr(exchange, name)}

        def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.spent[name] += time.perf_counter() - t
                    self.calls[name] += 1
            return wrapped

        for name, fn in originals.items():
            setattr(exchange, name, wrap(name, fn))
        try:
            yield
        finally:
            for name, fn in originals.items():
                setattr(exchange, name, fn)


def figure_1(place: Place, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select

    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office import fields as bo
    from civaffairs.sync import exchange

    n = args.changes
    server = place.server("server")
    make_office(server)
    staff = add_staff(server, STAFF)
    pc = open_database(place.work / "pc-a")
    exchange.join(pc, server, server.url)
    clerk = _clerk()
    saving, _ = timed(lambda: [
        _save(pc, clerk, bo.CHECK_INS, check_in(staff[k % STAFF], FIRST_DAY + timedelta(days=k // STAFF)))
        for k in range(n)])
    print(f"{n:,} check-ins saved on PC A while the server was out of reach (one save each, through the "
          f"services): {saving:.1f} s, {saving / n * 1000:.2f} ms a save (untimed)")
    assert exchange.status(pc).waiting == n

    # copies of the server as it is before the exchange: the floor's, and the profile's
    table = bo.CHECK_INS.model.__table__
    names, rows = table_rows(pc, table, raw=server.is_sqlite)
    assert len(rows) == n
    floors = [place.copy(server, f"floor-1-{i}") for i in range(args.repeat)]
    profiled = None
    if args.profile:
        profile_server = place.copy(server, "profile-server")
        pc.dispose()
        copy_database(place.work / "pc-a", place.work / "profile-pc")
        profiled = (open_database(place.work / "profile-pc"), profile_server)
    phases = Phases()
    with phases.watching():
        ours, result = timed(lambda: exchange.exchange(pc, server))
    assert (result.sent, result.applied, result.conflicts) == (n, n, 0), result
    with server.read() as s:
        assert s.scalar(select(func.count()).select_from(table)) == n

    insert_sql = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({{}})'

    def floor(db) -> float:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        con = place.connect(db)
        with transaction(con):
            con.cursor().executemany(insert_sql.format(placeholders(con, len(names))), rows)
        con.close()
        return time.perf_counter() - t0

    floor_t = [floor(db) for db in floors]
    with floors[0].read() as s:
        assert s.scalar(select(func.count()).select_from(table)) == n
    ratio = ours / min(floor_t)
    other = ours - sum(phases.spent.values())
    print(f"\n1. exchanging {n:,} waiting changes after an outage ({'PostgreSQL' if args.postgres else 'SQLite'} server)")
    print(f"  program exchange.exchange      {ours:7.2f} s (1 sample), {ours / n * 1000:.2f} ms a change: {result.summary()}")
    print(f"  floor executemany, 1 transaction {min(floor_t):5.2f} s   ratio {ratio:6.1f}×  "
          f"(exchange of {n:,} changes waiting after an outage)")
    print(f"  (for scale: saving them on the PC took {saving:.2f} s; the exchange takes {ours / saving:.2f} of that)")
    print("  where the exchange's time goes:")
    for name, label in phases.LABELS.items():
        if phases.calls[name]:
            print(f"    {label:<44} {phases.spent[name]:7.2f} s  {phases.spent[name] / ours:5.1%}  "
                  f"({phases.calls[name]} calls)")
    print(f"    {'the rest (outbox reads, marking sent, state)':<44} {other:7.2f} s  {other / ours:5.1%}")
    with pc.read() as s:
        pulled_back = exchange.read_state(s)
    print(f"  (the pull brought back {result.received:,} records for {n:,} sent; pull position "
          f"{pulled_back.get('pulled')})")
    if profiled is not None:
        profile_exchange(*profiled, n)
    for db in floors:
        db.dispose()
    return {"server": server, "pc": pc, "staff": staff, "floor": floors[0], "ratio": ratio}


def _save(db, actor, spec, values) -> uuid.UUID:  # type: ignore[no-untyped-def]
    from civaffairs.records import service as records

    with db.write() as s:
        return records.create(s, actor, spec, values).id


def profile_exchange(pc, server, n: int) -> None:  # type: ignore[no-untyped-def]
    from civaffairs.sync import exchange

    profiler = cProfile.Profile()
    profiler.enable()
    result = exchange.exchange(pc, server)
    profiler.disable()
    assert result.sent == n, result
    for order, title in (("tottime", "own time"), ("cumulative", "with what it calls")):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        total = stats.total_tt  # type: ignore[attr-defined]
        stats.sort_stats(order)
        print(f"\n  cProfile of the same exchange on copies (total {total:.2f} s under the profiler), "
              f"top {10 if order == 'tottime' else 15} by {title}"
              f"{' (the program’s own functions)' if order == 'cumulative' else ''}:")
        print(f"    {'share':>6} {'calls':>9} {'own s':>7} {'cum s':>7}  function")
        listed = 0
        for func in stats.fcn_list:  # type: ignore[attr-defined]
            cc, nc, tt, ct, _callers = stats.stats[func]  # type: ignore[attr-defined]
            name = f"{Path(func[0]).name}:{func[1]}({func[2]})" if func[0] != "~" else func[2]
            if order == "cumulative" and ("civaffairs" not in func[0] or func[2] in ("wrapped",)):
                continue  # with what it calls: the program's own functions
            share = (tt if order == "tottime" else ct) / total
            print(f"    {share:6.1%} {nc:>9,} {tt:7.2f} {ct:7.2f}  {name}")
            listed += 1
            if listed == (10 if order == "tottime" else 15):
                break
    pc.dispose()
    server.dispose()


# ------------------------------------------------------------------ figure 2


def figure_2(place: Place, args: argparse.Namespace) -> float:
    from sqlalchemy import select

    import civaffairs.schema  # noqa: F401
    from civaffairs.audit.models import AuditEntry
    from civaffairs.core.clock import now_utc
    from civaffairs.db.base import Base
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.community.fields import ENTRIES
    from civaffairs.records.service import insert_rows
    from civaffairs.sync import exchange

    r = args.rows
    server = place.server("server-2")
    make_office(server)
    t0 = time.perf_counter()
    points = fill(server, r)
    fill_entries(server, points, r)
    now = now_utc()
    model = ENTRIES.model
    with server.read() as s:
        made = s.execute(select(model.id, model.name)).all()
    with server.write() as s:
        for start in range(0, len(made), 20_000):
            insert_rows(s, AuditEntry.__table__, [audit_row(ENTRIES.key, i, name, now)
                                                  for i, name in made[start:start + 20_000]])
    print(f"\n{r:,} entry registrations and their audit entries on a new server in {time.perf_counter() - t0:.1f} s")

    tables = [t for t in Base.metadata.sorted_tables if t.name not in exchange.NOT_COPIED]
    source = place.connect(server)

    def floor(target) -> tuple[float, int]:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        con = place.connect(target)
        copied = 0
        with transaction(con):
            for table in reversed(tables):
                con.execute(f'DELETE FROM "{table.name}"')
            for table in tables:
                names = ", ".join(f'"{c.name}"' for c in table.columns)
                rows = source.execute(f'SELECT {names} FROM "{table.name}"').fetchall()
                if not source_is_sqlite:
                    rows = [tuple(map(to_sqlite, row)) for row in rows]
                if rows:
                    con.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES '
                                    f'({placeholders(con, len(table.columns))})', rows)
                copied += len(rows)
        if not source_is_sqlite:
            source.rollback()
        con.close()
        return time.perf_counter() - t, copied

    source_is_sqlite = isinstance(source, sqlite3.Connection)
    ours_t: list[float] = []
    floor_t: list[float] = []
    copied = floored = 0
    for i in range(args.repeat):
        pc = open_database(place.work / f"new-pc-{i}")  # untimed: the program makes its data folder first
        t, copied = timed(lambda: exchange.join(pc, server, server.url))
        ours_t.append(t)
        pc.dispose()
        target = open_database(place.work / f"new-floor-{i}")
        target.dispose()
        t, floored = floor(target)
        floor_t.append(t)
    source.close()
    assert copied == floored, (copied, floored)
    ratio = min(ours_t) / min(floor_t)
    print(f"\n2. a new PC's first download of {r:,} records ({copied:,} rows in {len(tables)} tables, "
          f"{'PostgreSQL' if args.postgres else 'SQLite'} server), fastest of {args.repeat}")
    print(f"  program exchange.join          {min(ours_t):7.2f} s")
    print(f"  floor driver read + executemany{min(floor_t):7.2f} s   ratio {ratio:6.2f}×  "
          f"(a new PC's first download of {r:,} records)")
    server.dispose()
    return ratio


# ------------------------------------------------------------------ figure 3


def figure_3(place: Place, args: argparse.Namespace, one: dict[str, Any]) -> float:
    from civaffairs.db.bootstrap import open_database
    from civaffairs.gui.sync_status import AFTER_SAVE_MS, EXCHANGE_EVERY_MS
    from civaffairs.groups.bureau_office import fields as bo
    from civaffairs.records import service as records
    from civaffairs.sync import exchange

    server, a, staff, floor_db = one["server"], one["pc"], one["staff"], one["floor"]
    b = open_database(place.work / "pc-b")
    exchange.join(b, server, server.url)  # untimed: B is online and current
    clerk = _clerk()
    parts: list[tuple[float, float, float, float]] = []
    for i in range(args.latency):
        t0 = time.perf_counter()
        record_id = _save(a, clerk, bo.CHECK_INS, check_in(staff[i % STAFF], LATENCY_DAY + timedelta(days=i)))
        t1 = time.perf_counter()
        exchange.exchange(a, server)
        t2 = time.perf_counter()
        exchange.exchange(b, server)
        t3 = time.perf_counter()
        with b.read() as s:
            row = records.get(s, clerk, bo.CHECK_INS, record_id)
        t4 = time.perf_counter()
        assert row.id == record_id
        parts.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3))
    ours = [sum(p) for p in parts]

    # the floor: one connection inserts the row on the server, another reads it back
    table = bo.CHECK_INS.model.__table__
    names = [c.name for c in table.columns]
    a_con, b_con = place.connect(floor_db), place.connect(floor_db)
    template = list(a_con.execute(f'SELECT {", ".join(names)} FROM "{table.name}" LIMIT 1').fetchone())
    if not floor_db.is_sqlite:
        a_con.rollback()
    insert_sql = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({placeholders(a_con, len(names))})'
    select_sql = f'SELECT {", ".join(names)} FROM "{table.name}" WHERE id = {placeholders(b_con, 1)}'
    floor_t: list[float] = []
    for i in range(args.latency):
        row = list(template)
        new = uuid.uuid4()
        row[names.index("id")] = new.hex if floor_db.is_sqlite else new
        day = FLOOR_DAY + timedelta(days=i)
        row[names.index("day")] = day.isoformat() if floor_db.is_sqlite else day
        key = new.hex if floor_db.is_sqlite else new
        t0 = time.perf_counter()
        with transaction(a_con):
            a_con.execute(insert_sql, row)
        found = b_con.execute(select_sql, (key,)).fetchone()
        if not floor_db.is_sqlite:
            b_con.rollback()
        floor_t.append(time.perf_counter() - t0)
        assert found is not None
    a_con.close()
    b_con.close()
    median, floor_median = statistics.median(ours), statistics.median(floor_t)
    ratio = median / floor_median
    med = [statistics.median(p[k] for p in parts) for k in range(4)]
    print(f"\n3. from a save on PC A to the row on PC B's screen, both online (median of {args.latency})")
    print(f"  program save + A exchange + B exchange + B reads it  {median * 1000:7.1f} ms "
          f"(save {med[0] * 1000:.1f}, A's exchange {med[1] * 1000:.1f}, B's exchange {med[2] * 1000:.1f}, "
          f"B's read {med[3] * 1000:.1f} ms)")
    print(f"  floor insert on the server, read back by another connection {floor_median * 1000:7.2f} ms   "
          f"ratio {ratio:6.0f}×  (save on PC A to the row on PC B, median; without B's timer wait)")
    print(f"  (excludes the waits of the window's exchanger: A's exchange starts {AFTER_SAVE_MS} ms after the "
          f"save, and B's next timer tick comes at most {EXCHANGE_EVERY_MS / 1000:.0f} s later)")
    b.dispose()
    return ratio


# ------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=10_000, help="figure 1: changes waiting after the outage")
    parser.add_argument("--rows", type=int, default=100_000, help="figure 2: records of the first download")
    parser.add_argument("--repeat", type=int, default=2, help="samples of each slow figure (the fastest counts)")
    parser.add_argument("--latency", type=int, default=7, help="figure 3: samples (the median counts)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (postgresql+psycopg://…) "
                        "instead of SQLite files; the benchmark makes and drops its own schemas there")
    parser.add_argument("--profile", action="store_true", help="figure 1: a cProfile top 10 of the exchange")
    parser.add_argument("--skip", nargs="*", type=int, default=[], choices=(1, 2, 3), help="leave out these figures")
    args = parser.parse_args()

    from argon2 import PasswordHasher

    from civaffairs.accounts import service as accounts
    from civaffairs.groups import load_all

    load_all()
    # Setting up the accounts is untimed: Argon2 at its cheapest (the exchange logs nobody in).
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # type: ignore[attr-defined]
    work = Path(tempfile.mkdtemp(prefix="civaffairs-bench-sync-"))
    place = Place(work, args.postgres)
    ratios: dict[str, str] = {}
    try:
        one: dict[str, Any] | None = None
        if 1 not in args.skip or 3 not in args.skip:
            one = figure_1(place, args)
            ratios["exchange after an outage"] = f"{one['ratio']:.1f}"
        if 2 not in args.skip:
            ratios["first download"] = f"{figure_2(place, args):.2f}"
        if 3 not in args.skip and one is not None:
            ratios["save to the other PC's screen"] = f"{figure_3(place, args, one):.0f}"
        if one is not None:
            one["server"].dispose()
            one["pc"].dispose()
            one["floor"].dispose()
        # (without the times sign: bench/run_all.py takes the lines above, not this one, as its rows)
        print("\nsummary, ratios to the floors: " + ", ".join(f"{k} {v}" for k, v in ratios.items()))
    finally:
        place.drop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
