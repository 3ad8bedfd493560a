"""A register printout of about 200 pages (the health check-ins, as a clerk prints them from the
list) against the floor of ReportLab alone building the same table: the same cells, already as
text, in the same font, size, padding and margins, one `Table` per page of the same number of
rows, with a grid and the header repeated.  (One long `Table` split by ReportLab itself is no
floor: its splitting re-measures the remaining rows on every page, quadratic in the rows.)  Both in the same process, median of
`--repeat`; the program's figure includes reading the rows through the register service.

    python bench/bench_printout.py [--pages 200] [--repeat 3]"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET = 1.3


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle
    from sqlalchemy import insert

    from civaffairs.accounts.roles import Actor, Role
    from civaffairs.commands import pdf_pages
    from civaffairs.core.clock import now_utc, today_local
    from civaffairs.core.ids import new_id
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import CHECK_INS
    from civaffairs.groups.bureau_office.models import HealthCheckIn, StaffMember
    from civaffairs.printing.fonts import FontRole, font
    from civaffairs.printing.table_report import (LEADING, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAD_X, PAD_Y, RULE,
                                                  register_columns, register_rows, render_register)
    from civaffairs.records.service import ListQuery

    work = Path(tempfile.mkdtemp(prefix="civaffairs-bench-"))
    db = open_database(work / "data")
    now, today = now_utc(), today_local()
    stamp = dict(version=1, created_at=now, created_by="bench", updated_at=now, updated_by="bench")
    actor = Actor("office", "办公室干事", Role.MEMBER, frozenset({1}))
    q = ListQuery(sort="day", descending=True)

    def fill(n: int) -> None:
        staff = [dict(id=new_id(), name=f"职工{i:03d}", department="办公室", post="", phone="13800000000",
                      id_number="", working_groups=["1"], **stamp) for i in range(100)]
        with db.write() as s:
            s.execute(HealthCheckIn.__table__.delete())
            s.execute(StaffMember.__table__.delete())
            s.execute(insert(StaffMember), staff)
            s.execute(insert(HealthCheckIn), [
                dict(id=new_id(), staff_id=staff[i % 100]["id"], day=today - timedelta(days=i // 100),
                     morning_temperature=360 + i % 15, afternoon_temperature=None, health_code="green",
                     travelled_outside=False, notes="", **stamp) for i in range(n)])

    def ours() -> bytes:
        with db.snapshot() as s:
            return render_register(s, actor, CHECK_INS, q, office_name="麦积区民政局", printed_by="办公室干事",
                                   printed_at=now)

    fill(1000)  # rows per page, to reach the pages asked for
    per_page = 1000 / pdf_pages(ours())
    rows = int(per_page * args.pages)
    fill(rows)
    pdf = ours()
    pages = pdf_pages(pdf)

    with db.read() as s:
        cells = [[str(i + 1), *r] for i, r in enumerate(register_rows(s, actor, CHECK_INS, q))]
    header = ["序号", *(c.title for c in register_columns(CHECK_INS))]
    f = font(FontRole.SONG)
    size = 10.5
    page_size = landscape(A4) if b"/MediaBox [ 0 0 841.89 595.2" in pdf else A4
    body_rows = -(-len(cells) // pages)

    def floor() -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=page_size, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                                topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM)
        style = TableStyle([("FONT", (0, 0), (-1, -1), f.name, size, size * LEADING),
                            ("LEFTPADDING", (0, 0), (-1, -1), PAD_X), ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
                            ("TOPPADDING", (0, 0), (-1, -1), PAD_Y), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
                            ("GRID", (0, 0), (-1, -1), RULE, colors.black)])
        story: list = []
        for start in range(0, len(cells), body_rows):
            story += [Table([header, *cells[start:start + body_rows]], style=style, repeatRows=1), PageBreak()]
        doc.build(story[:-1])
        return out.getvalue()

    floor_pages = pdf_pages(floor())
    ours_t = median_time(ours, args.repeat)
    floor_t = median_time(floor, args.repeat)
    ratio = ours_t / floor_t
    print(f"{rows:,} check-ins: the program's printout {pages} pages, the floor {floor_pages} pages; "
          f"median of {args.repeat}")
    print(f"register printout (read + lay out + draw)  {ours_t:6.2f} s   floor ReportLab alone {floor_t:6.2f} s   "
          f"ratio {ratio:4.2f}×  ({'within' if ratio <= TARGET else 'OVER'} the {TARGET}× target)")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
