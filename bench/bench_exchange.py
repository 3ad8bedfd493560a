"""Excel in and out (issue 12) on a real register: group 3's entry registrations (出入登记),
100,000 rows over 50 duty points, each figure as a ratio against a floor measured in the same run
on the same machine.

    python bench/bench_exchange.py [--rows 100000] [--repeat 2] [--skip-import]

1. Import: the program's `read_table` + `preview` + `apply` (preview and apply in one
   `db.write()`, as the import dialog and `civaffairs import` do) of the program's own export,
   into a database holding the same duty points but no registrations; against the floor
   "python-calamine parse of the same file + sqlite3 executemany of the same rows" into a copy of
   that database.  Target: within 1.5×.  Also: openpyxl read-only parse against calamine parse.
2. Export: `export_register` of every row (a member of group 3: nothing masked, the export is
   audited) against the floor "xlsxwriter constant_memory writing the same cell values" (the
   values prepared beforehand, untimed; same header, formats, widths, frozen row, auto-filter).
   Target: within 1.3×.  Also: openpyxl write-only writing the same values against xlsxwriter.
3. Peak memory of an export, each in a fresh subprocess: `resource.getrusage` max RSS of the
   export against the idle program that has imported the same modules, opened the database and
   counted the register.  Target: at most 100 MiB above.

Slow figures are sampled --repeat times each, the program and its floor in turn (the load of a
shared machine falls on both); the fastest sample of each is compared.  The program's import is
sampled once (a second import of the same file would only match and skip).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

IMPORT_TARGET = 1.5
EXPORT_TARGET = 1.3
MEMORY_TARGET_MIB = 100
DB_FILE = "civaffairs.sqlite"


def _actor():  # type: ignore[no-untyped-def]
    from civaffairs.accounts.roles import Actor, Role

    return Actor("community", "社区干事", Role.MEMBER, frozenset({3}))  # reads group 3's personal data


def _open(data: Path):  # type: ignore[no-untyped-def]
    from civaffairs.db.base import Base
    from civaffairs.db.bootstrap import open_database
    from civaffairs.exchange.models import ImportBatch, ImportItem

    db = open_database(data)
    # The batch tables until the lead's migration 0006 makes them (as tests/test_exchange.py does).
    Base.metadata.create_all(db.engine, tables=[ImportBatch.__table__, ImportItem.__table__])
    return db


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def fastest(pairs: list[tuple[Callable[[], Any], list[float]]], repeat: int) -> None:
    """Each function `repeat` times, in turn; its times appended to its list."""
    for _ in range(repeat):
        for fn, samples in pairs:
            samples.append(timed(fn)[0])


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


# ------------------------------------------------------------------ the register


def fill(db, rows: int) -> list:  # type: ignore[no-untyped-def]
    """The place tree's one community, 50 compounds each with an entrance and a duty point (as
    bench_entry_registrations.py).  Returns the duty points' ids."""
    from sqlalchemy import insert

    from civaffairs.core.clock import now_utc
    from civaffairs.core.ids import new_id
    from civaffairs.groups.community.models import Compound, DutyPoint, Entrance
    from civaffairs.places.models import Community, Town

    now = now_utc()
    stamp = dict(version=1, created_at=now, created_by="bench", updated_at=now, updated_by="bench")
    points = []
    with db.write() as s:
        town = dict(id=new_id(), name="道北街道", kind="subdistrict", notes="", **stamp)
        community = dict(id=new_id(), town_id=town["id"], name="渭滨社区", kind="community", notes="", **stamp)
        s.execute(insert(Town), [town])
        s.execute(insert(Community), [community])
        for i in range(50):
            compound = dict(id=new_id(), community_id=community["id"], name=f"小区{i:02d}", address="",
                            households=300, residents=900, property_contact="", property_phone="", **stamp)
            entrance = dict(id=new_id(), compound_id=compound["id"], name="正门", state="open", notes="", **stamp)
            point = dict(id=new_id(), entrance_id=entrance["id"], name=f"小区{i:02d}正门值守点", notes="", **stamp)
            s.execute(insert(Compound), [compound])
            s.execute(insert(Entrance), [entrance])
            s.execute(insert(DutyPoint), [point])
            points.append(point["id"])
    return points


