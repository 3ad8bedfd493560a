"""查人 over 1,000,000 entry registrations (出入登记) and the other registers: the search's time
(`people.find`, everything the dialog waits for: parsing, one query per register, labels, masking,
the audit entry) as a ratio against the bare SQL floor (sqlite3 running the same per-register
SELECTs, compiled from the service's own conditions) in the same run on the same file.

    python bench/bench_find_person.py [--rows 1000000] [--repeat 20]

Needs the indexes on community_entry.id_number and .phone (civaffairs/groups/community/models.py);
without them each lookup scans the million rows."""
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import insert, or_, select
    from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.core.clock import now_utc
    from civaffairs.core.ids import new_id
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.community.models import Compound, DutyPoint, Entrance, EntryRegistration
    from civaffairs.people import service as people
    from civaffairs.places.models import Community, Town
    from tests.test_find_person import _add_person

    work = Path(tempfile.mkdtemp(prefix="civaffairs-bench-"))
    db = open_database(work / "data")
    admin = Actor("admin", "管理员", Role.ADMINISTRATOR, frozenset())
    now = now_utc()
    stamp = dict(version=1, created_at=now, created_by="bench", updated_at=now, updated_by="bench")
    rng = random.Random(3)
    t0 = time.perf_counter()
    with db.write() as s:
        town = dict(id=new_id(), name="道北街道", kind="subdistrict", notes="", **stamp)
        community = dict(id=new_id(), town_id=town["id"], name="渭滨社区", kind="community", notes="", **stamp)
        compound = dict(id=new_id(), community_id=community["id"], name="小区00", address="", households=300,
                        residents=900, property_contact="", property_phone="", **stamp)
        entrance = dict(id=new_id(), compound_id=compound["id"], name="正门", state="open", notes="", **stamp)
        point = dict(id=new_id(), entrance_id=entrance["id"], name="小区00正门值守点", notes="", **stamp)
        for model, row in ((Town, town), (Community, community), (Compound, compound), (Entrance, entrance),
                           (DutyPoint, point)):
            s.execute(insert(model), [row])
        batch = []
        for k in range(args.rows):
            batch.append(dict(
                id=new_id(), duty_point_id=point["id"], day=date(2021, 10, 1) + timedelta(days=k * 40 // args.rows),
                time_of_day=dtime(6 + k % 16, k % 60), direction="in" if k % 2 else "out", name=f"王{k % 977}",
                id_number=f"620503{19500101 + k % 400000:08d}{k % 1000:03d}"[:17] + "X", phone=f"139{k:08d}",
                health_code="green", itinerary_card_checked=True, pass_number="", temperature=365, **stamp))
            if len(batch) == 20_000:
                s.execute(insert(EntryRegistration), batch)
                batch = []
        if batch:
            s.execute(insert(EntryRegistration), batch)
    person = _add_person(db, admin)  # staff, visitor, donor, volunteer
    with db.write() as s:  # and three entry registrations
        s.execute(insert(EntryRegistration), [dict(
            id=new_id(), duty_point_id=point["id"], day=date(2021, 10, 20 + i), time_of_day=dtime(8, i),
            direction="in", name=person.name, id_number=person.id_number, phone=person.phone, health_code="green",
            itinerary_card_checked=True, pass_number="", temperature=365, **stamp) for i in range(3)])
    print(f"inserted {args.rows:,} entry registrations in {time.perf_counter() - t0:.1f} s")
    # Until migration 0006 adds them, the models' indexes the migrations lack are created here.
    with db.engine.begin() as conn:
        for index in EntryRegistration.__table__.indexes:
            index.create(conn, checkfirst=True)
    raw = sqlite3.connect(str(work / "data" / "civaffairs.sqlite"))
    raw.execute("ANALYZE")
    raw.commit()

    registers = people.searched_registers()
    for text, what in ((person.id_number, "ID number"), (person.phone, "phone")):
        q = people.parse_query(text)
        floor_sql = []
        for reg in registers:
            conditions = people._conditions(reg, q)
            if conditions:
                model = reg.spec.model
                stmt = select(model).where(or_(*conditions), model.deleted_at.is_(None))
                floor_sql.append(str(stmt.compile(dialect=sqlite_dialect(), compile_kwargs={"literal_binds": True})))
        for plan in (raw.execute("EXPLAIN QUERY PLAN " + sql).fetchall() for sql in floor_sql):
            assert not any("SCAN community_entry" in str(step) for step in plan), plan

        def ours() -> int:
            with db.write() as s:
                return people.find(s, admin, text).total

        def floor() -> int:
            return sum(len(raw.execute(sql).fetchall()) for sql in floor_sql)

        if os.environ.get("PROFILE"):
            import cProfile
            cProfile.runctx("for _ in range(10): ours()", globals(), locals(), sort="cumulative")
        assert ours() == floor() == 7, (ours(), floor())
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(args.repeat):
            for fn, samples in ((ours, times[0]), (floor, times[1])):
                t = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t)
        a, b = statistics.median(times[0]), statistics.median(times[1])
        print(f"by {what}: 查人 {a * 1000:.2f} ms, bare SQL floor {b * 1000:.2f} ms "
              f"({len(floor_sql)} registers), ratio {a / b:.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
