"""How the registers perform with 100,000 check-ins, each figure as a ratio against a floor
measured in the same run on the same file (machines here are noisy; absolute times are not).

    python bench/bench_registers.py [--rows 100000] [--repeat 7]

Figures:
- page: one sorted page of 100 rows deep in the list (OFFSET 50,000) through the register
  service (ORM join, masking, conversion) vs the same SELECT in bare sqlite3;
- count: the list's count under a search vs bare sqlite3 COUNT with the same LIKE;
- open: a RegisterView over the whole register, created and painted offscreen, vs the floor of
  the bare count, the bare first page of 200 rows in the list's order and a bare QTableView
  over a 200-row Python list painted (what the database and painting cost anyway);
- last page: the same, then scrolled to the end and painted, vs the floor plus the bare last page;
- sort: re-sorting the view by another column (a new count and page + model reset) vs the bare
  count, the bare page in that order and the bare view.  Target of each view figure: 2×.
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
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _vm_hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def browse_child(data: Path, settings: Path) -> int:
    """In a fresh process, as the program would be: log in, open the check-ins, scroll a screen
    at a time from the first row to the last; print the process's peak memory (MiB)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import CHECK_INS
    from civaffairs.gui.context import AppContext
    from civaffairs.gui.operations import Operations
    from civaffairs.gui.register_view import RegisterView
    from civaffairs.gui.settings import Preferences

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
    app = QApplication([])
    db = open_database(data)
    actor = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
    ctx = AppContext(db, Operations(db, actor), actor, data, Preferences(), "bench")
    view = RegisterView(ctx, CHECK_INS)
    view.resize(1200, 700)
    view.show()
    app.processEvents()
    bar = view.table.verticalScrollBar()
    while bar.value() < bar.maximum():
        bar.setValue(bar.value() + bar.pageStep())
        view.table.viewport().repaint()
        app.processEvents()
    assert view.model.row(view.model.total_count() - 1) is not None
    print(f"{_vm_hwm_mib():.1f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--browse-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.browse_child:
        return browse_child(args.browse_child, args.browse_child.parent / "settings")

    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt
    from PySide6.QtWidgets import QApplication, QTableView
    from sqlalchemy import insert

    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.core.clock import now_utc, today_local
    from civaffairs.core.ids import new_id
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import CHECK_INS
    from civaffairs.groups.bureau_office.models import HealthCheckIn, StaffMember
    from civaffairs.gui.context import AppContext
    from civaffairs.gui.operations import Operations
    from civaffairs.gui.register_view import RegisterView
    from civaffairs.gui.settings import Preferences
    from civaffairs.records import service as records

    work = Path(tempfile.mkdtemp(prefix="civaffairs-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication([])
    db = open_database(work / "data")
    staff_n = 500
    days = max(1, args.rows // staff_n)
    rng = random.Random(1)
    now, today = now_utc(), today_local()
    stamp = dict(version=1, created_at=now, created_by="bench", updated_at=now, updated_by="bench")
    staff = [dict(id=new_id(), name=f"职工{i:03d}", department="办公室", post="", phone="13800000000",
                  id_number="", working_groups=["1"], **stamp) for i in range(staff_n)]
    with db.write() as s:
        s.execute(insert(StaffMember), staff)
        s.execute(insert(HealthCheckIn), [
            dict(id=new_id(), staff_id=p["id"], day=today - timedelta(days=d), morning_temperature=rng.randrange(358, 375),
                 afternoon_temperature=None, health_code="green", travelled_outside=False, notes="", **stamp)
            for d in range(days) for p in staff])
    rows = staff_n * days
    actor = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
    raw = sqlite3.connect(str(work / "data" / "civaffairs.sqlite"))

    # page deep in the list, sorted by date
    q = records.ListQuery(sort="day", descending=True)

    def service_page() -> None:
        with db.read() as s:
            assert len(records.fetch(s, actor, CHECK_INS, q, offset=rows // 2, limit=100)) == 100

    def raw_page() -> None:
        cur = raw.execute(
            "SELECT c.id, c.version, c.deleted_at, c.deleted_by, p.name, c.staff_id, c.day, c.morning_temperature,"
            " c.afternoon_temperature, c.health_code, c.travelled_outside, c.notes FROM bureau_health_check_in c"
            " LEFT JOIN bureau_staff_member p ON c.staff_id = p.id WHERE c.deleted_at IS NULL"
            " ORDER BY c.day DESC, c.id DESC LIMIT 100 OFFSET ?", (rows // 2,))
        assert len(cur.fetchall()) == 100

    qs = records.ListQuery(search="12")

    def service_count() -> None:
        with db.read() as s:
            records.count(s, actor, CHECK_INS, qs)

    def raw_count() -> None:
        raw.execute("SELECT count(*) FROM bureau_health_check_in c LEFT JOIN bureau_staff_member p"
                    " ON c.staff_id = p.id WHERE c.deleted_at IS NULL AND lower(p.name) LIKE lower('%12%')").fetchone()

    ctx = AppContext(db, Operations(db, actor), actor, work, Preferences(), "bench")

    def open_view() -> None:
        view = RegisterView(ctx, CHECK_INS)
        view.resize(1200, 700)
        view.show()
        view.repaint()
        app.processEvents()
        view.close()
        view.deleteLater()

    class ListModel(QAbstractTableModel):
        def __init__(self, data):  # type: ignore[no-untyped-def]
            super().__init__()
            self._d = data

        def rowCount(self, parent=QModelIndex()):  # type: ignore[no-untyped-def]  # noqa: B008
            return len(self._d)

        def columnCount(self, parent=QModelIndex()):  # type: ignore[no-untyped-def]  # noqa: B008
            return 7

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
            return self._d[index.row()][index.column()] if role == Qt.ItemDataRole.DisplayRole else None

    sample = [[f"职工{i}", "2026-11-29", "36.5", "36.6", "绿码", "否", ""] for i in range(200)]

    def floor_view() -> None:
        view = QTableView()
        view.setModel(ListModel(sample))
        view.resize(1200, 700)
        view.show()
        view.repaint()
        app.processEvents()
        view.close()
        view.deleteLater()

    standing = RegisterView(ctx, CHECK_INS)
    standing.resize(1200, 700)
    standing.show()
    app.processEvents()

    def resort() -> None:  # by the morning temperature, then back by the day: two new orders
        for column in (2, 1):
            standing.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
            standing.table.viewport().repaint()
            app.processEvents()

    # The floors of the view figures: what the bare database and a bare view need anyway, that
    # is the count, the page on screen in its order (200 rows, as the model reads) and the paint.
    select = ("SELECT c.id, c.version, c.deleted_at, c.deleted_by, p.name, c.staff_id, c.day, c.morning_temperature,"
              " c.afternoon_temperature, c.health_code, c.travelled_outside, c.notes FROM bureau_health_check_in c"
              " LEFT JOIN bureau_staff_member p ON c.staff_id = p.id WHERE c.deleted_at IS NULL")

    def raw_view(order: str, offset: int) -> None:
        raw.execute("SELECT count(*) FROM bureau_health_check_in WHERE deleted_at IS NULL").fetchone()
        raw.execute(f"{select} ORDER BY {order} LIMIT 200 OFFSET ?", (offset,)).fetchall()
        floor_view()

    def floor_open() -> None:
        raw_view("c.day DESC, c.id DESC", 0)

    def floor_last() -> None:
        raw_view("c.day DESC, c.id DESC", rows - 200)

    def floor_resort() -> None:
        raw_view("c.morning_temperature DESC, c.id DESC", 0)
        raw_view("c.day DESC, c.id DESC", 0)

    def open_at_the_end() -> None:
        view = RegisterView(ctx, CHECK_INS)
        view.resize(1200, 700)
        view.show()
        view.table.scrollToBottom()
        view.repaint()
        app.processEvents()
        view.close()
        view.deleteLater()

    def floor_open_at_the_end() -> None:
        floor_open()
        floor_last()

    for fn in (service_page, raw_page, service_count, raw_count, open_view, floor_view, resort, floor_open,
               floor_last, open_at_the_end, floor_resort):
        fn()  # warm caches and imports
    figures = [
        ("page of 100 at offset 50%", best(service_page, args.repeat), best(raw_page, args.repeat)),
        ("count under a search", best(service_count, args.repeat), best(raw_count, args.repeat)),
        ("open and paint the first page", best(open_view, args.repeat), best(floor_open, args.repeat)),
        ("open, then paint the last page", best(open_at_the_end, args.repeat), best(floor_open_at_the_end, args.repeat)),
        ("re-sort twice and repaint", best(resort, args.repeat), best(floor_resort, args.repeat)),
    ]
    import subprocess

    peak = float(subprocess.run([sys.executable, __file__, "--browse-child", str(work / "data")], check=True,
                                capture_output=True, text=True).stdout.split()[-1])
    print(f"{rows:,} check-ins, median of {args.repeat}")
    for name, ours, floor in figures:
        print(f"{name:<30} {ours * 1000:8.1f} ms   floor {floor * 1000:7.1f} ms   ratio {ours / floor:5.1f}×")
    print(f"browse every row top to bottom (a fresh process): peak memory {peak:.0f} MiB "
          f"({'within' if peak <= 250 else 'OVER'} the 250 MiB target)")
    standing.close()
    raw.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
