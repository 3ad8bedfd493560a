"""Entry registrations (出入登记), the fastest-growing register: 1,000,000 rows, each figure as a
ratio against the bare SQL floor (sqlite3, the same SELECT) measured in the same run on the same
file.  Target: within 2×.

    python bench/bench_entry_registrations.py [--rows 1000000] [--repeat 5] [--clock cpu]

Figures, each through the program's own `records.fetch`/`count` and through the Qt
`RecordTableModel` (count + the page shown), against the same statements in bare sqlite3:
- first page: the default order (newest day first);
- last page: OFFSET to the end of the list;
- search: a name fragment (no index can serve '%…%': the floor scans too);
- date filter: one day;
- parent filter: one duty point's registrations (its detail pane), newest first.
The table model is checked to hold at most two pages however far it is scrolled.

What is timed is what the user waits for: a page is read, then the rows on screen are read
(`ON_SCREEN`, all their values; the program converts a row when it is first read, and the table
reads only the rows it shows); the floor fetches the same page and reads the same rows' values.
A figure and its floor are sampled in turn (the load of a shared machine falls on both), at
least --repeat times and, for the quick ones, for about 0.3 s each; the medians are compared.
`--clock cpu` times with this thread's CPU clock instead of the wall clock: on a shared machine
whose other work would otherwise decide the sub-millisecond figures.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE = 200
CLOCK = time.perf_counter
ON_SCREEN = 40  # rows a maximised list shows on a 1920×1080 screen (about 35), and a few more


def medians(ours, floor, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Medians of `ours` and `floor`, sampled alternately: at least `repeat` times each, more for
    quick figures (until about 0.3 s of samples, at most 301), so a median is not one busy moment."""
    times: tuple[list[float], list[float]] = ([], [])
    spent = 0.0
    while len(times[0]) < repeat or (spent < 0.6 and len(times[0]) < 301):
        for fn, samples in ((ours, times[0]), (floor, times[1])):
            t = CLOCK()
            fn()
            samples.append(CLOCK() - t)
            spent += samples[-1]
    return statistics.median(times[0]), statistics.median(times[1])


