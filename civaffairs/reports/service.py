"""Making the statistics report: read every section in one snapshot, write the file, audit it."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from civaffairs.accounts.roles import Actor
from civaffairs.audit import service as audit
from civaffairs.db.database import Database
from civaffairs.reports.figures import Period
from civaffairs.reports.statistics import StatisticsReport, build

REGISTER = "reports.statistics"


def make_report(db: Database, actor: Actor, period: Period, *, office_name: str, out: Path,
                progress: Callable[[int, int], None] | None = None) -> StatisticsReport:
    """The report of `period` written to `out` (.xlsx or .pdf); audited as an export.  Every role
    may make it: it holds figures, no personal data.  A window's account changed since its log-in
    gets `SessionEnded` before anything is written."""
    audit.check_before_output(db)
    if progress:
        progress(0, 3)
    with db.snapshot() as session:  # every section sees the same moment
        report = build(session, actor, period, office_name=office_name)
    if progress:
        progress(1, 3)
    if out.suffix.lower() == ".pdf":
        from civaffairs.printing.statistics_pdf import render_statistics

        data = render_statistics(report)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    else:
        from civaffairs.reports.workbook import write_workbook

        write_workbook(report, out)
    if progress:
        progress(2, 3)
    with db.write() as session:
        audit.record(session, actor, "export", REGISTER, label=f"{period.start.isoformat()}–{period.end.isoformat()}",
                     changes={"file": [None, out.name], "sections": [None, str(len(report.sections))]})
    if progress:
        progress(3, 3)
    return report
