"""Render sample paper to page images under docs/paper/: an issued notice (GB/T 9704), a
register printout and a blank check-in sheet, from a throwaway database filled by the demo.

    python scripts/render_docs.py [--out docs/paper]

Needs `pdftoppm` (Debian: poppler-utils).  Look at every page after a change to the printing."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/paper")
    parser.add_argument("--dpi", default="60")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from civaffairs import demo
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import CHECK_INS
    from civaffairs.notices import service as notices
    from civaffairs.notices.data import NoticeStatus
    from civaffairs.printing.blank_form import render_blank_form
    from civaffairs.printing.notice_pdf import render_notice
    from civaffairs.printing.table_report import render_register
    from civaffairs.records import service as records
    from civaffairs.records.service import ListQuery

    work = Path(tempfile.mkdtemp(prefix="civaffairs-paper-"))
    db = open_database(work)
    demo.create_accounts(db)
    demo.fill(db, staff=40, days=10)
    demo.fill_notices(db)
    pdfs: dict[str, bytes] = {}
    with db.read() as s:
        issued = [n for n in notices.list_notices(s, COMMAND_LINE_ACTOR) if n.status is NoticeStatus.ISSUED]
        notice = max(issued, key=lambda n: len(n.body))
        pdfs["notice"] = render_notice(notice, office_mark=notices.office_mark(s, notice))
        query = ListQuery(colours=("green", "yellow", "red"), sort="day", descending=True)
        pdfs["register-check-ins"] = render_register(
            s, COMMAND_LINE_ACTOR, CHECK_INS, query, office_name=demo.DEMO_OFFICE, printed_by="办公室 王主任",
            printed_at=datetime.now(timezone.utc))
    pdfs["blank-check-ins"] = render_blank_form(CHECK_INS, office_name=demo.DEMO_OFFICE,
                                                header_fields=CHECK_INS.carried_fields,
                                                printed_at=datetime.now(timezone.utc))

    # The paper of groups 2 and 3, the supervision teams and the statistics report, on the demo data.
    from datetime import date

    from civaffairs.groups.community import reports as community_paper
    from civaffairs.groups.community.fields import COMPOUNDS, DUTY_POINTS
    from civaffairs.groups.service_institutions.fields import DAILY_CHECKS
    from civaffairs.printing.statistics_pdf import render_statistics
    from civaffairs.reports.figures import Period
    from civaffairs.reports.statistics import build
    from civaffairs.supervision import reports as supervision_paper
    from civaffairs.supervision import service as supervision
    from civaffairs.supervision.fields import TEAMS

    demo.fill_groups(db)
    now = datetime.now(timezone.utc)
    autumn = Period(date(2021, 10, 1), date(2021, 11, 5))
    with db.read() as s:
        actor = COMMAND_LINE_ACTOR
        pdfs["statistics"] = render_statistics(build(s, actor, autumn, office_name=demo.DEMO_OFFICE, made_at=now))
        visit = supervision.find_by_number(s, "麦民督〔2021〕1号")
        pdfs["inspection-report"] = supervision_paper.render_inspection_report(
            supervision.inspection_report(s, actor, visit))
        team = records.fetch(s, actor, TEAMS)[0]
        pdfs["team-summary"] = supervision_paper.render_team_summary(supervision.team_summary(s, actor, team.id, autumn))
        compound = next(r for r in records.fetch(s, actor, COMPOUNDS, ListQuery(), 0, 100) if r.values["name"] == "天河家园")
        pdfs["duty-roster"] = community_paper.render_duty_roster(
            s, actor, compound.id, date(2021, 11, 1), office_name=demo.DEMO_OFFICE, printed_by="社区组 李干事",
            printed_at=now)
        point = records.fetch(s, actor, DUTY_POINTS)[0]
        pdfs["blank-entry-sheet"] = community_paper.render_entry_sheet(s, actor, point.id, office_name=demo.DEMO_OFFICE,
                                                                       printed_at=now)
    pdfs["blank-daily-checklist"] = render_blank_form(DAILY_CHECKS, office_name=demo.DEMO_OFFICE,
                                                      header_fields=("institution_id",), printed_at=now)
    db.dispose()
    for name, pdf in pdfs.items():
        path = out / f"{name}.pdf"
        path.write_bytes(pdf)
        for old in out.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", args.dpi, str(path), str(out / name)], check=True)
        print(path, len(list(out.glob(f"{name}-*.png"))), "pages")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