def read_rows(rows, first: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Every value of the rows on screen, as the table reads them."""
    for row in rows[first:first + ON_SCREEN]:
        for _value in row.values.values():
            pass


def read_tuples(rows, first: int = 0) -> None:  # type: ignore[no-untyped-def]
    for row in rows[first:first + ON_SCREEN]:
        for _value in row:
            pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import and_, func, insert, select
    from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.core.clock import now_utc
    from civaffairs.core.ids import new_id
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.community.fields import ENTRIES
    from civaffairs.groups.community.models import Compound, DutyPoint, Entrance, EntryRegistration
    from civaffairs.gui.table_model import RecordTableModel
    from civaffairs.places.models import Community, Town
    from civaffairs.records import service as records

    work = Path(tempfile.mkdtemp(prefix="civaffairs-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication([])  # noqa: F841 - the table model needs one
    db = open_database(work / "data")
    now = now_utc()
    stamp = dict(version=1, created_at=now, created_by="bench", updated_at=now, updated_by="bench")
    rng = random.Random(3)
    n_points = 50
    first_day = date(2021, 10, 1)
    days = max(1, args.rows // 2000)  # about 2,000 registrations a day over the district's duty points
    surnames, given = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗", ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"]
    t0 = time.perf_counter()
    with db.write() as s:
        town = dict(id=new_id(), name="道北街道", kind="subdistrict", notes="", **stamp)
        community = dict(id=new_id(), town_id=town["id"], name="渭滨社区", kind="community", notes="", **stamp)
        s.execute(insert(Town), [town])
        s.execute(insert(Community), [community])
        points = []
        for i in range(n_points):
            compound = dict(id=new_id(), community_id=community["id"], name=f"小区{i:02d}", address="", households=300,
                            residents=900, property_contact="", property_phone="", **stamp)
            entrance = dict(id=new_id(), compound_id=compound["id"], name="正门", state="open", notes="", **stamp)
            point = dict(id=new_id(), entrance_id=entrance["id"], name=f"小区{i:02d}正门值守点", notes="", **stamp)
            s.execute(insert(Compound), [compound])
            s.execute(insert(Entrance), [entrance])
            s.execute(insert(DutyPoint), [point])
            points.append(point["id"])
        batch = []
        for k in range(args.rows):
            day = first_day + timedelta(days=k * days // args.rows)
            batch.append(dict(
                id=new_id(), duty_point_id=points[rng.randrange(n_points)], day=day,
                time_of_day=dtime(6 + k % 16, k % 60), direction="in" if k % 2 else "out",
                name=rng.choice(surnames) + rng.choice(given) + rng.choice(given), id_number="",
                phone=f"139{k:08d}", health_code="yellow" if k % 997 == 0 else "green",
                itinerary_card_checked=True, pass_number=f"P{k % 5000:04d}",
                temperature=360 + k % 12, **stamp))
            if len(batch) == 20_000:
                s.execute(insert(EntryRegistration), batch)
                batch = []
        if batch:
            s.execute(insert(EntryRegistration), batch)
    print(f"inserted {args.rows:,} entry registrations in {time.perf_counter() - t0:.1f} s")
    raw = sqlite3.connect(str(work / "data" / "civaffairs.sqlite"))
    raw.execute("ANALYZE")
    raw.commit()
    actor = Actor("community", "社区干事", Role.MEMBER, frozenset({3}))
    middle_day = first_day + timedelta(days=days // 2)
    point = points[7]

    total = args.rows
    point_total = raw.execute("SELECT count(*) FROM community_entry WHERE duty_point_id = ? AND deleted_at IS NULL",
                              (point.hex,)).fetchone()[0]
    day_total = raw.execute("SELECT count(*) FROM community_entry WHERE day = ? AND deleted_at IS NULL",
                            (middle_day.isoformat(),)).fetchone()[0]

    # The floor runs exactly the statements the service sends, compiled to SQL text.
    qq = records._query(ENTRIES)

    def sql(stmt) -> str:  # type: ignore[no-untyped-def]
        return str(stmt.compile(dialect=sqlite_dialect(), compile_kwargs={"literal_binds": True}))

    def page_sql(q, offset: int) -> str:  # type: ignore[no-untyped-def]
        return sql(qq.select_rows(actor, q).order_by(*qq.order_by(actor, q)).offset(offset).limit(PAGE))

    def count_sql(q) -> str:  # type: ignore[no-untyped-def]
        stmt = select(func.count()).select_from(EntryRegistration)
        if q.search or q.equals:  # as records.count: the join only to search or filter
            for alias, on in qq.joins:
                stmt = stmt.outerjoin(alias, on)
        return sql(stmt.where(and_(*qq.where(actor, q))))

    last = (total - 1) // PAGE * PAGE
    queries = [
        ("first page", records.ListQuery(), 0),
        ("last page", records.ListQuery(), last),
        ("search a name", records.ListQuery(search="王伟"), 0),
        ("date filter (one day)", records.ListQuery(date_from=middle_day, date_to=middle_day), 0),
        ("one duty point's", records.ListQuery(equals=(("duty_point_id", point),)), 0),
    ]
    cases = [(name, q, offset, page_sql(q, offset), count_sql(q), ()) for name, q, offset in queries]
    print(f"{total:,} rows; a day holds {day_total:,}; the duty point {point_total:,}; medians of at least "
          f"{args.repeat} samples, {args.clock} clock; {ON_SCREEN} rows on screen read")
    print(f"{'':<24} {'fetch':>9} {'floor':>9} {'ratio':>6}   {'count':>9} {'floor':>9} {'ratio':>6}"
          f"   {'model':>9} {'floor':>9} {'ratio':>6}")
    worst = 0.0
    for name, q, offset, sql_page, sql_count, params in cases:
        def ours_page() -> None:
            with db.read() as s:
                rows = records.fetch(s, actor, ENTRIES, q, offset, PAGE)
            assert rows
            read_rows(rows)

        def floor_page() -> None:
            rows = raw.execute(sql_page).fetchall()
            assert rows
            read_tuples(rows)

        def ours_count() -> None:
            with db.read() as s:
                records.count(s, actor, ENTRIES, q)

        def floor_count() -> None:
            raw.execute(sql_count).fetchone()

        def ours_model() -> None:
            model = RecordTableModel(_reader(db), actor, ENTRIES, q)
            first = min(offset, model.total_count() - 1)
            assert model.row(first) is not None
            for row in range(first, min(first + ON_SCREEN, model.total_count())):
                for _value in model.row(row).values.values():  # type: ignore[union-attr]
                    pass
            assert model.loaded_row_count() <= 2 * model.PAGE_SIZE

        def floor_model() -> None:
            floor_count()
            floor_page()

        for fn in (ours_page, floor_page, ours_count, floor_count, ours_model, floor_model):
            fn()  # warm the caches
        a, b = medians(ours_page, floor_page, args.repeat)
        c, d = medians(ours_count, floor_count, args.repeat)
        e, f = medians(ours_model, floor_model, args.repeat)
        worst = max(worst, a / b, c / d, e / f)
        print(f"{name:<24} {a * 1000:7.2f}ms {b * 1000:7.2f}ms {a / b:5.2f}×   {c * 1000:7.2f}ms {d * 1000:7.2f}ms"
              f" {c / d:5.2f}×   {e * 1000:7.2f}ms {f * 1000:7.2f}ms {e / f:5.2f}×")

    # Scrolling the whole list: the model never holds more than two pages.
    model = RecordTableModel(_reader(db), actor, ENTRIES, records.ListQuery())
    most = 0
    for row in range(0, model.total_count(), model.total_count() // 50):
        model.row(row)
        most = max(most, model.loaded_row_count())
    model.row(model.total_count() - 1)
    most = max(most, model.loaded_row_count())
    print(f"table model: at most {most} rows held while scrolling {model.total_count():,} "
          f"({'ok' if most <= 2 * model.PAGE_SIZE else 'TOO MANY'}: two pages are {2 * model.PAGE_SIZE})")
    print(f"worst ratio {worst:.2f}× ({'within' if worst <= 2 else 'OVER'} the 2× target)")
    raw.close()
    db.dispose()
    return 0


def _reader(db):  # type: ignore[no-untyped-def]
    def read(fn):  # type: ignore[no-untyped-def]
        with db.read() as s:
            return fn(s)
    return read


if __name__ == "__main__":
    raise SystemExit(main())