def fill_entries(db, points: list, rows: int) -> None:  # type: ignore[no-untyped-def]
    """`rows` registrations, about 2,000 a day, each unique by the register's natural key (duty
    point, day, time, direction, name) so that the file imports without a duplicate."""
    from sqlalchemy import insert

    from civaffairs.core.clock import now_utc
    from civaffairs.core.ids import new_id
    from civaffairs.groups.community.models import EntryRegistration

    now = now_utc()
    stamp = dict(version=1, created_at=now, created_by="bench", updated_at=now, updated_by="bench")
    rng = random.Random(3)
    first_day = date(2021, 10, 1)
    days = max(1, rows // 2000)
    surnames = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
    given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"]
    seen: set[tuple[Any, ...]] = set()
    batch = []
    with db.write() as s:
        for k in range(rows):
            day = first_day + timedelta(days=k * days // rows)
            point = points[rng.randrange(len(points))]
            at = dtime(6 + k % 16, k % 60)
            direction = "in" if k % 2 else "out"
            while True:
                name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
                key = (point, day, at, direction, name)
                if key not in seen:
                    seen.add(key)
                    break
            batch.append(dict(
                id=new_id(), duty_point_id=point, day=day, time_of_day=at, direction=direction, name=name,
                id_number="", phone=f"139{k:08d}", health_code="yellow" if k % 997 == 0 else "green",
                itinerary_card_checked=True, pass_number=f"P{k % 5000:04d}", temperature=360 + k % 12, **stamp))
            if len(batch) == 20_000:
                s.execute(insert(EntryRegistration), batch)
                batch = []
        if batch:
            s.execute(insert(EntryRegistration), batch)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API: WAL included)."""
    target.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(str(source / DB_FILE)), sqlite3.connect(str(target / DB_FILE))
    src.backup(dst)
    src.close()
    dst.close()


# ------------------------------------------------------------------ export floors


def cell_values(db, spec) -> tuple[list, list[list[Any]]]:  # type: ignore[no-untyped-def]
    """The export's columns and every row's cell values, exactly as the program converts them
    (its own per-column converters, references by their natural key): the floors write these."""
    from civaffairs.exchange import keys
    from civaffairs.exchange.cells import export_column
    from civaffairs.exchange.export import export_fields
    from civaffairs.records import service as records
    from civaffairs.records.spec import Kind, get_register

    actor = _actor()
    columns = [export_column(f) for f in export_fields(spec)]
    out: list[list[Any]] = []
    with db.read() as s:
        texts = {c.field.name: keys.all_texts(s, get_register(c.field.reference or ""))
                 for c in columns if c.field.kind is Kind.REFERENCE}
        offset = 0
        while True:
            page = records.fetch(s, actor, spec, records.ListQuery(), offset=offset, limit=5000)
            if not page:
                break
            offset += len(page)
            for r in page:
                row: list[Any] = []
                for c in columns:
                    v = r.values.get(c.field.name)
                    if v is None or v == "" or v == []:
                        row.append(None)
                    elif c.field.kind is Kind.REFERENCE:
                        row.append(texts[c.field.name][r.values[c.field.name + "__id"]])
                    else:
                        row.append(c.convert(v))
                out.append(row)
    return columns, out


def floor_xlsxwriter(path: Path, spec, columns, rows: list[list[Any]]) -> None:  # type: ignore[no-untyped-def]
    import xlsxwriter

    from civaffairs.exchange.cells import NUMBER
    from civaffairs.exchange.export import column_width, sheet_name

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
    formats = {c.number_format: workbook.add_format({"num_format": c.number_format})
               for c in columns if c.number_format}
    sheet = workbook.add_worksheet(sheet_name(spec))
    for i, c in enumerate(columns):
        sheet.set_column(i, i, column_width(c.field), formats.get(c.number_format))
        sheet.write_string(0, i, c.field.title, header)
    sheet.freeze_panes(1, 0)
    write_string, write_number = sheet.write_string, sheet.write_number
    plan = [(i, c.how == NUMBER, formats.get(c.number_format)) for i, c in enumerate(columns)]
    for r, row in enumerate(rows, 1):
        for (i, number, fmt), value in zip(plan, row):
            if value is None:
                continue
            if number:
                write_number(r, i, value, fmt)
            else:
                write_string(r, i, value)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    workbook.close()


def openpyxl_write_only(path: Path, spec, columns, rows: list[list[Any]]) -> None:  # type: ignore[no-untyped-def]
    """The same values through openpyxl's write-only mode (plain values: without number formats,
    which would cost it a WriteOnlyCell each; it does less work than the program here)."""
    from openpyxl import Workbook

    from civaffairs.exchange.export import sheet_name

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(spec))
    sheet.freeze_panes = "A2"
    sheet.append([c.field.title for c in columns])
    append = sheet.append
    for row in rows:
        append(row)
    workbook.save(str(path))


# ------------------------------------------------------------------ memory (in a subprocess)


def child(mode: str, data: Path, out: Path | None) -> int:
    """Run in a fresh process: the idle program (modules imported, database opened, the register
    counted) or an export of every row; prints the peak RSS in KiB as JSON."""
    import xlsxwriter  # noqa: F401 - the idle program has loaded what the export loads

    from civaffairs.exchange import export, keys  # noqa: F401
    from civaffairs.groups import load_all
    from civaffairs.records import service as records

    load_all()
    from civaffairs.groups.community.fields import ENTRIES

    db = _open(data)
    actor = _actor()
    with db.read() as s:
        total = records.count(s, actor, ENTRIES, records.ListQuery())
        records.fetch(s, actor, ENTRIES, records.ListQuery(), offset=0, limit=100)
    rows = 0
    if mode == "export":
        assert out is not None
        with db.write() as s:
            rows = export.export_register(s, actor, ENTRIES, out).rows
    db.dispose()
    print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "hwm_kib": _vm_hwm(),
                      "rows": rows, "total": total}))
    return 0


def _vm_hwm() -> int:
    """The kernel's own peak RSS of this process (KiB), a check on getrusage's; 0 off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(mode: str, data: Path, out: Path) -> dict[str, Any]:
    # Through a shell that forks: Linux carries a process's max RSS across exec, so a child exec'd
    # straight from this (large) process would report this process's size, not its own.
    command = [sys.executable, __file__, "--child", mode, "--data", str(data), "--out", str(out)]
    result = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", *command], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="samples of each slow figure (the fastest counts)")
    parser.add_argument("--skip-import", action="store_true",
                        help="leave out the program's import (at 100,000 rows it takes a quarter of an hour)")
    parser.add_argument("--child", choices=("idle", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.data, args.out)

    from python_calamine import CalamineWorkbook

    from civaffairs.exchange import importer
    from civaffairs.exchange.export import export_register
    from civaffairs.groups import load_all

    load_all()
    from civaffairs.groups.community.fields import ENTRIES

    work = Path(tempfile.mkdtemp(prefix="civaffairs-bench-exchange-"))
    actor = _actor()
    try:
        source_dir, target_dir, floor_dir = work / "source", work / "target", work / "floor"
        source = _open(source_dir)
        t, points = timed(lambda: fill(source, args.rows))
        source.dispose()
        copy_database(source_dir, target_dir)  # the duty points, no registrations: the import's target
        source = _open(source_dir)
        t, _ = timed(lambda: fill_entries(source, points, args.rows))
        print(f"{args.rows:,} entry registrations over {len(points)} duty points inserted in {t:.1f} s; "
              f"fastest of {args.repeat} samples unless said")

        # ---- export
        ours_file, floor_file, openpyxl_file = work / "ours.xlsx", work / "floor.xlsx", work / "openpyxl.xlsx"
        columns, values = cell_values(source, ENTRIES)
        assert len(values) == args.rows

        def ours_export() -> None:
            with source.write() as s:
                assert export_register(s, actor, ENTRIES, ours_file).rows == args.rows

        ours_t: list[float] = []
        floor_t: list[float] = []
        fastest([(ours_export, ours_t), (lambda: floor_xlsxwriter(floor_file, ENTRIES, columns, values), floor_t)],
                args.repeat)
        openpyxl_t, _ = timed(lambda: openpyxl_write_only(openpyxl_file, ENTRIES, columns, values))
        export_ratio = min(ours_t) / min(floor_t)
        print("\nexport (.xlsx, every row, nothing masked)")
        print(f"  program export_register        {min(ours_t):7.2f} s")
        print(f"  floor xlsxwriter constant mem  {min(floor_t):7.2f} s   ratio {export_ratio:5.2f}×  "
              f"{verdict(export_ratio <= EXPORT_TARGET)} (target {EXPORT_TARGET}×)")
        print(f"  openpyxl write-only (1 sample) {openpyxl_t:7.2f} s   ratio {openpyxl_t / min(floor_t):5.2f}× "
              f"of xlsxwriter")
        print(f"  file sizes: program {ours_file.stat().st_size / 2**20:.1f} MiB, "
              f"floor {floor_file.stat().st_size / 2**20:.1f} MiB")

        # ---- parse: calamine against openpyxl read-only, on the program's export
        def calamine_parse() -> list[list[Any]]:
            return CalamineWorkbook.from_path(str(ours_file)).get_sheet_by_index(0).to_python(skip_empty_area=False)

        def openpyxl_parse() -> int:
            from openpyxl import load_workbook

            workbook = load_workbook(str(ours_file), read_only=True, data_only=True)
            n = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
            workbook.close()
            return n

        calamine_t: list[float] = []
        fastest([(calamine_parse, calamine_t)], args.repeat)
        openpyxl_read_t, n = timed(openpyxl_parse)
        assert n == args.rows + 1, n
        print("\nparse the export (.xlsx)")
        print(f"  python-calamine                {min(calamine_t):7.2f} s")
        print(f"  openpyxl read-only (1 sample)  {openpyxl_read_t:7.2f} s   ratio {openpyxl_read_t / min(calamine_t):5.2f}× "
              f"of calamine")

        # ---- memory
        idle = run_child("idle", source_dir, work / "idle.xlsx")
        busy = run_child("export", source_dir, work / "memory.xlsx")
        assert busy["rows"] == args.rows, busy
        above = (busy["maxrss_kib"] - idle["maxrss_kib"]) / 1024
        print("\npeak memory (max RSS, fresh processes)")
        print(f"  idle program                   {idle['maxrss_kib'] / 1024:7.1f} MiB   (VmHWM {idle['hwm_kib'] / 1024:.1f})")
        print(f"  exporting {args.rows:,} rows{'':<{max(0, 11 - len(f'{args.rows:,}'))}} {busy['maxrss_kib'] / 1024:7.1f} MiB   "
              f"{above:+.1f} MiB  {verdict(above <= MEMORY_TARGET_MIB)} (target ≤ {MEMORY_TARGET_MIB} MiB above; "
              f"VmHWM {busy['hwm_kib'] / 1024:.1f})")

        # ---- import
        source.dispose()
        if args.skip_import:
            print(f"\nverdict: export {export_ratio:.2f}× ({verdict(export_ratio <= EXPORT_TARGET)}), "
                  f"memory {above:+.1f} MiB ({verdict(above <= MEMORY_TARGET_MIB)}); import not measured")
            return 0
        raw = sqlite3.connect(str(source_dir / DB_FILE))
        names = [r[1] for r in raw.execute("PRAGMA table_info(community_entry)")]
        db_rows = raw.execute(f"SELECT {', '.join(names)} FROM community_entry").fetchall()
        raw.close()
        insert_sql = f"INSERT INTO community_entry ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"

        def floor_import() -> None:
            shutil.rmtree(floor_dir, ignore_errors=True)
            copy_database(target_dir, floor_dir)  # untimed below: subtracted
            t0 = time.perf_counter()
            calamine_parse()
            con = sqlite3.connect(str(floor_dir / DB_FILE))
            with con:
                con.executemany(insert_sql, db_rows)
            con.close()
            floor_import_t.append(time.perf_counter() - t0)

        floor_import_t: list[float] = []
        for _i in range(args.repeat):
            floor_import()

        target = _open(target_dir)
        stages: dict[str, float] = {}

        def ours_import() -> Any:
            t0 = time.perf_counter()
            table = importer.read_table(ours_file)
            t1 = time.perf_counter()
            with target.write() as s:
                p = importer.preview(s, actor, ENTRIES, table, file_name=ours_file.name)
                t2 = time.perf_counter()
                assert p.can_apply, (p.file_problems, [r.problems for r in p.rows if r.problems][:3])
                result = importer.apply(s, actor, ENTRIES, p)
                t3 = time.perf_counter()
            t4 = time.perf_counter()
            stages.update(read=t1 - t0, preview=t2 - t1, apply=t3 - t2, commit=t4 - t3)
            return result

        ours_import_t, result = timed(ours_import)
        assert result.created == args.rows, result
        target.dispose()
        import_ratio = ours_import_t / min(floor_import_t)
        print("\nimport (.xlsx of the export into the same duty points, no registrations yet)")
        print(f"  program read+preview+apply     {ours_import_t:7.2f} s (1 sample): read {stages['read']:.2f} s, "
              f"preview {stages['preview']:.2f} s, apply {stages['apply']:.2f} s, commit {stages['commit']:.2f} s")
        print(f"  floor calamine + executemany   {min(floor_import_t):7.2f} s   ratio {import_ratio:5.2f}×  "
              f"{verdict(import_ratio <= IMPORT_TARGET)} (target {IMPORT_TARGET}×)")

        print(f"\nverdict: import {import_ratio:.2f}× ({verdict(import_ratio <= IMPORT_TARGET)}), "
              f"export {export_ratio:.2f}× ({verdict(export_ratio <= EXPORT_TARGET)}), "
              f"memory {above:+.1f} MiB ({verdict(above <= MEMORY_TARGET_MIB)})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
