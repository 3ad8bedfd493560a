"""Render sample paper to page images under docs/paper/, from a throwaway database filled by the
demo: an issued notice (GB/T 9704), a register printout and blank sheets, the statistics report,
and each working group's own paper (inspection reports, rosters, the approval form and the 公示
list of a grant, a household's file, acknowledgements and the disclosure of donations, the list of
organisations that have not acknowledged a notice, a volunteer's certificate).

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

    # The paper of groups 4 to 7, on the same demo data: the grant with the most filled in, the
    # biggest household, the first acknowledged donation and issued certificate.
    from sqlalchemy import func, select

    from civaffairs.groups.assistance import grant_paper, household_paper
    from civaffairs.groups.assistance.models import HouseholdMember, TemporaryAssistanceGrant
    from civaffairs.groups.donations import reports as donation_paper
    from civaffairs.groups.donations import service as donations
    from civaffairs.groups.donations.fields import MATERIALS, MONEY
    from civaffairs.groups.donations.models import MaterialDonation, MoneyDonation
    from civaffairs.groups.social_organisations import reports as organisation_paper
    from civaffairs.groups.volunteers import reports as volunteer_paper
    from civaffairs.groups.volunteers import service as volunteers
    from civaffairs.groups.volunteers.models import ServiceCertificate

    paper = {"office_name": demo.DEMO_OFFICE, "printed_at": now}
    with db.read() as s:
        grant_id = s.scalars(select(TemporaryAssistanceGrant.id).where(TemporaryAssistanceGrant.state == "paid")
                             .order_by(TemporaryAssistanceGrant.number)).first()
        pdfs["grant-approval-form"] = grant_paper.render_approval_form(s, actor, grant_id, printed_by="救助股 赵干事",
                                                                       **paper)
        pdfs["grant-publicity-list"] = grant_paper.render_publicity_list(
            s, autumn.start, autumn.end, office_name=demo.DEMO_OFFICE, issued_on=date(2021, 11, 6),
            contact="救助股 0938-0000000")
        household_id = s.execute(select(HouseholdMember.household_id).where(HouseholdMember.deleted_at.is_(None))
                                 .group_by(HouseholdMember.household_id)
                                 .order_by(func.count().desc(), HouseholdMember.household_id)).scalars().first()
        pdfs["household-file"] = household_paper.render_household_file(s, actor, household_id,
                                                                       printed_by="救助股 赵干事", **paper)
        pdfs["not-contacted"] = household_paper.render_not_contacted(s, actor, date(2021, 11, 1), None,
                                                                     printed_by="救助股 赵干事", **paper)
        for key, model, name in ((MONEY.key, MoneyDonation, "acknowledgement-money"),
                                 (MATERIALS.key, MaterialDonation, "acknowledgement-materials")):
            record_id = s.scalars(select(model.id).where(model.ack_number != "").order_by(model.ack_number)).first()
            if record_id is not None:
                pdfs[name] = donation_paper.render_acknowledgement(donations.acknowledgement(s, actor, key, record_id))
        pdfs["donation-disclosure"] = donation_paper.render_disclosure(donations.disclosure(s, actor, autumn),
                                                                       printed_on=date(2021, 11, 6))
        pdfs["not-acknowledged"] = organisation_paper.render_not_acknowledged(
            s, actor, day=date(2021, 11, 5), printed_by="社会组织组 孙干事", **paper)
        certificate_id = s.scalars(select(ServiceCertificate.id).where(ServiceCertificate.number != "")
                                   .order_by(ServiceCertificate.number)).first()
        if certificate_id is not None:
            pdfs["volunteer-certificate"] = volunteer_paper.render_certificate(
                volunteers.certificate_document(s, actor, certificate_id))
    db.dispose()
    for name, pdf in pdfs.items():
        path = out / f"{name}.pdf"
        path.write_bytes(pdf)
        for old in out.glob(f"{name}-*.png"):
            old.unlink()
        pages = _page_count(path)
        if pages <= 12:
            subprocess.run(["pdftoppm", "-png", "-r", args.dpi, str(path), str(out / name)], check=True)
        else:  # a long list: its first two pages and its last (with the total and the signatures) show it
            for first, last in ((1, 2), (pages, pages)):
                subprocess.run(["pdftoppm", "-png", "-r", args.dpi, "-f", str(first), "-l", str(last), str(path),
                                str(out / name)], check=True)
        print(path, pages, "pages")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


if __name__ == "__main__":
    raise SystemExit(main())
