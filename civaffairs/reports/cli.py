"""`civaffairs report --from DATE --to DATE --out FILE.xlsx|.pdf`: the statistics report without
the window (the same report as the overview's 统计上报 dialog)."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from civaffairs.core.i18n import _


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def run_report(args: argparse.Namespace) -> int:
    from civaffairs.accounts import service as accounts
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.commands import Failed, run_job
    from civaffairs.db.database import Database
    from civaffairs.reports.figures import Period, period_errors
    from civaffairs.reports.service import make_report
    from civaffairs.reports.statistics import StatisticsReport

    start, end = _day(args.date_from), _day(args.date_to)
    if start is None or end is None:
        print(_("Please give the dates like 2021-10-01."), file=sys.stderr)
        return 2
    problems = period_errors(start, end)
    if problems:  # a day the figures cannot compute (year 1, year 9999…)
        for message in dict.fromkeys(problems.values()):
            print(message, file=sys.stderr)
        return 2
    if end < start:
        print(_("The period ends before it starts."), file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        print(_("The report is written as .xlsx or .pdf, not {suffix}.").format(suffix=out.suffix or "…"), file=sys.stderr)
        return 2

    def job(db: Database) -> StatisticsReport:
        with db.read() as s:
            office = accounts.office_name(s)
        return make_report(db, COMMAND_LINE_ACTOR, Period(start, end), office_name=office, out=out)

    try:
        report = run_job(args, job, out=out)
    except Failed:
        return 1
    print(_("Written: {file} ({period}, {n} sections)").format(file=out, period=report.period.text,
                                                              n=len(report.sections)))
    return 0
